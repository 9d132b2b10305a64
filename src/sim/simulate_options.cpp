// Option parsing and validation of the simulator.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"

namespace ltv::sim {

std::string_view to_string(PurchaseModel model) noexcept {
  return model == PurchaseModel::bg_nbd ? "bgnbd" : "pnbd";
}

std::string_view to_string(RowOrder order) noexcept {
  switch (order) {
    case RowOrder::customer:
      return "customer";
    case RowOrder::date:
      return "date";
    case RowOrder::shuffled:
      return "shuffled";
  }
  return "customer";
}

RowOrder parse_row_order(std::string_view text, std::string_view option) {
  if (text == "customer") return RowOrder::customer;
  if (text == "date") return RowOrder::date;
  if (text == "shuffled") return RowOrder::shuffled;
  parameter_error(std::string(option), std::string(text), "customer, date or shuffled");
}

std::map<std::string, double> parse_parameter_list(std::string_view text, std::string_view option,
                                                   std::span<const std::string_view> keys) {
  std::string allowed;
  for (auto key : keys) {
    if (!allowed.empty()) allowed += ",";
    allowed += fmt::format("{}=NUMBER", key);
  }
  const std::string expected = fmt::format("a list like '{}' with numbers > 0", allowed);
  std::map<std::string, double> values;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      parameter_error(std::string(option), std::string(item), expected);
    const std::string key(item.substr(0, eq));
    const std::string_view number = item.substr(eq + 1);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      parameter_error(std::string(option), std::string(item), expected);
    }
    double value = 0.0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
        !std::isfinite(value) || !(value > 0.0)) {
      parameter_error(std::string(option), std::string(item), expected);
    }
    if (values.count(key) != 0) {
      parameter_error(std::string(option), std::string(item), expected + ", each key once");
    }
    values[key] = value;
    pos = comma + 1;
  }
  return values;
}

std::int32_t parse_date_option(std::string_view text, std::string_view option) {
  using namespace std::chrono;
  const auto fail = [&] {
    parameter_error(std::string(option), std::string(text), "a date YYYY-MM-DD");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') fail();
  int y = 0;
  unsigned m = 0, d = 0;
  auto digits = [&](std::size_t from, std::size_t len, auto& out) {
    const auto [end, ec] = std::from_chars(text.data() + from, text.data() + from + len, out);
    if (ec != std::errc() || end != text.data() + from + len) fail();
  };
  digits(0, 4, y);
  digits(5, 2, m);
  digits(8, 2, d);
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) fail();
  return static_cast<std::int32_t>(sys_days{ymd}.time_since_epoch().count());
}

std::string format_day(std::int32_t day_number) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day_number}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

namespace {
void require_positive(double value, const char* option, const char* what) {
  if (!std::isfinite(value) || !(value > 0.0))
    parameter_error(option, fmt::format("{}", value), what);
}
void require_probability(double value, const char* option) {
  if (!std::isfinite(value) || value < 0.0 || value > 1.0) {
    parameter_error(option, fmt::format("{}", value), "a probability in [0, 1]");
  }
}
}  // namespace

void validate(const SimulationOptions& o) {
  if (o.customers == 0 || o.customers > 1'000'000'000ULL) {
    parameter_error("customers", std::to_string(o.customers), "a whole number in 1..1000000000");
  }
  const char* params_msg = "model parameters that are finite and > 0";
  require_positive(o.bg_nbd.r, "--params", params_msg);
  require_positive(o.bg_nbd.alpha, "--params", params_msg);
  require_positive(o.bg_nbd.a, "--params", params_msg);
  require_positive(o.bg_nbd.b, "--params", params_msg);
  require_positive(o.pareto_nbd.r, "--params", params_msg);
  require_positive(o.pareto_nbd.alpha, "--params", params_msg);
  require_positive(o.pareto_nbd.s, "--params", params_msg);
  require_positive(o.pareto_nbd.beta, "--params", params_msg);
  require_positive(o.spend.p, "--spend-params", params_msg);
  require_positive(o.spend.q, "--spend-params", params_msg);
  require_positive(o.spend.gamma, "--spend-params", params_msg);
  if (o.end_day < o.start_day) {
    parameter_error("end", format_day(o.end_day),
                    fmt::format("a date on or after --start {}", format_day(o.start_day)));
  }
  const std::int32_t period = o.end_day - o.start_day + 1;
  // Guard against parameters that would make each customer buy millions of times.
  const double mean_rate = o.model == PurchaseModel::bg_nbd ? o.bg_nbd.r / o.bg_nbd.alpha
                                                            : o.pareto_nbd.r / o.pareto_nbd.alpha;
  const double expected_purchases = mean_rate * period / 7.0;
  if (expected_purchases > 10000.0) {
    parameter_error(
        "params", fmt::format("r/alpha = {:.6g} per week", mean_rate),
        fmt::format("at most 10000 expected purchases per customer over the {:.1f} weeks "
                    "(r/alpha x weeks = {:.0f})",
                    period / 7.0, expected_purchases));
  }
  if (o.acquisition_days < 0 || o.acquisition_days > period) {
    parameter_error("acquisition_days", std::to_string(o.acquisition_days),
                    fmt::format("a number of days in 1..{} (the period length)", period));
  }
  require_probability(o.loyalty_share, "--loyalty-share");
  require_positive(o.loyalty_factor, "--loyalty-factor", "a factor > 0");
  require_probability(o.nps_rate, "--nps-rate");
  if (!std::isfinite(o.contact_rate) || o.contact_rate < 0.0 || o.contact_rate > 1000.0) {
    parameter_error("contact_rate", fmt::format("{}", o.contact_rate),
                    "contacts per customer per month in [0, 1000]");
  }
  if (o.max_lines < 1 || o.max_lines > 100) {
    parameter_error("max_lines", std::to_string(o.max_lines), "a number of lines in 1..100");
  }
  if (o.campaign_day && (*o.campaign_day < o.start_day || *o.campaign_day > o.end_day)) {
    parameter_error("campaign_date", format_day(*o.campaign_day), "a date within --start..--end");
  }
  require_probability(o.campaign_share, "--campaign-share");
  require_positive(o.campaign_uplift, "--campaign-uplift", "a factor > 0");
  if (o.threads < 1 || o.threads > 256) {
    parameter_error("threads", std::to_string(o.threads), "a number of threads in 1..256");
  }
}

}  // namespace ltv::sim
