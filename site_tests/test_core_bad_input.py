"""Bad input: every problem is reported at its exact `file:line:column`, says what was
expected, and never ends in a traceback — through `load()` and through `sla validate`."""

from __future__ import annotations

import os
import subprocess
from decimal import Decimal

import pytest
from site_tests.core_helpers import (
    DOWNTIME_METRIC,
    SLA,
    agreement,
    assert_reported,
    assert_reported_in_agreement,
    assert_reported_in_results,
    cpu_seconds_under,
    leads_metric,
    metric_text,
    outages_result,
    position_of,
    run_sla,
    value_result,
    write_agreement,
)

from mkdocs_sla.source.load import load

COUNT_METRIC = leads_metric()

PERCENT_VALUE_METRIC = metric_text(
    "availability",
    name="Availability",
    definition="Availability as reported by the provider's monitoring.",
    objective="99.5",
    measure="kind: value",
    credits=None,
)


@pytest.fixture
def root(tmp_path):
    path = tmp_path / "agreements"
    path.mkdir()
    return path


# ---------------------------------------------------------------- YAML itself


def test_a_duplicate_key_is_reported_at_its_second_occurrence_naming_the_first(root):
    text = agreement().replace("owner: Owner\n", "owner: Owner\nowner: Someone else\n")
    write_agreement(root, "svc", text)
    first = position_of(text, "owner:")
    line, column = position_of(text, "owner:", 2)
    assert_reported(
        root,
        "svc/agreement.yaml",
        line,
        column,
        "duplicate key `owner`",
        f"first at line {first[0]}, column {first[1]}",
        "each key may appear once",
    )


def test_a_duplicate_key_in_a_results_file_is_reported_too(root):
    results = outages_result("2026-01", []).replace("charges: 1000\n", "charges: 1000\ncharges: 2000\n")
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results})
    line, column = position_of(results, "charges:", 2)
    assert_reported(root, "svc/results/2026-01.yaml", line, column, "duplicate key `charges`")


def test_a_yaml_anchor_and_its_alias_are_each_rejected_where_they_stand(root):
    text = agreement().replace("owner: Owner\n", "owner: &who Owner\n").replace("customer: Customer\n", "customer: *who\n")
    write_agreement(root, "svc", text)
    anchor = position_of(text, "&who")
    alias = position_of(text, "*who")
    assert_reported(root, "svc/agreement.yaml", *anchor, "YAML anchor `&who` is not allowed", "write the value out in full")
    assert_reported(root, "svc/agreement.yaml", *alias, "YAML alias `*who` is not allowed", "write the value out in full")


def test_an_alias_bomb_is_rejected_within_two_seconds_without_expanding_it(root):
    # "billion laughs": 10 levels of 10 aliases each would expand to 10^10 strings.
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    text = agreement(extra="exclusions: *lol9\n") + "\n".join(lines) + "\n"
    write_agreement(root, "svc", text)
    with cpu_seconds_under(2):
        catalog = load(root)
    assert catalog.agreements == ()
    line, column = position_of(text, "*lol9")
    assert any(
        (d.position.line, d.position.column) == (line, column) and "alias `*lol9` is not allowed" in d.message for d in catalog.errors
    )
    with cpu_seconds_under(2 + 1):  # the interpreter's start-up on top of the two seconds
        done = run_sla("validate", "agreements", cwd=root.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"agreements/svc/agreement.yaml:{line}:{column}: error: YAML alias `*lol9` is not allowed" in done.stdout


def test_a_results_file_with_an_alias_is_rejected(root):
    results = 'period: &p "2026-01"\nmetrics:\n  uptime:\n    outages: []\n    note: *p\n'
    assert_reported_in_results(root, agreement(), "2026-01.yaml", results, "*p", "YAML alias `*p` is not allowed")


def test_a_file_that_is_not_utf8_is_reported_at_its_bad_byte(root):
    text = agreement().encode("utf-8").replace(b"owner: Owner", b"owner: Ow\xe9ner")  # Latin-1 é
    write_agreement(root, "svc", text)
    line, column = position_of(text.decode("latin-1"), "\xe9")
    assert_reported(root, "svc/agreement.yaml", line, column, "not UTF-8", "byte 0xe9", "expected UTF-8")


def test_the_column_of_a_bad_byte_counts_characters_as_yaml_positions_do(root):
    # Two two-byte characters before the bad byte: column 12 in characters, 14 in bytes.
    text = agreement().encode("utf-8").replace(b"owner: Owner", "owner: Ünö".encode() + b"\xff")
    write_agreement(root, "svc", text)
    line = position_of(agreement(), "owner:")[0]
    assert_reported(root, "svc/agreement.yaml", line, len("owner: Ünö") + 1, "not UTF-8", "byte 0xff")


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_control_character_is_reported_at_its_line_and_column_in_one_line(root, bom):
    # libyaml counts bytes from the start of the stream: `ä` (two bytes) and a byte order
    # mark before the bell must not shift the column it is reported at.
    text = bom + agreement().replace("title: Test agreement svc\n", "title: Größe ä\x07\n")
    write_agreement(root, "svc", text)
    line, column = position_of(text, "\x07")
    assert_reported(root, "svc/agreement.yaml", line, column, "character U+0007 is a control character", "expected printable text")
    (diagnostic,) = load(root).diagnostics
    assert "\n" not in diagnostic.message


def test_a_20_mb_file_is_refused_within_two_seconds_naming_its_size_and_the_limit(root):
    text = agreement() + "summary: " + "x" * (20 * 1024 * 1024) + "\n"
    write_agreement(root, "svc", text)
    with cpu_seconds_under(2):
        catalog = load(root)
    assert [str(d) for d in catalog.errors] == [
        f"{root}/svc/agreement.yaml:1:1: error: file is 20.0 MB; agreement and results files may be at most 5 MB"
    ]
    with cpu_seconds_under(2 * 3 + 1):  # three runs of the command (load, text, github)
        assert_reported(root, "svc/agreement.yaml", 1, 1, "20.0 MB", "at most 5 MB")


def test_a_20_mb_results_file_is_refused(root):
    results = outages_result("2026-01", []) + "# " + "x" * (20 * 1024 * 1024) + "\n"
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results})
    assert_reported(root, "svc/results/2026-01.yaml", 1, 1, "20.0 MB", "at most 5 MB", cli=False)


@pytest.mark.parametrize(
    "style, nested",
    [
        ("flow sequences", "[" * 10_000 + "]" * 10_000),
        ("flow mappings", "{a: " * 10_000 + "}" * 10_000),
        ("block sequences on one line", "- " * 10_000 + "x"),
    ],
)
def test_a_document_nested_10000_levels_deep_gets_a_clear_error_within_two_seconds(root, style, nested):
    text = agreement() + "summary:\n  " + nested + "\n"
    write_agreement(root, "svc", text)
    with cpu_seconds_under(2):
        catalog = load(root)
    [error] = catalog.errors
    assert error.position.file == str(root / "svc/agreement.yaml")
    # libyaml stops at its depth limit of 1,000: the error names the place it stopped, on the nested line.
    assert error.position.line == position_of(text, nested[:10])[0]
    assert "nested too deeply" in error.message and "expected" in error.message
    with cpu_seconds_under(3):
        done = run_sla("validate", "agreements", cwd=root.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (
        f"agreements/svc/agreement.yaml:{error.position.line}:{error.position.column}: error: invalid YAML: document is nested too deeply"
        in done.stdout
    )


def test_a_document_nested_deeper_than_the_format_but_within_libyaml_is_refused_at_the_first_level_too_deep(root):
    text = agreement() + "summary: " + "[" * 100 + "]" * 100 + "\n"
    write_agreement(root, "svc", text)
    line, column = position_of(text, "[", 1 + 64)  # 64 levels below `summary`'s mapping are allowed
    assert_reported(root, "svc/agreement.yaml", line, column, "nested more than 64 levels deep")


def test_a_key_with_no_value_means_absent_not_empty_text(root):
    text = agreement(extra="summary:\nchanges: ~\n")
    results = outages_result("2026-01", []).replace("charges: 1000", "charges: null")
    write_agreement(root, "svc", text, {"2026-01.yaml": results})
    catalog = load(root)
    assert catalog.errors == []
    [record] = catalog.agreements
    assert record.versions[0].terms.summary is None and record.versions[0].terms.changes is None
    assert record.results[0].results.charges is None


# ---------------------------------------------------------------- keys and types


def test_an_unknown_top_level_key_suggests_the_closest_key(root):
    text = agreement().replace("owner: Owner\n", "ownr: Owner\n")
    assert_reported_in_agreement(root, text, "ownr", "unknown key `ownr`", "did you mean `owner`?", "expected one of:")


def test_an_unknown_key_in_a_metric_suggests_the_closest_key(root):
    text = agreement().replace("    objective: 99.9\n", "    objectve: 99.9\n")
    assert_reported_in_agreement(root, text, "objectve", "unknown key `objectve` in metrics[0]", "did you mean `objective`?")


def test_an_unknown_key_in_a_credit_tier_is_reported_at_that_key(root):
    text = agreement().replace("          credit: 25\n", "          credit: 25\n          credt: 25\n")
    assert_reported_in_agreement(root, text, "credt", "unknown key `credt` in metrics[0].credits.tiers[1]", "did you mean `credit`?")


def test_an_unknown_key_in_a_results_file_suggests_the_closest_key(root):
    results = outages_result("2026-01", []).replace("charges:", "charge:")
    assert_reported_in_results(root, agreement(), "2026-01.yaml", results, "charge:", "unknown key `charge`", "did you mean `charges`?")


@pytest.mark.parametrize(
    "old, new, needle, words",
    [
        ("    objective: 99.9\n", "    objective: high\n", "high\n", ("metrics[0].objective", "`high` is not valid", "valid decimal")),
        ("  name: The service\n", "  name: [a, b]\n", "[a, b]", ("service.name", "valid string")),
        ("metrics:\n", "exclusions: {a: b}\nmetrics:\n", "{a: b}", ("exclusions", "valid list")),
        (
            "effective: 2026-01-01\n",
            "effective: 2026-01-01\nnotice_days: 1.5\n",
            "1.5",
            ("notice_days", "`1.5` is not valid", "valid integer"),
        ),
        ("    better: higher\n", "    better: more\n", "more", ("metrics[0].better", "`more` is not valid", "'higher' or 'lower'")),
    ],
)
def test_a_value_of_the_wrong_type_is_reported_at_the_value_saying_what_was_expected(root, old, new, needle, words):
    text = agreement().replace(old, new, 1)
    assert text != agreement()
    write_agreement(root, "svc", text)
    assert_reported(root, "svc/agreement.yaml", *position_of(text, needle), *words)


def test_an_unknown_measure_kind_is_reported_at_the_value_suggesting_the_closest(root):
    text = agreement().replace("      kind: downtime\n", "      kind: downtim\n")
    assert_reported_in_agreement(
        root,
        text,
        "downtim\n",
        "metrics[0].measure.kind: unknown measure `downtim`; did you mean `downtime`?",
        "expected one of: `value`, `count`, `average`, `downtime`, `intervals`, `events`",
    )
    assert "Input tag" not in str(load(root).diagnostics)


def test_an_unknown_credit_model_is_reported_at_the_value_suggesting_the_closest(root):
    text = agreement().replace("      model: tiers\n", "      model: tier\n")
    assert_reported_in_agreement(
        root,
        text,
        "tier\n",
        "metrics[0].credits.model: unknown credit model `tier`; did you mean `tiers`?",
        "expected one of: `tiers`, `linear`, `pool`",
    )


def test_a_measure_without_a_kind_is_reported_as_a_missing_kind(root):
    text = agreement().replace("      kind: downtime\n", "      minimum_outage_minutes: 1\n")
    assert_reported_in_agreement(
        root, text, "minimum_outage_minutes", "missing key `kind` in metrics[0].measure", "expected one of: `value`"
    )


def test_a_wrong_type_inside_a_credit_tier_is_reported_at_the_value(root):
    text = agreement().replace("          credit: 25\n", "          credit: lots\n")
    assert_reported_in_agreement(root, text, "lots", "metrics[0].credits.tiers[1].credit", "`lots` is not valid", "valid decimal")


def test_a_missing_key_names_the_key_and_what_it_holds(root):
    text = agreement().replace("          credit: 25\n", "")
    write_agreement(root, "svc", text)
    tier = position_of(text, "below: 99.0")  # the tier without a credit
    assert_reported(
        root, "svc/agreement.yaml", *tier, "missing key `credit`", "metrics[0].credits.tiers[1]", "expected credit as a percentage"
    )


def test_a_results_metric_id_that_is_not_a_slug_is_reported_at_the_key(root):
    results = 'period: "2026-01"\nmetrics:\n  Up_Time:\n    outages: []\n'
    assert_reported_in_results(root, agreement(), "2026-01.yaml", results, "Up_Time", "metrics: `Up_Time` is not a slug")


def test_an_empty_responsibilities_key_is_reported_at_the_key(root):
    text = agreement(extra='responsibilities:\n  "": [Keep the lights on.]\n')
    assert_reported_in_agreement(root, text, '""', "responsibilities: a key is empty")


# ---------------------------------------------------------------- ranges


def test_an_objective_above_100_for_a_downtime_metric_is_reported_at_the_objective(root):
    text = agreement().replace("    objective: 99.9\n", "    objective: 100.5\n")
    assert_reported_in_agreement(root, text, "100.5", "objective of a `downtime` metric is a percentage", "expected 0 to 100", "100.5")


def test_an_objective_above_100_for_a_value_metric_in_percent_is_reported_at_the_objective(root):
    # A `value` metric in % is a percentage like a downtime metric: its results are checked to
    # lie in 0..100, so an objective of 100.5 could never be met.
    text = agreement(metrics=PERCENT_VALUE_METRIC.replace("objective: 99.5", "objective: 100.5"))
    assert_reported_in_agreement(root, text, "100.5", "objective of a metric in `%` is a percentage", "expected 0 to 100", "100.5")


def test_an_objective_above_100_for_a_value_metric_in_another_unit_is_accepted(root):
    write_agreement(
        root, "svc", agreement(metrics=PERCENT_VALUE_METRIC.replace('unit: "%"', "unit: ms").replace("objective: 99.5", "objective: 250"))
    )
    assert load(root).diagnostics == ()


def test_a_tier_credit_of_150_percent_is_reported_at_the_credit(root):
    text = agreement().replace("          credit: 25\n", "          credit: 150\n")
    assert_reported_in_agreement(root, text, "150", "metrics[0].credits.tiers[1].credit", "`150` is not valid", "less than or equal to 100")


def test_a_value_result_above_100_for_a_percent_metric_is_reported_at_the_value(root):
    results = value_result("2026-01", {"availability": "100.01"})
    assert_reported_in_results(
        root, agreement(metrics=PERCENT_VALUE_METRIC), "2026-01.yaml", results, "100.01", "100.01 is not a percentage", "expected 0 to 100"
    )


def test_a_value_result_of_exactly_100_percent_is_accepted(root):
    write_agreement(
        root, "svc", agreement(metrics=PERCENT_VALUE_METRIC), {"2026-01.yaml": value_result("2026-01", {"availability": "100"})}
    )
    assert load(root).errors == []


def test_a_negative_count_is_reported_at_the_count(root):
    results = value_result("2026-01", {"leads": "-3"}, key="count")
    assert_reported_in_results(
        root,
        agreement(metrics=COUNT_METRIC, credit_terms=""),
        "2026-01.yaml",
        results,
        "-3",
        "metrics.leads.count",
        "`-3` is not valid",
        "greater than or equal to 0",
    )


def test_good_events_above_the_total_are_reported(root):
    metric = PERCENT_VALUE_METRIC.replace("kind: value", "kind: events")
    results = 'period: "2026-01"\nmetrics:\n  availability:\n    good: 11\n    total: 10\n'
    write_agreement(root, "svc", agreement(metrics=metric), {"2026-01.yaml": results})
    catalog = load(root)
    assert any("`good` (11) cannot exceed `total` (10)" in d.message for d in catalog.errors)


# ---------------------------------------------------------------- dates and periods


def test_an_invalid_date_is_reported_at_the_date(root):
    text = agreement(effective="2026-02-30")
    assert_reported_in_agreement(root, text, "2026-02-30", "effective", "`2026-02-30` is not valid", "valid date")


def test_an_invalid_outage_time_is_reported_at_the_time(root):
    results = outages_result("2026-01", [("2026-01-32T10:00:00Z", "2026-01-05T11:00:00Z")])
    assert_reported_in_results(
        root, agreement(), "2026-01.yaml", results, "2026-01-32", "metrics.uptime.outages[0].start", "valid datetime"
    )


@pytest.mark.parametrize("period, head", [("2026-13", ""), ("2026-Q5", "period: quarter\n"), ("2026-00", "")])
def test_an_invalid_period_is_reported_at_the_period(root, period, head):
    results = outages_result(period, [])
    write_agreement(root, "svc", agreement(head=head), {f"{period}.yaml": results})
    assert_reported(
        root,
        "svc/results/" + f"{period}.yaml",
        *position_of(results, f'"{period}"'),
        f"`{period}` is not a period",
        "expected a month `YYYY-MM` (01 to 12) or a quarter `YYYY-Qn` (1 to 4)",
    )


def test_a_period_that_differs_from_its_file_name_is_reported(root):
    results = outages_result("2026-02", [])
    assert_reported_in_results(
        root, agreement(), "2026-01.yaml", results, '"2026-02"', "differs from the file name `2026-01.yaml`", "expected `2026-02.yaml`"
    )


def test_a_quarter_result_for_a_monthly_agreement_is_reported(root):
    results = outages_result("2026-Q1", [])
    assert_reported_in_results(
        root,
        agreement(),
        "2026-Q1.yaml",
        results,
        '"2026-Q1"',
        "is a quarter, but this agreement is measured per month",
        "expected `YYYY-MM`",
    )


# ---------------------------------------------------------------- identity


def test_an_id_that_is_not_a_slug_is_reported_at_the_id(root):
    text = agreement("Compute_EU")
    assert_reported_in_agreement(
        root, text, "Compute_EU", "`Compute_EU` is not a slug", "expected lower-case letters, digits and hyphens", agreement_id="Compute_EU"
    )


def test_an_id_that_differs_from_its_folder_is_reported_at_the_id(root):
    text = agreement("compute-us")
    assert_reported_in_agreement(
        root, text, "compute-us", "id `compute-us` differs from its folder `compute-eu`", "expected `compute-eu`", agreement_id="compute-eu"
    )


# ---------------------------------------------------------------- tiers


def test_overlapping_tiers_are_an_error_at_the_later_tier_naming_both_and_the_overlap(root):
    text = agreement().replace("        - below: 99.0\n", "        - below: 99.5\n")
    assert_reported_in_agreement(
        root,
        text,
        "below: 99.5",
        "tier 2 (below 99.5%) overlaps tier 1 (below 99.9% and at least 99.0%)",
        "at least 99% and below 99.5%",
        "expected tiers that do not overlap",
    )


def test_tiers_sharing_only_an_inclusive_bound_overlap_at_that_value(root):
    text = agreement().replace("        - below: 99.0\n", "        - at_or_below: 99.0\n")
    assert_reported_in_agreement(root, text, "at_or_below: 99.0", "overlaps tier 1", "exactly 99%")


GITHUB_TIERS = agreement(
    metrics=DOWNTIME_METRIC.replace(
        """\
        - below: 99.9
          at_or_above: 99.0
          credit: 10
        - below: 99.0
          credit: 25
""",
        """\
        - at_or_below: 99.9
          above: 99.0
          credit: 10
        - below: 99.0
          credit: 25
""",
    ).replace("    objective: 99.9\n", "    objective: 99.9\n    objective_strict: true\n")
)


def test_a_gap_of_exactly_one_value_between_tiers_is_a_warning_naming_that_value(root):
    # GitHub Enterprise: ≤99.9 & >99.0 → 10%, <99.0 → 25%; exactly 99.0% is in no tier.
    write_agreement(root, "svc", GITHUB_TIERS)
    assert_reported(
        root,
        "svc/agreement.yaml",
        *position_of(GITHUB_TIERS, "at_or_below: 99.9"),
        "an attainment of exactly 99%",
        "misses the objective but falls in no credit tier",
        severity="warning",
    )
    assert load(root).errors == []


def test_a_gap_range_between_tiers_is_a_warning_naming_the_range(root):
    metric = DOWNTIME_METRIC.replace(
        """\
        - below: 99.0
          credit: 25
""",
        """\
        - below: 99.0
          at_or_above: 95.5
          credit: 25
        - below: 95.0
          credit: 100
""",
    )
    text = agreement(metrics=metric)
    assert_reported_in_agreement(
        root, text, "below: 99.9", "an attainment at least 95% and below 95.5%", "falls in no credit tier", severity="warning"
    )


def test_tiers_that_cover_every_miss_give_no_warning(root):
    write_agreement(root, "svc", agreement())
    assert load(root).diagnostics == ()


# ---------------------------------------------------------------- results against terms


def test_a_result_for_an_unknown_metric_is_reported_at_its_key_with_a_suggestion(root):
    results = outages_result("2026-01", [], metric="uptme")
    assert_reported_in_results(
        root, agreement(), "2026-01.yaml", results, "uptme", "unknown metric `uptme`", "did you mean `uptime`?", "expected one of: `uptime`"
    )


def test_two_results_for_one_period_are_an_error_at_the_second_file(root):
    results = outages_result("2026-01", [])
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results, "2026-01.yml": results})
    catalog = load(root)
    assert_reported(
        root,
        "svc/results/2026-01.yml",
        *position_of(results, '"2026-01"'),
        "a second result for period 2026-01",
        "2026-01.yaml",
        "expected one results file per period",
    )
    assert len(catalog.errors) == 1


def test_a_result_for_a_period_before_the_agreement_took_effect_is_reported(root):
    results = outages_result("2026-01", [])
    assert_reported_in_results(
        root,
        agreement(effective="2026-02-01"),
        "2026-01.yaml",
        results,
        '"2026-01"',
        "period 2026-01 ends before the agreement took effect (2026-02-01",
        "expected periods from 2026-02 on",
    )


def test_a_result_for_the_partial_first_period_is_accepted(root):
    write_agreement(root, "svc", agreement(effective="2026-01-15"), {"2026-01.yaml": outages_result("2026-01", [])})
    assert load(root).errors == []


def test_an_outage_that_ends_before_it_starts_is_reported_at_its_end(root):
    results = outages_result("2026-01", [("2026-01-05T10:00:00Z", "2026-01-05T09:59:00Z")])
    assert_reported_in_results(
        root,
        agreement(),
        "2026-01.yaml",
        results,
        "2026-01-05T09:59:00Z",
        "outage ends",
        "before it starts",
        "expected an end after the start",
    )


def test_an_outage_outside_its_period_is_reported(root):
    results = outages_result("2026-01", [("2026-02-05T10:00:00Z", "2026-02-05T11:00:00Z")])
    assert_reported_in_results(root, agreement(), "2026-01.yaml", results, "2026-02-05T10:00:00Z", "lies outside period 2026-01")


def test_a_result_key_that_does_not_fit_the_measure_is_reported(root):
    results = 'period: "2026-01"\nmetrics:\n  uptime:\n    outages: []\n    good: 5\n'
    assert_reported_in_results(
        root,
        agreement(),
        "2026-01.yaml",
        results,
        "good",
        "`good` does not apply to metric `uptime`, measured by `downtime`",
        "expected `outages`",
    )


# ---------------------------------------------------------------- the whole tree


def test_every_broken_agreement_of_a_tree_is_reported_in_one_run(root):
    duplicate = agreement("alpha").replace("owner: Owner\n", "owner: Owner\nowner: Again\n")
    unknown = agreement("bravo").replace("title:", "titel:")
    bad_result = outages_result("2026-01", [("2026-01-05T10:00:00Z", "2026-01-05T09:00:00Z")])
    write_agreement(root, "alpha", duplicate)
    write_agreement(root, "bravo", unknown)
    write_agreement(root, "charlie", agreement("charlie"), {"2026-01.yaml": bad_result})
    write_agreement(root, "delta", agreement("delta"))  # valid
    expected = [
        f"agreements/alpha/agreement.yaml:{':'.join(map(str, position_of(duplicate, 'owner:', 2)))}: error: duplicate key `owner`",
        f"agreements/bravo/agreement.yaml:{':'.join(map(str, position_of(unknown, 'titel')))}: error: unknown key `titel`",
        f"agreements/charlie/results/2026-01.yaml:{':'.join(map(str, position_of(bad_result, '2026-01-05T09:00:00Z')))}: error: outage ends",
    ]
    done = run_sla("validate", "agreements", cwd=root.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    for prefix in expected:
        assert any(line.startswith(prefix) for line in done.stdout.splitlines()), (prefix, done.stdout)
    assert "1 valid agreement(s)" in done.stderr
    catalog = load(root)
    assert [a.id for a in catalog.agreements] == ["delta"]
    assert {d.position.file.split("/")[-3 if "results" in d.position.file else -2] for d in catalog.errors} == {"alpha", "bravo", "charlie"}


def test_several_errors_in_one_file_are_all_reported(root):
    text = agreement().replace("owner: Owner\n", "ownr: Owner\n").replace("          credit: 25\n", "          credit: 150\n")
    assert_reported_in_agreement(root, text, "ownr", "unknown key `ownr`", cli=False)
    assert_reported(root, "svc/agreement.yaml", *position_of(text, "150"), "less than or equal to 100")


def test_an_agreement_folder_without_agreement_yaml_is_reported(root):
    (root / "svc").mkdir()
    (root / "svc" / "agreement.yml").write_text(agreement(), encoding="utf-8")
    assert_reported(root, "svc", 1, 1, "missing agreement.yaml", "found agreement.yml")


def test_a_missing_agreements_folder_is_an_error_not_a_traceback(tmp_path):
    done = run_sla("validate", "nowhere", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith("nowhere:1:1: error: no agreements folder here")


def test_credits_on_an_invalid_tree_lists_the_errors_and_exits_1(root):
    text = agreement().replace("owner: Owner\n", "owner: Owner\nowner: Again\n")
    write_agreement(root, "svc", text)
    done = run_sla("credits", "agreements", "--format", "json", cwd=root.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert "agreements/svc/agreement.yaml:8:1: error: duplicate key `owner`" in done.stderr


# ---------------------------------------------------------------- numbers too large to compute with


@pytest.mark.parametrize("text", ["1e999999999", "1e-999999999", "1" + "0" * 5000])
def test_a_number_too_large_or_too_precise_to_compute_with_is_refused_within_two_seconds(root, text):
    results = outages_result("2026-01", [("2026-01-02T00:00:00Z", "2026-01-02T01:00:00Z")], charges=text)
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results})
    with cpu_seconds_under(2 * 3 + 1):  # load() plus two runs of the command
        assert_reported(root, "svc/results/2026-01.yaml", *position_of(results, text), "charges", "digits")


def test_an_objective_written_with_an_exponent_within_reason_is_accepted(root):
    write_agreement(root, "svc", agreement().replace("    objective: 99.9\n", "    objective: 9.99e1\n"))
    catalog = load(root)
    assert catalog.errors == [] and catalog.agreements[0].versions[0].terms.metrics[0].objective == Decimal("99.9")


def test_credits_for_the_largest_accepted_charges_print_without_a_traceback(root):
    charges = "9" * 15 + "." + "9" * 10
    results = outages_result("2026-01", [("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z")], charges=charges)
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results})
    for fmt in ("json", "csv", "table"):
        done = run_sla("credits", "agreements", "--format", fmt, cwd=root.parent)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_an_interval_longer_than_a_day_is_refused_not_divided_by_zero(root):
    metric = metric_text(
        "availability",
        name="Availability",
        definition="Error rate over intervals.",
        measure="kind: intervals\ninterval_minutes: 50000\n",
        credits=None,
    )
    text = agreement(metrics=metric, credit_terms="")
    results = 'period: "2026-01"\nmetrics:\n  availability:\n    intervals: e.csv\n'
    write_agreement(root, "svc", text, {"2026-01.yaml": results, "e.csv": "start,requests,errors\n"})
    assert_reported(root, "svc/agreement.yaml", *position_of(text, "50000"), "interval_minutes", "1440")
    done = run_sla("credits", "agreements", cwd=root.parent)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "remedy",
    [
        "remedies:\n  chronic:\n    misses: 2\n    within: 1000000000000\n",
        "remedies:\n  escalation:\n    - misses: 2\n      within: 1000000000000\n      action: a meeting\n",
        "remedies:\n  earn_back:\n    met_periods: 1000000000000\n",
        "remedies:\n  rolling_average:\n    metric: uptime\n    periods: 1000000000000\n    below: 99\n",
    ],
)
def test_a_window_of_a_trillion_periods_is_evaluated_within_two_seconds(root, remedy):
    results = {
        f"2026-{m:02d}.yaml": outages_result(f"2026-{m:02d}", [(f"2026-{m:02d}-02T00:00:00Z", f"2026-{m:02d}-03T00:00:00Z")])
        for m in (1, 2, 3)
    }
    write_agreement(root, "svc", agreement(extra=remedy), results)
    with cpu_seconds_under(3):
        done = run_sla("credits", "agreements", "--format", "json", cwd=root.parent, timeout=30)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


# ---------------------------------------------------------------- more structure


def test_a_metric_id_used_twice_is_reported_at_the_second(root):
    text = agreement(metrics=DOWNTIME_METRIC + DOWNTIME_METRIC)
    write_agreement(root, "svc", text)
    assert_reported(
        root, "svc/agreement.yaml", *position_of(text, "id: uptime", 2, offset=4), "metric id `uptime` is used twice", "expected unique ids"
    )


def test_chronic_failure_with_more_misses_than_periods_is_reported(root):
    text = agreement(extra="remedies:\n  chronic:\n    misses: 5\n    within: 3\n")
    assert_reported_in_agreement(root, text, "misses: 5", "5 misses cannot happen within 3 periods", "expected misses <= within", offset=8)


def test_a_rolling_average_of_an_unknown_metric_suggests_the_known_one(root):
    text = agreement(extra="remedies:\n  rolling_average:\n    metric: uptme\n    periods: 3\n    below: 97\n")
    assert_reported_in_agreement(root, text, "uptme", "unknown metric `uptme`", "did you mean `uptime`?")


def test_a_yaml_syntax_error_is_reported_where_the_parser_stopped(root):
    text = agreement().replace("owner: Owner", "owner: [Owner")
    write_agreement(root, "svc", text)
    assert_reported(root, "svc/agreement.yaml", position_of(text, "service:")[0], 8, "invalid YAML", "expected ',' or ']'")


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!secret"])
def test_a_yaml_tag_is_refused(root, tag):
    text = agreement().replace("owner: Owner", f"owner: {tag} echo")
    write_agreement(root, "svc", text)
    assert_reported(root, "svc/agreement.yaml", *position_of(text, tag), "YAML tag", "is not allowed; expected a plain value")


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "the file holds no agreement"),
        ("# only a comment\n", "the file holds no agreement"),
        ("- a\n- b\n", "expected a mapping of keys to values at the top of the document, found a list"),
    ],
)
def test_an_agreement_file_without_an_agreement_is_reported_at_its_start(root, text, words):
    write_agreement(root, "svc", text)
    assert_reported(root, "svc/agreement.yaml", 1, 1, words)


@pytest.mark.parametrize(
    ("first", "second", "words"),
    [
        pytest.param(
            ("2.0", "2026-03-01"),
            ("1.0", "2026-01-01"),
            ("version `1.0` takes effect 2026-01-01, before the version above it", "expected versions oldest first"),
            id="versions out of date order are reported at the later document",
        ),
        pytest.param(
            ("1.0", "2026-01-01"),
            ("1.0", "2026-03-01"),
            ("version `1.0` appears twice", "each version needs its own label"),
            id="two versions with one label are reported",
        ),
        pytest.param(
            ("1.0", "2026-01-01"),
            ("1.1", "2026-01-01"),
            ("versions `1.0` and `1.1` take effect on the same day 2026-01-01", "expected distinct dates"),
            id="two versions taking effect on one day are reported",
        ),
        # Labels compare as numbers part by part: 1.10 is after 1.9, so 1.9 after 1.10 is out of order.
        pytest.param(
            ("1.10", "2026-01-01"),
            ("1.9", "2026-03-01"),
            ("version `1.9` takes effect after `1.10` but its label is lower", "expected labels that increase with the effective date"),
            id="a later version with a lower label is reported",
        ),
    ],
)
def test_a_second_version_at_odds_with_the_first_is_reported_at_its_start(root, first, second, words):
    text = agreement(version=first[0], effective=first[1]) + "---\n" + agreement(version=second[0], effective=second[1])
    write_agreement(root, "svc", text)
    line = text.count("\n", 0, text.index("---")) + 2
    assert_reported(root, "svc/agreement.yaml", line, 1, *words)


def test_an_unknown_time_zone_is_reported_at_the_zone(root):
    text = agreement(head="timezone: Mars/Olympus\n")
    assert_reported_in_agreement(root, text, "Mars/Olympus", "unknown time zone 'Mars/Olympus'", "expected an IANA name")


def test_a_tier_with_two_lower_bounds_is_reported_at_the_tier(root):
    text = agreement().replace("          at_or_above: 99.0\n", "          at_or_above: 99.0\n          above: 98.0\n")
    assert_reported_in_agreement(
        root, text, "below: 99.9", "metrics[0].credits.tiers[0]", "a tier takes one lower bound: `above` or `at_or_above`, not both"
    )


@pytest.mark.parametrize(
    "deadline, value, bound",
    [
        ("days_after_period", "3000000", "366"),
        ("days_after_period", "367", "366"),
        ("billing_cycles_after", "12000", "24"),
        ("billing_cycles_after", "25", "24"),
    ],
)
def test_a_claim_deadline_beyond_a_year_or_24_billing_cycles_is_reported_at_the_value(root, deadline, value, bound):
    # 3,000,000 days after the period used to pass validation, then crash `sla credits` (past year 9999).
    text = agreement(credit_terms=f"credit_terms:\n  base: x\n  claim:\n    how: x\n    deadline:\n      {deadline}: {value}\n")
    write_agreement(root, "svc", text, {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z")])})
    assert_reported(
        root,
        "svc/agreement.yaml",
        *position_of(text, f"{deadline}: {value}", offset=len(deadline) + 2),
        f"credit_terms.claim.deadline.{deadline}",
        f"`{value}` is not valid",
        f"less than or equal to {bound}",
    )
    assert "Traceback" not in run_sla("credits", root.name, cwd=root.parent).stderr


def test_a_claim_deadline_with_both_forms_is_reported(root):
    text = agreement(
        credit_terms="credit_terms:\n  base: x\n  claim:\n    how: x\n    deadline:\n      days_after_period: 3\n      billing_cycles_after: 2\n"
    )
    assert_reported_in_agreement(root, text, "days_after_period", "exactly one of `days_after_period` or `billing_cycles_after`")


def test_a_pool_minimum_stricter_than_the_objective_is_reported_at_the_minimum(root):
    metric = (
        DOWNTIME_METRIC[: DOWNTIME_METRIC.index("      model: tiers")] + "      model: pool\n      allocation: 50\n      minimum: 99.95\n"
    )
    text = agreement(metrics=metric, credit_terms="credit_terms:\n  base: x\n  pool:\n    at_risk: 10\n")
    assert_reported_in_agreement(root, text, "99.95", "the minimum service level 99.95 is stricter than the expected level")


def test_a_stray_yaml_file_beside_the_agreement_folders_is_reported(root):
    write_agreement(root, "svc", agreement())
    (root / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    assert_reported(root, "notes.yaml", 1, 1, "agreement files belong in a folder named by the agreement id")


def test_a_stray_yaml_file_named_from_inside_the_folder_names_the_folder(root):
    # `sla validate .` used to print "expected /<id>/agreement.yaml": Path(".").name is empty.
    write_agreement(root, "svc", agreement())
    (root / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    done = run_sla("validate", ".", cwd=root)
    assert (
        "notes.yaml:1:1: error: agreement files belong in a folder named by the agreement id: expected agreements/<id>/agreement.yaml"
        in done.stdout
    )


@pytest.mark.parametrize("folder", ["ä", "Svc"])
def test_a_folder_whose_name_is_not_a_valid_id_is_reported_as_such(root, folder):
    text = agreement("svc")
    write_agreement(root, folder, text)
    assert_reported(
        root,
        f"{folder}/agreement.yaml",
        *position_of(text, "svc"),
        f"id `svc` differs from its folder `{folder}`, and the folder name is not a valid id",
        "expected the folder named `svc`",
    )


def test_an_unexpected_file_in_results_is_reported(root):
    write_agreement(root, "svc", agreement(), {"notes.txt": "hello"})
    assert_reported(root, "svc/results/notes.txt", 1, 1, "unexpected file in results/")


def test_a_results_file_with_two_documents_is_reported(root):
    results = outages_result("2026-01", [])
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results + "---\n" + results})
    assert_reported(root, "svc/results/2026-01.yaml", 1, 1, "a results file holds one YAML document; found 2")


# ---------------------------------------------------------------- what is not a file


def test_a_folder_named_like_a_results_file_is_reported_as_a_folder(root):
    # It crashed with IsADirectoryError.
    write_agreement(root, "svc", agreement(), {"2026-02.yaml": outages_result("2026-02", [])})
    (root / "svc" / "results" / "2026-01.yaml").mkdir()
    assert_reported(root, "svc/results/2026-01.yaml", 1, 1, "`2026-01.yaml` is a folder, not a file", "expected a regular file")


def test_a_named_pipe_in_results_is_refused_without_reading_it(root):
    # Opening a FIFO for reading blocks until a writer comes: `sla validate` hung forever.
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", [])})
    os.mkfifo(root / "svc" / "results" / "2026-02.yaml")
    done = run_sla("validate", root.name, cwd=root.parent, timeout=30)
    assert done.returncode == 1
    assert (
        f"{root.name}/svc/results/2026-02.yaml:1:1: error: `2026-02.yaml` is a named pipe (FIFO), not a file; expected a regular file"
        in done.stdout
    )


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_file_name_that_is_not_utf8_is_written_as_its_byte(root, fmt):
    # A lone surrogate (Python's stand-in for the byte 0xff) made a strict UTF-8 output raise
    # UnicodeEncodeError: a traceback instead of the error about the stray file.
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", [])})
    (root / "svc" / "results" / os.fsdecode(b"odd\xff.txt")).write_text("x")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    done = subprocess.run(
        [*SLA, "validate", "--format", fmt, root.name], cwd=root.parent, capture_output=True, text=True, env=env, timeout=60
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    assert f"{root.name}/svc/results/odd\\xff.txt" in done.stdout, done.stdout


def test_an_interval_csv_that_is_a_folder_is_reported_as_a_folder(root):
    metric = DOWNTIME_METRIC.replace("kind: downtime", "kind: intervals")
    write_agreement(
        root, "svc", agreement(metrics=metric), {"2026-01.yaml": 'period: "2026-01"\nmetrics:\n  uptime:\n    intervals: e.csv\n'}
    )
    (root / "svc" / "results" / "e.csv").mkdir()
    assert_reported(root, "svc/results/e.csv", 1, 1, "`e.csv` is a folder, not a file")


def test_an_agreement_yaml_that_is_a_folder_says_so_not_that_it_is_missing(root):
    (root / "svc" / "agreement.yaml").mkdir(parents=True)
    assert_reported(root, "svc/agreement.yaml", 1, 1, "`agreement.yaml` is a folder, not a file")
    assert "missing" not in "\n".join(str(d) for d in load(root).diagnostics)


def test_an_agreement_yaml_that_links_to_nothing_says_so(root):
    (root / "svc").mkdir()
    (root / "svc" / "agreement.yaml").symlink_to("terms.yaml")
    assert_reported(root, "svc/agreement.yaml", 1, 1, "`agreement.yaml` is a symbolic link to `terms.yaml`, which does not exist")


def test_a_results_that_is_a_file_is_reported_not_ignored(root):
    write_agreement(root, "svc", agreement())
    (root / "svc" / "results").write_text("2026-01: 99.9\n", encoding="utf-8")
    assert_reported(root, "svc/results", 1, 1, "`results` is a file, not a folder", "expected a folder of <period>.yaml files")


def test_a_byte_order_mark_and_crlf_line_ends_are_read_as_plain_yaml(root):
    write_agreement(
        root, "svc", ("\ufeff" + agreement()).replace("\n", "\r\n"), {"2026-01.yaml": outages_result("2026-01", []).replace("\n", "\r\n")}
    )
    catalog = load(root)
    assert catalog.errors == [] and len(catalog.agreements[0].results) == 1


@pytest.mark.parametrize(
    "better, tier",
    [
        ("higher", "        - below: 99\n          at_or_above: 0\n          credit: 100\n"),
        ("lower", "        - above: 99\n          at_or_below: 100\n          credit: 100\n"),
    ],
)
def test_tiers_reaching_0_or_100_percent_of_a_reported_percentage_leave_no_gap(root, better, tier):
    # A `value` metric in % is checked to lie in 0..100, so nothing below 0% or above 100% can fall in a gap.
    metric = PERCENT_VALUE_METRIC.replace("better: higher", f"better: {better}").replace("objective: 99.5", "objective: 99")
    write_agreement(root, "svc", agreement(metrics=metric + "    credits:\n      model: tiers\n      tiers:\n" + tier))
    assert load(root).diagnostics == ()


def test_a_gap_below_a_reported_percentage_tier_is_still_reported(root):
    metric = PERCENT_VALUE_METRIC.replace("objective: 99.5", "objective: 99")
    text = agreement(
        metrics=metric
        + "    credits:\n      model: tiers\n      tiers:\n        - below: 99\n          at_or_above: 50\n          credit: 100\n"
    )
    assert_reported_in_agreement(root, text, "below: 99", "an attainment at least 0% and below 50%", severity="warning", cli=False)


# ---------------------------------------------------------------- the ends of the calendar


def test_dates_at_the_end_of_the_calendar_are_refused_not_a_traceback(root):
    # The period after 9999-12 does not exist in Python's calendar: validation must not compute it.
    text = agreement(effective="9999-01-01")
    write_agreement(root.parent / "far", "svc", text)
    assert_reported(root.parent / "far", "svc/agreement.yaml", *position_of(text, "9999-01-01"), "effective", "2999-12-31")
    results = outages_result("9999-12", [])
    assert_reported_in_results(root, agreement(), "9999-12.yaml", results, '"9999-12"', "`9999-12` is not a period", "1900 to 2999")


def test_period_year_zero_is_refused(root):
    results = outages_result("0000-01", [])
    assert_reported_in_results(root, agreement(), "0000-01.yaml", results, '"0000-01"', "`0000-01` is not a period")


def test_an_outage_ending_at_the_end_of_the_calendar_is_refused_not_a_traceback(root):
    results = outages_result("2026-01", [("2026-01-05T00:00:00Z", "9999-12-31T23:00:00-05:00")])
    assert_reported_in_results(root, agreement(), "2026-01.yaml", results, "9999-12-31", "outages[0].end", "1900 to 2999")
    done = run_sla("credits", "agreements", cwd=root.parent)
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_a_review_cycle_of_a_million_months_is_refused(root):
    text = agreement(extra="review:\n  every_months: 1000000\n  last: 2026-01-01\n")
    assert_reported_in_agreement(root, text, "1000000", "review.every_months", "less than or equal to 120")


def test_a_tab_used_for_indentation_is_named_in_the_error(tmp_path):
    from mkdocs_sla.core.diagnostics import Diagnostics
    from mkdocs_sla.source.yamlsource import parse

    diagnostics = Diagnostics()
    assert parse("title: x\nservice:\n\tname: y\n", "agreement.yaml", diagnostics) == []
    [error] = diagnostics.errors
    assert str(error.position) == "agreement.yaml:3:1"
    assert "indented with spaces, not tabs" in error.message


def test_message_paths_are_relative_inside_the_working_directory_and_as_given_outside(tmp_path, monkeypatch):
    """`display_path`, the one way every message names a file (what editors and CI jump to)."""
    from mkdocs_sla.source.yamlsource import display_path

    inside = tmp_path / "project"
    (inside / "agreements" / "a").mkdir(parents=True)
    monkeypatch.chdir(inside)
    assert display_path(inside / "agreements" / "a" / "agreement.yaml") == os.path.join("agreements", "a", "agreement.yaml")
    assert display_path("agreements/./a/agreement.yaml") == os.path.join("agreements", "a", "agreement.yaml")
    assert display_path(inside) == "."
    outside = tmp_path / "elsewhere" / "agreement.yaml"
    assert display_path(outside) == str(outside)
    assert display_path(os.path.join("..", "project", "agreements")) == "agreements"
    assert display_path(os.path.join("..", "elsewhere", "agreement.yaml")) == os.path.join("..", "elsewhere", "agreement.yaml")


@pytest.mark.parametrize(
    "line, replacement, needle",
    [
        ('    unit: "%"\n', '    unit: "ms\\n\\n# Injected { onmouseover=alert(1) }"\n', "unit:"),
        ('version: "1.0"\n', 'version: "1\\n\\n# X {onclick=alert(1)}"\n', "version:"),
        ('    unit: "%"\n', '    unit: "%\\u001b[31m"\n', "unit:"),
    ],
)
def test_a_unit_or_version_label_is_one_line(root, line, replacement, needle):
    """Labels shown in headings, tables and charts take no line break nor control character:
    one would let the text start a line of Markdown on the page."""
    text = agreement().replace(line, replacement, 1)
    assert replacement in text
    assert_reported_in_agreement(
        root, text, needle, "holds a line break or control character; expected one line of text", offset=len(needle) + 1
    )


def test_every_escape_into_a_page_keeps_text_on_one_line():
    from mkdocs_sla.present.markup import escape_line

    assert escape_line('a\n\n# b {onclick="x"}\r\nc\u2028d') == "a  # b {onclick=&quot;x&quot;} c d"
    assert escape_line("<plain & 'quoted'>") == "&lt;plain &amp; &#x27;quoted&#x27;&gt;"


def test_a_label_may_hold_any_printed_text_of_one_line(root):
    # A no-break space pasted from a contract, a narrow one between digits, `µs`: one line, accepted.
    text = agreement().replace('    unit: "%"\n', '    unit: "1\\u202f000\\u00a0µs"\n', 1)
    write_agreement(root, "svc", text)
    catalog = load(root)
    assert not catalog.errors, [str(d) for d in catalog.diagnostics]
    assert catalog.agreements[0].versions[0].terms.metrics[0].unit == "1\u202f000\u00a0µs"
