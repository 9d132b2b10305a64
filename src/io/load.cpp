#include "ltv/io/load.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

ReturnsPolicy parse_returns_policy(std::string_view text) {
  if (text == "net") return ReturnsPolicy::net;
  if (text == "drop") return ReturnsPolicy::drop;
  option_error("--returns", std::string(text), "net or drop");
}

ErrorPolicy parse_error_policy(std::string_view text) {
  if (text == "fail") return ErrorPolicy::fail;
  if (text == "skip") return ErrorPolicy::skip;
  option_error("--on-error", std::string(text), "fail or skip");
}

std::int64_t LoadReport::rows_skipped() const noexcept {
  std::int64_t n = 0;
  for (const auto& s : skipped) n += s.count;
  return n;
}

std::string LoadReport::to_text() const {
  std::string out = fmt::format("loaded {} of {} rows from {}: {} customers", rows_loaded,
                                rows_read, source, customers);
  if (first_day && last_day) {
    out += fmt::format(", {} .. {}", format_date(*first_day), format_date(*last_day));
  }
  if (has_amount) out += fmt::format(", total amount {:.2f}", total_amount);
  out += fmt::format(" (delimiter '{}', dates {})\n", delimiter, date_format);
  if (rows_without_customer > 0) {
    out += fmt::format("  dropped {} rows without a customer id\n", rows_without_customer);
  }
  if (return_rows > 0) {
    out += fmt::format("  {} {} return/cancellation rows ({} with a 'C' order id){}\n",
                       returns == ReturnsPolicy::net ? "kept" : "dropped", return_rows,
                       cancellation_rows,
                       returns == ReturnsPolicy::net ? ", netted against purchases (--returns net)"
                                                     : " (--returns drop)");
  }
  if (!skipped.empty()) {
    out += fmt::format("  skipped {} rows with bad fields (--on-error skip):\n", rows_skipped());
    for (const auto& s : skipped) {
      out += fmt::format("    {} x {}, e.g.\n", s.count, s.reason);
      for (const auto& e : s.examples) out += fmt::format("      {}\n", e);
    }
  }
  return out;
}

namespace {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// Dictionary encoder: text -> dense code in order of first appearance.
class Interner {
 public:
  std::uint32_t code(std::string_view text, std::vector<std::string>& values) {
    auto it = index_.find(text);
    if (it != index_.end()) return it->second;
    const auto c = static_cast<std::uint32_t>(values.size());
    values.emplace_back(text);
    index_.emplace(values.back(), c);
    return c;
  }

 private:
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index_;
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr int kAbsent = -1;

/// Resolves a column spec (name or 1-based position) against the header / field count.
int resolve(const std::string& spec, const char* option, const std::vector<std::string>& header,
            std::size_t width, const std::string& path) {
  if (spec.empty()) return kAbsent;
  std::string_view digits = spec;
  if (digits.starts_with('#')) digits.remove_prefix(1);
  std::size_t position = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
    if (position < 1 || position > width) {
      option_error(
          option, spec,
          fmt::format("a column number from 1 to {} ({} has {} columns)", width, path, width));
    }
    return static_cast<int>(position - 1);
  }
  if (header.empty()) {
    option_error(option, spec,
                 fmt::format("a 1-based column number: {} is read without a header", path));
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == spec) return static_cast<int>(i);
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (iequals(header[i], spec)) return static_cast<int>(i);
  }
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
  option_error(option, spec, fmt::format("a column of {}: {}", path, names));
}

struct Columns {
  int customer = kAbsent, date = kAbsent, amount = kAbsent, order = kAbsent, quantity = kAbsent,
      price = kAbsent, product = kAbsent, category = kAbsent, margin = kAbsent, cost = kAbsent,
      channel = kAbsent, region = kAbsent;
};

/// Thrown internally to abandon one row under --on-error skip.
struct RowSkipped {};

class Loader {
 public:
  Loader(CsvReader& reader, const LoadOptions& options, LoadReport& report)
      : reader_(reader), options_(options), report_(report) {}

  TransactionLog run();

 private:
  void setup(std::size_t width);
  [[noreturn]] void problem(const std::string& reason, std::int64_t line, int column,
                            std::string_view found, const std::string& expected);
  double number(const CsvRecord& r, int column, const char* what);
  DateTime date(const CsvRecord& r);
  std::string column_name(int column) const {
    const auto c = static_cast<std::size_t>(column);
    return c < header_.size() ? header_[c] : fmt::format("#{}", column + 1);
  }

  CsvReader& reader_;
  const LoadOptions& options_;
  LoadReport& report_;
  std::vector<std::string> header_;
  std::size_t width_ = 0;
  Columns col_;
  DateFormat date_format_;
  bool date_detected_ = false;
  std::vector<int> extra_columns_;
};

void Loader::problem(const std::string& reason, std::int64_t line, int column,
                     std::string_view found, const std::string& expected) {
  SourceLocation where{reader_.path(), line, column == kAbsent ? "" : column_name(column)};
  if (options_.on_error == ErrorPolicy::fail) input_error(where, std::string(found), expected);
  auto it = std::find_if(report_.skipped.begin(), report_.skipped.end(),
                         [&](const SkippedRows& s) { return s.reason == reason; });
  if (it == report_.skipped.end()) {
    report_.skipped.push_back(SkippedRows{reason, 0, {}});
    it = report_.skipped.end() - 1;
  }
  ++it->count;
  if (it->examples.size() < options_.max_examples) {
    it->examples.push_back(format_input_message(where, std::string(found), expected));
  }
  throw RowSkipped{};
}

double Loader::number(const CsvRecord& r, int column, const char* what) {
  const std::string_view text = r[static_cast<std::size_t>(column)];
  if (auto v = parse_number(text, options_.decimal_comma)) return *v;
  problem(fmt::format("invalid {}", what), r.line, column, text,
          options_.decimal_comma ? "a number like 1 234,56 (--decimal-comma)"
                                 : "a number like 1234.56");
}

DateTime Loader::date(const CsvRecord& r) {
  const std::string_view text = trim(r[static_cast<std::size_t>(col_.date)]);
  if (text.empty()) problem("missing date", r.line, col_.date, text, describe(date_format_));
  if (!date_detected_) {
    const std::string_view samples[] = {text};
    auto detected = detect_date_format(samples);
    if (!detected) {
      problem("undetectable date format", r.line, col_.date, text,
              "a date like YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY or MM/DD/YYYY; set --date-format "
              "(e.g. %d/%m/%Y) for other or ambiguous formats");
    }
    date_format_ = *detected;
    date_detected_ = true;
  }
  if (auto dt = parse_datetime(text, date_format_, options_.time_zone_minutes)) return *dt;
  problem("invalid date", r.line, col_.date, text, describe(date_format_));
}

void Loader::setup(std::size_t width) {
  width_ = width;
  const ColumnMapping& m = options_.columns;
  const std::string& p = reader_.path();
  if (options_.require_customer && m.customer.empty()) {
    option_error("--customer", "", "the column of the customer id (a header name or a number)");
  }
  if (options_.require_date && m.date.empty()) {
    option_error("--date", "", "the column of the purchase date (a header name or a number)");
  }
  if (!m.margin.empty() && !m.cost.empty()) {
    option_error("--cost", m.cost, "either --margin or --cost, not both");
  }
  col_.customer = resolve(m.customer, "--customer", header_, width, p);
  col_.date = resolve(m.date, "--date", header_, width, p);
  col_.amount = resolve(m.amount, "--amount", header_, width, p);
  col_.order = resolve(m.order, "--order", header_, width, p);
  col_.quantity = resolve(m.quantity, "--quantity", header_, width, p);
  col_.price = resolve(m.price, "--price", header_, width, p);
  col_.product = resolve(m.product, "--product", header_, width, p);
  col_.category = resolve(m.category, "--category", header_, width, p);
  col_.margin = resolve(m.margin, "--margin", header_, width, p);
  col_.cost = resolve(m.cost, "--cost", header_, width, p);
  col_.channel = resolve(m.channel, "--channel", header_, width, p);
  col_.region = resolve(m.region, "--region", header_, width, p);
  if (col_.price != kAbsent && col_.amount == kAbsent && col_.quantity == kAbsent) {
    option_error("--price", m.price, "--quantity as well (amount = quantity x price)");
  }
  if (col_.cost != kAbsent && col_.amount == kAbsent && col_.price == kAbsent) {
    option_error("--cost", m.cost, "--amount (or --quantity and --price) as well");
  }
  if (options_.date_format.kind != DateFormat::Kind::automatic) {
    date_format_ = options_.date_format;
    date_detected_ = true;
  }
  if (options_.keep_extra_columns) {
    const int mapped[] = {col_.customer, col_.date,  col_.amount,  col_.order,
                          col_.quantity, col_.price, col_.product, col_.category,
                          col_.margin,   col_.cost,  col_.channel, col_.region};
    for (std::size_t c = 0; c < width; ++c) {
      if (std::find(std::begin(mapped), std::end(mapped), static_cast<int>(c)) ==
          std::end(mapped)) {
        extra_columns_.push_back(static_cast<int>(c));
      }
    }
  }
}

TransactionLog Loader::run() {
  report_ = LoadReport{};
  report_.source = reader_.path();
  report_.returns = options_.returns;
  report_.delimiter = std::string(to_string(reader_.delimiter()));
  header_ = reader_.header();
  TransactionLog log;
  CsvRecord r;
  bool ready = false;
  bool any_time = false;
  Interner customers;
  struct Cat {
    int column;
    CategoricalColumn* target;
    Interner interner;
  };
  std::vector<Cat> cats;
  auto prepare = [&](std::size_t width) {
    setup(width);
    auto add_cat = [&](int column, std::optional<CategoricalColumn>& slot) {
      if (column == kAbsent) return;
      slot.emplace();
      slot->name = column_name(column);
    };
    add_cat(col_.order, log.order);
    add_cat(col_.product, log.product);
    add_cat(col_.category, log.category);
    add_cat(col_.channel, log.channel);
    add_cat(col_.region, log.region);
    log.extra.resize(extra_columns_.size());
    // Pointers into log are stable from here on (no more resizes of log.extra).
    auto bind = [&](int column, std::optional<CategoricalColumn>& slot) {
      if (column != kAbsent) cats.push_back(Cat{column, &*slot, {}});
    };
    bind(col_.order, log.order);
    bind(col_.product, log.product);
    bind(col_.category, log.category);
    bind(col_.channel, log.channel);
    bind(col_.region, log.region);
    for (std::size_t k = 0; k < extra_columns_.size(); ++k) {
      log.extra[k].name = column_name(extra_columns_[k]);
      cats.push_back(Cat{extra_columns_[k], &log.extra[k], {}});
    }
    ready = true;
  };
  if (!header_.empty()) prepare(header_.size());
  while (reader_.next(r)) {
    if (!ready) prepare(r.size());
    ++report_.rows_read;
    try {
      if (r.size() != width_) {
        problem(
            "wrong number of fields", r.line, kAbsent,
            fmt::format("{} field{}", r.size(), r.size() == 1 ? "" : "s"),
            fmt::format("{} fields like the {} (delimiter {})", width_,
                        header_.empty() ? "first line" : "header", to_string(reader_.delimiter())));
      }
      std::string_view customer;
      if (col_.customer != kAbsent) {
        customer = trim(r[static_cast<std::size_t>(col_.customer)]);
        if (customer.empty()) {
          ++report_.rows_without_customer;
          continue;
        }
      }
      DateTime dt;
      if (col_.date != kAbsent) dt = date(r);
      double amount = 0, quantity = 0, price = 0, profit = 0;
      if (col_.amount != kAbsent) amount = number(r, col_.amount, "amount");
      if (col_.quantity != kAbsent) quantity = number(r, col_.quantity, "quantity");
      if (col_.price != kAbsent) price = number(r, col_.price, "price");
      if (col_.amount == kAbsent && col_.price != kAbsent) amount = quantity * price;
      if (col_.margin != kAbsent) profit = number(r, col_.margin, "margin");
      if (col_.cost != kAbsent) profit = amount - number(r, col_.cost, "cost");

      bool cancellation = false;
      if (col_.order != kAbsent) {
        const std::string_view order = trim(r[static_cast<std::size_t>(col_.order)]);
        cancellation = order.size() >= 2 && order[0] == 'C' && order[1] >= '0' && order[1] <= '9';
      }
      const bool is_return = cancellation || amount < 0 || quantity < 0;
      if (is_return) {
        ++report_.return_rows;
        report_.cancellation_rows += cancellation;
        if (options_.returns == ReturnsPolicy::drop) continue;
      }

      // The row is valid: append it.
      log.customer.push_back(col_.customer == kAbsent ? customers.code("", log.customer_ids)
                                                      : customers.code(customer, log.customer_ids));
      log.day.push_back(dt.day);
      log.second_of_day.push_back(dt.second);
      any_time |= dt.has_time;
      if (col_.amount != kAbsent || col_.price != kAbsent) {
        log.amount.push_back(amount);
        report_.total_amount += amount;
      }
      if (col_.quantity != kAbsent) log.quantity.push_back(quantity);
      if (col_.margin != kAbsent || col_.cost != kAbsent) log.profit.push_back(profit);
      for (Cat& c : cats) {
        c.target->codes.push_back(
            c.interner.code(trim(r[static_cast<std::size_t>(c.column)]), c.target->values));
      }
      if (!report_.first_day || dt.day < *report_.first_day) report_.first_day = dt.day;
      if (!report_.last_day || dt.day > *report_.last_day) report_.last_day = dt.day;
      ++report_.rows_loaded;
    } catch (const RowSkipped&) {
    }
  }
  if (!any_time) log.second_of_day.clear();
  report_.customers = log.customer_count();
  report_.has_amount = log.has_amount() || col_.amount != kAbsent || col_.price != kAbsent;
  report_.date_format = col_.date == kAbsent ? "none" : describe(date_format_);
  if (date_format_.kind == DateFormat::Kind::iso) report_.date_format = "iso";
  if (date_format_.kind == DateFormat::Kind::yyyymmdd) report_.date_format = "yyyymmdd";
  if (date_format_.kind == DateFormat::Kind::dd_mm_yyyy) report_.date_format = "dd.mm.yyyy";
  if (date_format_.kind == DateFormat::Kind::pattern) report_.date_format = date_format_.pattern;
  return log;
}

}  // namespace

TransactionLog load_transactions(CsvReader& reader, const LoadOptions& options,
                                 LoadReport& report) {
  Loader loader(reader, options, report);
  return loader.run();
}

TransactionLog load_transactions(const std::string& path, const LoadOptions& options,
                                 LoadReport& report) {
  CsvOptions csv = options.csv;
  csv.allow_ragged = true;  // the loader counts or rejects ragged rows itself
  CsvReader reader(path, csv);
  return load_transactions(reader, options, report);
}

}  // namespace ltv
