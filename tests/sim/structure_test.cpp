// The structure the simulator plants for other modules to find: companion products bought
// together, categories that follow each other across orders, NPS scores linked to the latent
// dropout rate. Each check is a two-proportion or two-mean z statistic above 4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "csv.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;

struct Order {
  std::string customer;
  std::set<std::string> products;
  std::set<std::string> categories;
};

// Orders in file order (customers in id order, their orders in date order).
std::vector<Order> read_orders(const fs::path& path) {
  std::vector<Order> orders;
  std::string current;
  for (const auto& row : ltv::test::read_csv(path).rows) {
    if (row[3] != current) {
      current = row[3];
      orders.push_back({row[0], {}, {}});
    }
    orders.back().products.insert(row[4]);
    orders.back().categories.insert(row[5]);
  }
  return orders;
}

// z statistic of p1 - p0 for two independent proportions (pooled variance).
double two_proportion_z(double hits1, double n1, double hits0, double n0) {
  const double p1 = hits1 / n1, p0 = hits0 / n0;
  const double pooled = (hits1 + hits0) / (n1 + n0);
  return (p1 - p0) / std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
}

class SimStructure : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = ltv::test::temp_dir("sim_structure");
    ltv::sim::SimulationOptions o;
    o.customers = 20000;
    o.seed = 12;
    o.nps_rate = 0.5;
    o.contact_rate = 0;
    o.write_latent = true;
    ltv::sim::simulate_retailer(o, dir_);
    orders_ = read_orders(dir_ / "transactions.csv");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  static fs::path dir_;
  static std::vector<Order> orders_;
};
fs::path SimStructure::dir_;
std::vector<Order> SimStructure::orders_;

TEST_F(SimStructure, CompanionProductsAreBoughtTogether) {
  // truth.json: coffee items 0..2 pull the "standard" variant of bakery items 0..2.
  const std::vector<std::pair<std::string, std::string>> pairs{
      {"espresso beans", "croissant standard"},
      {"arabica ground", "rye bread standard"},
      {"instant coffee", "bagel standard"}};
  for (const auto& [item, companion] : pairs) {
    double with = 0, with_hits = 0, without = 0, without_hits = 0;
    for (const Order& order : orders_) {
      bool has_item = false;
      for (const char* variant : {" basic", " standard", " premium"}) {
        has_item = has_item || order.products.count(item + variant) != 0;
      }
      const bool has_companion = order.products.count(companion) != 0;
      (has_item ? with : without) += 1;
      (has_item ? with_hits : without_hits) += has_companion ? 1 : 0;
    }
    ASSERT_GT(with, 100) << item;
    EXPECT_GT(two_proportion_z(with_hits, with, without_hits, without), 4.0)
        << item << " -> " << companion << ": " << with_hits / with << " vs "
        << without_hits / without;
  }
}

TEST_F(SimStructure, SportsGoodsAreFollowedByAccessories) {
  double after_sports = 0, after_sports_hits = 0, after_other = 0, after_other_hits = 0;
  for (std::size_t k = 1; k < orders_.size(); ++k) {
    if (orders_[k].customer != orders_[k - 1].customer) continue;
    const bool sports = orders_[k - 1].categories.count("sports goods") != 0;
    const bool accessories = orders_[k].categories.count("accessories") != 0;
    (sports ? after_sports : after_other) += 1;
    (sports ? after_sports_hits : after_other_hits) += accessories ? 1 : 0;
  }
  ASSERT_GT(after_sports, 100);
  EXPECT_GT(two_proportion_z(after_sports_hits, after_sports, after_other_hits, after_other), 4.0)
      << after_sports_hits / after_sports << " vs " << after_other_hits / after_other;
}

TEST_F(SimStructure, NpsScoresAreHigherForLoyalCustomers) {
  std::map<std::string, double> dropout;
  std::vector<double> all;
  for (const auto& row : ltv::test::read_csv(dir_ / "latent.csv").rows) {
    dropout[row[0]] = std::stod(row[6]);
    all.push_back(std::stod(row[6]));
  }
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(all.size() / 2),
                   all.end());
  const double median = all[all.size() / 2];
  std::vector<double> loyal, fickle;
  for (const auto& row : ltv::test::read_csv(dir_ / "nps.csv").rows) {
    (dropout.at(row[0]) < median ? loyal : fickle).push_back(std::stod(row[2]));
  }
  auto mean_var = [](const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x;
    m /= static_cast<double>(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return std::pair{m, s / static_cast<double>(v.size() - 1)};
  };
  ASSERT_GT(loyal.size(), 100u);
  ASSERT_GT(fickle.size(), 100u);
  const auto [m1, v1] = mean_var(loyal);
  const auto [m0, v0] = mean_var(fickle);
  const double z = (m1 - m0) / std::sqrt(v1 / static_cast<double>(loyal.size()) +
                                         v0 / static_cast<double>(fickle.size()));
  EXPECT_GT(z, 4.0) << m1 << " vs " << m0;
}

}  // namespace
