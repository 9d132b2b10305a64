// Model input (a summary CSV or a transaction file's summaries) and fitting any model of the
// registry on it (see ltv/workspace/model_input.hpp).
#include "ltv/workspace/model_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exception>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>

#include "ltv/data/regularity.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/cnbd_k.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/registry.hpp"

namespace ltv {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> header_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t;
    for (char c : cur) {
      if (c != '"' && c != '\'' && !std::isspace(static_cast<unsigned char>(c))) t += c;
    }
    out.push_back(lower(t));
    cur.clear();
  };
  for (char c : line) {
    if (c == ',' || c == ';' || c == '\t' || c == '|') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

}  // namespace

bool is_summary_csv(const std::string& path) {
  if (path.empty() || path == "-") return false;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  std::vector<std::string> fields;
  if (line.size() >= 2 && line[0] == '\x1f' && line[1] == '\x8b') {
    // gzip: the header through the CSV reader, which decompresses.
    try {
      const CsvReader reader(path);
      for (const auto& name : reader.header()) fields.push_back(lower(name));
    } catch (const Error&) {
      return false;  // not readable as CSV: the transaction reader reports the problem
    }
  } else {
    if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    fields = header_fields(line);
  }
  const auto has = [&](const char* name) {
    return std::find(fields.begin(), fields.end(), name) != fields.end();
  };
  return has("frequency") && has("recency");
}

namespace {

/// Where the columns of a summary CSV are (from its header).
struct SummaryColumns {
  Table names;  // header only, for the column lookup rules and messages
  std::size_t x = 0, t_x = 0, T = 0;
  std::optional<std::size_t> weight, monetary, litt;
  bool has_id = false;
};

SummaryColumns summary_columns(const CsvReader& reader, bool bgbb) {
  SummaryColumns c;
  Table& t = c.names;
  t.source = reader.path();
  t.names = reader.header();
  c.x = t.require("frequency");
  c.t_x = t.require("recency");
  const bool has_periods = t.find("periods").has_value();
  if (bgbb && has_periods) {
    c.T = *t.find("periods");
  } else if (t.find("T").has_value()) {
    c.T = *t.find("T");
  } else if (has_periods) {
    c.T = *t.find("periods");
  } else {
    t.require("T");  // throws, listing the columns
  }
  c.weight = t.find("weights");
  if (!c.weight) c.weight = t.find("weight");
  if (!c.weight) c.weight = t.find("count");
  c.monetary = t.find("monetary_value");
  c.litt = t.find("litt");
  // An id column: the first column when it is not one of the numeric summary columns.
  static const std::vector<std::string> known{"frequency", "recency",        "t",
                                              "periods",   "monetary_value", "weights",
                                              "weight",    "count",          "litt"};
  const std::string first = t.names.empty() ? std::string() : lower(t.names[0]);
  c.has_id = std::find(known.begin(), known.end(), first) == known.end();
  return c;
}

/// Appends the rows of `reader` to `d` (ids only from an id column; numbered ids are added by
/// the caller), reserving room for `expected_rows`. InputError naming file, line and column for
/// a bad number.
void read_summary_rows(CsvReader& reader, const SummaryColumns& c, bool with_ids, ModelInput& d,
                       std::size_t expected_rows = 0) {
  const Table& t = c.names;
  d.x.reserve(expected_rows);
  d.t_x.reserve(expected_rows);
  d.T.reserve(expected_rows);
  if (c.weight) d.weight.reserve(expected_rows);
  if (c.monetary) d.monetary_value.reserve(expected_rows);
  if (c.litt) d.litt.reserve(expected_rows);
  if (with_ids && c.has_id) d.ids.reserve(expected_rows);
  CsvRecord record;
  auto number = [&](std::size_t col) {
    const std::string_view text = col < record.size() ? record[col] : std::string_view();
    if (auto v = parse_number(text)) return *v;
    input_error(SourceLocation{t.source, record.line, t.names[col]}, std::string(text),
                "a finite number");
  };
  while (reader.next(record)) {
    d.x.push_back(number(c.x));
    d.t_x.push_back(number(c.t_x));
    d.T.push_back(number(c.T));
    if (c.weight) d.weight.push_back(number(*c.weight));
    if (c.monetary) {
      // An empty cell is a missing amount (a summary without --amount), not a bad number.
      const bool empty = *c.monetary >= record.size() || record[*c.monetary].empty();
      if (empty && d.missing_monetary.line == 0) {
        d.missing_monetary = SourceLocation{t.source, record.line, t.names[*c.monetary]};
      }
      d.monetary_value.push_back(empty ? std::numeric_limits<double>::quiet_NaN()
                                       : number(*c.monetary));
    }
    if (c.litt) d.litt.push_back(number(*c.litt));
    if (with_ids && c.has_id) d.ids.emplace_back(record.size() > 0 ? record[0] : "");
  }
}

/// A plain summary file of more than 1 MiB read in two halves on two threads (FileHalves).
/// nullopt whenever the result could differ from the sequential read, which the caller then does:
/// any error, a row of another width or a missing monetary cell in either half (so that messages
/// name the true line).
std::optional<ModelInput> read_summary_parallel(const std::string& path, bool bgbb, bool with_ids) {
  const auto file = FileHalves::open(path, std::size_t{1} << 20);
  if (!file) return std::nullopt;
  const std::size_t size = file->size(), split = file->split();
  try {
    CsvReader first = CsvReader::from_file_range(file->fd(), 0, split, CsvOptions{}, path);
    const SummaryColumns columns = summary_columns(first, bgbb);
    CsvOptions rest;
    rest.delimiter = first.delimiter();
    rest.has_header = false;
    ModelInput a, b;
    std::exception_ptr error_b;
    std::size_t width_b = 0;
    std::thread worker([&] {
      try {
        CsvReader second = CsvReader::from_file_range(file->fd(), split, size, rest, path);
        read_summary_rows(second, columns, with_ids, b, file->lines_in(size - split));
        width_b = second.expected_fields();
      } catch (...) {
        error_b = std::current_exception();
      }
    });
    try {
      read_summary_rows(first, columns, with_ids, a, file->lines_in(size));
    } catch (...) {
      worker.join();
      return std::nullopt;
    }
    worker.join();
    // A missing monetary cell is reported at its line: the first half's line numbers are true,
    // the second half's are counted from the split.
    if (error_b || (width_b != 0 && width_b != first.expected_fields()) ||
        (b.missing_monetary.line != 0 && a.missing_monetary.line == 0)) {
      return std::nullopt;
    }
    const auto append = [](std::vector<double>& to, const std::vector<double>& from) {
      to.insert(to.end(), from.begin(), from.end());
    };
    append(a.x, b.x);
    append(a.t_x, b.t_x);
    append(a.T, b.T);
    append(a.weight, b.weight);
    append(a.monetary_value, b.monetary_value);
    append(a.litt, b.litt);
    a.ids.insert(a.ids.end(), std::make_move_iterator(b.ids.begin()),
                 std::make_move_iterator(b.ids.end()));
    if (with_ids && !columns.has_id) {
      for (std::size_t i = 0; i < a.size(); ++i) a.ids.push_back(std::to_string(i + 1));
    }
    return a;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

ModelInput finish_summary_input(ModelInput d, bool discrete, TimeUnit time_unit);

}  // namespace

ModelInput read_summary_csv(const std::string& path, bool discrete, bool with_ids,
                            TimeUnit time_unit) {
  ModelInput d;
  // Streamed: only the needed columns are parsed, straight into numbers (a summary of 10M
  // customers read whole as text would take several GB); large plain files in two halves.
  if (auto parallel = read_summary_parallel(path, discrete, with_ids)) {
    d = std::move(*parallel);
  } else {
    CsvReader reader(path);
    return read_summary_csv(reader, discrete, with_ids, time_unit);
  }
  return finish_summary_input(std::move(d), discrete, time_unit);
}

ModelInput read_summary_csv(CsvReader& reader, bool discrete, bool with_ids, TimeUnit time_unit) {
  ModelInput d;
  const SummaryColumns columns = summary_columns(reader, discrete);
  read_summary_rows(reader, columns, with_ids, d);
  if (with_ids && !columns.has_id) {
    for (std::size_t i = 0; i < d.size(); ++i) d.ids.push_back(std::to_string(i + 1));
  }
  return finish_summary_input(std::move(d), discrete, time_unit);
}

namespace {

/// What every summary CSV read ends with: the flag, no all-missing spend column, the time unit.
ModelInput finish_summary_input(ModelInput d, bool discrete, TimeUnit time_unit) {
  d.from_summary_csv = true;
  const bool all_missing = std::all_of(d.monetary_value.begin(), d.monetary_value.end(),
                                       [](double v) { return std::isnan(v); });
  if (all_missing) d.monetary_value.clear();  // no spend in this summary at all
  d.time_unit = discrete ? "period" : std::string(to_string(time_unit));
  return d;
}

}  // namespace

ModelInput model_input(Workspace& workspace, const SummaryOptions& options, bool regularity) {
  ModelInput d;
  const CustomerSummary s = workspace.summaries(options);
  const TransactionLog& log = workspace.transactions();
  d.time_unit = std::string(to_string(s.time_unit));
  d.ids.reserve(s.size());
  d.x = s.frequency;
  d.T = s.T;
  d.t_x.resize(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    d.ids.push_back(log.customer_ids[s.customer[i]]);
    d.t_x[i] = std::min(s.recency[i], s.T[i]);
  }
  if (s.has_amount) d.monetary_value = s.monetary_value;
  if (regularity) d.litt = log_intertransaction_times(log, s);
  d.has_holdout = s.has_holdout;
  if (s.has_holdout) {
    d.frequency_holdout = s.frequency_holdout;
    d.duration_holdout = s.duration_holdout;
  }
  return d;
}

ModelInput load_model_input(const Parameters& p, bool discrete, bool with_ids,
                            std::optional<LoadReport>* report, bool regularity) {
  const std::string file = p.text("file");
  if (p.accepts("calibration_periods") && p.given("calibration_periods")) {
    parameter_error("calibration_periods", p.text("calibration_periods"),
                    "--model sbg with a survival CSV (transaction models take --calibration-end)");
  }
  if (p.text("customer").empty() && !store::is_clickhouse(file) && is_summary_csv(file)) {
    return read_summary_csv(file, discrete, with_ids, parse_time_unit(p.choice("time_unit")));
  }
  if (discrete) {
    parameter_error("model", "bgbb",
                    "a summary CSV input (frequency,recency,periods) for bgbb: it needs discrete "
                    "transaction opportunities, a transaction file gives continuous times");
  }
  // A file, a workspace or a user's database (TransactionSource::from_parameters).
  TransactionSource source = TransactionSource::from_parameters(p);
  source.options.keep_extra_columns = false;
  const SummaryOptions summary_opts = summary_options(p);
  Workspace workspace(std::move(source));
  if (report != nullptr) *report = workspace.load_report();
  return model_input(workspace, summary_opts, regularity);
}

std::optional<store::PushedDownPatterns> pushed_down_model_input(const Parameters& p,
                                                                 std::string_view model,
                                                                 bool discrete, bool regularity) {
  const std::string file = p.text("file");
  const std::string url = p.accepts("source") ? p.text("source") : std::string();
  if (!store::is_clickhouse(file) && !store::is_clickhouse(url)) return std::nullopt;
  const TransactionSource source = TransactionSource::from_parameters(p);
  if (!is_clickhouse_source(source)) return std::nullopt;
  if (discrete || regularity) {
    parameter_error("model", std::string(model),
                    "a model fitted on (x, t_x, T) patterns on a ClickHouse source (bgnbd, pnbd, "
                    "mbgnbd, ...) or gg: " +
                        std::string(discrete ? "bgbb needs discrete transaction opportunities"
                                             : "the (M)BG/CNBD-k models need inter-purchase "
                                               "times, which are not pushed down"));
  }
  return store::clickhouse_patterns(
      store::clickhouse_source(source.location, source.query, source.table, source.options.columns),
      summary_options(p), model_definition(model).kind == ModelKind::spend);
}

FitResult fit_model(std::string_view model, const store::PushedDownPatterns& input,
                    const FitOptions& f) {
  const ModelDefinition& definition = model_definition(model);
  if (definition.kind == ModelKind::spend) {
    if (!input.scan.has_amount) {
      parameter_error("model", std::string(model),
                      "a transaction model: gg needs spend (--amount on the ClickHouse source)");
    }
    return gamma_gamma::fit(input.spend, f);
  }
  return definition.fit(input.patterns, f);
}

RfmPatterns model_patterns(const ModelInput& d) {
  if (d.litt.empty()) return compress_patterns(d.x, d.t_x, d.T, d.weight);
  RegularityPatterns r = compress_regularity_patterns(d.x, d.t_x, d.T, d.litt, d.weight);
  r.patterns.sum_log_itt = r.sum_log_itt;
  return std::move(r.patterns);
}

FitOptions fit_options(const Parameters& p) {
  FitOptions f;
  f.l2_penalty = p.number("penalty");
  f.starts = static_cast<int>(p.integer("starts"));
  f.presearch = !p.flag("no_presearch");
  return f;
}

FitResult fit_model(std::string_view model, const ModelInput& d, const FitOptions& f) {
  const ModelDefinition& definition = model_definition(model);
  if (definition.kind == ModelKind::retention) {
    parameter_error("model", std::string(model),
                    "a transaction model (" + model_names(ModelKind::count) +
                        " or gg) for "
                        "customer summaries; " +
                        std::string(model) +
                        " is fitted on a survival CSV (ltv/workspace/retention.hpp)");
  }
  if (definition.kind == ModelKind::spend) {
    if (d.monetary_value.empty()) {
      parameter_error("model", std::string(model),
                      "a transaction model: gg needs spend (--amount or --price on a transaction "
                      "file, or a monetary_value column in the summary CSV)");
    }
    if (d.missing_monetary.line > 0) {
      input_error(d.missing_monetary, "an empty cell", "a monetary value for every customer (gg)");
    }
    return gamma_gamma::fit(gamma_gamma::spend_data(d.x, d.monetary_value, d.weight), f);
  }
  return definition.fit(model_patterns(d), f);
}

}  // namespace ltv
