// The `ltv` command line: a thin face over ltv::core. Errors are translated here, once.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
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
  } catch (const ltv::ParameterError& e) {
    // The core names the parameter's key (calibration_end); the command line calls it
    // --calibration-end.
    std::string option = "--" + e.key();
    std::replace(option.begin(), option.end(), '_', '-');
    std::fprintf(stderr, "ltv: error: %s\n",
                 ltv::format_input_message(ltv::SourceLocation{"", 0, option}, e.found(),
                                           e.expected())
                     .c_str());
    return 1;
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
