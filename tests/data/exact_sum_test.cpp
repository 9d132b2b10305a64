// ExactSum and WideSum: exact sums of doubles, rounded once to the nearest double. Checked
// against IEEE addition (the correctly rounded sum of two doubles), against each other (two
// implementations), against the examples of Python's math.fsum documentation (a correctly
// rounded sum), and for independence from the order of the values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "ltv/data/exact_sum.hpp"

namespace ltv {
namespace {

template <class Sum>
Sum sum_of(const std::vector<double>& values) {
  Sum s;
  for (double v : values) EXPECT_TRUE(s.add(v)) << v;
  return s;
}

/// Money-like values: cents, some with more decimals, some negative, some large.
std::vector<double> money_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> cents(-50000, 500000);
  std::uniform_int_distribution<int> kind(0, 9);
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double c = static_cast<double>(cents(rng));
    switch (kind(rng)) {
      case 0:
        v.push_back(c / 1000.0);  // three decimals
        break;
      case 1:
        v.push_back(c * 1e6);  // large amounts
        break;
      case 2:
        v.push_back(3.0 * (c / 100.0));  // quantity x price, with its binary noise
        break;
      default:
        v.push_back(c / 100.0);
    }
  }
  return v;
}

TEST(ExactSum, TwoValuesGiveTheIeeeSum) {
  // The IEEE sum of two doubles is their exact sum rounded to nearest, ties to even.
  const std::vector<double> values = money_values(400, 1);
  for (double a : values) {
    for (double b : {0.1, 0.2, 1e15, -7.77, 123456.789, 2.0 / 3.0}) {
      ExactSum s;
      ASSERT_TRUE(s.add(a));
      ASSERT_TRUE(s.add(b));
      EXPECT_EQ(s.value(), a + b) << a << " + " << b;
    }
  }
  // Ties to even: 2^52 + (2^52 + 1) = 2^53 + 1 lies halfway between 2^53 and 2^53 + 2.
  const double p52 = std::ldexp(1.0, 52);
  ExactSum tie;
  ASSERT_TRUE(tie.add(p52));
  ASSERT_TRUE(tie.add(p52 + 1));
  EXPECT_EQ(tie.value(), std::ldexp(1.0, 53));
  EXPECT_EQ(tie.value(), p52 + (p52 + 1));
}

TEST(ExactSum, MatchesPythonFsumDocumentation) {
  // https://docs.python.org/3/library/math.html#math.fsum: sum([.1] * 10) is
  // 0.9999999999999999, fsum([.1] * 10) is 1.0.
  const std::vector<double> tenths(10, 0.1);
  double sequential = 0;
  for (double v : tenths) sequential += v;
  EXPECT_EQ(sequential, 0.9999999999999999);
  EXPECT_EQ(sum_of<ExactSum>(tenths).value(), 1.0);
  EXPECT_EQ(sum_of<WideSum>(tenths).value(), 1.0);
  // The same page: fsum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]) is 1e-100 (beyond
  // ExactSum's range: WideSum).
  EXPECT_EQ(sum_of<WideSum>({1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50}).value(), 1e-100);
}

TEST(ExactSum, SameBitsInAnyOrderAndGrouping) {
  std::vector<double> values = money_values(5000, 2);
  const ExactSum in_order = sum_of<ExactSum>(values);
  const double expected = in_order.value();
  std::mt19937_64 rng(3);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(values.begin(), values.end(), rng);
    const ExactSum shuffled = sum_of<ExactSum>(values);
    EXPECT_TRUE(shuffled == in_order);
    // Two partial sums, added.
    const std::size_t cut = values.size() * static_cast<std::size_t>(round + 1) / 22;
    ExactSum a = sum_of<ExactSum>({values.begin(), values.begin() + static_cast<long>(cut)});
    const ExactSum b = sum_of<ExactSum>({values.begin() + static_cast<long>(cut), values.end()});
    ASSERT_TRUE(a.add(b));
    EXPECT_EQ(a.value(), expected);
  }
  // The sequential double sum differs with the order; the exact one does not.
  EXPECT_EQ(sum_of<WideSum>(values).value(), expected);
}

TEST(ExactSum, AgreesWithWideSumAndSubtracts) {
  for (unsigned seed = 10; seed < 30; ++seed) {
    const std::vector<double> values = money_values(300, seed);
    ExactSum exact = sum_of<ExactSum>(values);
    WideSum wide = sum_of<WideSum>(values);
    EXPECT_EQ(exact.value(), wide.value());
    const ExactSum first = sum_of<ExactSum>({values[0], values[1]});
    const WideSum first_wide = sum_of<WideSum>({values[0], values[1]});
    ASSERT_TRUE(exact.subtract(first));
    wide.subtract(first_wide);
    EXPECT_EQ(exact.value(), wide.value());
    EXPECT_EQ(exact.value(), sum_of<ExactSum>({values.begin() + 2, values.end()}).value());
  }
  ExactSum zero;
  EXPECT_TRUE(zero.is_zero());
  EXPECT_EQ(zero.value(), 0.0);
  ASSERT_TRUE(zero.add(-2.5));
  ASSERT_TRUE(zero.add(2.5));
  EXPECT_TRUE(zero.is_zero());
}

TEST(ExactSum, RefusesWhatItCannotHoldAndWideSumTakesIt) {
  const double p53 = std::ldexp(1.0, 53);
  for (double v :
       {1e-30, 1e-7 / 3.0, p53, -p53, 1e300, std::numeric_limits<double>::min() / 4,
        std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    ExactSum s;
    ASSERT_TRUE(s.add(1.0));
    EXPECT_FALSE(s.add(v)) << v;
    EXPECT_EQ(s.value(), 1.0);  // unchanged
    EXPECT_FALSE(ExactSum::representable(v)) << v;
  }
  // Held: zero, 2^-72 exactly, the largest below 2^53, every amount with cents.
  for (double v : {0.0, -0.0, std::ldexp(1.0, -72), std::nextafter(p53, 0.0), 0.01, 1e-6}) {
    EXPECT_TRUE(ExactSum::representable(v)) << v;
  }
  // The sum may not reach 2^54.
  ExactSum big;
  const double almost = std::nextafter(p53, 0.0);
  ASSERT_TRUE(big.add(almost));
  ASSERT_TRUE(big.add(almost));  // 2^54 - 2
  EXPECT_FALSE(big.add(almost));
  EXPECT_EQ(big.value(), 2 * almost);
  // WideSum takes the values ExactSum refuses, exactly.
  WideSum w;
  w.add(1e-30);
  w.add(1.0);
  w.add(-1.0);
  EXPECT_EQ(w.value(), 1e-30);
  WideSum huge;
  huge.add(std::numeric_limits<double>::max());
  huge.add(std::numeric_limits<double>::max());
  EXPECT_EQ(huge.value(), std::numeric_limits<double>::infinity());
  WideSum tiny;
  tiny.add(std::numeric_limits<double>::denorm_min());
  tiny.add(std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(tiny.value(), 2 * std::numeric_limits<double>::denorm_min());
  WideSum negative;
  negative.add(-0.1);
  negative.add(-0.2);
  EXPECT_EQ(negative.value(), -0.1 + -0.2);
}

}  // namespace
}  // namespace ltv
