#include "ltv/io/load.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "log_compare.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/table.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

TransactionLog load_text(std::string text, const LoadOptions& options, LoadReport& report,
                         CsvOptions csv = {}) {
  csv.allow_ragged = true;
  CsvReader reader = CsvReader::from_string(std::move(text), csv, "tx.csv");
  return load_transactions(reader, options, report);
}

LoadOptions basic(std::string customer = "customer", std::string date = "date",
                  std::string amount = "amount") {
  LoadOptions o;
  o.columns.customer = std::move(customer);
  o.columns.date = std::move(date);
  o.columns.amount = std::move(amount);
  return o;
}

const char* kSmall =
    "customer,date,amount,channel,note\n"
    "a,2021-01-01,10.5,web,x\n"
    "b,2021-01-02,3,shop,y\n"
    "a,2021-01-05,2.25,web,z\n";

TEST(Load, ColumnsByNameAndExtraColumnsKept) {
  LoadReport report;
  LoadOptions o = basic();
  o.columns.channel = "Channel";  // case-insensitive match
  TransactionLog log = load_text(kSmall, o, report);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log.customer_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(log.customer, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_EQ(log.day[2] - log.day[0], 4);
  EXPECT_EQ(format_date(log.day[0]), "2021-01-01");
  EXPECT_EQ(log.amount, (std::vector<double>{10.5, 3, 2.25}));
  EXPECT_TRUE(log.second_of_day.empty());
  ASSERT_TRUE(log.channel);
  EXPECT_EQ(log.channel->values, (std::vector<std::string>{"web", "shop"}));
  ASSERT_EQ(log.extra.size(), 1u);
  EXPECT_EQ(log.extra[0].name, "note");
  EXPECT_EQ(log.extra[0].values[log.extra[0].codes[2]], "z");
  EXPECT_EQ(report.rows_read, 3);
  EXPECT_EQ(report.rows_loaded, 3);
  EXPECT_EQ(report.customers, 2u);
  EXPECT_DOUBLE_EQ(report.total_amount, 15.75);
  EXPECT_EQ(format_date(*report.last_day), "2021-01-05");
}

TEST(Load, ColumnsByPositionAndWithoutHeader) {
  LoadReport report;
  TransactionLog by_pos = load_text(kSmall, basic("1", "2", "#3"), report);
  EXPECT_EQ(by_pos.amount, (std::vector<double>{10.5, 3, 2.25}));
  CsvOptions no_header;
  no_header.has_header = false;
  TransactionLog log =
      load_text("x;20200131;1.5\ny;20200201;2\n", basic("1", "2", "3"), report, no_header);
  EXPECT_EQ(log.amount, (std::vector<double>{1.5, 2}));
  EXPECT_EQ(log.customer_ids, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(format_date(log.day[1]), "2020-02-01");
  // Without --decimal-comma, "1,5" is not a number.
  EXPECT_THROW(load_text("x;20200131;1,5\n", basic("1", "2", "3"), report, no_header), InputError);
}

TEST(Load, NoHeaderNamesAreRejectedAndUnknownColumnsNameTheOption) {
  LoadReport report;
  CsvOptions no_header;
  no_header.has_header = false;
  EXPECT_THROW(load_text("a,20200101,1\n", basic(), report, no_header), InputError);
  try {
    load_text(kSmall, basic("client"), report);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().column, "customer");
    EXPECT_NE(std::string(e.what()).find("customer, date, amount, channel, note"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(load_text(kSmall, basic("customer", "date", "9"), report), InputError);
  EXPECT_THROW(load_text(kSmall, basic("", "date", ""), report), InputError);
}

TEST(Load, DecimalCommaAndNoHeaderPositions) {
  LoadReport report;
  LoadOptions o = basic("1", "2", "3");
  o.decimal_comma = true;
  CsvOptions csv;
  csv.has_header = false;
  TransactionLog log = load_text(
      "x;31.01.2020;1 234,5\ny;01.02.2020 10:30;\"2\xC2\xA0"
      "000,25\"\n",
      o, report, csv);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.amount, (std::vector<double>{1234.5, 2000.25}));
  EXPECT_EQ(format_date(log.day[0]), "2020-01-31");
  ASSERT_EQ(log.second_of_day.size(), 2u);
  EXPECT_EQ(log.second_of_day[1], 10 * 3600 + 30 * 60);
}

TEST(Load, AmountIsQuantityTimesPriceAndProfitFromCost) {
  LoadReport report;
  LoadOptions o = basic("c", "d", "");
  o.columns.quantity = "qty";
  o.columns.price = "price";
  TransactionLog log =
      load_text("c,d,qty,price,cost\na,2021-03-01,3,2.5,4\na,2021-03-02,2,10,15\n", o, report);
  EXPECT_EQ(log.amount, (std::vector<double>{7.5, 20}));
  EXPECT_EQ(log.quantity, (std::vector<double>{3, 2}));
  o.columns.cost = "cost";
  log = load_text("c,d,qty,price,cost\na,2021-03-01,3,2.5,4\na,2021-03-02,2,10,15\n", o, report);
  EXPECT_EQ(log.profit, (std::vector<double>{3.5, 5}));
  EXPECT_THROW(load_text("c,d,qty,price,cost\na,2021-03-01,1e200,1e200,4\n", o, report),
               InputError);
  LoadOptions no_qty = basic("c", "d", "");
  no_qty.columns.price = "price";
  EXPECT_THROW(load_text("c,d,price\na,2021-03-01,1\n", no_qty, report), InputError);
}

const char* kReturns =
    "invoice,customer,date,qty,price\n"
    "536365,a,2011-01-01 10:00,6,2.5\n"
    "C536366,a,2011-01-03 11:00,-2,2.5\n"
    "536367,,2011-01-03 11:00,1,1\n"
    "536368,b,2011-01-04 09:00,1,4\n"
    "536369,a,2011-01-08 09:00,1,4\n"
    "536370,b,2011-01-09 09:00,-1,4\n";

TEST(Load, ReturnsNetKeepsNegativeLinesAndDropRemovesThem) {
  LoadOptions o = basic("customer", "date", "");
  o.columns.order = "invoice";
  o.columns.quantity = "qty";
  o.columns.price = "price";
  LoadReport net;
  TransactionLog log = load_text(kReturns, o, net);
  EXPECT_EQ(net.rows_read, 6);
  EXPECT_EQ(net.rows_without_customer, 1);
  EXPECT_EQ(net.return_rows, 2);
  EXPECT_EQ(net.cancellation_rows, 1);
  EXPECT_EQ(net.rows_loaded, 5);
  EXPECT_DOUBLE_EQ(net.total_amount, 15 - 5 + 4 + 4 - 4);
  EXPECT_EQ(log.second_of_day[0], 10 * 3600);

  // Returns net into revenue but are never purchase days.
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  CustomerSummary s = summarize(log, so);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.frequency[0], 1);  // a: days 0 and 7; the return on day 2 is not a purchase
  EXPECT_DOUBLE_EQ(s.revenue[0], 15 - 5 + 4);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], 4);
  EXPECT_EQ(s.orders[0], 2);
  EXPECT_EQ(s.frequency[1], 0);
  EXPECT_DOUBLE_EQ(s.revenue[1], 0);

  o.returns = ReturnsPolicy::drop;
  LoadReport drop;
  log = load_text(kReturns, o, drop);
  EXPECT_EQ(drop.return_rows, 2);
  EXPECT_EQ(drop.returns_dropped(), 2);
  EXPECT_EQ(drop.rows_loaded, 3);
  EXPECT_DOUBLE_EQ(drop.total_amount, 15 + 4 + 4);
  EXPECT_NE(drop.to_text().find("dropped 2 return/cancellation rows"), std::string::npos)
      << drop.to_text();
}

const char* kBad =
    "customer,date,amount\n"
    "a,2021-01-01,1\n"
    "b,2021-02-30,2\n"
    "c,2021-01-03,abc\n"
    "d,2021-01-04\n"
    "e,2021-01-05,nan\n"
    "f,not a date,1\n"
    "g,2021-01-07,7\n";

TEST(Load, FailPolicyStopsAtTheFirstBadRowWithLocation) {
  LoadReport report;
  try {
    load_text(kBad, basic(), report);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "tx.csv:3: column 'date': found '2021-02-30', expected a date like YYYY-MM-DD "
              "(optionally with a time HH:MM[:SS])");
  }
}

TEST(Load, SkipPolicyCountsByReasonWithExamples) {
  LoadReport report;
  LoadOptions o = basic();
  o.on_error = ErrorPolicy::skip;
  TransactionLog log = load_text(kBad, o, report);
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(report.rows_read, 7);
  EXPECT_EQ(report.rows_loaded, 2);
  EXPECT_EQ(report.rows_skipped(), 5);
  auto count = [&](const std::string& reason) -> std::int64_t {
    for (const auto& s : report.skipped) {
      if (s.reason == reason) return s.count;
    }
    return 0;
  };
  EXPECT_EQ(count("invalid date"), 2);
  EXPECT_EQ(count("invalid amount"), 2);
  EXPECT_EQ(count("wrong number of fields"), 1);
  const std::string text = report.to_text();
  EXPECT_NE(text.find("tx.csv:4: column 'amount': found 'abc', expected a number like 1234.56"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tx.csv:5: found '2 fields', expected 3 fields"), std::string::npos) << text;
}

TEST(Load, ExamplesAreCappedPerReason) {
  std::string text = "customer,date,amount\n";
  for (int i = 0; i < 20; ++i) text += "a,2021-01-01,x" + std::to_string(i) + "\n";
  LoadReport report;
  LoadOptions o = basic();
  o.on_error = ErrorPolicy::skip;
  load_text(text, o, report);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].count, 20);
  EXPECT_EQ(report.skipped[0].examples.size(), 5u);
}

TEST(Load, DateFormatIsDetectedOnceThenEnforced) {
  LoadReport report;
  EXPECT_THROW(load_text("customer,date,amount\na,20210101,1\nb,2021-01-02,1\n", basic(), report),
               InputError);
  LoadOptions o = basic();
  o.date_format = parse_date_format("%d/%m/%Y");
  TransactionLog log = load_text("customer,date,amount\na,03/02/2021,1\n", o, report);
  EXPECT_EQ(format_date(log.day[0]), "2021-02-03");
  // Ambiguous day/month order without --date-format is an error asking for it.
  try {
    load_text("customer,date,amount\na,03/02/2021,1\n", basic(), report);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--date-format"), std::string::npos) << e.what();
  }
}

TEST(Load, OffsetsAreConvertedToTheTimeZone) {
  LoadReport report;
  LoadOptions o = basic();
  o.time_zone_minutes = 180;
  TransactionLog log = load_text(
      "customer,date,amount\na,2021-01-01T22:30:00Z,1\na,2021-01-01T22:30:00,1\n", o, report);
  EXPECT_EQ(format_datetime(log.day[0], log.second_of_day[0]), "2021-01-02 01:30:00");
  EXPECT_EQ(format_datetime(log.day[1], log.second_of_day[1]), "2021-01-01 22:30:00");
}

TEST(Load, WarnsWhenTheHeaderLooksLikeData) {
  LoadReport report;
  load_text("a,2021-01-01,5\nb,2021-01-02,6\n", basic("1", "2", "3"), report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(
      report.to_text().find("warning: the header line of tx.csv looks like data ('2021-01-01')"),
      std::string::npos)
      << report.to_text();
  load_text(kSmall, basic(), report);
  EXPECT_TRUE(report.warnings.empty());
}

TEST(Load, CountOnlyDataWithoutAmount) {
  LoadReport report;
  TransactionLog log =
      load_text("cust,date\n1,2006-01-01\n1,2006-01-05\n", basic("cust", "date", ""), report);
  EXPECT_FALSE(log.has_amount());
  EXPECT_EQ(log.size(), 2u);
  EXPECT_FALSE(report.has_amount);
}

// ---- real data -------------------------------------------------------------------------------

TEST(LoadRealData, CdnowSampleMatchesPublishedSummaryForAllCustomers) {
  LoadOptions o;
  o.columns.customer = "2";  // sample id 0001..2357
  o.columns.date = "3";
  o.columns.amount = "5";
  o.columns.quantity = "4";
  o.csv.has_header = false;
  LoadReport report;
  TransactionLog log =
      load_transactions(test::shared_data("cdnow/CDNOW_sample.txt").string(), o, report);
  EXPECT_EQ(report.rows_read, 6919);
  EXPECT_EQ(report.rows_loaded, 6919);
  EXPECT_EQ(report.customers, 2357u);
  EXPECT_EQ(report.delimiter, "whitespace");
  EXPECT_NEAR(report.total_amount, 244091.94, 1e-6);

  SummaryOptions so;
  so.calibration_end = parse_date("1997-09-30");
  so.observation_end = parse_date("1998-06-30");
  CustomerSummary s = summarize(log, so);
  ASSERT_EQ(s.size(), 2357u);

  Table lifetimes = read_table(test::shared_data("cdnow/cdnow_customers_summary.csv").string());
  Table btyd = read_table(test::shared_data("cdnow/cdnowSummary_cbs.csv").string());
  ASSERT_EQ(lifetimes.rows(), 2357u);
  ASSERT_EQ(btyd.rows(), 2357u);
  const auto ids = lifetimes.integers("ID");
  const auto freq = lifetimes.numbers("frequency");
  const auto rec = lifetimes.numbers("recency");
  const auto big_t = lifetimes.numbers("T");
  const auto x_star = btyd.numbers("x.star");
  const auto m_x = btyd.numbers("m.x");
  const auto cust = btyd.integers("cust");
  double total_frequency = 0, total_holdout = 0;
  int mismatches = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const long id = std::stol(log.customer_ids[s.customer[i]]);
    ASSERT_EQ(id, ids[i]);
    ASSERT_EQ(id, cust[i]);
    mismatches += s.frequency[i] != freq[i];
    mismatches += std::round(s.recency[i] * 100) / 100 != rec[i];
    mismatches += std::round(s.T[i] * 100) / 100 != big_t[i];
    mismatches += s.frequency_holdout[i] != x_star[i];
    mismatches += std::fabs(s.monetary_value[i] - m_x[i]) > 1e-9;
    total_frequency += s.frequency[i];
    total_holdout += s.frequency_holdout[i];
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(total_frequency, 2457);
  EXPECT_EQ(total_holdout, 1882);
  EXPECT_DOUBLE_EQ(s.duration_holdout, 273.0 / 7);
}

TEST(LoadRealData, CdnowMasterHas23570Customers) {
  LoadOptions o;
  o.columns.customer = "customer_id";
  o.columns.date = "date";
  o.columns.amount = "dollar_value";
  o.columns.quantity = "number_of_cds";
  LoadReport report;
  TransactionLog log =
      load_transactions(test::shared_data("cdnow/CDNOW_master.txt").string(), o, report);
  EXPECT_EQ(report.rows_loaded, 69659);
  EXPECT_EQ(report.customers, 23570u);
  EXPECT_NEAR(report.total_amount, 2500315.63, 1e-5);
  EXPECT_EQ(format_date(*report.first_day), "1997-01-01");
  EXPECT_EQ(format_date(*report.last_day), "1998-06-30");
  double cds = 0;
  for (double q : log.quantity) cds += q;
  EXPECT_EQ(cds, 167881);
}

LoadOptions online_retail_options(ReturnsPolicy returns) {
  LoadOptions o;
  o.columns.customer = "CustomerID";
  o.columns.date = "InvoiceDate";
  o.columns.order = "InvoiceNo";
  o.columns.quantity = "Quantity";
  o.columns.price = "UnitPrice";
  o.columns.product = "StockCode";
  o.columns.region = "Country";
  o.returns = returns;
  return o;
}

TEST(LoadRealData, SlowOnlineRetailCountsMissingCustomersAndCancellationsUnderBothPolicies) {
  const std::string path = test::shared_data("online_retail/online_retail.csv.gz").string();
  LoadReport net;
  TransactionLog log = load_transactions(path, online_retail_options(ReturnsPolicy::net), net);
  EXPECT_EQ(net.rows_read, 541909);
  EXPECT_EQ(net.rows_without_customer, 135080);
  // Every return line with a customer is a 'C' invoice (the other negative lines have no
  // customer); 9,288 'C' rows in all, 383 of them without a customer.
  EXPECT_EQ(net.return_rows, 8905);
  EXPECT_EQ(net.cancellation_rows, 8905);
  EXPECT_EQ(net.rows_loaded, 541909 - 135080);
  EXPECT_EQ(net.customers, 4372u);
  EXPECT_EQ(net.rows_skipped(), 0);
  EXPECT_EQ(format_datetime(*net.first_day, 0), "2010-12-01 00:00:00");
  EXPECT_EQ(format_date(*net.last_day), "2011-12-09");
  ASSERT_EQ(log.second_of_day.size(), log.size());
  EXPECT_EQ(log.second_of_day.back(), 12 * 3600 + 50 * 60);
  EXPECT_EQ(log.extra.size(), 1u);            // Description
  EXPECT_EQ(log.region->values.size(), 37u);  // 38 countries, one only on rows without customer

  LoadReport drop;
  log = load_transactions(path, online_retail_options(ReturnsPolicy::drop), drop);
  EXPECT_EQ(drop.return_rows, 8905);
  EXPECT_EQ(drop.rows_loaded, 541909 - 135080 - 8905);
  EXPECT_EQ(drop.customers, 4339u);  // 33 customers only ever returned goods
  for (double a : log.amount) ASSERT_GE(a, 0);
  EXPECT_GT(drop.total_amount, net.total_amount);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

struct Loaded {
  TransactionLog log;
  LoadReport report;
  std::string error;
};

Loaded load_file(const std::string& path, LoadOptions o, int threads) {
  o.threads = threads;
  o.parallel_min_bytes = 1;
  Loaded l;
  try {
    l.log = load_transactions(path, o, l.report);
  } catch (const InputError& e) {
    l.error = e.what();
  }
  return l;
}

LoadOptions parallel_options() {
  LoadOptions o;
  o.columns.customer = "customer";
  o.columns.date = "date";
  o.columns.amount = "amount";
  o.columns.order = "order";
  return o;
}

/// `rows` rows; row `big_row` has a quoted note with many line breaks (so that the middle of
/// the file can fall inside it); row `bad_row` has an impossible date.
std::filesystem::path write_file(const std::string& name, int rows, int big_row, int bad_row) {
  auto path = test::temp_dir("parallel") / name;
  std::ofstream out(path);
  out << "order,customer,date,amount,note\n";
  for (int i = 0; i < rows; ++i) {
    out << (i % 7 == 0 ? "C" : "") << 1000 + i / 3 << ",cust" << (i * 7919) % 500 << ","
        << (i == bad_row ? "2021-02-30"
                         : "2021-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10))
        << " 10:" << 10 + i % 50 << ":00," << (i % 13) - 2 << "." << i % 100 << ",";
    if (i == big_row) {
      out << "\"";
      for (int k = 0; k < 20000; ++k) out << "line " << k << ", \"\"quoted\"\"\n";
      out << "\"\n";
    } else {
      out << "\"n, " << i % 17 << "\"\n";
    }
  }
  return path;
}

TEST(LoadParallel, TwoChunksGiveExactlyTheSequentialResult) {
  auto path = write_file("plain.csv", 40000, -1, -1).string();
  for (auto returns : {ReturnsPolicy::net, ReturnsPolicy::drop}) {
    LoadOptions o = parallel_options();
    o.returns = returns;
    Loaded seq = load_file(path, o, 1), par = load_file(path, o, 2);
    ASSERT_EQ(seq.error, "");
    ASSERT_EQ(par.error, "");
    test::expect_same_log(seq.log, par.log);
    EXPECT_EQ(seq.report.rows_read, 40000);
    EXPECT_EQ(par.report.rows_read, seq.report.rows_read);
    EXPECT_EQ(par.report.rows_loaded, seq.report.rows_loaded);
    EXPECT_EQ(par.report.return_rows, seq.report.return_rows);
    EXPECT_EQ(par.report.cancellation_rows, seq.report.cancellation_rows);
    EXPECT_EQ(par.report.customers, seq.report.customers);
    EXPECT_NEAR(par.report.total_amount, seq.report.total_amount, 1e-6);
  }
}

TEST(LoadParallel, SplitInsideAQuotedFieldFallsBackToSequential) {
  // Row 1000 of 2000 carries ~500 KB of quoted text with line breaks: the middle of the file
  // is inside it.
  auto path = write_file("quoted.csv", 2000, 1000, -1).string();
  Loaded seq = load_file(path, parallel_options(), 1), par = load_file(path, parallel_options(), 2);
  ASSERT_EQ(seq.error, "");
  ASSERT_EQ(par.error, "");
  test::expect_same_log(seq.log, par.log);
  EXPECT_EQ(par.report.rows_read, 2000);
}

TEST(LoadParallel, ErrorsAndSkipsMatchTheSequentialRead) {
  for (int bad_row : {100, 39000}) {  // in the first and in the second half
    auto path = write_file("bad" + std::to_string(bad_row) + ".csv", 40000, -1, bad_row).string();
    Loaded seq = load_file(path, parallel_options(), 1),
           par = load_file(path, parallel_options(), 2);
    EXPECT_NE(seq.error, "");
    EXPECT_EQ(par.error, seq.error);
    LoadOptions skip = parallel_options();
    skip.on_error = ErrorPolicy::skip;
    seq = load_file(path, skip, 1);
    par = load_file(path, skip, 2);
    test::expect_same_log(seq.log, par.log);
    ASSERT_EQ(par.report.skipped.size(), 1u);
    EXPECT_EQ(par.report.skipped[0].count, 1);
    EXPECT_EQ(par.report.skipped[0].examples, seq.report.skipped[0].examples);
  }
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(LoadRealData, ApparelAndCompleteJourneyTotalsMatchTheDataReadme) {
  LoadOptions apparel;
  apparel.columns.customer = "Id";
  apparel.columns.date = "Date";
  apparel.columns.amount = "Price";
  LoadReport report;
  load_transactions(test::shared_data("apparel/apparelTrans.csv").string(), apparel, report);
  EXPECT_EQ(report.rows_loaded, 3187);
  EXPECT_EQ(report.customers, 600u);
  EXPECT_NEAR(report.total_amount, 124356.90, 1e-6);
  EXPECT_EQ(format_date(*report.first_day), "2005-01-02");
  EXPECT_EQ(format_date(*report.last_day), "2010-12-20");

  // R write.csv output: every string quoted, gzip-compressed.
  LoadOptions journey;
  journey.columns.customer = "household_id";
  journey.columns.date = "transaction_timestamp";
  journey.columns.amount = "sales_value";
  journey.columns.order = "basket_id";
  journey.columns.product = "product_id";
  journey.columns.region = "store_id";
  TransactionLog log = load_transactions(
      test::shared_data("completejourney/transactions_sample.csv.gz").string(), journey, report);
  EXPECT_EQ(report.rows_loaded, 75000);
  EXPECT_EQ(report.customers, 2377u);
  EXPECT_NEAR(report.total_amount, 233935.24, 1e-6);
  EXPECT_EQ(log.order->values.size(), 47243u);
  EXPECT_EQ(log.product->values.size(), 20902u);
  EXPECT_EQ(log.region->values.size(), 293u);
  EXPECT_EQ(format_date(*report.first_day), "2017-01-01");
  EXPECT_EQ(format_date(*report.last_day), "2017-12-31");
  EXPECT_EQ(log.second_of_day.size(), log.size());
}

}  // namespace
}  // namespace ltv
