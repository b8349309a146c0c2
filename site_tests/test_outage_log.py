"""The outage log: one entry per outage, split by the engine at period boundaries; duplicates and overlaps are errors."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest
from site_tests.core_helpers import (
    DOWNTIME_METRIC,
    agreement,
    assert_reported,
    evaluated,
    outages_result,
    period_outcome,
    position_of,
    write_agreement,
)

from mkdocs_sla.source.load import load

MONTH_31 = 31 * 24 * 60
MONTH_30 = 30 * 24 * 60

SECOND_DOWNTIME = DOWNTIME_METRIC.replace("id: uptime", "id: api-uptime").replace("name: Monthly uptime", "name: API uptime")


def write_log(folder: Path, text: str, name: str = "outages.yaml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def log(*entries: str) -> str:
    return "outages:\n" + "".join(entries) if entries else "outages: []\n"


def item(start: str, end: str, extra: str = "") -> str:
    return f"  - start: {start}\n    end: {end}\n{extra}"


def down(outcome, metric: str = "uptime") -> Fraction:
    return next(m for m in outcome.metrics if m.metric.id == metric).measured.down_minutes


@pytest.mark.parametrize(
    ("timezone", "start", "end", "first", "second"),
    [
        ("UTC", "2026-01-31T23:50:00Z", "2026-02-01T00:20:00Z", 10, 20),
        # Midnight in the agreement's zone is the boundary: 23:50 in Berlin is 22:50 UTC.
        ("Europe/Berlin", "2026-01-31T23:50:00+01:00", "2026-02-01T00:20:00+01:00", 10, 20),
        ("Europe/Berlin", "2026-01-31T22:50:00Z", "2026-01-31T23:20:00Z", 10, 20),
        # Without an offset a time is in the agreement's zone.
        ("America/New_York", "2026-01-31T23:50:00", "2026-02-01T00:20:00", 10, 20),
    ],
)
def test_an_outage_across_a_month_end_counts_its_minutes_in_each_month(tmp_path, timezone, start, end, first, second):
    folder = write_agreement(
        tmp_path,
        "svc",
        agreement(head=f"timezone: {timezone}\n"),
        {"2026-01.yaml": outages_result("2026-01", []).replace("    outages: []\n", "    note: from the log\n")},
    )
    write_log(folder, log(item(start, end)))
    assert down(period_outcome(tmp_path, "2026-01")) == first
    # February has no results file: the log alone makes it a period, without charges.
    february = period_outcome(tmp_path, "2026-02")
    assert down(february) == second
    assert february.results.results.charges is None


def test_an_outage_across_a_quarter_end_splits_at_the_quarter(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(head="period: quarter\n"))
    write_log(folder, log(item("2026-03-31T23:00:00Z", "2026-04-01T01:30:00Z")))
    assert down(period_outcome(tmp_path, "2026-Q1")) == 60
    assert down(period_outcome(tmp_path, "2026-Q2")) == 90


def test_a_clock_change_in_the_agreements_zone_gives_the_month_its_real_length_and_the_split_follows_local_midnight(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(head="timezone: Europe/Berlin\n"))
    # 31 March 23:30 CEST to 1 April 00:30 CEST: after the change to summer time (29 March).
    write_log(
        folder, log(item("2026-03-31T23:30:00+02:00", "2026-04-01T00:30:00+02:00"), item("2026-03-29T01:30:00", "2026-03-29T03:30:00"))
    )
    march = period_outcome(tmp_path, "2026-03")
    uptime = march.metrics[0].measured
    # March 2026 in Berlin loses an hour: 44,580 minutes; 01:30 to 03:30 local that night is one hour.
    assert uptime.window_minutes == MONTH_31 - 60
    assert uptime.down_minutes == 30 + 60
    assert down(period_outcome(tmp_path, "2026-04")) == 30


def test_the_log_and_the_results_files_count_together(tmp_path):
    folder = write_agreement(
        tmp_path,
        "svc",
        agreement(),
        {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z")])},
    )
    write_log(folder, log(item("2026-01-20T10:00:00Z", "2026-01-20T10:15:00Z")))
    assert down(period_outcome(tmp_path, "2026-01")) == 45


def test_a_results_file_may_leave_out_outages_when_the_log_has_them(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(), {"2026-01.yaml": 'period: "2026-01"\ncharges: 1000\nmetrics: {}\n'})
    write_log(folder, log(item("2026-01-20T10:00:00Z", "2026-01-20T10:15:00Z")))
    outcome = period_outcome(tmp_path, "2026-01")
    assert down(outcome) == 15
    assert outcome.metrics[0].attainment == Fraction(MONTH_31 - 15, MONTH_31) * 100


def test_without_a_log_a_results_file_still_needs_its_outages(tmp_path):
    text = 'period: "2026-01"\ncharges: 1000\nmetrics:\n  uptime:\n    note: nothing\n'
    write_agreement(tmp_path, "svc", agreement(), {"2026-01.yaml": text})
    line, column = position_of(text, "uptime")
    assert_reported(tmp_path, "svc/results/2026-01.yaml", line, column, "missing `outages`", cli=False)


def test_an_empty_log_means_no_outages_in_the_periods_with_results(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(), {"2026-01.yaml": 'period: "2026-01"\ncharges: 1000\nmetrics: {}\n'})
    write_log(folder, log())
    outcome = period_outcome(tmp_path, "2026-01")
    assert outcome.metrics[0].met is True
    assert down(outcome) == 0


def test_log_files_in_the_outages_folder_are_part_of_the_log(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    write_log(folder, log(item("2026-01-05T10:00:00Z", "2026-01-05T10:10:00Z")))
    write_log(folder, log(item("2026-01-06T10:00:00Z", "2026-01-06T10:20:00Z", "    source: collector\n")), "outages/collected-uptime.yaml")
    assert down(period_outcome(tmp_path, "2026-01")) == 30


def test_an_entry_naming_metrics_counts_for_those_only(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(metrics=DOWNTIME_METRIC + SECOND_DOWNTIME))
    write_log(
        folder,
        log(
            item("2026-01-05T10:00:00Z", "2026-01-05T10:10:00Z"),
            item("2026-01-06T10:00:00Z", "2026-01-06T10:20:00Z", "    metrics: [api-uptime]\n"),
        ),
    )
    outcome = period_outcome(tmp_path, "2026-01")
    assert (down(outcome, "uptime"), down(outcome, "api-uptime")) == (10, 30)


def test_a_partial_outage_counts_its_weight_of_the_minutes(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    write_log(folder, log(item("2026-01-05T10:00:00Z", "2026-01-05T11:40:00Z", "    weight: 30\n")))
    assert down(period_outcome(tmp_path, "2026-01")) == 30


def test_the_log_is_split_for_the_version_governing_each_period(tmp_path):
    # Version 2 excludes `planned`: the same tag counts in January, not in February.
    first = agreement()
    second = agreement(version="2.0", effective="2026-02-01").replace("kind: downtime", "kind: downtime\n      exclude_tags: [planned]")
    folder = write_agreement(tmp_path, "svc", first + "---\n" + second)
    write_log(folder, log(item("2026-01-31T23:00:00Z", "2026-02-01T01:00:00Z", "    tags: [planned]\n")))
    result = evaluated(tmp_path)["svc"]
    assert [(p.period.label, down(p)) for p in result.periods] == [("2026-01", 60), ("2026-02", 0)]


# ---------------------------------------------------------------- bad input


def test_the_same_outage_in_the_log_and_in_a_results_file_is_an_error_naming_both_positions(tmp_path):
    results = outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z")])
    folder = write_agreement(tmp_path, "svc", agreement(), {"2026-01.yaml": results})
    text = log(item("2026-01-20T10:00:00Z", "2026-01-20T10:15:00Z"), item("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z"))
    write_log(folder, text)
    line, column = position_of(text, "start", 2)
    r_line, r_column = position_of(results, "start")
    assert_reported(
        tmp_path,
        "svc/outages.yaml",
        line,
        column,
        "is the same outage as the one in a results file at",
        f"svc/results/2026-01.yaml:{r_line}:{r_column}",
        cli=False,
    )


def test_two_log_entries_that_overlap_for_one_metric_are_an_error_naming_both_positions(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    text = log(item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z"), item("2026-01-10T10:59:00Z", "2026-01-10T11:30:00Z"))
    write_log(folder, text)
    line, column = position_of(text, "start", 2)
    first_line, first_column = position_of(text, "start", 1)
    assert_reported(
        tmp_path, "svc/outages.yaml", line, column, "overlaps the one in the outage log at", f"svc/outages.yaml:{first_line}:{first_column}"
    )


def test_an_overlap_across_two_log_files_names_both_files(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    write_log(folder, log(item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z")))
    text = log(item("2026-01-10T10:30:00Z", "2026-01-10T10:40:00Z"))
    write_log(folder, text, "outages/collected-uptime.yaml")
    line, column = position_of(text, "start")
    assert_reported(tmp_path, "svc/outages/collected-uptime.yaml", line, column, f"{tmp_path}/svc/outages.yaml:2:5", cli=False)


def test_log_entries_that_touch_or_belong_to_different_metrics_do_not_overlap(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(metrics=DOWNTIME_METRIC + SECOND_DOWNTIME))
    write_log(
        folder,
        log(
            item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    metrics: [uptime]\n"),
            item("2026-01-10T11:00:00Z", "2026-01-10T11:30:00Z", "    metrics: [uptime]\n"),
            item("2026-01-10T10:30:00Z", "2026-01-10T10:40:00Z", "    metrics: [api-uptime]\n"),
        ),
    )
    outcome = period_outcome(tmp_path, "2026-01")
    assert (down(outcome, "uptime"), down(outcome, "api-uptime")) == (90, 10)


@pytest.mark.parametrize(
    ("entry", "needle", "words"),
    [
        (
            item("2025-06-01T10:00:00Z", "2025-06-01T11:00:00Z"),
            "2025-06-01T10",
            ("lies outside every period of the agreement", "2026-01-01"),
        ),
        (item("2026-01-10T11:00:00Z", "2026-01-10T10:00:00Z"), "2026-01-10T10", ("outage ends", "expected an end after the start")),
        (item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    metrics: [uptme]\n"), "uptme", ("metric `uptme`", "`uptime`")),
        (item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    weight: 0\n"), "0\n", ("greater than 0",)),
        (item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    severity: high\n"), "severity", ("unknown key `severity`",)),
    ],
    ids=["outside-every-period", "ends-before-start", "unknown-metric", "zero-weight", "unknown-key"],
)
def test_a_bad_log_entry_is_reported_at_its_position(tmp_path, entry, needle, words):
    folder = write_agreement(tmp_path, "svc", agreement())
    text = log(entry)
    write_log(folder, text)
    line, column = position_of(text, needle)
    assert_reported(tmp_path, "svc/outages.yaml", line, column, *words, cli=needle == "2025-06-01T10")


def test_an_entry_for_a_metric_that_counts_no_outages_is_an_error(tmp_path):
    events = "  - id: tickets\n    name: Tickets\n    definition: d\n    unit: '%'\n    better: higher\n    objective: 90\n    measure:\n      kind: events\n"
    folder = write_agreement(tmp_path, "svc", agreement(metrics=DOWNTIME_METRIC + events))
    text = log(item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    metrics: [tickets]\n"))
    write_log(folder, text)
    line, column = position_of(text, "tickets")
    assert_reported(tmp_path, "svc/outages.yaml", line, column, "metric `tickets` does not count outages", cli=False)


def test_an_entry_in_a_period_that_has_not_ended_is_an_error_as_its_results_would_be(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    text = log(item("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z"), item("2026-01-31T23:00:00Z", "2026-02-01T00:30:00Z"))
    write_log(folder, text)
    catalog = load(tmp_path, today=dt.date(2026, 2, 10))
    line, column = position_of(text, "2026-02-01T00:30")
    assert [(d.position.line, d.position.column) for d in catalog.errors] == [(line, column)]
    assert "reaches period 2026-02, which has not ended (today is 2026-02-10)" in catalog.errors[0].message
    assert not load(tmp_path, today=dt.date(2026, 3, 1)).errors
