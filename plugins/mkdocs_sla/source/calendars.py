"""Business calendars from files: `agreements/calendars/<name>.yaml`, an agreement's `calendars:`,
public holidays from the `holidays` package, closures from an iCalendar (.ics) file.

The core computes with plain data (`core.calendars.BusinessCalendar`); this module resolves
what needs the outside world: the holiday dates of the years an agreement needs, and the
events of an .ics file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
from pathlib import Path

import holidays

from mkdocs_sla.core.calendarformat import CalendarDefinition, parse_hours
from mkdocs_sla.core.calendars import BusinessCalendar, Hours, always_open
from mkdocs_sla.core.diagnostics import Diagnostics, Position, excerpt
from mkdocs_sla.core.fields import WEEKDAYS
from mkdocs_sla.core.periods import zone
from mkdocs_sla.source.fingerprints import file_state
from mkdocs_sla.source.yamlsource import display_base, parse, read_text

CALENDARS_DIR = "calendars"
# The years a closure may fall in: the format's (core.fields FIRST_DAY, LAST_DAY).
CLOSURE_YEARS = range(1900, 3000)
# Properties that add or take out occurrences of an event: a closure is one event, and applying
# only part of a repetition would misread it.
REPEATS = {"RRULE": "repeats", "RDATE": "has further dates", "EXRULE": "excludes a rule's dates", "EXDATE": "excludes dates"}


class SharedCalendar:
    """A calendar file of `agreements/calendars/`: its definition, where it is, and its folder (for an .ics file)."""

    def __init__(self, definition: CalendarDefinition, document, folder: Path):
        self.definition, self.document, self.folder = definition, document, folder


_CACHE: dict[tuple, tuple[dict, tuple]] = {}


def shared_calendars(root: Path, validate) -> tuple[dict[str, SharedCalendar | None], tuple]:
    """The calendars of `root/calendars/` by file name without `.yaml` (None for one with errors),
    and the errors found. Read once per state of the folder: every agreement of the tree asks for
    them, and the tree reports the errors once. `validate` is the loader's model validation."""
    from mkdocs_sla.source.load import display_path  # at call time: the loader imports this module

    folder = root / CALENDARS_DIR
    if os.path.islink(folder) or not folder.is_dir():
        return {}, ()  # a link is reported with the tree's top (load.agreement_folders), never read
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    # Sizes and times, and the bytes of a file edited just now: an edit within the clock's tick
    # that keeps the size would otherwise read as the calendar already in the cache.
    # And how files are named (yamlsource.names_for_site): the errors kept hold their names.
    key = (str(folder.resolve()), display_base(), tuple(file_state(p) for p in files))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    local = Diagnostics()
    found: dict[str, SharedCalendar | None] = {}
    for path in files:
        display = display_path(path)
        found[path.stem] = None
        text = read_text(path, display, local)
        if text is None:
            continue
        documents = parse(text, display, local)
        if len(documents) != 1:
            if documents or not local.errors:
                local.error(Position(display), f"a calendar file holds one YAML document; found {len(documents)}")
            continue
        definition = validate(CalendarDefinition, documents[0], local)
        if definition is not None:
            found[path.stem] = SharedCalendar(definition, documents[0], folder)
    result = (found, tuple(local.sorted()))
    _CACHE.clear()
    _CACHE[key] = result
    return result


def build_calendar(
    name: str,
    definition: CalendarDefinition,
    years: range,
    folder: Path,
    at: Position,
    diagnostics: Diagnostics,
    closures_at: Position | None = None,
) -> BusinessCalendar | None:
    """The engine's calendar from a definition: holidays of `years` resolved, the .ics read
    (`at`: where the holidays are named; `closures_at`: the `closures` key)."""
    if definition.always_open:
        return dataclasses.replace(always_open(name), title=definition.name)
    week = tuple(tuple(Hours(*parse_hours(s)) for s in getattr(definition.hours, day)) for day in WEEKDAYS)
    closed: dict[dt.date, str] = {}
    ok = True
    if definition.holidays is not None:
        found = public_holidays(definition.holidays.country, definition.holidays.subdivision, years, at, diagnostics)
        ok = found is not None
        closed.update(found or {})
    closed.update(definition.closed)
    closures: tuple[tuple[int, int], ...] = ()
    if definition.closures is not None:
        read = read_closures(folder / definition.closures, definition.timezone, closures_at or at, diagnostics, years)
        if read is None:
            ok = False
        else:
            days, closures = read
            for day, reason in days.items():
                closed.setdefault(day, reason)
    if not ok:
        return None
    changed = tuple(sorted((day, tuple(Hours(*parse_hours(s)) for s in spans)) for day, spans in definition.changed.items()))
    return BusinessCalendar(name, definition.timezone, week, changed, tuple(sorted(closed.items())), closures, title=definition.name)


def public_holidays(
    country: str, subdivision: str | None, years: range, at: Position, diagnostics: Diagnostics
) -> dict[dt.date, str] | None:
    """The public holidays of a country (and subdivision) in `years`, by date; None (and an error) if unknown."""
    supported = holidays.list_supported_countries()
    if country not in supported:
        close = difflib.get_close_matches(country, list(supported), n=1)
        hint = f"did you mean `{close[0]}`? " if close else ""
        diagnostics.error(
            at,
            f"unknown country `{country}` for public holidays; {hint}expected an ISO 3166 code the `holidays` package knows, such as `DE`",
        )
        return None
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(f"`{s}`" for s in supported[country]) or "none"
        diagnostics.error(at, f"unknown subdivision `{subdivision}` of `{country}` for public holidays; expected one of: {known}")
        return None
    found = holidays.country_holidays(country, subdiv=subdivision, years=years)
    return dict(sorted(found.items()))


def read_closures(path: Path, timezone: str, at: Position, diagnostics: Diagnostics, years: range | None = None):
    """Closures of an iCalendar file: all-day events close whole local days, timed events close
    their span. Returns (closed days by date, timed closures as epoch seconds), or None on error.

    Closed days are listed for `years` only, the years the agreement needs (as its public
    holidays are): an event over centuries is a few hundred days, not a million. Every error
    is at the event's `BEGIN:VEVENT` line."""
    import icalendar

    from mkdocs_sla.source.load import display_path

    display = display_path(path)
    if not os.path.lexists(path):
        diagnostics.error(
            at, f"closures file `{excerpt(path.name)}` not found beside the calendar; expected an iCalendar (.ics) file there"
        )
        return None
    text = read_text(path, display, diagnostics, what="iCalendar")
    if text is None:
        return None
    try:
        parsed = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        diagnostics.error(
            Position(display, 1, 1), f"not an iCalendar file: {excerpt(exc, 120)}; expected one BEGIN:VCALENDAR … END:VCALENDAR"
        )
        return None
    # icalendar keeps no line numbers: the events are in file order, as their BEGIN lines are.
    begins = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().upper() == "BEGIN:VEVENT"]
    events = list(parsed.walk("VEVENT"))
    if len(begins) != len(events):
        begins = [1] * len(events)
    days: dict[dt.date, str] = {}
    spans: list[tuple[int, int]] = []
    ok = True
    for index, (event, line) in enumerate(zip(events, begins, strict=True), start=1):
        read = _event(event, timezone)
        if isinstance(read, str):
            summary, uid = str(event.get("SUMMARY", "")), event.get("UID")
            name = f"event {index} (`{excerpt(summary or uid or 'without a summary')}`)"
            diagnostics.error(Position(display, line, 1), f"{name} {read}")
            ok = False
        elif isinstance(read[0], dt.date):
            first, end, summary = read
            if years is not None:  # only the days the agreement may ask about
                first = max(first, dt.date(years.start, 1, 1))
                end = min(end, dt.date(years.stop, 1, 1))
            day = first
            while day < end:
                days[day] = summary
                day += dt.timedelta(days=1)
        else:
            spans.append(read)
    return (days, tuple(sorted(spans))) if ok else None


def _event(event, timezone: str):
    """One event as (first day, day after the last, summary) or (start, end) in epoch seconds, or
    the words of what is wrong with it."""
    for key, words in REPEATS.items():
        if event.get(key) is not None:
            return f"{words} ({key}); expected one event per closure, without repetition"
    start, end = _when(event, "DTSTART"), _when(event, "DTEND")
    if not isinstance(start, dt.date) or (end is not None and not isinstance(end, dt.date)):
        # icalendar keeps a value it cannot read as text: say so, never compute with it.
        return "has no readable DTSTART or DTEND; expected dates (20260107) or times (20260107T120000)"
    for key, moment in (("DTSTART", start), ("DTEND", end)):
        tzid = event[key].params.get("TZID") if key in event else None
        if tzid is not None and isinstance(moment, dt.datetime) and moment.tzinfo is None:
            # icalendar reads a zone it does not know as no zone: the calendar's, silently.
            return (
                f"has an unknown time zone `{excerpt(tzid)}` ({key};TZID); "
                "expected an IANA zone such as Europe/Berlin, or a VTIMEZONE of that name in the file"
            )
    outside = f"is outside the years {CLOSURE_YEARS.start} to {CLOSURE_YEARS.stop - 1}; expected a closure within them"
    if start.year not in CLOSURE_YEARS:
        return outside
    timed = isinstance(start, dt.datetime)
    if event.get("DURATION") is not None:
        duration = _when(event, "DURATION")
        if end is not None:
            return "has both DTEND and DURATION; expected one of them"
        if not isinstance(duration, dt.timedelta):
            return "has no readable DURATION; expected a duration such as PT2H or P1D"
        if not timed and duration % dt.timedelta(days=1):
            return f"lasts whole days but has the DURATION {excerpt(event['DURATION'].to_ical().decode())}; expected whole days (P1D, P2W)"
        try:
            end = start + duration
        except OverflowError:
            return outside
    if end is not None and isinstance(end, dt.datetime) != timed:
        return "mixes a date and a date-time (DTSTART and its end); expected both dates (all-day) or both times"
    summary = str(event.get("SUMMARY", "closed"))
    if timed:
        if end is None:
            # RFC 5545 ends such an event where it starts, closing nothing; an hour was a guess.
            return "is timed but has neither DTEND nor DURATION; expected its end, or a DURATION such as PT2H"
        # Its last second: a closure may end at the first instant of the year after the last.
        last = end - dt.timedelta(seconds=1) if end.year > 1 else end
        if not _in_years(start, last):
            return outside
        s, e = (_aware(m, timezone) for m in (start, end))
        if e <= s:
            return "ends before it starts; expected its end after its start"
        return s, e
    end = end if end is not None else start + dt.timedelta(days=1)
    if end <= start:
        return "ends before it starts; expected its end (DTEND, the day after the last) after its start"
    if not _in_years(start, end - dt.timedelta(days=1)):
        return outside
    return start, end, summary


def _in_years(first: dt.date, last: dt.date) -> bool:
    """Whether a closure's first and last day (or instant) lie in the format's years."""
    return first.year in CLOSURE_YEARS and last.year in CLOSURE_YEARS


def _when(event, name: str):
    """An event's DTSTART or DTEND as a date or datetime; None if absent, the raw text if unreadable."""
    try:
        return event.decoded(name, None)
    except (ValueError, TypeError, AttributeError) as exc:
        return str(exc)


def _aware(moment: dt.datetime, timezone: str) -> int:
    """A time of an .ics event as epoch seconds; a floating time is in the calendar's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(timezone))
    return int(moment.timestamp())
