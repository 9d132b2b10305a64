#!/usr/bin/env python3
"""Which reading of Groceries gives the issue's figures (2,978 / 6,828 itemsets of sizes 2 / 3;
5,670 / 412 rules at confidence 0.5 / 0.8)? Exact counts (bitset Eclat, Fraction thresholds)
under alternative basket readings, thresholds and rule definitions; the results are quoted in
docs/association-rules.md. Pure python3, about 10 s:

    python3 tests/reference/groceries_variants.py [../shared/data/groceries/groceries.csv] [--pairs 400]
"""
import math
import struct
import sys
from collections import Counter, defaultdict
from fractions import Fraction as F

PATH = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else "../shared/data/groceries/groceries.csv"


def mine(baskets, min_count=10):
    """Every itemset with support count >= min_count -> count (depth-first tid-list bitsets)."""
    tid = defaultdict(int)
    for b, items in enumerate(baskets):
        for i in items:
            tid[i] |= 1 << b
    freq = {}

    def rec(prefix, cands):
        for k, (i, bits) in enumerate(cands):
            s = prefix + (i,)
            freq[frozenset(s)] = bits.bit_count()
            nxt = [(j, bits & bj) for j, bj in cands[k + 1:] if (bits & bj).bit_count() >= min_count]
            rec(s, nxt)

    rec((), sorted((i, t) for i, t in tid.items() if t.bit_count() >= min_count))
    return freq


def sizes(freq):
    c = Counter(len(s) for s in freq)
    return [c[k] for k in range(1, max(c) + 1)]


def rules(freq, keep):
    """Rules X => {y} (single consequent, X non-empty) with keep(count, antecedent_count, t)."""
    out = []
    for t in (0.5, 0.8):
        n = 0
        for s, c in freq.items():
            if len(s) > 1:
                n += sum(1 for y in s if keep(c, freq[s - {y}], t))
        out.append(n)
    return tuple(out)


def exact(c, a, t):
    return F(c, a) >= F(str(t))


def show(name, baskets, keep=exact, min_count=None):
    n = len(baskets)
    mc = min_count or max(1, math.ceil(F(1, 1000) * n))
    f = mine(baskets, mc)
    print(f"{name:55s} N={n} count>={mc} sizes={sizes(f)} rules(0.5, 0.8)={rules(f, keep)}")
    return f


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


raw = [line.rstrip("\n").split(",") for line in open(PATH) if line.strip()]
B = [frozenset(r) for r in raw]
N = len(B)
base = show("baseline (exact)", B)
print("item names with edge blanks:", sorted({i for r in raw for i in r if i != i.strip()}),
      "; repeats within a line:", sum(len(r) - len(set(r)) for r in raw),
      "; names equal after trim+lowercase:",
      sum(1 for v in Counter(i.strip().lower() for i in {i for r in raw for i in r}).values() if v > 1))
show("first line read as a header", B[1:])
show("first line read twice", [B[0]] + B)
show("last line lost", B[:-1])
ncol = max(len(r) for r in raw[:5])
show(f"R read.csv(fill=TRUE): rows wrapped at {ncol} fields",
     [frozenset(r[k:k + ncol]) for r in raw for k in range(0, len(r), ncol)])
for L in (29, 30, 31):
    show(f"baskets truncated to {L} items", [frozenset(r[:L]) for r in raw])
show("support count >= 9 (floor(0.001 N))", B, min_count=9)
show("support count >= 11", B, min_count=11)
for name, keep in [
    ("confidence c/a in double", lambda c, a, t: c / a >= t),
    ("confidence (c/N)/(a/N) in double", lambda c, a, t: (c / N) / (a / N) >= t),
    ("confidence (c/N)/(a/N) in float32",
     lambda c, a, t: f32(f32(f32(c) / f32(N)) / f32(f32(a) / f32(N))) >= f32(t)),
    ("confidence rounded to 2 decimals", lambda c, a, t: round(c / a, 2) >= t),
    ("confidence rounded to 3 decimals", lambda c, a, t: round(c / a, 3) >= t),
    ("supports rounded to 4 decimals", lambda c, a, t: round(c / N, 4) / round(a / N, 4) >= t),
    ("confidence > t (strict)", lambda c, a, t: c / a > t),
]:
    print(f"{name:55s} rules(0.5, 0.8)={rules(base, keep)}")
multi = [0, 0]
for s, c in base.items():
    items = sorted(s)
    for mask in range(1, (1 << len(items)) - 1):
        x = frozenset(items[k] for k in range(len(items)) if mask >> k & 1)
        multi[0] += F(c, base[x]) >= F(1, 2)
        multi[1] += F(c, base[x]) >= F(4, 5)
print(f"{'multi-item consequents':55s} rules(0.5, 0.8)={tuple(multi)}")

# Removing single item occurrences: which ones lose exactly 3 pairs and 3 triples?
mc = 10
lost = defaultdict(Counter)
for s, c in base.items():
    if c == mc:
        for b, items in enumerate(B):
            if s <= items:
                for i in s:
                    lost[(b, i)][len(s)] += 1
for (b, i), v in lost.items():
    if dict(v) == {2: 3, 3: 3}:
        B2 = list(B)
        B2[b] = B[b] - {i}
        show(f"basket {b + 1} without '{i}'", B2)
B2 = list(B)
B2[1102] = B[1102] - {"Instant food products"}
B2[8677] = B[8677] - {"citrus fruit"}
show("basket 1103 w/o 'Instant food products', 8678 w/o 'citrus fruit'", B2)

# --pairs K: the first K pairs of removals (enumeration order) whose lost itemsets add up to
# 3 pairs and 3 triples, and the rule counts they give (about 0.3 s per pair).
if "--pairs" in sys.argv:
    k_max = int(sys.argv[sys.argv.index("--pairs") + 1])
    small = [k for k, v in lost.items() if set(v) <= {2, 3} and v[2] <= 3 and v[3] <= 3 and v]
    pairs = [(x, y) for a, x in enumerate(small) for y in small[a + 1:]
             if (lost[x] + lost[y])[2] == 3 and (lost[x] + lost[y])[3] == 3]
    seen = Counter()
    for x, y in pairs[:k_max]:
        B2 = list(B)
        for b, i in (x, y):
            B2[b] = B2[b] - {i}
        f = mine(B2)
        seen[(tuple(sizes(f)), rules(f, exact))] += 1
    print(len(pairs), "pairs; first", k_max, ":", sorted(seen.items()))
