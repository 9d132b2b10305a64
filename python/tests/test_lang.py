"""ltvkit.analyze(lang=...): the same language setting as `ltv analyze --lang` (issue 27): the
action reasons and the written report in Russian equal the CLI's, and an unknown language is
refused naming the keyword."""

import pandas as pd
import pytest

import ltvkit

from conftest import run_cli


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    d = tmp_path_factory.mktemp("lang")
    run_cli("simulate", "--customers", 1500, "--seed", 23, "-o", d / "data")
    run_cli("analyze", d / "data/transactions.csv", "--customer", "customer_id", "--date", "date",
            "--amount", "amount", "--order", "order_id", "--lang", "ru", "-q", "-o", d / "cli")
    return d


def test_russian_reasons_and_report_equal_the_cli(shop, tmp_path):
    a = ltvkit.analyze(pd.read_csv(shop / "data/transactions.csv"), customer="customer_id",
                       date="date", amount="amount", order="order_id", lang="ru")
    reasons = a.tables["actions"]["reason"]
    assert len(reasons) > 0
    cli = pd.read_csv(shop / "cli/actions.csv", dtype=str, keep_default_na=False)
    assert reasons.tolist() == cli["reason"].tolist()
    assert any("обычно покупает раз в" in r for r in reasons)
    a.write(tmp_path / "out")
    page = (tmp_path / "out/report.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    assert "<h2>Главное</h2>" in page
    assert "<h2>Headline</h2>" not in page
    # The language's currency and title, as `ltv analyze --lang ru` writes them.
    assert "<h1>Отчёт о ценности клиентов</h1>" in page
    assert "\u00a0\u20bd</div>" in page
    assert page == (shop / "cli/report.html").read_text(encoding="utf-8").replace(
        str(shop / "cli"), str(tmp_path / "out"))


def test_unknown_language_names_the_keyword(shop):
    with pytest.raises(ltvkit.ParameterError) as e:
        ltvkit.analyze(pd.read_csv(shop / "data/transactions.csv"), customer="customer_id",
                       date="date", amount="amount", lang="de")
    assert "lang" in str(e.value) and "en, ru" in str(e.value)
