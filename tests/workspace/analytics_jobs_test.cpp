// The analytics jobs as functions (ltv/workspace/analytics.hpp): each job called directly with
// options built from parameters and side tables in memory, on the CDNOW sample and a simulated
// retailer; bad parameters are reported naming their key before any work.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ltv/ltv.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

/// Parameters of an analytics command over the CDNOW sample (no header, whitespace separated:
/// master id, sample id, date yyyymmdd, CDs, dollars).
Parameters cdnow_parameters(std::string_view group) {
  Parameters p({"source", "periods", "output", "format", group});
  p.set("file", test::shared_data("cdnow/CDNOW_sample.txt").string());
  p.set("no_header", "true");
  p.set("customer", "2");
  p.set("date", "3");
  p.set("amount", "5");
  return p;
}

/// The CDNOW sample read independently of the library: customer id -> (first yyyymmdd, dollars).
struct CdnowTotals {
  std::map<std::string, std::pair<std::string, double>> customers;
  double revenue = 0;
};
const CdnowTotals& cdnow_totals() {
  static const CdnowTotals totals = [] {
    CdnowTotals t;
    std::ifstream in(test::shared_data("cdnow/CDNOW_sample.txt"));
    std::string master, id, date;
    double cds = 0, dollars = 0;
    while (in >> master >> id >> date >> cds >> dollars) {
      auto [it, fresh] = t.customers.try_emplace(id, date, 0.0);
      if (date < it->second.first) it->second.first = date;
      it->second.second += dollars;
      t.revenue += dollars;
    }
    return t;
  }();
  return totals;
}

/// A simulated retailer written once for the test program (3,000 customers, seed 11).
const fs::path& retailer() {
  static const fs::path dir = [] {
    const fs::path d = test::temp_dir("analytics_jobs_retailer");
    sim::SimulationOptions o;
    o.customers = 3000;
    o.seed = 11;
    sim::simulate_retailer(o, d);
    return d;
  }();
  return dir;
}

/// Parameters of an analytics command over the simulated retailer's transactions.
Parameters retailer_parameters(std::string_view group) {
  Parameters p({"source", "periods", "output", "format", group});
  p.set("file", (retailer() / "transactions.csv").string());
  p.set("customer", "customer_id");
  p.set("date", "date");
  p.set("amount", "amount");
  p.set("order", "order_id");
  p.set("channel", "channel");
  return p;
}

/// The value of `column` in row `row` of a table, as text.
std::string cell(const ResultTable& t, std::size_t row, std::string_view column) {
  return t.cell_text(t.spec().index(column), row);
}

/// The key of the ParameterError that `f` throws ("" when it throws none).
template <class F>
std::string error_key(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.key();
  }
  return "";
}

// ---- kpis

TEST(KpisJob, TheWholeWindowRowAddsUpTheRawFileAndEveryCustomerIsNewInTheFirstQuarter) {
  const Parameters p = cdnow_parameters("kpis");
  const KpisJobOptions options = kpis_options(p);
  Workspace workspace(analytics_source(p));
  const AnalyticsResult r = run_kpis(workspace, options, read_analytics_inputs(p));
  ASSERT_EQ(r.tables.size(), 2u);
  const ResultTable* kpis = r.table("kpis");
  ASSERT_NE(kpis, nullptr);
  EXPECT_EQ(&r.tables.front(), kpis);  // the default table comes first
  ASSERT_NE(r.table("top_items"), nullptr);
  EXPECT_EQ(r.table("top_items")->rows(), 0u);  // CDNOW has no products
  const CdnowTotals& raw = cdnow_totals();
  ASSERT_GT(kpis->rows(), 1u);
  EXPECT_EQ(cell(*kpis, 0, "group"), "all");
  EXPECT_EQ(cell(*kpis, 0, "period"), "all");
  EXPECT_EQ(kpis->integer(kpis->spec().index("customers"), 0),
            static_cast<std::int64_t>(raw.customers.size()));
  EXPECT_NEAR(kpis->real(kpis->spec().index("revenue"), 0), raw.revenue, 1e-6);
  // Fader & Hardie (2001): the cohort made its first purchase in the first quarter of 1997, so
  // every customer is new in 1997-01..1997-03 and in no later month.
  std::int64_t new_in_q1 = 0, new_later = 0;
  for (std::size_t row = 1; row < kpis->rows(); ++row) {
    const std::int64_t n = kpis->integer(kpis->spec().index("new_customers"), row);
    const std::string period = cell(*kpis, row, "period");
    (period <= "1997-03" ? new_in_q1 : new_later) += n;
  }
  EXPECT_EQ(new_in_q1, static_cast<std::int64_t>(raw.customers.size()));
  EXPECT_EQ(new_later, 0);
  EXPECT_TRUE(r.notes.empty());
}

TEST(KpisJob, CustomerGroupsComeFromATableInMemoryAndUnknownIdsAreANote) {
  Parameters p = cdnow_parameters("kpis");
  p.set("group_column", "tier");
  const KpisJobOptions options = kpis_options(p);
  // Odd and even sample ids, plus two ids that are not in the transactions.
  std::string text = "customer_id,tier\n";
  for (const auto& [id, first] : cdnow_totals().customers) {
    text += id + "," + (std::stoi(id) % 2 ? "odd" : "even") + "\n";
  }
  text += "9998,odd\n9999,even\n";
  AnalyticsInputs inputs;
  inputs.groups = read_table_text(text, {}, "tiers.csv");
  Workspace workspace(analytics_source(p));
  const AnalyticsResult r = run_kpis(workspace, options, inputs);
  const ResultTable& kpis = r.tables.front();
  std::map<std::string, std::int64_t> customers;  // group -> customers over the whole window
  for (std::size_t row = 0; row < kpis.rows(); ++row) {
    if (cell(kpis, row, "period") == "all") {
      customers[cell(kpis, row, "group")] = kpis.integer(kpis.spec().index("customers"), row);
    }
  }
  std::int64_t odd = 0;
  for (const auto& [id, first] : cdnow_totals().customers) odd += std::stoi(id) % 2;
  EXPECT_EQ(customers["odd"], odd);
  EXPECT_EQ(customers["odd"] + customers["even"], customers["all"]);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("2 customer ids of tiers.csv"), std::string::npos) << r.notes[0];
}

TEST(KpisJob, BadParametersAreRefusedNamingTheirKeyBeforeAnyWork) {
  Parameters p = cdnow_parameters("kpis");
  p.set("churn_days", "0");
  EXPECT_EQ(error_key([&] { kpis_options(p); }), "churn_days");
  p.unset("churn_days");
  p.set("period", "fortnight");
  EXPECT_EQ(error_key([&] { kpis_options(p); }), "period");
  p.unset("period");
  p.set("groups", "segments.csv");  // without group_column
  EXPECT_EQ(error_key([&] { kpis_options(p); }), "group_column");
  p.unset("groups");
  p.set("by", "region");  // CDNOW has no region column
  const KpisJobOptions options = kpis_options(p);
  Workspace workspace(analytics_source(p));
  EXPECT_EQ(error_key([&] { run_kpis(workspace, options); }), "by");
}

// ---- ltv

TEST(LtvJob, HistoricalLtvPerCustomerAddsUpToTheRawFileAndTheMeanIsItsShare) {
  const Parameters p = cdnow_parameters("ltv");
  Workspace workspace(analytics_source(p));
  const AnalyticsResult r = run_ltv(workspace, ltv_options(p));
  ASSERT_EQ(r.tables.size(), 3u);
  EXPECT_EQ(r.tables[0].name(), "ltv_formula");
  const ResultTable* per_customer = r.table("historical_ltv");
  ASSERT_NE(per_customer, nullptr);
  const CdnowTotals& raw = cdnow_totals();
  ASSERT_EQ(per_customer->rows(), raw.customers.size());
  double revenue = 0;
  for (std::size_t row = 0; row < per_customer->rows(); ++row) {
    const std::string id = cell(*per_customer, row, "customer_id");
    const double value = per_customer->real(per_customer->spec().index("revenue"), row);
    ASSERT_TRUE(raw.customers.count(id)) << id;
    EXPECT_NEAR(value, raw.customers.at(id).second, 1e-6) << id;
    revenue += value;
  }
  EXPECT_NEAR(revenue, raw.revenue, 1e-6);
  const ResultTable* distribution = r.table("ltv_distribution");
  ASSERT_NE(distribution, nullptr);
  ASSERT_GE(distribution->rows(), 1u);
  EXPECT_NEAR(distribution->real(distribution->spec().index("mean"), 0),
              raw.revenue / static_cast<double>(raw.customers.size()), 1e-6);
}

TEST(LtvJob, BadParametersAreRefusedNamingTheirKey) {
  Parameters p = cdnow_parameters("ltv");
  p.set("lifespan", "forever");
  EXPECT_EQ(error_key([&] { ltv_options(p); }), "lifespan");
  p.unset("lifespan");
  p.set("margin_rate", "2");
  EXPECT_EQ(error_key([&] { ltv_options(p); }), "margin_rate");
  p.set("margin_rate", "0.3");
  EXPECT_EQ(ltv_options(p).formula.margin.value_or(0), 0.3);
  p.set("margin_rate", "0");  // 0 leaves the margin to the data, as it always did
  EXPECT_FALSE(ltv_options(p).formula.margin.has_value());
}

// ---- cohorts

TEST(CohortsJob, TheCdnowCohortIsAcquiredInTheFirstQuarterOf1997) {
  Parameters p = cdnow_parameters("cohorts");
  Workspace workspace(analytics_source(p));
  const AnalyticsResult r = run_cohorts(workspace, cohorts_options(p));
  ASSERT_EQ(r.tables.size(), 1u);
  const ResultTable& cohorts = r.tables.front();
  EXPECT_EQ(cohorts.name(), "cohorts");
  // Fader & Hardie (2001): every customer's first purchase is in 1997-01..1997-03. Count first
  // purchases per month from the raw file and compare with the cohort sizes at age 0.
  std::map<std::string, std::int64_t> first_by_month;
  for (const auto& [id, first] : cdnow_totals().customers) {
    ++first_by_month[first.first.substr(0, 4) + "-" + first.first.substr(4, 2)];
  }
  EXPECT_EQ(first_by_month.size(), 3u);
  std::map<std::string, std::int64_t> size_by_cohort;
  for (std::size_t row = 0; row < cohorts.rows(); ++row) {
    if (cell(cohorts, row, "age") != "0") continue;
    size_by_cohort[cell(cohorts, row, "cohort")] =
        cohorts.integer(cohorts.spec().index("cohort_size"), row);
    EXPECT_EQ(cell(cohorts, row, "retention"), "1");  // everyone buys in their first month
  }
  EXPECT_EQ(size_by_cohort, first_by_month);

  p.set("matrix", "retention");
  Workspace again(analytics_source(p));
  const AnalyticsResult m = run_cohorts(again, cohorts_options(p));
  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_EQ(m.tables[0].name(), "cohort_matrix");
  EXPECT_EQ(m.tables[0].rows(), 3u);
}

TEST(CohortsJob, BadParametersAreRefusedNamingTheirKey) {
  Parameters p = cdnow_parameters("cohorts");
  p.set("matrix", "happiness");
  EXPECT_EQ(error_key([&] { cohorts_options(p); }), "matrix");
  CohortsJobOptions direct;  // typed options checked by the job itself too
  direct.matrix = "happiness";
  p.unset("matrix");
  Workspace workspace(analytics_source(p));
  EXPECT_EQ(error_key([&] { run_cohorts(workspace, direct); }), "matrix");
  p.set("observation_end", "1990-01-01");
  EXPECT_EQ(error_key([&] { run_cohorts(workspace, cohorts_options(p)); }), "observation_end");
}

// ---- cac

TEST(CacJob, NewCustomersPerChannelAndMonthAreTheFirstPurchasesOfThatChannel) {
  Parameters p = retailer_parameters("cac");
  p.set("spend", (retailer() / "spend.csv").string());
  p.set("customers", (retailer() / "customers.csv").string());
  p.set("customers_channel", "acquisition_channel");
  p.set("margin_rate", "0.3");
  const CacJobOptions options = cac_options(p);
  const AnalyticsInputs inputs = read_analytics_inputs(p);
  ASSERT_TRUE(inputs.spend.has_value());
  Workspace workspace(analytics_source(p));
  const CacResult r = run_cac(workspace, options, inputs);
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_FALSE(r.margin_source.empty());
  // Independently: each customer's first purchase month (transactions.csv) and acquisition
  // channel (customers.csv).
  const Table tx = read_table((retailer() / "transactions.csv").string());
  std::map<std::string, std::string> first_day;
  for (std::size_t i = 0; i < tx.rows(); ++i) {
    const std::string& id = tx.column("customer_id")[i];
    const std::string& day = tx.column("date")[i];
    auto [it, fresh] = first_day.try_emplace(id, day);
    if (day < it->second) it->second = day;
  }
  const Table customers = read_table((retailer() / "customers.csv").string());
  std::map<std::pair<std::string, std::string>, std::int64_t> acquired;  // (channel, month)
  for (std::size_t i = 0; i < customers.rows(); ++i) {
    const std::string& id = customers.column("customer_id")[i];
    ++acquired[{customers.column("acquisition_channel")[i], first_day.at(id).substr(0, 7)}];
  }
  const ResultTable& cac = r.tables.front();
  std::size_t checked = 0;
  for (std::size_t row = 0; row < cac.rows(); ++row) {
    const std::string channel = cell(cac, row, "channel"), period = cell(cac, row, "period");
    if (channel == "all" || period == "all") continue;
    const auto it = acquired.find({channel, period});
    EXPECT_EQ(cac.integer(cac.spec().index("new_customers"), row),
              it == acquired.end() ? 0 : it->second)
        << channel << " " << period;
    ++checked;
  }
  EXPECT_GT(checked, 10u);
}

TEST(CacJob, BadParametersAreRefusedNamingTheirKey) {
  Parameters p = retailer_parameters("cac");
  EXPECT_EQ(error_key([&] { cac_options(p); }), "spend");  // required
  p.set("spend", (retailer() / "spend.csv").string());
  p.set("margin_rate", "2");
  EXPECT_EQ(error_key([&] { cac_options(p); }), "margin_rate");
  p.unset("margin_rate");
  Workspace workspace(analytics_source(p));
  EXPECT_EQ(error_key([&] { run_cac(workspace, cac_options(p), AnalyticsInputs{}); }), "spend");
}

// ---- forecast

TEST(ForecastJob, TheHistoryIsTheRawMonthlyRevenueAndEachMethodForecastsTheHorizon) {
  Parameters p = cdnow_parameters("forecast");
  p.set("horizon", "4");
  p.set("method", "historical_average,regression");
  const ForecastJobOptions options = forecast_options(p);
  ASSERT_EQ(options.forecast.methods.size(), 2u);
  Workspace workspace(analytics_source(p));
  const ForecastResult r = run_forecast(workspace, options);
  ASSERT_EQ(r.tables.size(), 3u);
  // CDNOW runs from 1997-01-01 to 1998-06-30: 18 whole months, none left out.
  EXPECT_EQ(r.excluded, "");
  const ResultTable& forecast = r.tables.front();
  EXPECT_EQ(forecast.name(), "forecast");
  double history = 0;
  std::size_t months = 0;
  std::map<std::string, std::size_t> forecasts;  // method/series -> periods
  for (std::size_t row = 0; row < forecast.rows(); ++row) {
    if (cell(forecast, row, "kind") == "history") {
      if (cell(forecast, row, "series") != "revenue") continue;
      history += forecast.real(forecast.spec().index("value"), row);
      ++months;
    } else {
      ++forecasts[cell(forecast, row, "method") + "/" + cell(forecast, row, "series")];
    }
  }
  EXPECT_EQ(months, 18u);
  EXPECT_NEAR(history, cdnow_totals().revenue, 1e-3);
  const std::map<std::string, std::size_t> expected{{"historical_average/revenue", 4},
                                                    {"historical_average/active_customers", 4},
                                                    {"regression/revenue", 4},
                                                    {"regression/active_customers", 4}};
  EXPECT_EQ(forecasts, expected);
}

TEST(ForecastJob, BadParametersAreRefusedNamingTheirKey) {
  Parameters p = cdnow_parameters("forecast");
  p.set("method", "cohort,crystal_ball");
  EXPECT_EQ(error_key([&] { forecast_options(p); }), "method");
  p.unset("method");
  p.set("horizon", "0");
  EXPECT_EQ(error_key([&] { forecast_options(p); }), "horizon");
  p.set("horizon", "1.5");
  EXPECT_EQ(error_key([&] { forecast_options(p); }), "horizon");
  p.unset("horizon");
  p.set("holdout", "17");  // 18 months leave one to fit
  Workspace workspace(analytics_source(p));
  EXPECT_EQ(error_key([&] { run_forecast(workspace, forecast_options(p)); }), "holdout");
}

// ---- compare

TEST(CompareJob, LoyaltyMembersAverageCheckCoversTheSimulatorsFactor) {
  Parameters p = retailer_parameters("compare");
  p.set("groups", (retailer() / "customers.csv").string());
  p.set("group_column", "loyalty_member");
  p.set("a", "1");
  p.set("b", "0");
  p.set("name_a", "members");
  p.set("name_b", "non-members");
  Workspace workspace(analytics_source(p));
  const CompareResult r = run_compare(workspace, compare_options(p), read_analytics_inputs(p));
  ASSERT_EQ(r.tables.size(), 1u);
  const ResultTable& compare = r.tables.front();
  EXPECT_EQ(r.sentences.size(), compare.rows());
  const Table customers = read_table((retailer() / "customers.csv").string());
  std::int64_t members = 0;
  for (const auto& v : customers.column("loyalty_member")) members += v == "1";
  bool found = false;
  for (std::size_t row = 0; row < compare.rows(); ++row) {
    EXPECT_EQ(cell(compare, row, "group_a"), "members");
    EXPECT_EQ(compare.integer(compare.spec().index("customers_a"), row), members);
    EXPECT_EQ(compare.integer(compare.spec().index("customers_b"), row),
              static_cast<std::int64_t>(customers.rows()) - members);
    if (cell(compare, row, "metric") != "average_check") continue;
    found = true;
    // The simulator multiplies members' order values by 1.25 (SimulationOptions::loyalty_factor)
    // and nothing else: the interval of the relative difference covers 0.25.
    EXPECT_LE(compare.real(compare.spec().index("relative_low"), row), 0.25);
    EXPECT_GE(compare.real(compare.spec().index("relative_high"), row), 0.25);
  }
  EXPECT_TRUE(found);
}

TEST(CompareJob, BadParametersAreRefusedNamingTheirKey) {
  Parameters p = retailer_parameters("compare");
  p.set("a", "app");
  p.set("b", "store");
  EXPECT_EQ(error_key([&] { compare_options(p); }), "by");  // neither by nor groups
  p.set("by", "channel");
  p.set("groups", "customers.csv");
  EXPECT_EQ(error_key([&] { compare_options(p); }), "by");  // both
  p.unset("groups");
  p.set("bootstrap", "10");
  EXPECT_EQ(error_key([&] { compare_options(p); }), "bootstrap");
  p.unset("bootstrap");
  p.set("seed", "-1");
  EXPECT_EQ(error_key([&] { compare_options(p); }), "seed");
  p.set("seed", "18446744073709551615");  // read exactly, beyond a double's 53 bits
  EXPECT_EQ(compare_options(p).compare.seed, 18446744073709551615ULL);
  p.unset("seed");
  p.unset("a");
  EXPECT_EQ(error_key([&] { compare_options(p); }), "a");
  p.set("a", "kiosk");  // no customer has it
  Workspace workspace(analytics_source(p));
  EXPECT_EQ(error_key([&] { run_compare(workspace, compare_options(p)); }), "a");
}

}  // namespace
}  // namespace ltv
