"""Translation between pandas objects and the engine (the extension module _ltvkit).

Columns cross as numpy buffers: numbers as float64 arrays, timestamps as int64 nanoseconds,
text (ids, products, dates written as text) as integer codes plus the distinct values
(pandas.factorize), so that no Python code runs per row. Nothing here computes a statistic.
"""

import datetime as _dt
import numbers as _numbers

import numpy as np
import pandas as pd

from . import _ltvkit

NANOSECONDS_PER_DAY = 86_400_000_000_000

# Roles of a transaction column (the parameter table's keys of group "source").
NUMBER_ROLES = ("amount", "quantity", "price", "margin", "cost")
TEXT_ROLES = ("order", "product", "category", "channel", "region")
COLUMN_ROLES = ("customer", "date") + NUMBER_ROLES + TEXT_ROLES


def parameter_error(key, found, expected):
    """An ltvkit.ParameterError for keyword `key`, shaped as the engine's."""
    error = _ltvkit.ParameterError(
        "keyword argument {}: found '{}', expected {}".format(key, found, expected))
    error.key, error.found, error.expected = key, str(found), expected
    return error


def parameter_text(key, value):
    """A keyword's value as the parameter table's text (as typed on the command line)."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, _numbers.Number):
        return repr(value.item() if hasattr(value, "item") else value)
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        return str(value.decode() if isinstance(value, bytes) else value)
    raise parameter_error(key, repr(value), "a string, number, date or bool")


def accepted_keys(groups):
    return {p["key"] for p in _ltvkit.parameters(list(groups))}


def check_keywords(function, options, groups, extra=()):
    """TypeError for a keyword that is no parameter of `groups` (as Python does for any call)."""
    known = accepted_keys(groups) | set(extra)
    for key in options:
        if key not in known:
            raise TypeError("{}() got an unexpected keyword argument '{}' (parameters: {})".format(
                function, key, ", ".join(sorted(known))))


def options_text(options):
    """Keyword options as parameter texts; None leaves a parameter at its default."""
    return {k: parameter_text(k, v) for k, v in options.items() if v is not None}


def column(frame, name, keyword):
    if name not in frame.columns:
        raise parameter_error(keyword, name, "a column of the DataFrame ({})".format(
            ", ".join(str(c) for c in frame.columns)))
    return frame[name]


def coded(series):
    """(codes, distinct values) of a column; missing values get code -1."""
    codes, uniques = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques)


def numbers(series, keyword):
    try:
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise parameter_error(keyword, series.name, "a numeric column (found dtype {})".format(
            series.dtype)) from None


def timestamps(series):
    """int64 nanoseconds of wall-clock time (time-zone aware values keep their local time)."""
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_localize(None)
    return series.to_numpy(dtype="datetime64[ns]").view(np.int64)


def date_spec(series, name):
    if pd.api.types.is_datetime64_any_dtype(series):
        return ("timestamps", name, timestamps(series))
    codes, uniques = coded(series)
    return ("text", name, codes, uniques)


def transactions_source(frame, columns, options, name="transactions DataFrame"):
    """A transaction source over a DataFrame's columns.

    `columns` maps roles (customer, date, amount, order, ...) to column names; `options` are
    texts of the other parameters of group "source" (date_format, time_zone, returns, on_error).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("transactions must be a pandas DataFrame or a file name, not {}".format(
            type(frame).__name__))
    for role in ("customer", "date"):
        if not columns.get(role):
            raise parameter_error(role, "", "the {} column of the DataFrame ({})".format(
                role, ", ".join(str(c) for c in frame.columns)))
    customer = columns["customer"]
    codes, uniques = coded(column(frame, customer, "customer"))
    date = columns["date"]
    number_columns = {}
    text_columns = {}
    for role in NUMBER_ROLES:
        if columns.get(role):
            name_ = columns[role]
            number_columns[role] = (str(name_), numbers(column(frame, name_, role), role))
    for role in TEXT_ROLES:
        if columns.get(role):
            name_ = columns[role]
            text_columns[role] = (str(name_),) + coded(column(frame, name_, role))
    return _ltvkit.source_from_columns(
        name, (str(customer), codes, uniques), date_spec(column(frame, date, "date"), str(date)),
        number_columns, text_columns, options)


def side_table(value, name):
    """A side input given as a DataFrame, as the engine's table (columns as text)."""
    if not isinstance(value, pd.DataFrame):
        raise parameter_error(name, type(value).__name__, "a DataFrame or a file name")
    return _ltvkit.make_table("<{} DataFrame>".format(name), [str(c) for c in value.columns],
                              [value[c].to_numpy() for c in value.columns])


def frame(columns):
    """A DataFrame from the typed columns of a result table.

    Missing values appear only where the column's pandas type needs one: NaN in real columns,
    None in text columns, NaT in dates, pandas.NA in integer and boolean columns that have nulls
    (nullable Int64 / boolean); columns without nulls keep plain numpy dtypes.
    """
    data = {}
    for name, kind, values, nulls in columns:
        if kind == "text":
            data[name] = pd.Series(values, dtype=object)
        elif kind == "integer":
            data[name] = (pd.Series(values, dtype=np.int64) if nulls is None else
                          pd.Series(pd.arrays.IntegerArray(values, nulls)))
        elif kind == "real":
            data[name] = pd.Series(values, dtype=np.float64)
        elif kind == "date":
            ns = values.astype(np.int64) * NANOSECONDS_PER_DAY
            stamps = ns.view("datetime64[ns]")
            if nulls is not None:
                stamps = stamps.copy()
                stamps[nulls] = np.datetime64("NaT")
            data[name] = pd.Series(stamps)
        elif kind == "boolean":
            data[name] = (pd.Series(values, dtype=bool) if nulls is None else
                          pd.Series(pd.arrays.BooleanArray(values, nulls)))
        else:  # pragma: no cover - the engine has no other type
            raise TypeError("unknown column type " + kind)
    return pd.DataFrame(data)


def result_index(summary_ids, uniques, name):
    """The original values of the customer ids a summary returns (the engine's texts).

    `uniques` are the distinct values the transactions were coded with; each summary id is
    mapped back to the first of them whose engine text (trimmed) equals it.
    """
    engine_texts = pd.Index(_ltvkit.texts(np.asarray(uniques))).str.strip(" \t")
    positions = pd.Series(np.arange(len(engine_texts)), index=engine_texts)
    positions = positions[~positions.index.duplicated()]
    take = positions.reindex(pd.Index(summary_ids)).to_numpy()
    index = pd.Index(uniques).take(take.astype(np.int64))
    index.name = name
    return index
