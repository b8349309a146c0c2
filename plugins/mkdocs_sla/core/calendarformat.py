"""The business calendar format: `agreements/calendars/<name>.yaml`, or `calendars:` inside an agreement.

A calendar names its zone, its working hours per weekday, its public holidays (a country and
subdivision of the `holidays` package), extra closed days, changed hours on named dates, and
optionally an iCalendar file of closures; or it is open around the clock (`always_open`).
`core.calendars.BusinessCalendar` is what the engine computes with; the loader builds it from this.
"""

from __future__ import annotations

import itertools
import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from mkdocs_sla.core.fields import WEEKDAYS, Date, Model, Text, TimeZone

HOURS_RE = re.compile(r"^(\d\d):(\d\d)\s*-\s*(\d\d):(\d\d)$")


def parse_hours(text: str) -> tuple[int, int]:
    """`08:00-18:00` as minutes from midnight, (480, 1080); 24:00 is the end of the day."""
    match = HOURS_RE.match(text.strip())
    if not match:
        raise ValueError(f"`{text}` is not a span of hours; expected `HH:MM-HH:MM` such as `08:00-18:00`")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hour, minute in ((h1, m1), (h2, m2)):
        if minute > 59 or hour > 24 or (hour == 24 and minute):
            raise ValueError(f"`{hour:02d}:{minute:02d}` is not a time of day; expected 00:00 to 24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(
            f"`{text}` ends before it starts; expected a span within one day, such as `08:00-18:00` (24:00 is midnight at its end)"
        )
    return start, end


def _valid_hours(text: str) -> str:
    parse_hours(text)
    return text


HoursText = Annotated[str, AfterValidator(_valid_hours)]


def _no_overlap(spans: list[str]) -> list[str]:
    ordered = sorted((parse_hours(s), s) for s in spans)
    for (a, a_text), (b, b_text) in itertools.pairwise(ordered):
        if b[0] < a[1]:
            raise ValueError(
                f"the hours `{a_text}` and `{b_text}` overlap; expected separate spans, such as `08:00-12:00` and `13:00-17:00`"
            )
    return spans


DayHours = Annotated[list[HoursText], AfterValidator(_no_overlap)]


class WeekHours(Model):
    """Working hours per weekday, each a list of spans `HH:MM-HH:MM` in the calendar's zone; a day left out is closed."""

    monday: DayHours = Field(default_factory=list, description="Monday's hours, e.g. `[08:00-18:00]`.")
    tuesday: DayHours = Field(default_factory=list, description="Tuesday's hours.")
    wednesday: DayHours = Field(default_factory=list, description="Wednesday's hours.")
    thursday: DayHours = Field(default_factory=list, description="Thursday's hours.")
    friday: DayHours = Field(default_factory=list, description="Friday's hours.")
    saturday: DayHours = Field(default_factory=list, description="Saturday's hours.")
    sunday: DayHours = Field(default_factory=list, description="Sunday's hours.")


class PublicHolidays(Model):
    """Public holidays of a country (and one of its subdivisions), as the `holidays` package knows them."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2,3}$")] = Field(description="ISO 3166 country code, e.g. `DE`.")
    subdivision: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = Field(
        None, description="Subdivision code of the country, e.g. `BE` (Berlin); its own holidays are added to the country's."
    )


class CalendarDefinition(Model):
    """A business calendar: when the clock of a support target runs."""

    name: Text | None = Field(None, description="Display name, e.g. `Berlin office hours`.")
    timezone: TimeZone = Field("UTC", description="IANA time zone of the hours.")
    always_open: bool = Field(False, description="24×7: every minute counts; no hours, holidays or closures then.")
    hours: WeekHours | None = Field(None, description="Working hours per weekday.")
    holidays: PublicHolidays | None = Field(None, description="Public holidays on which the calendar is closed.")
    closed: dict[Date, Text] = Field(
        default_factory=dict, description="Extra days closed all day, each with its reason: `2025-12-24: Christmas Eve`."
    )
    changed: dict[Date, Annotated[list[HoursText], AfterValidator(_no_overlap)]] = Field(
        default_factory=dict,
        description="Dates with other hours than their weekday's: `2025-12-23: [08:00-12:00]`; an empty list closes the day.",
    )
    closures: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.ics$")] | None = Field(
        None,
        description="An iCalendar file of closures beside the calendar file: every event closes the calendar while it lasts (from `DTSTART` to `DTEND` or for its `DURATION`), in the years 1900 to 2999. Repeating events (`RRULE`, `RDATE`, `EXDATE`, `EXRULE`) are refused: list each closure.",
    )

    @model_validator(mode="after")
    def _hours_or_always_open(self) -> CalendarDefinition:
        if self.always_open and (self.hours or self.holidays or self.closed or self.changed or self.closures):
            raise ValueError("an `always_open` calendar takes no `hours`, `holidays`, `closed`, `changed` or `closures`")
        if not self.always_open and self.hours is None:
            raise ValueError("a calendar needs `hours` (per weekday), or `always_open: true` for 24×7")
        if self.hours is not None and not any(getattr(self.hours, day) for day in WEEKDAYS):
            raise ValueError("the calendar has no working hours on any weekday; expected hours on at least one day")
        return self
