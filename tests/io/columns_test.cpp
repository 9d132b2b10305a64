// Transactions from in-memory columns (ltv/io/columns.hpp): the same log, summaries and report as
// the file loader on real data, and every bad row refused (or counted) with its row and column.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/columns.hpp"
#include "ltv/io/table.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

/// A text column as codes into itself (every row its own value): the simplest coding a face may
/// hand over; equal texts must still become one value.
struct Coded {
  std::vector<std::string> values;
  std::vector<std::int64_t> codes;
  explicit Coded(std::vector<std::string> v) : values(std::move(v)) {
    for (std::size_t i = 0; i < values.size(); ++i) codes.push_back(static_cast<std::int64_t>(i));
  }
  CodedColumn column(std::string name) const { return {std::move(name), codes, values}; }
};

/// The CDNOW sample as columns read independently of the transaction loader (a plain table).
struct CdnowColumns {
  Table table;
  Coded customer, date;
  std::vector<double> amount;
  CdnowColumns()
      : table(read_table(test::shared_data("cdnow/CDNOW_sample.txt").string(),
                         CsvOptions{Delimiter::whitespace, false, false})),
        customer(table.columns[1]),
        date(table.columns[2]),
        amount(table.numbers("#5")) {}
  TransactionColumns columns() const {
    TransactionColumns c;
    c.source = "cdnow";
    c.customer = customer.column("sampleid");
    c.date_text = date.column("date");
    c.amount = NumberColumn{"dollars", amount};
    return c;
  }
};

TEST(TransactionColumns, CdnowSampleGivesTheFileLoadersLogAndSummaries) {
  const CdnowColumns cdnow;
  LoadReport from_columns;
  const TransactionLog log =
      transactions_from_columns(cdnow.columns(), LoadOptions{}, from_columns);

  LoadOptions lo;
  lo.csv.delimiter = Delimiter::whitespace;
  lo.csv.has_header = false;
  lo.columns.customer = "2";
  lo.columns.date = "3";
  lo.columns.amount = "5";
  LoadReport from_file;
  const TransactionLog file =
      load_transactions(test::shared_data("cdnow/CDNOW_sample.txt").string(), lo, from_file);

  // Published facts of the sample (../shared/data/README.md, section 1).
  EXPECT_EQ(from_columns.rows_read, 6919);
  EXPECT_EQ(from_columns.rows_loaded, 6919);
  EXPECT_EQ(from_columns.customers, 2357u);
  EXPECT_NEAR(from_columns.total_amount, 244091.94, 1e-6);
  EXPECT_EQ(from_columns.date_format, "yyyymmdd");
  EXPECT_EQ(log.customer_ids, file.customer_ids);
  EXPECT_EQ(log.customer, file.customer);
  EXPECT_EQ(log.day, file.day);
  EXPECT_EQ(log.amount, file.amount);
  EXPECT_EQ(*from_columns.first_day, *from_file.first_day);
  EXPECT_EQ(*from_columns.last_day, *from_file.last_day);

  // The summaries equal lifetimes' published CDNOW summary (weeks, calibration to 1997-09-30).
  SummaryOptions so;
  so.calibration_end = parse_date("1997-09-30");
  const CustomerSummary s = summarize(log, so);
  const Table published =
      read_table(test::shared_data("cdnow/cdnow_customers_summary.csv").string());
  ASSERT_EQ(s.size(), published.rows());
  const auto ids = published.integers("ID");
  const auto x = published.numbers("frequency"), t_x = published.numbers("recency"),
             T = published.numbers("T");
  int mismatches = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(std::stol(log.customer_ids[s.customer[i]]), ids[i]) << i;
    mismatches += s.frequency[i] != x[i];  // published with 2 decimals
    mismatches += std::round(s.recency[i] * 100) / 100 != t_x[i];
    mismatches += std::round(s.T[i] * 100) / 100 != T[i];
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TransactionColumns, TimestampsAreWallClockDaysAndSeconds) {
  const Coded customer({"a", "b", "a"});
  // 1997-01-01 00:00, 1969-12-31 23:00 (before the epoch), 1997-01-02 12:30:15.
  const std::vector<std::int64_t> ns{852076800LL * 1'000'000'000, -3600LL * 1'000'000'000,
                                     (852163200LL + 45015) * 1'000'000'000};
  TransactionColumns c;
  c.customer = customer.column("id");
  c.timestamp_name = "when";
  c.timestamp_ns = ns;
  LoadReport report;
  const TransactionLog log = transactions_from_columns(c, LoadOptions{}, report);
  EXPECT_EQ(log.customer_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(log.customer, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_EQ(log.day,
            (std::vector<std::int32_t>{parse_date("1997-01-01"), -1, parse_date("1997-01-02")}));
  EXPECT_EQ(log.second_of_day, (std::vector<std::int32_t>{0, 82800, 45015}));
  EXPECT_FALSE(log.has_amount());
  EXPECT_EQ(report.date_format, "timestamps");
}

TEST(TransactionColumns, EqualTextsAreOneValueAndMissingCategoriesAreEmpty) {
  // Two codes with the same text (a face that factorized 1 and "1" apart) are one customer.
  const std::vector<std::string> ids{"1", "1 ", "2"};
  const std::vector<std::int64_t> id_codes{0, 1, 2, 1};
  const std::vector<std::string> dates{"2020-01-01", "2020-01-05"};
  const std::vector<std::int64_t> date_codes{0, 1, 1, 0};
  const std::vector<std::string> products{"tea", "milk"};
  const std::vector<std::int64_t> product_codes{1, -1, 0, 1};
  TransactionColumns c;
  c.customer = {"id", id_codes, ids};
  c.date_text = CodedColumn{"day", date_codes, dates};
  c.product = CodedColumn{"product", product_codes, products};
  LoadReport report;
  const TransactionLog log = transactions_from_columns(c, LoadOptions{}, report);
  EXPECT_EQ(log.customer_ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(log.customer, (std::vector<std::uint32_t>{0, 0, 1, 0}));
  ASSERT_TRUE(log.product.has_value());
  EXPECT_EQ(log.product->values, (std::vector<std::string>{"milk", "", "tea"}));
  EXPECT_EQ(log.product->codes, (std::vector<std::uint32_t>{0, 1, 2, 0}));
}

TEST(TransactionColumns, NonFiniteAmountIsRefusedNamingRowAndColumn) {
  const Coded customer({"a", "b", "c"});
  const Coded date({"2020-01-01", "2020-01-02", "2020-01-03"});
  const std::vector<double> amount{1.0, std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity()};
  TransactionColumns c;
  c.source = "transactions";
  c.customer = customer.column("id");
  c.date_text = date.column("day");
  c.amount = NumberColumn{"value", amount};
  LoadReport report;
  try {
    transactions_from_columns(c, LoadOptions{}, report);
    FAIL() << "a NaN amount was loaded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "transactions");
    EXPECT_EQ(e.where().line, 2);  // the second row
    EXPECT_EQ(e.where().column, "value");
    EXPECT_EQ(e.found(), "nan");
  }
  // Under skip both bad rows are counted under one reason, never dropped silently.
  LoadOptions skip;
  skip.on_error = ErrorPolicy::skip;
  const TransactionLog log = transactions_from_columns(c, skip, report);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(report.rows_read, 3);
  EXPECT_EQ(report.rows_loaded, 1);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].reason, "invalid amount");
  EXPECT_EQ(report.skipped[0].count, 2);
}

TEST(TransactionColumns, MissingCustomerOrDateIsABadRow) {
  const std::vector<std::string> ids{"a"};
  const std::vector<std::int64_t> id_codes{0, -1, 0};
  const std::vector<std::int64_t> ns{0, 0, std::numeric_limits<std::int64_t>::min()};
  TransactionColumns c;
  c.customer = {"id", id_codes, ids};
  c.timestamp_name = "when";
  c.timestamp_ns = ns;
  LoadReport report;
  try {
    transactions_from_columns(c, LoadOptions{}, report);
    FAIL() << "a row without a customer was loaded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().column, "id");
  }
  LoadOptions skip;
  skip.on_error = ErrorPolicy::skip;
  const TransactionLog log = transactions_from_columns(c, skip, report);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(report.rows_without_customer, 1);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].reason, "missing date");
}

TEST(TransactionColumns, ReturnsFollowThePolicyAndAreCounted) {
  const Coded customer({"a", "a", "a"});
  const Coded date({"2020-01-01", "2020-01-02", "2020-01-03"});
  const Coded order({"1001", "C1002", "1003"});
  const std::vector<double> amount{10, -10, -5};
  TransactionColumns c;
  c.customer = customer.column("id");
  c.date_text = date.column("day");
  c.order = order.column("invoice");
  c.amount = NumberColumn{"value", amount};
  LoadReport report;
  EXPECT_EQ(transactions_from_columns(c, LoadOptions{}, report).size(), 3u);
  EXPECT_EQ(report.return_rows, 2);
  EXPECT_EQ(report.cancellation_rows, 1);
  EXPECT_DOUBLE_EQ(report.total_amount, -5);
  LoadOptions drop;
  drop.returns = ReturnsPolicy::drop;
  const TransactionLog log = transactions_from_columns(c, drop, report);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(report.returns_dropped(), 2);
  EXPECT_DOUBLE_EQ(report.total_amount, 10);
}

TEST(TransactionColumns, ShapeProblemsAreReported) {
  const Coded customer({"a", "b"});
  const Coded date({"2020-01-01"});
  TransactionColumns c;
  c.customer = customer.column("id");
  c.date_text = date.column("day");
  LoadReport report;
  EXPECT_THROW(transactions_from_columns(c, LoadOptions{}, report), InputError);  // lengths
  TransactionColumns no_date;
  no_date.customer = customer.column("id");
  EXPECT_THROW(transactions_from_columns(no_date, LoadOptions{}, report), ParameterError);
  const std::vector<std::int64_t> bad_codes{0, 5};
  const Coded two_dates({"2020-01-01", "2020-01-02"});
  TransactionColumns bad = no_date;
  bad.customer.codes = bad_codes;
  bad.date_text = two_dates.column("day");
  EXPECT_THROW(transactions_from_columns(bad, LoadOptions{}, report), InputError);
}

TEST(TransactionColumns, CheckFiniteNamesTheFirstBadRow) {
  const std::vector<double> v{1, 2, -std::numeric_limits<double>::infinity(), NAN};
  try {
    check_finite("", "recency", v);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, "recency");
    EXPECT_EQ(e.found(), "-inf");
  }
  EXPECT_NO_THROW(check_finite("", "T", std::vector<double>{0.0, 1e300}));
}

}  // namespace
}  // namespace ltv
