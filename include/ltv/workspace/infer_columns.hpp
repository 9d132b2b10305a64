#pragma once
/// Column inference over parameters (every face): when the customer or the date column is not
/// given, the columns not given are inferred from the transaction file
/// (ltv/io/column_inference.hpp) and set as parameter values, so that every job reads the file as
/// if they had been given. And the source options in use written as a config file that `--config`
/// reads back.

#include <optional>
#include <string>

#include "ltv/io/column_inference.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv {

/// Infers the columns of `parameters`' transaction file when the customer or the date column is
/// not given, and sets the inferred ones (customer, date, amount, quantity, price and, when
/// these parameters take them, order, product, category, channel, region; decimal_comma when
/// detected). Returns nullopt, changing nothing, when there is nothing to infer: both customer
/// and date given, no file parameter, standard input ("-"), --no-header, --source, a file of
/// another kind than transactions (`kind`, when these parameters take it), `ltv basket` with its
/// baskets given (`basket` or `order`, without `sequence`: no customer or date needed), a file
/// that is not readable as delimited text (the loader reports it), or a customer summary CSV
/// (frequency and recency columns). Throws ParameterError for an ambiguous role or a missing
/// customer / date column (naming the candidates or the file's columns), InputError for a file that
/// is not UTF-8 text.
std::optional<ColumnInference> infer_column_parameters(Parameters& parameters);

/// The options that say how to read the transaction file (the keys of the group "source" that
/// are set — given or inferred — except the file itself and database locations), as `key =
/// 'value'` lines: TOML, and what `--config FILE` reads. ParameterError (`save_config`) for a
/// value that cannot be written (holding both quote characters or a line break).
std::string source_config_text(const Parameters& parameters);

/// Writes source_config_text() to `path` through a temporary file renamed into place. Refuses
/// (ParameterError `save_config`) a path that is the transaction file; SystemError when writing
/// fails.
void write_source_config(const Parameters& parameters, const std::string& path);

}  // namespace ltv
