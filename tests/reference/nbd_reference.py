#!/usr/bin/env python3
"""Reference values for BG/NBD and MBG/NBD (tests/models/nbd_reference_test.cpp), computed with
mpmath at 50 digits from the closed forms in the papers:

  BG/NBD  E[X(t)]  Fader, Hardie & Lee (2005) eq. 9
          CET      eq. 10
          P(X(t)=n) eq. 8
  MBG/NBD Batislam, Denizel & Filiztekin (2007); BTYDplus mbgnbd.* (same forms with b+1, k=x+1)

Run: python3 tests/reference/nbd_reference.py > tests/reference/nbd_reference.csv
"""
from mpmath import mp, mpf, hyp2f1, beta, gamma, log, exp, nsum, inf, betainc, quad, rf, factorial

mp.dps = 50


def ex_alive(r, al, a, b, t):
    """E[X(t)] of a customer alive at 0 with lambda~G(r,al), p~B(a,b): FHL eq. 9 form."""
    if t == 0:
        return mpf(0)
    z = t / (al + t)
    c = a + b - 1
    if abs(a - 1) < mpf('1e-30'):
        raise ValueError
    # Large r, b (customers with x up to 10,000) need many terms and extra working precision for
    # the cancellation in 1 - (...) 2F1.
    with mp.workdps(mp.dps + int(2 * float(log(r + b, 10)) * 10)):
        v = c / (a - 1) * (1 - (al / (al + t)) ** r * hyp2f1(r, b, c, z, maxterms=10**7))
    return +v


def ex_alive_quad(r, al, a, b, t):
    f = lambda p: (1 - (al / (al + p * t)) ** r) / p * p ** (a - 1) * (1 - p) ** (b - 1) / beta(a, b)
    return quad(f, [0, mpf(1) / 2, 1])


def expected(m, r, al, a, b, t):
    if m == 0:
        return ex_alive(r, al, a, b, t)
    return beta(a, b + 1) / beta(a, b) * ex_alive(r, al, a, b + 1, t)


def palive(m, r, al, a, b, x, tx, T):
    k = x + m
    if k == 0:
        return mpf(1)
    return 1 / (1 + a / (b + k - 1) * ((al + T) / (al + tx)) ** (r + x))


def cet(m, r, al, a, b, t, x, tx, T):
    return palive(m, r, al, a, b, x, tx, T) * ex_alive(r + x, al + T, a, b + x + m, t)


def pmf(m, r, al, a, b, n, t):
    k = n + m
    nb = gamma(r + n) / (gamma(r) * factorial(n)) * (al / (al + t)) ** r * (t / (al + t)) ** n
    out = beta(a, b + k) / beta(a, b) * nb
    if k > 0:
        tail = 1 - sum(gamma(r + j) / (gamma(r) * factorial(j)) * (al / (al + t)) ** r * (t / (al + t)) ** j
                       for j in range(int(n)))
        out += beta(a + 1, b + k - 1) / beta(a, b) * tail
    return out


def ll(m, r, al, a, b, x, tx, T):
    k = x + m
    v = beta(a, b + k) / beta(a, b) * gamma(r + x) * al ** r / (gamma(r) * (al + T) ** (r + x))
    if k > 0:
        v += beta(a + 1, b + k - 1) / beta(a, b) * gamma(r + x) * al ** r / (gamma(r) * (al + tx) ** (r + x))
    return log(v)


P = [
    ("cdnow", mpf('0.242593'), mpf('4.413599'), mpf('0.792920'), mpf('2.425934')),
    ("a_plus_b_lt_1", mpf('0.5'), mpf('3.0'), mpf('0.3'), mpf('0.4')),
    ("large_b", mpf('1.2'), mpf('10.0'), mpf('2.5'), mpf('500.0')),
    ("a_gt_1", mpf('2.0'), mpf('1.5'), mpf('1.7'), mpf('0.9')),
    ("tiny_a_b", mpf('0.05'), mpf('0.001'), mpf('0.02'), mpf('0.03')),
]
CUST = [(0, 0, 38.86), (2, 30.43, 38.86), (1, 0.5, 38.86), (5, 38.86, 38.86), (7, 1.0, 40.0),
        (10000, 52.0, 52.0), (10000, 10.0, 52.0), (300, 0.0 + 1e-9, 52.0)]

print("model,param_set,r,alpha,a,b,quantity,n,t,x,t_x,T,value")
for m, model in ((0, "bgnbd"), (1, "mbgnbd")):
    for name, r, al, a, b in P:
        pre = f"{model},{name},{r},{al},{a},{b}"
        for t in ('0.1429', '1', '3', '31.8571', '32', '78', '520'):
            t = mpf(t)
            if abs(a - 1) > 1e-9 and a + b - 1 + m != 0:
                v = expected(m, r, al, a, b, t)
            else:
                v = (beta(a, b + m) / beta(a, b)) * ex_alive_quad(r, al, a, b + m, t)
            print(f"{pre},expected,0,{mp.nstr(t, 10)},0,0,0,{mp.nstr(v, 20)}")
        for x, tx, T in CUST:
            x = mpf(x); tx = mpf(tx); T = mpf(T)
            for t in ('1', '39', '104'):
                t = mpf(t)
                v = cet(m, r, al, a, b, t, x, tx, T)
                print(f"{pre},cet,0,{mp.nstr(t, 10)},{int(x)},{mp.nstr(tx, 12)},{mp.nstr(T, 12)},{mp.nstr(v, 20)}")
            print(f"{pre},p_alive,0,0,{int(x)},{mp.nstr(tx, 12)},{mp.nstr(T, 12)},{mp.nstr(palive(m, r, al, a, b, x, tx, T), 20)}")
            print(f"{pre},log_likelihood,0,0,{int(x)},{mp.nstr(tx, 12)},{mp.nstr(T, 12)},{mp.nstr(ll(m, r, al, a, b, x, tx, T), 20)}")
        for n in (0, 1, 2, 5, 20):
            for t in ('1', '39', '78'):
                t = mpf(t)
                print(f"{pre},pmf,{n},{mp.nstr(t, 10)},0,0,0,{mp.nstr(pmf(m, r, al, a, b, n, t), 20)}")

# Log-likelihood only, at the limits fits approach: r, alpha -> infinity (Poisson purchases; the
# 15-customer optimum of Pareto/NBD) and b -> infinity (no drop-out), where lnGamma(r+x) -
# lnGamma(r) and r ln(alpha/(alpha+T)) must not be formed as differences of large numbers.
P_LIMITS = [
    ("poisson_limit", mpf('1.779e7'), mpf('2.002e8'), mpf('0.8'), mpf('2.5')),
    ("huge_b", mpf('0.5'), mpf('6.0'), mpf('0.9'), mpf('3.0e7')),
]
for m, model in ((0, "bgnbd"), (1, "mbgnbd")):
    for name, r, al, a, b in P_LIMITS:
        pre = f"{model},{name},{r},{al},{a},{b}"
        for x, tx, T in CUST:
            x = mpf(x); tx = mpf(tx); T = mpf(T)
            print(f"{pre},log_likelihood,0,0,{int(x)},{mp.nstr(tx, 12)},{mp.nstr(T, 12)},{mp.nstr(ll(m, r, al, a, b, x, tx, T), 20)}")
