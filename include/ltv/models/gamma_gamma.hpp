#pragma once
/// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
/// customer base analysis", JMR 42(4); the model of Colombo & Jiang 1999). Each transaction value
/// z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers; a customer's mean spend m_x over x
/// repeat transactions is sufficient. Equations: docs/models.md.

#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// Gamma-Gamma parameters (shape p of each transaction, shape q and scale gamma of nu).
struct GammaGammaParams {
  double p = 1, q = 2, gamma = 1;
};

/// Spend data of customers with at least one repeat transaction: x and mean spend m_x, weights.
struct SpendData {
  std::vector<double> x;       ///< repeat transactions (>= 1)
  std::vector<double> m_x;     ///< mean value of those transactions (> 0)
  std::vector<double> weight;  ///< customers with this row (> 0)
  std::size_t size() const noexcept { return x.size(); }
  double customers() const noexcept;  ///< sum of weights
};

namespace gamma_gamma {

/// Builds SpendData from per-customer columns. Customers with x = 0 carry no spend information
/// and are left out (the model is fitted on repeat customers only, as in the paper). Throws
/// InputError for different lengths, x < 0 or fractional, non-finite values, m_x <= 0 when x > 0,
/// or negative weights.
SpendData spend_data(std::span<const double> x, std::span<const double> m_x,
                     std::span<const double> weights = {});

/// Log-likelihood of one customer's mean spend m_x given x (FHL 2005b, eq. 3 for m_x).
double log_likelihood(const GammaGammaParams& params, double x, double m_x);
/// Weighted log-likelihood of all rows.
double log_likelihood(const GammaGammaParams& params, const SpendData& data);
/// Maximum-likelihood fit (model "gg", parameters p, q, gamma). Throws InputError when there are
/// no repeat customers. A fit with q <= 1 is returned (with a note in `message`), but the
/// expectations below refuse it.
FitResult fit(const SpendData& data, const FitOptions& options = {});
/// Parameters from a Gamma-Gamma fit. Throws ModelError for a result of another shape.
GammaGammaParams params(const FitResult& fit);

/// Population mean spend per transaction p gamma / (q - 1). Throws ModelError when q <= 1 (the
/// mean does not exist).
double expected_average_spend(const GammaGammaParams& params);
/// E[mean spend | x, m_x] = (p (gamma + x m_x)) / (p x + q - 1) (FHL 2005b eq. 5); for x = 0 the
/// population mean. Throws ModelError when q <= 1, InputError for invalid x / m_x.
double conditional_expected_average_spend(const GammaGammaParams& params, double x, double m_x);

}  // namespace gamma_gamma
}  // namespace ltv
