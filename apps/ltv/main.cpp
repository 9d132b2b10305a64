// The `ltv` command line: a thin face over ltv::core. Errors are translated here, once.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>
#include <vector>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/version.hpp"

namespace ltv::cli {

namespace {
std::vector<std::pair<int, CommandSetup>>& registry() {
  static std::vector<std::pair<int, CommandSetup>> commands;
  return commands;
}
}  // namespace

bool register_command(int order, CommandSetup setup) {
  registry().emplace_back(order, setup);
  return true;
}

void setup_commands(CLI::App& root) {
  auto commands = registry();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, setup] : commands) setup(root);
}

}  // namespace ltv::cli

namespace {

/// OpenMP threads wait passively unless the user chose otherwise (OMP_WAIT_POLICY). libgomp
/// reads the variable once, in its constructor; functions in the executable's .preinit_array run
/// before any shared library's constructors, so the default is set there. Spinning waits cost
/// more than they save on this kind of machine: BG/NBD on 100k customers fitted in 32-55 ms
/// (spinning) vs 30-32 ms (passive) idle, and a loaded machine doubled the spinning time
/// (docs/cli.md, "Threads").
void wait_passively(int, char**, char**) {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
}

[[gnu::section(".preinit_array"),
  gnu::used]] void (*const wait_passively_entry)(int, char**, char**) = &wait_passively;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "ltv - customer lifetime value and customer value management.\n"
      "Load purchase history, summarise customers, fit BTYD models, segment and act.\n"
      "Run 'ltv COMMAND --help' for the options of a command; docs/cli.md has the full reference."};
  app.set_version_flag("--version", std::string("ltv ") + ltv::kVersion);
  app.require_subcommand(1);
  app.fallthrough(false);
  ltv::cli::setup_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const ltv::Error& e) {
    std::fprintf(stderr, "ltv: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "ltv: error: out of memory\n");
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ltv: internal error: %s\n", e.what());
    return 4;
  }
  return 0;
}
