// BG/NBD and MBG/NBD against high-precision reference values computed with mpmath from the
// closed forms (FHL 2005 eqs. 6, 8, 9, 10; Batislam et al. 2007 / BTYDplus for MBG/NBD).
// Generator: tests/reference/nbd_reference.py; values: tests/reference/nbd_reference.csv.
// Parameter sets include the hard cases: a + b < 1, large b, x = 10,000, t_x = T, t_x ~ 0, and
// (log-likelihood only) the limits r, alpha -> infinity and b -> infinity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "csv_table.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/mbg_nbd.hpp"

namespace {

// strtod: values below the double range (e.g. 1e-5920) become 0 instead of throwing.
double num(const std::string& s) {
  return std::strtod(s.c_str(), nullptr);
}

template <class Params, class Fns>
void check_row(const Params& p, const std::string& q, double n, double t, double x, double t_x,
               double T, double want, Fns fns, const std::string& label) {
  double got = std::nan("");
  if (q == "expected") got = fns.expected(p, t);
  if (q == "cet") got = fns.cet(p, t, x, t_x, T);
  if (q == "p_alive") got = fns.p_alive(p, x, t_x, T);
  if (q == "log_likelihood") got = fns.ll(p, x, t_x, T);
  if (q == "pmf") got = fns.pmf(p, n, t);
  ASSERT_TRUE(std::isfinite(got)) << label;
  EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::abs(want))) << label;
}

struct BgFns {
  static double expected(const ltv::BgNbdParams& p, double t) {
    return ltv::bg_nbd::expected_transactions(p, t);
  }
  static double cet(const ltv::BgNbdParams& p, double t, double x, double tx, double T) {
    return ltv::bg_nbd::conditional_expected_transactions(p, t, x, tx, T);
  }
  static double p_alive(const ltv::BgNbdParams& p, double x, double tx, double T) {
    return ltv::bg_nbd::p_alive(p, x, tx, T);
  }
  static double ll(const ltv::BgNbdParams& p, double x, double tx, double T) {
    return ltv::bg_nbd::log_likelihood(p, x, tx, T);
  }
  static double pmf(const ltv::BgNbdParams& p, double n, double t) {
    return ltv::bg_nbd::p_n_transactions(p, n, t);
  }
};
struct MbgFns {
  static double expected(const ltv::MbgNbdParams& p, double t) {
    return ltv::mbg_nbd::expected_transactions(p, t);
  }
  static double cet(const ltv::MbgNbdParams& p, double t, double x, double tx, double T) {
    return ltv::mbg_nbd::conditional_expected_transactions(p, t, x, tx, T);
  }
  static double p_alive(const ltv::MbgNbdParams& p, double x, double tx, double T) {
    return ltv::mbg_nbd::p_alive(p, x, tx, T);
  }
  static double ll(const ltv::MbgNbdParams& p, double x, double tx, double T) {
    return ltv::mbg_nbd::log_likelihood(p, x, tx, T);
  }
  static double pmf(const ltv::MbgNbdParams& p, double n, double t) {
    return ltv::mbg_nbd::p_n_transactions(p, n, t);
  }
};

TEST(NbdReference, MatchesMpmathValuesIncludingHardCustomers) {
  const auto table = ltv::test::read_csv(std::filesystem::path(LTV_TEST_SOURCE_DIR) /
                                         "reference/nbd_reference.csv");
  ASSERT_GT(table.rows.size(), 400u);
  const auto c = [&](const char* n) { return table.column(n); };
  int checked = 0;
  for (const auto& row : table.rows) {
    const double r = num(row[c("r")]), alpha = num(row[c("alpha")]);
    const double a = num(row[c("a")]), b = num(row[c("b")]);
    const std::string q = row[c("quantity")];
    const double n = num(row[c("n")]), t = num(row[c("t")]);
    const double x = num(row[c("x")]), t_x = num(row[c("t_x")]);
    const double T = num(row[c("T")]), want = num(row[c("value")]);
    std::string label;
    for (const auto& f : row) label += f + ",";
    if (row[c("model")] == "bgnbd") {
      check_row(ltv::BgNbdParams{r, alpha, a, b}, q, n, t, x, t_x, T, want, BgFns{}, label);
    } else {
      check_row(ltv::MbgNbdParams{r, alpha, a, b}, q, n, t, x, t_x, T, want, MbgFns{}, label);
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(table.rows.size()));
}

}  // namespace
