// 2F1 and Tricomi U against mpmath (50 digits): tests/reference/make_pnbd_reference.py.
#include "math/hyp2f1.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "../reference/pnbd_reference.hpp"
#include "ltv/error.hpp"

namespace {

using ltv::detail::log_hyp2f1;
using ltv::detail::log_hyp2f1_unit;
using ltv::detail::log_hyperu;

// Relative error of exp(log value): |Δ log| (absolute error of the log).
constexpr double kLogTol = 2e-13;

TEST(Hyp2f1, UnitMatchesMpmathIncludingNearOneAndLargeParameters) {
  for (const auto& row : ltv::test::pnbd_reference("unit")) {
    const double p = row.args[0], q = row.args[1], z = row.args[2];
    const auto f = log_hyp2f1_unit(p, q, z);
    SCOPED_TRACE(testing::Message() << "2F1(1," << p << ";" << q << ";" << z << ")");
    EXPECT_NEAR(f.log_value, row.values[0], kLogTol * std::max(1.0, std::abs(row.values[0])));
    EXPECT_NEAR(f.d_p, row.values[1], 1e-9 * std::max(1.0, std::abs(row.values[1])));
    EXPECT_NEAR(f.d_q, row.values[2], 1e-9 * std::max(1.0, std::abs(row.values[2])));
    EXPECT_NEAR(f.d_z, row.values[3], 1e-9 * std::max(1.0, std::abs(row.values[3])));
  }
}

TEST(Hyp2f1, GeneralMatchesMpmathNearOneAndDegenerateExponents) {
  for (const auto& row : ltv::test::pnbd_reference("hyp2f1")) {
    const double a = row.args[0], b = row.args[1], c = row.args[2], z = row.args[3];
    SCOPED_TRACE(testing::Message() << "2F1(" << a << "," << b << ";" << c << ";" << z << ")");
    EXPECT_NEAR(log_hyp2f1(a, b, c, z), row.values[0],
                kLogTol * std::max(1.0, std::abs(row.values[0])));
  }
}

TEST(Hyp2f1, SeriesAndIntegralAgreeAtTheSwitch) {
  // The unit function switches from the series to quadrature at z = 0.985; both sides must agree
  // with the general function (which uses its own series there).
  for (double z : {0.98, 0.985, 0.9851, 0.99}) {
    const double p = 2.3, q = 3.9;
    EXPECT_NEAR(log_hyp2f1_unit(p, q, z).log_value, log_hyp2f1(1, p, q, z), 1e-13) << z;
  }
}

TEST(Hyp2f1, ClosedFormsAtSpecialPoints) {
  // 2F1(1, 1; 2; z) = -log(1-z)/z ; 2F1(a, b; b; z) = (1-z)^-a.
  for (double z : {1e-8, 0.3, 0.9, 0.999999, 1 - 1e-12}) {
    EXPECT_NEAR(log_hyp2f1(1, 1, 2, z), std::log(-std::log1p(-z) / z), 1e-13) << z;
    EXPECT_NEAR(log_hyp2f1_unit(1, 2, z).log_value, std::log(-std::log1p(-z) / z), 1e-13) << z;
  }
  // c <= min(a, b): the series only (accurate while it converges).
  EXPECT_NEAR(log_hyp2f1(2.5, 1.5, 1.5, 0.99), -2.5 * std::log1p(-0.99), 1e-12);
  EXPECT_THROW(log_hyp2f1(2.5, 1.5, 1.5, 1 - 1e-12), ltv::ModelError);
  EXPECT_DOUBLE_EQ(log_hyp2f1_unit(3, 4, 0).log_value, 0.0);
}

TEST(Hyp2f1, RejectsArgumentsOutsideItsDomain) {
  EXPECT_THROW(log_hyp2f1(1, 1, 2, 1.0), ltv::ModelError);
  EXPECT_THROW(log_hyp2f1(1, 1, 2, -0.5), ltv::ModelError);
  EXPECT_THROW(log_hyp2f1(-1, 1, 2, 0.5), ltv::ModelError);
  EXPECT_THROW(log_hyp2f1_unit(1, 0.5, 0.5), ltv::ModelError);
  EXPECT_THROW(log_hyp2f1_unit(1, 2, std::nan("")), ltv::ModelError);
  EXPECT_THROW(log_hyperu(0, 1, 1), ltv::ModelError);
  EXPECT_THROW(log_hyperu(1, 1, 0), ltv::ModelError);
}

TEST(Hyperu, MatchesMpmath) {
  for (const auto& row : ltv::test::pnbd_reference("hyperu")) {
    const double a = row.args[0], b = row.args[1], z = row.args[2];
    SCOPED_TRACE(testing::Message() << "U(" << a << "," << b << "," << z << ")");
    EXPECT_NEAR(log_hyperu(a, b, z), row.values[0],
                kLogTol * std::max(1.0, std::abs(row.values[0])));
  }
}

TEST(Hyperu, EqualsExponentialIntegralForAEqualsB) {
  // U(1, 1, z) = e^z E1(z).
  for (double z : {0.01, 1.0, 30.0}) {
    EXPECT_NEAR(log_hyperu(1, 1, z), z + std::log(std::expint(-z) * -1), 1e-13) << z;
  }
}

}  // namespace
