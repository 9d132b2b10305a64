// (M)BG/CNBD-k: Reutterer, Platzer & Schröder (2021), "Leveraging purchase regularity for
// predicting customer behavior the easy way", IJRM 38(1) 194-215 (RPS), and its implementation in
// BTYDplus (xbgcnbd.LL, xbgcnbd.PAlive). Derivations and numerical choices: docs/models-cnbd-k.md.
#include "models/cnbd_family.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/de_quadrature.hpp"
#include "math/hyp2f1.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"
#include "models/nbd_family.hpp"
#include "models/presearch.hpp"

namespace ltv {

RegularityPatterns compress_regularity_patterns(std::span<const double> x,
                                                std::span<const double> t_x,
                                                std::span<const double> T,
                                                std::span<const double> litt,
                                                std::span<const double> weights) {
  RegularityPatterns out;
  out.patterns = compress_patterns(x, t_x, T, weights);
  if (litt.empty()) {
    out.sum_log_itt = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  if (litt.size() != x.size()) {
    input_error(SourceLocation{"", 0, "litt"},
                fmt::format("{} values for {} customers", litt.size(), x.size()),
                "one litt per customer");
  }
  double sum = 0;
  for (std::size_t i = 0; i < litt.size(); ++i) {
    if (!std::isfinite(litt[i])) {
      input_error(SourceLocation{"", 0, "litt"}, fmt::format("{} (customer #{})", litt[i], i + 1),
                  "a finite sum of log inter-purchase times");
    }
    if (x[i] == 0 && litt[i] != 0) {
      input_error(SourceLocation{"", 0, "litt"}, fmt::format("{} (customer #{})", litt[i], i + 1),
                  "litt = 0 for a customer with no repeat purchase (x = 0)");
    }
    sum += (weights.empty() ? 1.0 : weights[i]) * litt[i];
  }
  out.sum_log_itt = sum;
  return out;
}

}  // namespace ltv

namespace ltv::detail::cnbd {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr int kMaxK = 64;  // Tail::log_c holds the k terms

double digamma(double v) {
  return boost::math::digamma(v);
}

/// The per-customer pieces of the likelihood that depend on (t_x, T) (RPS eq. (A.5)):
///   S2 = sum_{j<k} (A)_j / j! u^j,  u = (T - t_x)/(alpha + T)   (alive at T: fewer than k Erlang
///        phases completed in (t_x, T], mixed over the gamma posterior of lambda),
///   S1 = 1{K>0} a/(b+K-1) ((alpha+T)/(alpha+t_x))^A           (dropped out right after t_x),
/// with A = r + k x, K = x + m. Kept in logs; c_j = log of the j-th term of S2.
struct Tail {
  double log_s1 = kNegInf, log_s2 = 0, lse = 0;
  double w1 = 0, w2 = 1;           ///< S1/(S1+S2), S2/(S1+S2)
  double mean_psi = 0;             ///< E_j[psi(A+j) - psi(A)] under weights c_j / S2
  double mean_j = 0;               ///< E_j[j] under the same weights
  std::array<double, 64> log_c{};  ///< first min(k, 64) log terms (for CET weights)
};

Tail tail(const CnbdKParams& p, int m, double x, double t_x, double T, bool want) {
  Tail out;
  const int k = p.k;
  const double A = p.r + k * x, K = x + m;
  const double gap = T - t_x;
  // ln S2 by a running log-sum-exp over j; the Pochhammer ratio (A)_j / j! and the digamma
  // difference psi(A+j) - psi(A) = sum_{i<j} 1/(A+i) are accumulated exactly.
  double log_term = 0, psi_diff = 0;
  double s2 = 1, s_psi = 0, s_j = 0;  // scaled by exp(-max log term)
  double max_log = 0;
  out.log_c[0] = 0;
  if (gap > 0) {
    const double log_u = std::log(gap) - std::log(p.alpha + T);
    for (int j = 1; j < k; ++j) {
      log_term += std::log((A + j - 1) / j) + log_u;
      psi_diff += 1.0 / (A + j - 1);
      out.log_c[static_cast<std::size_t>(j)] = log_term;
      if (log_term > max_log) {
        const double f = std::exp(max_log - log_term);
        s2 *= f;
        s_psi *= f;
        s_j *= f;
        max_log = log_term;
      }
      const double e = std::exp(log_term - max_log);
      s2 += e;
      s_psi += e * psi_diff;
      s_j += e * j;
    }
  } else {
    for (int j = 1; j < k; ++j) out.log_c[static_cast<std::size_t>(j)] = kNegInf;
  }
  out.log_s2 = max_log + std::log(s2);
  if (want) {
    out.mean_psi = s_psi / s2;
    out.mean_j = s_j / s2;
  }
  if (K > 0) {
    out.log_s1 = std::log(p.a / (p.b + K - 1)) + A * std::log1p(gap / (p.alpha + t_x));
  }
  out.lse = log_sum_exp(out.log_s1, out.log_s2);
  out.w1 = std::exp(out.log_s1 - out.lse);
  out.w2 = std::exp(out.log_s2 - out.lse);
  return out;
}

struct LlSums {
  double ll = 0, r = 0, alpha = 0, a = 0, b = 0;
  LlSums& operator+=(const LlSums& o) {
    ll += o.ll;
    r += o.r;
    alpha += o.alpha;
    a += o.a;
    b += o.b;
    return *this;
  }
};

/// Sum over patterns [begin, end) of ln L without the regularity term:
///   ln L = lnΓ(A) − lnΓ(r) + r ln(α/(α+T)) − k x ln(α+T) + ln B(a, b+K) − ln B(a, b) + ln(S1+S2)
/// (RPS eq. (A.5); BTYDplus xbgcnbd.LL, terms P2..P4 and S1, S2), and its gradient.
LlSums ll_range(const CnbdKParams& p, int m, const RfmPatterns& pat, bool want, std::size_t begin,
                std::size_t end) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const int k = p.k;
  double cached_x = -1, lg = 0, lb = 0, dg = 0, db_a = 0, db_b = 0;
  LlSums s;
  for (std::size_t i = begin; i < end; ++i) {
    const double x = pat.x[i], t_x = pat.t_x[i], T = pat.T[i], w = pat.weight[i];
    const double K = x + m, kx = k * x, A = r + kx;
    if (x != cached_x) {
      cached_x = x;
      lg = log_gamma_ratio(r, kx);
      // ln B(a, b+K) − ln B(a, b) = [lnΓ(b+K) − lnΓ(b)] − [lnΓ(a+b+K) − lnΓ(a+b)].
      lb = log_gamma_ratio(b, K) - log_gamma_ratio(a + b, K);
      if (want) {
        dg = digamma_ratio(r, kx, digamma);
        const double d_abk = digamma_ratio(a + b, K, digamma);
        db_a = -d_abk;
        db_b = digamma_ratio(b, K, digamma) - d_abk;
      }
    }
    const Tail t = tail(p, m, x, t_x, T, want);
    const double l_aT = std::log(alpha + T);
    s.ll += w * (lg - r * std::log1p(T / alpha) - kx * l_aT + lb + t.lse);
    if (want) {
      const double l_ratio = std::log1p((T - t_x) / (alpha + t_x));
      s.r += w * (dg - std::log1p(T / alpha) + t.w1 * l_ratio + t.w2 * t.mean_psi);
      s.alpha +=
          w * (r / alpha - A / (alpha + T) + t.w1 * A * (1 / (alpha + T) - 1 / (alpha + t_x)) -
               t.w2 * t.mean_j / (alpha + T));
      s.a += w * (db_a + (K > 0 ? t.w1 / a : 0.0));
      s.b += w * (db_b - (K > 0 ? t.w1 / (b + K - 1) : 0.0));
    }
  }
  return s;
}

/// ln P(N >= n) for N ~ NegBin(shape, success 1-z) (failures with probability z): I_z(n, shape).
double nb_tail(double n, double shape, double z) {
  if (n <= 0) return 1.0;
  if (z <= 0) return 0.0;
  return boost::math::ibeta(n, shape, z);
}

/// sum_{n>=1} B(a, c+n-1)/B(a, c) · P(N >= k n - j), N ~ NegBin(shape, z) (failures with
/// probability z): expected purchases in a window when the next purchase needs k - j more Erlang
/// phases and each later one k, the customer having survived the dropout opportunities so far
/// (c = b + K) and p ~ Beta(a, c) (RPS section 3; the renewal count of Erlang-k inter-purchase
/// times with geometric dropout). Summed by N instead of n, with no cancellation:
///   sum_{i>=0} P(N = i) · C(floor((i + j)/k)),  C(n) = sum_{l=1}^{n} B(a, c+l-1)/B(a, c),
/// the NB probabilities by their ratio (shape+i)/(i+1) z in log space, the sum as a running
/// log-sum-exp. Past the mode the remaining terms are bounded by a geometric series (with C's
/// growth), and the sum stops when that bound falls below 1e-16 of it.
double renewal_sum(int k, int j, double shape, double z, double a, double c) {
  if (!(z > 0)) return 0.0;
  const double log_z = std::log(z);
  const long i0 = k - j;  // the first count with C > 0
  double log_pmf = log_gamma_ratio(shape, static_cast<double>(i0)) -
                   log_gamma(static_cast<double>(i0) + 1) + shape * std::log1p(-z) +
                   static_cast<double>(i0) * log_z;
  long n = 1;      // floor((i + j) / k)
  double b_n = 1;  // B(a, c+n-1)/B(a, c)
  double c_n = 1;  // C(n)
  double max_log = kNegInf, scaled = 0;
  constexpr long kMaxTerms = 50'000'000;
  for (long i = i0; i < i0 + kMaxTerms; ++i) {
    const long n_i = (i + j) / k;
    while (n < n_i) {
      b_n *= (c + static_cast<double>(n) - 1) / (a + c + static_cast<double>(n) - 1);
      ++n;
      c_n += b_n;
    }
    const double log_term = log_pmf + std::log(c_n);
    if (log_term > max_log) {
      scaled = scaled * std::exp(max_log - log_term) + 1;
      max_log = log_term;
    } else {
      scaled += std::exp(log_term - max_log);
    }
    const double ratio = (shape + static_cast<double>(i)) / (static_cast<double>(i) + 1) * z;
    if (ratio < 1) {
      const double rel = std::exp(log_term - max_log) / scaled;  // this term / sum
      const double growth = 1 + 1 / (static_cast<double>(k * n) * (1 - ratio));
      if (rel * ratio / (1 - ratio) * growth <= 1e-16) return std::exp(max_log) * scaled;
    }
    log_pmf += std::log(ratio);
  }
  throw ModelError(fmt::format(
      "cnbd-k: expected purchases did not converge in {} terms (shape {}, window z = {}); the "
      "horizon is too long against 1/lambda for this model",
      kMaxTerms, shape, z));
}

}  // namespace

void check_params(const CnbdKParams& p, const char* model) {
  if (p.k < 1 || p.k > kMaxK) {
    throw ModelError(
        fmt::format("{}: parameter k must be a whole number in 1..{}, got {}", model, kMaxK, p.k));
  }
  const double v[4] = {p.r, p.alpha, p.a, p.b};
  const char* n[4] = {"r", "alpha", "a", "b"};
  for (int i = 0; i < 4; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("{}: parameter {} must be positive and finite, got {}", model, n[i], v[i]));
    }
  }
}

void check_customer(double x, double t_x, double T) {
  nbd::check_customer(x, t_x, T);
}
void check_time(double t, const char* name) {
  nbd::check_time(t, name);
}

double regularity_term(int k, double sum_log_itt, double sum_x) {
  if (k == 1) return 0.0;
  // Erlang-k density of each inter-purchase time: λ^k τ^(k−1) e^(−λτ) / (k−1)!; the τ^(k−1) and
  // (k−1)! factors do not depend on λ (BTYDplus xbgcnbd.LL term P1).
  return (k - 1) * sum_log_itt - sum_x * log_gamma(static_cast<double>(k));
}

double log_likelihood_one(const CnbdKParams& p, int m, double x, double t_x, double T,
                          double litt) {
  RfmPatterns one;
  one.x = {x};
  one.t_x = {t_x};
  one.T = {T};
  one.weight = {1.0};
  return ll_range(p, m, one, false, 0, 1).ll + regularity_term(p.k, litt, x);
}

double log_likelihood_core(const CnbdKParams& p, int m, const RfmPatterns& pat,
                           std::span<double> gradient) {
  const bool want = !gradient.empty();
  const LlSums total = chunked_sum<LlSums>(pat.size(), 4096, [&](std::size_t b, std::size_t e) {
    return ll_range(p, m, pat, want, b, e);
  });
  if (want) {
    gradient[0] = total.r;
    gradient[1] = total.alpha;
    gradient[2] = total.a;
    gradient[3] = total.b;
  }
  return total.ll;
}

double p_alive(const CnbdKParams& p, int m, double x, double t_x, double T) {
  // S2 / (S1 + S2) (RPS; BTYDplus xbgcnbd.PAlive); BG with x = 0 cannot have dropped out.
  if (x + m <= 0) return 1.0;
  const Tail t = tail(p, m, x, t_x, T, false);
  return t.w2;
}

double expected_transactions(const CnbdKParams& p, int m, double t) {
  // E[X(t)] = sum_{n>=1} P(X(t) >= n), P(X(t) >= n) = B(a, b+n-1+m)/B(a, b) · I_z(k n, r),
  // z = t/(α+t): the n-th repeat purchase needs n-1+m dropout opportunities survived and k n
  // Erlang phases, i.e. a Poisson(λ t) count >= k n, which over λ ~ Gamma(r, α) is a negative
  // binomial tail (RPS section 3.2, the unconditional expectation).
  if (t <= 0) return 0.0;
  const double z = t / (p.alpha + t);
  const double first = m == 0 ? 1.0 : p.b / (p.a + p.b);  // B(a, b+m)/B(a, b)
  return first * renewal_sum(p.k, 0, p.r, z, p.a, p.b + m);
}

double conditional_expected_transactions(const CnbdKParams& p, int m, double t, double x,
                                         double t_x, double T) {
  // Alive at T (probability S2/(S1+S2)), the customer has completed j < k phases since t_x with
  // posterior weight c_j / S2, λ | alive, j ~ Gamma(r + k x + j, α + T) and p | alive ~
  // Beta(a, b + K). The next purchase needs k - j phases, later ones k:
  //   CET = P(alive) · sum_j (c_j/S2) · sum_{n>=1} B(a, b+K+n-1)/B(a, b+K) · I_z'(k n - j, A + j),
  // z' = t/(α+T+t). With k = 1 this is BG/NBD's eq. (10) (MBG/NBD with m = 1).
  if (t <= 0) return 0.0;
  const Tail tl = tail(p, m, x, t_x, T, false);
  const double alive = (x + m <= 0) ? 1.0 : tl.w2;
  if (alive == 0) return 0.0;
  const double A = p.r + p.k * x, K = x + m;
  const double z = t / (p.alpha + T + t);
  double sum = 0;
  for (int j = 0; j < p.k; ++j) {
    const double wj = std::exp(tl.log_c[static_cast<std::size_t>(j)] - tl.log_s2);
    if (wj < 1e-18) continue;
    sum += wj * renewal_sum(p.k, j, A + j, z, p.a, p.b + K);
  }
  return alive * sum;
}

double probability_of_purchase(const CnbdKParams& p, int m, double t, double x, double t_x,
                               double T) {
  // The first term of the CET sum: alive at T with j phases completed since t_x, a purchase in
  // (T, T+t] needs the remaining k - j phases, i.e. a negative binomial count (shape A + j,
  // z' = t/(α+T+t)) of at least k - j: I_z'(k - j, A + j). No dropout opportunity comes first.
  if (t <= 0) return 0.0;
  const Tail tl = tail(p, m, x, t_x, T, false);
  const double alive = (x + m <= 0) ? 1.0 : tl.w2;
  if (alive == 0) return 0.0;
  const double A = p.r + p.k * x;
  const double z = t / (p.alpha + T + t);
  double sum = 0;
  for (int j = 0; j < p.k; ++j) {
    const double wj = std::exp(tl.log_c[static_cast<std::size_t>(j)] - tl.log_s2);
    if (wj < 1e-18) continue;
    sum += wj * boost::math::ibeta(static_cast<double>(p.k - j), A + j, z);
  }
  return alive * std::clamp(sum, 0.0, 1.0);
}

double p_n_transactions(const CnbdKParams& p, int m, double n, double t) {
  // P(X(t) >= n) = B_n I(k n), B_n = B(a, b+n-1+m)/B(a, b), I(i) = P(NB >= i), so
  //   P(X(t) = n) = B_n [I(k n) - I(k n + k)] + (B_n - B_{n+1}) I(k n + k),
  // with I(kn) - I(kn+k) = sum of k negative binomial terms and B_n - B_{n+1} =
  // B(a+1, b+n-1+m)/B(a, b): a sum of positive terms (no cancellation).
  if (t <= 0) return n == 0 ? 1.0 : 0.0;
  const double z = t / (p.alpha + t);
  const double r = p.r, a = p.a, b = p.b;
  const double lb = log_beta(a, b);
  const auto nb_log_pmf = [&](double i) {
    return log_gamma_ratio(r, i) - log_gamma(i + 1) - r * std::log1p(t / p.alpha) +
           (i > 0 ? i * std::log(z) : 0.0);
  };
  const double k = p.k;
  double band = 0;  // P(k n <= NB < k n + k)
  for (int i = 0; i < p.k; ++i) band += std::exp(nb_log_pmf(k * n + i));
  if (n == 0) {
    // P(X=0) = P(dropped at 0) + P(alive at 0) P(NB < k).
    const double dropped0 = m == 1 ? a / (a + b) : 0.0;
    const double alive0 = m == 1 ? b / (a + b) : 1.0;
    return std::min(1.0, dropped0 + alive0 * band);
  }
  const double c = b + n - 1 + m;
  const double b_n = std::exp(log_beta(a, c) - lb);
  const double b_diff = std::exp(log_beta(a + 1, c) - lb);
  return std::min(1.0, b_n * band + b_diff * nb_tail(k * (n + 1), r, z));
}

double dert(const CnbdKParams& p, int m, double delta, double x, double t_x, double T) {
  // DERT = sum over future purchases n of E[e^{-δ τ_n}] (τ_n its time after T), alive at T:
  // τ_n ~ Gamma(k n − j, λ) given λ and j completed phases, so E[e^{−δ τ_n} | λ] = y^{k n − j},
  // y = λ/(λ+δ), and over p ~ Beta(a, c), c = b + K:
  //   sum_n B(a, c+n−1)/B(a, c) y^{k n − j} = y^{k−j} 2F1(1, c; a + c; y^k).
  // Then DERT = P(alive) sum_j (c_j/S2) ∫ Gamma(λ; A+j, α+T) y^{k−j} 2F1(1, c; a+c; y^k) dλ,
  // the λ-integral by double-exponential quadrature in u = ln(λ (α+T)) around its mode.
  const Tail tl = tail(p, m, x, t_x, T, false);
  const double alive = (x + m <= 0) ? 1.0 : tl.w2;
  if (alive == 0) return 0.0;
  const double A = p.r + p.k * x, K = x + m, c = p.b + K, q = p.a + c, rate = p.alpha + T;
  const auto log_f = [&](double z) {
    if (z <= 0) return 0.0;
    if (q > 1) return log_hyp2f1_unit(c, q, z, false).log_value;
    // q <= 1 (a + b < 1 with K = 0): the positive series directly.
    double term = 1, sum = 1;
    for (long n = 0; n < 100'000'000; ++n) {
      term *= (c + n) / (q + n) * z;
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return std::log(sum);
  };
  double total = 0;
  for (int j = 0; j < p.k; ++j) {
    const double wj = std::exp(tl.log_c[static_cast<std::size_t>(j)] - tl.log_s2);
    if (wj < 1e-18) continue;
    const double shape = A + j;
    const double lg = log_gamma(shape);
    // v = λ·rate ~ Gamma(shape, 1); u = ln v.
    auto eval = [&](double u, std::array<double, 1>& g) {
      g[0] = 1;
      const double v = std::exp(u);
      const double lambda = v / rate;
      const double log_y = -std::log1p(delta / lambda);
      const double log_h = (p.k - j) * log_y + log_f(std::exp(p.k * log_y));
      return shape * u - v - lg + log_h;
    };
    auto phi = [&](double u) {
      std::array<double, 1> g{};
      return eval(u, g);
    };
    const double start = std::log(shape);
    const double u_star = find_mode(phi, start - 60, start + 60, start);
    const auto r = de_integrate<1>(eval, u_star, peak_width(phi, u_star));
    total += wj * std::exp(r.log_scale) * r.sums[0];
  }
  return alive * total;
}

std::vector<FitResult> fit_each_k(const RegularityPatterns& data, const CnbdKFitOptions& options,
                                  int m, const char* model) {
  const RfmPatterns& patterns = data.patterns;
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers",
                fmt::format("at least one customer to fit {}", model));
  }
  double sum_w = 0, sum_x = 0, sum_T = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
    sum_w += patterns.weight[i];
    sum_x += patterns.weight[i] * patterns.x[i];
    sum_T += patterns.weight[i] * patterns.T[i];
  }
  if (!(sum_T > 0)) {
    input_error(SourceLocation{"", 0, "T"}, "all T = 0",
                "customers observed for some time (T > 0)");
  }
  if (options.k < 0 || options.k > kMaxK) {
    parameter_error("k", fmt::format("{}", options.k),
                    fmt::format("0 (choose by likelihood) or a regularity 1..{}", kMaxK));
  }
  if (options.k == 0 && (options.k_max < 1 || options.k_max > kMaxK)) {
    parameter_error("k_max", fmt::format("{}", options.k_max), fmt::format("1..{}", kMaxK));
  }
  const bool litt_known = std::isfinite(data.sum_log_itt);
  if (options.k == 0 && !litt_known) {
    input_error(SourceLocation{"", 0, "litt"}, "no sum of log inter-purchase times",
                "litt (ltv::log_intertransaction_times) to choose k, or a fixed k");
  }
  const double rate = std::max(sum_x / sum_w, 0.05) / (sum_T / sum_w);
  std::vector<FitResult> out;
  const int k_first = options.k == 0 ? 1 : options.k;
  const int k_last = options.k == 0 ? options.k_max : options.k;
  for (int k = k_first; k <= k_last; ++k) {
    MaximizeProblem problem;
    problem.model = model;
    problem.names = {"r", "alpha", "a", "b"};
    problem.n_customers = sum_w;
    problem.n_patterns = patterns.size();
    const auto ll = [m, k](const RfmPatterns& d, std::span<const double> th, std::span<double> g) {
      return log_likelihood_core(CnbdKParams{k, th[0], th[1], th[2], th[3]}, m, d, g);
    };
    problem.log_likelihood = [&patterns, ll](std::span<const double> th, std::span<double> g) {
      return ll(patterns, th, g);
    };
    // Erlang-k inter-purchase times have mean k/λ, so the purchase rate λ/k matches Σx/ΣT when
    // α = r / (k · rate).
    const double kr = k * rate;
    problem.starts = {
        {1.0, 1.0 / kr, 1.0, 1.0}, {0.5, 0.5 / kr, 0.5, 2.0}, {2.0, 2.0 / kr, 2.0, 5.0}};
    problem.presearch = presearch_problem(problem, patterns, ll);
    FitResult f = maximize_likelihood(problem, options.fit);
    // k is fixed within a fit: reported first (as BTYDplus's c(k, r, alpha, a, b)) with zero
    // variance; the log-likelihood gets the regularity term (when litt is known).
    f.names.insert(f.names.begin(), "k");
    f.estimates.insert(f.estimates.begin(), static_cast<double>(k));
    if (!f.std_errors.empty()) {
      f.std_errors.insert(f.std_errors.begin(), 0.0);
      f.ci_lower.insert(f.ci_lower.begin(), static_cast<double>(k));
      f.ci_upper.insert(f.ci_upper.begin(), static_cast<double>(k));
      std::vector<double> cov(25, 0.0);
      for (std::size_t i = 0; i < 4; ++i) {
        for (std::size_t j = 0; j < 4; ++j) cov[(i + 1) * 5 + j + 1] = f.log_covariance[i * 4 + j];
      }
      f.log_covariance = std::move(cov);
    }
    if (litt_known) f.log_likelihood += regularity_term(k, data.sum_log_itt, sum_x);
    const double ll_k = f.log_likelihood;
    out.push_back(std::move(f));
    // BTYDplus's grid search rule: stop once the log-likelihood fell twice in a row.
    const std::size_t n = out.size();
    if (options.k == 0 && n >= 3 && ll_k < out[n - 2].log_likelihood &&
        out[n - 2].log_likelihood < out[n - 3].log_likelihood) {
      break;
    }
  }
  return out;
}

FitResult fit(const RegularityPatterns& data, const CnbdKFitOptions& options, int m,
              const char* model) {
  std::vector<FitResult> all = fit_each_k(data, options, m, model);
  std::size_t best = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (all[i].log_likelihood > all[best].log_likelihood) best = i;
  }
  std::string note;
  if (options.k == 0) {
    std::vector<std::string> lls;
    for (const auto& a : all) {
      lls.push_back(
          fmt::format("k={}: {:.2f}", static_cast<int>(a.estimates[0]), a.log_likelihood));
    }
    note = fmt::format("k = {} chosen by log-likelihood ({})",
                       static_cast<int>(all[best].estimates[0]), fmt::join(lls, ", "));
  }
  FitResult f = std::move(all[best]);
  if (!note.empty()) f.message = f.message.empty() ? note : f.message + "; " + note;
  return f;
}

CnbdKParams params_from(const FitResult& fit, const char* model) {
  if (fit.estimates.size() != 5 || (!fit.model.empty() && fit.model != model)) {
    throw ModelError(fmt::format(
        "{}: fit result of model '{}' with {} parameters, expected {} (k, r, alpha, a, b)", model,
        fit.model, fit.estimates.size(), model));
  }
  const double k = fit.estimates[0];
  if (k != std::floor(k)) {
    throw ModelError(fmt::format("{}: parameter k must be a whole number, got {}", model, k));
  }
  CnbdKParams p{static_cast<int>(k), fit.estimates[1], fit.estimates[2], fit.estimates[3],
                fit.estimates[4]};
  check_params(p, model);
  return p;
}

RegularityPatterns simulate(const CnbdKParams& p, int m, std::span<const double> T,
                            std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> ga(p.a, 1.0), gb(p.b, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::vector<double> xs(T.size()), txs(T.size()), litt(T.size());
  for (std::size_t i = 0; i < T.size(); ++i) {
    check_time(T[i], "T");
    const double lambda = lambda_dist(rng);
    const double u = ga(rng), v = gb(rng);
    const double drop = u / (u + v);
    double x = 0, t_x = 0, t = 0, l = 0;
    bool alive = !(m == 1 && unif(rng) < drop) && lambda > 0;
    // Erlang-k gaps: Gamma(k, rate λ).
    std::gamma_distribution<double> gap_dist(static_cast<double>(p.k),
                                             lambda > 0 ? 1.0 / lambda : 1.0);
    while (alive) {
      const double gap = gap_dist(rng);
      t += gap;
      if (t > T[i]) break;
      x += 1;
      t_x = t;
      l += std::log(gap);
      if (unif(rng) < drop) alive = false;
    }
    xs[i] = x;
    txs[i] = t_x;
    litt[i] = l;
  }
  return compress_regularity_patterns(xs, txs, T, litt);
}

}  // namespace ltv::detail::cnbd
