// Next-purchase timing fields and campaign uplift against a simulated campaign with known effect.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <unordered_map>

#include "ltv/cvm/actions.hpp"
#include "ltv/cvm/uplift.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

FitResult fit_result(const std::string& model, std::vector<std::string> names,
                     std::vector<double> estimates) {
  FitResult r;
  r.model = model;
  r.names = std::move(names);
  r.estimates = std::move(estimates);
  return r;
}

TEST(CvmTiming, OwnIntervalsBirthdaysAndExpectedNextPurchase) {
  TransactionLog log;
  log.customer_ids = {"a", "b"};
  // a buys every 10 days, then a gap of 30: gaps 10, 10, 10, 30; b buys once.
  for (std::int32_t d : {0, 10, 20, 30, 60}) {
    log.customer.push_back(0);
    log.day.push_back(1000 + d);
  }
  log.customer.push_back(1);
  log.day.push_back(1050);
  SummaryOptions o;
  o.time_unit = TimeUnit::day;
  o.calibration_end = 1075;  // a silent for 15 days
  const CustomerSummary s = summarize(log, o);
  const auto ids = summary_customer_ids(log, s);
  const CivilDate today = civil_from_days(1075);
  const std::int32_t born = days_from_civil(today.year - 30, today.month, today.day) + 3;
  Attributes attributes = align_attributes(ids, std::vector<std::string>{"a", "b"},
                                           {{"birth_date", {format_date(born), "2000-02-29"}}});
  SegmentFields fields(s, nullptr, &attributes, 1075);
  // Contacts: a on days 1060 and 1070; b only after the run day; x is not a customer.
  std::size_t unmatched = 0;
  const ContactHistory contacts =
      align_contacts(ids, std::vector<std::string>{"a", "b", "a", "x"},
                     std::vector<std::int32_t>{1060, 1080, 1070, 1070},
                     std::vector<std::string>{"email", "sms", "phone", "email"}, &unmatched);
  EXPECT_EQ(unmatched, 1u);
  // NPS: a answered 9, then 3 ten days later (the latest counts); b never answered.
  const std::vector<double> nps =
      latest_scores(ids, std::vector<std::string>{"a", "a"}, std::vector<std::int32_t>{1050, 1060},
                    std::vector<double>{9, 3});
  CvmFieldInputs in;
  in.summary = &s;
  in.log = &log;
  in.as_of_day = 1075;
  in.contacts = &contacts;
  in.nps = nps;
  add_cvm_fields(fields, in);
  EXPECT_DOUBLE_EQ(fields.find("days_since_last_contact")->numbers[0], 5);
  EXPECT_TRUE(std::isnan(fields.find("days_since_last_contact")->numbers[1]));
  EXPECT_DOUBLE_EQ(fields.find("nps")->numbers[0], 3);
  EXPECT_TRUE(std::isnan(fields.find("nps")->numbers[1]));
  const auto* group = fields.find("nps_group");
  EXPECT_EQ(group->values[group->codes[0]], "detractor");
  EXPECT_EQ(group->values[group->codes[1]], "");
  auto num = [&](const char* name, std::size_t row) { return fields.find(name)->numbers[row]; };
  EXPECT_DOUBLE_EQ(num("days_since_last_purchase", 0), 15);
  EXPECT_DOUBLE_EQ(num("usual_interval_days", 0), 15);  // 60 days / 4 gaps
  EXPECT_DOUBLE_EQ(num("expected_next_purchase", 0), 1075);
  EXPECT_DOUBLE_EQ(num("days_past_expected", 0), 0);
  EXPECT_TRUE(std::isnan(num("usual_interval_days", 1)));
  // Own gaps longer than the 15-day silence: only the 30-day one, which ends 15 days from now.
  EXPECT_DOUBLE_EQ(num("own_p_purchase_7", 0), 0);
  EXPECT_DOUBLE_EQ(num("own_p_purchase_30", 0), 1);
  EXPECT_TRUE(std::isnan(num("own_p_purchase_30", 1)));  // one purchase: no gaps
  EXPECT_DOUBLE_EQ(num("days_to_birthday", 0), 3);
  const double feb29 = num("days_to_birthday", 1);
  EXPECT_TRUE(std::isfinite(feb29));
  const CivilDate next = civil_from_days(1075 + static_cast<std::int32_t>(feb29));
  EXPECT_EQ(next.month, 2);
  EXPECT_GE(next.year, today.year);
}

TEST(CvmTiming, ModelPurchaseProbabilityIsBoundedAndMatchesSimulation) {
  const FittedCountModel bg(
      fit_result("bgnbd", {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426}));
  const double x = 3, t_x = 20, T = 30;
  double previous = 0;
  for (double t : {1.0, 4.0, 13.0, 52.0}) {
    const double p = bg.probability_of_purchase(t, x, t_x, T);
    EXPECT_GT(p, previous);
    EXPECT_LE(p, bg.p_alive(x, t_x, T));
    previous = p;
  }
  // For a very long window every alive customer buys again.
  EXPECT_NEAR(bg.probability_of_purchase(1e7, x, t_x, T), bg.p_alive(x, t_x, T), 1e-3);

  // Pareto/NBD: compare with a Monte Carlo draw from the posterior given alive.
  const double r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669;
  const FittedCountModel pn(fit_result("pnbd", {"r", "alpha", "s", "beta"}, {r, alpha, s, beta}));
  const double t = 13;
  std::mt19937_64 rng(7);
  std::gamma_distribution<double> lambda(r + x, 1.0 / (alpha + T)), mu(s, 1.0 / (beta + T));
  double sum = 0;
  const int draws = 400000;
  for (int i = 0; i < draws; ++i) {
    const double l = lambda(rng), m = mu(rng);
    sum += l / (l + m) * (1 - std::exp(-(l + m) * t));
  }
  const double expected = pn.p_alive(x, t_x, T) * sum / draws;
  EXPECT_NEAR(pn.probability_of_purchase(t, x, t_x, T), expected, 2e-3);
}

/// Revenue per customer id within [day, day + window).
std::unordered_map<std::string, double> revenue_in_window(const TransactionLog& log,
                                                          std::int32_t day, int window) {
  std::unordered_map<std::string, double> out;
  for (std::size_t k = 0; k < log.size(); ++k)
    if (log.day[k] >= day && log.day[k] < day + window)
      out[log.customer_ids[log.customer[k]]] += log.amount[k];
  return out;
}

TEST(CvmUplift, TrueSimulatedEffectLiesInsideTheInterval) {
  const auto dir = test::temp_dir("cvm_uplift");
  sim::SimulationOptions o;
  o.customers = 20000;
  o.seed = 3;
  o.campaign_day = parse_date("2025-06-01");
  o.campaign_uplift = 1.5;
  sim::simulate_retailer(o, dir);
  const TransactionLog treated_world = sim::simulate_transaction_log(o);
  sim::SimulationOptions none = o;
  none.campaign_uplift = 1.0;  // same customers, same draws, no effect: the counterfactual
  const TransactionLog untreated_world = sim::simulate_transaction_log(none);

  const Table t = read_table((dir / "campaigns.csv").string());
  CampaignLog c;
  c.customer_id = t.column("customer_id");
  c.campaign = t.column("campaign");
  c.day = t.dates("date");
  for (const auto& g : t.column("group")) c.treated.push_back(g == "treated");
  UpliftOptions u;
  u.window_days = 90;
  u.cost_per_treated = 1;
  const auto results = measure_uplift(c, treated_world, u);
  ASSERT_EQ(results.size(), 1u);
  const UpliftResult& r = results[0];

  // True average effect on the treated: their revenue with the campaign minus without it.
  const auto with = revenue_in_window(treated_world, *o.campaign_day, 90);
  const auto without = revenue_in_window(untreated_world, *o.campaign_day, 90);
  double effect = 0;
  std::size_t treated = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (!c.treated[i]) continue;
    ++treated;
    auto a = with.find(c.customer_id[i]);
    auto b = without.find(c.customer_id[i]);
    effect += (a == with.end() ? 0 : a->second) - (b == without.end() ? 0 : b->second);
  }
  effect /= static_cast<double>(treated);
  EXPECT_EQ(r.treated, treated);
  EXPECT_GT(effect, 0);
  EXPECT_LE(r.revenue.lower, effect) << r.verdict;
  EXPECT_GE(r.revenue.upper, effect) << r.verdict;
  EXPECT_TRUE(r.significant) << r.verdict;
  EXPECT_GT(r.response.diff, 0);
  EXPECT_NEAR(r.incremental_revenue, r.revenue.diff * r.treated, 1e-6);
  EXPECT_NEAR(r.romi, (r.incremental_margin - r.cost) / r.cost, 1e-12);

  // Without an effect the interval covers zero for this seed and the verdict says so.
  const auto null_results = measure_uplift(c, untreated_world, u);
  EXPECT_LE(null_results[0].revenue.lower, 0);
  EXPECT_GE(null_results[0].revenue.upper, 0);
  EXPECT_FALSE(null_results[0].significant);
}

// Hand-computed: treated A spends 100 in the window, B nothing; control C spends 20, D nothing.
// Revenue per customer 50 vs 10 (diff 40), margin at a 0.5 share 25 vs 5 (diff 20); incremental
// revenue 40 x 2 = 80, margin 20 x 2 = 40; cost 5 per treated = 10; ROMI (40 - 10) / 10 = 3.
// Purchases outside [day 10, day 40) do not count (days 9, 40 and 45).
TEST(CvmUplift, HandComputedRevenueMarginAndRomi) {
  TransactionLog log;
  log.customer_ids = {"A", "B", "C", "D"};
  log.customer = {0, 0, 1, 2, 3};
  log.day = {12, 45, 9, 20, 40};  // day 40 = window end: outside
  log.amount = {100, 500, 7, 20, 9};
  CampaignLog c;
  c.customer_id = {"A", "B", "C", "D"};
  c.campaign = {"spring", "spring", "spring", "spring"};
  c.day = {10, 10, 10, 10};
  c.treated = {1, 1, 0, 0};
  UpliftOptions u;
  u.window_days = 30;
  u.margin = 0.5;
  u.cost_per_treated = 5;
  const auto results = measure_uplift(c, log, u);
  ASSERT_EQ(results.size(), 1u);
  const UpliftResult& r = results[0];
  EXPECT_DOUBLE_EQ(r.revenue.treated, 50);
  EXPECT_DOUBLE_EQ(r.revenue.control, 10);
  EXPECT_DOUBLE_EQ(r.revenue.diff, 40);
  EXPECT_DOUBLE_EQ(r.margin.diff, 20);
  EXPECT_DOUBLE_EQ(r.response.diff, 0);  // one buyer in each group
  EXPECT_DOUBLE_EQ(r.incremental_revenue, 80);
  EXPECT_DOUBLE_EQ(r.incremental_margin, 40);
  EXPECT_DOUBLE_EQ(r.cost, 10);
  EXPECT_DOUBLE_EQ(r.romi, 3);
}

TEST(CvmUplift, CampaignWithoutControlIsAnInputError) {
  TransactionLog log;
  log.customer_ids = {"a"};
  log.customer = {0};
  log.day = {10};
  log.amount = {5};
  CampaignLog c;
  c.customer_id = {"a"};
  c.campaign = {"x"};
  c.day = {5};
  c.treated = {1};
  EXPECT_THROW(measure_uplift(c, log, UpliftOptions{}), InputError);
}

}  // namespace
}  // namespace ltv
