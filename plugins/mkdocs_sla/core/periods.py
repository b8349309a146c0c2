"""Calendar periods (months and quarters) in an agreement's time zone."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from functools import lru_cache
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from mkdocs_sla.core.model import PERIOD_RE

PeriodKind = Literal["month", "quarter"]


class Period(NamedTuple):
    """A calendar month (`2026-10`) or quarter (`2026-Q4`).

    A named tuple rather than a dataclass: the engine makes hundreds of
    thousands of them for rolling windows, and tuples are cheap to build,
    hash and order.
    """

    year: int
    index: int  # month 1–12 or quarter 1–4
    kind: PeriodKind

    @classmethod
    def parse(cls, label: str) -> Period:
        """The period a label such as `2026-10` or `2026-Q4` names."""
        match = PERIOD_RE.match(label)
        if not match:
            raise ValueError(f"invalid period {label!r}: expected a month `YYYY-MM` or a quarter `YYYY-Qn`")
        year, month, quarter = match.groups()
        if month:
            return cls(int(year), int(month), "month")
        return cls(int(year), int(quarter), "quarter")

    @classmethod
    def containing(cls, day: dt.date, kind: PeriodKind) -> Period:
        """The month or quarter that contains a day."""
        if kind == "month":
            return cls(day.year, day.month, kind)
        return cls(day.year, (day.month - 1) // 3 + 1, kind)

    @property
    def label(self) -> str:
        """The period's label: `2026-10` for a month, `2026-Q4` for a quarter."""
        return f"{self.year}-{self.index:02d}" if self.kind == "month" else f"{self.year}-Q{self.index}"

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return f"Period({self.label!r})"

    @property
    def months(self) -> int:
        """How many months the period spans: 1 or 3."""
        return 1 if self.kind == "month" else 3

    @property
    def start(self) -> dt.date:
        """First day of the period."""
        month = self.index if self.kind == "month" else (self.index - 1) * 3 + 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """First day after the period."""
        return self.next().start

    @property
    def last_day(self) -> dt.date:
        """The period's last day."""
        return self.end - dt.timedelta(days=1)

    def has_ended_by(self, day: dt.date) -> bool:
        """Whether the period is over on `day`: from the day after its last day. The one rule for
        results of a running period, closed periods, and corrections of them."""
        return day >= self.end

    def next(self) -> Period:
        """The period right after this one."""
        last = 12 if self.kind == "month" else 4
        return Period(self.year + 1, 1, self.kind) if self.index == last else Period(self.year, self.index + 1, self.kind)

    def previous(self) -> Period:
        """The period right before this one."""
        last = 12 if self.kind == "month" else 4
        return Period(self.year - 1, last, self.kind) if self.index == 1 else Period(self.year, self.index - 1, self.kind)

    def offset(self, n: int) -> Period:
        """The period n periods later (or earlier, for negative n)."""
        per_year = 12 if self.kind == "month" else 4
        absolute = self.year * per_year + (self.index - 1) + n
        return Period(absolute // per_year, absolute % per_year + 1, self.kind)

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """Start and end as aware datetimes: midnight of the first day in the zone."""
        return _midnight(self.start, timezone), _midnight(self.end, timezone)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name (cached: every period and outage asks)."""
    return ZoneInfo(name)


def _midnight(day: dt.date, timezone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(timezone))


def minutes_between(start: dt.datetime, end: dt.datetime) -> Fraction:
    """Exact elapsed minutes; aware datetimes are compared in UTC, so a DST month has its real length."""
    delta = end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
    return Fraction(delta.days * 86_400 + delta.seconds, 60) + Fraction(delta.microseconds, 60_000_000)


def localize(moment: dt.datetime, timezone: str) -> dt.datetime:
    """A time without offset is read in the agreement's zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(timezone))
