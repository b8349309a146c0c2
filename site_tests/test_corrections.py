"""Corrections of closed periods: checked by the loader, shown on the period, reported by `sla diff` as corrections."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from site_tests.core_helpers import agreement, assert_reported, outages_result, position_of, run_sla, write_agreement

from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.site.paths import RenderOptions
from mkdocs_sla.site.render import render
from mkdocs_sla.source.load import load

CLAIM = """\
credit_terms:
  base: the monthly charges
  claim:
    how: Open a support case.
    deadline:
      days_after_period: 30
"""

# January: 30 minutes down of 44,640 (99.9327%: tier 1, 10%). Before the correction the
# period showed 10 minutes (99.9775%: met).
CORRECTION = """\
corrections:
  - period: 2026-01
    date: {date}
    category: late-data
    reason: Probe results from the **second region** arrived after the month was published.
    evidence: Probe log export of 2026-02-03
    metrics:
      uptime:
        before: 99.977598
        after: 99.932795
"""


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "agreements"
    write_agreement(
        root,
        "svc",
        agreement(credit_terms=CLAIM),
        {
            "2026-01.yaml": outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z")]),
            "2026-02.yaml": outages_result("2026-02", []),
        },
    )
    return root


def agreement_page(root) -> str:
    """The agreement's page as the site renders it (pages in memory, no MkDocs)."""
    catalog = load(root)
    assert not catalog.errors, catalog.errors
    pages, _navigation = render(catalog, [evaluate(r) for r in catalog.agreements], today=dt.date(2026, 6, 1), options=RenderOptions())
    return pages["agreements/svc.md"]


def write_correction(root, text):
    (root / "svc" / "corrections.yaml").write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize(
    ("date", "change", "needle", "words"),
    [
        ("2026-04-05", lambda t: t.replace("period: 2026-01", "period: 2026-03"), "2026-03", ["period 2026-03 has no results to correct"]),
        ("2026-01-20", lambda t: t, "2026-01-20", ["had not closed on 2026-01-20", "expected a date on or after 2026-02-01"]),
        ("2026-02-05", lambda t: t.replace("      uptime:", "      uptim:"), "uptim:", ["unknown metric `uptim`"]),
        ("2026-02-05", lambda t: t.replace("late-data", "late"), "late\n", ["category"]),
    ],
    ids=["a period without results", "a period not closed on the date", "an unknown metric", "an unknown category"],
)
def test_a_bad_correction_is_reported_at_its_position(tree, date, change, needle, words):
    text = write_correction(tree, change(CORRECTION.format(date=date)))
    line, column = position_of(text, needle)
    assert_reported(tree, "svc/corrections.yaml", line, column, *words)


def test_a_correction_is_shown_on_the_period_with_the_figures_before_and_after(tree, tmp_path):
    write_correction(tree, CORRECTION.format(date="2026-02-05"))
    page = agreement_page(tree)
    assert "<strong>Corrected on 2026-02-05</strong>: Probe results from the <strong>second region</strong> arrived" in page
    assert "Monthly uptime: 99.977% before, 99.932% after" in page
    assert "(late-data; favourable for the customer)" in page
    assert "Evidence: Probe log export of 2026-02-03" in page
    assert "after the claim deadline" not in page


def test_a_correction_after_the_claim_deadline_is_flagged(tree, tmp_path):
    write_correction(tree, CORRECTION.format(date="2026-03-15"))  # the deadline: 30 days after January, 2026-03-02
    document = json.loads(run_sla("credits", str(tree), "--format", "json", cwd=tmp_path).stdout)
    january = document["agreements"][0]["periods"][0]
    assert january["corrections"] == [
        {
            "date": "2026-03-15",
            "category": "late-data",
            "reason": "Probe results from the **second region** arrived after the month was published.",
            "evidence": "Probe log export of 2026-02-03",
            "note": None,
            "effect": "favourable",
            "after_claim_deadline": "2026-03-02",
            "metrics": [{"metric": "uptime", "before": "99.977598", "after": "99.932795", "effect": "favourable"}],
        }
    ]
    assert "Made after the claim deadline of 2026-03-02" in agreement_page(tree)


def _diff(base, head, tmp_path):
    return run_sla("diff", str(base), str(head), "--format", "json", "--today", "2026-06-01", cwd=tmp_path)


def test_sla_diff_reports_a_corrected_period_as_a_correction_not_rewritten_history(tree, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tree, base)
    (base / "svc" / "results" / "2026-01.yaml").write_text(
        outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:10:00Z")]), encoding="utf-8"
    )
    write_correction(tree, CORRECTION.format(date="2026-02-05"))
    run = _diff(base, tree, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    document = json.loads(run.stdout)
    (results,) = document["agreements"][0]["results"]
    assert (results["period"], results["status"], results["rewrites_history"], results["effect"]) == (
        "2026-01",
        "corrected",
        False,
        "favourable",
    )
    assert results["summary"].startswith("2026-01 corrected on 2026-02-05 (late-data): Probe results")
    assert "Monthly uptime: 99.977% before, 99.932% after" in results["summary"]
    assert document["summary"]["rewrites_history"] is False


def test_sla_diff_still_reports_an_uncorrected_past_period_as_rewritten_history(tree, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tree, base)
    (base / "svc" / "results" / "2026-01.yaml").write_text(
        outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:10:00Z")]), encoding="utf-8"
    )
    run = _diff(base, tree, tmp_path)
    assert run.returncode == 4
    (results,) = json.loads(run.stdout)["agreements"][0]["results"]
    assert (results["status"], results["rewrites_history"]) == ("edited", True)


def test_a_correction_that_improves_the_figures_is_adverse_for_the_customer(tree, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tree, base)
    (tree / "svc" / "results" / "2026-01.yaml").write_text(
        outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:10:00Z")]), encoding="utf-8"
    )
    write_correction(
        tree,
        CORRECTION.format(date="2026-02-05")
        .replace("before: 99.977598", "before: 99.932795")
        .replace("after: 99.932795", "after: 99.977598"),
    )
    run = _diff(base, tree, tmp_path)
    assert run.returncode == 3  # adverse for the customer, not rewritten history (4)
    (results,) = json.loads(run.stdout)["agreements"][0]["results"]
    assert (results["status"], results["effect"]) == ("corrected", "adverse")
