#pragma once
// Shared by the tests of the command jobs (segment, cross-sell, actions, report): a simulated
// retailer written once per test program, and parameters for it.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "ltv/ltv.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv::test {

/// A simulated retailer (1,500 customers, two years) in a temporary folder: transactions.csv,
/// customers.csv, nps.csv, contacts.csv, spend.csv.
inline const std::filesystem::path& job_retailer() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d = temp_dir("job_retailer");
    sim::SimulationOptions o;
    o.customers = 1500;
    o.seed = 5;
    sim::simulate_retailer(o, d);
    return d;
  }();
  return dir;
}

/// Parameters of `groups` for the retailer's transactions (customer, date, amount, order,
/// product and category columns) plus `values`.
inline Parameters retailer_parameters(
    std::vector<std::string_view> groups,
    const std::vector<std::pair<std::string, std::string>>& values = {}) {
  Parameters p(std::move(groups));
  p.set("file", (job_retailer() / "transactions.csv").string());
  p.set("customer", "customer_id");
  p.set("date", "date");
  p.set("amount", "amount");
  p.set("order", "order_id");
  p.set("category", "category");
  if (p.accepts("item")) {
    p.set("item", "product");
  } else {
    p.set("product", "product");
  }
  for (const auto& [key, value] : values) p.set(key, value);
  return p;
}

/// The ParameterError key thrown by `f`, or "" when it throws none.
template <class F>
std::string error_key(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.key();
  }
  return "";
}

}  // namespace ltv::test
