"""The `sla` command as a user runs it: validate, credits (json, csv, table) and new."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from site_tests.core_helpers import agreement, outages_result, run_sla, write_agreement
from site_tests.helpers import REPO_ROOT

TERMS = """\
credit_terms:
  base: the monthly charges
  currency: EUR
  cap: 50
  claim:
    how: Open a support case.
    deadline:
      days_after_period: 30
"""

CHRONIC = """\
remedies:
  chronic:
    misses: 2
    within: 3
    consequence: the customer may terminate
"""


@pytest.fixture
def tree(tmp_path):
    """Two agreements: `svc` missed in January (120 minutes down: tier 1, 10%) and March
    (chronic failure: 2 misses in 3 months), met in February; `other` met in January."""
    root = tmp_path / "agreements"
    write_agreement(
        root,
        "svc",
        agreement(credit_terms=TERMS, extra=CHRONIC),
        {
            "2026-01.yaml": outages_result("2026-01", [("2026-01-02T00:00:00Z", "2026-01-02T02:00:00Z")]),
            "2026-02.yaml": outages_result("2026-02", [("2026-02-02T00:00:00Z", "2026-02-02T00:30:00Z")]),
            "2026-03.yaml": outages_result("2026-03", [("2026-03-02T00:00:00Z", "2026-03-02T12:00:00Z")]),
        },
    )
    write_agreement(root, "other", agreement("other"), {"2026-01.yaml": outages_result("2026-01", [])})
    return root


def credits(tree, *args):
    done = run_sla("credits", "agreements", *args, cwd=tree.parent)
    assert "Traceback" not in done.stderr
    return done


# ---------------------------------------------------------------- validate


def test_validate_accepts_the_repository_agreements():
    done = run_sla("validate", cwd=REPO_ROOT)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 error(s)" in done.stderr


def test_validate_on_a_valid_tree_prints_only_the_summary(tree):
    done = run_sla("validate", "agreements", cwd=tree.parent)
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr.strip() == "2 valid agreement(s), 0 error(s), 0 warning(s)"


def test_validate_with_only_warnings_exits_0_and_prints_them(tmp_path):
    root = tmp_path / "agreements"
    write_agreement(root, "svc", agreement().replace("        - below: 99.0\n", "        - below: 98.0\n"))
    done = run_sla("validate", "agreements", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("agreements/svc/agreement.yaml:") and ": warning: metric `uptime`" in done.stdout
    github = run_sla("validate", "--format", "github", "agreements", cwd=tmp_path)
    assert github.returncode == 0 and github.stdout.startswith("::warning file=agreements/svc/agreement.yaml,line=")


def test_validate_defaults_to_the_agreements_folder(tree):
    done = run_sla("validate", cwd=tree.parent)
    assert done.returncode == 0 and "2 valid agreement(s)" in done.stderr


# ---------------------------------------------------------------- credits


def test_credits_json_gives_exact_values_and_their_display_form(tree):
    done = credits(tree, "--format", "json", "--agreement", "svc")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [a["id"] for a in document["agreements"]] == ["svc"]
    january, february, march = document["agreements"][0]["periods"]
    [uptime] = january["metrics"]
    assert uptime == {
        "metric": "uptime",
        # (44,640 − 120) / 44,640 × 100 = 9275/93: a decimal that repeats, so 20 decimals, half even;
        # never the fraction, which a spreadsheet may read as a date (issue 12).
        "attainment": "99.73118279569892473118",
        "attainment_display": "99.731%",  # rounded down, never better than the exact value
        "unit": "%",
        "objective": "99.9",
        "status": "missed",
        "measured": "120 of 44,640 minutes down",
        "tier": 1,
        "credit_percent": "10",
        "default": False,
        "earned_back_in": None,
    }
    assert january["credit"] == {
        "combined_percent": "10",
        "percent": "10",
        "capped": False,
        "amount": "100",
        "amount_display": "100.00 EUR",
        "unrounded_amount": "100",
        "rounding": "none",
        "below_minimum": False,
        "withheld": None,
        "issued": "100",
        "currency": "EUR",
    }
    assert january["claim_deadline"] == "2026-03-02"
    assert (january["misses_to_date"], january["chronic_failure"], january["termination_right"]) == (1, False, False)
    assert february["metrics"][0]["status"] == "met" and february["credit"]["percent"] == "0" and february["claim_deadline"] is None
    assert march["metrics"][0]["tier"] == 2 and march["credit"]["percent"] == "25"
    assert (march["misses_to_date"], march["chronic_failure"], march["termination_right"]) == (2, True, True)
    assert march["remedies"][0]["kind"] == "chronic" and "the customer may terminate" in march["remedies"][0]["text"]


def test_credits_json_for_one_period(tree):
    document = json.loads(credits(tree, "--format", "json", "--period", "2026-01").stdout)
    assert {a["id"]: [p["period"] for p in a["periods"]] for a in document["agreements"]} == {"other": ["2026-01"], "svc": ["2026-01"]}


def test_credits_for_one_period_keeps_the_history_of_misses(tree):
    """Filtering shows one period, but misses to date and chronic failure still count the earlier ones."""
    document = json.loads(credits(tree, "--format", "json", "--period", "2026-03", "--agreement", "svc").stdout)
    [march] = document["agreements"][0]["periods"]
    assert march["misses_to_date"] == 2 and march["chronic_failure"] is True


def test_credits_csv_has_a_row_per_agreement_period_and_metric(tree):
    done = credits(tree, "--format", "csv")
    assert done.returncode == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["agreement"], r["period"], r["metric"]) for r in rows] == [
        ("other", "2026-01", "uptime"),
        ("svc", "2026-01", "uptime"),
        ("svc", "2026-02", "uptime"),
        ("svc", "2026-03", "uptime"),
    ]
    january = rows[1]
    assert (january["attainment"], january["attainment_display"], january["status"], january["tier"]) == (
        "99.73118279569892473118",  # 9275/93 as a decimal string, not a fraction
        "99.731%",
        "missed",
        "1",
    )
    assert (january["credit_percent"], january["period_credit_percent"], january["period_amount"], january["currency"]) == (
        "10",
        "10",
        "100",
        "EUR",
    )
    assert rows[3]["chronic_failure"] == "True" and rows[3]["termination_right"] == "True"


def test_credits_csv_filtered_by_agreement_and_period(tree):
    rows = list(csv.DictReader(io.StringIO(credits(tree, "--format", "csv", "--agreement", "svc", "--period", "2026-02").stdout)))
    assert [(r["agreement"], r["period"], r["status"]) for r in rows] == [("svc", "2026-02", "met")]


def test_credits_table_lists_metrics_and_period_totals(tree):
    done = credits(tree, "--agreement", "svc")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "svc — Test agreement svc"
    january = [line.split() for line in lines if line.strip().startswith("2026-01")]
    assert january[0] == ["2026-01", "uptime", "99.731%", "missed", "1", "10%"]
    assert lines[1].split() == ["period", "metric", "attainment", "status", "tier", "credit", "%"]
    assert "= period total" in lines[3] and "100.00 EUR" in lines[3] and "misses to date 1" in lines[3]
    march_total = next(line for line in lines if line.strip().startswith("2026-03") and "= period total" in line)
    assert "CHRONIC FAILURE" in march_total and "TERMINATION RIGHT" in march_total


def test_credits_table_is_the_default_format(tree):
    assert credits(tree).stdout == credits(tree, "--format", "table").stdout


def test_credits_for_an_unknown_agreement_exits_1(tree):
    done = credits(tree, "--agreement", "nope")
    assert done.returncode == 1 and "no agreement `nope`" in done.stderr


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "yesterday"])
def test_credits_for_an_invalid_period_exits_1_saying_what_is_expected(tree, period):
    done = credits(tree, "--period", period)
    assert done.returncode == 1 and f"invalid period '{period}'" in done.stderr and "expected a month `YYYY-MM`" in done.stderr


def test_credits_for_a_period_without_results_lists_no_periods(tree):
    done = credits(tree, "--format", "json", "--period", "2025-12")
    document = json.loads(done.stdout)
    assert all(a["periods"] == [] for a in document["agreements"])
    assert done.returncode == 0
    assert done.stderr == "sla credits: no results for period 2025-12 in any agreement measured per month\n"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_credits_for_a_quarter_when_every_agreement_is_monthly_exits_1_saying_so(tree, fmt):
    # It printed empty tables (or an empty document) and exited 0.
    done = credits(tree, "--period", "2025-Q1", "--format", fmt)
    assert done.returncode == 1 and done.stdout == ""
    assert (
        done.stderr
        == "sla credits: period 2025-Q1 is a quarter, but every agreement is measured per month; expected a month such as 2025-01\n"
    )


def test_credits_for_a_period_shows_only_the_agreements_measured_per_its_kind(tree):
    write_agreement(tree, "quarterly", agreement("quarterly", head="period: quarter\n"), {"2026-Q1.yaml": outages_result("2026-Q1", [])})
    quarter = json.loads(credits(tree, "--format", "json", "--period", "2026-Q1").stdout)
    assert [(a["id"], [p["period"] for p in a["periods"]]) for a in quarter["agreements"]] == [("quarterly", ["2026-Q1"])]
    month = json.loads(credits(tree, "--format", "json", "--period", "2026-01").stdout)
    assert [a["id"] for a in month["agreements"]] == ["other", "svc"]
    done = credits(tree, "--period", "2026-01", "--agreement", "quarterly")
    assert done.returncode == 1 and "agreement `quarterly` is measured per quarter; expected a quarter such as 2026-Q1" in done.stderr


def test_credits_of_an_agreement_without_credit_terms_has_no_amounts(tmp_path):
    root = tmp_path / "agreements"
    metric = "  - id: leads\n    name: Leads\n    definition: Leads.\n    unit: leads\n    better: higher\n    objective: 400\n    measure:\n      kind: count\n"
    write_agreement(
        root,
        "sales",
        agreement("sales", metrics=metric, credit_terms=""),
        {"2026-01.yaml": 'period: "2026-01"\nmetrics:\n  leads:\n    count: 399\n'},
    )
    document = json.loads(run_sla("credits", "agreements", "--format", "json", cwd=tmp_path).stdout)
    [period] = document["agreements"][0]["periods"]
    assert period["metrics"][0]["status"] == "missed" and period["metrics"][0]["attainment_display"] == "399 leads"
    assert period["credit"]["amount"] is None and period["credit"]["currency"] is None


# ---------------------------------------------------------------- new


def test_new_writes_an_agreement_that_validates_as_written(tmp_path):
    done = run_sla("new", "edge-cache", "--path", "agreements", "--effective", "2026-07-01", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "agreements" / "edge-cache" / "agreement.yaml"
    assert written.is_file() and (written.parent / "results").is_dir()
    text = written.read_text(encoding="utf-8")
    assert "id: edge-cache" in text and "effective: 2026-07-01" in text and "#" in text  # commented
    check = run_sla("validate", "agreements", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == "" and "1 valid agreement(s), 0 error(s), 0 warning(s)" in check.stderr


def test_new_without_an_effective_date_starts_next_month_and_validates(tmp_path):
    assert run_sla("new", "billing", cwd=tmp_path).returncode == 0
    check = run_sla("validate", cwd=tmp_path)
    assert check.returncode == 0 and "1 valid agreement(s), 0 error(s)" in check.stderr


def test_a_new_agreement_takes_its_first_results_file(tmp_path):
    run_sla("new", "edge-cache", "--effective", "2026-07-01", cwd=tmp_path)
    results = tmp_path / "agreements" / "edge-cache" / "results" / "2026-07.yaml"
    results.write_text(outages_result("2026-07", [("2026-07-03T10:00:00Z", "2026-07-03T10:30:00Z")]), encoding="utf-8")
    assert run_sla("validate", cwd=tmp_path).returncode == 0
    document = json.loads(run_sla("credits", "--format", "json", cwd=tmp_path).stdout)
    assert document["agreements"][0]["periods"][0]["metrics"][0]["status"] == "met"


@pytest.mark.parametrize("bad", ["Edge_Cache", "edge.cache", "edge cache", "édge"])
def test_new_refuses_an_id_that_is_not_a_slug(tmp_path, bad):
    done = run_sla("new", bad, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "is not a valid id" in done.stderr and "lower-case letters, digits and hyphens" in done.stderr
    assert not (tmp_path / "agreements").exists() or not any((tmp_path / "agreements").iterdir())


def test_new_refuses_an_existing_folder_and_leaves_it_untouched(tmp_path):
    folder = tmp_path / "agreements" / "edge-cache"
    folder.mkdir(parents=True)
    (folder / "agreement.yaml").write_text("# mine\n", encoding="utf-8")
    done = run_sla("new", "edge-cache", cwd=tmp_path)
    assert done.returncode == 1 and "already exists" in done.stderr
    assert (folder / "agreement.yaml").read_text(encoding="utf-8") == "# mine\n"


def test_new_refuses_an_invalid_effective_date(tmp_path):
    done = run_sla("new", "edge-cache", "--effective", "2026-02-30", cwd=tmp_path)
    assert done.returncode == 1 and "not a date; expected YYYY-MM-DD" in done.stderr
    assert not (tmp_path / "agreements" / "edge-cache").exists()


def test_new_refuses_an_id_with_a_trailing_newline(tmp_path):
    done = run_sla("new", "edge\n", cwd=tmp_path)
    assert done.returncode == 1 and "is not a valid id" in done.stderr
    assert not (tmp_path / "agreements" / "edge\n").exists()


def test_credits_json_and_csv_hold_no_fraction_anywhere(tree):
    """Every number in `sla credits --format json` and `csv` is a decimal string: no `a/b`."""
    as_json = credits(tree, "--format", "json")
    as_csv = credits(tree, "--format", "csv")
    assert as_json.returncode == 0 and as_csv.returncode == 0

    def strings(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
        elif isinstance(value, str):
            yield value

    numeric = re.compile(r"^-?\d+(\.\d+)?$")
    fractions = re.compile(r"^-?\d+/\d+$")
    found = [s for s in strings(json.loads(as_json.stdout)) if fractions.match(s)]
    found += [cell for row in csv.reader(io.StringIO(as_csv.stdout)) for cell in row if fractions.match(cell)]
    assert found == []
    document = json.loads(as_json.stdout)
    attainments = [m["attainment"] for a in document["agreements"] for p in a["periods"] for m in p["metrics"] if m["attainment"]]
    assert attainments and all(numeric.match(a) for a in attainments), attainments
