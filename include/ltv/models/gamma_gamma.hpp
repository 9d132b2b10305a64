#pragma once
/// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
/// customer base analysis", JMR 42(4); the model of Colombo & Jiang 1999). Each transaction value
/// z ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across customers; a customer's mean spend m_x over x
/// repeat transactions is sufficient. Equations: docs/models.md.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

// ---- the spend model of a whole customer base ------------------------------------------------

/// How fit_spend_model came out.
enum class SpendModelStatus {
  fitted,          ///< q > 1: every customer has an expected spend
  no_finite_mean,  ///< fitted, but q <= 1: the population mean p gamma / (q - 1) does not exist
                   ///< (spend too heavy-tailed for the model), so no expected spend is given
  no_spend_data,   ///< no repeat customer with a positive mean spend: nothing to fit
};
/// "fitted", "no_finite_mean", "no_spend_data".
std::string_view to_string(SpendModelStatus status) noexcept;

/// Customers of one kind: how many, and the positions (0-based indices into the columns given
/// to fit_spend_model) of the first few, in input order.
struct CustomerGroup {
  std::size_t count = 0;
  std::vector<std::size_t> first;
};

/// Options of fit_spend_model.
struct SpendModelOptions {
  FitOptions fit;                ///< passed to fit()
  std::size_t max_examples = 5;  ///< positions kept per CustomerGroup
};

/// The Gamma-Gamma spend model of a whole customer base, fitted as lifetimes and CLVTools
/// do: on the repeat customers (x >= 1) whose mean repeat spend is positive. Customers with no
/// repeat purchase, and repeat customers whose mean spend is zero or negative (returns that
/// cancel their purchases, free items), carry no usable spend information: they are left out of
/// the fit, counted here, and given the population mean spend.
struct SpendModel {
  SpendModelStatus status = SpendModelStatus::no_spend_data;
  std::optional<FitResult> fit;  ///< the Gamma-Gamma fit (unless no_spend_data)
  std::optional<GammaGammaParams> params;
  std::size_t customers = 0;     ///< all customers given
  CustomerGroup repeat;          ///< x >= 1
  CustomerGroup used;            ///< x >= 1 and mean spend > 0: the customers fitted on
  CustomerGroup zero_spend;      ///< x >= 1 and mean spend == 0: left out
  CustomerGroup negative_spend;  ///< x >= 1 and mean spend < 0: left out
  CustomerGroup no_repeat;       ///< x == 0: no spend observed beyond the first purchase
  /// p gamma / (q - 1), the expected spend per transaction of a customer about whom nothing is
  /// known; set only when status == fitted.
  std::optional<double> population_mean;
  /// One per customer (input order) when status == fitted, else empty: E[spend | x, m_x]
  /// (FHL 2005b eq. 5) for the customers used, the population mean for everyone else.
  std::vector<double> expected_spend;
  /// What was done in plain words (counts, left-out customers, or why there is no expected
  /// spend), e.g. "Gamma-Gamma fitted on 9241 of 9244 repeat customers (3 with zero mean spend
  /// left out of the fit); 14329 customers without a usable repeat spend get the population mean
  /// spend 35.20".
  std::string note;
  /// Customers left out of the fit although they repeat (zero_spend + negative_spend).
  std::size_t left_out() const noexcept { return zero_spend.count + negative_spend.count; }
};

/// Fits the spend model on per-customer repeat transactions x and mean repeat spend m_x (the
/// summary's frequency and monetary_value, one entry per customer) and gives every customer an
/// expected spend per transaction. Data problems of real bases (zero or negative mean spend, no
/// repeaters, q <= 1) are outcomes in the result, never exceptions. Throws InputError only for
/// malformed columns, naming the customer by position: lengths differ, a frequency that is not
/// a whole number >= 0, or a mean spend that is not finite for a repeat customer; and
/// ConvergenceError as fit() when no starting point gives a finite likelihood. A fit that stops
/// early is kept (fit->converged false) and named in `note`.
SpendModel fit_spend_model(std::span<const double> x, std::span<const double> m_x,
                           const SpendModelOptions& options = {});

}  // namespace gamma_gamma
}  // namespace ltv
