#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "analytics_fixture.hpp"
#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/compare.hpp"
#include "ltv/analytics/forecast.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace {

using test::make_log;

const CacRow& find(const CacReport& r, const std::string& channel, const std::string& period) {
  for (const CacRow& row : r.rows)
    if (row.channel == channel && row.period == period) return row;
  ADD_FAILURE() << "no row " << channel << " " << period;
  static CacRow none;
  return none;
}

TEST(Cac, EqualsSpendOverNewCustomersOnConstructedCase) {
  // web acquires A, B in Jan; store acquires C in Feb; D has no channel; tv spends but acquires
  // nobody.
  const auto log = make_log({{"A", "2020-01-05", 100, "o1", "web"},
                             {"B", "2020-01-10", 40, "o2", "web"},
                             {"A", "2020-02-05", 100, "o3", "store"},
                             {"C", "2020-02-01", 300, "o4", "store"},
                             {"D", "2020-02-03", 10, "o5", ""}});
  SpendTable spend;
  spend.channel = {"web", "store", "tv", "web"};
  spend.period_index = {
      parse_period("2020-01", PeriodUnit::month), parse_period("2020-02", PeriodUnit::month),
      parse_period("2020-01", PeriodUnit::month), parse_period("2020-01", PeriodUnit::month)};
  spend.spend = {120, 150, 500, 30};  // web Jan spend is 120 + 30
  CacOptions o;
  o.margin = 0.5;
  const CacReport r = compute_cac(log, spend, o);
  const CacRow& web = find(r, "web", "2020-01");
  EXPECT_EQ(web.new_customers, 2);
  EXPECT_DOUBLE_EQ(web.spend, 150);
  ASSERT_TRUE(web.cac);
  EXPECT_DOUBLE_EQ(*web.cac, 150.0 / 2);
  // Margin of A and B to date: (100 + 40 + 100) * 0.5 = 120 -> 60 per customer.
  EXPECT_DOUBLE_EQ(web.margin_attributable, 120);
  EXPECT_DOUBLE_EQ(*web.ltv_cac_historical, 60.0 / 75);
  EXPECT_DOUBLE_EQ(*web.romi, (120.0 - 150) / 150);
  EXPECT_FALSE(web.payback_periods);  // 35 after Jan, 60 after Feb: never reaches 75
  const CacRow& store = find(r, "store", "2020-02");
  EXPECT_DOUBLE_EQ(*store.cac, 150);
  EXPECT_EQ(store.payback_periods, 1);  // 150 margin in the first month
  const CacRow& tv = find(r, "tv", "2020-01");
  EXPECT_FALSE(tv.cac);
  EXPECT_EQ(tv.note, "spend but no new customers");
  EXPECT_DOUBLE_EQ(*tv.romi, -1);
  const CacRow& unknown = find(r, "(unknown)", "2020-02");
  EXPECT_EQ(unknown.new_customers, 1);
  EXPECT_EQ(unknown.note, "customers with an unknown channel");
  const CacRow& total = find(r, "all", "all");
  EXPECT_DOUBLE_EQ(total.spend, 800);
  EXPECT_EQ(total.new_customers, 4);
  EXPECT_DOUBLE_EQ(*total.cac, 200);
}

TEST(Cac, UsesPredictedLtvWhenGiven) {
  const auto log =
      make_log({{"A", "2020-01-05", 100, "o1", "web"}, {"B", "2020-01-10", 40, "o2", "web"}});
  SpendTable spend;
  spend.channel = {"web"};
  spend.period_index = {parse_period("2020-01", PeriodUnit::month)};
  spend.spend = {100};
  CacOptions o;
  o.predicted_ltv = {300, std::nan("")};
  const CacReport r = compute_cac(log, spend, o);
  const CacRow& web = find(r, "web", "2020-01");
  EXPECT_DOUBLE_EQ(*web.predicted_ltv, 300);
  EXPECT_DOUBLE_EQ(*web.ltv_cac_predicted, 300.0 / 50);
  spend.spend = {-1};
  EXPECT_THROW(compute_cac(log, spend, {}), InputError);
}

TEST(Forecast, SeriesMethodsRecoverExactPatterns) {
  // Linear trend + period-4 season: regression with dummies is exact.
  std::vector<double> y;
  const double season[] = {5, -3, 1, -3};
  for (int t = 0; t < 16; ++t) y.push_back(100 + 2 * t + season[t % 4]);
  const auto reg = forecast_series(y, ForecastMethod::regression, 4, 4, 0, 0);
  for (int h = 0; h < 4; ++h) EXPECT_NEAR(reg[h], 100 + 2 * (16 + h) + season[(16 + h) % 4], 1e-8);
  const auto avg = forecast_series(y, ForecastMethod::historical_average, 2, 4, 0, 0);
  EXPECT_DOUBLE_EQ(avg[0], (y[12] + y[13] + y[14] + y[15]) / 4);
  // Holt-Winters on the same noiseless series forecasts it closely.
  const auto hw = forecast_series(y, ForecastMethod::holt_winters, 4, 4, 0, 0);
  for (int h = 0; h < 4; ++h) EXPECT_NEAR(hw[h], 100 + 2 * (16 + h) + season[(16 + h) % 4], 1.0);
  EXPECT_THROW(parse_forecast_method("crystal_ball"), InputError);
}

TEST(Forecast, CompanyForecastWithBacktestAndPartialPeriod) {
  // One new customer per month for 8 months, each buying 10 every month since; log ends
  // mid-September.
  std::vector<test::Line> lines;
  for (int c = 0; c < 8; ++c)
    for (int m = c; m < 9; ++m) {
      const std::string date =
          fmt::format("2020-{:02}-{:02}", m + 1, m == 8 ? 10 : (m == 0 ? 1 : 15));
      lines.push_back({fmt::format("c{}", c), date, 10, fmt::format("o{}_{}", c, m), "web"});
    }
  ForecastOptions o;
  o.horizon = 2;
  o.holdout = 2;
  o.average_window = 3;
  const ForecastReport r = forecast_company(make_log(lines), o);
  EXPECT_EQ(r.excluded, "2020-09 (partial)");
  ASSERT_EQ(r.revenue.size(), 8u);
  EXPECT_DOUBLE_EQ(r.revenue[7], 80);
  for (const SeriesForecast& f : r.forecasts) {
    EXPECT_EQ(f.forecast.size(), 2u);
    if (f.method == ForecastMethod::cohort && f.series == "active_customers") {
      // Retention is 1 at every age and one customer arrives per month: 9, 10 next.
      EXPECT_NEAR(f.forecast[0], 9, 1e-9);
      EXPECT_NEAR(f.forecast[1], 10, 1e-9);
      EXPECT_NEAR(f.mae, 0, 1e-9);
    }
    if (f.method == ForecastMethod::regression) {
      EXPECT_NEAR(f.mape, 0, 1e-6);  // exact linear growth
    }
  }
  ASSERT_EQ(r.seasonality.size(), 2u);
  EXPECT_FALSE(r.seasonality[0].tested);  // 8 months < 2 seasons
  o.horizon = 0;
  EXPECT_THROW(forecast_company(make_log(lines), o), InputError);
}

TEST(Compare, DifferenceAndIntervalWithDeterministicSeed) {
  // Members spend 150 per order, non-members 100; same dates, so same frequency.
  std::vector<test::Line> lines;
  for (int c = 0; c < 40; ++c) {
    const bool member = c % 2 == 0;
    const std::string id = fmt::format("c{}", c);
    const double amount = member ? 150 + (c % 5) : 100 + (c % 5);
    lines.push_back({id, "2020-01-01", amount, id + "a", member ? "member" : "regular"});
    lines.push_back({id, "2020-06-01", amount, id + "b", member ? "member" : "regular"});
  }
  lines.push_back({"last", "2020-12-31", 1, "z", "regular"});
  const auto log = make_log(lines);
  const auto groups = groups_from_first_purchase(log, "channel");
  CompareOptions o;
  o.bootstrap = 500;
  const CompareReport r = compare_groups(log, groups, "member", "regular", o);
  EXPECT_EQ(r.customers_a, 20);
  EXPECT_EQ(r.customers_b, 21);
  EXPECT_EQ(r.warnings.size(), 2u);  // both groups under 30
  const CompareMetric& check = r.metrics[2];
  EXPECT_EQ(check.metric, "average_check");
  EXPECT_NEAR(check.value_a, 152, 1e-9);
  EXPECT_LT(check.relative_low, check.relative);
  EXPECT_GT(check.relative_high, check.relative);
  EXPECT_GT(check.relative_low, 0.3);
  EXPECT_NE(check.sentence.find("member have"), std::string::npos);
  const CompareReport again = compare_groups(log, groups, "member", "regular", o);
  EXPECT_DOUBLE_EQ(again.metrics[0].relative_low, r.metrics[0].relative_low);
  EXPECT_THROW(compare_groups(log, groups, "member", "vip", o), InputError);
}

}  // namespace
}  // namespace ltv
