// Derived quantities of a fit result (see ltv/math/fit.hpp).
#include "ltv/math/fit.hpp"

namespace ltv {

std::vector<double> natural_covariance(const FitResult& fit) {
  const std::size_t k = fit.estimates.size();
  if (fit.log_covariance.size() != k * k || k == 0) return {};
  std::vector<double> out(k * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      out[i * k + j] = fit.estimates[i] * fit.estimates[j] * fit.log_covariance[i * k + j];
    }
  }
  return out;
}

}  // namespace ltv
