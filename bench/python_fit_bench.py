#!/usr/bin/env python3
"""In-process fit and scoring speed of the Python module on 100k and 1M customers.

The like-for-like comparison with a notebook user's lifetimes fit: per-customer arrays already
in memory (numpy, loaded before the clock starts), then, timed with time.perf_counter():

  fit    BetaGeoFitter().fit(frequency, recency, T) / ParetoNBDFitter().fit(...)
  score  conditional_probability_alive(...) and
         conditional_expected_number_of_purchases_up_to_time(52, ...) for every customer

Data: the simulator's customers, as bench/fit_scale.sh makes them (`ltv simulate --model
bgnbd|pnbd --customers N --seed 1 --transactions-only --latent`): "continuous" = the latent
(x, t_x, T) in weeks, every customer a distinct pattern; "days" = `ltv summary` of the same
transactions (times from dates, customers share patterns).

  PYTHONPATH=build/python /usr/bin/python3 bench/python_fit_bench.py [WORKDIR] [--runs K]

Each line: median and min of K runs (default 5) and the load average after them (the machine is
shared: compare runs taken together). Side by side on the same arrays:

  lifetimes  when it imports (it is not installed on the build machines): its fit of the same
             fitter, timed the same way (one run: it takes seconds to minutes)
  numpy      BG/NBD P(alive) by its closed form in plain numpy (Fader, Hardie & Lee 2005,
             eq. (6) of their note on P(alive)), the pure-Python way to score without a
             library; checked to agree with ltvkit to 1e-12

docs/benchmarks.md records the figures.
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import ltvkit

REPO = pathlib.Path(__file__).resolve().parents[1]
LTV = REPO / "build" / "bin" / "ltv"


def simulate(work, model, n):
    d = work / "{}-{}".format(model, n)
    if not (d / "transactions.csv").exists():
        subprocess.run([str(LTV), "simulate", "--model", model, "--customers", str(n), "--seed",
                        "1", "--transactions-only", "--latent", "-q", "-o", str(d)], check=True)
    if not (d / "summary_days.csv").exists():
        subprocess.run([str(LTV), "summary", str(d / "transactions.csv"), "--customer",
                        "customer_id", "--date", "date", "--amount", "amount", "--quiet", "-o",
                        str(d / "summary_days.csv")], check=True)
    return d


def arrays(directory, kind):
    if kind == "continuous":
        latent = pd.read_csv(directory / "latent.csv")
        return (latent["x"].to_numpy(np.float64), latent["t_x"].to_numpy(np.float64),
                latent["T"].to_numpy(np.float64))
    s = pd.read_csv(directory / "summary_days.csv")
    return (s["frequency"].to_numpy(np.float64), s["recency"].to_numpy(np.float64),
            s["T"].to_numpy(np.float64))


def timed(runs, f):
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = f()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), min(seconds), result


def numpy_p_alive(params, x, t_x, T):
    """BG/NBD P(alive | x, t_x, T) in plain numpy (lifetimes' formula)."""
    r, alpha, a, b = params
    ratio = np.exp((r + x) * np.log((alpha + T) / (alpha + t_x)))
    return np.where(x > 0, 1.0 / (1.0 + (a / np.maximum(b + x - 1.0, 1e-300)) * ratio), 1.0)


def lifetimes_fitter(model):
    try:
        import lifetimes  # noqa: F401
    except ImportError:
        return None
    return {"bgnbd": lifetimes.BetaGeoFitter, "pnbd": lifetimes.ParetoNBDFitter}[model]


def load():
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("work", nargs="?", default="/tmp/ltv-fit-scale")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="100000,1000000")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print("ltvkit {} on Python {}, {} CPUs; {} runs each".format(
        ltvkit.__version__, sys.version.split()[0], os.cpu_count(), args.runs))
    fitters = {"bgnbd": ltvkit.BetaGeoFitter, "pnbd": ltvkit.ParetoNBDFitter}
    for n in (int(s) for s in args.sizes.split(",")):
        for model, fitter in fitters.items():
            directory = simulate(work, model, n)
            for kind in ("continuous", "days"):
                x, t_x, T = arrays(directory, kind)
                med, low, f = timed(args.runs, lambda: fitter().fit(x, t_x, T))
                s_med, s_low, _ = timed(args.runs, lambda: (
                    f.conditional_probability_alive(x, t_x, T),
                    f.conditional_expected_number_of_purchases_up_to_time(52, x, t_x, T)))
                print("{:<6} {:>8} {:<10} patterns {:>8}  fit median {:7.3f} s min {:7.3f} s  "
                      "score median {:7.3f} s min {:7.3f} s  LL {:.1f}  load {}".format(
                          model, n, kind, f._fit.n_patterns, med, low, s_med, s_low,
                          f.log_likelihood_, load()), flush=True)
                if model == "bgnbd":
                    ours = f.conditional_probability_alive(x, t_x, T)
                    a_med, a_low, _ = timed(args.runs, lambda: f.conditional_probability_alive(
                        x, t_x, T))
                    n_med, n_low, theirs = timed(args.runs, lambda: numpy_p_alive(
                        f.params_.to_numpy(), x, t_x, T))
                    assert np.max(np.abs(ours - theirs)) < 1e-12
                    print("{:<6} {:>8} {:<10} P(alive) ltvkit median {:7.4f} s min {:7.4f} s  "
                          "numpy median {:7.4f} s min {:7.4f} s  load {}".format(
                              model, n, kind, a_med, a_low, n_med, n_low, load()), flush=True)
                other = lifetimes_fitter(model)
                if other is not None:
                    l_med, _, _ = timed(1, lambda: other().fit(x, t_x, T))
                    print("{:<6} {:>8} {:<10} lifetimes fit {:7.3f} s  load {}".format(
                        model, n, kind, l_med, load()), flush=True)


if __name__ == "__main__":
    main()
