"""Measures: from a period's raw results to one exact attainment per metric.

Each test writes a small agreement and its results into tmp_path, loads and
evaluates it, and compares the attainment with the exact Fraction the rule
gives: uptime = (M − D) / M × 100, 100% − mean interval error rate, good / total,
a count, sum / count.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from site_tests.core_helpers import (
    agreement,
    assert_reported,
    assert_reported_in_results,
    leads_metric,
    metric_outcome,
    metric_text,
    outages_result,
    position_of,
    value_result,
    write_agreement,
)

from mkdocs_sla.present.words import measured_words
from mkdocs_sla.source.load import load

H = Fraction(100)


def downtime_metric(minimum: str | None = None, exclude: str | None = None, objective: str = "99.9") -> str:
    measure = "kind: downtime\n"
    if minimum is not None:
        measure += f"minimum_outage_minutes: {minimum}\n"
    if exclude is not None:
        measure += f"exclude_tags: [{exclude}]\n"
    return metric_text(name="Uptime", objective=objective, measure=measure, credits=None)


def uptime(root, period, outages, *, metric=None, **agreement_options):
    """Write an agreement with one downtime metric and one period's outages; return the outcome."""
    text = agreement(metrics=metric or downtime_metric(), credit_terms="", **agreement_options)
    write_agreement(root, "svc", text, {f"{period}.yaml": outages_result(period, outages, charges=None)})
    return metric_outcome(root, period)


def expected(minutes: int, down: Fraction | int) -> Fraction:
    return (Fraction(minutes) - down) / minutes * H


@pytest.fixture
def root(tmp_path):
    return tmp_path / "agreements"


# ---------------------------------------------------------------- downtime


def test_uptime_is_minutes_less_downtime_over_minutes_exactly(root):
    outcome = uptime(root, "2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:15:00Z")])
    assert outcome.attainment == Fraction(44_640 - 15, 44_640) * 100  # 99.9663…%
    assert isinstance(outcome.attainment, Fraction)
    assert outcome.met is True
    assert measured_words(outcome) == "15 of 44,640 minutes down"


def test_downtime_of_exactly_the_allowed_minutes_lands_exactly_on_the_objective(root):
    # 0.1% of 44,640 minutes is 44.64 minutes = 44 min 38.4 s: exactly 99.9%, which meets 99.9%.
    outcome = uptime(root, "2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:44:38.4Z")])
    assert outcome.attainment == Fraction("99.9") and outcome.met is True


def test_downtime_a_tenth_of_a_second_over_the_allowed_minutes_misses(root):
    outcome = uptime(root, "2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:44:38.5Z")])
    assert outcome.attainment < Fraction("99.9") and outcome.met is False


@pytest.mark.parametrize(
    "period, minutes",
    [
        ("2026-02", 40_320),  # 28 days
        ("2028-02", 41_760),  # 29 days, a leap year
        ("2026-04", 43_200),  # 30 days
        ("2026-01", 44_640),  # 31 days
    ],
)
def test_a_month_has_its_calendar_minutes(root, period, minutes):
    year, _month = period.split("-")
    outcome = uptime(root, period, [(f"{period}-03T00:00:00Z", f"{period}-03T00:01:00Z")], effective=f"{year}-01-01")
    assert outcome.attainment == expected(minutes, 1)
    assert f"1 of {minutes:,} minutes down" == measured_words(outcome)


def test_a_quarter_has_the_minutes_of_its_three_months(root):
    # 2026-Q1: 31 + 28 + 31 days = 90 days = 129,600 minutes
    outcome = uptime(root, "2026-Q1", [("2026-02-03T00:00:00Z", "2026-02-03T01:00:00Z")], head="period: quarter\n")
    assert outcome.attainment == expected(129_600, 60)


def test_a_month_without_outages_is_100_percent(root):
    outcome = uptime(root, "2026-01", [])
    assert outcome.attainment == 100 and outcome.met is True


def test_a_whole_month_down_is_0_percent(root):
    outcome = uptime(root, "2026-01", [("2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")])
    assert outcome.attainment == 0


def _p(rule: str, outages: list, down: Fraction | int, *, minimum: str | None = None, exclude: str | None = None):
    """One January case of the downtime rules: the outages, and the minutes of downtime they make."""
    return pytest.param(minimum, exclude, outages, down, id=rule)


@pytest.mark.parametrize(
    ("minimum", "exclude", "outages", "down"),
    [
        _p("seconds of downtime count exactly", [("2026-01-10T10:00:00Z", "2026-01-10T10:00:30Z")], Fraction(1, 2)),
        _p("an outage shorter than the minimum does not count", [("2026-01-10T10:00:00Z", "2026-01-10T10:09:59Z")], 0, minimum="10"),
        _p("an outage of exactly the minimum counts", [("2026-01-10T10:00:00Z", "2026-01-10T10:10:00Z")], 10, minimum="10"),
        _p("a fractional minimum is compared exactly", [("2026-01-10T10:00:00Z", "2026-01-10T10:00:30Z")], Fraction(1, 2), minimum="0.5"),
        _p(
            "the minimum applies to each outage not to their sum",
            [
                ("2026-01-10T10:00:00Z", "2026-01-10T10:06:00Z"),
                ("2026-01-11T10:00:00Z", "2026-01-11T10:06:00Z"),
                ("2026-01-12T10:00:00Z", "2026-01-12T10:12:00Z"),
            ],
            12,
            minimum="10",
        ),
        # 10:00–10:06 and 10:06–10:12: twelve consecutive minutes down, over the 10-minute minimum.
        _p(
            "adjacent outages shorter than the minimum are consecutive downtime and count",
            [("2026-01-10T10:06:00Z", "2026-01-10T10:12:00Z"), ("2026-01-10T10:00:00Z", "2026-01-10T10:06:00Z")],
            12,
            minimum="10",
        ),
        # An excluded outage is no downtime: it joins nothing, so 10:40–10:45 stays a 5-minute stretch.
        _p(
            "overlapping outages shorter than the minimum count by their joined length",
            [
                ("2026-01-10T10:00:00Z", "2026-01-10T10:07:00Z"),
                ("2026-01-10T10:04:00Z", "2026-01-10T10:11:00Z"),
                ("2026-01-10T10:11:00Z", "2026-01-10T10:40:00Z", ["maintenance"]),
                ("2026-01-10T10:40:00Z", "2026-01-10T10:45:00Z"),
            ],
            11,
            minimum="10",
            exclude="maintenance",
        ),
        # 23:52–23:55 and 23:55–00:03: 11 consecutive minutes, 8 of them in January.
        _p(
            "the minimum applies to a joined stretch across the end of the period before clipping",
            [("2026-01-31T23:52:00Z", "2026-01-31T23:55:00Z"), ("2026-01-31T23:55:00Z", "2026-02-01T00:03:00Z")],
            8,
            minimum="10",
        ),
        # 15 minutes in all, 5 of them in January: it counts (15 ≥ 10), for its 5 January minutes.
        _p(
            "the minimum judges the whole outage even when little of it falls in the period",
            [("2026-01-31T23:55:00Z", "2026-02-01T00:10:00Z")],
            5,
            minimum="10",
        ),
        _p(
            "an outage with an excluded tag does not count",
            [
                ("2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z", ["maintenance"]),
                ("2026-01-11T10:00:00Z", "2026-01-11T10:05:00Z", ["network"]),
                ("2026-01-12T10:00:00Z", "2026-01-12T10:07:00Z", ["network", "maintenance"]),
            ],
            5,
            exclude="maintenance",
        ),
        _p("tags count when no tag is excluded", [("2026-01-10T10:00:00Z", "2026-01-10T10:05:00Z", ["maintenance"])], 5),
        _p(
            "overlapping outages count once",
            [
                ("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z"),
                ("2026-01-10T10:20:00Z", "2026-01-10T11:00:00Z"),  # overlaps the first by 10 minutes
                ("2026-01-10T10:40:00Z", "2026-01-10T10:50:00Z"),  # inside the second
            ],
            60,
        ),
        _p(
            "outages listed out of order and touching count once",
            [
                ("2026-01-10T10:30:00Z", "2026-01-10T11:00:00Z"),
                ("2026-01-20T00:00:00Z", "2026-01-20T00:10:00Z"),
                ("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z"),  # ends where the first starts
            ],
            70,
        ),
        _p(
            "outages in different offsets are compared as instants",
            [
                ("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z"),
                ("2026-01-10T11:15:00+01:00", "2026-01-10T11:45:00+01:00"),  # 10:15–10:45 UTC
            ],
            45,
        ),
    ],
)
def test_january_downtime_counts_by_the_rules_of_minimum_exclusion_and_overlap(root, minimum, exclude, outages, down):
    outcome = uptime(root, "2026-01", outages, metric=downtime_metric(minimum=minimum, exclude=exclude))
    assert outcome.attainment == expected(44_640, down)


def test_an_outage_crossing_into_the_next_period_is_clipped_to_this_period(root):
    outage = ("2026-01-31T23:00:00Z", "2026-02-01T01:30:00Z")
    text = agreement(metrics=downtime_metric(), credit_terms="")
    write_agreement(
        root,
        "svc",
        text,
        {
            "2026-01.yaml": outages_result("2026-01", [outage], charges=None),
            "2026-02.yaml": outages_result("2026-02", [outage], charges=None),
        },
    )
    assert metric_outcome(root, "2026-01").attainment == expected(44_640, 60)
    assert metric_outcome(root, "2026-02").attainment == expected(40_320, 90)


def test_a_partial_first_period_counts_minutes_from_the_effective_date(root):
    # Effective 15 January: 17 days = 24,480 minutes are measured.
    outcome = uptime(root, "2026-01", [("2026-01-20T00:00:00Z", "2026-01-20T01:00:00Z")], effective="2026-01-15")
    assert outcome.attainment == expected(24_480, 60)
    assert measured_words(outcome) == "60 of 24,480 minutes down"


def test_downtime_before_the_effective_date_does_not_count_in_a_partial_first_period(root):
    outcome = uptime(root, "2026-01", [("2026-01-14T23:00:00Z", "2026-01-15T00:30:00Z")], effective="2026-01-15")
    assert outcome.attainment == expected(24_480, 30)


def test_an_outage_before_the_effective_date_is_reported_as_not_counting(root):
    text = agreement(metrics=downtime_metric(), credit_terms="", effective="2026-01-15")
    results = outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z")], charges=None)
    assert_reported_in_results(
        root,
        text,
        "2026-01.yaml",
        results,
        "2026-01-10T10:00:00Z",
        "outage from 2026-01-10T10:00:00+00:00 lies before the agreement took effect on 2026-01-15; it does not count",
        severity="warning",
    )
    assert metric_outcome(root, "2026-01").attainment == 100


def test_an_outage_across_the_effective_date_is_reported_as_counting_from_that_date(root):
    text = agreement(metrics=downtime_metric(), credit_terms="", effective="2026-01-15")
    results = outages_result("2026-01", [("2026-01-14T23:00:00Z", "2026-01-15T00:30:00Z")], charges=None)
    # February's outage starts in January, after the effective date: nothing to report there.
    february = outages_result("2026-02", [("2026-01-31T23:00:00Z", "2026-02-01T00:30:00Z")], charges=None)
    write_agreement(root, "svc", text, {"2026-01.yaml": results, "2026-02.yaml": february})
    assert_reported(
        root,
        "svc/results/2026-01.yaml",
        *position_of(results, "2026-01-14T23:00:00Z"),
        "starts before the agreement took effect on 2026-01-15; only its part from then on counts",
        severity="warning",
        cli=False,
    )
    assert len(load(root).diagnostics) == 1


def test_only_the_first_period_is_partial(root):
    text = agreement(metrics=downtime_metric(), credit_terms="", effective="2026-01-15")
    write_agreement(
        root, "svc", text, {"2026-02.yaml": outages_result("2026-02", [("2026-02-02T00:00:00Z", "2026-02-02T00:01:00Z")], charges=None)}
    )
    assert metric_outcome(root, "2026-02").attainment == expected(40_320, 1)


def test_the_spring_dst_month_in_berlin_has_44580_minutes(root):
    outcome = uptime(root, "2026-03", [("2026-03-10T10:00:00", "2026-03-10T10:01:00")], head="timezone: Europe/Berlin\n")
    assert outcome.attainment == expected(44_580, 1)


def test_the_autumn_dst_month_in_berlin_has_44700_minutes(root):
    outcome = uptime(root, "2026-10", [("2026-10-10T10:00:00", "2026-10-10T10:01:00")], head="timezone: Europe/Berlin\n")
    assert outcome.attainment == expected(44_700, 1)


def test_a_berlin_month_starts_at_local_midnight(root):
    # 31 Dec 2025 23:30 UTC is 1 Jan 2026 00:30 in Berlin: inside January there.
    outcome = uptime(root, "2026-01", [("2025-12-31T23:30:00Z", "2026-01-01T00:30:00Z")], head="timezone: Europe/Berlin\n")
    assert outcome.attainment == expected(44_640, 60)


def test_an_outage_without_offset_is_read_in_the_agreement_zone_across_the_dst_change(root):
    # 29 March 2026, Berlin: clocks jump from 02:00 to 03:00, so 01:30–03:30 local lasts one hour.
    outcome = uptime(root, "2026-03", [("2026-03-29T01:30:00", "2026-03-29T03:30:00")], head="timezone: Europe/Berlin\n")
    assert outcome.attainment == expected(44_580, 60)


# ---------------------------------------------------------------- intervals


def intervals_metric(minutes: int = 5) -> str:
    return (
        "  - id: availability\n"
        "    name: Availability\n"
        "    definition: 100% minus the mean error rate over 5-minute intervals.\n"
        '    unit: "%"\n'
        "    better: higher\n"
        "    objective: 99.9\n"
        "    measure:\n"
        "      kind: intervals\n"
        f"      interval_minutes: {minutes}\n"
    )


def intervals(root, period, csv_text, *, minutes=5, **agreement_options):
    text = agreement(metrics=intervals_metric(minutes), credit_terms="", **agreement_options)
    results = f'period: "{period}"\nmetrics:\n  availability:\n    intervals: errors-{period}.csv\n'
    write_agreement(root, "svc", text, {f"{period}.yaml": results, f"errors-{period}.csv": csv_text})
    return metric_outcome(root, period, "availability")


SLOTS_FEB_2026 = 40_320 // 5  # 8,064 five-minute intervals


def test_interval_uptime_is_100_less_the_mean_error_rate_over_every_interval(root):
    csv_text = (
        "start,requests,errors\n"
        "2026-02-01T00:00:00Z,100,10\n"  # 10%
        "2026-02-01T00:05:00Z,3,1\n"  # 1/3
        "2026-02-01T00:10:00Z,50,0\n"
    )
    outcome = intervals(root, "2026-02", csv_text)
    mean = (Fraction(10, 100) + Fraction(1, 3)) / SLOTS_FEB_2026
    assert outcome.attainment == H - mean * H


def test_an_interval_with_no_requests_counts_as_0_percent_errors(root):
    with_empty = intervals(root, "2026-02", "start,requests,errors\n2026-02-01T00:00:00Z,4,4\n2026-02-01T00:05:00Z,0,0\n")
    assert with_empty.attainment == H - Fraction(1, SLOTS_FEB_2026) * H


def test_intervals_missing_from_the_csv_count_as_0_percent_errors(root):
    # One interval fully failed, the other 8,063 absent: the mean is over all 8,064.
    outcome = intervals(root, "2026-02", "start,requests,errors\n2026-02-14T12:00:00Z,20,20\n")
    assert outcome.attainment == H - H / SLOTS_FEB_2026


def test_a_csv_with_only_its_header_is_100_percent(root):
    assert intervals(root, "2026-02", "start,requests,errors\n").attainment == 100


def test_every_interval_failing_is_0_percent(root):
    rows = "".join(
        f"2026-02-{1 + i // 288:02d}T{(i % 288) * 5 // 60:02d}:{(i % 288) * 5 % 60:02d}:00Z,7,7\n" for i in range(SLOTS_FEB_2026)
    )
    assert intervals(root, "2026-02", "start,requests,errors\n" + rows).attainment == 0


def test_hourly_intervals_are_counted_by_the_hour(root):
    outcome = intervals(root, "2026-02", "start,requests,errors\n2026-02-01T01:00:00Z,10,5\n", minutes=60)
    assert outcome.attainment == H - Fraction(1, 2) / 672 * H  # 28 × 24 = 672 hours


def test_intervals_of_a_partial_first_period_start_at_the_effective_date(root):
    # Effective 15 February 2026: 14 days = 4,032 intervals.
    outcome = intervals(root, "2026-02", "start,requests,errors\n2026-02-20T00:00:00Z,10,1\n", effective="2026-02-15")
    assert outcome.attainment == H - Fraction(1, 10) / 4_032 * H


def test_an_interval_row_before_the_effective_date_is_reported_and_counts_nowhere(root):
    # Effective 15 February 2026: the row of 10 February is neither in the mean nor in the
    # "intervals with errors" of the detail, and the reader is told why.
    csv_text = "start,requests,errors\n2026-02-10T00:00:00Z,10,10\n2026-02-20T00:00:00Z,10,1\n"
    outcome = intervals(root, "2026-02", csv_text, effective="2026-02-15")
    assert outcome.attainment == H - Fraction(1, 10) / 4_032 * H
    assert measured_words(outcome) == "1 of 4,032 intervals with errors"
    assert_reported(
        root,
        "svc/results/errors-2026-02.csv",
        2,
        1,
        "interval 2026-02-10T00:00:00Z lies before the agreement took effect on 2026-02-15; it does not count",
        severity="warning",
    )


def test_interval_times_without_offset_are_in_the_agreement_zone(root):
    outcome = intervals(root, "2026-03", "start,requests,errors\n2026-03-01T00:00:00,10,10\n", head="timezone: Europe/Berlin\n")
    assert outcome.attainment == H - H / (44_580 // 5)


def bad_csv(root, csv_text):
    text = agreement(metrics=intervals_metric(), credit_terms="")
    results = 'period: "2026-02"\nmetrics:\n  availability:\n    intervals: errors-2026-02.csv\n'
    write_agreement(root, "svc", text, {"2026-02.yaml": results, "errors-2026-02.csv": csv_text})
    return "svc/results/errors-2026-02.csv"


def _bad_row(rule: str, csv_text: str, at: str | tuple[int, int], *words: str, offset: int = 0):
    """A bad interval CSV, where its error is (a needle of the text, or line and column) and its words."""
    return pytest.param(csv_text, at, offset, words, id=rule)


@pytest.mark.parametrize(
    ("csv_text", "at", "offset", "words"),
    [
        _bad_row(
            "a csv count that is not a number is reported at its line and column",
            "start,requests,errors\n2026-02-01T00:00:00Z,100,0\n2026-02-01T00:05:00Z,lots,0\n",
            "lots",
            "`lots` is not a count",
            "expected a whole number of 0 or more",
        ),
        _bad_row(
            "a bad count in a quoted field is reported at its first character",
            'start,requests,errors\n"2026-02-01T00:00:00Z","lots",0\n',
            "lots",
            "`lots` is not a count",
        ),
        _bad_row(
            "a negative csv error count is reported at its column",
            "start,requests,errors\n2026-02-01T00:00:00Z,100,-1\n",
            "-1",
            "`-1` is not a count",
        ),
        _bad_row(
            "more errors than requests are reported at the errors column",
            "start,requests,errors\n2026-02-01T00:00:00Z,10,11\n",
            ",11",
            "11 errors out of 10 requests",
            "expected errors <= requests",
            offset=1,
        ),
        _bad_row(
            "a csv row with a bad time is reported at its line",
            "start,requests,errors\n2026-02-01T00:00:00Z,1,0\nyesterday,1,0\n",
            (3, 1),
            "`yesterday` is not a date and time",
            "expected ISO 8601",
        ),
        _bad_row(
            "a csv row with a missing field is reported at its line",
            "start,requests,errors\n2026-02-01T00:00:00Z,1\n",
            (2, 1),
            "expected 3 fields (start, requests, errors), found 2",
        ),
        _bad_row(
            "a csv row outside the period is reported",
            "start,requests,errors\n2026-03-01T00:00:00Z,1,0\n",
            (2, 1),
            "lies outside the period",
        ),
        _bad_row(
            "a csv row off the interval grid is reported",
            "start,requests,errors\n2026-02-01T00:07:00Z,1,0\n",
            (2, 1),
            "does not start on a 5-minute boundary",
        ),
        _bad_row(
            "a csv interval listed twice is reported at the second",
            "start,requests,errors\n2026-02-01T00:05:00Z,1,0\n2026-02-01T00:05:00Z,1,0\n",
            (3, 1),
            "appears twice",
            "expected one row per interval",
        ),
        _bad_row(
            "a csv with a wrong header is reported at line 1",
            "time,requests,errors\n2026-02-01T00:05:00Z,1,0\n",
            (1, 1),
            "expected the header `start,requests,errors`",
        ),
    ],
)
def test_a_bad_interval_csv_is_reported_at_its_line_and_column(root, csv_text, at, offset, words):
    file = bad_csv(root, csv_text)
    line, column = position_of(csv_text, at, offset=offset) if isinstance(at, str) else at
    assert_reported(root, file, line, column, *words)


@pytest.mark.parametrize("count", ["²", "１", "١٢", "1" * 31])
def test_a_csv_count_is_ascii_digits_only(root, count):
    # `²` passed str.isdigit and crashed int(); fullwidth and Arabic-Indic digits were read silently.
    csv_text = f"start,requests,errors\n2026-02-01T00:00:00Z,{count},0\n"
    file = bad_csv(root, csv_text)
    assert_reported(root, file, 2, len("2026-02-01T00:00:00Z,") + 1, f"`{count}` is not a count", "digits 0-9", cli=count == "²")


def test_a_csv_row_after_a_quoted_field_with_a_line_break_is_reported_at_its_own_line(root):
    # The second row's time is quoted over two lines: the third row starts on line 5, not 4.
    csv_text = 'start,requests,errors\n2026-02-01T00:00:00Z,1,0\n"2026-02-01\nT00:05:00Z",1,0\n2026-02-01T00:10:00Z,lots,0\n'
    file = bad_csv(root, csv_text)
    assert_reported(root, file, 3, 1, "`2026-02-01\nT00:05:00Z` is not a date and time", cli=False)
    assert_reported(root, file, *position_of(csv_text, "lots"), "`lots` is not a count", cli=False)
    assert position_of(csv_text, "lots") == (5, 22)


def test_a_field_after_a_line_break_inside_quotes_is_reported_on_the_line_it_starts(root):
    # `"1\n"` reads as the count 1; the errors field `x` starts on the next line, at column 3.
    csv_text = 'start,requests,errors\n2026-02-01T00:00:00Z,"1\n",x\n'
    file = bad_csv(root, csv_text)
    assert position_of(csv_text, ",x", offset=1) == (3, 3)
    assert_reported(root, file, 3, 3, "`x` is not a count")


def test_a_missing_csv_is_reported_where_the_results_file_names_it(root):
    text = agreement(metrics=intervals_metric(), credit_terms="")
    results = 'period: "2026-02"\nmetrics:\n  availability:\n    intervals: errors-2026-02.csv\n'
    assert_reported_in_results(root, text, "2026-02.yaml", results, "errors-2026-02.csv", "interval file `errors-2026-02.csv` not found")


def test_every_bad_csv_row_is_reported_in_one_run(root):
    csv_text = "start,requests,errors\n2026-02-01T00:00:00Z,x,0\n2026-02-01T00:05:00Z,1,y\n2026-02-01T00:10:00Z,1,2\n"
    file = bad_csv(root, csv_text)
    assert_reported(root, file, *position_of(csv_text, "x"), "`x` is not a count", cli=False)
    assert_reported(root, file, *position_of(csv_text, "y"), "`y` is not a count", cli=False)
    assert_reported(root, file, *position_of(csv_text, ",2\n", offset=1), "2 errors out of 1 requests")


# ---------------------------------------------------------------- events


def events_metric(when_empty: str | None = None) -> str:
    return (
        "  - id: p1-response\n"
        "    name: P1 first response within 1 hour\n"
        "    definition: P1 tickets answered within the target, as a share of all P1 tickets.\n"
        "    target: first response within 1 hour, 24x7\n"
        '    unit: "%"\n'
        "    better: higher\n"
        "    objective: 95\n"
        "    measure:\n"
        "      kind: events\n" + (f"      when_empty: {when_empty}\n" if when_empty else "")
    )


def events(root, good, total, when_empty=None):
    results = f'period: "2026-01"\nmetrics:\n  p1-response:\n    good: {good}\n    total: {total}\n'
    write_agreement(root, "svc", agreement(metrics=events_metric(when_empty), credit_terms=""), {"2026-01.yaml": results})
    return metric_outcome(root, "2026-01", "p1-response")


def test_events_attainment_is_good_over_total(root):
    outcome = events(root, 37, 39)
    assert outcome.attainment == Fraction(3700, 39) and outcome.met is False
    assert measured_words(outcome) == "37 of 39"


def test_events_exactly_on_the_objective_are_met(root):
    outcome = events(root, 19, 20)
    assert outcome.attainment == 95 and outcome.met is True


# ---------------------------------------------------------------- count and average


def test_a_count_is_its_own_attainment_met_at_the_objective(root):
    metric = leads_metric()
    write_agreement(
        root,
        "svc",
        agreement(metrics=metric, credit_terms=""),
        {
            "2026-01.yaml": value_result("2026-01", {"leads": "400"}, key="count", charges=None),
            "2026-02.yaml": value_result("2026-02", {"leads": "399"}, key="count", charges=None),
            "2026-03.yaml": value_result("2026-03", {"leads": "0"}, key="count", charges=None),
        },
    )
    assert (metric_outcome(root, "2026-01", "leads").attainment, metric_outcome(root, "2026-01", "leads").met) == (400, True)
    assert (metric_outcome(root, "2026-02", "leads").attainment, metric_outcome(root, "2026-02", "leads").met) == (399, False)
    assert (metric_outcome(root, "2026-03", "leads").attainment, metric_outcome(root, "2026-03", "leads").met) == (0, False)


def average_metric(when_empty: str | None = None, better: str = "higher", objective: str = "4") -> str:
    return metric_text(
        "attempts",
        name="Follow-up attempts per lead",
        definition="Calls and mails per lead.",
        unit="attempts",
        better=better,
        objective=objective,
        measure="kind: average\n" + (f"when_empty: {when_empty}\n" if when_empty else ""),
        credits=None,
    )


def average(root, total, count, **options):
    results = f'period: "2026-01"\nmetrics:\n  attempts:\n    sum: {total}\n    count: {count}\n'
    write_agreement(root, "svc", agreement(metrics=average_metric(**options), credit_terms=""), {"2026-01.yaml": results})
    return metric_outcome(root, "2026-01", "attempts")


def test_an_average_is_the_sum_over_the_count_exactly(root):
    outcome = average(root, 1200, 301)
    assert outcome.attainment == Fraction(1200, 301) and outcome.met is False  # 3.986… < 4


def test_an_average_exactly_on_the_objective_is_met(root):
    outcome = average(root, 1204, 301)
    assert outcome.attainment == 4 and outcome.met is True


def test_an_average_with_a_decimal_sum_stays_exact(root):
    assert average(root, "10.1", 3).attainment == Fraction(101, 30)


@pytest.mark.parametrize(
    ("measure", "when_empty", "met"),
    [
        pytest.param(events, None, True, id="a period without events is met by default"),
        pytest.param(events, "missed", False, id="a period without events is missed when the agreement says so"),
        pytest.param(average, None, True, id="an average over nothing is met by default"),
        pytest.param(average, "missed", False, id="an average over nothing is missed when the agreement says so"),
    ],
)
def test_a_period_with_nothing_to_measure_is_met_unless_the_agreement_says_missed(root, measure, when_empty, met):
    outcome = measure(root, 0, 0, when_empty=when_empty)
    assert outcome.attainment is None and outcome.met is met


def test_a_lower_is_better_average_is_met_at_or_below_the_objective(root):
    assert average(root, 120, 10, better="lower", objective="12").met is True
    assert average(root, "120.1", 10, better="lower", objective="12").met is False


# ---------------------------------------------------------------- value


def value_metric(unit: str = '"%"', better: str = "higher", objective: str = "99.5") -> str:
    return metric_text(
        "latency",
        name="Reported figure",
        definition="As reported.",
        unit=unit,
        better=better,
        objective=objective,
        measure="kind: value",
        credits=None,
    )


def test_a_reported_value_is_taken_exactly_as_written(root):
    write_agreement(
        root,
        "svc",
        agreement(metrics=value_metric(), credit_terms=""),
        {"2026-01.yaml": value_result("2026-01", {"latency": "99.4999999999999999999"}, charges=None)},
    )
    outcome = metric_outcome(root, "2026-01", "latency")
    assert outcome.attainment == Fraction("99.4999999999999999999") and outcome.met is False


def test_a_lower_is_better_value_is_met_at_the_objective_and_missed_just_above(root):
    write_agreement(
        root,
        "svc",
        agreement(metrics=value_metric(unit="ms", better="lower", objective="200"), credit_terms=""),
        {
            "2026-01.yaml": value_result("2026-01", {"latency": "200"}, charges=None),
            "2026-02.yaml": value_result("2026-02", {"latency": "200.001"}, charges=None),
        },
    )
    assert metric_outcome(root, "2026-01", "latency").met is True
    assert metric_outcome(root, "2026-02", "latency").met is False


def test_a_metric_without_a_result_is_not_reported_and_earns_nothing(root):
    metrics = value_metric() + events_metric()
    write_agreement(
        root,
        "svc",
        agreement(metrics=metrics, credit_terms=""),
        {"2026-01.yaml": value_result("2026-01", {"latency": "99.9"}, charges=None)},
    )
    outcome = metric_outcome(root, "2026-01", "p1-response")
    assert outcome.met is None and outcome.attainment is None and outcome.credit_percent == 0


def test_daily_intervals_of_a_spring_dst_month_are_30_days_of_24_hours_and_a_last_one_of_23(root):
    # March 2026 in Berlin lasts 44,580 minutes: 30 intervals of 1,440 elapsed minutes and a last of 1,380.
    outcome = intervals(
        root, "2026-03", "start,requests,errors\n2026-03-01T00:00:00,10,10\n", minutes=1440, head="timezone: Europe/Berlin\n"
    )
    assert outcome.attainment == H - H / 31


def test_daily_intervals_of_an_autumn_dst_month_are_31_days_of_24_hours_and_a_last_hour(root):
    # October 2026 in Berlin lasts 44,700 minutes: 31 intervals of 1,440 elapsed minutes and a last
    # of 60. After the clock change (25 October) an interval starts at 23:00 local time, written
    # with or without its offset: the loader accepts exactly the starts that the count counts.
    csv_text = (
        "start,requests,errors\n"
        "2026-10-26T23:00:00,10,10\n"
        "2026-10-27T23:00:00+01:00,10,10\n"
        "2026-10-31T23:00:00,10,10\n"
    )  # the last, one-hour interval
    outcome = intervals(root, "2026-10", csv_text, minutes=1440, head="timezone: Europe/Berlin\n")
    assert outcome.attainment == H - 3 * H / 32
    assert measured_words(outcome) == "3 of 32 intervals with errors"


@pytest.mark.parametrize("start", ["2026-10-27T00:00:00", "2026-10-27T00:00:00+01:00", "2026-10-26T23:00:00Z"])
def test_an_interval_start_off_the_elapsed_time_grid_is_refused_whether_or_not_it_has_an_offset(root, start):
    # Local midnight of 27 October is 26 days and 1 hour after the period's start (the clock went
    # back on the 25th): off the grid of 1,440-minute intervals, whichever way the instant is written.
    text = agreement(metrics=intervals_metric(1440), credit_terms="", head="timezone: Europe/Berlin\n")
    csv_text = f"start,requests,errors\n{start},1,0\n"
    results = 'period: "2026-10"\nmetrics:\n  availability:\n    intervals: e.csv\n'
    write_agreement(root, "svc", text, {"2026-10.yaml": results, "e.csv": csv_text})
    assert_reported(root, "svc/results/e.csv", 2, 1, "does not start on a 1440-minute boundary", "elapsed time", cli=False)


@pytest.mark.parametrize(
    ("period", "start", "effective"),
    [
        # Effective on 31 March 2024, the day Berlin's clocks jump forward: the period holds 23 hours.
        pytest.param(
            "2024-03", "2024-03-31T00:00:00", "2024-03-31", id="daily intervals of a partial first period of 23 hours are one interval"
        ),
        # Effective 31 March 2026 in Berlin, after the clock change: the one daily interval starts at
        # local midnight, 00:00+02:00, which is not a whole number of days after 1 March 00:00+01:00.
        pytest.param(
            "2026-03",
            "2026-03-31T00:00:00+02:00",
            "2026-03-31",
            id="the interval grid of a partial first period starts at the effective date",
        ),
    ],
)
def test_the_one_daily_interval_of_a_partial_first_period_in_berlin(root, period, start, effective):
    outcome = intervals(
        root, period, f"start,requests,errors\n{start},4,1\n", minutes=1440, head="timezone: Europe/Berlin\n", effective=effective
    )
    assert outcome.attainment == H - H / 4


def test_a_csv_with_a_byte_order_mark_as_spreadsheets_write_it_is_read(root):
    outcome = intervals(root, "2026-02", "\ufeffstart,requests,errors\r\n2026-02-01T00:00:00Z,4,1\r\n")
    assert outcome.attainment == H - Fraction(1, 4) / SLOTS_FEB_2026 * H
