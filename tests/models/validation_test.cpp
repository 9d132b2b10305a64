// Model validation (ltv/models/validation.hpp) on CDNOW: the actual weekly tracking must equal
// BTYD's cdnowSummary$cu.tracking (../shared/data/README.md, section 1); the expected cumulative
// curve of BG/NBD (Fader, Hardie & Lee 2005, fig. 3; BTYD bgnbd.ExpectedCumulativeTransactions)
// must equal an independent mpmath computation (tests/reference/make_validation_reference.py,
// values in tests/reference/cdnow_bgnbd_cumulative.csv).
#include "ltv/models/validation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "csv_table.hpp"
#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "test_data.hpp"

namespace {

using namespace ltv;

TransactionLog cdnow_log() {
  LoadOptions o;
  o.columns.customer = "2";
  o.columns.date = "3";
  o.columns.amount = "5";
  o.csv.has_header = false;
  LoadReport report;
  return load_transactions(test::shared_data("cdnow/CDNOW_sample.txt").string(), o, report);
}

CustomerSummary cdnow_summary(const TransactionLog& log) {
  SummaryOptions so;
  so.calibration_end = parse_date("1997-09-30");
  so.observation_end = parse_date("1998-06-30");
  return summarize(log, so);
}

FitResult bgnbd_result(double r, double alpha, double a, double b) {
  FitResult f;
  f.model = "bgnbd";
  f.names = {"r", "alpha", "a", "b"};
  f.estimates = {r, alpha, a, b};
  return f;
}

TEST(Validation, CdnowPeriodsAreSeventyEightWeeks) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const TrackingPeriods p = tracking_periods(summary);
  ASSERT_EQ(p.size(), 78u);
  EXPECT_EQ(p.calibration_periods, 39u);  // week 39 ends on 1997-09-30
  EXPECT_EQ(format_date(p.start_day), "1997-01-01");
  EXPECT_EQ(format_date(p.start[39]), "1997-10-01");
  EXPECT_DOUBLE_EQ(p.end_time.back(), 78.0);
}

TEST(Validation, CdnowActualTrackingEqualsBtydCuTracking) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const TrackingPeriods p = tracking_periods(summary);
  const auto actual = actual_repeat_transactions(log, summary, p);
  const auto btyd = test::read_csv(test::shared_data("cdnow/cdnowSummary_cu_tracking.csv"));
  const auto weeks = btyd.numbers("week");
  const auto cumulative = btyd.numbers("cum_transactions");
  ASSERT_EQ(actual.size(), cumulative.size());
  double sum = 0;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    sum += actual[k];
    EXPECT_EQ(weeks[k], static_cast<double>(k + 1));
    EXPECT_EQ(sum, cumulative[k]) << "week " << k + 1;
  }
  EXPECT_EQ(sum, 4339.0);
}

TEST(Validation, ActualTrackingAddsUpToSummaryFrequencies) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const TrackingPeriods p = tracking_periods(summary);
  const auto actual = actual_repeat_transactions(log, summary, p);
  double calibration = 0, holdout = 0, frequency = 0, frequency_holdout = 0;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    (k < p.calibration_periods ? calibration : holdout) += actual[k];
  }
  for (std::size_t i = 0; i < summary.size(); ++i) {
    frequency += summary.frequency[i];
    frequency_holdout += summary.frequency_holdout[i];
  }
  EXPECT_EQ(calibration, frequency);
  EXPECT_EQ(calibration, 2457.0);  // ../shared/data/README.md
  EXPECT_EQ(holdout, frequency_holdout);
  EXPECT_EQ(holdout, 1882.0);
}

TEST(Validation, BgNbdExpectedCumulativeMatchesMpmathReference) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const TrackingPeriods p = tracking_periods(summary);
  const FittedCountModel model(bgnbd_result(0.242593, 4.413599, 0.792920, 2.425934));
  const auto expected = expected_cumulative_transactions(model, summary, p);
  const auto ref = test::read_csv(std::filesystem::path(LTV_TEST_SOURCE_DIR) /
                                  "reference/cdnow_bgnbd_cumulative.csv");
  const auto values = ref.numbers("expected_cumulative");
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    EXPECT_NEAR(expected[k], values[k], 1e-9 * values[k]) << "week " << k + 1;
  }
}

TEST(Validation, ConditionalBucketsAddUpToHoldoutTotals) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const FittedCountModel model(bgnbd_result(0.242593, 4.413599, 0.792920, 2.425934));
  const auto rows = conditional_by_frequency(model, summary, 7);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows.back().label, "7+");
  EXPECT_EQ(rows.front().label, "0");
  double customers = 0, actual = 0, expected = 0, expected_direct = 0;
  for (const auto& row : rows) {
    customers += static_cast<double>(row.customers);
    actual += row.actual_mean * static_cast<double>(row.customers);
    expected += row.expected_mean * static_cast<double>(row.customers);
  }
  const BgNbdParams params{0.242593, 4.413599, 0.792920, 2.425934};
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < summary.size(); ++i) {
    expected_direct += bg_nbd::conditional_expected_transactions(params, 39.0, summary.frequency[i],
                                                                 summary.recency[i], summary.T[i]);
    zeros += summary.frequency[i] == 0;
  }
  EXPECT_EQ(customers, 2357.0);
  EXPECT_EQ(rows[0].customers, zeros);
  EXPECT_NEAR(actual, 1882.0, 1e-9);
  EXPECT_NEAR(expected, expected_direct, 1e-9 * expected_direct);
  // Conditional expectations grow with calibration frequency on CDNOW (FHL 2005, fig. 5).
  for (std::size_t b = 1; b < rows.size(); ++b) {
    EXPECT_GT(rows[b].expected_mean, rows[b - 1].expected_mean) << b;
  }
}

TEST(Validation, CdnowReportComparesAllModels) {
  const auto log = cdnow_log();
  const auto summary = cdnow_summary(log);
  const ValidationReport report = validate(log, summary);
  ASSERT_EQ(report.models.size(), 3u);
  EXPECT_EQ(report.customers, 2357u);
  EXPECT_DOUBLE_EQ(report.duration_holdout, 39.0);
  const double n = 2357;
  for (const auto& m : report.models) {
    ASSERT_TRUE(m.score.error.empty()) << m.score.model << ": " << m.score.error;
    EXPECT_TRUE(m.score.fit.converged) << m.score.model;
    EXPECT_EQ(m.parameters, 4u);
    const double ll = m.score.fit.log_likelihood;
    EXPECT_NEAR(m.aic, 8 - 2 * ll, 1e-9);
    EXPECT_NEAR(m.score.bic, 4 * std::log(n) - 2 * ll, 1e-9);
    EXPECT_EQ(m.score.actual_total, 1882.0);
    EXPECT_NEAR(m.aggregate_error_pct, 100 * (m.score.expected_total - 1882.0) / 1882.0, 1e-9);
    EXPECT_GT(m.score.rmse, m.score.mae);
  }
  // Published calibration LLs: BG/NBD -9582.4 (FHL 2005), Pareto/NBD -9595.0 (FHL 2005).
  EXPECT_NEAR(report.models[0].score.fit.log_likelihood, -9582.4, 0.05);
  EXPECT_NEAR(report.models[2].score.fit.log_likelihood, -9595.0, 0.05);
  ASSERT_EQ(report.tracking.size(), 3u * 78u);
  ASSERT_EQ(report.conditional.size(), 3u * 8u);
  ASSERT_LT(report.best, 3u);
  for (std::size_t m = 0; m < 3; ++m) {
    const auto& last = report.tracking[m * 78 + 77];
    EXPECT_EQ(last.actual_cumulative, 4339.0);
    EXPECT_TRUE(last.holdout);
    EXPECT_FALSE(report.tracking[m * 78 + 38].holdout);
    // BG/NBD and Pareto/NBD track CDNOW's cumulative repeat purchases within 5% at week 78
    // (FHL 2005, fig. 3); MBG/NBD (index 1) predicts fewer (its zero-repeaters may drop out).
    if (m != 1) {
      EXPECT_NEAR(last.expected_cumulative, 4339.0, 0.05 * 4339.0) << report.models[m].score.model;
    }
    // Per-period expectations are increments of a nondecreasing curve that starts at 0.
    double previous = 0;
    for (std::size_t k = 0; k < 78; ++k) {
      const auto& row = report.tracking[m * 78 + k];
      EXPECT_GE(row.expected_cumulative, previous) << report.models[m].score.model << " " << k;
      previous = row.expected_cumulative;
    }
  }
  // Information criteria of BG/NBD from the published LL -9582.43 (FHL 2005), 4 parameters,
  // 2,357 customers: AIC = 8 + 19164.85, BIC = 4 ln 2357 + 19164.85.
  EXPECT_NEAR(report.models[0].aic, 19172.85, 0.01);
  EXPECT_NEAR(report.models[0].score.bic, 19195.91, 0.01);
}

TEST(Validation, CountsReturnsAndSameDayPurchasesLikeTheSummary) {
  // Customer A: first day 0, repeat on day 3 twice (one day), a return on day 9, repeat day 10.
  // Customer B: first day 2 (born in period 1), repeat day 8 and holdout day 15; C: first in
  // the holdout (not in the summary).
  TransactionLog log;
  log.customer_ids = {"A", "B", "C"};
  log.customer = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
  log.day = {0, 3, 3, 9, 10, 2, 8, 15, 14, 16};
  log.amount = {5, 5, 5, -5, 5, 5, 5, 5, 5, 5};
  SummaryOptions so;
  so.time_unit = TimeUnit::week;
  so.calibration_end = 10;
  so.observation_end = 17;
  const auto summary = summarize(log, so);
  ASSERT_EQ(summary.size(), 2u);
  const auto p = tracking_periods(summary);
  ASSERT_EQ(p.size(), 3u);  // days 0-6, 7-13, 14-17 (partial)
  EXPECT_EQ(p.calibration_periods, 2u);
  EXPECT_NEAR(p.end_time[2], 18.0 / 7.0, 1e-12);
  const auto actual = actual_repeat_transactions(log, summary, p);
  EXPECT_EQ(actual, (std::vector<double>{1, 2, 1}));
}

// `ltv predict` relies on CET(t | x, t_x, T) = P(alive | x, t_x, T) CET(t | x, T, T) /
// P(alive | x, T, T) (alive at T, the future depends on x and T only) for every count model.
TEST(Validation, ConditionalExpectationFactorsThroughPAlive) {
  const std::vector<FitResult> models = {bgnbd_result(0.243, 4.414, 0.793, 2.426),
                                         [] {
                                           FitResult f = bgnbd_result(0.525, 6.183, 0.891, 1.614);
                                           f.model = "mbgnbd";
                                           return f;
                                         }(),
                                         [] {
                                           FitResult f = bgnbd_result(0.553, 10.578, 0.606, 11.669);
                                           f.model = "pnbd";
                                           f.names = {"r", "alpha", "s", "beta"};
                                           return f;
                                         }(),
                                         [] {
                                           FitResult f = bgnbd_result(1.204, 0.750, 0.657, 2.783);
                                           f.model = "bgbb";
                                           f.names = {"alpha", "beta", "gamma", "delta"};
                                           return f;
                                         }()};
  for (const auto& fit : models) {
    const FittedCountModel m(fit);
    const bool discrete = fit.model == "bgbb";
    for (const double x : {1.0, 2.0, 5.0}) {
      const double T = discrete ? 6.0 : 38.86;
      for (const double t_x :
           discrete ? std::vector<double>{x, 5.0} : std::vector<double>{0.5, 12.0, 30.43}) {
        const double t = discrete ? 5.0 : 39.0;
        const double direct = m.conditional_expected_transactions(t, x, t_x, T);
        const double factored = m.p_alive(x, t_x, T) *
                                m.conditional_expected_transactions(t, x, T, T) /
                                m.p_alive(x, T, T);
        EXPECT_NEAR(factored, direct, 1e-10 * direct) << fit.model << " " << x << " " << t_x;
      }
    }
  }
}

TEST(Validation, RefusesSummaryWithoutHoldout) {
  TransactionLog log;
  log.customer_ids = {"A"};
  log.customer = {0, 0};
  log.day = {0, 5};
  const auto summary = summarize(log, SummaryOptions{});
  EXPECT_THROW(validate(log, summary), InputError);
}

}  // namespace
