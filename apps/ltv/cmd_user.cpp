// The server's identities: `ltv user add|list` and `ltv token create|revoke`. Options come from
// the engine's parameter table (groups workspace, user, token, revoke); each command is one call
// into ltv/server/identity.hpp, then printing. A token is printed once and stored only as a hash.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "command.hpp"
#include "ltv/server/identity.hpp"
#include "ltv/store/run.hpp"
#include "ltv/store/store.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_user_add(CommandParameters& command) {
  const Parameters& p = command.resolved();
  if (!p.given("role")) parameter_error("role", "", "admin, analyst or partner");
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const server::User user =
      server::add_user(ws, p.text("name"), server::parse_role(p.choice("role")),
                       server::split_brands(p.text("brands")));
  fmt::print("User {} ({}{}) added to {}\n", user.name, server::to_string(user.role),
             user.brands.empty() ? "" : fmt::format(" of {}", fmt::join(user.brands, ", ")),
             ws.name());
  fmt::print("Next: ltv token create {} {}\n", ws.name(), user.name);
}

void run_user_list(CommandParameters& command) {
  const Parameters& p = command.resolved();
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  fmt::print("name,role,brands,created_at\n");
  for (const server::User& u : server::users(ws)) {
    fmt::print("{},{},\"{}\",{}\n", u.name, server::to_string(u.role), fmt::join(u.brands, ","),
               u.created_at);
  }
}

void run_token_create(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const std::string expires = p.text("expires");
  std::optional<double> seconds;
  if (expires != "never") seconds = store::parse_duration(expires, "expires");
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const server::NewToken t = server::create_token(ws, p.text("name"), seconds);
  fmt::print(stderr,
             "Token {} for {} (expires {}). It is shown only now; the workspace keeps a "
             "hash of it. Use it as: Authorization: Bearer TOKEN\n",
             t.info.id, t.info.user, t.info.expires_at.value_or("never"));
  fmt::print("{}\n", t.token);
}

void run_token_revoke(CommandParameters& command) {
  const Parameters& p = command.resolved();
  store::WorkspaceStore ws = store::WorkspaceStore::open(p.text("workspace"));
  const server::TokenInfo t = server::revoke_token(ws, p.integer("token_id"));
  fmt::print("Token {} of {} revoked at {}\n", t.id, t.user, t.revoked_at.value_or("?"));
}

void setup_user(CLI::App& root) {
  CLI::App* user = root.add_subcommand(
      "user", "Users of the server (ltv serve): admin, analyst or partner (bound to brands)");
  user->require_subcommand(1);
  CLI::App* add = user->add_subcommand(
      "add",
      "Add a user to a workspace. A partner sees aggregates of its brands only and needs "
      "--brands (each a brand of the products table).");
  auto add_parameters = add_parameter_options(*add, {"workspace", "user"});
  add->footer(
      "Examples:\n"
      "  ltv user add ltv.db alice --role analyst\n"
      "  ltv user add ltv.db acme --role partner --brands Acme,AcmeKids");
  add->callback([add_parameters]() { run_user_add(*add_parameters); });
  CLI::App* list = user->add_subcommand("list", "List the users of a workspace (CSV)");
  auto list_parameters = add_parameter_options(*list, {"workspace"});
  list->callback([list_parameters]() { run_user_list(*list_parameters); });

  CLI::App* token = root.add_subcommand("token", "API tokens of the server's users");
  token->require_subcommand(1);
  CLI::App* create = token->add_subcommand(
      "create",
      "Create an API token for a user and print it once (stdout); the workspace keeps only a "
      "hash of it.");
  auto create_parameters = add_parameter_options(*create, {"workspace", "token"});
  create->footer("Example:\n  ltv token create ltv.db alice --expires 30d");
  create->callback([create_parameters]() { run_token_create(*create_parameters); });
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by its id");
  auto revoke_parameters = add_parameter_options(*revoke, {"workspace", "revoke"});
  revoke->callback([revoke_parameters]() { run_token_revoke(*revoke_parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(80, ltv::cli::setup_user);
