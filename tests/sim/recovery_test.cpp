// Likelihood checks of the generators: fitting the model's own likelihood to simulated customers
// must recover the true parameters, i.e. the likelihood-ratio statistic 2 (LL(fit) - LL(truth))
// stays below the chi-square(k) quantile at p = 1e-4 (k parameters). This checks the joint
// distribution of (x, t_x, T), not only a moment. The likelihoods and a small Nelder-Mead are
// written here so the test does not depend on the models module.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <vector>

#include "ltv/sim/simulate.hpp"

namespace {

constexpr double kChiSquare4At1e4 = 23.51;
constexpr double kChiSquare3At1e4 = 21.11;

double log_beta(double a, double b) {
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

double log_sum_exp(double a, double b) {
  const double m = std::max(a, b);
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

// BG/NBD log-likelihood, Fader, Hardie & Lee (2005) eq. (6), summed over customers.
double bgnbd_log_likelihood(const std::array<double, 4>& p, const ltv::sim::SimulatedSummary& s) {
  const double r = p[0], alpha = p[1], a = p[2], b = p[3];
  double total = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double x = s.x[i];
    const double common = std::lgamma(r + x) - std::lgamma(r) + r * std::log(alpha);
    const double alive = log_beta(a, b + x) - log_beta(a, b) - (r + x) * std::log(alpha + s.T[i]);
    double ll = alive;
    if (x > 0) {
      const double dead =
          log_beta(a + 1, b + x - 1) - log_beta(a, b) - (r + x) * std::log(alpha + s.t_x[i]);
      ll = log_sum_exp(alive, dead);
    }
    total += common + ll;
  }
  return total;
}

// BG/BB log-likelihood, Fader, Hardie & Shang (2010) eq. (5), over customers compressed to
// (x, t_x, n) patterns with counts.
struct BgBbPattern {
  int x, t_x, n;
  double count;
};

std::vector<BgBbPattern> compress(const ltv::sim::SimulatedBgBbSummary& s) {
  std::map<std::array<int, 3>, double> counts;
  for (std::size_t i = 0; i < s.size(); ++i) counts[{s.x[i], s.t_x[i], s.n[i]}] += 1;
  std::vector<BgBbPattern> patterns;
  for (const auto& [key, count] : counts) patterns.push_back({key[0], key[1], key[2], count});
  return patterns;
}

double bgbb_log_likelihood(const std::array<double, 4>& p, const std::vector<BgBbPattern>& s) {
  const double alpha = p[0], beta = p[1], gamma = p[2], delta = p[3];
  double total = 0;
  for (const BgBbPattern& c : s) {
    const int x = c.x, t_x = c.t_x, n = c.n;
    double ll = log_beta(alpha + x, beta + n - x) - log_beta(alpha, beta) +
                log_beta(gamma, delta + n) - log_beta(gamma, delta);
    for (int j = 0; j <= n - t_x - 1; ++j) {
      ll = log_sum_exp(ll, log_beta(alpha + x, beta + t_x - x + j) - log_beta(alpha, beta) +
                               log_beta(gamma + 1, delta + t_x + j) - log_beta(gamma, delta));
    }
    total += c.count * ll;
  }
  return total;
}

// Nelder-Mead on log-parameters, maximising f. Returns the best point found.
template <std::size_t N>
std::array<double, N> maximise(const std::function<double(const std::array<double, N>&)>& f,
                               std::array<double, N> start) {
  using Point = std::array<double, N>;
  constexpr int n = static_cast<int>(N);
  auto value = [&](const Point& log_p) {
    Point p;
    for (std::size_t k = 0; k < N; ++k) p[k] = std::exp(log_p[k]);
    const double v = f(p);
    return std::isfinite(v) ? -v : 1e300;
  };
  std::array<Point, N + 1> simplex;
  std::array<double, N + 1> fv;
  for (std::size_t k = 0; k < N; ++k) start[k] = std::log(start[k]);
  for (std::size_t i = 0; i <= N; ++i) {
    simplex[i] = start;
    if (i > 0) simplex[i][i - 1] += 0.3;
    fv[i] = value(simplex[i]);
  }
  for (int iteration = 0; iteration < 4000; ++iteration) {
    std::array<std::size_t, N + 1> order;
    for (std::size_t i = 0; i <= N; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return fv[a] < fv[b]; });
    const std::size_t best = order[0], worst = order[N], second_worst = order[N - 1];
    if (std::abs(fv[worst] - fv[best]) < 1e-10 * (1 + std::abs(fv[best]))) break;
    Point centroid{};
    for (std::size_t m = 0; m < N; ++m) {
      for (std::size_t k = 0; k < N; ++k) centroid[k] += simplex[order[m]][k] / n;
    }
    auto along = [&](double t) {
      Point p;
      for (std::size_t k = 0; k < N; ++k)
        p[k] = centroid[k] + t * (simplex[worst][k] - centroid[k]);
      return p;
    };
    const Point reflected = along(-1);
    const double fr = value(reflected);
    if (fr < fv[best]) {
      const Point expanded = along(-2);
      const double fe = value(expanded);
      if (fe < fr) {
        simplex[worst] = expanded, fv[worst] = fe;
      } else {
        simplex[worst] = reflected, fv[worst] = fr;
      }
    } else if (fr < fv[second_worst]) {
      simplex[worst] = reflected, fv[worst] = fr;
    } else {
      const Point contracted = along(0.5);
      const double fc = value(contracted);
      if (fc < fv[worst]) {
        simplex[worst] = contracted, fv[worst] = fc;
      } else {
        for (std::size_t i = 0; i <= N; ++i) {
          if (i == best) continue;
          for (std::size_t k = 0; k < N; ++k)
            simplex[i][k] = 0.5 * (simplex[i][k] + simplex[best][k]);
          fv[i] = value(simplex[i]);
        }
      }
    }
  }
  const auto best = static_cast<std::size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  Point p;
  for (std::size_t k = 0; k < N; ++k) p[k] = std::exp(simplex[best][k]);
  return p;
}

TEST(SimRecovery, BgNbdLikelihoodRatioAtTheTruthIsSmall) {
  const ltv::sim::BgNbdParams truth;
  // T spread like a cohort acquired over 12 weeks and observed for 39 more.
  std::vector<double> T(20000);
  for (std::size_t i = 0; i < T.size(); ++i) T[i] = 39.0 + 12.0 * static_cast<double>(i) / 20000.0;
  const auto sim = ltv::sim::simulate_bgnbd_summary(T, truth, 101);
  auto ll = [&](const std::array<double, 4>& p) { return bgnbd_log_likelihood(p, sim); };
  const std::array<double, 4> true_p{truth.r, truth.alpha, truth.a, truth.b};
  const auto fit = maximise<4>(ll, {1.0, 1.0, 1.0, 1.0});
  const double lr = 2 * (ll(fit) - ll(true_p));
  EXPECT_GE(lr, -1e-6);
  EXPECT_LT(lr, kChiSquare4At1e4) << "fit r=" << fit[0] << " alpha=" << fit[1] << " a=" << fit[2]
                                  << " b=" << fit[3];
  EXPECT_NEAR(fit[0], truth.r, 0.25 * truth.r);
}

TEST(SimRecovery, BgBbLikelihoodRatioAtTheTruthIsSmall) {
  const ltv::sim::BgBbParams truth;
  const std::vector<int> n(20000, 6);
  const auto sim = ltv::sim::simulate_bgbb_summary(n, truth, 103);
  const auto patterns = compress(sim);
  EXPECT_LE(patterns.size(), 28u);  // (x, t_x) with 0 <= x <= t_x <= 6
  auto ll = [&](const std::array<double, 4>& p) { return bgbb_log_likelihood(p, patterns); };
  const std::array<double, 4> true_p{truth.alpha, truth.beta, truth.gamma, truth.delta};
  const auto fit = maximise<4>(ll, {1.0, 1.0, 1.0, 1.0});
  const double lr = 2 * (ll(fit) - ll(true_p));
  EXPECT_GE(lr, -1e-6);
  EXPECT_LT(lr, kChiSquare4At1e4) << "fit alpha=" << fit[0] << " beta=" << fit[1]
                                  << " gamma=" << fit[2] << " delta=" << fit[3];
}

// Gamma-Gamma log-likelihood of the mean spend m of x transactions (Fader, Hardie & Lee 2005,
// "RFM and CLV", eq. 3: the mean of x Gamma(p, nu) values is Gamma(p x, nu x)).
double gamma_gamma_log_likelihood(const std::array<double, 3>& params, const std::vector<double>& x,
                                  const std::vector<double>& m) {
  const double p = params[0], q = params[1], gamma = params[2];
  double total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double px = p * x[i];
    total += std::lgamma(px + q) - std::lgamma(px) - std::lgamma(q) + q * std::log(gamma) +
             (px - 1) * std::log(m[i]) + px * std::log(x[i]) -
             (px + q) * std::log(gamma + m[i] * x[i]);
  }
  return total;
}

TEST(SimRecovery, GammaGammaLikelihoodRatioAtTheTruthIsSmall) {
  const ltv::sim::GammaGammaParams truth;
  std::vector<double> x(20000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + static_cast<double>(i % 7);
  const auto m = ltv::sim::simulate_gamma_gamma_spend(x, truth, 107);
  auto ll = [&](const std::array<double, 3>& p) { return gamma_gamma_log_likelihood(p, x, m); };
  const std::array<double, 3> true_p{truth.p, truth.q, truth.gamma};
  const auto fit = maximise<3>(ll, {1.0, 1.0, 1.0});
  const double lr = 2 * (ll(fit) - ll(true_p));
  EXPECT_GE(lr, -1e-6);
  EXPECT_LT(lr, kChiSquare3At1e4) << "fit p=" << fit[0] << " q=" << fit[1] << " gamma=" << fit[2];
}

}  // namespace
