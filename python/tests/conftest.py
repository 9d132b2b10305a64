"""Shared fixtures: the real data sets of ../shared/data (missing data fails loudly, it is never
skipped), the `ltv` command line of the same build, and the CDNOW sample as DataFrames."""

import os
import pathlib
import subprocess

import pandas as pd
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED_DATA = pathlib.Path(os.environ.get("LTV_SHARED_DATA", REPO.parent / "shared" / "data"))
CLI = pathlib.Path(os.environ.get("LTV_CLI", REPO / "build" / "bin" / "ltv"))


def shared_data(relative):
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.fail("shared data file missing: {} -- the real data sets must be checked out in "
                    "../shared/data beside the repository".format(path))
    return path


def run_cli(*args):
    """Runs the ltv command line; returns stdout (fails the test on a non-zero exit)."""
    if not CLI.exists():
        pytest.fail("the ltv command line is missing: {} (build the release preset)".format(CLI))
    done = subprocess.run([str(CLI)] + [str(a) for a in args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail("ltv {} failed: {}".format(" ".join(map(str, args)), done.stderr))
    return done.stdout


@pytest.fixture(scope="session")
def cdnow_sample():
    """CDNOW_sample.txt (Fader & Hardie): master id, sample id, date yyyymmdd, CDs, dollars."""
    return pd.read_csv(shared_data("cdnow/CDNOW_sample.txt"), sep=r"\s+", header=None,
                       names=["master_id", "customer_id", "date", "cds", "dollars"])


@pytest.fixture(scope="session")
def cdnow_transactions(cdnow_sample):
    """The sample with dates as datetime64, as a lifetimes user prepares it."""
    df = cdnow_sample.copy()
    df["date"] = pd.to_datetime(df["date"].astype(str), format="%Y%m%d")
    return df


@pytest.fixture(scope="session")
def cdnow_summary():
    """lifetimes' published CDNOW summary (weeks, calibration to 1997-09-30)."""
    return pd.read_csv(shared_data("cdnow/cdnow_customers_summary.csv"))
