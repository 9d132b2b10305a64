// `ltv serve WORKSPACE`: the HTTP API over a workspace's stored runs (ltv/server/server.hpp).
// Options come from the engine's parameter table (groups workspace, serve). SIGTERM and SIGINT
// stop it gracefully: no new connections, requests in flight finish.
#include <fmt/format.h>
#include <pthread.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "command.hpp"
#include "ltv/server/server.hpp"
#include "ltv/store/run.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_serve(CommandParameters& command) {
  const Parameters& p = command.resolved();
  server::ServerOptions options;
  options.workspace = p.text("workspace");
  server::parse_listen(p.text("listen"), options.host, options.port);
  options.min_cell = p.integer("min_cell");
  options.threads = static_cast<int>(p.integer("threads"));
  options.secure_cookies = p.flag("secure_cookies");
  if (const std::string every = p.text("recalc_every"); !every.empty()) {
    options.recalc_every = store::parse_duration(every, "recalc_every");
  }
  // The signals are taken by sigwait below, in this thread only: block them before the server
  // starts its threads (which inherit the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  server::Server server(options);
  server.start();
  std::fprintf(
      stderr,
      "ltv serve: %s on http://%s:%d/api/v1/ (OpenAPI: /api/v1/openapi.json; dashboard: "
      "http://%s:%d/); min cell %lld%s; SIGTERM or Ctrl-C stops\n",
      options.workspace.c_str(), options.host.c_str(), server.port(), options.host.c_str(),
      server.port(), static_cast<long long>(options.min_cell),
      options.recalc_every > 0
          ? (", recalculating when the newest run is older than " + p.text("recalc_every")).c_str()
          : "");
  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr,
               "ltv serve: %s received, finishing requests in flight and a running "
               "recalculation\n",
               received == SIGTERM ? "SIGTERM" : "SIGINT");
  server.stop();
  std::fprintf(stderr, "ltv serve: stopped\n");
}

void setup_serve(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "serve",
      "Serve a workspace's stored runs as a JSON API (docs/api.md) and a dashboard in the "
      "browser (at /, sign in with a token): analysts see every table and customer, partners "
      "aggregates of their brands only. Users and tokens: ltv user add, ltv token create.");
  auto parameters = add_parameter_options(*cmd, {"workspace", "serve"});
  cmd->footer(
      "Example:\n"
      "  ltv serve ltv.db --listen 127.0.0.1:8080\n"
      "  ltv serve ltv.db --recalc-every 24h     # recalculate daily in the background\n"
      "  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/kpis/headline");
  cmd->callback([parameters]() { run_serve(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(81, ltv::cli::setup_serve);
