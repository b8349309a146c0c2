"""The building blocks of the format: the base model and the constrained types every file uses.

Kept apart from `core.model` so that the format's parts (terms, results, the outage log and
maintenance windows in `core.logmodel`) share them without importing each other.
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mkdocs_sla.core.diagnostics import CONTROL

SLUG = r"^[a-z0-9][a-z0-9-]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


def _one_line(value: str) -> str:
    """Labels shown inside headings, tables and charts (a unit, a version) are one line: a line
    break or a control character there has no reading, and could start a line of a page."""
    if CONTROL.search(value):
        raise ValueError(f"{value[:40]!r} holds a line break or control character; expected one line of text")
    return value


def _schema_pattern() -> str:
    """`CONTROL` as a JSON Schema pattern, so that an editor flags a line break in a label as the
    loader does. Surrogates are left out: a schema's regular expression reads UTF-16 code units,
    where they are the two halves of any character beyond the BMP (an emoji). The end is "no
    character follows", not `$`, which Python's `re` (the `jsonschema` package) also matches
    before a final line break: `unit: |` writes `%` and a line break."""
    body = CONTROL.pattern[1:-1].replace("\ud800-\udfff", "")
    escaped = "".join(c if c == "-" else f"\\u{ord(c):04x}" for c in body)
    return f"^[^{escaped}]*(?![\\s\\S])"


ONE_LINE = Field(json_schema_extra={"pattern": _schema_pattern()})

#: A unit (`%`, `ms`, `working hours`) and a version label (`2.1`): short, and one line.
Unit = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(_one_line), ONE_LINE]
VersionLabel = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_one_line), ONE_LINE]
# At most 40 significant digits (an exponent counts its zeros): `1e999999999` is an
# error here, not a billion-digit integer in the exact arithmetic.
Number = Annotated[Decimal, Field(max_digits=40)]
Percent = Annotated[Number, Field(ge=0, le=100)]
NonNegative = Annotated[Number, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]

# Years 1900 to 2999: room for any agreement, and far from the ends of Python's calendar
# (years 1 and 9999), where the next period, a review date or a time in UTC does not exist.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
Date = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def _within_years(moment: dt.datetime) -> dt.datetime:
    if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:
        raise ValueError(f"{moment.isoformat()} is out of range; expected a time in the years 1900 to 2999")
    return moment


Moment = Annotated[dt.datetime, AfterValidator(_within_years)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class EmptyPeriod(enum.StrEnum):
    """How a period with nothing to measure (no events, no items, no counted tickets) is judged:
    `when_empty` of a measure. Either way it earns no credit (no attainment, no tier); `missed`
    counts towards remedies such as chronic failure."""

    MET = "met"
    MISSED = "missed"


#: The days of the week, Monday first (the order of `datetime.date.weekday()`): the format's one
#: list of them, for service hours and a calendar's working hours alike.
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = typing.get_args(Weekday)


def _known_zone(value: str) -> str:
    """The rule for every time zone of the format: an IANA name the zone database knows."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}: expected an IANA name such as `UTC` or `Europe/Berlin`") from None
    return value


TimeZone = Annotated[str, StringConstraints(min_length=1), AfterValidator(_known_zone)]

#: The most digits of a count in a results file, as in an interval CSV: room for any real
#: count, and far from the sizes at which exact arithmetic and display slow down.
COUNT_DIGITS = 30


def _count_digits(value: int) -> int:
    if value >= 10**COUNT_DIGITS:
        raise ValueError(f"a count of {len(str(value))} digits; expected a whole number of at most {COUNT_DIGITS} digits")
    return value


Count = Annotated[int, Field(ge=0), AfterValidator(_count_digits)]


class Model(BaseModel):
    """Base: frozen, unknown keys rejected, no silent coercion of floats."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)
