"""Attainment: from a period's raw measurements to one exact number per metric.

One function per `measure.kind`. All arithmetic is on `Fraction`, so
(44,640 − 15) / 44,640 × 100 stays exact and is rounded for display only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from .model import Agreement, Metric, MetricResult, Outage
from .display import minutes as _minutes
from .periods import Period, localize, minutes_between

HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Attainment:
    """The attainment of one metric in one period; `value` is None when nothing could be measured."""

    value: Fraction | None
    detail: str  # how it was measured, in words, for the periods table
    empty: bool = False  # no events or items in the period (judged by `when_empty`)


def measured_window(period: Period, terms: Agreement, agreement_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The part of the period the agreement covers: a partial first period starts on the effective date."""
    start, end = period.bounds(terms.timezone)
    if agreement_start > period.start:
        start = dt.datetime.combine(agreement_start, dt.time(0), tzinfo=start.tzinfo)
    return start, end


def attainment(metric: Metric, result: MetricResult, window: tuple[dt.datetime, dt.datetime], timezone: str, intervals=()) -> Attainment:
    kind = metric.measure.kind
    if kind == "value":
        return Attainment(Fraction(result.value), "reported")
    if kind == "count":
        return Attainment(Fraction(result.count), "counted")
    if kind == "average":
        if result.count == 0:
            return Attainment(None, "nothing to average", empty=True)
        return Attainment(Fraction(result.sum) / result.count, f"{result.sum} over {result.count}")
    if kind == "events":
        if result.total == 0:
            return Attainment(None, "no events", empty=True)
        return Attainment(Fraction(result.good, result.total) * HUNDRED, f"{result.good:,} of {result.total:,}")
    if kind == "downtime":
        return downtime_attainment(metric, result.outages or [], window, timezone)
    if kind == "intervals":
        return interval_attainment(metric, intervals, window)
    raise ValueError(f"unknown measure {kind}")  # the model admits no other kind


def downtime_minutes(outages: list[Outage], window: tuple[dt.datetime, dt.datetime], timezone: str,
                     minimum_minutes: Fraction, exclude_tags: frozenset[str]) -> Fraction:
    """Minutes of counted downtime in the window.

    Outages that overlap or touch are one stretch of consecutive downtime: they are joined
    first, then the minimum applies to each stretch as it happened (its full length, also the
    part outside this period), then each is clipped to the window. So 10:00–10:06 and
    10:06–10:12 are 12 consecutive minutes, and overlapping outages count once."""
    start, end = (moment.astimezone(dt.timezone.utc) for moment in window)
    # In UTC: times of one zone compare by their wall clocks, which repeat an hour in autumn.
    spans = sorted(
        (localize(outage.start, timezone).astimezone(dt.timezone.utc), localize(outage.end, timezone).astimezone(dt.timezone.utc))
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
    return Attainment(value, f"{_minutes(down)} of {_minutes(minutes)} minutes down")


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
    return Attainment(value, f"{with_errors:,} of {slots:,} intervals with errors")


