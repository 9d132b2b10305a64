// Transactions from in-memory columns (see ltv/io/columns.hpp). The row checks and the returns
// policy are those of the file loader (src/io/load.cpp), applied to typed columns.
#include "ltv/io/columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"

namespace ltv {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kNanosecondsPerDay = std::int64_t{86400} * 1'000'000'000;

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Thrown internally to abandon one row under ErrorPolicy::skip.
struct RowSkipped {};

/// Recodes a coded column into a CategoricalColumn whose values are distinct texts in order of
/// first appearance among the loaded rows (as the file loader interns them).
class Recoder {
 public:
  Recoder(const CodedColumn& in, CategoricalColumn& out) : in_(in), out_(out) {
    out_.name = in.name;
    code_of_.assign(in.values.size(), kNone);
  }
  /// The log code of row `row` (a missing value is the empty text).
  std::uint32_t code(std::size_t row) {
    const std::int64_t c = in_.codes[row];
    if (c < 0) return intern("");
    std::uint32_t& code = code_of_[static_cast<std::size_t>(c)];
    if (code == kNone) code = intern(trim(in_.values[static_cast<std::size_t>(c)]));
    return code;
  }
  void push(std::size_t row) { out_.codes.push_back(code(row)); }

 private:
  std::uint32_t intern(std::string_view text) {
    const auto it = by_text_.find(text);
    if (it != by_text_.end()) return it->second;
    const auto code = static_cast<std::uint32_t>(out_.values.size());
    out_.values.emplace_back(text);
    // Keys view the strings of `values`, which move when it grows: key by a copy.
    by_text_.emplace(keys_.emplace_back(text), code);
    return code;
  }
  const CodedColumn& in_;
  CategoricalColumn& out_;
  std::vector<std::uint32_t> code_of_;
  std::deque<std::string> keys_;
  std::unordered_map<std::string_view, std::uint32_t> by_text_;
};

}  // namespace

void check_finite(std::string_view source, std::string_view column,
                  std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      input_error(SourceLocation{std::string(source), static_cast<std::int64_t>(i + 1),
                                 std::string(column)},
                  fmt::format("{}", values[i]), "a finite number");
    }
  }
}

TransactionLog transactions_from_columns(const TransactionColumns& in, const LoadOptions& options,
                                         LoadReport& report) {
  report = LoadReport{};
  report.source = in.source;
  report.returns = options.returns;
  report.delimiter = "none (columns)";
  const std::size_t n = in.rows();

  // ---- the shape of the columns: programmer-level mistakes of a face, reported plainly
  const auto check_length = [&](const std::string& name, std::size_t size) {
    if (size != n) {
      input_error(SourceLocation{in.source, 0, name}, fmt::format("{} rows", size),
                  fmt::format("{} rows like the customer column '{}'", n, in.customer.name));
    }
  };
  const auto check_codes = [&](const CodedColumn& c) {
    check_length(c.name, c.codes.size());
    for (std::size_t i = 0; i < c.codes.size(); ++i) {
      if (c.codes[i] >= static_cast<std::int64_t>(c.values.size())) {
        input_error(SourceLocation{in.source, static_cast<std::int64_t>(i + 1), c.name},
                    fmt::format("code {}", c.codes[i]),
                    fmt::format("a code below {} (the number of values)", c.values.size()));
      }
    }
  };
  check_codes(in.customer);
  const bool timestamps = in.timestamp_name.has_value();
  if (timestamps == in.date_text.has_value()) {
    parameter_error("date", timestamps ? "timestamps and text" : "",
                    "the column of the purchase date (timestamps or text)");
  }
  if (timestamps) check_length(*in.timestamp_name, in.timestamp_ns.size());
  if (in.date_text) check_codes(*in.date_text);
  for (const auto* c : {&in.amount, &in.quantity, &in.price, &in.margin, &in.cost}) {
    if (*c) check_length((*c)->name, (*c)->values.size());
  }
  for (const auto* c : {&in.order, &in.product, &in.category, &in.channel, &in.region}) {
    if (*c) check_codes(**c);
  }
  for (const CodedColumn& c : in.extra) check_codes(c);
  if (in.price && !in.amount && !in.quantity) {
    parameter_error("price", in.price->name,
                    "a quantity column as well (amount = quantity x price)");
  }
  if (in.margin && in.cost)
    parameter_error("cost", in.cost->name, "either margin or cost, not both");
  if (in.cost && !in.amount && !in.price) {
    parameter_error("cost", in.cost->name, "an amount (or quantity and price) column as well");
  }

  TransactionLog log;
  const bool has_amount = in.amount || in.price;
  log.customer.reserve(n);
  log.day.reserve(n);
  if (has_amount) log.amount.reserve(n);
  if (in.quantity) log.quantity.reserve(n);
  if (in.margin || in.cost) log.profit.reserve(n);

  // Categorical columns: the mapped roles, then the extra columns.
  CategoricalColumn customers;
  Recoder customer_codes(in.customer, customers);
  std::vector<Recoder> cats;
  cats.reserve(5 + in.extra.size());
  const auto bind = [&](const std::optional<CodedColumn>& c,
                        std::optional<CategoricalColumn>& slot) {
    if (!c) return;
    slot.emplace();
    slot->codes.reserve(n);
  };
  bind(in.order, log.order);
  bind(in.product, log.product);
  bind(in.category, log.category);
  bind(in.channel, log.channel);
  bind(in.region, log.region);
  if (options.keep_extra_columns) log.extra.resize(in.extra.size());
  // Recoders hold references into `log`: bound after every slot exists.
  const std::pair<const std::optional<CodedColumn>*, std::optional<CategoricalColumn>*> roles[] = {
      {&in.order, &log.order},
      {&in.product, &log.product},
      {&in.category, &log.category},
      {&in.channel, &log.channel},
      {&in.region, &log.region}};
  for (const auto& [c, slot] : roles) {
    if (*c) cats.emplace_back(**c, **slot);
  }
  if (options.keep_extra_columns) {
    for (std::size_t k = 0; k < in.extra.size(); ++k) cats.emplace_back(in.extra[k], log.extra[k]);
  }

  // Dates given as text: each distinct text parsed once, with the format of the first date.
  DateFormat date_format = options.date_format;
  bool date_detected = date_format.kind != DateFormat::Kind::automatic;
  std::vector<std::optional<DateTime>> parsed;
  std::vector<std::uint8_t> parsed_done;
  if (in.date_text) {
    parsed.resize(in.date_text->values.size());
    parsed_done.assign(in.date_text->values.size(), 0);
  }

  const auto problem = [&](const std::string& reason, std::size_t row, const std::string& column,
                           std::string_view found, const std::string& expected) {
    SourceLocation where{in.source, static_cast<std::int64_t>(row + 1), column};
    if (options.on_error == ErrorPolicy::fail) input_error(where, std::string(found), expected);
    auto it = std::find_if(report.skipped.begin(), report.skipped.end(),
                           [&](const SkippedRows& s) { return s.reason == reason; });
    if (it == report.skipped.end()) {
      report.skipped.push_back(SkippedRows{reason, 0, {}});
      it = report.skipped.end() - 1;
    }
    ++it->count;
    if (it->examples.size() < options.max_examples) {
      it->examples.push_back(format_input_message(where, std::string(found), expected));
    }
    throw RowSkipped{};
  };
  const auto number = [&](const std::optional<NumberColumn>& c, std::size_t row, const char* what) {
    const double v = c->values[row];
    if (!std::isfinite(v)) {
      problem(fmt::format("invalid {}", what), row, c->name, fmt::format("{}", v),
              "a finite number");
    }
    return v;
  };
  const auto date_of = [&](std::size_t row) -> DateTime {
    if (timestamps) {
      const std::int64_t ns = in.timestamp_ns[row];
      if (ns == std::numeric_limits<std::int64_t>::min()) {
        problem("missing date", row, *in.timestamp_name, "NaT", "a purchase time");
      }
      // Floor division: times before 1970 belong to the day they fall in.
      std::int64_t day = ns / kNanosecondsPerDay;
      std::int64_t rest = ns % kNanosecondsPerDay;
      if (rest < 0) {
        rest += kNanosecondsPerDay;
        --day;
      }
      const auto second = static_cast<std::int32_t>(rest / 1'000'000'000);
      return DateTime{static_cast<std::int32_t>(day), second, rest != 0};
    }
    const CodedColumn& c = *in.date_text;
    const std::int64_t code = c.codes[row];
    const std::string_view text =
        code < 0 ? std::string_view() : trim(c.values[static_cast<std::size_t>(code)]);
    if (text.empty()) problem("missing date", row, c.name, text, describe(date_format));
    if (!date_detected) {
      const std::string_view samples[] = {text};
      const auto detected = detect_date_format(samples);
      if (!detected) {
        problem("undetectable date format", row, c.name, text,
                "a date like YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY or MM/DD/YYYY; set date_format "
                "(e.g. %d/%m/%Y) for other or ambiguous formats");
      }
      date_format = *detected;
      date_detected = true;
    }
    const auto k = static_cast<std::size_t>(code);
    if (!parsed_done[k]) {
      parsed[k] = parse_datetime(text, date_format, options.time_zone_minutes);
      parsed_done[k] = 1;
    }
    if (!parsed[k]) problem("invalid date", row, c.name, text, describe(date_format));
    return *parsed[k];
  };

  bool any_time = false;
  for (std::size_t row = 0; row < n; ++row) {
    ++report.rows_read;
    try {
      const std::int64_t customer_code = in.customer.codes[row];
      if (customer_code < 0 ||
          trim(in.customer.values[static_cast<std::size_t>(customer_code)]).empty()) {
        if (options.on_error == ErrorPolicy::skip) {
          ++report.rows_without_customer;
          continue;
        }
        problem("missing customer", row, in.customer.name,
                customer_code < 0 ? "a missing value" : "an empty id",
                "a customer id on every row (drop the rows without one first)");
      }
      const DateTime dt = date_of(row);
      double amount = 0, quantity = 0, profit = 0;
      if (in.amount) amount = number(in.amount, row, "amount");
      if (in.quantity) quantity = number(in.quantity, row, "quantity");
      if (in.price) {
        const double price = number(in.price, row, "price");
        if (!in.amount) amount = quantity * price;
      }
      if (in.margin) profit = number(in.margin, row, "margin");
      if (in.cost) profit = amount - number(in.cost, row, "cost");
      if (!std::isfinite(amount) || !std::isfinite(profit)) {  // e.g. 1e200 x 1e200
        const NumberColumn& c = in.price ? *in.price : *in.cost;
        problem("invalid amount", row, c.name, fmt::format("{}", c.values[row]),
                "values whose product / difference is a finite number");
      }
      bool cancellation = false;
      if (in.order && in.order->codes[row] >= 0) {
        const std::string_view order =
            trim(in.order->values[static_cast<std::size_t>(in.order->codes[row])]);
        cancellation = order.size() >= 2 && order[0] == 'C' && order[1] >= '0' && order[1] <= '9';
      }
      if (cancellation || amount < 0 || quantity < 0) {
        ++report.return_rows;
        report.cancellation_rows += cancellation;
        if (options.returns == ReturnsPolicy::drop) continue;
      }

      // The row is valid: load it.
      log.customer.push_back(customer_codes.code(row));
      if (dt.has_time && !any_time) {
        log.second_of_day.assign(log.day.size(), 0);  // earlier rows had no time of day
        any_time = true;
      }
      log.day.push_back(dt.day);
      if (any_time) log.second_of_day.push_back(dt.second);
      if (has_amount) log.amount.push_back(amount);
      if (in.quantity) log.quantity.push_back(quantity);
      if (in.margin || in.cost) log.profit.push_back(profit);
      for (Recoder& c : cats) c.push(row);
      if (has_amount) report.total_amount += amount;
      if (!report.first_day || dt.day < *report.first_day) report.first_day = dt.day;
      if (!report.last_day || dt.day > *report.last_day) report.last_day = dt.day;
      ++report.rows_loaded;
    } catch (const RowSkipped&) {
    }
  }
  log.customer_ids = std::move(customers.values);
  report.customers = log.customer_count();
  report.has_amount = has_amount;
  if (timestamps) {
    report.date_format = "timestamps";
  } else {
    report.date_format = "auto (no date read)";
    if (date_format.kind == DateFormat::Kind::iso) report.date_format = "iso";
    if (date_format.kind == DateFormat::Kind::yyyymmdd) report.date_format = "yyyymmdd";
    if (date_format.kind == DateFormat::Kind::dd_mm_yyyy) report.date_format = "dd.mm.yyyy";
    if (date_format.kind == DateFormat::Kind::pattern) report.date_format = date_format.pattern;
  }
  return log;
}

}  // namespace ltv
