// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for
// customer base analysis", Journal of Marketing Research 42(4), 415-430.
#include "ltv/models/gamma_gamma.hpp"

#include <cmath>
#include <map>
#include <numeric>
#include <vector>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"

namespace ltv {

double SpendData::customers() const noexcept {
  return std::accumulate(weight.begin(), weight.end(), 0.0);
}

namespace gamma_gamma {

namespace {

void check_params(const GammaGammaParams& p) {
  const double v[3] = {p.p, p.q, p.gamma};
  const char* n[3] = {"p", "q", "gamma"};
  for (int i = 0; i < 3; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("gg: parameter {} must be positive and finite, got {}", n[i], v[i]));
    }
  }
}

void check_q(const GammaGammaParams& p) {
  if (!(p.q > 1)) {
    throw ModelError(fmt::format(
        "gg: q = {} <= 1, so the expected spend (p gamma / (q - 1)) does not exist; the spend data "
        "is too heavy-tailed for the Gamma-Gamma model (check for outliers or use the median)",
        p.q));
  }
}

void check_row(double x, double m_x, std::size_t index) {
  if (!std::isfinite(x) || x < 0 || x != std::floor(x)) {
    input_error(SourceLocation{"", 0, "x"}, fmt::format("{} (customer #{})", x, index + 1),
                "a whole number of repeat transactions >= 0");
  }
  if (x > 0 && (!std::isfinite(m_x) || !(m_x > 0))) {
    input_error(SourceLocation{"", 0, "m_x"}, fmt::format("{} (customer #{})", m_x, index + 1),
                "a positive mean spend for a customer with repeat transactions");
  }
}

// ln f(m_x | p, q, γ, x) = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m_x + px ln x
//                          − (px+q) ln(γ + m_x x)                      (FHL 2005b, eq. 3)
// Summed over customers the Γ terms depend only on x (few distinct values) and the ln m_x, ln x
// terms not on the parameters, so they are summed once; per customer and evaluation only
// ln(γ + m_x x) remains.
struct Prepared {
  std::vector<double> xs, wx;         ///< distinct x and their total weight
  double w = 0;                       ///< Σ w
  double s_lm = 0;                    ///< Σ w ln m
  double s_xl = 0;                    ///< Σ w x (ln m + ln x)
  std::vector<double> weight, x, mx;  ///< per customer: w, x, m x
};

Prepared prepare(const SpendData& d) {
  Prepared p;
  std::map<double, double> by_x;
  p.weight = d.weight;
  p.x = d.x;
  p.mx.resize(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double x = d.x[i], m = d.m_x[i], w = d.weight[i];
    by_x[x] += w;
    p.w += w;
    p.s_lm += w * std::log(m);
    p.s_xl += w * x * (std::log(m) + std::log(x));
    p.mx[i] = m * x;
  }
  for (const auto& [x, w] : by_x) p.xs.push_back(x), p.wx.push_back(w);
  return p;
}

double log_likelihood_impl(const GammaGammaParams& p, const Prepared& d, std::span<double> grad) {
  const bool want = !grad.empty();
  const double lg_q = detail::log_gamma(p.q), log_gamma = std::log(p.gamma);
  const double psi_q = want ? boost::math::digamma(p.q) : 0.0;
  // Terms by distinct x.
  double ll = 0, gp = 0, gq = 0;
  for (std::size_t k = 0; k < d.xs.size(); ++k) {
    const double x = d.xs[k], w = d.wx[k], px = p.p * x;
    ll += w * (detail::log_gamma(px + p.q) - detail::log_gamma(px));
    if (want) {
      const double psi_pxq = boost::math::digamma(px + p.q);
      gp += w * x * (psi_pxq - boost::math::digamma(px));
      gq += w * psi_pxq;
    }
  }
  // Per customer: Σ w x ls, Σ w ls, Σ w (px + q) / (γ + m x), ls = ln(γ + m x).
  // Fixed chunks summed in order: the same value on every run and any number of threads (an
  // OpenMP reduction combines the threads' sums in whatever order they finish).
  struct Sums {
    double xls = 0, ls = 0, ratio = 0;
    Sums& operator+=(const Sums& o) {
      xls += o.xls;
      ls += o.ls;
      ratio += o.ratio;
      return *this;
    }
  };
  const Sums sums =
      detail::chunked_sum<Sums>(d.x.size(), 65536, [&](std::size_t begin, std::size_t end) {
        Sums s;
        for (std::size_t i = begin; i < end; ++i) {
          const double w = d.weight[i], x = d.x[i], denom = p.gamma + d.mx[i];
          const double ls = std::log(denom);
          s.xls += w * x * ls;
          s.ls += w * ls;
          if (want) s.ratio += w * (p.p * x + p.q) / denom;
        }
        return s;
      });
  const double s_xls = sums.xls, s_ls = sums.ls, s_ratio = sums.ratio;
  ll += d.w * (p.q * log_gamma - lg_q) + p.p * d.s_xl - d.s_lm - p.p * s_xls - p.q * s_ls;
  if (want) {
    grad[0] = gp + d.s_xl - s_xls;
    grad[1] = gq + d.w * (log_gamma - psi_q) - s_ls;
    grad[2] = d.w * p.q / p.gamma - s_ratio;
  }
  return ll;
}

double log_likelihood_impl(const GammaGammaParams& p, const SpendData& d, std::span<double> grad) {
  return log_likelihood_impl(p, prepare(d), grad);
}

}  // namespace

SpendData spend_data(std::span<const double> x, std::span<const double> m_x,
                     std::span<const double> weights) {
  if (m_x.size() != x.size() || (!weights.empty() && weights.size() != x.size())) {
    input_error(
        SourceLocation{"", 0, "m_x"},
        fmt::format("lengths x={}, m_x={}, weight={}", x.size(), m_x.size(), weights.size()),
        "columns of equal length (weights may be omitted)");
  }
  SpendData d;
  for (std::size_t i = 0; i < x.size(); ++i) {
    check_row(x[i], m_x[i], i);
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!std::isfinite(w) || w < 0) {
      input_error(SourceLocation{"", 0, "weight"}, fmt::format("{} (customer #{})", w, i + 1),
                  "a finite weight >= 0");
    }
    if (x[i] == 0 || w == 0) continue;
    d.x.push_back(x[i]);
    d.m_x.push_back(m_x[i]);
    d.weight.push_back(w);
  }
  return d;
}

double log_likelihood(const GammaGammaParams& params, double x, double m_x) {
  check_params(params);
  check_row(x, m_x, 0);
  if (x == 0) {
    input_error(SourceLocation{"", 0, "x"}, "0", "x >= 1 (no spend is observed when x = 0)");
  }
  SpendData d{{x}, {m_x}, {1.0}};
  return log_likelihood_impl(params, d, {});
}

double log_likelihood(const GammaGammaParams& params, const SpendData& data) {
  check_params(params);
  for (std::size_t i = 0; i < data.size(); ++i) check_row(data.x[i], data.m_x[i], i);
  return log_likelihood_impl(params, data, {});
}

FitResult fit(const SpendData& data, const FitOptions& options) {
  if (data.size() == 0 || !(data.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers with repeat transactions",
                "at least one customer with x >= 1 and a mean spend to fit the Gamma-Gamma model");
  }
  double sum_w = 0, sum_m = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    check_row(data.x[i], data.m_x[i], i);
    if (data.x[i] < 1) {
      input_error(SourceLocation{"", 0, "x"}, fmt::format("{} (row #{})", data.x[i], i + 1),
                  "x >= 1 in SpendData (use spend_data() to drop x = 0 customers)");
    }
    sum_w += data.weight[i];
    sum_m += data.weight[i] * data.m_x[i];
  }
  detail::MaximizeProblem problem;
  problem.model = "gg";
  problem.names = {"p", "q", "gamma"};
  problem.n_customers = sum_w;
  problem.n_patterns = data.size();
  const Prepared prepared = prepare(data);
  problem.log_likelihood = [&prepared](std::span<const double> th, std::span<double> g) {
    return log_likelihood_impl(GammaGammaParams{th[0], th[1], th[2]}, prepared, g);
  };
  // Spend scale enters through gamma (mean spend = p gamma / (q - 1)).
  const double mean_m = sum_m / sum_w;
  problem.starts = {{1.0, 1.0, 1.0}, {2.0, 3.0, mean_m}, {10.0, 5.0, 0.4 * mean_m}};
  FitResult fit = detail::maximize_likelihood(problem, options);
  if (fit.estimates[1] <= 1) {
    if (!fit.message.empty()) fit.message += "; ";
    fit.message += "q <= 1: the expected spend does not exist for these data";
  }
  return fit;
}

GammaGammaParams params(const FitResult& fit) {
  if (fit.estimates.size() != 3) {
    throw ModelError(fmt::format("gg: fit result has {} parameters, expected 3 (p, q, gamma)",
                                 fit.estimates.size()));
  }
  GammaGammaParams p{fit.estimates[0], fit.estimates[1], fit.estimates[2]};
  check_params(p);
  return p;
}

double expected_average_spend(const GammaGammaParams& params) {
  check_params(params);
  check_q(params);
  return params.p * params.gamma / (params.q - 1);
}

double conditional_expected_average_spend(const GammaGammaParams& params, double x, double m_x) {
  check_params(params);
  check_q(params);
  check_row(x, m_x, 0);
  if (x == 0) return params.p * params.gamma / (params.q - 1);
  // FHL 2005b eq. 5: a weighted mean of the population mean and the customer's own mean.
  return params.p * (params.gamma + x * m_x) / (params.p * x + params.q - 1);
}

std::string_view to_string(SpendModelStatus status) noexcept {
  switch (status) {
    case SpendModelStatus::fitted:
      return "fitted";
    case SpendModelStatus::no_finite_mean:
      return "no_finite_mean";
    case SpendModelStatus::no_spend_data:
      return "no_spend_data";
  }
  return "no_spend_data";
}

namespace {

void add_to(CustomerGroup& group, std::size_t position, std::size_t max_examples) {
  ++group.count;
  if (group.first.size() < max_examples) group.first.push_back(position);
}

/// "customer at position 12" (1-based, as a person counts rows).
std::string position_text(std::size_t index) {
  return fmt::format("the customer at position {}", index + 1);
}

}  // namespace

SpendModel fit_spend_model(std::span<const double> x, std::span<const double> m_x,
                           const SpendModelOptions& options) {
  if (m_x.size() != x.size()) {
    input_error(SourceLocation{"", 0, "monetary_value"},
                fmt::format("{} values for {} customers", m_x.size(), x.size()),
                "one mean spend per customer (as many as frequency values)");
  }
  SpendModel out;
  out.customers = x.size();
  const std::size_t keep = options.max_examples;
  SpendData data;
  std::vector<std::size_t> used_positions;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || x[i] < 0 || x[i] != std::floor(x[i])) {
      input_error(SourceLocation{"", 0, "frequency"},
                  fmt::format("{} ({})", x[i], position_text(i)),
                  "a whole number of repeat purchases >= 0");
    }
    if (x[i] == 0) {
      add_to(out.no_repeat, i, keep);
      continue;
    }
    add_to(out.repeat, i, keep);
    if (!std::isfinite(m_x[i])) {
      input_error(SourceLocation{"", 0, "monetary_value"},
                  fmt::format("{} ({})", m_x[i], position_text(i)),
                  "a finite mean spend for a customer with repeat purchases");
    }
    if (m_x[i] > 0) {
      add_to(out.used, i, keep);
      used_positions.push_back(i);
      data.x.push_back(x[i]);
      data.m_x.push_back(m_x[i]);
      data.weight.push_back(1.0);
    } else if (m_x[i] == 0) {
      add_to(out.zero_spend, i, keep);
    } else {
      add_to(out.negative_spend, i, keep);
    }
  }

  // "3 with zero mean spend and 1 with a negative one" (empty when nobody was left out).
  std::string left_out;
  if (out.zero_spend.count > 0) {
    left_out = fmt::format("{} with zero mean spend", out.zero_spend.count);
  }
  if (out.negative_spend.count > 0) {
    if (!left_out.empty()) left_out += " and ";
    left_out += fmt::format("{} with a negative mean spend (returns exceed purchases)",
                            out.negative_spend.count);
  }

  if (data.size() == 0) {
    out.status = SpendModelStatus::no_spend_data;
    out.note = out.repeat.count == 0
                   ? fmt::format("no spend model: none of the {} customers has a repeat purchase",
                                 out.customers)
                   : fmt::format(
                         "no spend model: none of the {} repeat customers has a positive "
                         "mean spend ({})",
                         out.repeat.count, left_out);
    return out;
  }

  out.fit = fit(data, options.fit);
  out.params = params(*out.fit);
  const GammaGammaParams& gg = *out.params;
  const std::string fitted_on = fmt::format("Gamma-Gamma fitted on {} of {} repeat customers",
                                            out.used.count, out.repeat.count);
  if (!(gg.q > 1)) {
    out.status = SpendModelStatus::no_finite_mean;
    out.note = fmt::format(
        "{}, but q = {:.3g} <= 1: the spend per purchase is too heavy-tailed for the model to "
        "have a mean (p gamma / (q - 1)), so no expected spend or CLV is given",
        fitted_on, gg.q);
    return out;
  }
  out.status = SpendModelStatus::fitted;
  const double mean = expected_average_spend(gg);
  out.population_mean = mean;
  out.expected_spend.assign(out.customers, mean);
  for (std::size_t k = 0; k < used_positions.size(); ++k) {
    const std::size_t i = used_positions[k];
    // FHL 2005b eq. 5 (as conditional_expected_average_spend, without repeating its checks).
    out.expected_spend[i] = gg.p * (gg.gamma + x[i] * m_x[i]) / (gg.p * x[i] + gg.q - 1);
  }
  out.note = fitted_on;
  if (!left_out.empty()) out.note += fmt::format(" ({} left out of the fit)", left_out);
  if (out.no_repeat.count > 0 || out.left_out() > 0) {
    out.note += fmt::format(
        "; {} customers without a usable repeat spend get the population "
        "mean spend {:.2f}",
        out.no_repeat.count + out.left_out(), mean);
  }
  if (!out.fit->converged) out.note += "; the fit did not converge: " + out.fit->message;
  return out;
}

}  // namespace gamma_gamma
}  // namespace ltv
