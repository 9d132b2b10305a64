// Column inference over parameters and the saved source config (see
// ltv/workspace/infer_columns.hpp).
#include "ltv/workspace/infer_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/files.hpp"

namespace ltv {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Keys of the group "source" that name where the data is, not how to read it.
bool is_location_key(std::string_view key) {
  return key == "file" || key == "source" || key == "query" || key == "source_table";
}

}  // namespace

std::optional<ColumnInference> infer_column_parameters(Parameters& p) {
  if (!p.accepts("file") || !p.accepts("customer") || !p.accepts("date")) return std::nullopt;
  const std::string file = p.text("file");
  if (file.empty() || file == "-") return std::nullopt;
  if (p.accepts("source") && !p.text("source").empty()) return std::nullopt;
  // A file of another kind than transactions (ltv ingest --kind products, ...).
  if (p.accepts("kind") && p.text("kind") != "transactions") return std::nullopt;
  if (!p.text("customer").empty() && !p.text("date").empty()) return std::nullopt;
  if (p.accepts("no_header") && p.flag("no_header")) return std::nullopt;
  // ltv basket reads baskets from an order column without customers or dates
  // (cross_sell_source): with one given, nothing is inferred.
  if (p.accepts("sequence") && !p.flag("sequence") &&
      (!p.text("order").empty() || (p.accepts("basket") && !p.text("basket").empty()))) {
    return std::nullopt;
  }

  CsvOptions csv;
  if (p.accepts("delimiter")) csv.delimiter = parse_delimiter(p.text("delimiter"));
  ColumnSample sample;
  try {
    sample = read_column_sample(file, csv);
  } catch (const InputError&) {
    // A missing file, a database, binary data: reported by whoever reads the source.
    return std::nullopt;
  }
  check_utf8(sample);
  const auto has = [&](std::string_view name) {
    return std::any_of(sample.header.begin(), sample.header.end(),
                       [&](const std::string& h) { return lower(h) == name; });
  };
  if (has("frequency") && has("recency")) return std::nullopt;  // a customer summary
  // A cohorts' survival table for the contract retention model (ltv/workspace/retention.hpp).
  // (ltv fit / predict, the commands with a model, read it when the header has `alive`.)
  if (p.accepts("model") && has("alive")) return std::nullopt;

  ColumnInferenceOptions o;
  ColumnMapping& g = o.given;
  g.customer = p.text("customer");
  g.date = p.text("date");
  g.amount = p.text("amount");
  g.quantity = p.text("quantity");
  g.price = p.text("price");
  const auto optional_text = [&](std::string_view key) {
    return p.accepts(key) ? p.text(key) : std::string();
  };
  g.order = optional_text("order");
  g.product = optional_text("product");
  // The cross-sell jobs' item and basket columns are their product and order.
  if (const std::string item = optional_text("item"); !item.empty()) g.product = item;
  if (const std::string basket = optional_text("basket"); !basket.empty()) g.order = basket;
  g.category = optional_text("category");
  g.channel = optional_text("channel");
  g.region = optional_text("region");
  g.margin = optional_text("margin");
  g.cost = optional_text("cost");
  o.optional_roles.clear();
  for (const char* key : {"order", "product", "category", "channel", "region"}) {
    if (p.accepts(key)) o.optional_roles.emplace_back(key);
  }
  if (p.accepts("date_format")) o.date_format = parse_date_format(p.text("date_format"));
  if (p.accepts("decimal_comma") && p.given("decimal_comma")) {
    o.decimal_comma = p.flag("decimal_comma");
  }

  ColumnInference result = infer_columns(sample, o);
  for (const InferredRole& r : result.roles) {
    if (r.inferred) p.set(r.role, r.column);
  }
  if (result.decimal_comma_detected) p.set("decimal_comma", "true");
  if (!result.date_format.empty()) p.set("date_format", result.date_format);
  return result;
}

std::string source_config_text(const Parameters& p) {
  std::string out = "# ltv: how to read this transaction file (ltv ... FILE --config THIS_FILE)\n";
  for (const ParameterSpec& spec : parameter_table()) {
    if (spec.group != "source" || is_location_key(spec.key) || !p.accepts(spec.key)) continue;
    const auto it = p.values().find(spec.key);
    if (it == p.values().end()) continue;
    const std::string& value = it->second;
    if (spec.type == ParameterType::flag) {
      // The reader turns a flag on whatever its value: only flags that are on are written.
      if (p.flag(spec.key)) out += fmt::format("{} = true\n", spec.key);
      continue;
    }
    if (value.find_first_of("\n\r") != std::string::npos ||
        (value.find('\'') != std::string::npos &&
         value.find_first_of("\"\\") != std::string::npos)) {
      parameter_error("save_config", value,
                      fmt::format("a value of {} without a line break, and without both a quote "
                                  "and an apostrophe (or backslash)",
                                  spec.key));
    }
    // A TOML literal string ('...', no escapes) unless the value holds an apostrophe.
    const char quote = value.find('\'') == std::string::npos ? '\'' : '"';
    out += fmt::format("{} = {}{}{}\n", spec.key, quote, value, quote);
  }
  return out;
}

void write_source_config(const Parameters& p, const std::string& path) {
  const std::string text = source_config_text(p);
  if (p.accepts("file")) {
    const std::array<std::string, 1> inputs = {p.text("file")};
    check_output_not_input(path, inputs, "--save-config");
  }
  std::optional<Output> opened;
  try {
    opened.emplace(path);
  } catch (const InputError& e) {  // named after this option, not the command's output
    parameter_error("save_config", path, e.expected());
  }
  Output& out = *opened;
  out.stream() << text;
  out.close();
}

}  // namespace ltv
