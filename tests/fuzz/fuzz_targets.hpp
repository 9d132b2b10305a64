#pragma once
// The fuzz targets of ltvkit: one function per parser that takes outside input. Each is run by a
// libFuzzer program (tests/fuzz/<name>_fuzz.cpp, preset `fuzz`) and, on every committed input
// (seed corpus and crash regressions), by the normal test suite (replay_test.cpp).
//
// A target feeds the bytes to the parser, with options chosen from the first bytes where the
// parser has options. An InputError is the expected outcome of bad input; it must be one line of
// bounded length. Anything else (another exception, a crash, a sanitizer report, a broken
// invariant such as a non-finite amount) is a bug: check() throws Violation, which libFuzzer
// reports as a crash (uncaught exception) and the replay test as a failure.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/analytics/periods.hpp"
#include "ltv/cvm/actions.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/json.hpp"
#include "ltv/io/load.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/segment/rule_expr.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/model_input.hpp"
#include "server/request.hpp"

namespace ltv::fuzz {

/// A broken invariant: a bug, never the input's fault.
struct Violation : std::logic_error {
  using std::logic_error::logic_error;
};

inline void check(bool ok, const std::string& what) {
  if (!ok) throw Violation(what);
}

/// Every InputError must be one line of bounded length (the found text is capped at 80
/// characters, the other parts at a few hundred).
inline void check_message(const InputError& e) {
  const std::string m = e.what();
  check(m.find('\n') == std::string::npos && m.find('\r') == std::string::npos,
        "an error message of more than one line: " + m);
  check(m.find('\0') == std::string::npos, "a NUL byte in an error message");
  check(m.size() < 4096, "an error message of " + std::to_string(m.size()) + " bytes");
}

/// Reads option bytes from the front of the input.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size)
      : text_(reinterpret_cast<const char*>(data), size) {}
  std::uint8_t take() {
    if (text_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(text_.front());
    text_.remove_prefix(1);
    return b;
  }
  /// Text up to the next line feed (consumed), at most `max` bytes.
  std::string line(std::size_t max) {
    const std::size_t end = std::min(text_.find('\n'), text_.size());
    std::string out(text_.substr(0, std::min(end, max)));
    text_.remove_prefix(std::min(end + 1, text_.size()));
    return out;
  }
  std::string rest() const { return std::string(text_); }

 private:
  std::string_view text_;
};

/// Runs `body`, accepting an InputError (checked for shape) as the outcome of bad input.
template <class Body>
int guarded(Body body) {
  try {
    body();
  } catch (const InputError& e) {
    check_message(e);
  }
  return 0;
}

inline CsvOptions csv_options(std::uint8_t b) {
  static constexpr Delimiter kDelimiters[] = {Delimiter::automatic, Delimiter::comma,
                                              Delimiter::semicolon, Delimiter::tab,
                                              Delimiter::pipe,      Delimiter::whitespace};
  CsvOptions o;
  o.delimiter = kDelimiters[b % 6];
  o.has_header = (b & 0x08) != 0;
  o.allow_ragged = (b & 0x10) != 0;
  // Small limits now and then, so that the limit paths are exercised by small inputs.
  if ((b & 0x60) == 0x60) {
    o.max_record_bytes = 64;
    o.max_record_fields = 8;
  }
  return o;
}

/// The CSV tokenizer: options from the first two bytes, then every record.
inline int csv(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const CsvOptions options = csv_options(in.take());
  const std::uint8_t limit = in.take();
  return guarded([&] {
    CsvReader reader = CsvReader::from_string(in.rest(), options, "fuzz.csv");
    if (limit & 0x80) reader.set_field_limit(limit & 0x07);
    CsvRecord record;
    std::int64_t last_line = 0;
    while (reader.next(record)) {
      check(record.line > last_line, "record lines must increase");
      last_line = record.line;
      if (!options.allow_ragged && reader.expected_fields() != 0) {
        check(record.size() == reader.expected_fields(), "a ragged record was returned");
      }
      std::size_t bytes = 0;
      for (std::string_view f : record.fields) bytes += f.size();
      check(bytes <= options.max_record_bytes, "a record longer than the limit");
    }
  });
}

/// The transaction loader (all date and number formats, column roles, policies) and the
/// summary of what it loaded.
inline int load(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const std::uint8_t b0 = in.take(), b1 = in.take(), b2 = in.take(), b3 = in.take();
  LoadOptions o;
  o.csv = csv_options(b0);
  o.threads = 1;
  o.decimal_comma = (b1 & 0x80) != 0;
  o.returns = (b1 & 0x40) ? ReturnsPolicy::drop : ReturnsPolicy::net;
  o.on_error = (b1 & 0x20) ? ErrorPolicy::skip : ErrorPolicy::fail;
  o.time_zone_minutes = (static_cast<int>(b3 % 53) - 24) * 30;  // -12:00 .. +14:00
  return guarded([&] {
    switch (b1 % 6) {
      case 0:
        break;  // automatic
      case 1:
        o.date_format = parse_date_format("iso");
        break;
      case 2:
        o.date_format = parse_date_format("yyyymmdd");
        break;
      case 3:
        o.date_format = parse_date_format("dd.mm.yyyy");
        break;
      default:
        o.date_format = parse_date_format(in.line(40));  // a pattern, e.g. %d/%m/%Y %H:%M
    }
    // Column roles by position: customer 1 and date 2 always; the others from b2's bits.
    ColumnMapping& c = o.columns;
    c.customer = "1";
    c.date = "2";
    if (b2 & 0x01) c.amount = "3";
    if (b2 & 0x02) c.quantity = "4";
    if ((b2 & 0x04) && !(b2 & 0x01)) c.price = "5";
    if (b2 & 0x08) c.margin = "6";
    if ((b2 & 0x10) && !(b2 & 0x08)) c.cost = "6";
    if (b2 & 0x20) c.order = "#7";
    if (b2 & 0x40) c.product = "8";
    CsvReader reader = CsvReader::from_string(in.rest(), o.csv, "fuzz.csv");
    LoadReport report;
    const TransactionLog log = load_transactions(reader, o, report);
    check(static_cast<std::int64_t>(log.size()) == report.rows_loaded, "rows lost");
    check(std::isfinite(report.total_amount), "a non-finite total amount");
    for (double a : log.amount) check(std::isfinite(a), "a non-finite amount");
    for (double q : log.quantity) check(std::isfinite(q), "a non-finite quantity");
    for (double p : log.profit) check(std::isfinite(p), "a non-finite profit");
    for (std::int32_t d : log.day) {
      check(d >= o.min_day && d <= o.max_day, "a day outside the date window");
    }
    if (log.size() == 0) return;
    SummaryOptions so;
    so.time_unit = static_cast<TimeUnit>(b3 % 3);
    const CustomerSummary s = summarize(log, so);
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (double v : {s.frequency[i], s.recency[i], s.T[i], s.monetary_value[i], s.revenue[i]}) {
        check(std::isfinite(v), "a non-finite summary value");
      }
    }
  });
}

/// Side files read as tables (NPS answers, contacts, campaigns, spend): the table reader, its
/// typed columns, NPS validation and period keys.
inline int table(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const CsvOptions options = csv_options(in.take());
  const std::uint8_t b1 = in.take();
  const std::string text = in.rest();
  guarded([&] {
    const Table t = read_table_text(text, options, "side.csv");
    for (std::size_t c = 0; c < t.names.size() && c < 8; ++c) {
      check(t.columns[c].size() == t.rows(), "a column of another length");
      const std::string name = "#" + std::to_string(c + 1);
      guarded([&] {
        for (double v :
             t.numbers(name, (b1 & 1) ? std::optional<double>(0.0) : std::nullopt, (b1 & 2) != 0)) {
          check(std::isfinite(v), "a non-finite number in a table");
        }
      });
      guarded([&] { (void)t.integers(name); });
      guarded([&] { (void)t.dates(name); });
      guarded([&] {
        for (const std::string& cell : t.columns[c]) {
          (void)parse_period(cell, static_cast<PeriodUnit>(b1 % 5), "side.csv period");
        }
      });
    }
    guarded([&] { (void)t.require("customer_id"); });
  });
  return guarded([&] {
    CsvReader reader = CsvReader::from_string(text, options, "nps.csv");
    NpsColumns columns;
    columns.customer = 0;
    columns.date = 1;
    columns.score = 2;
    if (b1 & 4) columns.comment = 3;
    if (b1 & 8) columns.channel = 4;
    const std::vector<NpsRow> rows = read_nps_rows(reader, columns);
    const std::vector<std::string> known{"c1", "c2", "c3"};
    NpsParseOptions po;
    if (b1 & 16) po.known_customers = known;
    const NpsParseResult parsed = parse_nps_rows(rows, po);
    for (int score : parsed.answers.score) check(score >= 0 && score <= 10, "a score off 0..10");
  });
}

/// A segment configuration (TOML, with rules).
inline int segment_toml(const std::uint8_t* data, std::size_t size) {
  return guarded([&] {
    (void)parse_segment_config(std::string_view(reinterpret_cast<const char*>(data), size),
                               "segments.toml");
  });
}

/// A CVM playbook (TOML, with rules and templates).
inline int playbook_toml(const std::uint8_t* data, std::size_t size) {
  return guarded([&] {
    (void)parse_action_config(std::string_view(reinterpret_cast<const char*>(data), size),
                              "playbook.toml");
  });
}

/// The rule language: parse, bind to a fixed table, and evaluate every row both ways (by row and
/// by block), which must agree.
inline int rule(const std::uint8_t* data, std::size_t size) {
  static const std::vector<double> x{0, 1, 2.5, -3, std::nan(""), 1e300, 7, 42};
  static const std::vector<std::uint32_t> codes{0, 1, 2, 0, 1, 2, 3, 0};
  static const std::vector<std::string> names{"Moscow", "Kazan", "", "a b"};
  static const FieldColumn number_column{x, {}, {}, true, false};
  static const FieldColumn text_column{{}, codes, names, false, true};
  static const FieldColumn mixed_column{x, codes, names, true, true};
  const FieldResolver resolve = [](std::string_view name) -> const FieldColumn* {
    if (name == "x" || name == "recency_days" || name == "p_alive") return &number_column;
    if (name == "region" || name == "stage") return &text_column;
    if (name == "age") return &mixed_column;
    return nullptr;
  };
  return guarded([&] {
    const RuleExpr parsed =
        RuleExpr::parse(std::string_view(reinterpret_cast<const char*>(data), size),
                        SourceLocation{"rules.toml", 3, "when"});
    (void)parsed.fields();
    const BoundRule bound = parsed.bind(resolve);
    std::uint8_t block[8];
    bound.evaluate_block(0, x.size(), block);
    for (std::size_t row = 0; row < x.size(); ++row) {
      check((block[row] != 0) == bound.evaluate(row), "block and row evaluation disagree");
    }
  });
}

/// JSON documents (model files, report inputs).
inline int json(const std::uint8_t* data, std::size_t size) {
  return guarded([&] {
    const nlohmann::json j =
        parse_json(std::string_view(reinterpret_cast<const char*>(data), size), "model.json");
    (void)j.dump();  // walks the whole (depth-bounded) document recursively
  });
}

/// The customer-summary CSV (what `ltv fit` / `ltv predict` read): the reader, then the
/// patterns every model is fitted on (which check the domain: whole x >= 0, 0 <= t_x <= T).
/// Option byte: CSV options, discrete (periods), ids, time unit.
inline int summary(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const std::uint8_t b0 = in.take(), b1 = in.take();
  const CsvOptions options = csv_options(b0);
  const bool discrete = (b1 & 0x01) != 0, with_ids = (b1 & 0x02) != 0;
  return guarded([&] {
    CsvReader reader = CsvReader::from_string(in.rest(), options, "summary.csv");
    const ModelInput d =
        read_summary_csv(reader, discrete, with_ids, static_cast<TimeUnit>((b1 >> 2) % 3));
    const std::size_t n = d.size();
    check(d.t_x.size() == n && d.T.size() == n, "columns of different lengths");
    check(d.weight.empty() || d.weight.size() == n, "a weight column of another length");
    check(d.litt.empty() || d.litt.size() == n, "a litt column of another length");
    check(d.monetary_value.empty() || d.monetary_value.size() == n,
          "a monetary column of another length");
    check(!with_ids || d.ids.size() == n, "ids missing");
    for (const auto* column : {&d.x, &d.t_x, &d.T, &d.weight, &d.litt}) {
      for (double v : *column) check(std::isfinite(v), "a non-finite number in the model input");
    }
    // An empty spend cell is a missing amount (NaN, reported by Gamma-Gamma at its place): only
    // with that place known, never an accepted "nan" or "inf" text.
    for (double v : d.monetary_value) {
      check(std::isfinite(v) || (std::isnan(v) && d.missing_monetary.line != 0),
            "a non-finite spend in the model input");
    }
    if (n == 0) return;
    const RfmPatterns patterns = model_patterns(d);
    (void)patterns;
  });
}

/// A fitted model file (JSON, read as `ltv predict --model` reads it): refused with an InputError,
/// or every parameter finite and positive (the domain of every model of the registry), its
/// intervals well formed, and the model written back and read again unchanged.
inline int model_file(const std::uint8_t* data, std::size_t size) {
  return guarded([&] {
    const SavedModel m =
        model_from_text(std::string_view(reinterpret_cast<const char*>(data), size), "model.json");
    const ModelDefinition* definition = find_model(m.fit.model);
    check(definition != nullptr, "an unknown model accepted");
    check(m.fit.names.size() == definition->parameters.size() &&
              m.fit.estimates.size() == m.fit.names.size(),
          "a model without all its parameters accepted");
    for (double v : m.fit.estimates) {
      check(std::isfinite(v) && v > 0, "a non-finite or non-positive parameter accepted");
    }
    const std::size_t k = m.fit.names.size();
    check(m.fit.std_errors.empty() || m.fit.std_errors.size() == k, "std errors of another length");
    for (std::size_t i = 0; i < m.fit.std_errors.size(); ++i) {
      check(std::isfinite(m.fit.std_errors[i]) && m.fit.std_errors[i] >= 0,
            "a non-finite or negative standard error accepted");
      check(std::isfinite(m.fit.ci_lower[i]) && std::isfinite(m.fit.ci_upper[i]) &&
                m.fit.ci_lower[i] <= m.fit.ci_upper[i],
            "a non-finite or reversed interval accepted");
    }
    check(std::isfinite(m.fit.n_customers) && m.fit.n_customers >= 0,
          "a non-finite or negative customer count accepted");
    check(std::isfinite(m.fit.log_likelihood), "a non-finite log-likelihood accepted");
    const std::string written = model_to_json(m.fit, m.time_unit).dump();
    const SavedModel again = model_from_text(written, "again.json");
    check(again.fit.model == m.fit.model && again.fit.estimates == m.fit.estimates &&
              again.time_unit == m.time_unit,
          "a model read back from its own file differs");
  });
}

/// The server's request parameters: a route (first byte), query parameters (lines name=value up
/// to an empty line) and a body (the rest). Every input gives checked route arguments or a typed
/// 4xx error (HttpError, or a ParameterError/InputError, which the server answers with 400).
inline int server_params(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  const auto routes = server::routes();
  const server::RouteInfo& route = routes[in.take() % routes.size()];
  std::multimap<std::string, std::string> params;
  for (int i = 0; i < 16; ++i) {
    const std::string line = in.line(256);
    if (line.empty()) break;
    const auto eq = line.find('=');
    params.emplace(line.substr(0, eq), eq == std::string::npos ? "" : line.substr(eq + 1));
  }
  const std::string body = in.rest();
  const auto http_error = [](const server::HttpError& e) {
    check(e.status >= 400 && e.status < 500,
          "a request error answered " + std::to_string(e.status));
    check(!e.code.empty(), "an error without a code");
    check(e.message.find('\n') == std::string::npos, "an error message of more than one line");
  };
  try {
    const server::QueryValues query = server::check_query(route, params);
    for (const auto& [name, value] : query) {
      bool known = false;
      for (const server::RouteParameter& p : route.parameters) {
        known = known || (p.in == "query" && p.name == name);
      }
      check(known, "a query parameter the route does not take was accepted");
    }
    if (auto it = query.find("run"); it != query.end()) {
      check(server::parse_id("run", it->second) >= 1, "a run id below 1");
    }
    const server::PartnerQuery q = server::partner_query(query, 10);
    check(!q.from_day || !q.to_day || *q.from_day <= *q.to_day, "from after to accepted");
  } catch (const server::HttpError& e) {
    http_error(e);
  }
  try {
    (void)server::run_parameters(body);
  } catch (const server::HttpError& e) {
    http_error(e);
  } catch (const InputError& e) {
    check_message(e);
  }
  return 0;
}

struct Target {
  const char* name;
  int (*run)(const std::uint8_t*, std::size_t);
};

/// Every target, by the name of its fuzzer (`<name>_fuzz`) and corpus folder.
inline const std::vector<Target>& targets() {
  static const std::vector<Target> all{
      {"csv", csv},
      {"load", load},
      {"table", table},
      {"segment_toml", segment_toml},
      {"playbook_toml", playbook_toml},
      {"rule", rule},
      {"json", json},
      {"summary", summary},
      {"model_file", model_file},
      {"server_params", server_params},
  };
  return all;
}

}  // namespace ltv::fuzz
