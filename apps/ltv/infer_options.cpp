// Column inference on the command line (issue 27): the mapping printed on stderr and
// --save-config. The inference itself is in the core (ltv/workspace/infer_columns.hpp).
#include <cstdio>

#include "ltv/workspace/infer_columns.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {

void add_save_config_option(CLI::App& cmd, CommandParameters& parameters) {
  if (!parameters.values.accepts("file") || !parameters.values.accepts("customer")) return;
  cmd.add_option("--save-config", parameters.save_config,
                 "Write the options that say how to read FILE (columns, given or inferred, and "
                 "parsing) to a config file that --config reads back")
      ->group("Output");
}

void infer_and_save_columns(CommandParameters& parameters) {
  Parameters& p = parameters.values;
  if (const auto inferred = infer_column_parameters(p)) {
    const bool quiet = p.accepts("quiet") && p.flag("quiet");
    if (!quiet) {
      std::fprintf(stderr, "ltv: columns: %s\n", inferred->describe().c_str());
      for (const std::string& note : inferred->notes) {
        std::fprintf(stderr, "ltv: note: %s\n", note.c_str());
      }
    }
  }
  if (!parameters.save_config.empty()) write_source_config(p, parameters.save_config);
}

}  // namespace ltv::cli
