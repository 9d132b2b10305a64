#pragma once
// Gauss hypergeometric function 2F1 and Tricomi's confluent hypergeometric function U for real,
// positive parameters, in log space (internal: ltv::detail). Used by the Pareto/NBD model
// (likelihood, Fader & Hardie 2005 note eqs. (19)-(22); DERT, Fader, Hardie & Lee 2005 "RFM and
// CLV" eq. (2)). Accuracy is checked against mpmath in tests/math/hyp2f1_test.cpp.

namespace ltv::detail {

/// log 2F1(1, p; q; z) = log Σ_n (p)_n / (q)_n z^n and its partial derivatives.
struct LogHyp2f1Unit {
  double log_value = 0;
  double d_p = 0;  ///< ∂ log F / ∂p
  double d_q = 0;  ///< ∂ log F / ∂q
  double d_z = 0;  ///< ∂ log F / ∂z
};

/// log 2F1(1, p; q; z) for p > 0, q > 1, 0 <= z < 1, with derivatives. Positive-term series
/// (derivatives termwise) while it converges within a few thousand terms; otherwise (z near 1)
/// the integral F = (q-1) ∫_0^∞ (z + (1-z) e^u)^(-p) e^(-(q-p-1) u) du by double-exponential
/// quadrature. Relative accuracy about 1e-14 in F.
LogHyp2f1Unit log_hyp2f1_unit(double p, double q, double z, bool derivatives = true);

/// log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1. Series with log-space scaling while it
/// converges quickly; near z = 1 (when c > a or c > b) Euler's integral
///   Γ(c)/(Γ(b)Γ(c-b)) ∫_0^1 t^(b-1) (1-t)^(c-b-1) (1-zt)^(-a) dt
/// by double-exponential quadrature (no special case for c-a-b near an integer).
/// Throws ModelError for arguments outside that domain or when neither method converges.
double log_hyp2f1(double a, double b, double c, double z);

/// log U(a, b, z) (Tricomi's confluent hypergeometric function of the second kind) for a > 0,
/// z > 0 and any real b, from U = 1/Γ(a) ∫_0^∞ e^(-zt) t^(a-1) (1+t)^(b-a-1) dt by
/// double-exponential quadrature. Throws ModelError outside that domain.
double log_hyperu(double a, double b, double z);

}  // namespace ltv::detail
