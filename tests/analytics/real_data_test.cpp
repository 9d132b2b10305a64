// Real-data checks: KPIs on Online Retail against an independent aggregation of the raw file
// (read with zlib and split here, not through the loader), and completejourney totals.
#include <gtest/gtest.h>
#include <zlib.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/kpis.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

/// Splits one RFC 4180 record (no embedded newlines in these files).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else if (ch != '\n' && ch != '\r') {
      out.back() += ch;
    }
  }
  return out;
}

std::vector<std::vector<std::string>> read_gz_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    ADD_FAILURE() << "cannot open " << path;
    return rows;
  }
  std::string line;
  char buf[8192];
  while (gzgets(f, buf, sizeof buf) != nullptr) {
    line += buf;
    if (line.empty() || line.back() != '\n') continue;
    rows.push_back(split_csv(line));
    line.clear();
  }
  if (!line.empty()) rows.push_back(split_csv(line));
  gzclose(f);
  return rows;
}

struct Month {
  double revenue = 0;
  std::set<std::string> customers;
  std::set<std::string> invoices;
};

TEST(AnalyticsRealData, SlowOnlineRetailMonthlyRevenueAndCustomersMatchDirectAggregation) {
  const std::string path = test::shared_data("online_retail/online_retail.csv.gz").string();
  // Direct aggregation. Cancellation policy: drop 'C' invoices and negative lines; rows without
  // a customer id are not customers' purchases and are left out.
  const auto raw = read_gz_csv(path);
  ASSERT_EQ(raw.size(), 541910u);
  ASSERT_EQ(raw[0][0], "InvoiceNo");
  std::map<std::string, Month> months;
  for (std::size_t i = 1; i < raw.size(); ++i) {
    const auto& r = raw[i];
    ASSERT_EQ(r.size(), 8u) << "line " << i + 1;
    const std::string& invoice = r[0];
    const double quantity = std::stod(r[3]);
    const double price = std::stod(r[5]);
    const std::string& customer = r[6];
    if (customer.empty() || invoice[0] == 'C' || quantity < 0 || price < 0) continue;
    Month& m = months[r[4].substr(0, 7)];
    m.revenue += quantity * price;
    m.customers.insert(customer);
    m.invoices.insert(invoice);
  }
  ASSERT_EQ(months.size(), 13u);

  LoadOptions o;
  o.columns.customer = "CustomerID";
  o.columns.date = "InvoiceDate";
  o.columns.order = "InvoiceNo";
  o.columns.quantity = "Quantity";
  o.columns.price = "UnitPrice";
  o.columns.product = "StockCode";
  o.columns.region = "Country";
  o.returns = ReturnsPolicy::drop;
  LoadReport report;
  const TransactionLog log = load_transactions(path, o, report);
  const KpiReport kpis = compute_kpis(log, {});
  std::size_t checked = 0;
  for (const KpiRow& row : kpis.rows) {
    if (row.group != "all" || row.period == "all") continue;
    const Month& m = months.at(row.period);
    EXPECT_NEAR(row.revenue, m.revenue, 1e-6 * m.revenue) << row.period;
    EXPECT_EQ(row.active_customers, static_cast<std::int64_t>(m.customers.size())) << row.period;
    EXPECT_EQ(row.orders, static_cast<std::int64_t>(m.invoices.size())) << row.period;
    ++checked;
  }
  EXPECT_EQ(checked, 13u);
  // December 2010 spelled out: the figures a manager would check first.
  const Month& dec = months.at("2010-12");
  EXPECT_EQ(kpis.rows[1].period, "2010-12");
  EXPECT_NEAR(kpis.rows[1].revenue, dec.revenue, 1e-6);
  EXPECT_EQ(kpis.rows[1].active_customers, static_cast<std::int64_t>(dec.customers.size()));
  EXPECT_EQ(kpis.rows[1].new_customers, kpis.rows[1].active_customers);  // first month of the data
  EXPECT_FALSE(kpis.rows.back().complete);                               // 2011-12 ends on the 9th

  // Cohorts: the acquisition-month cohort sizes add up to all customers, and age-0 revenue of
  // the first cohort is December's revenue.
  const CohortReport cohorts = build_cohorts(log, {});
  std::int64_t acquired = 0;
  for (const CohortCell& c : cohorts.cells)
    if (c.age == 0) acquired += c.cohort_size;
  EXPECT_EQ(acquired, static_cast<std::int64_t>(log.customer_count()));
  EXPECT_NEAR(cohorts.cells[0].revenue, dec.revenue, 1e-6);
}

TEST(AnalyticsRealData, CompleteJourneyTotals) {
  const std::string path = test::shared_data("completejourney/transactions_sample.csv.gz").string();
  LoadOptions o;
  o.columns.customer = "household_id";
  o.columns.date = "transaction_timestamp";
  o.columns.order = "basket_id";
  o.columns.amount = "sales_value";
  o.columns.quantity = "quantity";
  o.columns.product = "product_id";
  o.columns.region = "store_id";
  LoadReport report;
  const TransactionLog log = load_transactions(path, o, report);
  KpiOptions k;
  k.breakdown = "region";
  const KpiReport kpis = compute_kpis(log, k);
  const KpiRow& all = kpis.rows[0];
  ASSERT_EQ(all.period, "all");
  // Published facts of the sample (shared/data/README.md): 2,377 households, 233,935.24 in sales.
  EXPECT_EQ(all.customers, 2377);
  EXPECT_NEAR(all.revenue, 233935.24, 0.005);
  std::int64_t months = 0;
  double monthly = 0;
  for (const KpiRow& r : kpis.rows)
    if (r.group == "all" && r.period != "all") {
      ++months;
      monthly += r.revenue;
    }
  EXPECT_EQ(months, 12);
  EXPECT_NEAR(monthly, 233935.24, 0.005);
  double by_store = 0;
  for (const KpiRow& r : kpis.rows)
    if (r.group != "all" && r.period == "all") by_store += r.revenue;
  EXPECT_NEAR(by_store, 233935.24, 0.005);
}

}  // namespace
}  // namespace ltv
