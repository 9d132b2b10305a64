#pragma once
// Standard errors from a purely numerical Hessian of a log-likelihood in log-parameters (second
// differences of the values only), to check the driver's analytic-gradient Hessian.

#include <Eigen/Dense>

#include <cmath>
#include <functional>
#include <vector>

namespace ltv::test {

inline std::vector<double> numeric_std_errors(
    const std::function<double(const std::vector<double>&)>& ll, const std::vector<double>& theta) {
  const std::size_t k = theta.size();
  std::vector<double> u(k);
  for (std::size_t i = 0; i < k; ++i) u[i] = std::log(theta[i]);
  auto f = [&](std::vector<double> v) {
    for (auto& e : v) e = std::exp(e);
    return -ll(v);
  };
  const double h = 1e-4;
  Eigen::MatrixXd H(k, k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      auto at = [&](double di, double dj) {
        std::vector<double> v = u;
        v[i] += di;
        v[j] += dj;
        return f(v);
      };
      H(i, j) = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
    }
  }
  const Eigen::MatrixXd cov = H.inverse();
  std::vector<double> se(k);
  for (std::size_t i = 0; i < k; ++i) se[i] = theta[i] * std::sqrt(cov(i, i));
  return se;
}

}  // namespace ltv::test
