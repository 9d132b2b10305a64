// MBG/CNBD-k model (Reutterer, Platzer & Schröder 2021, IJRM 38(1); BTYDplus `mbgcnbd.*`): thin
// layer over the shared (M)BG/CNBD-k mathematics in cnbd_family.cpp (dropout opportunities K = x +
// 1).
#include "ltv/models/mbg_cnbd_k.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "math/parallel.hpp"
#include "models/cnbd_family.hpp"

namespace ltv::mbg_cnbd_k {

namespace {
constexpr int kExtra = 1;
constexpr const char* kModel = "mbgcnbdk";
const CnbdKParams& checked(const CnbdKParams& p) {
  detail::cnbd::check_params(p, kModel);
  return p;
}
}  // namespace

double log_likelihood(const CnbdKParams& params, double x, double t_x, double T, double litt) {
  checked(params);
  detail::cnbd::check_customer(x, t_x, T);
  if (!std::isfinite(litt) || (x == 0 && litt != 0)) {
    input_error(SourceLocation{"", 0, "litt"}, fmt::format("{}", litt),
                "a finite sum of log inter-purchase times (0 when x = 0)");
  }
  return detail::cnbd::log_likelihood_one(params, kExtra, x, t_x, T, litt);
}

double log_likelihood(const CnbdKParams& params, const RegularityPatterns& data) {
  checked(params);
  const RfmPatterns& pat = data.patterns;
  double sum_x = 0;
  for (std::size_t i = 0; i < pat.size(); ++i) {
    detail::cnbd::check_customer(pat.x[i], pat.t_x[i], pat.T[i]);
    sum_x += pat.weight[i] * pat.x[i];
  }
  if (params.k > 1 && !std::isfinite(data.sum_log_itt)) {
    input_error(SourceLocation{"", 0, "litt"}, "no sum of log inter-purchase times",
                "litt for the likelihood of k > 1");
  }
  return detail::cnbd::log_likelihood_core(params, kExtra, pat, {}) +
         detail::cnbd::regularity_term(params.k, data.sum_log_itt, sum_x);
}

FitResult fit(const RegularityPatterns& data, const CnbdKFitOptions& options) {
  return detail::cnbd::fit(data, options, kExtra, kModel);
}

std::vector<FitResult> fit_each_k(const RegularityPatterns& data, const CnbdKFitOptions& options) {
  return detail::cnbd::fit_each_k(data, options, kExtra, kModel);
}

CnbdKParams params(const FitResult& fit) {
  return detail::cnbd::params_from(fit, kModel);
}

double expected_transactions(const CnbdKParams& params, double t) {
  checked(params);
  detail::cnbd::check_time(t, "t");
  return detail::cnbd::expected_transactions(params, kExtra, t);
}

double conditional_expected_transactions(const CnbdKParams& params, double t, double x, double t_x,
                                         double T) {
  checked(params);
  detail::cnbd::check_time(t, "t");
  detail::cnbd::check_customer(x, t_x, T);
  return detail::cnbd::conditional_expected_transactions(params, kExtra, t, x, t_x, T);
}

std::vector<double> conditional_expected_transactions(const CnbdKParams& params, double t,
                                                      const RfmPatterns& patterns) {
  checked(params);
  detail::cnbd::check_time(t, "t");
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    detail::cnbd::check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  std::vector<double> out(patterns.size());
  detail::parallel_for(patterns.size(), [&](std::size_t i) {
    out[i] = detail::cnbd::conditional_expected_transactions(params, kExtra, t, patterns.x[i],
                                                             patterns.t_x[i], patterns.T[i]);
  });
  return out;
}

double p_alive(const CnbdKParams& params, double x, double t_x, double T) {
  checked(params);
  detail::cnbd::check_customer(x, t_x, T);
  return detail::cnbd::p_alive(params, kExtra, x, t_x, T);
}

double p_n_transactions(const CnbdKParams& params, double n, double t) {
  checked(params);
  detail::cnbd::check_time(t, "t");
  detail::cnbd::check_customer(n, 0, 0);
  return detail::cnbd::p_n_transactions(params, kExtra, n, t);
}

double dert(const CnbdKParams& params, double delta, double x, double t_x, double T) {
  checked(params);
  if (!(delta > 0) || !std::isfinite(delta)) {
    input_error(SourceLocation{"", 0, "delta"}, fmt::format("{}", delta),
                "a continuous discount rate > 0 per time unit");
  }
  detail::cnbd::check_customer(x, t_x, T);
  return detail::cnbd::dert(params, kExtra, delta, x, t_x, T);
}

RegularityPatterns simulate(const CnbdKParams& params, std::span<const double> T,
                            std::uint64_t seed) {
  checked(params);
  return detail::cnbd::simulate(params, kExtra, T, seed);
}

}  // namespace ltv::mbg_cnbd_k
