#include "parameter_options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "ltv/error.hpp"

namespace ltv::cli {

std::string option_name(std::string_view key) {
  std::string name = "--" + std::string(key);
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string positional_name(std::string_view key) {
  std::string name(key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return name;
}

const Parameters& CommandParameters::resolved() {
  if (!config_applied) {
    config_applied = true;
    if (command != nullptr) apply_parameter_config(*command, config);
    values.validate();
    infer_and_save_columns(*this);  // column inference (issue 27)
  }
  values.validate();
  return values;
}

std::shared_ptr<CommandParameters> add_parameter_options(CLI::App& cmd,
                                                         std::vector<std::string_view> groups) {
  auto result = std::make_shared<CommandParameters>();
  result->values = Parameters(std::move(groups));
  result->command = &cmd;
  // The option callbacks write into the object the command's callback keeps alive.
  CommandParameters* const self = result.get();
  Parameters* const parameters = &self->values;
  // Positionals are taken in the order of `groups` (`ltv uplift CAMPAIGNS FILE`), options in
  // table order.
  std::vector<const ParameterSpec*> specs;
  for (const std::string_view group : parameters->groups()) {
    for (const ParameterSpec* spec : parameters_of(std::span(&group, 1))) {
      if (spec->positional) specs.push_back(spec);
    }
  }
  for (const ParameterSpec* spec : parameters_of(parameters->groups())) {
    if (!spec->positional) specs.push_back(spec);
  }
  for (const ParameterSpec* spec : specs) {
    const std::string key(spec->key);
    std::string names = spec->positional ? positional_name(key) : option_name(key);
    if (!spec->alias.empty()) names = "-" + std::string(spec->alias) + "," + names;
    // The default a job sets for this command (parameter_defaults()) or the table's.
    const std::string default_value = parameters->text(key);
    CLI::Option* option = nullptr;
    if (spec->type == ParameterType::flag) {
      option = cmd.add_flag_function(
          names, [parameters, key](std::int64_t) { parameters->set(key, "true"); },
          std::string(spec->help));
    } else if (spec->repeated) {
      // Repeatable (--after X --after Y) and several values at once (--k 5 10).
      option = cmd.add_option_function<std::vector<std::string>>(
          names,
          [parameters, key](const std::vector<std::string>& values) {
            parameters->set_list(key, values);
          },
          std::string(spec->help));
      if (!default_value.empty()) {
        std::string shown;
        for (const std::string& v : split_list(default_value))
          shown += (shown.empty() ? "" : ",") + v;
        option->default_str("[" + shown + "]");
      }
    } else {
      option = cmd.add_option_function<std::string>(
          names, [parameters, key](const std::string& value) { parameters->set(key, value); },
          std::string(spec->help));
      if (!default_value.empty()) option->default_str(default_value);
    }
    // A positional with a default may be left out (ltv init [WORKSPACE]); FILE may be replaced
    // by --source URL where the command takes it.
    if (spec->positional && spec->default_value.empty() &&
        !(key == "file" && parameters->accepts("source"))) {
      option->required();
    }
    if (!spec->section.empty()) option->group(std::string(spec->section));
  }
  cmd.add_option("--config", self->config,
                 "Read options from FILE: 'key = value' lines, e.g. customer = CustomerID "
                 "(command-line options win)")
      ->group("Output");
  add_save_config_option(cmd, *self);  // column inference (issue 27)
  return result;
}

void apply_parameter_config(CLI::App& cmd, const std::string& config) {
  if (config.empty()) return;
  std::ifstream in(config);
  if (!in) parameter_error("config", config, "a readable config file");
  std::string line;
  std::int64_t number = 0;
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  while (std::getline(in, line)) {
    ++number;
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';' || text.front() == '[') continue;
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
      input_error(SourceLocation{config, number, ""}, std::string(text), "a line 'key = value'");
    }
    std::string key(trim(text.substr(0, eq)));
    std::string_view value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key.rfind("--", 0) == 0) key.erase(0, 2);
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* opt = key.size() > 1 ? cmd.get_option_no_throw("--" + key) : nullptr;
    if (opt == nullptr || key == "config" || key == "help") {
      input_error(SourceLocation{config, number, ""}, key,
                  fmt::format("an option of 'ltv {}' (see --help)", cmd.get_name()));
    }
    if (opt->count() > 0) continue;  // given on the command line
    opt->add_result(std::string(value));
    opt->run_callback();
  }
}

}  // namespace ltv::cli
