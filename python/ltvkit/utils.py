"""lifetimes-compatible summaries of a transaction DataFrame (as lifetimes.utils offers them).

The summaries are the engine's (Workspace.summaries): purchases on the same day are one
purchase, recency and T are measured from the first purchase day. See docs/python.md for how
the results compare with lifetimes'.
"""

import numpy as np
import pandas as pd

from . import _frames
from . import _ltvkit

__all__ = ["summary_data_from_transaction_data", "calibration_and_holdout_data"]

# Length of lifetimes' `freq` units in days (numpy's: a month is 1/12 of 365.2425 days).
_FREQ_DAYS = {"D": 1.0, "H": 1.0 / 24, "W": 7.0, "M": 365.2425 / 12}
# The engine's time units.
_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}


def _time_unit(freq, freq_multiplier):
    if freq not in _FREQ_DAYS:
        raise _frames.parameter_error("freq", freq, "one of D, W, M, H")
    days = _FREQ_DAYS[freq] * freq_multiplier
    for unit, unit_days in _UNIT_DAYS.items():
        # A month: lifetimes' (numpy's) and the engine's month differ by 0.0006 days.
        if abs(days - unit_days) <= 1e-3 * unit_days:
            return unit
    raise _frames.parameter_error(
        "freq_multiplier", freq_multiplier,
        "a unit of a day, a week or a month (freq='D' with freq_multiplier 1 or 7, freq='W', "
        "freq='M', freq='H' with freq_multiplier 24)")


def _timestamp_column(frame, column, datetime_format, keyword):
    series = _frames.column(frame, column, keyword)
    if not pd.api.types.is_datetime64_any_dtype(series):
        try:
            series = pd.to_datetime(series, format=datetime_format)
        except (TypeError, ValueError) as e:
            raise _frames.parameter_error(
                "datetime_format", datetime_format,
                "a format that reads column '{}' ({})".format(column, e)) from None
    return series


def _day_text(value, datetime_format, keyword):
    try:
        return pd.to_datetime(value, format=datetime_format).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        raise _frames.parameter_error(keyword, value, "a date") from None


def _summaries(transactions, customer_id_col, datetime_col, monetary_value_col, datetime_format,
               freq, freq_multiplier, include_first_transaction, periods):
    if include_first_transaction:
        raise _frames.parameter_error(
            "include_first_transaction", include_first_transaction,
            "False: ltvkit's summaries count repeat purchases, which every fitter expects")
    if not isinstance(transactions, pd.DataFrame):
        raise TypeError("transactions must be a pandas DataFrame, not {}".format(
            type(transactions).__name__))
    unit = _time_unit(freq, freq_multiplier)
    customers = _frames.column(transactions, customer_id_col, "customer_id_col")
    codes, uniques = _frames.coded(customers)
    when = _timestamp_column(transactions, datetime_col, datetime_format, "datetime_col")
    numbers = {}
    if monetary_value_col is not None:
        values = _frames.column(transactions, monetary_value_col, "monetary_value_col")
        numbers["amount"] = (str(monetary_value_col),
                             _frames.numbers(values, "monetary_value_col"))
    source = _ltvkit.source_from_columns(
        "transactions DataFrame", (str(customer_id_col), codes, uniques),
        ("timestamps", str(datetime_col), _frames.timestamps(when)), numbers, {}, {})
    workspace = _ltvkit.Workspace(source)
    summary = workspace.summary(dict(periods, time_unit=unit))
    index = _frames.result_index(summary["customer_id"], uniques, customers.name)
    return summary, index, unit


def _sorted(frame):
    try:
        return frame.sort_index()
    except TypeError:  # ids of mixed types: keep the order of first purchase
        return frame


def summary_data_from_transaction_data(transactions, customer_id_col, datetime_col,
                                       monetary_value_col=None, datetime_format=None,
                                       observation_period_end=None, freq="D", freq_multiplier=1,
                                       include_first_transaction=False):
    """Per-customer frequency, recency, T [, monetary_value] (float64), indexed by customer id
    (the id column's values and name), in the unit of `freq` x `freq_multiplier` (a day, a week
    or a month). Transactions after `observation_period_end` (default: the last date) are left
    out; T is measured to it."""
    periods = {}
    if observation_period_end is not None:
        end = _day_text(observation_period_end, datetime_format, "observation_period_end")
        periods = {"calibration_end": end, "observation_end": end}
    summary, index, unit = _summaries(transactions, customer_id_col, datetime_col,
                                      monetary_value_col, datetime_format, freq, freq_multiplier,
                                      include_first_transaction, periods)
    columns = ["frequency", "recency", "T"] + (["monetary_value"] if monetary_value_col else [])
    out = pd.DataFrame({c: np.asarray(summary[c], dtype=np.float64) for c in columns},
                       index=index)
    out.attrs["time_unit"] = unit
    return _sorted(out)


def calibration_and_holdout_data(transactions, customer_id_col, datetime_col,
                                 calibration_period_end, observation_period_end=None, freq="D",
                                 freq_multiplier=1, datetime_format=None,
                                 monetary_value_col=None, include_first_transaction=False):
    """Per-customer summaries of a calibration period (frequency_cal, recency_cal, T_cal
    [, monetary_value_cal]) and a holdout period (frequency_holdout [, monetary_value_holdout],
    duration_holdout), float64, indexed by customer id. Customers whose first purchase is after
    `calibration_period_end` are left out."""
    calibration_end = _day_text(calibration_period_end, datetime_format, "calibration_period_end")
    periods = {"calibration_end": calibration_end}
    if observation_period_end is not None:
        periods["observation_end"] = _day_text(observation_period_end, datetime_format,
                                               "observation_period_end")
    summary, index, unit = _summaries(transactions, customer_id_col, datetime_col,
                                      monetary_value_col, datetime_format, freq, freq_multiplier,
                                      include_first_transaction, periods)
    if "frequency_holdout" not in summary:
        raise _frames.parameter_error(
            "observation_period_end", summary["observation_end"],
            "a day after calibration_period_end {} (there is no holdout period)".format(
                calibration_end))
    data = {"frequency_cal": summary["frequency"], "recency_cal": summary["recency"],
            "T_cal": summary["T"]}
    if monetary_value_col:
        data["monetary_value_cal"] = summary["monetary_value"]
    data["frequency_holdout"] = summary["frequency_holdout"]
    if monetary_value_col:
        data["monetary_value_holdout"] = summary["monetary_value_holdout"]
    out = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in data.items()}, index=index)
    out["duration_holdout"] = float(summary["duration_holdout"])
    out.attrs["time_unit"] = unit
    return _sorted(out)
