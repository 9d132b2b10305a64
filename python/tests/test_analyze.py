"""ltvkit.analyze: the main job on DataFrames equals `ltv analyze` on the same data (every
table, value by value), its tables have pandas dtypes, published figures come through it, and
bad options and values are refused naming the keyword or the position."""

import copy
import io
import json
import pathlib

import numpy as np
import pandas as pd
import pytest

import ltvkit

from conftest import run_cli, shared_data


def cli_table(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# Tables whose `line` column numbers the NPS answers: for a file the physical line (the header is
# line 1, so the first answer is line 2), for a DataFrame the 1-based row.
NPS_LINE_TABLES = ("nps/follow_ups", "nps/problems")


def assert_frame_equals_cli_csv(frame, path, line_offset=0):
    """Every column of a result DataFrame equals the CLI's CSV of the same table: numbers to
    the last digit the CSV carries, texts, dates and flags exactly. `line_offset` is added to
    the DataFrame's `line` column first."""
    cli = cli_table(path)
    if line_offset and "line" in frame.columns:
        frame = frame.assign(line=frame["line"] + line_offset)
    assert list(frame.columns) == list(cli.columns), path.name
    assert len(frame) == len(cli), path.name
    for name in frame.columns:
        ours, theirs = frame[name], cli[name]
        if pd.api.types.is_datetime64_any_dtype(ours):
            assert (ours.dt.strftime("%Y-%m-%d").fillna("") == theirs).all(), (path.name, name)
        elif pd.api.types.is_bool_dtype(ours):
            assert (ours.astype(str).str.lower().replace("<na>", "") == theirs).all(), name
        elif pd.api.types.is_numeric_dtype(ours):
            expected = pd.to_numeric(theirs.replace("", np.nan))
            assert np.allclose(ours.astype(float), expected.astype(float), rtol=1e-11, atol=0,
                               equal_nan=True), (path.name, name)
        else:
            assert (ours.fillna("").astype(str) == theirs).all(), (path.name, name)


@pytest.fixture(scope="module")
def retailer(tmp_path_factory):
    """A simulated retailer (transactions, customers, spend, contacts, NPS) and the CLI's
    analysis of its files."""
    d = tmp_path_factory.mktemp("retailer")
    run_cli("simulate", "--customers", 2500, "--seed", 17, "-o", d / "data")
    run_cli("analyze", d / "data/transactions.csv", "--customer", "customer_id", "--date", "date",
            "--amount", "amount", "--order", "order_id", "--product", "product", "--category",
            "category", "--customers", d / "data/customers.csv", "--spend", d / "data/spend.csv",
            "--contacts", d / "data/contacts.csv", "--nps", d / "data/nps.csv",
            "--compare", "loyalty_member", "--no-report", "-q", "-o", d / "cli")
    return d


@pytest.fixture(scope="module")
def retailer_analysis(retailer):
    data = retailer / "data"
    return ltvkit.analyze(
        pd.read_csv(data / "transactions.csv"), customer="customer_id", date="date",
        amount="amount", order="order_id", product="product", category="category",
        customers=pd.read_csv(data / "customers.csv"), spend=pd.read_csv(data / "spend.csv"),
        contacts=pd.read_csv(data / "contacts.csv"), nps=pd.read_csv(data / "nps.csv"),
        compare="loyalty_member")


def test_every_table_equals_the_cli(retailer, retailer_analysis):
    a = retailer_analysis
    cli_files = sorted((retailer / "cli").rglob("*.csv"))
    names = {str(p.relative_to(retailer / "cli"))[:-4] for p in cli_files}
    assert names == set(a.tables), names ^ set(a.tables)
    for path in cli_files:
        name = str(path.relative_to(retailer / "cli"))[:-4]
        assert_frame_equals_cli_csv(a.tables[name], path,
                                    line_offset=1 if name in NPS_LINE_TABLES else 0)
    cli_summary = json.loads((retailer / "cli/summary.json").read_text())
    for key in ("customers", "transactions", "revenue", "clv_total", "model_selection", "model",
                "spend_model", "basket", "nps", "group_comparison"):
        ours, theirs = copy.deepcopy(a.headline[key]), cli_summary[key]
        if key == "nps":  # the answers' source is named: the DataFrame, the CLI's file
            assert ours.pop("source") == "<nps DataFrame>"
            assert theirs.pop("source").endswith("nps.csv")
        assert ours == theirs, key


def test_written_folder_equals_the_cli_folder(retailer, retailer_analysis, tmp_path):
    retailer_analysis.write(tmp_path, report=False)
    # The folder is written as the CLI writes it: staged, with its manifest last. The manifest
    # lists sizes, which differ where summary.json and the NPS line tables differ (see above).
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["format"] == "ltvkit-manifest/1"
    assert {"customers.csv", "summary.json"} <= {f["path"] for f in manifest["files"]}
    written = 0
    for path in sorted((retailer / "cli").rglob("*")):
        if path.is_dir() or path.name in ("summary.json", "manifest.json"):
            continue
        relative = path.relative_to(retailer / "cli")
        ours = tmp_path / relative
        if str(relative)[:-4] in NPS_LINE_TABLES:  # rows of a DataFrame, lines of a file
            assert_frame_equals_cli_csv(pd.read_csv(ours, keep_default_na=False), path,
                                        line_offset=1)
        else:
            assert ours.read_bytes() == path.read_bytes(), path.name
        written += 1
    assert written >= 20


def test_tables_have_pandas_dtypes(retailer_analysis):
    c = retailer_analysis.customers  # the "customers" table
    assert c["customer_id"].dtype == object
    for name in ("frequency", "recency", "T", "p_alive", "expected_purchases", "clv"):
        assert c[name].dtype == np.float64
        assert c[name].notna().all(), name  # no NaN where the engine has a value
    assert c["orders"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(c["first_purchase"])
    models = retailer_analysis.tables["models"]
    assert models["converged"].dtype == bool
    kpis = retailer_analysis.kpis
    assert kpis is retailer_analysis.tables["analytics/kpis"]
    assert {"customers", "revenue"} <= set(kpis.columns)
    assert retailer_analysis["actions"]["reason"].str.len().gt(0).all()


def test_workspace_over_the_file_equals_the_dataframe(retailer, retailer_analysis):
    data = retailer / "data"
    ws = ltvkit.Workspace(data / "transactions.csv", customer="customer_id", date="date",
                          amount="amount", order="order_id", product="product",
                          category="category")
    assert ws.load_report["rows_loaded"] == retailer_analysis.load_report["rows_loaded"]
    a = ws.analyze(customers=data / "customers.csv", spend=pd.read_csv(data / "spend.csv"),
                   contacts=data / "contacts.csv", nps=data / "nps.csv", compare="loyalty_member")
    assert a.headline["clv_total"] == retailer_analysis.headline["clv_total"]
    pd.testing.assert_frame_equal(a.customers, retailer_analysis.customers)
    summary = ws.summary(time_unit="week")
    assert summary.index.name == "customer_id" and len(summary) == a.headline["customers"]


def test_published_bgnbd_fit_through_the_main_job(cdnow_sample):
    # Fader, Hardie & Lee (2005): the BG/NBD on CDNOW's calibration period (to 1997-09-30) has
    # LL = -9582.4; the main job fits it on the calibration period (the models table) and scores
    # with a refit on all the data.
    a = ltvkit.analyze(cdnow_sample, customer="customer_id", date="date", amount="dollars",
                       calibration_end="1997-09-30", model="bgnbd")
    models = a.tables["models"]
    assert list(models["model"]) == ["bgnbd"]
    assert models["log_likelihood"][0] == pytest.approx(-9582.4, abs=0.05)
    # BTYD's holdout purchase days of the 2,357 customers (1997-10-01 .. 1998-06-30).
    assert models["holdout_actual"][0] == 1882
    assert a.model["model"] == "bgnbd"
    assert a.headline["customers"] == 2357
    # The dates were the sample's integers (19970101): read as the command line reads them.
    assert a.load_report["date_format"] == "yyyymmdd"


def test_cdnow_equals_the_cli(tmp_path):
    run_cli("analyze", shared_data("cdnow/CDNOW_sample.txt"), "--no-header", "--customer", 2,
            "--date", 3, "--amount", 5, "--no-report", "-q", "-o", tmp_path)
    # The ids as the file writes them ("0001"): pandas would read them as the integer 1.
    sample = pd.read_csv(shared_data("cdnow/CDNOW_sample.txt"), sep=r"\s+", header=None,
                         names=["master_id", "customer_id", "date", "cds", "dollars"],
                         dtype={"customer_id": str})
    a = ltvkit.analyze(sample, customer="customer_id", date="date", amount="dollars")
    for name in ("customers", "segments", "models", "actions", "analytics/kpis",
                 "analytics/cohorts"):
        assert_frame_equals_cli_csv(a.tables[name], tmp_path / (name + ".csv"))


def test_options_are_the_parameter_table():
    options = ltvkit.analyze_options()
    for key in ("customer", "date", "amount", "calibration_end", "horizon", "discount_rate",
                "model", "compare", "rules"):
        assert key in options.index, key
    assert options.loc["horizon", "default"] == "12"


def test_bad_options_name_the_keyword(cdnow_sample):
    kw = dict(customer="customer_id", date="date", amount="dollars")
    with pytest.raises(TypeError, match="unexpected keyword argument 'horizn'"):
        ltvkit.analyze(cdnow_sample, horizn=6, **kw)
    with pytest.raises(ltvkit.ParameterError) as e:
        ltvkit.analyze(cdnow_sample, calibration_end="30/09/1997x", **kw)
    assert e.value.key == "calibration_end" and isinstance(e.value, ValueError)
    assert "calibration_end" in str(e.value)
    with pytest.raises(ltvkit.ParameterError) as e:
        ltvkit.analyze(cdnow_sample, horizon=-1, **kw)
    assert e.value.key == "horizon"
    with pytest.raises(ltvkit.ParameterError) as e:
        ltvkit.analyze(cdnow_sample, customer="client", date="date")
    assert e.value.key == "customer"
    with pytest.raises(ltvkit.ParameterError) as e:
        ltvkit.analyze(cdnow_sample, compare="loyalty_member", **kw)
    assert e.value.key == "compare"


def test_bad_values_name_their_position(cdnow_sample):
    df = cdnow_sample.copy()
    df["dollars"] = df["dollars"].astype(float)
    df.loc[5, "dollars"] = np.inf
    with pytest.raises(ltvkit.InputError) as e:
        ltvkit.analyze(df, customer="customer_id", date="date", amount="dollars")
    assert e.value.position == 5 and e.value.column == "dollars"
    df = cdnow_sample.copy()
    df["customer_id"] = df["customer_id"].astype(float)
    df.loc[3, "customer_id"] = np.nan
    with pytest.raises(ltvkit.InputError, match="position 3, column 'customer_id'"):
        ltvkit.analyze(df, customer="customer_id", date="date")
    # Under on_error='skip' the row is counted, never dropped silently.
    a = ltvkit.analyze(df, customer="customer_id", date="date", on_error="skip")
    assert a.load_report["rows_without_customer"] == 1
    df = cdnow_sample.copy()
    df["date"] = df["date"].astype(str)
    df.loc[8, "date"] = "19971350"
    with pytest.raises(ltvkit.InputError) as e:
        ltvkit.analyze(df, customer="customer_id", date="date")
    assert e.value.position == 8 and e.value.found == "19971350"
