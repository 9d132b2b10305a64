// Shifted-beta-geometric model: Fader & Hardie (2007), "How to Project Customer Retention",
// Journal of Interactive Marketing 21(1) 76-90. Table 1 of the paper (from Berry & Linoff 2004)
// gives the percentage of two cohorts of 1,000 customers still active after 0..12 years; the
// paper fits the sBG to years 0-7 and projects years 8-12:
//   regular:  gamma = 0.704, delta = 1.182;   high end: gamma = 0.668, delta = 3.806.
// The log-likelihoods at the maximum, -1680.27 (regular) and -1611.16 (high end), are those of an
// independent reimplementation (abdullahau/customer-analytics, sBG notebook, scipy), which also
// finds 0.7041/1.1820 and 0.6678/3.8040.
// These survival numbers are published in the paper and not part of ../shared/data, so they are
// written here with their source.
#include "ltv/models/sbg.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ltv/error.hpp"

namespace {

using ltv::SbgParams;
using ltv::SurvivalCohort;

// FH07 Table 1: % of the cohort still active at the start of years 1..13 (year 0 = 100).
const double kRegular[13] = {100,  63.1, 46.8, 38.2, 32.6, 28.9, 26.2,
                             24.1, 22.3, 20.7, 19.4, 18.3, 17.3};
const double kHighEnd[13] = {100,  86.9, 74.3, 65.3, 59.3, 55.1, 51.7,
                             49.1, 46.8, 44.5, 42.7, 40.9, 39.4};

/// The first `years` + 1 values as counts of 1,000 customers.
SurvivalCohort cohort(const double* pct, int years) {
  SurvivalCohort c;
  for (int t = 0; t <= years; ++t) c.alive.push_back(std::round(pct[t] * 10));
  return c;
}

TEST(Sbg, MatchesPublishedRegularAndHighEndFits) {
  const SurvivalCohort regular[] = {cohort(kRegular, 7)};
  const SurvivalCohort high[] = {cohort(kHighEnd, 7)};
  const auto fr = ltv::sbg::fit(regular);
  const auto fh = ltv::sbg::fit(high);
  ASSERT_TRUE(fr.converged) << fr.message;
  ASSERT_TRUE(fh.converged) << fh.message;
  EXPECT_EQ(fr.model, "sbg");
  EXPECT_EQ(fr.names, (std::vector<std::string>{"gamma", "delta"}));
  EXPECT_NEAR(fr.estimates[0], 0.704, 0.0005);
  EXPECT_NEAR(fr.estimates[1], 1.182, 0.0005);
  EXPECT_NEAR(fh.estimates[0], 0.668, 0.0005);
  EXPECT_NEAR(fh.estimates[1], 3.806, 0.0005);
  EXPECT_NEAR(fr.log_likelihood, -1680.27, 0.01);
  EXPECT_NEAR(fh.log_likelihood, -1611.16, 0.01);
  ASSERT_EQ(fr.std_errors.size(), 2u);
}

TEST(Sbg, ProjectsYearsEightToTwelveClosely) {
  // FH07: fitted on years 1-7, the sBG's projections of the survival curve track the actual
  // years 8-12 closely, where the curve-fitting regressions of its section 2 go far off. We
  // require every projected year within 2 percentage points of the actual Table 1 value (we
  // measure at most 0.3 points for the regular cohort; the high-end projection runs low by 0.8
  // to 1.6 points) and the retention rates to rise year on year, as the data's do.
  for (const double* pct : {kRegular, kHighEnd}) {
    const SurvivalCohort c[] = {cohort(pct, 7)};
    const SbgParams p = ltv::sbg::params(ltv::sbg::fit(c));
    for (int t = 8; t <= 12; ++t) {
      EXPECT_NEAR(100 * ltv::sbg::survival(p, t), pct[t], 2.0) << "year " << t;
    }
    for (int t = 2; t <= 12; ++t) {
      EXPECT_GT(ltv::sbg::retention(p, t), ltv::sbg::retention(p, t - 1));
    }
  }
}

TEST(Sbg, SurvivalRetentionAndChurnAgree) {
  const SbgParams p{0.704, 1.182};
  double s = 1;
  for (int t = 1; t <= 40; ++t) {
    EXPECT_NEAR(ltv::sbg::p_churn(p, t), s - ltv::sbg::survival(p, t), 1e-14);
    s = ltv::sbg::survival(p, t);
    EXPECT_NEAR(ltv::sbg::retention(p, t), s / ltv::sbg::survival(p, t - 1), 1e-13);
  }
  EXPECT_EQ(ltv::sbg::survival(p, 0), 1.0);
}

TEST(Sbg, DiscountedLifetimesEqualTheirSeries) {
  // FH10 eqs. (5), (6) are 2F1 closed forms of these sums: check them against the plain sums of
  // survival probabilities (computed here from survival()).
  for (const SbgParams p :
       {SbgParams{0.704, 1.182}, SbgParams{0.668, 3.806}, SbgParams{3.5, 2.0}}) {
    for (double d : {0.1, 0.01, 0.0005}) {
      const double z = 1 / (1 + d);
      double del = 0, zt = 1;
      for (int t = 0; t < 200000; ++t, zt *= z) {
        del += ltv::sbg::survival(p, t) * zt;
        if (zt < 1e-18) break;
      }
      EXPECT_NEAR(ltv::sbg::del(p, d), del, 1e-9 * del) << p.gamma << " " << d;
      for (double renewals : {0.0, 4.0}) {
        const double n = renewals + 1;
        double derl = 0;
        zt = 1;
        const double s0 = ltv::sbg::survival(p, n - 1);
        for (int j = 0; j < 200000; ++j, zt *= z) {
          derl += ltv::sbg::survival(p, n + j) / s0 * zt;
          if (zt < 1e-18) break;
        }
        EXPECT_NEAR(ltv::sbg::derl(p, d, renewals), derl, 1e-8 * derl) << p.gamma << " " << d;
        EXPECT_NEAR(ltv::sbg::ltv(p, 120.0, d, renewals), 120.0 * derl, 1e-8 * 120 * derl);
      }
    }
  }
  // Undiscounted: E[T] = (gamma+delta-1)/(gamma-1) for gamma > 1, infinite otherwise.
  const SbgParams light{3.5, 2.0};
  EXPECT_NEAR(ltv::sbg::expected_lifetime(light), 4.5 / 2.5, 1e-14);
  EXPECT_NEAR(ltv::sbg::del(light, 0), 4.5 / 2.5, 1e-14);
  EXPECT_NEAR(ltv::sbg::derl(light, 0, 3), (2.0 + 3) / 2.5, 1e-14);
  EXPECT_THROW(ltv::sbg::expected_lifetime({0.704, 1.182}), ltv::ModelError);
  EXPECT_THROW(ltv::sbg::derl({0.704, 1.182}, 0, 0), ltv::ModelError);
}

TEST(Sbg, HeterogeneityRaisesValueOverTheAggregateRetentionFormula) {
  // FH10's point: valuing a customer with one aggregate retention rate r (DEL = (1+d)/(1+d-r))
  // understates the value of a heterogeneous cohort. With the regular cohort's year-1 retention
  // 0.631, the aggregate formula gives (1.1)/(1.1-0.631) = 2.35 discounted years; the sBG gives
  // more.
  const SbgParams p{0.704, 1.182};
  const double aggregate = 1.1 / (1.1 - 0.631);
  EXPECT_GT(ltv::sbg::del(p, 0.1), aggregate);
}

TEST(Sbg, RecoversSimulatedParameters) {
  const SbgParams truth{0.9, 2.5};
  int inside = 0;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const SurvivalCohort c[] = {ltv::sbg::simulate(truth, 20000, 10, seed)};
    const auto fit = ltv::sbg::fit(c);
    ASSERT_TRUE(fit.converged) << fit.message;
    inside += fit.ci_lower[0] <= truth.gamma && truth.gamma <= fit.ci_upper[0];
    inside += fit.ci_lower[1] <= truth.delta && truth.delta <= fit.ci_upper[1];
  }
  EXPECT_GE(inside, 8) << "95% intervals should cover the truth in most of 10 cases";
}

TEST(Sbg, HardCasesGiveFiniteValues) {
  for (const SbgParams p : {SbgParams{1e-4, 1e-4}, SbgParams{1e4, 1e-3}, SbgParams{0.01, 1e5}}) {
    for (double t : {0.0, 1.0, 1e6}) {
      EXPECT_TRUE(std::isfinite(ltv::sbg::survival(p, t)));
      if (t >= 1) {
        EXPECT_TRUE(std::isfinite(ltv::sbg::p_churn(p, t)));
        EXPECT_TRUE(std::isfinite(ltv::sbg::retention(p, t)));
      }
    }
    EXPECT_TRUE(std::isfinite(ltv::sbg::derl(p, 0.05, 1e6)));
    EXPECT_TRUE(std::isfinite(ltv::sbg::del(p, 1e-6)));
  }
  // A cohort where everybody survived but one, and one with a single period.
  const SurvivalCohort c[] = {{{1000, 999}}, {{50, 10, 0}}};
  const auto fit = ltv::sbg::fit(c);
  EXPECT_TRUE(std::isfinite(fit.log_likelihood));
}

TEST(Sbg, RejectsInvalidInput) {
  const SbgParams p{0.704, 1.182};
  EXPECT_THROW(ltv::sbg::fit(std::span<const SurvivalCohort>{}), ltv::InputError);
  const SurvivalCohort rising[] = {{{100, 80, 90}}};
  EXPECT_THROW(ltv::sbg::fit(rising), ltv::InputError);
  try {
    ltv::sbg::log_likelihood(p, rising);
    ADD_FAILURE() << "no error";
  } catch (const ltv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("period 2"), std::string::npos) << e.what();
  }
  const SurvivalCohort one[] = {{{100}}};
  EXPECT_THROW(ltv::sbg::fit(one), ltv::InputError);
  const SurvivalCohort nobody_left[] = {{{100, 100, 100}}};
  EXPECT_THROW(ltv::sbg::fit(nobody_left), ltv::InputError);
  EXPECT_THROW(ltv::sbg::survival(p, -1), ltv::InputError);
  EXPECT_THROW(ltv::sbg::survival(p, 1.5), ltv::InputError);
  EXPECT_THROW(ltv::sbg::p_churn(p, 0), ltv::InputError);
  EXPECT_THROW(ltv::sbg::derl(p, -0.1, 0), ltv::InputError);
  EXPECT_THROW(ltv::sbg::derl(p, 0.1, -1), ltv::InputError);
  EXPECT_THROW(ltv::sbg::survival({0, 1}, 1), ltv::ModelError);
  EXPECT_THROW(ltv::sbg::ltv(p, std::nan(""), 0.1, 0), ltv::InputError);
}

}  // namespace
