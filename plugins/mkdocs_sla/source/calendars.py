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
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.fields import WEEKDAYS
from mkdocs_sla.core.periods import zone
from mkdocs_sla.source.fingerprints import file_state
from mkdocs_sla.source.yamlsource import display_base, parse, read_text

CALENDARS_DIR = "calendars"


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
    name: str, definition: CalendarDefinition, years: range, folder: Path, at: Position, diagnostics: Diagnostics
) -> BusinessCalendar | None:
    """The engine's calendar from a definition: holidays of `years` resolved, the .ics read."""
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
        read = read_closures(folder / definition.closures, definition.timezone, at, diagnostics)
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


def read_closures(path: Path, timezone: str, at: Position, diagnostics: Diagnostics):
    """Closures of an iCalendar file: all-day events close whole local days, timed events close
    their span. Returns (closed days by date, timed closures as epoch seconds), or None on error."""
    import icalendar

    from mkdocs_sla.source.load import display_path

    display = display_path(path)
    if not os.path.lexists(path):
        diagnostics.error(at, f"closures file `{path.name}` not found beside the calendar")
        return None
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    try:
        parsed = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        diagnostics.error(Position(display, 1, 1), f"not an iCalendar file: {exc}; expected BEGIN:VCALENDAR … END:VCALENDAR")
        return None
    days: dict[dt.date, str] = {}
    spans: list[tuple[int, int]] = []
    ok = True
    for index, event in enumerate(parsed.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "closed"))
        if event.get("RRULE") is not None:
            diagnostics.error(Position(display, 1, 1), f"event {index} (`{summary}`) repeats (RRULE); expected one event per closure")
            ok = False
            continue
        start, end = _when(event, "DTSTART"), _when(event, "DTEND")
        if not isinstance(start, dt.date) or (end is not None and not isinstance(end, dt.date)):
            # icalendar keeps a value it cannot read as text: say so, never compute with it.
            diagnostics.error(
                Position(display, 1, 1),
                f"event {index} (`{summary}`) has no readable DTSTART or DTEND; expected dates (20260107) or times (20260107T120000)",
            )
            ok = False
            continue
        if isinstance(start, dt.datetime):
            end = end if isinstance(end, dt.datetime) else start + dt.timedelta(hours=1)
            s, e = (_aware(m, timezone) for m in (start, end))
            if e <= s:
                diagnostics.error(Position(display, 1, 1), f"event {index} (`{summary}`) ends before it starts")
                ok = False
                continue
            spans.append((s, e))
        else:
            end = end if isinstance(end, dt.date) and not isinstance(end, dt.datetime) else start + dt.timedelta(days=1)
            day = start
            while day < end:
                days[day] = summary
                day += dt.timedelta(days=1)
    return (days, tuple(sorted(spans))) if ok else None


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
