// The `ltv` command line: a thin face over ltv::core. Errors are translated here, once.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/i18n_errors.hpp"
#include "ltv/version.hpp"
#include "ltv/workspace/parameters.hpp"

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

/// The kinds of failure main() prints, translated there (po/ru.po).
[[maybe_unused]] constexpr std::string_view kFailureKinds[] = {i18n::N_("error"),
                                                               i18n::N_("internal error")};

/// The language of a command's error messages: the value of --lang (`--lang ru`, `--lang=ru`)
/// when it is en or ru, else the environment's (LC_ALL, LC_MESSAGES, LANG).
i18n::Language language_of_arguments(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    std::string_view value;
    if (arg == "--lang" && i + 1 < argc) {
      value = argv[i + 1];
    } else if (arg.rfind("--lang=", 0) == 0) {
      value = arg.substr(7);
    } else {
      continue;
    }
    if (value == "en") return i18n::Language::en;
    if (value == "ru") return i18n::Language::ru;
  }
  return i18n::language_from_environment();
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
  // Exit codes (docs/cli.md): 0 done, 1 bad input or usage, 2 system error (a write or rename
  // failed, disk full, permissions), 3 out of memory, 4 internal error (a bug). One line each.
  // Errors are rendered in the language of the command (--lang, else the environment's; an
  // invalid --lang value is itself the error, said in the environment's language).
  const ltv::i18n::Language language = ltv::cli::language_of_arguments(argc, argv);
  const auto fail = [&](int code, const char* kind, const std::string& what) {
    std::fprintf(stderr, "ltv: %s: %s\n", ltv::i18n::translate(kind, language).c_str(),
                 ltv::escape_for_message(what, 2000).c_str());
    return code;
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return fail(1, "error", std::string(e.what()) + " (see 'ltv --help')");
  } catch (const ltv::SystemError& e) {
    return fail(2, "error", e.what());
  } catch (const ltv::ParameterError& e) {
    // The core names the parameter's key (calibration_end); the command line calls it
    // --calibration-end.
    // A positional parameter (file, workspace) is called by its name in the usage line, FILE,
    // and its absence is a usage error like CLI11's.
    const auto& table = ltv::parameter_table();
    // (A key outside the table, such as config or save_config, is an option.)
    const bool positional = std::any_of(table.begin(), table.end(),
                                        [&](const auto& spec) { return spec.key == e.key(); }) &&
                            std::all_of(table.begin(), table.end(), [&](const auto& spec) {
                              return spec.key != e.key() || spec.positional;
                            });
    if (positional) {
      std::string name = e.key();
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      return fail(1, "error",
                  name + ": found '" + ltv::escape_for_message(e.found(), 200) + "', expected " +
                      e.expected() + " (see 'ltv --help')");
    }
    std::string option = "--" + e.key();
    std::replace(option.begin(), option.end(), '_', '-');
    return fail(1, "error",
                ltv::i18n::format_input_message(ltv::SourceLocation{"", 0, option}, e.found(),
                                                e.expected(), language));
  } catch (const ltv::InputError& e) {
    return fail(1, "error", ltv::i18n::input_error_message(e, language));
  } catch (const ltv::Error& e) {
    return fail(1, "error", e.what());
  } catch (const std::bad_alloc&) {
    return fail(3, "error", "out of memory");
  } catch (const std::filesystem::filesystem_error& e) {
    std::string what = e.code().message();
    if (!e.path1().empty()) what = e.path1().string() + ": " + what;
    if (!e.path2().empty()) what += " (" + e.path2().string() + ")";
    return fail(2, "error", what);
  } catch (const std::system_error& e) {
    return fail(2, "error", e.what());
  } catch (const nlohmann::json::exception& e) {
    return fail(1, "error", std::string("invalid JSON: ") + e.what());
  } catch (const std::out_of_range& e) {
    return fail(1, "error", std::string("a value out of range: ") + e.what());
  } catch (const std::invalid_argument& e) {
    return fail(1, "error", std::string("an invalid value: ") + e.what());
  } catch (const std::exception& e) {
    return fail(4, "internal error", e.what());
  } catch (...) {
    return fail(4, "internal error", "an unknown exception");
  }
  return 0;
}
