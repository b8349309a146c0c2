"""Attainment: from a period's raw measurements to one exact number per metric.

One function per `measure.kind`. All arithmetic is on `Fraction`, so
(44,640 − 15) / 44,640 × 100 stays exact and is rounded for display only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

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


def measured_window(period: Period, terms: Terms, agreement_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The part of the period the agreement covers: a partial first period starts on the effective date."""
    start, end = period.bounds(terms.timezone)
    if agreement_start > period.start:
        start = dt.datetime.combine(agreement_start, dt.time(0), tzinfo=start.tzinfo)
    return start, end


def attainment(metric: Metric, result: MetricResult, window: tuple[dt.datetime, dt.datetime], timezone: str, intervals=()) -> Attainment:
    kind = metric.measure.kind
    if kind == "value":
        return Attainment(kind, Fraction(result.value))
    if kind == "count":
        return Attainment(kind, Fraction(result.count))
    if kind == "average":
        if result.count == 0:
            return Attainment(kind, None, empty=True, sum=result.sum, count=0)
        return Attainment(kind, Fraction(result.sum) / result.count, sum=result.sum, count=result.count)
    if kind == "events":
        if result.total == 0:
            return Attainment(kind, None, empty=True, good=result.good, total=0)
        return Attainment(kind, Fraction(result.good, result.total) * HUNDRED, good=result.good, total=result.total)
    if kind == "downtime":
        return downtime_attainment(metric, result.outages or [], window, timezone)
    if kind == "intervals":
        return interval_attainment(metric, intervals, window)
    raise ValueError(f"unknown measure {kind}")  # the model admits no other kind


def downtime_minutes(
    outages: list[Outage], window: tuple[dt.datetime, dt.datetime], timezone: str, minimum_minutes: Fraction, exclude_tags: frozenset[str]
) -> Fraction:
    """Minutes of counted downtime in the window.

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
    total = Fraction(0)
    for s, e in stretches:
        if minutes_between(s, e) < minimum_minutes:
            continue
        s, e = max(s, start), min(e, end)
        if e > s:
            total += minutes_between(s, e)
    return total


def downtime_attainment(metric: Metric, outages: list[Outage], window, timezone: str) -> Attainment:
    measure = metric.measure
    minutes = minutes_between(*window)
    down = downtime_minutes(outages, window, timezone, Fraction(measure.minimum_outage_minutes), frozenset(measure.exclude_tags))
    value = (minutes - down) / minutes * HUNDRED
    return Attainment("downtime", value, down_minutes=down, window_minutes=minutes)


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
    if measured.kind == "downtime" and measured.window_minutes is not None and measured.down_minutes is not None:
        return measured.window_minutes * share, measured.down_minutes
    if measured.kind == "events" and measured.total:
        return measured.total * share, Fraction(measured.total - (measured.good or 0))
    if measured.kind == "intervals":
        return HUNDRED - Fraction(metric.objective), HUNDRED - measured.value
    return None
