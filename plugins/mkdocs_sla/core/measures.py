"""Attainment: from a period's raw measurements to one exact number per metric.

One function per `measure.kind`, in the table `MEASURES`. All arithmetic is on `Fraction`, so
(44,640 − 15) / 44,640 × 100 stays exact and is rounded for display only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from mkdocs_sla.core import tickets as ticket_rules
from mkdocs_sla.core.calendars import BusinessCalendar, always_open, weekly
from mkdocs_sla.core.diagnostics import Position
from mkdocs_sla.core.evidence import DowntimeEvidence, count_downtime
from mkdocs_sla.core.fields import WEEKDAYS
from mkdocs_sla.core.maintenance import applies, occurrences
from mkdocs_sla.core.model import MaintenanceWindow, Metric, MetricResult, Outage, ServiceHours, Terms
from mkdocs_sla.core.outages import Entry
from mkdocs_sla.core.outages import entry as outage_entry
from mkdocs_sla.core.periods import Period, localize, minutes_between, zone

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
    evidence: DowntimeEvidence | None = None  # measures that count outages: each outage, counted and excluded
    tickets: ticket_rules.TicketSummary | None = None  # tickets: counts, breached tickets, durations
    calendar: BusinessCalendar | None = None  # tickets, downtime in service hours: the calendar the clock ran on


def measured_window(period: Period, terms: Terms, agreement_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The part of the period the agreement covers: a partial first period starts on the effective date."""
    start, end = period.bounds(terms.timezone)
    if agreement_start > period.start:
        start = dt.datetime.combine(agreement_start, dt.time(0), tzinfo=start.tzinfo)
    return start, end


@dataclass(frozen=True)
class Inputs:
    """What one metric's attainment in one period is computed from.

    `outages`: the outage log's entries with time in the window (whole, in UTC), for measures
    that read the log; `windows` and `notice_days`: the maintenance windows that apply and the
    notice they need; `intervals`: the interval series of the results."""

    metric: Metric
    result: MetricResult | None
    window: tuple[dt.datetime, dt.datetime]
    timezone: str
    intervals: tuple = ()
    outages: tuple[Entry, ...] = ()
    windows: tuple[MaintenanceWindow, ...] = ()
    notice_days: Decimal = Decimal(0)
    positions: tuple[Position, ...] = ()  # of the results' own `outages:`, in order
    tickets: tuple = ()  # the period's ticket export (tickets measures)
    calendars: Mapping[str, BusinessCalendar] | None = None  # the agreement's business calendars by name
    ticket_summaries: Mapping[str, ticket_rules.TicketSummary] | None = None  # judged by the loader, by metric id

    def calendar(self, name: str | None) -> BusinessCalendar | None:
        """A calendar by name; `24x7` is always there."""
        if name is None:
            return None
        found = (self.calendars or {}).get(name)
        return found if found is not None else (always_open() if name == "24x7" else None)


def attainment(
    metric: Metric, result: MetricResult | None, window: tuple[dt.datetime, dt.datetime], timezone: str, intervals=(), **more
) -> Attainment:
    """The attainment of one metric in one period, by the rule of its measure's kind (`MEASURES`).

    `more` takes the rest of `Inputs` (`outages`, `windows`, `notice_days`, `positions`,
    `tickets`, `calendars`, `ticket_summaries`)."""
    inputs = Inputs(metric, result, window, timezone, tuple(intervals), **more)
    return MEASURES[metric.measure.kind](inputs)


def _value(i: Inputs) -> Attainment:
    return Attainment("value", Fraction(i.result.value))


def _count(i: Inputs) -> Attainment:
    return Attainment("count", Fraction(i.result.count))


def _average(i: Inputs) -> Attainment:
    result = i.result
    if result.count == 0:
        return Attainment("average", None, empty=True, sum=result.sum, count=0)
    return Attainment("average", Fraction(result.sum) / result.count, sum=result.sum, count=result.count)


def _events(i: Inputs) -> Attainment:
    result = i.result
    if result.total == 0:
        return Attainment("events", None, empty=True, good=result.good, total=0)
    return Attainment("events", Fraction(result.good, result.total) * HUNDRED, good=result.good, total=result.total)


def _entries(i: Inputs) -> list[Entry]:
    """The period's outages of a metric: its results' `outages:` and the log's entries for it."""
    listed = (i.result.outages or []) if i.result is not None else []
    own = [outage_entry(o, i.timezone, i.positions[n] if n < len(i.positions) else None) for n, o in enumerate(listed)]
    return own + [e for e in i.outages if e.applies_to(i.metric.id)]


def _evidence(i: Inputs, entries: list[Entry], running=None) -> DowntimeEvidence:
    measure = i.metric.measure
    if entries:
        low = min(min(e.start for e in entries), i.window[0])
        high = max(max(e.end for e in entries), i.window[1])
    else:
        low, high = i.window
    windows = [w for w in i.windows if applies(w, i.metric.id)]
    calendar = i.calendar(getattr(measure, "calendar", None))
    if calendar is None and measure.service_hours is not None:
        calendar = service_calendar(measure.service_hours, i.timezone)
    hours = calendar_spans(calendar, i.window) if calendar is not None else None
    return count_downtime(
        entries,
        i.window,
        minimum_minutes=Fraction(measure.minimum_outage_minutes),
        exclude_tags=frozenset(getattr(measure, "exclude_tags", ())),
        occurrences=occurrences(windows, i.timezone, i.notice_days, low, high) if windows else (),
        running=running,
        hours=hours,
    )


def service_calendar(service: ServiceHours, timezone: str) -> BusinessCalendar:
    """The calendar of a metric's service hours, in the agreement's zone."""
    days = tuple(sorted({WEEKDAYS.index(d) for d in service.days}))
    return weekly(days, service.start.hour * 60 + service.start.minute, service.end.hour * 60 + service.end.minute, timezone)


def calendar_spans(calendar: BusinessCalendar, window: tuple[dt.datetime, dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """A business calendar's open hours within a window, in UTC: the service hours of a downtime
    metric measured on a calendar (holidays and closures included)."""
    start, end = (int(moment.timestamp()) for moment in window)
    tz = zone(calendar.timezone)  # the calendar's local dates, whatever the agreement's zone
    first = window[0].astimezone(tz).date() - dt.timedelta(days=1)
    last = window[1].astimezone(tz).date()
    spans = []
    day = first
    while day <= last:
        for s, e in calendar.open_spans(day):
            s, e = max(s, start), min(e, end)
            if e > s:
                spans.append((dt.datetime.fromtimestamp(s, dt.UTC), dt.datetime.fromtimestamp(e, dt.UTC)))
        day += dt.timedelta(days=1)
    return sorted(set(spans))


def _uptime(kind: str, evidence: DowntimeEvidence, calendar: BusinessCalendar | None = None) -> Attainment:
    minutes, down = evidence.measured_minutes, evidence.down_minutes
    if minutes == 0:  # a window without service hours (a partial first period on a holiday): nothing to measure
        return Attainment(kind, None, empty=True, down_minutes=down, window_minutes=minutes, evidence=evidence, calendar=calendar)
    value = (minutes - down) / minutes * HUNDRED
    return Attainment(kind, value, down_minutes=down, window_minutes=minutes, evidence=evidence, calendar=calendar)


def _downtime(i: Inputs) -> Attainment:
    return _uptime("downtime", _evidence(i, _entries(i)), i.calendar(i.metric.measure.calendar))


def _available_minutes(i: Inputs) -> Attainment:
    running = [(localize(r.start, i.timezone), localize(r.end, i.timezone)) for r in (i.result.running or [])] if i.result else []
    return _uptime("available_minutes", _evidence(i, _entries(i), running=running))


def _error_rate_minutes(i: Inputs) -> Attainment:
    """Down intervals (error rate strictly above the threshold) become outages, consecutive ones one outage."""
    measure = i.metric.measure
    step = dt.timedelta(minutes=measure.interval_minutes)
    threshold = Fraction(measure.threshold) / 100
    end = i.window[1].astimezone(dt.UTC)
    spans: list[list[dt.datetime]] = []
    for row in sorted(i.intervals, key=lambda r: r.start):
        if row.start < i.window[0] or not row.requests or Fraction(row.errors, row.requests) <= threshold:
            continue
        row_end = min(row.start + step, end)  # the last interval of a period may be shorter
        if spans and spans[-1][1] == row.start:
            spans[-1][1] = row_end
        else:
            spans.append([row.start, row_end])
    note = f"error rate above {measure.threshold}%"
    entries = [Entry(s, e, Outage(start=s, end=e, note=note)) for s, e in spans]
    return _uptime("error_rate_minutes", _evidence(i, entries))


def _intervals(i: Inputs) -> Attainment:
    return interval_attainment(i.metric, i.intervals, i.window)


def _tickets(i: Inputs) -> Attainment:
    summary = (i.ticket_summaries or {}).get(i.metric.id)
    return ticket_attainment(i.metric, i.tickets, i.window, i.calendar(i.metric.measure.calendar), summary)


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


MEASURES = {
    "value": _value,
    "count": _count,
    "average": _average,
    "events": _events,
    "downtime": _downtime,
    "available_minutes": _available_minutes,
    "error_rate_minutes": _error_rate_minutes,
    "intervals": _intervals,
    "tickets": _tickets,
}
"""The attainment rule of each measure kind: the one place a kind's arithmetic lives."""


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


def error_budget(metric: Metric, measured: Attainment) -> tuple[Fraction, Fraction] | None:
    """(allowed, used) of a period's error budget: what the objective lets go wrong and what did,
    in the measure's own counts: minutes down (`downtime`), bad events (`events`), points of mean
    error rate (`intervals`). None for other measures, for lower-is-better metrics and for empty
    periods: they have no budget to spend."""
    if metric.better != "higher" or measured.value is None:
        return None
    share = (HUNDRED - Fraction(metric.objective)) / HUNDRED
    if measured.evidence is not None and measured.window_minutes is not None and measured.down_minutes is not None:
        return measured.window_minutes * share, measured.down_minutes
    # Read from the counts the measure produced, not its kind: good of total (events, tickets),
    # a mean error rate over intervals.
    if measured.total and metric.is_percent:
        return measured.total * share, Fraction(measured.total - (measured.good or 0))
    if measured.intervals is not None:
        return HUNDRED - Fraction(metric.objective), HUNDRED - measured.value
    return None
