// Accounting of customers between the load and the summary (ltv/data/summary_accounting.hpp):
// every customer of the log is summarised or counted under exactly one reason.
#include "ltv/data/summary_accounting.hpp"

#include <gtest/gtest.h>

#include <tuple>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

// A log built by hand: customer index, day number, amount, quantity per row.
TransactionLog make_log(std::vector<std::string> ids,
                        std::vector<std::tuple<std::uint32_t, std::int32_t, double, double>> rows) {
  TransactionLog log;
  log.customer_ids = std::move(ids);
  for (auto [c, d, a, q] : rows) {
    log.customer.push_back(c);
    log.day.push_back(d);
    log.amount.push_back(a);
    log.quantity.push_back(q);
  }
  return log;
}

TEST(SummaryAccounting, EveryCustomerIsSummarisedOrCountedUnderOneReason) {
  // a: a purchase. b: only a return (negative amount). c: a return in calibration, a purchase
  // after it. d: a purchase after the calibration end only. e: a line with a negative quantity
  // and a positive amount (a return by quantity). f: a free item (amount 0) is a purchase.
  const auto log = make_log({"a", "b", "c", "d", "e", "f"}, {{0, 1, 10, 1},
                                                             {1, 2, -10, -1},
                                                             {2, 3, -5, -1},
                                                             {2, 30, 8, 1},
                                                             {3, 25, 7, 1},
                                                             {4, 4, 3, -2},
                                                             {5, 5, 0, 1}});
  SummaryOptions options;
  options.calibration_end = 20;
  options.observation_end = 40;
  const auto summary = summarize(log, options);
  const auto acc = account_summary(log, summary);
  EXPECT_EQ(acc.customers_loaded, 6u);
  EXPECT_EQ(acc.customers_summarised, 2u);  // a and f
  EXPECT_EQ(summary.size(), 2u);
  EXPECT_EQ(acc.only_returns.count, 2u);
  EXPECT_EQ(acc.only_returns.examples, (std::vector<std::string>{"b", "e"}));
  EXPECT_EQ(acc.no_purchase_by_calibration_end.count, 2u);
  EXPECT_EQ(acc.no_purchase_by_calibration_end.examples, (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(acc.not_summarised(), acc.customers_loaded - acc.customers_summarised);
}

TEST(SummaryAccounting, ExamplesAreCappedAndCountOnlyLogsHaveNoReturns) {
  TransactionLog log;
  for (int c = 0; c < 8; ++c) {
    log.customer_ids.push_back(std::to_string(c).insert(0, 1, 'c'));
    log.customer.push_back(static_cast<std::uint32_t>(c));
    log.day.push_back(c < 2 ? 0 : 100);  // c2..c7 buy only after the calibration end
  }
  SummaryOptions options;
  options.calibration_end = 10;
  const auto acc = account_summary(log, summarize(log, options), 3);
  EXPECT_EQ(acc.customers_summarised, 2u);
  EXPECT_EQ(acc.only_returns.count, 0u);
  EXPECT_EQ(acc.no_purchase_by_calibration_end.count, 6u);
  EXPECT_EQ(acc.no_purchase_by_calibration_end.examples,
            (std::vector<std::string>{"c2", "c3", "c4"}));
}

TEST(SummaryAccounting, RejectsASummaryOfAnotherLog) {
  const auto big = make_log({"a", "b", "c"}, {{0, 1, 10, 1}, {1, 1, 10, 1}, {2, 1, 10, 1}});
  const auto small = make_log({"a"}, {{0, 1, 10, 1}});
  const auto summary = summarize(big, SummaryOptions{});
  EXPECT_THROW(account_summary(small, summary), InputError);
  // A summary that lacks a customer who has a calibration purchase is not this log's.
  auto partial = summary;
  partial.customer.pop_back();
  EXPECT_THROW(account_summary(big, partial), InputError);
}

// CDNOW master (README): 23,570 customers, 7,846 first bought in January 1997, 8,476 in February
// and 7,248 in March. With the calibration ending on 1997-02-28 the March first buyers are the
// customers with no purchase by the calibration end.
TEST(SummaryAccounting, CdnowMasterMarchFirstBuyersAreCountedAtAFebruaryCalibrationEnd) {
  LoadOptions o;
  o.columns.customer = "customer_id";
  o.columns.date = "date";
  o.columns.amount = "dollar_value";
  LoadReport report;
  const auto log =
      load_transactions(test::shared_data("cdnow/CDNOW_master.txt").string(), o, report);
  SummaryOptions options;
  options.calibration_end = days_from_civil(1997, 2, 28);
  const auto acc = account_summary(log, summarize(log, options));
  EXPECT_EQ(acc.customers_loaded, 23570u);
  EXPECT_EQ(acc.customers_summarised, 7846u + 8476u);
  EXPECT_EQ(acc.no_purchase_by_calibration_end.count, 7248u);
  EXPECT_EQ(acc.only_returns.count, 0u);  // README: no negative values
}

// Online Retail (README: 4,372 distinct CustomerIDs): `ltv analyze` summarised 4,339. The other
// 33 have only cancellation lines (every line with a customer has Quantity < 0), counted
// independently with Python's csv module over the decompressed file (customers whose every row
// has Quantity < 0 or UnitPrice < 0: 33, the first by id 12503, 12505, 12605, 12666, 12870).
TEST(SummaryAccounting, OnlineRetailCustomersWithOnlyCancellationsSlow) {
  LoadOptions o;
  o.columns.customer = "CustomerID";
  o.columns.date = "InvoiceDate";
  o.columns.order = "InvoiceNo";
  o.columns.quantity = "Quantity";
  o.columns.price = "UnitPrice";
  LoadReport report;
  const auto log = load_transactions(
      test::shared_data("online_retail/online_retail.csv.gz").string(), o, report);
  EXPECT_EQ(report.customers, 4372u);
  const auto acc = account_summary(log, summarize(log, SummaryOptions{}));
  EXPECT_EQ(acc.customers_loaded, 4372u);
  EXPECT_EQ(acc.customers_summarised, 4339u);
  EXPECT_EQ(acc.only_returns.count, 33u);
  EXPECT_EQ(acc.no_purchase_by_calibration_end.count, 0u);
  for (const auto& id : acc.only_returns.examples) {
    for (std::size_t r = 0; r < log.size(); ++r) {
      if (log.customer_ids[log.customer[r]] == id) {
        EXPECT_LT(log.quantity[r], 0) << id;
      }
    }
  }
}

}  // namespace
}  // namespace ltv
