"""The evidence of downtime: each outage of a period with its counted minutes, and every excluded minute with why.

`count_downtime` is the one rule by which outages become downtime minutes, for every
measure that counts outages (`downtime`, `available_minutes`, `error_rate_minutes`):

1. an outage with an excluded tag does not count (`Exclusion.TAG`);
2. its minutes inside a maintenance window announced with enough notice do not count
   (`Exclusion.MAINTENANCE`); a partial overlap splits the outage;
3. minutes already counted in an outage that overlaps it count once (`Exclusion.OVERLAP`);
4. what remains is joined into stretches of consecutive downtime (outages that touch join);
   a stretch shorter than the minimum outage, measured over its whole length (also the part
   in the neighbouring period), does not count (`Exclusion.MINIMUM_OUTAGE`);
5. each part is cut to the measured window (the period, or its part under the agreement);
   minutes in it outside the service hours (`Exclusion.OUTSIDE_SERVICE_HOURS`) or when the
   deployment did not run (`Exclusion.NOT_RUNNING`) do not count, and are not measured;
6. a partial outage counts `weight` % of its remaining minutes.

So a customer can recompute it: counted = (minutes − excluded minutes) × weight, and the
downtime of the period is the sum of the counted minutes.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.core.maintenance import Occurrence
from mkdocs_sla.core.outages import Entry
from mkdocs_sla.core.periods import minutes_between

ZERO = Fraction(0)
Span = tuple[dt.datetime, dt.datetime]


class Exclusion(enum.Enum):
    """Why minutes of an outage do not count as downtime."""

    TAG = "tag"
    """The outage carries a tag the measure excludes (`exclude_tags`), e.g. `maintenance`."""
    MAINTENANCE = "maintenance"
    """Inside a maintenance window announced at least the agreement's notice before it began."""
    OVERLAP = "overlap"
    """Already counted in another outage that overlaps it: overlapping outages count once."""
    MINIMUM_OUTAGE = "minimum_outage"
    """Part of a stretch of consecutive downtime shorter than the measure's minimum outage."""
    OUTSIDE_SERVICE_HOURS = "outside_service_hours"
    """Outside the measure's service hours (`service_hours`): those minutes are not measured."""
    NOT_RUNNING = "not_running"
    """Outside the minutes measured: the deployment was not running (`available_minutes`)."""


@dataclass(frozen=True)
class Excluded:
    """A part of an outage that does not count, and why (the tag or the window occurrence, if any)."""

    start: dt.datetime
    end: dt.datetime
    reason: Exclusion
    tag: str | None = None
    occurrence: Occurrence | None = None

    @property
    def minutes(self) -> Fraction:
        """The excluded minutes of the outage."""
        return minutes_between(self.start, self.end)


@dataclass(frozen=True)
class OutageEvidence:
    """One outage in one period: its part in the measured window, counted and excluded minutes."""

    entry: Entry
    start: dt.datetime
    end: dt.datetime
    counted: Fraction
    excluded: tuple[Excluded, ...]

    @property
    def minutes(self) -> Fraction:
        """The outage's minutes in the period."""
        return minutes_between(self.start, self.end)

    @property
    def excluded_minutes(self) -> Fraction:
        """The outage's minutes in the period that the agreement excludes, all reasons together."""
        return sum((x.minutes for x in self.excluded), ZERO)

    @property
    def weight(self) -> Fraction:
        """The share of its minutes the outage counts (a partial outage counts less than 1)."""
        return self.entry.weight


@dataclass(frozen=True)
class WindowEvidence:
    """One maintenance window occurrence in the period: what it excluded, or, announced too late, what it could not."""

    occurrence: Occurrence
    excluded_minutes: Fraction  # outage minutes it excluded in this period
    counted_inside: Fraction  # outage minutes inside it that still counted (not enough notice), unweighted


@dataclass(frozen=True)
class DowntimeEvidence:
    """Everything the downtime of one metric in one period rests on."""

    outages: tuple[OutageEvidence, ...]
    windows: tuple[WindowEvidence, ...]
    measured_minutes: Fraction
    down_minutes: Fraction


def _cut(parts: list[Span], hole: Span) -> tuple[list[Span], list[Span]]:
    """Parts less a hole, and the pieces of the parts inside the hole."""
    kept, inside = [], []
    for s, e in parts:
        if hole[1] <= s or hole[0] >= e:
            kept.append((s, e))
            continue
        if s < hole[0]:
            kept.append((s, hole[0]))
        inside.append((max(s, hole[0]), min(e, hole[1])))
        if hole[1] < e:
            kept.append((hole[1], e))
    return kept, inside


def _clip(span: Span, window: Span) -> Span | None:
    s, e = max(span[0], window[0]), min(span[1], window[1])
    return (s, e) if e > s else None


def measured_minutes(window: Span, running: Sequence[Span] | None, hours: Sequence[Span] | None = None) -> Fraction:
    """Minutes measured in the window: all of them, or those within the service hours and in
    which the deployment ran (joined, so overlapping spans count once)."""
    spans = [window]
    for limit in (hours, running):
        if limit is not None:
            spans = _intersection(spans, _joined(limit, window))
    return sum((minutes_between(s, e) for s, e in spans), ZERO)


def _intersection(a: list[Span], b: list[Span]) -> list[Span]:
    """The common parts of two sorted lists of disjoint spans."""
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if e > s:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _joined(spans: Sequence[Span], window: Span) -> list[Span]:
    clipped = sorted(c for c in (_clip(s, window) for s in spans) if c is not None)
    joined: list[list[dt.datetime]] = []
    for s, e in clipped:
        if joined and s <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], e)
        else:
            joined.append([s, e])
    return [(s, e) for s, e in joined]


def count_downtime(
    entries: Sequence[Entry],
    window: Span,
    *,
    minimum_minutes: Fraction = ZERO,
    exclude_tags: frozenset[str] = frozenset(),
    occurrences: Sequence[Occurrence] = (),
    running: Sequence[Span] | None = None,
    hours: Sequence[Span] | None = None,
) -> DowntimeEvidence:
    """The downtime of one metric in one measured window, with its evidence (the rule in the module's docstring).

    `entries` are the outages with time in the window, whole (not cut to the window), in UTC;
    `occurrences` the maintenance occurrences that apply to the metric, with or without notice;
    `running` the spans the deployment ran and `hours` the service hours, each None when it
    does not limit the minutes measured."""
    window = (window[0].astimezone(dt.UTC), window[1].astimezone(dt.UTC))
    qualifying = [o for o in occurrences if o.qualifies]
    ordered = sorted(range(len(entries)), key=lambda i: (entries[i].start, entries[i].end, i))
    excluded: dict[int, list[Excluded]] = {i: [] for i in ordered}
    live: list[tuple[dt.datetime, dt.datetime, int]] = []
    for i in ordered:
        e = entries[i]
        tag = next((t for t in e.tags if t in exclude_tags), None)
        if tag is not None:
            excluded[i].append(Excluded(e.start, e.end, Exclusion.TAG, tag=tag))
            continue
        parts = [(e.start, e.end)]
        for occ in qualifying:
            if occ.start >= e.end or occ.end <= e.start:
                continue
            parts, inside = _cut(parts, (occ.start, occ.end))
            excluded[i].extend(Excluded(s, t, Exclusion.MAINTENANCE, occurrence=occ) for s, t in inside)
        live.extend((s, t, i) for s, t in parts)
    live.sort()
    # Overlapping outages count once: the earlier one keeps the shared minutes.
    disjoint: list[tuple[dt.datetime, dt.datetime, int]] = []
    covered: dt.datetime | None = None
    for s, t, i in live:
        if covered is not None and s < covered:
            excluded[i].append(Excluded(s, min(t, covered), Exclusion.OVERLAP))
            s = covered
        if t > s:
            disjoint.append((s, t, i))
        covered = t if covered is None else max(covered, t)
    # Stretches of consecutive downtime, measured whole; the short ones do not count.
    counted_parts: list[tuple[dt.datetime, dt.datetime, int]] = []
    stretch: list[tuple[dt.datetime, dt.datetime, int]] = []

    def close(stretch):
        if stretch and minutes_between(stretch[0][0], stretch[-1][1]) < minimum_minutes:
            for s, t, i in stretch:
                excluded[i].append(Excluded(s, t, Exclusion.MINIMUM_OUTAGE))
        else:
            counted_parts.extend(stretch)

    for part in disjoint:
        if stretch and part[0] > stretch[-1][1]:
            close(stretch)
            stretch = []
        stretch.append(part)
    close(stretch)
    limits = [
        (_joined(spans, window), reason)
        for spans, reason in ((hours, Exclusion.OUTSIDE_SERVICE_HOURS), (running, Exclusion.NOT_RUNNING))
        if spans is not None
    ]
    counted: dict[int, list[Span]] = {i: [] for i in ordered}
    for s, t, i in counted_parts:
        clipped = _clip((s, t), window)
        if clipped is None:
            continue
        parts = [clipped]
        for spans, reason in limits:
            # The part of each piece inside the limit stays; the rest is not measured.
            outside = parts
            parts = []
            for span in spans:
                outside, inside = _cut(outside, span)
                parts.extend(inside)
            excluded[i].extend(Excluded(a, b, reason) for a, b in outside)
        counted[i].extend(parts)
    evidence = []
    for i in ordered:
        e = entries[i]
        part = _clip((e.start, e.end), window)
        if part is None:
            continue
        kept = []
        for x in excluded[i]:
            c = _clip((x.start, x.end), window)
            if c is not None:
                kept.append(Excluded(c[0], c[1], x.reason, x.tag, x.occurrence))
        kept.sort(key=lambda x: (x.start, x.end))
        minutes = sum((minutes_between(s, t) for s, t in counted[i]), ZERO)
        evidence.append(OutageEvidence(e, part[0], part[1], minutes * e.weight, tuple(kept)))
    windows = []
    for occ in occurrences:
        if _clip((occ.start, occ.end), window) is None:
            continue
        took = sum((x.minutes for o in evidence for x in o.excluded if x.occurrence is occ), ZERO)
        inside = ZERO
        if not occ.qualifies:
            for spans in counted.values():
                for s, t in spans:
                    c = _clip((s, t), (occ.start, occ.end))
                    inside += minutes_between(*c) if c else ZERO
        windows.append(WindowEvidence(occ, took, inside))
    down = sum((o.counted for o in evidence), ZERO)
    return DowntimeEvidence(tuple(evidence), tuple(windows), measured_minutes(window, running, hours), down)
