"""Column inference in Python (issue 27): ltvkit.Workspace over a file without column keywords
recognises the columns as `ltv` does, and reads the file as if they had been given."""

import pandas as pd
import pytest

import ltvkit

from conftest import shared_data


def test_file_without_column_keywords_is_read_with_the_inferred_columns():
    # clvtools_cdnow.csv: Id,Date,CDs,Price; ../shared/data/README.md: 6,696 rows, 2,357
    # customers (CLVTools' cdnow sample, same-day purchases merged).
    path = shared_data("cdnow/clvtools_cdnow.csv")
    inferred = ltvkit.Workspace(path)
    report = inferred.load_report
    assert report["rows_loaded"] == 6696
    assert report["customers"] == 2357
    assert report["has_amount"]  # amount <- Price, as `ltv` infers it (tests/cli/columns_test)
    given = ltvkit.Workspace(path, customer="Id", date="Date", amount="Price")
    pd.testing.assert_frame_equal(inferred.summary(), given.summary())


def test_missing_customer_column_is_refused_naming_the_columns(tmp_path):
    path = tmp_path / "no_customer.csv"
    path.write_text("when,total\n2024-01-01,10\n2024-02-01,12\n")
    with pytest.raises(ltvkit.ParameterError) as error:
        ltvkit.Workspace(path)
    assert "customer" in str(error.value)
    assert "when" in str(error.value)  # the file's columns are named
