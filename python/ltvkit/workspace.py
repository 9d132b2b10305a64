"""The main job from Python: ltvkit.analyze(transactions, ...) and ltvkit.Workspace.

Keyword options are the keys of the engine's parameter table (`ltvkit.analyze_options()`), the
same as the command line's options (`--calibration-end` is `calibration_end=`); a bad value
raises ltvkit.ParameterError (a ValueError) naming the keyword.
"""

import json
import os
from collections.abc import Mapping

import pandas as pd

from . import _frames
from . import _ltvkit

# Parameter groups: the transactions (file or DataFrame columns and parsing), and the main job.
SOURCE_GROUPS = ("source",)
ANALYZE_GROUPS = ("periods", "clv", "analyze")
SIDE_INPUTS = ("customers", "spend", "products", "nps", "contacts", "suppress")


def analyze_options(groups=SOURCE_GROUPS + ANALYZE_GROUPS):
    """The keyword options of ltvkit.analyze as a DataFrame (key, group, type, default, help)."""
    rows = _ltvkit.parameters(list(groups))
    return pd.DataFrame(rows, columns=["key", "group", "type", "default", "expected", "help",
                                       "section"]).set_index("key")


def _split(options):
    source = {k: v for k, v in options.items() if k in _frames.accepted_keys(SOURCE_GROUPS)}
    rest = {k: v for k, v in options.items() if k not in source}
    return source, rest


class _Tables(Mapping):
    """The analysis' result tables by name ("customers", "analytics/kpis", ...), each turned
    into a DataFrame on first access."""

    def __init__(self, analysis):
        self._analysis = analysis
        self._names = list(analysis.table_names())
        self._frames = {}

    def __getitem__(self, name):
        if name not in self._frames:
            if name not in self._names:
                raise KeyError("no table {!r} in this analysis (tables: {})".format(
                    name, ", ".join(self._names)))
            self._frames[name] = _frames.frame(self._analysis.table(name))
        return self._frames[name]

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


class Analysis:
    """What the main job computed.

    tables    every result table as a DataFrame, by its name in the table catalogue
              ("customers", "segments", "actions", "analytics/kpis", "basket/rules", ...); the
              same tables `ltv analyze -o DIR` writes as DIR/<name>.csv
    headline  the figures of summary.json (customers, revenue, clv_total, model_selection,
              model, spend_model, notes, load counts, ...)
    a["analytics/kpis"], a.table("kpis") and a.kpis are a.tables["analytics/kpis"].
    """

    def __init__(self, analysis):
        self._analysis = analysis
        self.tables = _Tables(analysis)
        self.headline = json.loads(analysis.summary_json())
        self.model = self.headline["model"]
        self.spend_model = self.headline.get("spend_model")
        self.notes = list(analysis.notes)
        self.lines = list(analysis.lines)
        self.timings = pd.DataFrame(analysis.timings, columns=["step", "seconds",
                                                               "peak_rss_bytes"])

    def __getitem__(self, name):
        return self.tables[name]

    def table(self, name):
        """A table by its full name or by its last part ("kpis" for "analytics/kpis")."""
        if name in self.tables:
            return self.tables[name]
        matches = [k for k in self.tables if k.rsplit("/", 1)[-1] == name]
        if len(matches) == 1:
            return self.tables[matches[0]]
        raise KeyError("no table {!r} (tables: {})".format(name, ", ".join(self.tables)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.table(name)
        except KeyError:
            raise AttributeError("Analysis has no attribute or table {!r}".format(name)) from None

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k.rsplit("/", 1)[-1] for k in self.tables})

    @property
    def load_report(self):
        """What loading the transactions did (rows read, loaded, skipped, returns)."""
        return self._analysis.load_report()

    def write(self, directory, report=True, currency=None, title=None):
        """Writes the output folder of `ltv analyze -o DIR` (every table as CSV, summary.json,
        model.json, spend_model.json, and report.html unless report=False). currency and title
        default to the analysis' own (analyze's currency= and title=, which follow lang=: "$" and
        "Customer value report" in English). Returns the report's path (or None)."""
        path = self._analysis.write(os.fspath(directory), report, currency, title)
        return path or None

    def __repr__(self):
        h = self.headline
        text = "<ltvkit.Analysis: {} customers, model {}".format(
            h["customers"], h["model"]["model"])
        if "clv_total" in h:
            text += ", CLV {:.2f}".format(h["clv_total"])
        return text + ", tables: {}>".format(", ".join(self.tables))


class Workspace:
    """A workspace over transactions: a DataFrame (with its column names given as customer=,
    date=, amount=, ...), or a file read as the command line reads it (a path and the same
    options: customer=, date=, delimiter=, no_header=, ...).

    The file is read on first use. The source is handed to the engine's TransactionSource as
    parameters of group "source", so whatever sources the engine accepts, Python accepts.
    """

    def __init__(self, transactions, **options):
        _frames.check_keywords("Workspace", options, SOURCE_GROUPS)
        text = _frames.options_text(options)
        if isinstance(transactions, pd.DataFrame):
            columns = {role: text.pop(role) for role in _frames.COLUMN_ROLES if role in text}
            self._source = _frames.transactions_source(transactions, columns, text)
        else:
            text["file"] = os.fspath(transactions)
            self._source = _ltvkit.source_from_parameters(text)
        self._workspace = _ltvkit.Workspace(self._source)

    @property
    def load_report(self):
        """What loading the transactions did (rows read, loaded, skipped, returns, the text)."""
        return self._workspace.load_report()

    def summary(self, time_unit="week", calibration_end=None, observation_end=None):
        """Per-customer summaries (frequency, recency, T, monetary_value; with observation_end
        after calibration_end the holdout columns), indexed by customer id (as text)."""
        s = self._workspace.summary(_frames.options_text({
            "time_unit": time_unit, "calibration_end": calibration_end,
            "observation_end": observation_end}))
        index = pd.Index(s.pop("customer_id"), name="customer_id", dtype=object)
        data = {k: s[k] for k in ("frequency", "recency", "T", "monetary_value",
                                  "frequency_holdout", "monetary_value_holdout") if k in s}
        out = pd.DataFrame(data, index=index)
        if "duration_holdout" in s:
            out["duration_holdout"] = s["duration_holdout"]
        out.attrs["time_unit"] = s["time_unit"]
        return out

    def analyze(self, customers=None, spend=None, nps=None, contacts=None, suppress=None,
                products=None, **options):
        """The main job (see ltvkit.analyze)."""
        _frames.check_keywords("analyze", options, ANALYZE_GROUPS)
        side = {"customers": customers, "spend": spend, "products": products, "nps": nps,
                "contacts": contacts, "suppress": suppress}
        text = _frames.options_text(options)
        tables = {}
        for name, value in side.items():
            if value is None:
                continue
            if isinstance(value, pd.DataFrame):
                tables[name] = _frames.side_table(value, name)
            else:
                text[name] = os.fspath(value)
        return Analysis(self._workspace.analyze(text, tables))


def analyze(transactions, customers=None, spend=None, nps=None, contacts=None, suppress=None,
            products=None, **options):
    """The main job of `ltv analyze` on a DataFrame (or a transaction file).

    transactions  a DataFrame, with its columns named by customer=, date= (datetime64 or text
                  such as 1997-01-01 / 19970101, read as the command line reads dates),
                  amount=, order=, product=, category=, ... ; or a file name with the same
                  options as the command line
    customers, spend, nps, contacts, suppress, products
                  side inputs as DataFrames (or file names) with the columns of the command
                  line's files (customer_id, ...; channel, period, spend; customer_id, date,
                  score[, comment, channel]; ...; product, category, ...)
    **options     any key of ltvkit.analyze_options(): model, horizon, calibration_end,
                  discount_rate, profit_margin, compare, rules (a TOML file), ...

    Returns an Analysis: its tables as DataFrames and the headline.
    """
    source, rest = _split(options)
    _frames.check_keywords("analyze", rest, ANALYZE_GROUPS)
    return Workspace(transactions, **source).analyze(
        customers=customers, spend=spend, nps=nps, contacts=contacts, suppress=suppress,
        products=products, **rest)
