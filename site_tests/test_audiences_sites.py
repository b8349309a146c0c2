"""Every audience of the examples, built for real with `sla sites` into tmp_path: each a
complete site; nothing of one customer in another's site or of a private agreement in the
public one (every file: HTML, JSON, search index, sitemap, feed, SVG, 404); statements that
add up to `sla credits`, safe for spreadsheets and printable on A4."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from helpers import REPO_ROOT, build_site, tool_env
from leak_helpers import private_tokens, site_texts
from mkdocs_sla.builds import build_sites, tree_audiences
from mkdocs_sla.core.audiences import PUBLIC, Audience, AudienceKind
from mkdocs_sla.present import billing

AS_OF = "2026-12-10"  # after the examples' last period: results of a period not yet ended are an error
EPOCH = str(int(dt.datetime.fromisoformat(AS_OF).replace(tzinfo=dt.UTC).timestamp()))
AUDIENCES = tree_audiences(REPO_ROOT / "agreements")[1]
CUSTOMERS = [a.customer for a in AUDIENCES if a.kind is AudienceKind.CUSTOMER]


def sla(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_sla.cli", *args],
        cwd=REPO_ROOT,
        env=tool_env({"SOURCE_DATE_EPOCH": EPOCH}),
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sites")
    proc = sla("sites", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def internal_text(sites) -> str:
    """Every text of the internal site (everything): where each private token must be findable."""
    return "\n".join(text for _path, text in site_texts(sites / "internal"))


def test_the_examples_have_three_customers_one_with_two_agreements():
    assert len(CUSTOMERS) >= 3
    proc = sla("credits", "--customer", "northwind-retail-plc", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["agreements"]) == 2


@pytest.mark.parametrize("audience", AUDIENCES, ids=str)
def test_every_audience_is_a_complete_site_of_its_own(sites, audience):
    folder = sites / audience.folder
    for name in ("index.html", "404.html", "sitemap.xml", "search/search_index.json", "feed.xml", "agreements/index.html"):
        assert (folder / name).is_file(), f"{audience}: no {name}"
    # Its sitemap lists its own pages only, and every page it lists is there.
    sitemap = (folder / "sitemap.xml").read_text()
    for url in re.findall(r"<loc>https://example\.github\.io/mkdocs-sla/([^<]*)</loc>", sitemap):
        assert (folder / url / "index.html").is_file() or (folder / url).is_file(), url
    # Every page says the date its statuses hold on.
    for page in folder.rglob("*.html"):
        assert f"As of {AS_OF}" in page.read_text(), page


@pytest.mark.parametrize("audience", [a for a in AUDIENCES if a.kind is not AudienceKind.INTERNAL], ids=str)
def test_no_file_of_a_site_holds_anything_of_an_agreement_its_audience_may_not_see(sites, internal_text, audience):
    tokens = private_tokens(REPO_ROOT / "agreements", audience)
    # The search can fail: most tokens are on the internal site, in the form looked for here.
    assert len([t for t in tokens if t in internal_text]) > len(tokens) // 2
    leaks = [(path.relative_to(sites), token) for path, text in site_texts(sites / audience.folder) for token in tokens if token in text]
    assert leaks == []


def test_the_public_site_shows_public_terms_and_public_results_only(sites):
    public = sites / "public" / "agreements"
    assert (public / "acme-compute" / "index.html").is_file()
    # Terms public, results not: no JSON, badge or chart of its results, only its pages.
    assert sorted(p.name for p in (public / "acme-compute").iterdir()) == ["history", "index.html", "versions"]
    assert "not published on this site" in (public / "acme-compute" / "index.html").read_text()
    assert (public / "code-hosting" / "credits.json").is_file()  # results public too
    assert not (public / "object-store").exists() and not (public / "statements").exists()
    assert private_tokens(REPO_ROOT / "agreements", PUBLIC) >= {"Fabrikam Media Ltd", "Tailspin Toys AG", "14,200.00 USD"}


def test_edit_this_page_is_offered_on_the_internal_site_only(sites):
    """The provider's people edit the YAML; a customer or the public reading the terms are not
    sent to an editor of the repository."""
    edit = re.compile(r'<a href="[^"]*/edit/[^"]*" title="Edit this page"')
    internal = (sites / "internal" / "agreements" / "acme-compute" / "index.html").read_text()
    assert edit.search(internal), "the internal site offers to edit the agreement"
    for audience in AUDIENCES:
        if audience.kind is AudienceKind.INTERNAL:
            continue
        found = [
            path.relative_to(sites) for path, text in site_texts(sites / audience.folder) if path.suffix == ".html" and edit.search(text)
        ]
        assert found == [], audience


def statement(sites: Path, customer: str, period: str) -> dict:
    return json.loads((sites / customer / "agreements" / "statements" / customer / f"{period}.json").read_text())


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_a_statements_total_equals_sla_credits_for_the_same_customer_and_period(sites, customer):
    folder = sites / customer / "agreements" / "statements" / customer
    periods = sorted(p.stem for p in folder.glob("*.json"))
    assert periods
    for period in periods:
        proc = sla("credits", "--customer", customer, "--period", period, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        expected: dict[str, Decimal] = {}
        lines = 0
        for agreement in json.loads(proc.stdout)["agreements"]:
            for p in agreement["periods"]:
                lines += 1
                if p["credit"]["issued"] is not None:
                    cents = Decimal(Fraction(p["credit"]["issued"]).numerator) / Decimal(Fraction(p["credit"]["issued"]).denominator)
                    cents = cents.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                    expected[p["credit"]["currency"]] = expected.get(p["credit"]["currency"], Decimal(0)) + cents
        document = statement(sites, customer, period)
        assert len(document["agreements"]) == lines
        assert {c: Decimal(v) for c, v in document["total"].items()} == expected
        # And the CSV's lines add up to the same.
        rows = list(csv.DictReader(io.StringIO((folder / f"{period}.csv").read_text())))
        assert len(rows) == lines
        summed: dict[str, Decimal] = {}
        for row in rows:
            if row["issued"]:
                summed[row["currency"]] = summed.get(row["currency"], Decimal(0)) + Decimal(row["issued"])
        assert summed == expected


def test_northwinds_december_statement_lists_both_agreements_with_base_deadline_and_how_to_claim(sites):
    document = statement(sites, "northwind-retail-plc", "2025-12")
    assert [a["agreement"] for a in document["agreements"]] == ["acme-compute", "acme-database"]
    assert document["total"] == {"USD": "2469.00"}
    database = document["agreements"][1]
    assert (database["charges"], database["credit_percent"], database["issued"]) == ("3390.00", "10", "339.00")
    assert database["claim_deadline"] == "2026-01-30" and database["claim_days_left"] == -314
    page = (sites / "northwind-retail-plc" / "agreements" / "statements" / "northwind-retail-plc" / "2025-12" / "index.html").read_text()
    assert "2026-01-30 (passed)" in page and "2026-02-28 (passed)" in page
    assert "SLA credit request: PostgreSQL" in page and "the month&#39;s charges for the affected cluster" in page


DECIMAL = re.compile(r"\d+(\.\d+)?")
NUMBER_COLUMNS = {"charges", "credit_percent", "amount", "issued"}


@pytest.mark.parametrize("customer", CUSTOMERS)
def test_no_statement_cell_is_a_fraction_a_formula_or_a_date_to_a_spreadsheet(sites, customer):
    for path in (sites / customer / "agreements" / "statements" / customer).glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_text())):
            for column, cell in row.items():
                if column in NUMBER_COLUMNS:
                    assert cell == "" or DECIMAL.fullmatch(cell), (path.name, column, cell)
                else:
                    assert not cell.startswith(billing.FORMULA_STARTS), (path.name, column, cell)
                    assert not re.fullmatch(r"[\d\s.,:/+-]+", cell), f"{path.name}: {column} {cell!r} reads as a date or number"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("2025-12", "'2025-12"),
        ("1.1", "'1.1"),
        ("3/4", "'3/4"),
        ("Northwind Retail plc", "Northwind Retail plc"),
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_evaluate_or_convert_is_prefixed(text, cell):
    assert billing.text_cell(text) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Fraction(10), "10"),
        (Fraction(25, 2), "12.5"),
        (Fraction(1, 8), "0.125"),
        (Fraction(1, 16), "0.062"),  # ends, but past three places: rounded down
        (Fraction(100, 3), "33.333"),  # a repeating decimal: three places, rounded down
        (Fraction(200, 3), "66.666"),
    ],
)
def test_a_credit_percentage_in_a_statement_csv_is_a_decimal_never_above_the_exact_one(value, cell):
    assert billing.percent(value) == cell


def test_two_audiences_that_would_write_to_one_folder_are_an_error(tmp_path, capsys):
    status = build_sites(REPO_ROOT / "mkdocs.yml", tmp_path, [PUBLIC, Audience.parse("customer:public")])
    assert status == 1
    assert "`public` and `customer:public` would both write to the folder `public`" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("audience", "words"),
    [("everyone", "unknown audience `everyone`"), ("customer:nobody", "no agreement has the customer `nobody`")],
)
def test_a_build_for_an_unknown_audience_fails_saying_what_is_expected(tmp_path, audience, words):
    proc = build_site(REPO_ROOT / "mkdocs.yml", tmp_path / "site", env={"SLA_AUDIENCE": audience})
    assert proc.returncode != 0
    assert words in proc.stdout + proc.stderr


def test_a_statement_prints_on_a4_without_navigation_cut_tables_or_overflow(sites, page, serve_dir):
    base = serve_dir(sites / "northwind-retail-plc")
    # A4 less 15 mm margins each side: 180 mm = 680 CSS pixels.
    page.set_viewport_size({"width": 680, "height": 1000})
    page.emulate_media(media="print")
    page.goto(base + "agreements/statements/northwind-retail-plc/2025-12/")
    assert page.locator(".sla-statement__agreement").count() == 2
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".md-banner"):
        assert not page.locator(hidden).first.is_visible(), hidden
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.md-content *')]
              .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
              .map(e => e.tagName + '.' + e.className)"""
    )
    assert overflowing == []
    styles = page.evaluate(
        """() => [...document.querySelectorAll('.sla-statement__agreement')].map(e => getComputedStyle(e).breakBefore)"""
    )
    assert styles == ["auto", "page"]
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-typeset table tr')).breakInside") == "avoid"
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2  # a page per agreement
    # mkdocs.yml's mike version selector asks for ../versions.json, which only gh-pages has.
    assert [e for e in page.console_errors if "/versions.json" not in e] == []
