"""The outage log: outages independent of periods, split at period boundaries, and the rule on overlaps.

An outage is logged once, with its real start and end. The engine splits it at the
boundaries of the agreement's periods in the agreement's time zone, so an outage from
23:50 on the last day of a month to 00:20 counts 10 minutes in one period and 20 in the
next. Two entries for one metric that overlap (in the log, or one in the log and one in a
period's results file) are an error: the same minutes would be logged twice.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from mkdocs_sla.core.diagnostics import Position
from mkdocs_sla.core.model import Outage, Terms
from mkdocs_sla.core.periods import Period, PeriodKind, localize, zone

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One outage as the engine counts it: aware times in UTC, its tags, weight and origin.

    `metrics` None means every metric of the governing version that reads the outage log;
    `position` is where the entry stands (the log or a results file), None if unknown."""

    start: dt.datetime
    end: dt.datetime
    outage: Outage
    position: Position | None = None
    metrics: tuple[str, ...] | None = None
    logged: bool = False

    @property
    def tags(self) -> list[str]:
        """The outage's tags, which exclusions and measures match on."""
        return self.outage.tags

    @property
    def weight(self) -> Fraction:
        """The share of its minutes a partial outage counts, as a fraction of 1."""
        return Fraction(self.outage.weight) / 100

    def applies_to(self, metric_id: str) -> bool:
        """Whether the outage counts for the metric: an entry naming no metrics counts for all."""
        return self.metrics is None or metric_id in self.metrics


def entry(outage: Outage, timezone: str, position: Position | None = None, metrics=None, logged: bool = False) -> Entry:
    """An outage of the format as an entry: a time without offset is in the agreement's zone."""
    start = localize(outage.start, timezone).astimezone(dt.UTC)
    end = localize(outage.end, timezone).astimezone(dt.UTC)
    return Entry(start, end, outage, position, tuple(metrics) if metrics is not None else None, logged)


def periods_touched(start: dt.datetime, end: dt.datetime, kind: PeriodKind, timezone: str) -> list[Period]:
    """The periods an outage from `start` to `end` has minutes in, in the zone's calendar."""
    tz = zone(timezone)
    first = Period.containing(start.astimezone(tz).date(), kind)
    # The end is exclusive: an outage ending at midnight has no minute in the next period.
    last = Period.containing((end.astimezone(tz) - dt.timedelta(microseconds=1)).date(), kind)
    found = [first]
    while found[-1] < last:
        found.append(found[-1].next())
    return found


def split_at_periods(
    start: dt.datetime, end: dt.datetime, kind: PeriodKind, timezone: str
) -> list[tuple[Period, dt.datetime, dt.datetime]]:
    """The rule of the log: an outage's parts in each period it touches, cut at midnight of the
    periods' first days in the agreement's zone (compared in UTC, so a clock change never moves
    a minute from one period to another)."""
    parts = []
    for period in periods_touched(start, end, kind, timezone):
        low, high = period.bounds(timezone)
        s, e = max(start, low.astimezone(dt.UTC)), min(end, high.astimezone(dt.UTC))
        if e > s:
            parts.append((period, s, e))
    return parts


class Timeline:
    """Entries sorted by start, to find those touching a span in logarithmic time plus what is found.

    A busy service logs thousands of outages; each period asks only for its own."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries = sorted(entries, key=lambda e: (e.start, e.end))
        self._starts = [e.start for e in self.entries]
        self._longest = max((e.end - e.start for e in self.entries), default=dt.timedelta(0))

    def __len__(self) -> int:
        return len(self.entries)

    def touching(self, start: dt.datetime, end: dt.datetime) -> list[Entry]:
        """Entries with time inside [start, end): starting before `end` and ending after `start`."""
        low = bisect.bisect_left(self._starts, start - self._longest)
        high = bisect.bisect_left(self._starts, end)
        return [e for e in self.entries[low:high] if e.end > start]

    def periods(self, kind: PeriodKind, timezone: str) -> set[Period]:
        """Every period an entry has minutes in."""
        found: set[Period] = set()
        for e in self.entries:
            found.update(periods_touched(e.start, e.end, kind, timezone))
        return found


def overlapping(items: Sequence[T], span: Callable[[T], tuple[str, dt.datetime, dt.datetime]]) -> list[tuple[T, T]]:
    """The rule on duplicates: pairs of items logging the same minutes of one metric.

    `span(item)` gives (metric id, start, end). Two items overlap when one starts before the
    other ends; touching (one ends as the next starts) is not an overlap. Each item after the
    first of a run is paired with the earlier item that reaches furthest, so every overlap is
    reported once, in O(n log n)."""
    keyed = sorted(((*span(item), index) for index, item in enumerate(items)), key=lambda k: (k[0], k[1], k[2], k[3]))
    pairs = []
    reach: tuple[str, dt.datetime, int] | None = None  # metric, furthest end so far, its item
    for metric, start, end, index in keyed:
        if reach is not None and reach[0] == metric and start < reach[1]:
            pairs.append((items[reach[2]], items[index]))
        if reach is None or reach[0] != metric or end > reach[1]:
            reach = (metric, end, index)
    return pairs


def log_metrics(terms: Terms) -> list[str]:
    """The metrics of a version an outage log entry applies to by default: those that read the log."""
    return [m.id for m in terms.metrics if m.measure.reads_log]


def measured_by_log(measure, has_log: bool) -> bool:
    """A metric is measured by the outage log alone, without a result for the period, when the
    agreement keeps a log and the metric's measure needs nothing but outages (`downtime`)."""
    return has_log and measure.reads_log and measure.required_keys <= {"outages"}
