// Accounting of customers between the load and the summary (summary_accounting.hpp).
#include "ltv/data/summary_accounting.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "ltv/error.hpp"

namespace ltv {

SummaryAccounting account_summary(const TransactionLog& log, const CustomerSummary& summary,
                                  std::size_t max_examples) {
  const std::size_t customers = log.customer_count();
  SummaryAccounting out;
  out.customers_summarised = summary.size();

  // Per customer: 1 = has a line, 2 = has a purchase line (not a return), 4 = has one on or
  // before the calibration end. The same rule as summarize(): a line is a return when its amount
  // or its quantity is negative.
  std::vector<std::uint8_t> seen(customers, 0);
  const bool has_amount = log.has_amount(), has_quantity = !log.quantity.empty();
  for (std::size_t r = 0; r < log.size(); ++r) {
    std::uint8_t& s = seen[log.customer[r]];
    s |= 1;
    const bool is_return =
        (has_amount && log.amount[r] < 0) || (has_quantity && log.quantity[r] < 0);
    if (is_return) continue;
    s |= 2;
    if (log.day[r] <= summary.calibration_end) s |= 4;
  }
  std::vector<std::uint8_t> in_summary(customers, 0);
  for (std::uint32_t c : summary.customer) {
    if (c >= customers) {
      input_error(SourceLocation{"", 0, "summary"}, fmt::format("customer index {}", c),
                  fmt::format("a summary of this log ({} customers)", customers));
    }
    in_summary[c] = 1;
  }
  auto add = [max_examples](UnsummarisedCustomers& group, const std::string& id) {
    ++group.count;
    if (group.examples.size() < max_examples) group.examples.push_back(id);
  };
  for (std::size_t c = 0; c < customers; ++c) {
    if (seen[c] & 1) ++out.customers_loaded;
    if (in_summary[c] || !(seen[c] & 1)) continue;
    if (seen[c] & 4) {
      input_error(SourceLocation{"", 0, "summary"},
                  fmt::format("no row for customer '{}', who has a purchase on or before the "
                              "calibration end",
                              log.customer_ids[c]),
                  "the summary of this log");
    }
    add((seen[c] & 2) ? out.no_purchase_by_calibration_end : out.only_returns, log.customer_ids[c]);
  }
  return out;
}

}  // namespace ltv
