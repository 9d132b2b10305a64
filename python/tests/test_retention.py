"""Contract retention through the module: ShiftedBetaGeoFitter reproduces Fader & Hardie (2007),
"How to Project Customer Retention", JIM 21(1): fitted on years 0-7 of Table 1, regular
gamma = 0.704, delta = 1.182; high end gamma = 0.668, delta = 3.806. The survival numbers are
printed in the paper (not part of ../shared/data) and written here with their source. The
projection equals `ltv predict --model sbg` on the same table."""

import io
import math

import numpy as np
import pandas as pd
import pytest

import ltvkit
from ltvkit import ShiftedBetaGeoFitter

from conftest import run_cli

# FH07 Table 1 as counts of 1,000 customers, years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


def test_fit_reproduces_the_published_cohort_estimates():
    for counts, gamma, delta in ((REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)):
        sbg = ShiftedBetaGeoFitter().fit(counts, calibration_periods=7)
        assert sbg.params_["gamma"] == pytest.approx(gamma, abs=5e-4)
        assert sbg.params_["delta"] == pytest.approx(delta, abs=5e-4)
        assert sbg.converged_
        assert list(sbg.summary.columns) == ["coef", "se(coef)", "lower 95% bound",
                                             "upper 95% bound"]
        assert (sbg.summary["se(coef)"] > 0).all()


def test_curves_follow_from_one_another():
    sbg = ShiftedBetaGeoFitter().fit(REGULAR, calibration_periods=7)
    t = np.arange(1, 13)
    s = sbg.survival_function(np.arange(0, 13))
    assert s[0] == 1.0
    np.testing.assert_allclose(sbg.retention_rate(t), s[1:] / s[:-1], rtol=1e-12)
    np.testing.assert_allclose(sbg.churn_probability(t), s[:-1] - s[1:], rtol=1e-9, atol=1e-15)
    assert isinstance(sbg.survival_function(3), float)
    # Projected years 8-12 within 2 points of the actual (FH07 Figure 4).
    np.testing.assert_allclose(1000 * s[8:], REGULAR[8:], atol=20)
    # DERL equals the discounted series of survival after the first renewal decision.
    derl = sbg.discounted_expected_residual_lifetime(0.1, renewals=[0, 5])
    series = sum(sbg.survival_function(k) / 1.1 ** (k - 1) for k in range(1, 1500))
    assert derl[0] == pytest.approx(series, rel=1e-6)
    assert derl[1] > derl[0]


def test_projection_equals_the_command_line(tmp_path):
    frame = pd.DataFrame({"cohort": ["regular"] * 13 + ["high_end"] * 13,
                          "period": list(range(13)) * 2, "alive": REGULAR + HIGH_END})
    path = tmp_path / "cohorts.csv"
    frame.to_csv(path, index=False)
    sbg = ShiftedBetaGeoFitter().fit(frame, calibration_periods=7)
    got = sbg.projection(horizon=15, discount_rate=0.1, period_value=100)
    cli = pd.read_csv(io.StringIO(run_cli(
        "predict", "--model", "sbg", path, "--calibration-periods", "7", "--horizon", "15",
        "--discount-rate", "0.1", "--period-value", "100")), keep_default_na=False)
    assert list(got.columns) == list(cli.columns)
    assert len(got) == 2 * 16
    for name in ("expected_alive", "survival", "derl", "clv"):
        np.testing.assert_allclose(got[name].to_numpy(), cli[name].to_numpy(), rtol=1e-12)
    assert got["holdout"].tolist() == [8 <= p <= 12 for p in list(range(16)) * 2]
    assert got["alive"].isna().sum() == 2 * 3  # periods 13..15 are not observed


def test_model_file_round_trip(tmp_path):
    sbg = ShiftedBetaGeoFitter().fit(HIGH_END, calibration_periods=7)
    path = tmp_path / "sbg.json"
    sbg.save_model(path)
    loaded = ltvkit.load_model(path)
    assert isinstance(loaded, ShiftedBetaGeoFitter)
    assert loaded.params_["delta"] == pytest.approx(sbg.params_["delta"], rel=1e-12)
    # The CLI reads the same file.
    out = pd.read_csv(io.StringIO(run_cli("fit", "--model", "sbg", "--calibration-periods", "7",
                                          "--format", "csv", _write(tmp_path, HIGH_END))))
    assert out.loc[out.parameter == "delta", "estimate"].iloc[0] == pytest.approx(
        sbg.params_["delta"], rel=1e-9)


def _write(tmp_path, counts):
    path = tmp_path / "one.csv"
    pd.DataFrame({"alive": counts}).to_csv(path, index=False)
    return path


def test_bad_survival_tables_name_row_and_column():
    with pytest.raises(ltvkit.InputError, match="alive"):
        ShiftedBetaGeoFitter().fit([100, 80, 90])
    with pytest.raises(ltvkit.InputError, match="churned"):
        ShiftedBetaGeoFitter().fit([100, 100, 100])
    with pytest.raises(ltvkit.InputError, match="period"):
        ShiftedBetaGeoFitter().fit([100, 80, 70], period=[0, 2, 3])
    with pytest.raises(ltvkit.ParameterError, match="calibration_periods"):
        ShiftedBetaGeoFitter().fit(REGULAR, calibration_periods=2.5)
    with pytest.raises(ValueError):
        ShiftedBetaGeoFitter().survival_function(1)
    assert not math.isnan(ShiftedBetaGeoFitter().fit(REGULAR).survival_function(40))
