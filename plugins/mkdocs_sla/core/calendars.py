"""Business calendars: when the clock of a support target runs, and how far it has run.

A calendar is data: working hours per weekday (several spans a day), an IANA zone,
closed days (public holidays, resolved by the source layer into plain dates, and extra
closed days), changed hours on named dates, timed closures (from an iCalendar file) and
"24×7". The two questions the engine asks are answered here, exactly, in integer seconds:

- `business_seconds(a, b)`: the open time between two instants;
- `deadline(a, seconds)`: the instant at which `seconds` of open time have passed since `a`.

Both work on a table of the calendar's open spans as instants (seconds since the epoch, in
UTC), built day by day from the local hours, so a day with a clock change has its real length
(08:00 to 18:00 is ten hours on every day, 00:00 to 24:00 is 23 or 25 hours on the two change
days). A cumulative sum over the spans turns both questions into one binary search each: no
loop over minutes or days per ticket.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from mkdocs_sla.core.periods import zone

MINUTES_PER_DAY = 1440
ALWAYS_OPEN = "24x7"
# A deadline is searched this many years beyond the start at most: a calendar open for at least
# one minute a year always reaches it; one that never opens has no deadline (None).
SEARCH_YEARS = 12


class Hours(NamedTuple):
    """One span of working hours in local time, in minutes from midnight: 08:00-18:00 is (480, 1080)."""

    start: int
    end: int  # at most 1440 (24:00)


@dataclass(frozen=True)
class BusinessCalendar:
    """A business calendar as data.

    `week` holds the working hours of Monday to Sunday; `changed` replaces them on named dates
    (an empty tuple is a closed day); `closed` names the days closed all day, each with its
    reason (a holiday's name, "closed"); `closures` are timed closures as UTC instants
    `(start, end)` in seconds since the epoch. `always_open` is 24×7: every second counts.
    """

    name: str
    timezone: str = "UTC"
    week: tuple[tuple[Hours, ...], ...] = ((),) * 7
    changed: tuple[tuple[dt.date, tuple[Hours, ...]], ...] = ()
    closed: tuple[tuple[dt.date, str], ...] = ()
    closures: tuple[tuple[int, int], ...] = ()
    always_open: bool = False
    title: str | None = None  # the display name, if the calendar has one
    _table: _Table = field(default=None, compare=False, repr=False, hash=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_table", _Table(self))

    # ---------------------------------------------------------------- days

    def hours_on(self, day: dt.date) -> tuple[Hours, ...]:
        """The working hours of one local date: changed hours, a closed day, or the weekday's hours."""
        return self._table.hours_on(day)

    def open_spans(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The open spans of one local date as UTC instants (epoch seconds), closures taken out; cached per date."""
        return self._table.day_spans(day)

    # ---------------------------------------------------------------- the two questions

    def business_seconds(self, start: int, end: int) -> int:
        """Open seconds between two instants (epoch seconds); 0 if `end` is not after `start`."""
        if end <= start:
            return 0
        if self.always_open:
            return end - start
        table = self._table
        table.cover(start, end)
        return table.cumulative(end) - table.cumulative(start)

    def deadline(self, start: int, seconds: int) -> int | None:
        """The first instant at which `seconds` of open time have passed since `start` (epoch seconds).

        The clock starts at the next opening when `start` is outside hours; a deadline reached at
        the end of a span is that end (18:00), not the next opening. None if the calendar never
        opens long enough within `SEARCH_YEARS` years."""
        if seconds <= 0:
            return start
        if self.always_open:
            return start + seconds
        table = self._table
        table.cover(start, start + 1)
        target = table.cumulative(start) + seconds
        while True:
            index = bisect.bisect_left(table.after, target)
            if index < len(table.after):
                return table.ends[index] - (table.after[index] - target)
            if not table.extend_forward(start):
                return None

    def deadline_and_taken(self, start: int, seconds: int, stop: int) -> tuple[int | None, int]:
        """`deadline(start, seconds)` and `business_seconds(start, stop)` at once (the engine asks
        both of every ticket): the open time up to `start` is looked up once."""
        if self.always_open:
            return start + seconds, max(stop - start, 0)
        table = self._table
        table.cover(start, max(stop, start + 1))
        before = table.cumulative(start)
        taken = table.cumulative(stop) - before if stop > start else 0
        if seconds <= 0:
            return start, taken
        target = before + seconds
        index = bisect.bisect_left(table.after, target)
        if index < len(table.after):
            return table.ends[index] - (table.after[index] - target), taken
        return self.deadline(start, seconds), taken

    # ---------------------------------------------------------------- for aware datetimes

    def business_time(self, start: dt.datetime, end: dt.datetime) -> Fraction:
        """Open minutes between two aware instants, exact (seconds as a fraction of a minute)."""
        return Fraction(self.business_seconds(_epoch(start), _epoch(end)), 60)

    def deadline_after(self, start: dt.datetime, minutes: int | Fraction) -> dt.datetime | None:
        """The aware instant (in the calendar's zone) at which `minutes` of open time have passed since `start`."""
        seconds = Fraction(minutes) * 60
        whole = int(seconds) + (seconds.denominator != 1)  # part of a second: the next whole second
        moment = self.deadline(_epoch(start), whole)
        return None if moment is None else dt.datetime.fromtimestamp(moment, zone(self.timezone))


def always_open(name: str = ALWAYS_OPEN) -> BusinessCalendar:
    """The 24×7 calendar: every second counts."""
    return BusinessCalendar(name, "UTC", ((Hours(0, MINUTES_PER_DAY),),) * 7, always_open=True)


@functools.lru_cache(maxsize=256)  # a long `mkdocs serve` meets few distinct service hours
def weekly(days: tuple[int, ...], start: int, end: int, timezone: str) -> BusinessCalendar:
    """Service hours as a calendar: `start` to `end` (minutes from local midnight) on each of
    `days` (0 = Monday) in `timezone`, no holidays. A business-hours downtime metric is measured
    on it, so its hours and a calendar's are one rule (a clock change moves them in UTC, never
    in local time)."""
    hours = (Hours(start, end),)
    week = tuple(hours if day in days else () for day in range(7))
    return BusinessCalendar("service hours", timezone, week)


def _epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("an instant needs an offset or a zone")
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return delta.days * 86_400 + delta.seconds


def local_instant(day: dt.date, minute: int, timezone: str) -> int:
    """Epoch seconds of a local wall time (`minute` from midnight, 1440 is the next midnight).

    A wall time skipped by a clock change (02:30 on the spring-forward night) is read with the
    offset before the change, as `zoneinfo` does; a span inside the skipped hour has no length."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + dt.timedelta(days=minute // MINUTES_PER_DAY), minute % MINUTES_PER_DAY
    moment = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone(timezone))
    return int(moment.timestamp())


class _Table:
    """The open spans of a calendar over a range of whole years, as sorted UTC instants, with
    the open seconds before each span's start (`before`) and at its end (`after`)."""

    def __init__(self, calendar: BusinessCalendar):
        self.calendar = calendar
        self.changed = dict(calendar.changed)
        self.closed = dict(calendar.closed)
        # The closures as disjoint sorted spans (overlapping ones joined: the same open time is
        # left), so a day finds the few that touch it by bisection, not by a look at every one.
        self.closures = _merged(calendar.closures)
        self.closure_starts = [s for s, _e in self.closures]
        self.days: dict[dt.date, tuple[tuple[int, int], ...]] = {}
        self.years: tuple[int, int] | None = None
        self.low, self.high = 0, -1  # the instants the table answers for (none yet)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []
        self.after: list[int] = []

    def hours_on(self, day: dt.date) -> tuple[Hours, ...]:
        if day in self.changed:
            return self.changed[day]
        if day in self.closed:
            return ()
        return self.calendar.week[day.weekday()]

    def day_spans(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        spans = self.days.get(day)
        if spans is None:
            timezone = self.calendar.timezone
            raw = [(local_instant(day, h.start, timezone), local_instant(day, h.end, timezone)) for h in self.hours_on(day)]
            spans = tuple(_subtract([(s, e) for s, e in raw if e > s], self.closures, self.closure_starts))
            self.days[day] = spans
        return spans

    def cover(self, start: int, end: int) -> None:
        """Make sure the table holds the years of both instants (and one on either side: a local day
        may begin or end in the neighbouring UTC year).

        A table that must grow grows by at least its own width on that side: instants met one
        after another further out (tickets years apart) rebuild it a few times, not once each,
        so the work stays linear in the years covered. A wider table answers the same: both
        questions are differences of open time within it."""
        if self.low <= start and end <= self.high:
            return
        first = dt.datetime.fromtimestamp(start, dt.UTC).year - 1
        last = dt.datetime.fromtimestamp(end, dt.UTC).year + 1
        if self.years is not None:
            low, high = self.years
            width = high - low + 1
            first = min(first, low - width) if first < low else low
            last = max(last, high + width) if last > high else high
        self._build(max(first, 1), min(last, 9998))

    def extend_forward(self, start: int) -> bool:
        """Grow the table by a year or more (its width, as `cover`), up to `SEARCH_YEARS` beyond
        `start`; False once it reaches that."""
        assert self.years is not None
        limit = dt.datetime.fromtimestamp(start, dt.UTC).year + SEARCH_YEARS
        low, high = self.years
        if high >= limit:
            return False
        self._build(low, min(max(high + 1, high + (high - low + 1)), limit, 9998))
        return True

    def _build(self, first: int, last: int) -> None:
        starts, ends, before, after = [], [], [], []
        total = 0
        day = dt.date(first, 1, 1)
        stop = dt.date(last, 12, 31)
        one = dt.timedelta(days=1)
        while day <= stop:
            for s, e in self.day_spans(day):
                if ends and s < ends[-1]:  # a span past midnight into the next day's first span: join
                    s = ends[-1]
                    if e <= s:
                        continue
                starts.append(s)
                ends.append(e)
                before.append(total)
                total += e - s
                after.append(total)
            day += one
        self.starts, self.ends, self.before, self.after = starts, ends, before, after
        self.years = (first, last)
        # The instants answered: from the first year's second day to the last year's second-to-last
        # (local days reach at most a day into the neighbouring UTC dates).
        self.low = int(dt.datetime(first, 1, 2, tzinfo=dt.UTC).timestamp())
        self.high = int(dt.datetime(last, 12, 30, tzinfo=dt.UTC).timestamp())

    def cumulative(self, moment: int) -> int:
        """Open seconds from the table's start to `moment`."""
        index = bisect.bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        return self.before[index] + min(moment, self.ends[index]) - self.starts[index]


def _merged(closures: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Closures sorted, overlapping and touching ones joined into one."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(closures):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _subtract(spans: list[tuple[int, int]], closures: list[tuple[int, int]], starts: list[int]) -> list[tuple[int, int]]:
    """The spans without the parts inside any closure (`closures` disjoint and sorted, `starts`
    their starts): only the closures from the last one starting before a span are looked at."""
    if not closures:
        return spans
    out = []
    for s, e in spans:
        index = max(bisect.bisect_right(starts, s) - 1, 0)
        while s < e and index < len(closures):
            cs, ce = closures[index]
            if cs >= e:
                break
            if ce > s:
                if cs > s:
                    out.append((s, cs))
                s = max(s, ce)
            index += 1
        if s < e:
            out.append((s, e))
    return out
