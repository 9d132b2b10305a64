// MBG/NBD model (Batislam, Denizel & Filiztekin 2007, IJRM 24(3); as in BTYDplus mbgnbd): thin
// layer over the shared NBD-family mathematics in nbd_family.cpp (dropout opportunities k = x + 1).
#include "ltv/models/mbg_nbd.hpp"

#include <cmath>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "math/parallel.hpp"
#include "models/nbd_family.hpp"

namespace ltv::mbg_nbd {

namespace {
constexpr int kExtra = 1;
constexpr const char* kModel = "mbgnbd";
detail::nbd::Params checked(const MbgNbdParams& p) {
  detail::nbd::Params q{p.r, p.alpha, p.a, p.b};
  detail::nbd::check_params(q, kModel);
  return q;
}
}  // namespace

double log_likelihood(const MbgNbdParams& params, double x, double t_x, double T) {
  const auto p = checked(params);
  detail::nbd::check_customer(x, t_x, T);
  return detail::nbd::log_likelihood_one(p, kExtra, x, t_x, T);
}

double log_likelihood(const MbgNbdParams& params, const RfmPatterns& patterns) {
  const auto p = checked(params);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    detail::nbd::check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  return detail::nbd::log_likelihood(p, kExtra, patterns, {});
}

FitResult fit(const RfmPatterns& patterns, const FitOptions& options) {
  return detail::nbd::fit(patterns, options, kExtra, kModel);
}

MbgNbdParams params(const FitResult& fit) {
  const auto p = detail::nbd::params_from(fit, kModel);
  return {p.r, p.alpha, p.a, p.b};
}

double expected_transactions(const MbgNbdParams& params, double t) {
  const auto p = checked(params);
  detail::nbd::check_time(t, "t");
  return detail::nbd::expected_transactions(p, kExtra, t);
}

double conditional_expected_transactions(const MbgNbdParams& params, double t, double x, double t_x,
                                         double T) {
  const auto p = checked(params);
  detail::nbd::check_time(t, "t");
  detail::nbd::check_customer(x, t_x, T);
  return detail::nbd::conditional_expected_transactions(p, kExtra, t, x, t_x, T);
}

std::vector<double> conditional_expected_transactions(const MbgNbdParams& params, double t,
                                                      const RfmPatterns& patterns) {
  const auto p = checked(params);
  detail::nbd::check_time(t, "t");
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    detail::nbd::check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  std::vector<double> out(patterns.size());
  detail::parallel_for(patterns.size(), [&](std::size_t i) {
    out[i] = detail::nbd::conditional_expected_transactions(p, kExtra, t, patterns.x[i],
                                                            patterns.t_x[i], patterns.T[i]);
  });
  return out;
}

double p_alive(const MbgNbdParams& params, double x, double t_x, double T) {
  const auto p = checked(params);
  detail::nbd::check_customer(x, t_x, T);
  return detail::nbd::p_alive(p, kExtra, x, t_x, T);
}

double p_n_transactions(const MbgNbdParams& params, double n, double t) {
  const auto p = checked(params);
  detail::nbd::check_time(t, "t");
  detail::nbd::check_customer(n, 0, 0);
  return detail::nbd::p_n_transactions(p, kExtra, n, t);
}

double conditional_p_n_transactions(const MbgNbdParams& params, double n, double t, double x,
                                    double t_x, double T) {
  const auto p = checked(params);
  detail::nbd::check_time(t, "t");
  detail::nbd::check_customer(n, 0, 0);
  detail::nbd::check_customer(x, t_x, T);
  return detail::nbd::conditional_p_n_transactions(p, kExtra, n, t, x, t_x, T);
}

double dert(const MbgNbdParams& params, double delta, double x, double t_x, double T) {
  const auto p = checked(params);
  if (!(delta > 0) || !std::isfinite(delta)) {
    parameter_error("discount_rate", fmt::format("{}", delta), "a positive finite discount rate");
  }
  detail::nbd::check_customer(x, t_x, T);
  return detail::nbd::dert(p, kExtra, delta, x, t_x, T);
}

RfmPatterns simulate(const MbgNbdParams& params, std::span<const double> T, std::uint64_t seed) {
  const auto p = checked(params);
  for (double v : T) detail::nbd::check_time(v, "T");
  return detail::nbd::simulate(p, kExtra, T, seed);
}

}  // namespace ltv::mbg_nbd
