// Statistical checks of the in-memory generators against closed-form moments of the models.
// Tolerances are 4 standard errors computed from the simulated sample itself.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numeric>
#include <vector>

#include "closed_forms.hpp"
#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"
#include "sim/random.hpp"

namespace {

using ltv::sim::BgBbParams;
using ltv::sim::BgNbdParams;
using ltv::sim::GammaGammaParams;
using ltv::sim::ParetoNbdParams;

struct Moments {
  double mean = 0;
  double standard_error = 0;
};

Moments moments(const std::vector<double>& values) {
  const auto n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / (n - 1) / n)};
}

// Schmittlein, Morrison & Colombo (1987); Fader & Hardie's note on the Pareto/NBD, E[X(t)] for
// s != 1: r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s - 1)].
double pnbd_expected_transactions(const ParetoNbdParams& p, double t) {
  return p.r * p.beta / (p.alpha * (p.s - 1.0)) *
         (1.0 - std::pow(p.beta / (p.beta + t), p.s - 1.0));
}

// BG/BB: E[X(n)] = E[p] * sum_{t=1..n} E[(1 - theta)^t], E[(1-theta)^t] = B(gamma, delta + t) /
// B(gamma, delta) (Fader, Hardie & Shang 2010, model assumptions; summed directly).
double bgbb_expected_transactions(const BgBbParams& p, int n) {
  double total = 0;
  for (int t = 1; t <= n; ++t) {
    total += std::exp(std::lgamma(p.delta + t) + std::lgamma(p.gamma + p.delta) -
                      std::lgamma(p.gamma + p.delta + t) - std::lgamma(p.delta));
  }
  return p.alpha / (p.alpha + p.beta) * total;
}

TEST(SimRandom, GammaAndBetaSamplersMatchTheirMeans) {
  ltv::sim::detail::Rng rng(3, 0, ltv::sim::detail::Stream::summary);
  for (double shape : {0.05, 0.243, 1.0, 3.74}) {
    std::vector<double> g(200000);
    for (double& v : g) v = rng.gamma(shape, 2.0);
    const Moments m = moments(g);
    EXPECT_NEAR(m.mean, shape / 2.0, 4 * m.standard_error) << "shape " << shape;
  }
  std::vector<double> b(200000);
  for (double& v : b) v = rng.beta(0.793, 2.426);
  const Moments m = moments(b);
  EXPECT_NEAR(m.mean, 0.793 / (0.793 + 2.426), 4 * m.standard_error);
}

TEST(SimBgNbd, MeanRepeatPurchasesMatchesClosedForm) {
  const BgNbdParams params;  // CDNOW estimates
  for (double t : {13.0, 39.0, 78.0}) {
    const auto sim = ltv::sim::simulate_bgnbd_summary(200000, t, params, 11);
    const Moments m = moments(sim.x);
    EXPECT_NEAR(m.mean, ltv::test::bgnbd_expected_transactions(params, t), 4 * m.standard_error)
        << "t = " << t;
  }
}

TEST(SimBgNbd, NoRepeatPurchaseMeansAlive) {
  // Death is possible only right after a repeat purchase: x = 0 implies alive.
  const auto sim = ltv::sim::simulate_bgnbd_summary(50000, 52.0, BgNbdParams{}, 5);
  std::size_t dead = 0;
  for (std::size_t i = 0; i < sim.size(); ++i) {
    if (sim.x[i] == 0) {
      EXPECT_EQ(sim.alive[i], 1);
    }
    if (sim.x[i] > 0) {
      EXPECT_GT(sim.t_x[i], 0.0);
      EXPECT_LE(sim.t_x[i], sim.T[i]);
    }
    dead += sim.alive[i] == 0 ? 1 : 0;
  }
  EXPECT_GT(dead, 0u);
}

TEST(SimBgNbd, ProbabilityOfNoRepeatPurchaseMatchesClosedForm) {
  // P(X(t) = 0) = E[exp(-lambda t)] = (alpha / (alpha + t))^r (FHL 2005, eq. 8 with x = 0).
  const BgNbdParams params;
  const double t = 52.0;
  const auto sim = ltv::sim::simulate_bgnbd_summary(200000, t, params, 17);
  std::vector<double> zero(sim.size());
  for (std::size_t i = 0; i < sim.size(); ++i) zero[i] = sim.x[i] == 0 ? 1.0 : 0.0;
  const Moments m = moments(zero);
  EXPECT_NEAR(m.mean, std::pow(params.alpha / (params.alpha + t), params.r), 4 * m.standard_error);
}

TEST(SimParetoNbd, ProbabilityAliveMatchesClosedForm) {
  const ParetoNbdParams params;
  for (double t : {10.0, 52.0, 104.0}) {
    const auto sim = ltv::sim::simulate_pnbd_summary(200000, t, params, 23);
    std::vector<double> alive(sim.alive.begin(), sim.alive.end());
    const Moments m = moments(alive);
    EXPECT_NEAR(m.mean, std::pow(params.beta / (params.beta + t), params.s), 4 * m.standard_error)
        << "t = " << t;
  }
}

TEST(SimParetoNbd, MeanRepeatPurchasesMatchesClosedForm) {
  const ParetoNbdParams params;
  for (double t : {13.0, 78.0}) {
    const auto sim = ltv::sim::simulate_pnbd_summary(200000, t, params, 29);
    const Moments m = moments(sim.x);
    EXPECT_NEAR(m.mean, pnbd_expected_transactions(params, t), 4 * m.standard_error) << "t = " << t;
  }
}

TEST(SimBgBb, MeanPurchasesMatchesClosedForm) {
  const BgBbParams params;
  for (int n : {1, 6, 11}) {
    const std::vector<int> opportunities(200000, n);
    const auto sim = ltv::sim::simulate_bgbb_summary(opportunities, params, 31);
    const std::vector<double> x(sim.x.begin(), sim.x.end());
    const Moments m = moments(x);
    EXPECT_NEAR(m.mean, bgbb_expected_transactions(params, n), 4 * m.standard_error) << "n = " << n;
    for (std::size_t i = 0; i < 1000; ++i) {
      EXPECT_LE(sim.x[i], sim.t_x[i]);
      EXPECT_LE(sim.t_x[i], n);
    }
  }
}

TEST(SimGammaGamma, MeanSpendMatchesClosedForm) {
  const GammaGammaParams params;
  const double expected = params.p * params.gamma / (params.q - 1.0);
  for (double x : {1.0, 5.0}) {
    const std::vector<double> counts(200000, x);
    std::vector<double> nu;
    const auto spend = ltv::sim::simulate_gamma_gamma_spend(counts, params, 37, &nu);
    const Moments m = moments(spend);
    EXPECT_NEAR(m.mean, expected, 4 * m.standard_error) << "x = " << x;
    const Moments mn = moments(nu);
    EXPECT_NEAR(mn.mean, params.q / params.gamma, 4 * mn.standard_error);
  }
  const std::vector<double> none{0.0, 2.0};
  const auto spend = ltv::sim::simulate_gamma_gamma_spend(none, params, 1);
  EXPECT_EQ(spend[0], 0.0);
  EXPECT_GT(spend[1], 0.0);
}

TEST(SimGenerators, DeterministicBySeed) {
  const auto a = ltv::sim::simulate_bgnbd_summary(1000, 52.0, BgNbdParams{}, 42);
  const auto b = ltv::sim::simulate_bgnbd_summary(1000, 52.0, BgNbdParams{}, 42);
  const auto c = ltv::sim::simulate_bgnbd_summary(1000, 52.0, BgNbdParams{}, 43);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.t_x, b.t_x);
  EXPECT_NE(a.t_x, c.t_x);
  const auto p = ltv::sim::simulate_pnbd_summary(1000, 52.0, ParetoNbdParams{}, 42);
  const auto q = ltv::sim::simulate_pnbd_summary(1000, 52.0, ParetoNbdParams{}, 42);
  EXPECT_EQ(p.t_x, q.t_x);
}

TEST(SimGenerators, VaryingHorizonsAreRespected) {
  std::vector<double> T(5000);
  for (std::size_t i = 0; i < T.size(); ++i) T[i] = 1.0 + static_cast<double>(i % 78);
  const auto sim = ltv::sim::simulate_pnbd_summary(T, ParetoNbdParams{}, 3);
  for (std::size_t i = 0; i < sim.size(); ++i) {
    EXPECT_EQ(sim.T[i], T[i]);
    EXPECT_LE(sim.t_x[i], T[i]);
  }
}

TEST(SimGenerators, RejectBadParameters) {
  EXPECT_THROW(ltv::sim::simulate_bgnbd_summary(10, 52.0, BgNbdParams{0.0, 4.4, 0.8, 2.4}, 1),
               ltv::InputError);
  EXPECT_THROW(ltv::sim::simulate_bgnbd_summary(10, -1.0, BgNbdParams{}, 1), ltv::InputError);
  EXPECT_THROW(
      ltv::sim::simulate_pnbd_summary(10, 52.0, ParetoNbdParams{0.5, 10, std::nan(""), 11}, 1),
      ltv::InputError);
  const std::vector<double> bad{1.5};
  EXPECT_THROW(ltv::sim::simulate_gamma_gamma_spend(bad, GammaGammaParams{}, 1), ltv::InputError);
  const std::vector<int> negative{-1};
  EXPECT_THROW(ltv::sim::simulate_bgbb_summary(negative, BgBbParams{}, 1), ltv::InputError);
}

TEST(SimOptions, ParsesParameterLists) {
  constexpr std::array<std::string_view, 4> keys{"r", "alpha", "a", "b"};
  const auto v = ltv::sim::parse_parameter_list("r=0.5, alpha=2,b=1e-1", "--params", keys);
  EXPECT_EQ(v.size(), 3u);
  EXPECT_DOUBLE_EQ(v.at("r"), 0.5);
  EXPECT_DOUBLE_EQ(v.at("alpha"), 2.0);
  EXPECT_DOUBLE_EQ(v.at("b"), 0.1);
  for (const char* bad : {"r=abc", "r=-1", "x=1", "r", "r=1,,a=2", "r=1,r=2", "r=inf", "r=1x"}) {
    EXPECT_THROW(ltv::sim::parse_parameter_list(bad, "--params", keys), ltv::InputError) << bad;
  }
  try {
    ltv::sim::parse_parameter_list("r=abc", "--params", keys);
  } catch (const ltv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("params"), std::string::npos) << e.what();
  }
}

TEST(SimOptions, ParsesAndFormatsDates) {
  EXPECT_EQ(ltv::sim::parse_date_option("1970-01-01", "--start"), 0);
  EXPECT_EQ(ltv::sim::parse_date_option("2024-01-01", "--start"), 19723);
  EXPECT_EQ(ltv::sim::format_day(20453), "2025-12-31");
  for (const char* bad : {"2024-13-01", "2024-02-30", "2024/01/01", "24-01-01", ""}) {
    EXPECT_THROW(ltv::sim::parse_date_option(bad, "--start"), ltv::InputError) << bad;
  }
}

TEST(SimOptions, ValidateRejectsBadOptions) {
  ltv::sim::SimulationOptions o;
  EXPECT_NO_THROW(ltv::sim::validate(o));
  auto bad = o;
  bad.customers = 0;
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
  bad = o;
  bad.end_day = bad.start_day - 1;
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
  bad = o;
  bad.nps_rate = 1.5;
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
  bad = o;
  bad.campaign_day = o.end_day + 1;
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
  bad = o;
  bad.bg_nbd.alpha = 1e-6;  // millions of purchases per customer
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
  bad = o;
  bad.spend.q = -1;
  EXPECT_THROW(ltv::sim::validate(bad), ltv::InputError);
}

}  // namespace
