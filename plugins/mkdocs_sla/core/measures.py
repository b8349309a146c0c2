"""Attainment: from a period's raw measurements to one exact number per metric.

One function per `measure.kind`, found in one table (`ATTAINMENT`). All arithmetic is on
`Fraction`, so (44,640 − 15) / 44,640 × 100 stays exact and is rounded for display only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.core import tickets as ticket_rules
from mkdocs_sla.core.calendars import BusinessCalendar, always_open
from mkdocs_sla.core.model import Metric, MetricResult, Outage, Terms
from mkdocs_sla.core.periods import Period, localize, minutes_between

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Attainment:
    """The attainment of one metric in one period, and the counts it was computed from.

    `value` is None when nothing could be measured (`empty`: no events or items in the
    period, judged by `when_empty`). The counts are those of the measure's `kind`; the
    rest stay None. Words for people are made from them in `present.words.measured_words`.
    """

    kind: str
    value: Fraction | None
    empty: bool = False
    good: int | None = None  # events: good events
    total: int | None = None  # events: all events
    down_minutes: Fraction | None = None  # downtime: counted minutes down
    window_minutes: Fraction | None = None  # downtime: minutes measured
    intervals_with_errors: int | None = None  # intervals: intervals with at least one error
    intervals: int | None = None  # intervals: intervals in the measured part of the period
    sum: object = None  # average: the sum reported (a Decimal)
    count: int | None = None  # average: the number of items
    tickets: ticket_rules.TicketSummary | None = None  # tickets: counts, breached tickets, durations
    calendar: BusinessCalendar | None = None  # tickets, downtime in service hours: the calendar the clock ran on


def measured_window(period: Period, terms: Terms, agreement_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The part of the period the agreement covers: a partial first period starts on the effective date."""
    start, end = period.bounds(terms.timezone)
    if agreement_start > period.start:
        start = dt.datetime.combine(agreement_start, dt.time(0), tzinfo=start.tzinfo)
    return start, end


@dataclass(frozen=True)
class MeasureInput:
    """What a measure needs besides the metric: the period's result, the measured window, the
    agreement's zone, and the data read beside the results (intervals, tickets, calendars)."""

    metric: Metric
    result: MetricResult
    window: tuple[dt.datetime, dt.datetime]
    timezone: str
    intervals: tuple = ()
    tickets: tuple = ()
    calendars: Mapping[str, BusinessCalendar] | None = None
    ticket_summaries: Mapping[str, ticket_rules.TicketSummary] | None = None

    def calendar(self, name: str | None) -> BusinessCalendar | None:
        """A calendar by name; `24x7` is always there."""
        if name is None:
            return None
        found = (self.calendars or {}).get(name)
        return found if found is not None else (always_open() if name == "24x7" else None)


def attainment(
    metric: Metric,
    result: MetricResult,
    window: tuple[dt.datetime, dt.datetime],
    timezone: str,
    intervals=(),
    *,
    tickets=(),
    calendars: Mapping[str, BusinessCalendar] | None = None,
    ticket_summaries: Mapping[str, ticket_rules.TicketSummary] | None = None,
) -> Attainment:
    """The attainment of one metric in one period, by the rule of its measure's kind."""
    given = MeasureInput(metric, result, window, timezone, tuple(intervals), tuple(tickets), calendars, ticket_summaries)
    return ATTAINMENT[metric.measure.kind](given)


def _value(given: MeasureInput) -> Attainment:
    return Attainment("value", Fraction(given.result.value))


def _count(given: MeasureInput) -> Attainment:
    return Attainment("count", Fraction(given.result.count))


def _average(given: MeasureInput) -> Attainment:
    result = given.result
    if result.count == 0:
        return Attainment("average", None, empty=True, sum=result.sum, count=0)
    return Attainment("average", Fraction(result.sum) / result.count, sum=result.sum, count=result.count)


def _events(given: MeasureInput) -> Attainment:
    result = given.result
    if result.total == 0:
        return Attainment("events", None, empty=True, good=result.good, total=0)
    return Attainment("events", Fraction(result.good, result.total) * HUNDRED, good=result.good, total=result.total)


def _downtime(given: MeasureInput) -> Attainment:
    return downtime_attainment(
        given.metric, given.result.outages or [], given.window, given.timezone, given.calendar(given.metric.measure.calendar)
    )


def _intervals(given: MeasureInput) -> Attainment:
    return interval_attainment(given.metric, given.intervals, given.window)


def _tickets(given: MeasureInput) -> Attainment:
    summary = (given.ticket_summaries or {}).get(given.metric.id)
    return ticket_attainment(given.metric, given.tickets, given.window, given.calendar(given.metric.measure.calendar), summary)


def downtime_minutes(
    outages: list[Outage], window: tuple[dt.datetime, dt.datetime], timezone: str, minimum_minutes: Fraction, exclude_tags: frozenset[str]
) -> Fraction:
    """Minutes of counted downtime in the window (`downtime_stretches`, added up)."""
    return sum(
        (minutes_between(s, e) for s, e in downtime_stretches(outages, window, timezone, minimum_minutes, exclude_tags)), Fraction(0)
    )


def downtime_stretches(
    outages: list[Outage], window: tuple[dt.datetime, dt.datetime], timezone: str, minimum_minutes: Fraction, exclude_tags: frozenset[str]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The stretches of counted downtime in the window, in UTC.

    Outages that overlap or touch are one stretch of consecutive downtime: they are joined
    first, then the minimum applies to each stretch as it happened (its full length, also the
    part outside this period), then each is clipped to the window. So 10:00–10:06 and
    10:06–10:12 are 12 consecutive minutes, and overlapping outages count once."""
    start, end = (moment.astimezone(dt.UTC) for moment in window)
    # In UTC: times of one zone compare by their wall clocks, which repeat an hour in autumn.
    spans = sorted(
        (localize(outage.start, timezone).astimezone(dt.UTC), localize(outage.end, timezone).astimezone(dt.UTC))
        for outage in outages
        if not exclude_tags.intersection(outage.tags)
    )
    stretches: list[list[dt.datetime]] = []
    for s, e in spans:
        if stretches and s <= stretches[-1][1]:
            stretches[-1][1] = max(stretches[-1][1], e)
        else:
            stretches.append([s, e])
    counted = []
    for s, e in stretches:
        if minutes_between(s, e) < minimum_minutes:
            continue
        s, e = max(s, start), min(e, end)
        if e > s:
            counted.append((s, e))
    return counted


def downtime_attainment(
    metric: Metric, outages: list[Outage], window, timezone: str, calendar: BusinessCalendar | None = None
) -> Attainment:
    """Uptime % of the window; with a calendar (availability in service hours), only the minutes
    inside its hours count, for the window and for the downtime alike."""
    measure = metric.measure
    minimum, tags = Fraction(measure.minimum_outage_minutes), frozenset(measure.exclude_tags)
    if calendar is None:
        minutes = minutes_between(*window)
        down = downtime_minutes(outages, window, timezone, minimum, tags)
    else:
        minutes = calendar.business_time(*window)
        down = sum((calendar.business_time(s, e) for s, e in downtime_stretches(outages, window, timezone, minimum, tags)), Fraction(0))
    if minutes == 0:  # a window without service hours (a partial first period on a holiday): nothing to measure
        return Attainment("downtime", None, empty=True, down_minutes=down, window_minutes=minutes, calendar=calendar)
    value = (minutes - down) / minutes * HUNDRED
    return Attainment("downtime", value, down_minutes=down, window_minutes=minutes, calendar=calendar)


def ticket_summary(metric: Metric, tickets, window, calendar: BusinessCalendar | None) -> ticket_rules.TicketSummary:
    """A ticket metric's tickets of one period, judged: the one way the engine (and the loader,
    which computes it while reading a large export on several cores) gets them."""
    measure = metric.measure
    calendar = calendar or always_open()
    start, end = (int(moment.timestamp()) for moment in window)
    return ticket_rules.summarize(
        tickets,
        column=measure.select.column,
        values=frozenset(measure.select.values),
        target=ticket_rules.TicketTarget(measure.target),
        seconds=measure.within.seconds,
        calendar=calendar,
        period=(start, end),
        rule=ticket_rules.PeriodRule(measure.period_rule),
        met_at_deadline=measure.met_at_deadline,
    )


def ticket_attainment(metric: Metric, tickets, window, calendar: BusinessCalendar | None, summary=None) -> Attainment:
    """The share of tickets met (or a percentile or the average of their business durations), from
    the period's ticket export, or from its summary if the loader computed it (`ticket_summary`).
    The loader checks that the calendar exists."""
    measure = metric.measure
    calendar = calendar or always_open()
    if summary is None:
        summary = ticket_summary(metric, tickets, window, calendar)
    statistic = ticket_rules.Statistic(measure.statistic)
    if statistic is ticket_rules.Statistic.SHARE:
        value = ticket_rules.share(summary)
    else:
        seconds = (
            ticket_rules.percentile(summary.durations, Fraction(measure.percentile))
            if statistic is ticket_rules.Statistic.PERCENTILE
            else ticket_rules.average(summary.durations)
        )
        value = None if seconds is None else Fraction(seconds) / (60 if measure.duration_unit == "minutes" else 3600)
    return Attainment("tickets", value, empty=value is None, good=summary.met, total=summary.counted, tickets=summary, calendar=calendar)


def interval_attainment(metric: Metric, intervals, window) -> Attainment:
    """100% − the mean error rate over every interval of the window; an interval without requests counts 0%."""
    step = metric.measure.interval_minutes
    # Intervals are consecutive spans of `step` minutes of elapsed time from the start of the
    # window (the loader checks each row's start on the same grid, in UTC). A window that is not
    # a whole number of intervals (daily intervals in a DST month, a partial first day of 23
    # hours) has a last, shorter interval: it counts as one.
    slots = math.ceil(minutes_between(*window) / step)
    # Rows before the agreement took effect (a partial first period) do not count: the loader warns of them.
    counted = [row for row in intervals if row.start >= window[0]]
    rates = sum((Fraction(row.errors, row.requests) for row in counted if row.requests), Fraction(0))
    value = HUNDRED - rates / slots * HUNDRED
    with_errors = sum(1 for row in counted if row.errors)
    return Attainment("intervals", value, intervals_with_errors=with_errors, intervals=slots)


#: The one table of attainment rules, by `measure.kind`.
ATTAINMENT: dict[str, Callable[[MeasureInput], Attainment]] = {
    "value": _value,
    "count": _count,
    "average": _average,
    "events": _events,
    "downtime": _downtime,
    "intervals": _intervals,
    "tickets": _tickets,
}
