// CLV: discrete (lifetimes' customer_lifetime_value: monthly steps of CET differences discounted
// by (1+d)^i), continuous (integral of e^{-delta u} dCET) and residual lifetime (DERT: FHL 2005b
// for BG/NBD, FHS 2010 eq. 14 for BG/BB).
#include "ltv/models/clv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ltv/error.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"

namespace {

const ltv::BgNbdParams kBg{0.242593, 4.413599, 0.792920, 2.425934};
const ltv::FittedCountModel kBgModel = ltv::FittedCountModel::with_parameters(
    "bgnbd", std::vector<double>{0.242593, 4.413599, 0.792920, 2.425934});
const std::vector<double> kX{0, 2, 7}, kTx{0, 30.43, 35}, kT{38.86, 38.86, 38.86},
    kSpend{35.17, 24.65, 40};

TEST(Clv, DiscreteMatchesLifetimesStyleSum) {
  ltv::ClvOptions o;
  o.horizon = 12;
  o.step = 365.25 / 12 / 7;  // months in weeks
  o.discount_rate = 0.01;
  o.margin = 0.3;
  const auto v = ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o);
  ASSERT_EQ(v.size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    double want = 0, prev = 0;
    for (int i = 1; i <= 12; ++i) {
      const double cet =
          ltv::bg_nbd::conditional_expected_transactions(kBg, i * o.step, kX[c], kTx[c], kT[c]);
      want += (cet - prev) / std::pow(1.01, i);
      prev = cet;
    }
    EXPECT_NEAR(v[c], 0.3 * kSpend[c] * want, 1e-9 * std::max(1.0, v[c]));
    EXPECT_GT(v[c], 0.0);
  }
}

TEST(Clv, ContinuousLongHorizonApproachesDert) {
  ltv::ClvOptions o;
  o.discounting = ltv::Discounting::continuous;
  o.step = 1;
  o.discount_rate = 0.02;
  o.horizon = 3000;
  const auto finite = ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o);
  o.horizon = std::numeric_limits<double>::infinity();
  const auto residual = ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(finite[c], residual[c], 1e-5 * residual[c]) << c;
    EXPECT_NEAR(residual[c],
                kSpend[c] * ltv::bg_nbd::dert(kBg, std::log1p(0.02), kX[c], kTx[c], kT[c]),
                1e-12 * residual[c]);
  }
  // With no discounting over a finite horizon, the value is spend * CET(horizon).
  o.horizon = 52;
  o.discount_rate = 0;
  const auto plain = ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o);
  EXPECT_NEAR(plain[1],
              kSpend[1] * ltv::bg_nbd::conditional_expected_transactions(kBg, 52, 2, 30.43, 38.86),
              1e-10);
}

TEST(Clv, BgBbResidualValueIsDert) {
  const ltv::BgBbParams p{1.204, 0.750, 0.657, 2.783};
  const auto model = ltv::FittedCountModel::with_parameters(
      "bgbb", std::vector<double>{1.204, 0.750, 0.657, 2.783});
  const std::vector<double> x{0, 2, 6}, tx{0, 4, 6}, n{6, 6, 6}, spend{1, 1, 1};
  ltv::ClvOptions o;
  o.discount_rate = 0.1;
  o.horizon = std::numeric_limits<double>::infinity();
  const auto inf = ltv::customer_lifetime_value(model, {x, tx, n, spend}, o);
  o.horizon = 400;
  const auto longer = ltv::customer_lifetime_value(model, {x, tx, n, spend}, o);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_NEAR(inf[c], ltv::bg_bb::dert(p, 0.1, x[c], tx[c], n[c]), 1e-12);
    EXPECT_NEAR(longer[c], inf[c], 1e-9);
  }
  o.discounting = ltv::Discounting::continuous;
  EXPECT_THROW(ltv::customer_lifetime_value(model, {x, tx, n, spend}, o), ltv::InputError);
}

TEST(Clv, RejectsInvalidOptionsAndInputs) {
  ltv::ClvOptions o;
  o.horizon = -1;
  EXPECT_THROW(ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o), ltv::InputError);
  o = {};
  o.discount_rate = -0.1;
  EXPECT_THROW(ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o), ltv::InputError);
  o = {};
  o.horizon = std::numeric_limits<double>::infinity();  // discrete infinite: not for BG/NBD
  EXPECT_THROW(ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, kSpend}, o), ltv::InputError);
  o = {};
  const std::vector<double> short_spend{1};
  EXPECT_THROW(ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, short_spend}, o),
               ltv::InputError);
  const std::vector<double> neg{-1, 1, 1};
  EXPECT_THROW(ltv::customer_lifetime_value(kBgModel, {kX, kTx, kT, neg}, o), ltv::InputError);
}

}  // namespace
