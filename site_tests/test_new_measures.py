"""Error-rate minutes (GitHub, Google) and available minutes (Azure): two measures real agreements use."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from site_tests.core_helpers import agreement, assert_reported, outages_result, period_outcome, position_of, write_agreement

from mkdocs_sla.core.evidence import Exclusion
from mkdocs_sla.present.words import measure_words

JANUARY = 31 * 24 * 60

ERROR_RATE = """\
  - id: api
    name: API error-rate minutes
    definition: A minute is down when more than 5% of its requests fail.
    unit: "%"
    better: higher
    objective: 99.9
    measure:
      kind: error_rate_minutes
      threshold: 5
{extra}"""

AVAILABLE = """\
  - id: vm
    name: VM availability
    definition: Available minutes while the deployment ran.
    unit: "%"
    better: higher
    objective: 99.9
    measure:
      kind: available_minutes
{extra}"""


def csv_rows(*rows: tuple[str, int, int]) -> str:
    return "start,requests,errors\n" + "".join(f"{start},{requests},{errors}\n" for start, requests, errors in rows)


def write_error_rate(tmp_path, rows: str, extra: str = ""):
    results = 'period: "2026-01"\nmetrics:\n  api:\n    intervals: api-2026-01.csv\n'
    write_agreement(tmp_path, "svc", agreement(metrics=ERROR_RATE.format(extra=extra)), {"2026-01.yaml": results, "api-2026-01.csv": rows})


def test_a_minute_is_down_when_its_error_rate_exceeds_the_threshold_strictly(tmp_path):
    rows = csv_rows(
        ("2026-01-10T10:00:00Z", 100, 6),  # 6%: down
        ("2026-01-10T10:01:00Z", 100, 5),  # exactly 5%: not down
        ("2026-01-10T10:02:00Z", 0, 0),  # no requests: not down
        ("2026-01-10T10:03:00Z", 20, 20),  # 100%: down
        ("2026-01-10T10:04:00Z", 3, 1),  # 33%: down, joined with the minute before
    )
    write_error_rate(tmp_path, rows)
    metric = period_outcome(tmp_path, "2026-01").metrics[0]
    assert metric.measured.down_minutes == 3
    assert metric.attainment == Fraction(JANUARY - 3, JANUARY) * 100
    spans = [(o.start.minute, o.end.minute) for o in metric.measured.evidence.outages]
    assert spans == [(0, 1), (3, 5)]


def test_error_rate_minutes_shorter_than_the_minimum_outage_do_not_count(tmp_path):
    rows = csv_rows(
        ("2026-01-10T10:00:00Z", 100, 50),
        ("2026-01-10T11:00:00Z", 100, 50),
        ("2026-01-10T11:01:00Z", 100, 50),
    )
    write_error_rate(tmp_path, rows, extra="      minimum_outage_minutes: 2\n")
    measured = period_outcome(tmp_path, "2026-01").metrics[0].measured
    assert measured.down_minutes == 2
    assert [x.reason for x in measured.evidence.outages[0].excluded] == [Exclusion.MINIMUM_OUTAGE]


def test_error_rate_minutes_inside_an_announced_maintenance_window_are_excluded(tmp_path):
    rows = csv_rows(("2026-01-10T02:00:00Z", 100, 50), ("2026-01-10T02:01:00Z", 100, 50))
    window = "maintenance:\n  notice_days: 1\n  windows:\n    - {id: w, start: 2026-01-10T02:01:00Z, end: 2026-01-10T03:00:00Z, announced: 2026-01-01}\n"
    results = 'period: "2026-01"\nmetrics:\n  api:\n    intervals: api.csv\n'
    write_agreement(
        tmp_path, "svc", agreement(metrics=ERROR_RATE.format(extra=""), extra=window), {"2026-01.yaml": results, "api.csv": rows}
    )
    assert period_outcome(tmp_path, "2026-01").metrics[0].measured.down_minutes == 1


def test_an_error_rate_minutes_metric_is_defined_in_words_without_the_rules_of_logged_outages(tmp_path):
    # The tags excluded and the business calendar are rules of logged outages only: an error-rate
    # measure has neither, and its definition must still be written (it raised AttributeError).
    rows = csv_rows(("2026-01-10T10:00:00Z", 100, 50))
    write_error_rate(tmp_path, rows, extra="      minimum_outage_minutes: 2\n")
    metric = period_outcome(tmp_path, "2026-01").metrics[0].metric
    assert measure_words(metric) == [
        "(Minutes in the period − down minutes) ÷ minutes in the period × 100, where a 1-minute interval is down when more "
        "than 5% of its requests failed; an interval without requests is not down.",
        "Only downtime of at least 2 consecutive minutes counts; outages that overlap or touch are joined first.",
    ]


def write_available(tmp_path, running: str, outages: str = "    outages: []\n", extra: str = ""):
    results = f'period: "2026-01"\ncharges: 100\nmetrics:\n  vm:\n{running}{outages}'
    write_agreement(tmp_path, "svc", agreement(metrics=AVAILABLE.format(extra=extra)), {"2026-01.yaml": results})
    return results


def test_only_the_minutes_the_deployment_ran_count_and_downtime_counts_only_while_it_ran(tmp_path):
    running = "    running:\n      - {start: 2026-01-01T00:00:00Z, end: 2026-01-11T00:00:00Z}\n"
    outages = "    outages:\n      - {start: 2026-01-10T23:00:00Z, end: 2026-01-11T02:00:00Z}\n"
    write_available(tmp_path, running, outages)
    measured = period_outcome(tmp_path, "2026-01").metrics[0].measured
    assert measured.window_minutes == 10 * 24 * 60
    assert measured.down_minutes == 60
    (outage,) = measured.evidence.outages
    assert [(x.reason, x.minutes) for x in outage.excluded] == [(Exclusion.NOT_RUNNING, 120)]
    assert period_outcome(tmp_path, "2026-01").metrics[0].attainment == Fraction(14400 - 60, 14400) * 100


def test_spans_the_deployment_ran_that_overlap_count_once(tmp_path):
    running = (
        "    running:\n"
        "      - {start: 2026-01-01T00:00:00Z, end: 2026-01-02T00:00:00Z}\n"
        "      - {start: 2026-01-01T12:00:00Z, end: 2026-01-03T00:00:00Z}\n"
    )
    write_available(tmp_path, running)
    assert period_outcome(tmp_path, "2026-01").metrics[0].measured.window_minutes == 2 * 24 * 60


@pytest.mark.parametrize(("when_empty", "met"), [("met", True), ("missed", False)])
def test_a_period_the_deployment_never_ran_is_judged_by_when_empty(tmp_path, when_empty, met):
    write_available(tmp_path, "    running: []\n", extra=f"      when_empty: {when_empty}\n")
    metric = period_outcome(tmp_path, "2026-01").metrics[0]
    assert (metric.attainment, metric.met, metric.credit_percent) == (None, met, 0)


def test_available_minutes_need_the_spans_the_deployment_ran(tmp_path):
    results = write_available(tmp_path, "")
    line, column = position_of(results, "vm")
    assert_reported(tmp_path, "svc/results/2026-01.yaml", line, column, "missing `running`", cli=False)


def test_a_running_span_that_ends_before_it_starts_is_reported_at_its_end(tmp_path):
    results = write_available(tmp_path, "    running:\n      - start: 2026-01-02T00:00:00Z\n        end: 2026-01-01T00:00:00Z\n")
    line, column = position_of(results, "2026-01-01T00")
    assert_reported(tmp_path, "svc/results/2026-01.yaml", line, column, "the span ends before it starts", cli=False)


def test_an_error_rate_threshold_of_100_is_refused(tmp_path):
    text = agreement(metrics=ERROR_RATE.format(extra="").replace("threshold: 5", "threshold: 100"))
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, "100")
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, "threshold", cli=False)


SERVICE_HOURS = (
    "      service_hours:\n        days: [monday, tuesday, wednesday, thursday, friday]\n        start: '08:00'\n        end: '18:00'\n"
)


def test_only_minutes_within_the_service_hours_are_measured_and_downtime_outside_them_is_excluded(tmp_path):
    text = agreement(head="timezone: Europe/Berlin\n").replace("kind: downtime\n", "kind: downtime\n" + SERVICE_HOURS)
    outages = [
        ("2026-01-09T17:30:00", "2026-01-09T19:00:00"),  # a Friday: 30 minutes in the hours, 60 after them
        ("2026-01-10T10:00:00", "2026-01-10T11:00:00"),  # a Saturday: none
    ]
    write_agreement(tmp_path, "svc", text, {"2026-01.yaml": outages_result("2026-01", outages)})
    metric = period_outcome(tmp_path, "2026-01").metrics[0]
    measured = metric.measured
    assert measured.window_minutes == 22 * 600  # 22 weekdays in January 2026, 10 hours each
    assert measured.down_minutes == 30
    friday, saturday = measured.evidence.outages
    assert [(x.reason, x.minutes) for x in friday.excluded] == [(Exclusion.OUTSIDE_SERVICE_HOURS, 60)]
    assert [(x.reason, x.minutes) for x in saturday.excluded] == [(Exclusion.OUTSIDE_SERVICE_HOURS, 60)]
    assert metric.attainment == Fraction(13200 - 30, 13200) * 100


def test_service_hours_keep_their_local_time_across_a_clock_change(tmp_path):
    text = agreement(head="timezone: Europe/Berlin\n").replace("kind: downtime\n", "kind: downtime\n" + SERVICE_HOURS)
    # Monday 30 March 2026, the day after the change to summer time: 08:00 local is 06:00 UTC.
    write_agreement(tmp_path, "svc", text, {"2026-03.yaml": outages_result("2026-03", [("2026-03-30T05:30:00Z", "2026-03-30T06:30:00Z")])})
    measured = period_outcome(tmp_path, "2026-03").metrics[0].measured
    assert measured.window_minutes == 22 * 600  # 22 weekdays in March 2026
    assert measured.down_minutes == 30


def test_service_hours_that_end_before_they_start_are_refused(tmp_path):
    text = agreement().replace("kind: downtime\n", "kind: downtime\n" + SERVICE_HOURS.replace("'18:00'", "'07:00'"))
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, "days:")
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, "service hours end", cli=False)


def test_service_hours_are_whole_minutes(tmp_path):
    # Service hours and a calendar's hours are one rule (`core.calendars.weekly`), counted in minutes.
    text = agreement().replace("kind: downtime\n", "kind: downtime\n" + SERVICE_HOURS.replace("'08:00'", "'08:00:30'"))
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, "'08:00:30'")  # at the value, naming its key
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, "`start` has seconds or an offset; expected a whole minute", cli=False)


def test_the_format_has_one_list_of_weekdays():
    from mkdocs_sla.core.calendarformat import WeekHours
    from mkdocs_sla.core.fields import WEEKDAYS

    assert tuple(WeekHours.model_fields) == WEEKDAYS
    week = [dt.date(2026, 11, 30) + dt.timedelta(days=n) for n in range(7)]  # Monday to Sunday
    assert [WEEKDAYS[day.weekday()] for day in week] == [day.strftime("%A").lower() for day in week]


def test_service_hours_and_a_calendar_on_one_measure_are_refused(tmp_path):
    # The calendar's hours counted and the service hours were ignored without a word.
    text = agreement().replace("kind: downtime\n", "kind: downtime\n      calendar: 24x7\n" + SERVICE_HOURS)
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, "kind: downtime")
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, "both `service_hours` and a `calendar`", cli=False)
