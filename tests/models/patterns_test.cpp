// Tests of compress_patterns (include/ltv/models/model.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
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

TEST(Patterns, SortsAndMergesByDistinctValuesWhenFrequenciesAreHuge) {
  // x >= 1e6: buckets are the distinct x values rather than 0..max(x).
  const std::vector<double> x{3e6, 5, 3e6, 2e6, 5, 3e6};
  const std::vector<double> t_x{9, 1, 8, 7, 1, 9};
  const std::vector<double> T{10, 2, 10, 10, 3, 10};
  const ltv::RfmPatterns p = ltv::compress_patterns(x, t_x, T);
  EXPECT_EQ(p.x, (std::vector<double>{5, 5, 2e6, 3e6, 3e6}));
  EXPECT_EQ(p.t_x, (std::vector<double>{1, 1, 7, 8, 9}));
  EXPECT_EQ(p.T, (std::vector<double>{2, 3, 10, 10, 10}));
  EXPECT_EQ(p.weight, (std::vector<double>{1, 1, 1, 1, 2}));
}

TEST(Patterns, RadixSortedBucketMatchesAComparisonSort) {
  // A bucket of more than 512 customers takes the radix sort: its order must be (t_x, T).
  std::vector<double> x, t_x, T;
  for (int i = 0; i < 3000; ++i) {
    x.push_back(i % 2);
    T.push_back(20.0 + static_cast<double>((i * 7919) % 1000) / 37.0);
    t_x.push_back(i % 2 == 0 ? 0.0 : T.back() * static_cast<double>((i * 104729) % 97) / 97.0);
  }
  const ltv::RfmPatterns p = ltv::compress_patterns(x, t_x, T);
  std::vector<std::array<double, 3>> want;
  for (int i = 0; i < 3000; ++i) want.push_back({x[i], t_x[i], T[i]});
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  ASSERT_EQ(p.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_EQ(p.x[k], want[k][0]) << k;
    EXPECT_EQ(p.t_x[k], want[k][1]) << k;
    EXPECT_EQ(p.T[k], want[k][2]) << k;
  }
  EXPECT_DOUBLE_EQ(p.customers(), 3000.0);
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
