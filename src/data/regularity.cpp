#include "ltv/data/regularity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

std::vector<double> log_intertransaction_times(const TransactionLog& log,
                                               const CustomerSummary& summary) {
  const std::size_t customers = log.customer_count();
  // A return line (negative amount or quantity) is not a purchase (as in summarize()).
  const auto purchase = [&](std::size_t i) {
    return log.day[i] <= summary.calibration_end && !(log.has_amount() && log.amount[i] < 0) &&
           !(!log.quantity.empty() && log.quantity[i] < 0);
  };
  // Purchase days per customer (within the calibration period), grouped by a counting sort.
  std::vector<std::size_t> start(customers + 1, 0);
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (purchase(i)) ++start[log.customer[i] + 1];
  }
  for (std::size_t c = 0; c < customers; ++c) start[c + 1] += start[c];
  std::vector<std::int32_t> days(start[customers]);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (purchase(i)) days[next[log.customer[i]]++] = log.day[i];
    }
  }
  const double unit = days_per_unit(summary.time_unit);
  std::vector<double> out(summary.size(), 0.0);
  for (std::size_t row = 0; row < summary.size(); ++row) {
    const std::uint32_t c = summary.customer[row];
    if (c >= customers) {
      input_error(SourceLocation{"", 0, "customer"}, fmt::format("index {}", c),
                  fmt::format("a customer of the log (fewer than {})", customers));
    }
    auto first = days.begin() + static_cast<std::ptrdiff_t>(start[c]);
    auto last = days.begin() + static_cast<std::ptrdiff_t>(start[c + 1]);
    std::sort(first, last);
    last = std::unique(first, last);  // same-day purchases are one purchase
    const auto purchase_days = static_cast<double>(last - first);
    if (purchase_days - 1 != summary.frequency[row]) {
      input_error(SourceLocation{"", 0, "frequency"},
                  fmt::format("{} for customer '{}' ({} purchase days in the log)",
                              summary.frequency[row], log.customer_ids[c], purchase_days),
                  "a summary made from this transaction log");
    }
    double litt = 0;
    for (auto it = first + 1; it < last; ++it) {
      // ln of the inter-purchase time in the summary's unit (BTYDplus elog2cbs: log(itt)).
      litt += std::log(static_cast<double>(*it - *(it - 1)) / unit);
    }
    out[row] = litt;
  }
  return out;
}

void add_regularity(const TransactionLog& log, CustomerSummary& summary) {
  if (summary.litt.size() != summary.size())
    summary.litt = log_intertransaction_times(log, summary);
}

}  // namespace ltv
