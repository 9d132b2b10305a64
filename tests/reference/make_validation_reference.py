#!/usr/bin/env python3
"""Independent reference for `ltv validate`'s expected cumulative repeat transactions (BG/NBD, CDNOW).

Generated with:
    python3 tests/reference/make_validation_reference.py ../shared/data/cdnow/CDNOW_sample.txt \
        > tests/reference/cdnow_bgnbd_cumulative.csv

Reads the CDNOW sample itself (column 2 = customer, column 3 = yyyymmdd), takes each customer's
first purchase day, birth b_i = (first purchase - earliest first purchase) / 7 weeks, and prints
for week k = 1..78 the expected cumulative repeat transactions sum_i E[X(k - b_i)] (customers with
b_i >= k contribute 0), as in Fader, Hardie & Lee (2005) fig. 3 and BTYD's
bgnbd.ExpectedCumulativeTransactions. E[X(t)] is FHL (2005) eq. (9) with mpmath's 2F1 at 40
digits; every 25th distinct argument is re-computed by quadrature of the defining integral
E[X(t)] = int_0^1 (1/p) (1 - (alpha / (alpha + p t))^r) Beta(p; a, b) dp (from FHL eq. (7)
integrated over lambda ~ Gamma(r, alpha)) and the script aborts if the two disagree beyond 1e-20.
Parameters: the maximum-likelihood BG/NBD estimates on CDNOW at full precision, as in
tests/models/bg_nbd_test.cpp (r = 0.242593, alpha = 4.413599, a = 0.792920, b = 2.425934).
"""
import datetime
import sys

import mpmath as mp

mp.mp.dps = 40
r, alpha, a, b = (mp.mpf(v) for v in ("0.242593", "4.413599", "0.792920", "2.425934"))


def expected_2f1(t):
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * mp.hyp2f1(r, b, a + b - 1, z))


def expected_quad(t):
    beta_ab = mp.beta(a, b)
    f = lambda p: (1 / p) * (1 - (alpha / (alpha + p * t)) ** r) * p ** (a - 1) * (1 - p) ** (b - 1) / beta_ab
    return mp.quad(f, [0, mp.mpf("1e-6"), mp.mpf("0.01"), mp.mpf("0.5"), 1])


first = {}
with open(sys.argv[1]) as f:
    for line in f:
        parts = line.split()
        if len(parts) < 3:
            continue
        d = datetime.date(int(parts[2][:4]), int(parts[2][4:6]), int(parts[2][6:8]))
        if parts[1] not in first or d < first[parts[1]]:
            first[parts[1]] = d
start = min(first.values())
births = {}
for d in first.values():
    births[(d - start).days] = births.get((d - start).days, 0) + 1

cache = {}
checked = 0
for days in sorted({7 * k - bd for k in range(1, 79) for bd in births if 7 * k > bd}):
    t = mp.mpf(days) / 7
    cache[days] = expected_2f1(t)
    if len(cache) % 25 == 1:
        q = expected_quad(t)
        if abs(q - cache[days]) > mp.mpf("1e-20") * abs(cache[days]):
            sys.exit(f"2F1 and quadrature disagree at t={t}: {cache[days]} vs {q}")
        checked += 1

print(f"customers={len(first)} birth_days={len(births)} quadrature_checks={checked}", file=sys.stderr)
print("week,expected_cumulative")
for k in range(1, 79):
    total = mp.fsum(n * cache[7 * k - bd] for bd, n in births.items() if 7 * k > bd)
    print(f"{k},{mp.nstr(total, 17)}")
