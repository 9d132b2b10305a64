// Finite money by construction: values read are bounded, totals are checked, and customers whose
// returns exceed their purchases are counted as data (LoadReport::data_warnings).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

LoadOptions options() {
  LoadOptions o;
  o.columns.customer = "customer";
  o.columns.date = "date";
  o.columns.amount = "amount";
  return o;
}

TransactionLog load_text(const std::string& text, const LoadOptions& o, LoadReport& report) {
  CsvReader reader = CsvReader::from_string(text, o.csv, "orders.csv");
  return load_transactions(reader, o, report);
}

std::string error_of(const std::string& text, const LoadOptions& o) {
  LoadReport report;
  try {
    (void)load_text(text, o, report);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(LoadLimits, AmountsNear1e308AreErrorsNamingTheirLine) {
  // Two such amounts used to sum to infinity and leave empty cells in the outputs.
  const std::string text = "customer,date,amount\nc1,2020-01-01,5\nc1,2020-01-02,1e308\n";
  EXPECT_EQ(error_of(text, options()),
            "orders.csv:3: column 'amount': found '1e308', expected a number of at most 1e+15 in "
            "magnitude");
  // quantity x price beyond the bound: the price column is named.
  LoadOptions o = options();
  o.columns.amount.clear();
  o.columns.quantity = "qty";
  o.columns.price = "price";
  EXPECT_EQ(error_of("customer,date,qty,price\nc1,2020-01-01,1e10,1e10\n", o),
            "orders.csv:2: column 'price': found '1e10', expected values whose product / "
            "difference is at most 1e+15 in magnitude");
  // Skipped and counted under --on-error skip.
  o = options();
  o.on_error = ErrorPolicy::skip;
  LoadReport report;
  EXPECT_EQ(load_text(text, o, report).size(), 1u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].reason, "amount out of range");
}

TEST(LoadLimits, ValuesUpToTheBoundAreLoadedAndTheirTotalsStayFinite) {
  std::string text = "customer,date,amount\n";
  for (int i = 0; i < 1000; ++i)
    text += fmt::format("c{},2020-01-01,-1e15\nc{},2020-01-02,1e15\n", i, i);
  LoadReport report;
  const TransactionLog log = load_text(text, options(), report);
  EXPECT_EQ(log.size(), 2000u);
  EXPECT_TRUE(std::isfinite(report.total_amount));
}

TEST(LoadLimits, AnOverflowingTotalIsAnErrorWhenTheBoundIsLifted) {
  LoadOptions o = options();
  o.max_abs_value = std::numeric_limits<double>::infinity();
  EXPECT_EQ(error_of("customer,date,amount\nc1,2020-01-01,1e308\nc2,2020-01-02,1e308\n", o),
            "orders.csv:3: column 'amount': found '1e+308', expected amounts whose total is a "
            "finite number (the sum overflows here)");
}

const char* kRefunds =
    "customer,date,amount\n"
    "a,2020-01-01,10\n"
    "b,2020-01-01,50\n"
    "b,2020-01-05,-80\n"  // b: net -30
    "c,2020-01-02,5\n"
    "a,2020-01-09,-4\n"   // a: net 6 (its rows are not consecutive)
    "d,2020-01-03,-1\n";  // d: only a return, net -1

TEST(LoadLimits, CustomersWithMoreReturnsThanPurchasesAreCountedAsData) {
  LoadReport report;
  (void)load_text(kRefunds, options(), report);
  ASSERT_EQ(report.data_warnings.size(), 1u);
  const DataWarning& w = report.data_warnings[0];
  EXPECT_EQ(w.kind, "net_negative_customers");
  EXPECT_EQ(w.count, 2);
  EXPECT_EQ(w.message, "2 customers whose returns exceed their purchases (net amount below zero)");
  EXPECT_EQ(w.examples, (std::vector<std::string>{"customer b: net amount -30.00",
                                                  "customer d: net amount -1.00"}));
  EXPECT_NE(report.to_text().find("  warning: 2 customers whose returns exceed their purchases "
                                  "(net amount below zero), e.g. customer b: net amount -30.00; "
                                  "customer d: net amount -1.00\n"),
            std::string::npos)
      << report.to_text();
  // Dropped returns, or no returns at all: no warning.
  LoadOptions drop = options();
  drop.returns = ReturnsPolicy::drop;
  (void)load_text(kRefunds, drop, report);
  EXPECT_TRUE(report.data_warnings.empty());
}

const DataWarning* warning(const LoadReport& report, const std::string& kind) {
  for (const DataWarning& w : report.data_warnings) {
    if (w.kind == kind) return &w;
  }
  return nullptr;
}

TEST(DataWarnings, APlaceholderCustomerIsNamed) {
  // 1,000 customers with 2 rows each, and "guest" with 200 rows: 200 of 2,200 rows (9.1%), more
  // than the 5% a single customer may hold among 1,000 or more before it is called implausible.
  std::string text = "customer,date,amount\n";
  for (int c = 0; c < 1000; ++c) text += fmt::format("c{},2020-01-01,1\nc{},2020-02-01,2\n", c, c);
  std::string with_guest = text;
  for (int i = 0; i < 200; ++i) with_guest += fmt::format("guest,2020-01-{:02},5\n", 1 + i % 28);
  LoadReport report;
  (void)load_text(with_guest, options(), report);
  const DataWarning* w = warning(report, "dominant_customers");
  ASSERT_NE(w, nullptr) << report.to_text();
  EXPECT_EQ(w->count, 1);
  EXPECT_EQ(w->examples, (std::vector<std::string>{"customer guest: 200 rows (9.1%)"}));
  EXPECT_NE(report.to_text().find("warning: 1 customer with an implausible share of the rows "
                                  "(more than 5% each, among 1001 customers"),
            std::string::npos)
      << report.to_text();
  // 100 rows (4.8%): no warning; nor among fewer than 1,000 customers.
  std::string fewer = text;
  for (int i = 0; i < 100; ++i) fewer += fmt::format("guest,2020-01-{:02},5\n", 1 + i % 28);
  (void)load_text(fewer, options(), report);
  EXPECT_EQ(warning(report, "dominant_customers"), nullptr) << report.to_text();
  (void)load_text("customer,date,amount\na,2020-01-01,1\nb,2020-01-01,1\nb,2020-01-02,1\n",
                  options(), report);
  EXPECT_EQ(warning(report, "dominant_customers"), nullptr) << report.to_text();
}

/// A sink that takes every row (for stream_transactions).
class TakeAll : public RowSink {
 public:
  bool start(const RowLayout&) override { return true; }
  bool add(const LoadedRow&) override { return true; }
};

TEST(LoadLimits, StreamedReadsCountCustomersAcrossParts) {
  // A file in customer order, read in many parts on two threads: customer "m" spans parts, with
  // its purchases in the first and its larger return at the end.
  const auto dir = test::temp_dir("load_limits_stream");
  const auto path = dir / "orders.csv";
  {
    std::ofstream out(path);
    out << "customer,date,amount\n";
    for (int i = 0; i < 3000; ++i) out << "a" << i << ",2020-01-01,1\n";
    for (int i = 0; i < 3000; ++i) out << "m,2020-01-02,1\n";
    out << "m,2020-01-03,-3500\n";
    for (int i = 0; i < 3000; ++i) out << "z" << i << ",2020-01-01,1\n";
    out << "zz,2020-01-04,-2\n";
  }
  LoadOptions o = options();
  o.parallel_min_bytes = 1;
  o.part_bytes = 4096;
  LoadReport report;
  std::vector<TakeAll> sinks(64);
  const int parts =
      stream_transactions(path.string(), o, report, [&](int k) -> RowSink& { return sinks[k]; });
  EXPECT_GT(parts, 2);
  ASSERT_EQ(report.data_warnings.size(), 1u);
  EXPECT_EQ(report.data_warnings[0].count, 2);
  EXPECT_EQ(report.data_warnings[0].examples,
            (std::vector<std::string>{"customer m: net amount -500.00",
                                      "customer zz: net amount -2.00"}));
  // The same through a TransactionLog (which also sees that "m" holds 3,001 of the 9,002 rows
  // among 6,002 customers: a dominant customer), and sequentially.
  LoadReport log_report;
  (void)load_transactions(path.string(), o, log_report);
  ASSERT_EQ(log_report.data_warnings.size(), 2u);
  ASSERT_NE(warning(log_report, "net_negative_customers"), nullptr);
  EXPECT_EQ(warning(log_report, "net_negative_customers")->count, 2);
  ASSERT_NE(warning(log_report, "dominant_customers"), nullptr);
  EXPECT_EQ(warning(log_report, "dominant_customers")->examples,
            (std::vector<std::string>{"customer m: 3001 rows (33.3%)"}));
  o.threads = 1;
  LoadReport sequential;
  EXPECT_EQ(stream_transactions(path.string(), o, sequential,
                                [&](int k) -> RowSink& { return sinks[k]; }),
            1);
  ASSERT_EQ(sequential.data_warnings.size(), 1u);
  EXPECT_EQ(sequential.data_warnings[0].count, 2);
}

}  // namespace
}  // namespace ltv
