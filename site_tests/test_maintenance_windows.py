"""Maintenance windows: outage minutes inside one count as excluded only when it was announced with the notice the agreement requires."""

from __future__ import annotations

from fractions import Fraction

import pytest
from site_tests.core_helpers import (
    DOWNTIME_METRIC,
    agreement,
    assert_reported,
    outages_result,
    period_outcome,
    position_of,
    write_agreement,
)

from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.core.evidence import Exclusion
from mkdocs_sla.source.load import load


def maintenance(*windows: str, notice_days: str = "5") -> str:
    listed = "  windows:\n" + "".join(windows) if windows else "  windows: []\n"
    return f"maintenance:\n  notice_days: {notice_days}\n" + listed


def one_off(window_id: str, start: str, end: str, announced: str, extra: str = "") -> str:
    return f"    - id: {window_id}\n      start: {start}\n      end: {end}\n      announced: {announced}\n{extra}"


def recurring(window_id: str, start: str, rule: str, minutes: int, announced: str) -> str:
    return f"    - id: {window_id}\n      start: {start}\n      rrule: {rule}\n      duration_minutes: {minutes}\n      announced: {announced}\n"


def uptime(root, period="2026-01"):
    return period_outcome(root, period).metrics[0].measured


def write(tmp_path, windows: str, outages, period="2026-01", head=""):
    write_agreement(tmp_path, "svc", agreement(extra=windows, head=head), {f"{period}.yaml": outages_result(period, outages)})


@pytest.mark.parametrize(
    ("announced", "counted", "excluded"),
    [
        ("2026-01-01", 0, 60),  # nine days ahead: enough
        ("2026-01-05T02:00:00Z", 0, 60),  # exactly five days ahead: the notice is met
        ("2026-01-05T02:00:01Z", 60, 0),  # one second short of five days: counted
        ("2026-01-09", 60, 0),  # the day before
    ],
    ids=["enough-notice", "notice-met-to-the-second", "a-second-short", "a-day-ahead"],
)
def test_a_window_excludes_outage_minutes_only_with_the_notice_the_agreement_requires(tmp_path, announced, counted, excluded):
    window = maintenance(one_off("upgrade", "2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z", announced))
    write(tmp_path, window, [("2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z")])
    measured = uptime(tmp_path)
    assert measured.down_minutes == counted
    evidence = measured.evidence
    assert evidence.outages[0].excluded_minutes == excluded
    (shown,) = evidence.windows
    assert shown.occurrence.qualifies is (excluded > 0)
    assert (shown.excluded_minutes, shown.counted_inside) == (excluded, counted)


def test_an_outage_overlapping_a_window_in_part_counts_outside_it(tmp_path):
    window = maintenance(one_off("upgrade", "2026-01-10T02:00:00Z", "2026-01-10T04:00:00Z", "2026-01-01"))
    write(tmp_path, window, [("2026-01-10T01:30:00Z", "2026-01-10T02:30:00Z"), ("2026-01-10T03:45:00Z", "2026-01-10T04:05:00Z")])
    measured = uptime(tmp_path)
    assert measured.down_minutes == 30 + 5
    first, second = measured.evidence.outages
    assert [(x.reason, x.minutes) for x in first.excluded] == [(Exclusion.MAINTENANCE, 30)]
    assert [(x.reason, x.minutes) for x in second.excluded] == [(Exclusion.MAINTENANCE, 15)]
    assert (first.counted, second.counted) == (30, 5)


def test_the_minimum_outage_applies_to_what_a_window_leaves(tmp_path):
    # 20 minutes, of which 15 in the window: the 5 left are under the 10-minute minimum.
    window = maintenance(one_off("upgrade", "2026-01-10T02:00:00Z", "2026-01-10T04:00:00Z", "2026-01-01"))
    text = agreement(extra=window).replace("kind: downtime", "kind: downtime\n      minimum_outage_minutes: 10")
    write_agreement(tmp_path, "svc", text, {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T03:45:00Z", "2026-01-10T04:05:00Z")])})
    measured = uptime(tmp_path)
    assert measured.down_minutes == 0
    assert [x.reason for x in measured.evidence.outages[0].excluded] == [Exclusion.MAINTENANCE, Exclusion.MINIMUM_OUTAGE]


def test_a_weekly_window_excludes_every_occurrence_announced_in_time(tmp_path):
    # Sundays 02:00-04:00 from 4 January, announced on 1 January: the first Sunday had 3 days of notice only.
    window = maintenance(recurring("patching", "2026-01-04T02:00:00", "FREQ=WEEKLY;BYDAY=SU", 120, "2026-01-01"))
    outages = [("2026-01-04T02:00:00Z", "2026-01-04T03:00:00Z"), ("2026-01-11T02:00:00Z", "2026-01-11T03:00:00Z")]
    write(tmp_path, window, outages)
    measured = uptime(tmp_path)
    assert measured.down_minutes == 60
    occurrences = measured.evidence.windows
    assert [o.occurrence.start.day for o in occurrences] == [4, 11, 18, 25]
    assert [o.occurrence.qualifies for o in occurrences] == [False, True, True, True]
    assert [o.excluded_minutes for o in occurrences] == [0, 60, 0, 0]


def test_a_recurring_window_keeps_its_local_time_across_a_clock_change(tmp_path):
    # Sundays 02:00 Berlin time: 00:00 UTC in summer time, 01:00 UTC after the change on 25 October
    # (that night 02:00 happens twice; the first, still summer time, is the window's).
    window = maintenance(recurring("patching", "2026-10-04T02:00:00", "FREQ=WEEKLY;BYDAY=SU;COUNT=10", 60, "2026-09-01"))
    results = {
        "2026-10.yaml": outages_result("2026-10", [("2026-10-18T01:00:00Z", "2026-10-18T02:00:00Z")]),
        "2026-11.yaml": outages_result("2026-11", [("2026-11-01T01:00:00Z", "2026-11-01T03:00:00Z")]),
    }
    write_agreement(tmp_path, "svc", agreement(extra=window, head="timezone: Europe/Berlin\n"), results)
    measured = period_outcome(tmp_path, "2026-10").metrics[0].measured
    starts = [o.occurrence.start.isoformat() for o in measured.evidence.windows]
    assert starts[:4] == [
        "2026-10-04T00:00:00+00:00",
        "2026-10-11T00:00:00+00:00",
        "2026-10-18T00:00:00+00:00",
        "2026-10-25T00:00:00+00:00",
    ]
    november = [o.occurrence.start.isoformat() for o in period_outcome(tmp_path, "2026-11").metrics[0].measured.evidence.windows]
    assert november[0] == "2026-11-01T01:00:00+00:00"
    # 18 October: 01:00-02:00 UTC is 03:00-04:00 in Berlin, after the 02:00-03:00 window: it counts.
    assert measured.down_minutes == 60
    # 1 November 01:00-03:00 UTC (02:00-04:00 Berlin): the window takes 01:00-02:00 UTC.
    november = period_outcome(tmp_path, "2026-11").metrics[0].measured
    assert november.down_minutes == 60
    assert [(x.start.hour, x.end.hour) for x in november.evidence.outages[0].excluded] == [(1, 2)]


def test_windows_in_maintenance_yaml_apply_with_the_notice_of_the_terms(tmp_path):
    folder = write_agreement(
        tmp_path,
        "svc",
        agreement(extra="maintenance:\n  notice_days: 2\n"),
        {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z")])},
    )
    (folder / "maintenance.yaml").write_text(
        "windows:\n  - id: upgrade\n    start: 2026-01-10T01:00:00Z\n    end: 2026-01-10T02:30:00Z\n    announced: 2026-01-07\n"
    )
    measured = uptime(tmp_path)
    assert measured.down_minutes == 30
    assert measured.evidence.windows[0].occurrence.window.id == "upgrade"


def test_a_window_for_one_metric_leaves_the_others_counted(tmp_path):
    other = "  - id: api\n    name: API\n    definition: d\n    unit: '%'\n    better: higher\n    objective: 99\n    measure:\n      kind: downtime\n"
    window = maintenance(one_off("upgrade", "2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z", "2026-01-01", "      metrics: [api]\n"))
    results = (
        'period: "2026-01"\nmetrics:\n'
        "  uptime:\n    outages:\n      - {start: 2026-01-10T02:00:00Z, end: 2026-01-10T03:00:00Z}\n"
        "  api:\n    outages:\n      - {start: 2026-01-10T02:00:00Z, end: 2026-01-10T03:00:00Z}\n"
    )
    write_agreement(tmp_path, "svc", agreement(metrics=DOWNTIME_METRIC + other, extra=window), {"2026-01.yaml": results})
    outcome = period_outcome(tmp_path, "2026-01")
    assert [m.measured.down_minutes for m in outcome.metrics] == [Fraction(60), Fraction(0)]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("window", "needle", "offset", "words"),
    [
        (recurring("w", "2026-01-04T02:00:00", "FREQ=SOMETIMES", 60, "2026-01-01"), "FREQ", 0, ("rrule: not an RFC 5545 recurrence rule",)),
        (
            recurring("w", "2026-01-04T02:00:00", "FREQ=HOURLY", 5, "2026-01-01"),
            "FREQ",
            0,
            ("more frequent than daily needs `COUNT` or `UNTIL`",),
        ),
        (recurring("w", "2026-01-04T02:00:00", "DTSTART:20260101T000000", 5, "2026-01-01"), "DTSTART", 0, ("must not hold `DTSTART`",)),
        (
            one_off("w", "2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z", "2026-01-10T02:30:00Z"),
            "2026-01-10T02:30",
            0,
            ("announced", "after it started"),
        ),
        (
            one_off("w", "2026-01-10T02:00:00Z", "2026-01-10T01:00:00Z", "2026-01-01"),
            "2026-01-10T01",
            0,
            ("the window ends", "before it starts"),
        ),
        (
            one_off("w", "2026-01-10T02:00:00Z", "2026-01-10T03:00:00Z", "2026-01-01", "      metrics: [uptim]\n"),
            "uptim]",
            0,
            ("metric `uptim`",),
        ),
        (
            "    - id: w\n      start: 2026-01-10T02:00:00Z\n      rrule: FREQ=DAILY\n      announced: 2026-01-01\n",
            "id: w",
            0,
            ("a recurring window takes `start`, `rrule` and `duration_minutes`",),
        ),
    ],
    ids=[
        "rrule-does-not-parse",
        "hourly-without-end",
        "dtstart-in-rule",
        "announced-after-start",
        "ends-before-start",
        "unknown-metric",
        "no-duration",
    ],
)
def test_a_bad_window_is_reported_at_its_position(tmp_path, window, needle, offset, words):
    text = agreement(extra=maintenance(window))
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, needle, offset=offset)
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, *words, cli=needle == "FREQ")


def test_a_bad_window_in_maintenance_yaml_is_reported_in_that_file(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    text = "windows:\n  - id: w\n    start: 2026-01-10T02:00:00Z\n    end: 2026-01-10T03:00:00Z\n    announced: 2026-01-11\n"
    (folder / "maintenance.yaml").write_text(text)
    line, column = position_of(text, "2026-01-11")
    assert_reported(tmp_path, "svc/maintenance.yaml", line, column, "after it started", cli=False)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # The notice is new too: neither favourable nor adverse on its own.
        ("", maintenance(one_off("w", "2026-03-10T02:00:00Z", "2026-03-10T03:00:00Z", "2026-01-01")), ["neutral", "adverse"]),
        (maintenance(notice_days="5"), maintenance(notice_days="2"), ["adverse"]),
        (maintenance(notice_days="2"), maintenance(notice_days="5"), ["favourable"]),
        (maintenance(one_off("w", "2026-03-10T02:00:00Z", "2026-03-10T03:00:00Z", "2026-01-01")), maintenance(), ["favourable"]),
    ],
    ids=["window-added", "notice-shortened", "notice-lengthened", "window-removed"],
)
def test_a_new_version_that_changes_maintenance_is_judged_for_the_customer(tmp_path, before, after, expected):
    write_agreement(tmp_path, "svc", agreement(extra=before) + "---\n" + agreement(version="2.0", effective="2026-02-01", extra=after))
    record = load(tmp_path).get("svc")
    changes = [c for c in compare_terms(record.versions[0].terms, record.versions[1].terms) if c.kind == "maintenance"]
    assert [c.effect.value for c in changes] == expected
