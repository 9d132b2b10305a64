// Tests of compress_patterns (include/ltv/models/model.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "ltv/error.hpp"
#include "ltv/models/model.hpp"

namespace {

TEST(Patterns, CompressesDuplicatesAndKeepsCustomerCount) {
  const std::vector<double> x{2, 0, 2, 1, 0, 2};
  const std::vector<double> t_x{3, 0, 3, 1, 0, 3};
  const std::vector<double> T{5, 5, 5, 4, 6, 6};
  const ltv::RfmPatterns p = ltv::compress_patterns(x, t_x, T);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_DOUBLE_EQ(p.customers(), 6.0);
  // Sorted by (x, t_x, T): (0,0,5) (0,0,6) (1,1,4) (2,3,5)x2 (2,3,6)
  EXPECT_EQ(p.x, (std::vector<double>{0, 0, 1, 2, 2}));
  EXPECT_EQ(p.T, (std::vector<double>{5, 6, 4, 5, 6}));
  EXPECT_EQ(p.weight, (std::vector<double>{1, 1, 1, 2, 1}));
}

TEST(Patterns, SumsGivenWeightsAndDropsZeroWeights) {
  const std::vector<double> x{1, 1, 3};
  const std::vector<double> t_x{2, 2, 4};
  const std::vector<double> T{6, 6, 6};
  const std::vector<double> w{10.5, 4, 0};
  const ltv::RfmPatterns p = ltv::compress_patterns(x, t_x, T, w);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_DOUBLE_EQ(p.weight[0], 14.5);
}

TEST(Patterns, RejectsInvalidCustomers) {
  const std::vector<double> ok{1}, two{1, 2};
  const std::vector<double> neg{-1}, frac{1.5}, nan{std::nan("")};
  const std::vector<double> big{7}, T{5}, zero{0};
  EXPECT_THROW(ltv::compress_patterns(neg, ok, T), ltv::InputError);
  EXPECT_THROW(ltv::compress_patterns(frac, ok, T), ltv::InputError);
  EXPECT_THROW(ltv::compress_patterns(ok, nan, T), ltv::InputError);
  EXPECT_THROW(ltv::compress_patterns(ok, big, T), ltv::InputError);   // t_x > T
  EXPECT_THROW(ltv::compress_patterns(zero, ok, T), ltv::InputError);  // x = 0, t_x > 0
  EXPECT_THROW(ltv::compress_patterns(ok, ok, two), ltv::InputError);  // lengths
  EXPECT_THROW(ltv::compress_patterns(ok, ok, T, neg), ltv::InputError);
  try {
    ltv::compress_patterns(ok, big, T);
  } catch (const ltv::InputError& e) {
    EXPECT_EQ(e.where().column, "t_x");
    EXPECT_NE(std::string(e.what()).find("t_x <= T"), std::string::npos) << e.what();
  }
}

}  // namespace
