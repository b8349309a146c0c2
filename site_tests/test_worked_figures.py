"""Figures a reader can work out again from the page: credit percentages never read as more
than they are, a worked calculation's parts give its result, an error budget never reads as
larger or less spent than it is, and nothing both says "exactly" and goes on with "…"."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from site_tests.core_helpers import SLA, agreement_yaml, metric_text, results_yaml, write_agreement

from helpers import REPO_ROOT

# January 2026: 44,640 minutes. 26 minutes down against 99.99%: the budget is 4.464 minutes,
# 582.4372…% of it used. 2,930 of 3,350 requests (87.4626…%) against 90%, 0.5% per point short:
# a credit of 1.2686567164…%, with the uptime tier's 10% a period credit of 11.2686567164…%.
UPTIME = metric_text(
    "uptime",
    objective="99.99",
    credits="model: tiers\ntiers:\n  - below: 99.99\n    credit: 10\n",
)
REQUESTS = metric_text(
    "requests",
    name="Requests within target",
    definition="Requests answered within target as a share of all requests.",
    objective="90",
    measure="kind: events\n",
    credits="model: linear\nper_point: 0.5\nmax: 5\n",
)
RESULTS = results_yaml(
    "2026-01",
    {
        "uptime": "\n    outages:\n      - start: 2026-01-10T00:00:00Z\n        end: 2026-01-10T00:26:00Z",
        "requests": "\n    good: 2930\n    total: 3350",
    },
)


def sla_render(agreements: Path, out: Path, today: str) -> Path:
    """`sla render` of `agreements` into `out`; the folder of the generated pages."""
    proc = subprocess.run(
        [*SLA, "render", str(out), "--path", str(agreements), "--today", today], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return out / "agreements"


def render(root: Path, credit_terms: str | None = None) -> Path:
    terms = agreement_yaml("svc", metrics=UPTIME + REQUESTS, credit_terms=credit_terms)
    write_agreement(root / "agreements", "svc", terms, {"2026-01.yaml": RESULTS})
    return sla_render(root / "agreements", root / "out", "2026-03-01")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("worked"))


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    """The repository's examples, rendered once for the tests that read them."""
    return sla_render(REPO_ROOT / "agreements", tmp_path_factory.mktemp("examples"), "2026-12-10")


def texts(pages: Path) -> dict[str, str]:
    return {str(p.relative_to(pages)): p.read_text(encoding="utf-8") for p in pages.rglob("*") if p.is_file()}


def test_a_credit_percentage_is_rounded_down_wherever_it_is_shown(pages):
    found = texts(pages)
    page = found["svc.md"]
    assert "1.268%" in page and "11.268%" in page
    # Rounded half even it read 1.269% and 11.269%: more than the customer is owed.
    assert [path for path, text in found.items() if "1.269%" in text or "11.269%" in text] == []
    statement = json.loads(found["statements/customer/2026-01.json"])
    assert statement["agreements"][0]["credit_percent"] == "11.268"


def test_the_worked_credit_adds_up_and_gives_the_amount(pages):
    page = (pages / "svc.md").read_text(encoding="utf-8")
    assert "credit 10% + 1.268656716417…% = 11.268656716417…%; 11.268656716417…% of 1,000.00 USD = 112.69 USD" in page


def test_the_error_budget_reads_unrounded_and_its_share_used_rounded_up(pages):
    page = (pages / "svc.md").read_text(encoding="utf-8")
    # 4.46 minutes would be a larger budget than 4.464, and 582.437% less of it spent than it was.
    assert "26 of 4.464 minutes (582.438%)" in page, re.findall(r"26 of [^<]*", page)


def test_nothing_says_exactly_and_goes_on(pages):
    for path, text in texts(pages).items():
        assert re.findall(r"exactly [-0-9.,]+…", text) == [], path


def test_a_credit_below_the_minimum_is_not_shown_as_the_customers(tmp_path):
    pages = render(tmp_path, "credit_terms:\n  base: the monthly charges\n  minimum_amount: 200\n")
    page = (pages / "svc.md").read_text(encoding="utf-8")
    head = page[page.index('<span class="sla-period__total') :]
    head = head[: head.index("</th>")]
    # 112.686…: withheld, so rounded down (display.credit_amount), never up towards the minimum.
    assert head.startswith('<span class="sla-period__total">Credit: 11.268% · 112.68 USD</span>'), head
    assert "under the minimum amount: not issued" in head and "Your credit" not in head
    period = (pages / "credits" / "2026-01.md").read_text(encoding="utf-8")
    assert "sla-total--credited" not in period and "Credited in all: nothing" in period


def test_earn_back_is_mentioned_only_where_a_credit_was_earned_back(pages):
    period = (pages / "credits" / "2026-01.md").read_text(encoding="utf-8")
    assert "1 of them has a credit for this period." in period
    assert "earn-back" not in period


def test_the_examples_earn_back_is_counted_on_its_periods_credits_page(examples):
    pages = sorted((examples / "credits").glob("20*.md"))
    earned = [
        p.stem for p in pages if "credit was cancelled because later periods met its objective: earn-back" in p.read_text(encoding="utf-8")
    ]
    assert earned and len(earned) < len(pages), earned
    assert re.search(
        r"\d+ of them have a credit for this period \(in 1 of them, a metric's credit was cancelled because",
        (pages[0].parent / f"{earned[0]}.md").read_text(),
    )


def test_an_earlier_years_page_holds_the_terms_each_of_its_periods_was_judged_under(examples):
    # acme-compute's 2025: version 1.0 until June (tier 1 credits 10%), 1.1 from July (15%).
    page = (examples / "acme-compute" / "periods" / "2025.md").read_text(encoding="utf-8")
    terms = page[page.index("## Terms of these periods") : page.index("## Evidence")]
    newer, older = terms.split('<h3 id="terms-1.0">')
    assert "Version 1.1" in newer and "2025-07." in newer and "<td>1</td> <td>below 99.99% and at least 99.0%</td> <td>15%</td>" in newer
    assert "2025-01." in older and "<td>1</td> <td>below 99.99% and at least 99.0%</td> <td>10%</td>" in older
    for words in ("their credits are added up", "at most 100% of the base in a period", "credit under 1.00 USD is not issued"):
        assert words in newer and words in older, words
