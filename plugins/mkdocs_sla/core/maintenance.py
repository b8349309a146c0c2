"""Maintenance windows: their occurrences in time, and whether each was announced with enough notice.

A one-off window occurs once; a recurring one at every start its RFC 5545 rule gives
(`dateutil.rrule`), expanded in the agreement's local time so that "Sundays 02:00" stays
02:00 across a clock change. An occurrence excludes outage minutes only if it began at least
the agreement's notice after the window was announced (`qualifies`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.rrule import DAILY, rrule, rrulestr

from mkdocs_sla.core.model import MaintenanceWindow
from mkdocs_sla.core.periods import localize, zone


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a maintenance window, in UTC, with the notice it was given and the notice required."""

    window: MaintenanceWindow
    start: dt.datetime
    end: dt.datetime
    announced: dt.datetime
    notice: dt.timedelta  # required by the agreement

    @property
    def given(self) -> dt.timedelta:
        """The notice given: from the announcement to the start of this occurrence."""
        return self.start - self.announced

    @property
    def qualifies(self) -> bool:
        """The rule: an occurrence excludes outage minutes only when announced at least the notice ahead."""
        return self.given >= self.notice


def required_notice(notice_days: Decimal) -> dt.timedelta:
    """The agreement's notice in elapsed time (`notice_days: 3` is 72 hours)."""
    return dt.timedelta(seconds=int(notice_days * 86_400))


def rule_problem(text: str) -> str | None:
    """What is wrong with a window's recurrence rule, or None: the rule must parse, must not bring its
    own `DTSTART` (the window's `start` is the first occurrence), and a rule more frequent than daily
    must end (`COUNT` or `UNTIL`): unbounded, it would take a slice of every hour forever."""
    if "DTSTART" in text.upper():
        return "the rule must not hold `DTSTART`: the window's `start` is its first occurrence"
    try:
        rule = _parse(text, dt.datetime(2000, 1, 1), "UTC")
    except (ValueError, TypeError, OverflowError) as exc:
        return f"not an RFC 5545 recurrence rule ({exc}); expected e.g. `FREQ=WEEKLY;BYDAY=SU`"
    if not isinstance(rule, rrule):
        return "expected one RRULE, not a set of rules or dates"
    if rule._freq > DAILY and rule._count is None and rule._until is None:
        return "a rule more frequent than daily needs `COUNT` or `UNTIL`"
    return None


def _parse(text: str, start: dt.datetime, timezone: str):
    """The rule from a naive local start; a rule whose `UNTIL` is in UTC (`...Z`) needs an aware start."""
    try:
        return rrulestr(text, dtstart=start.replace(tzinfo=None))
    except ValueError as exc:
        if "UTC" not in str(exc):
            raise
        return rrulestr(text, dtstart=start.replace(tzinfo=zone(timezone)))


@functools.lru_cache(maxsize=1024)
def _rule(text: str, start: dt.datetime, timezone: str):
    return _parse(text, start, timezone)


def occurrences(
    windows: Iterable[MaintenanceWindow], timezone: str, notice_days: Decimal, start: dt.datetime, end: dt.datetime
) -> list[Occurrence]:
    """Every occurrence of the windows that has time inside [start, end), sorted by start."""
    tz = zone(timezone)
    notice = required_notice(notice_days)
    start_utc, end_utc = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    found = []
    for window in windows:
        announced = localize(window.announced, timezone).astimezone(dt.UTC)
        first = localize(window.start, timezone)
        if window.rrule is None:
            spans = [(first, localize(window.end, timezone))]
        else:
            length = dt.timedelta(minutes=window.duration_minutes)
            local_first = first.astimezone(tz).replace(tzinfo=None)
            rule = _rule(window.rrule, local_first, timezone)
            # Local bounds with a day's margin for clock changes; the exact test is in UTC below.
            low = start_utc.astimezone(tz).replace(tzinfo=None) - length - dt.timedelta(days=1)
            high = end_utc.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
            if rule._dtstart.tzinfo is not None:
                low, high = low.replace(tzinfo=tz), high.replace(tzinfo=tz)
            starts = rule.between(low, high, inc=True)
            spans = [(s if s.tzinfo is not None else s.replace(tzinfo=tz), None) for s in starts]
            spans = [(s, s.astimezone(dt.UTC) + length) for s, _ in spans]
        for s, e in spans:
            s, e = s.astimezone(dt.UTC), e.astimezone(dt.UTC)
            if s < end_utc and e > start_utc:
                found.append(Occurrence(window, s, e, announced, notice))
    found.sort(key=lambda o: (o.start, o.window.id))
    return found


def applies(window: MaintenanceWindow, metric_id: str) -> bool:
    """Whether a window covers a metric: every metric that counts outages unless it names some."""
    return window.metrics is None or metric_id in window.metrics
