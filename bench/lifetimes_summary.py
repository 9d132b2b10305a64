#!/usr/bin/python3
"""The pandas equivalent of lifetimes' summary_data_from_transaction_data, timed on a
transactions file, for the side-by-side figure in docs/benchmarks.md.

    bench/lifetimes_summary.py FILE [--check LTV_SUMMARY_CSV]

FILE is an `ltv simulate` transactions.csv (customer_id, date, amount). Written for Debian's
python3-pandas (scripts/deps.sh); lifetimes itself is not packaged by Debian.

What it mirrors (lifetimes/utils.py, CamDavidsonPilon/lifetimes at 00ca929,
`summary_data_from_transaction_data` with freq='D' and a monetary column, and the
`_find_first_transactions` it calls): the observation end is the latest date; rows after it are
dropped; the amounts of a customer's day are summed into one purchase (a pandas groupby on date
and customer); the first purchase day of each customer is marked and its value left out of the
mean; per customer frequency = purchase days - 1, recency = last - first day and T = observation
end - first day (in days), monetary_value = mean value of the other purchase days (0 without
any). The steps are written here with pandas groupby operations of our own, not copied.

Prints the time of reading the CSV with pandas, of the summary, and the peak memory of the
process. With --check, compares every customer with an `ltv summary --time-unit day` output of
the same file (frequency, recency and T exactly, monetary_value to 1e-9 relative).
"""
import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd


def summary(transactions):
    """frequency, recency, T, monetary_value per customer_id (days)."""
    t = transactions
    t["date"] = pd.to_datetime(t["date"], format="%Y-%m-%d")
    observation_end = t["date"].max()
    t = t[t["date"] <= observation_end]
    # One purchase per customer and day, its value the day's sum.
    days = t.groupby(["customer_id", "date"], sort=True, as_index=False)["amount"].sum()
    per_customer = days.groupby("customer_id", sort=False)
    first = per_customer["date"].transform("min")
    out = per_customer["date"].agg(["min", "max", "count"])
    out["frequency"] = out["count"] - 1
    out["recency"] = (out["max"] - out["min"]) / np.timedelta64(1, "D")
    out["T"] = (observation_end - out["min"]) / np.timedelta64(1, "D")
    # The mean value of the purchase days after the first (0 when there is none).
    repeat = days["amount"].where(days["date"] != first)
    out["monetary_value"] = repeat.groupby(days["customer_id"]).mean().fillna(0)
    return out[["frequency", "recency", "T", "monetary_value"]].astype(float)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--check", help="an `ltv summary --time-unit day` CSV of the same file")
    args = parser.parse_args()
    t0 = time.perf_counter()
    transactions = pd.read_csv(args.file, usecols=["customer_id", "date", "amount"],
                               dtype={"customer_id": str, "date": str, "amount": float})
    t1 = time.perf_counter()
    result = summary(transactions)
    t2 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"pandas read_csv: {t1 - t0:.2f} s, summary: {t2 - t1:.2f} s, total {t2 - t0:.2f} s, "
          f"{len(transactions)} rows, {len(result)} customers, peak RSS {peak_kb / 1048576:.2f} GiB")
    if args.check:
        ltv = pd.read_csv(args.check, usecols=["customer_id", "frequency", "recency", "T",
                                               "monetary_value"],
                          dtype={"customer_id": str}).set_index("customer_id")
        both = result.join(ltv, how="outer", lsuffix="_pandas", rsuffix="_ltv")
        if both.isna().any().any():
            sys.exit("check: the customers differ")
        for column in ["frequency", "recency", "T"]:
            if not (both[column + "_pandas"] == both[column + "_ltv"]).all():
                sys.exit(f"check: {column} differs")
        a, b = both["monetary_value_pandas"], both["monetary_value_ltv"]
        worst = ((a - b).abs() / b.abs().clip(lower=1e-300)).where(b != 0, (a - b).abs()).max()
        if worst > 1e-9:
            sys.exit(f"check: monetary_value differs (relative {worst:.2e})")
        print(f"check: {len(both)} customers agree with {args.check} "
              f"(monetary_value within {worst:.1e} relative)")


if __name__ == "__main__":
    main()
