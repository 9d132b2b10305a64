// Identification and boundary diagnostics of count-model fits, and the model choice that prefers
// identified fits (include/ltv/models/diagnostics.hpp, docs/models.md "Identification").
// Reference: BG/NBD on the CDNOW sample (lifetimes: r = 0.243, alpha = 4.414, a = 0.793,
// b = 2.426; ../shared/data/README.md), an interior optimum with a regular Hessian.
#include "ltv/models/diagnostics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "csv_table.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/pareto_nbd.hpp"
#include "ltv/models/selection.hpp"
#include "test_data.hpp"

namespace {

using ltv::FitIssueKind;
using ltv::Identification;

ltv::RfmPatterns cdnow_patterns() {
  const auto t = ltv::test::read_csv(ltv::test::shared_data("cdnow/cdnow_customers_summary.csv"));
  return ltv::compress_patterns(t.numbers("frequency"), t.numbers("recency"), t.numbers("T"));
}

bool has_issue(const ltv::FitDiagnosis& d, FitIssueKind kind) {
  return std::any_of(d.issues.begin(), d.issues.end(),
                     [kind](const ltv::FitIssue& i) { return i.kind == kind; });
}

/// Customers who buy (Poisson, Gamma-distributed rates) and never drop out: Pareto/NBD with a
/// mean dropout rate s / beta = 1e-7 per week, 1,500 customers observed 10 to 78 weeks.
ltv::RfmPatterns no_dropout_patterns() {
  std::vector<double> T(1500);
  for (std::size_t i = 0; i < T.size(); ++i) T[i] = 10.0 + static_cast<double>(i % 69);
  return ltv::pareto_nbd::simulate({0.8, 10.0, 1.0, 1e7}, T, 2024);
}

TEST(FitDiagnostics, CdnowSampleBgNbdIsIdentified) {
  const auto patterns = cdnow_patterns();
  const auto fit = ltv::bg_nbd::fit(patterns);
  EXPECT_NEAR(fit.estimates[2], 0.793, 0.001);  // the published fit
  const auto d = ltv::diagnose_count_fit(fit, patterns);
  EXPECT_EQ(d.verdict, Identification::identified) << d.reason;
  EXPECT_TRUE(d.identified());
  EXPECT_TRUE(d.issues.empty());
  EXPECT_TRUE(d.reason.empty()) << d.reason;
  EXPECT_TRUE(std::isfinite(d.condition_number));
  EXPECT_GT(d.condition_number, 1.0);
  // a / (a + b) of the fit, and P(alive) that varies across customers.
  EXPECT_NEAR(d.mean_dropout, fit.estimates[2] / (fit.estimates[2] + fit.estimates[3]), 1e-12);
  EXPECT_LT(d.share_p_alive_near_one, 0.95);
  EXPECT_GT(d.mean_p_alive, 0.0);
  EXPECT_LT(d.mean_p_alive, 1.0);
}

TEST(FitDiagnostics, DataWithoutDropoutIsNotIdentifiedForEveryModel) {
  const auto patterns = no_dropout_patterns();
  for (const char* name : {"bgnbd", "mbgnbd", "pnbd"}) {
    const auto fit = ltv::FittedCountModel::fit(name, patterns).result();
    const auto d = ltv::diagnose_count_fit(fit, patterns);
    EXPECT_EQ(d.verdict, Identification::not_identified) << name << ": " << d.reason;
    EXPECT_TRUE(has_issue(d, FitIssueKind::dropout_not_identified)) << name << ": " << d.reason;
    EXPECT_LT(d.dropout_share, 0.01) << name;
    EXPECT_NE(d.reason.find("cannot tell dropout from slow buying"), std::string::npos) << name;
  }
}

TEST(FitDiagnostics, ParameterAtTheBoundOrDivergingAloneBlocks) {
  const auto patterns = cdnow_patterns();
  const auto fit = ltv::bg_nbd::fit(patterns);

  auto at_bound = fit;
  at_bound.estimates[3] = std::exp(25.0);  // b at the optimizer's box
  const auto d1 = ltv::diagnose_count_fit(at_bound, patterns);
  EXPECT_EQ(d1.verdict, Identification::not_identified);
  ASSERT_TRUE(has_issue(d1, FitIssueKind::parameter_at_bound)) << d1.reason;
  const auto bound_issue = *std::find_if(d1.issues.begin(), d1.issues.end(), [](const auto& i) {
    return i.kind == FitIssueKind::parameter_at_bound;
  });
  EXPECT_EQ(bound_issue.parameters, "b");
  EXPECT_TRUE(bound_issue.blocking);

  auto diverging = fit;
  diverging.estimates[1] = 1e-7;  // alpha alone
  const auto d2 = ltv::diagnose_count_fit(diverging, patterns);
  EXPECT_EQ(d2.verdict, Identification::not_identified);
  EXPECT_TRUE(has_issue(d2, FitIssueKind::parameter_diverging)) << d2.reason;
  EXPECT_FALSE(has_issue(d2, FitIssueKind::parameter_at_bound));
}

TEST(FitDiagnostics, NotConvergedOrSingularHessian) {
  const auto patterns = cdnow_patterns();
  const auto fit = ltv::bg_nbd::fit(patterns);

  auto stopped = fit;
  stopped.converged = false;
  stopped.message = "did not converge (NLOPT_MAXEVAL_REACHED)";
  const auto d1 = ltv::diagnose_count_fit(stopped, patterns);
  EXPECT_EQ(d1.verdict, Identification::not_identified);
  EXPECT_TRUE(has_issue(d1, FitIssueKind::not_converged));
  EXPECT_NE(d1.reason.find("NLOPT_MAXEVAL_REACHED"), std::string::npos) << d1.reason;

  auto singular = fit;
  singular.hessian_singular = true;
  singular.log_covariance.clear();
  singular.std_errors.clear();
  const auto d2 = ltv::diagnose_count_fit(singular, patterns);
  EXPECT_EQ(d2.verdict, Identification::weakly_identified) << d2.reason;
  EXPECT_TRUE(has_issue(d2, FitIssueKind::singular_hessian));
  EXPECT_TRUE(std::isinf(d2.condition_number));

  // A covariance with one direction 1e9 times narrower than the others: ill-conditioned.
  auto ill = fit;
  ill.log_covariance.assign(16, 0.0);
  for (int i = 0; i < 4; ++i) ill.log_covariance[5 * i] = i == 3 ? 1e-11 : 1e-2;
  const auto d3 = ltv::diagnose_count_fit(ill, patterns);
  EXPECT_TRUE(has_issue(d3, FitIssueKind::ill_conditioned_hessian)) << d3.reason;
  EXPECT_NEAR(d3.condition_number, 1e9, 1e3);
  EXPECT_EQ(d3.verdict, Identification::weakly_identified);
}

TEST(FitDiagnostics, RejectsOtherModelsAndEmptyPatterns) {
  ltv::FitResult gg;
  gg.model = "gg";
  gg.names = {"p", "q", "gamma"};
  gg.estimates = {6.25, 3.74, 15.44};
  EXPECT_THROW(ltv::diagnose_count_fit(gg, cdnow_patterns()), ltv::ModelError);
  const auto fit = ltv::bg_nbd::fit(cdnow_patterns());
  EXPECT_THROW(ltv::diagnose_count_fit(fit, ltv::RfmPatterns{}), ltv::InputError);
  EXPECT_EQ(ltv::to_string(Identification::weakly_identified), "weakly_identified");
  EXPECT_EQ(ltv::to_string(FitIssueKind::degenerate_p_alive), "degenerate_p_alive");
}

TEST(ModelChoice, AnIdentifiedFirstChoiceNeedsOneFit) {
  const std::vector<std::string> preference{"bgnbd", "pnbd"};
  const auto choice = ltv::choose_identified_model(preference, cdnow_patterns());
  EXPECT_EQ(choice.model, "bgnbd");
  EXPECT_FALSE(choice.regularised);
  EXPECT_EQ(choice.l2_penalty, 0.0);
  EXPECT_EQ(choice.tried.size(), 1u);
  EXPECT_TRUE(choice.p_alive_measured());
  EXPECT_EQ(choice.headline, "bgnbd (identified)");
}

TEST(ModelChoice, WithoutDropoutTheFirstModelIsPenalisedAndTheResultSaysSo) {
  const auto patterns = no_dropout_patterns();
  const std::vector<std::string> preference{"bgnbd", "mbgnbd", "pnbd"};
  ltv::ModelChoiceOptions options;
  const auto choice = ltv::choose_identified_model(preference, patterns, options);
  ASSERT_GE(choice.tried.size(), 4u);  // three plain fits, then at least one penalised
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(choice.tried[k].l2_penalty, 0.0);
    EXPECT_EQ(choice.tried[k].diagnosis.verdict, Identification::not_identified)
        << choice.tried[k].model;
  }
  EXPECT_EQ(choice.model, "bgnbd");  // no holdout: the first model is penalised
  EXPECT_TRUE(choice.regularised);
  // The penalty is one of the documented ladder, scaled by the customers.
  bool on_ladder = false;
  for (double c : options.penalty_per_customer)
    on_ladder = on_ladder || std::abs(choice.l2_penalty - c * patterns.customers()) < 1e-9;
  EXPECT_TRUE(on_ladder) << choice.l2_penalty;
  EXPECT_NE(choice.reason.find("L2 penalty"), std::string::npos) << choice.reason;
  EXPECT_NE(choice.reason.find("not measured from the data alone"), std::string::npos)
      << choice.reason;
  if (choice.p_alive_measured()) {
    EXPECT_NE(choice.headline.find("penalised"), std::string::npos) << choice.headline;
  } else {
    EXPECT_NE(choice.headline.find("not a measurement"), std::string::npos) << choice.headline;
  }
}

TEST(ModelChoice, BadArguments) {
  const auto patterns = cdnow_patterns();
  EXPECT_THROW(ltv::choose_identified_model({}, patterns), ltv::InputError);
  const std::vector<std::string> unknown{"nbd"};
  EXPECT_THROW(ltv::choose_identified_model(unknown, patterns), ltv::InputError);
  ltv::ModelChoiceOptions bad;
  bad.penalty_per_customer = {0.01, -1};
  const std::vector<std::string> one{"bgnbd"};
  EXPECT_THROW(ltv::choose_identified_model(one, patterns, bad), ltv::InputError);
  ltv::CustomerSummary no_holdout;
  EXPECT_THROW(ltv::choose_identified_model(one, patterns, {}, &no_holdout), ltv::InputError);
}

TEST(ModelChoice, HoldoutPreferenceOrdersConvergedByErrorThenTheRest) {
  std::vector<ltv::HoldoutScore> scores(4);
  scores[0].model = "bgnbd";
  scores[0].fit.converged = true;
  scores[0].mae = 0.9;
  scores[1].model = "mbgnbd";
  scores[1].fit.converged = false;
  scores[1].mae = 0.1;
  scores[2].model = "pnbd";
  scores[2].fit.converged = true;
  scores[2].mae = 0.5;
  scores[3].model = "bgbb";
  scores[3].error = "failed";
  EXPECT_EQ(ltv::holdout_preference(scores),
            (std::vector<std::string>{"pnbd", "bgnbd", "mbgnbd", "bgbb"}));
}

ltv::TransactionLog complete_journey() {
  ltv::LoadOptions o;
  o.columns.customer = "household_id";
  o.columns.date = "transaction_timestamp";
  o.columns.amount = "sales_value";
  o.columns.quantity = "quantity";
  o.columns.order = "basket_id";
  ltv::LoadReport report;
  return ltv::load_transactions(
      ltv::test::shared_data("completejourney/transactions_sample.csv.gz").string(), o, report);
}

// Complete Journey (2,377 households, one year, README): Pareto/NBD's s and beta run off
// together, the homogeneous-dropout limit: usable, but the spread of dropout is not identified.
// BG/NBD on the same data has an interior optimum.
TEST(ModelChoice, CompleteJourneyParetoNbdIsAHomogeneousLimitSoBgNbdIsPreferred) {
  const auto summary = ltv::summarize(complete_journey(), ltv::SummaryOptions{});
  ASSERT_EQ(summary.size(), 2377u);  // README: 2,377 households
  const auto patterns = ltv::summary_patterns(summary);
  const std::vector<std::string> preference{"pnbd", "bgnbd"};
  const auto choice = ltv::choose_identified_model(preference, patterns);
  ASSERT_EQ(choice.tried.size(), 2u);
  const auto& pnbd = choice.tried[0].diagnosis;
  EXPECT_EQ(pnbd.verdict, Identification::weakly_identified) << pnbd.reason;
  EXPECT_TRUE(has_issue(pnbd, FitIssueKind::homogeneous_limit)) << pnbd.reason;
  EXPECT_GT(choice.tried[0].fit.estimates[2], 1e6);  // s
  EXPECT_GT(choice.tried[0].fit.estimates[3], 1e6);  // beta
  EXPECT_EQ(choice.model, "bgnbd");
  EXPECT_EQ(choice.diagnosis.verdict, Identification::identified) << choice.diagnosis.reason;
  EXPECT_FALSE(choice.regularised);
  EXPECT_NE(choice.reason.find("(pnbd weakly_identified)"), std::string::npos) << choice.reason;
}

// Online Retail (4,339 customers with a purchase, README / issue 25): every count model's best
// fit has almost no dropout, so P(alive) >= 0.5 held for all 4,339 customers. The choice with the
// holdout used by `ltv analyze` (last quarter of the days) is a penalised fit that says so, and
// "likely active" is no longer everyone.
TEST(ModelChoice, OnlineRetailPlainFitsAreNotIdentifiedAndThePenalisedChoiceIsSlow) {
  ltv::LoadOptions o;
  o.columns.customer = "CustomerID";
  o.columns.date = "InvoiceDate";
  o.columns.order = "InvoiceNo";
  o.columns.quantity = "Quantity";
  o.columns.price = "UnitPrice";
  ltv::LoadReport report;
  const auto log = ltv::load_transactions(
      ltv::test::shared_data("online_retail/online_retail.csv.gz").string(), o, report);
  const auto summary = ltv::summarize(log, ltv::SummaryOptions{});
  ASSERT_EQ(summary.size(), 4339u);
  const auto [lo, hi] = std::minmax_element(log.day.begin(), log.day.end());
  ltv::SummaryOptions split;
  split.calibration_end = *hi - static_cast<std::int32_t>(std::lround((*hi - *lo) * 0.25));
  const auto calibration = ltv::summarize(log, split);
  std::vector<std::string> models;
  for (auto name : ltv::count_model_names()) models.emplace_back(name);
  const auto preference = ltv::holdout_preference(ltv::compare_on_holdout(calibration, models));
  const auto patterns = ltv::summary_patterns(summary);
  const auto choice = ltv::choose_identified_model(preference, patterns, {}, &calibration);

  ASSERT_GE(choice.tried.size(), 4u);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto& d = choice.tried[k].diagnosis;
    EXPECT_EQ(d.verdict, Identification::not_identified) << choice.tried[k].model;
    EXPECT_TRUE(has_issue(d, FitIssueKind::dropout_not_identified)) << d.reason;
    EXPECT_TRUE(has_issue(d, FitIssueKind::degenerate_p_alive)) << d.reason;
  }
  EXPECT_TRUE(choice.regularised);
  EXPECT_TRUE(choice.p_alive_measured()) << choice.reason;
  EXPECT_NE(choice.diagnosis.verdict, Identification::not_identified) << choice.diagnosis.reason;
  EXPECT_EQ(choice.penalty_scores.size(), 9u);  // 3 models x 3 penalties on the holdout
  // The chosen (model, penalty) has the lowest holdout error among the qualifying ones.
  double best = INFINITY;
  for (const auto& s : choice.penalty_scores)
    if (s.error.empty() && s.calibration_verdict != Identification::not_identified)
      best = std::min(best, s.holdout_mae);
  for (const auto& s : choice.penalty_scores) {
    if (s.model == choice.model &&
        std::abs(s.penalty_per_customer * patterns.customers() - choice.l2_penalty) < 1e-9) {
      EXPECT_EQ(s.holdout_mae, best);
    }
  }
  const ltv::FittedCountModel model(choice.fit);
  std::size_t likely_active = 0;
  for (std::size_t i = 0; i < summary.size(); ++i)
    likely_active += model.p_alive(summary.frequency[i], summary.recency[i], summary.T[i]) >= 0.5;
  EXPECT_LT(likely_active, summary.size());
  EXPECT_NE(choice.headline.find("the data alone do not identify dropout"), std::string::npos)
      << choice.headline;
}

}  // namespace
