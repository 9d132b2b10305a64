#pragma once
// Shared mathematics of BG/CNBD-k and MBG/CNBD-k (Reutterer, Platzer & Schröder 2021, IJRM 38(1);
// BTYDplus xbgcnbd.*) (internal: ltv::detail). As in nbd_family.hpp, `m` in {0, 1} is the number
// of extra dropout opportunities: a customer with x repeat purchases survived K = x + m of them
// (m = 1: MBG, who may also drop out right after the first purchase). With k = 1 every formula
// reduces to BG/NBD (m = 0) and MBG/NBD (m = 1).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/models/cnbd_k.hpp"
#include "ltv/models/model.hpp"

namespace ltv::detail::cnbd {

/// Throws ModelError naming `model` for k < 1 or k > 64, or a parameter not positive and finite.
void check_params(const CnbdKParams& p, const char* model);

/// (k-1) litt - x ln((k-1)!) summed: the part of the log-likelihood that only depends on k.
double regularity_term(int k, double sum_log_itt, double sum_x);

/// Log-likelihood of one customer including the regularity term (RPS 2021 eq. (A.5); BTYDplus
/// xbgcnbd.LL).
double log_likelihood_one(const CnbdKParams& p, int m, double x, double t_x, double T, double litt);

/// Weighted log-likelihood of the patterns WITHOUT the regularity term; fills `gradient` with
/// d/d(r, alpha, a, b) when non-empty.
double log_likelihood_core(const CnbdKParams& p, int m, const RfmPatterns& patterns,
                           std::span<double> gradient);

double p_alive(const CnbdKParams& p, int m, double x, double t_x, double T);
double expected_transactions(const CnbdKParams& p, int m, double t);
double conditional_expected_transactions(const CnbdKParams& p, int m, double t, double x,
                                         double t_x, double T);
double p_n_transactions(const CnbdKParams& p, int m, double n, double t);
/// Discounted expected residual transactions, continuous discount rate delta per time unit:
/// the expected sum of e^{-delta tau} over future purchase times tau (see the .cpp).
double dert(const CnbdKParams& p, int m, double delta, double x, double t_x, double T);

/// Fit (k fixed or searched, see CnbdKFitOptions) through the shared driver.
FitResult fit(const RegularityPatterns& data, const CnbdKFitOptions& options, int m,
              const char* model);
/// One fit per k tried by the search (or the one given), in order of k.
std::vector<FitResult> fit_each_k(const RegularityPatterns& data, const CnbdKFitOptions& options,
                                  int m, const char* model);
CnbdKParams params_from(const FitResult& fit, const char* model);

/// Simulates one customer per entry of T; returns the patterns with the sum of litt.
RegularityPatterns simulate(const CnbdKParams& p, int m, std::span<const double> T,
                            std::uint64_t seed);

void check_customer(double x, double t_x, double T);
void check_time(double t, const char* name);

}  // namespace ltv::detail::cnbd
