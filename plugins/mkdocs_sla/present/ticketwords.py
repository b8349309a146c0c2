"""Tickets and business calendars in words and as evidence rows, for the pages and the JSON.

Durations are business time, shown as hours and minutes rounded towards the worse side for the
customer's check: a time taken is rounded up, never down to meet a target it missed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from mkdocs_sla.core.calendars import BusinessCalendar, Hours
from mkdocs_sla.core.fields import WEEKDAYS
from mkdocs_sla.core.measures import Attainment
from mkdocs_sla.core.model import Metric
from mkdocs_sla.core.periods import zone
from mkdocs_sla.core.tickets import TicketOutcome

DAY_NAMES = tuple(day.capitalize() for day in WEEKDAYS)  # Monday first, as `date.weekday()` counts
TARGETS = {"first_response": "first response", "resolution": "resolution"}


def duration(seconds: int | None) -> str:
    """`3 h 05 min` (minutes rounded up: a time taken never looks shorter than it was)."""
    if seconds is None:
        return "—"
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def within_words(metric: Metric) -> str:
    """`8 business hours on berlin-office`, `30 minutes, 24×7`."""
    measure = metric.measure
    within = measure.within
    amount, unit = (
        (within.minutes, "minute")
        if within.minutes is not None
        else (within.hours, "hour")
        if within.hours is not None
        else (within.days, "day")
    )
    text = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
    plural = "" if text == "1" else "s"
    if measure.calendar == "24x7":
        return f"{text} {unit}{plural} (24×7)"
    return f"{text} business {unit}{plural} (calendar `{measure.calendar}`)"


def ticket_measure_words(metric: Metric) -> list[str]:
    """How a `tickets` metric is measured, in sentences."""
    measure = metric.measure
    column = "priority" if measure.select.column == "priority" else f"`{measure.select.column}`"
    values = ", ".join(f"`{v}`" for v in measure.select.values)
    words = [
        f"Tickets whose {column} is {values}: each is due within {within_words(metric)} of its creation; "
        f"its {TARGETS[measure.target]} stops the clock."
    ]
    if measure.calendar != "24x7":
        words.append("Outside the calendar's hours the clock stops; a ticket created outside them starts at the next opening.")
    if measure.pause_states:
        words.append(f"The clock also stops while a ticket is {' or '.join(f'`{s}`' for s in measure.pause_states)}.")
    exact = "met" if measure.met_at_deadline else "breached"
    words.append(f"A {TARGETS[measure.target]} exactly at the deadline is {exact}.")
    rule = "created in" if measure.period_rule == "created" else "due in"
    words.append(
        f"A ticket counts in the period it was {rule}; a ticket without {TARGETS[measure.target]} whose deadline passed by the end of "
        "the period is breached, one not yet due is open and not counted."
    )
    if measure.statistic == "share":
        words.append("Attainment = tickets met ÷ tickets counted × 100.")
    elif measure.statistic == "percentile":
        words.append(
            f"Attainment = the business time within which {measure.percentile}% of the counted tickets with a {TARGETS[measure.target]} "
            f"had one (nearest rank), in business {measure.duration_unit}."
        )
    else:
        words.append(
            f"Attainment = the average business time of the counted tickets with a {TARGETS[measure.target]}, in business {measure.duration_unit}."
        )
    words.append(f"A period without counted tickets counts as {measure.when_empty.value}.")
    return words


def tickets_measured_words(m: Attainment) -> str:
    """`412 of 430 tickets met; 3 open`."""
    summary = m.tickets
    if summary is None:
        return "not reported"
    text = f"{summary.met:,} of {summary.counted:,} tickets met" if summary.counted else "no tickets counted"
    if summary.open:
        text += f"; {summary.open:,} open, not yet due"
    if summary.elsewhere:
        text += f"; {summary.elsewhere:,} of the export count in another period"
    return text


def _moment(seconds: int | None, timezone: str) -> str:
    if seconds is None:
        return "—"
    return dt.datetime.fromtimestamp(seconds, zone(timezone)).strftime("%Y-%m-%d %H:%M:%S %z")


def breach_rows(m: Attainment, timezone: str) -> list[dict[str, Any]]:
    """The breached tickets of a period as rows: id, priority, created, deadline, stopped, business time taken, paused."""
    if m.tickets is None:
        return []
    return [breach_row(o, timezone) for o in m.tickets.breaches]


def breach_row(outcome: TicketOutcome, timezone: str) -> dict[str, Any]:
    """One breached ticket, with exact seconds beside the display forms."""
    return {
        "id": outcome.ticket.id,
        "priority": outcome.ticket.priority,
        "row": outcome.ticket.row,
        "created": _moment(outcome.ticket.created, timezone),
        "deadline": _moment(outcome.deadline, timezone),
        "stopped": _moment(outcome.stop, timezone),
        "taken": duration(outcome.taken),
        "taken_seconds": outcome.taken,
        "paused": duration(outcome.paused) if outcome.paused else "—",
        "paused_seconds": outcome.paused,
    }


def tickets_document(m: Attainment, timezone: str, ticket_file: str | None) -> dict[str, Any]:
    """The ticket evidence of one metric in one period, for the agreement's JSON."""
    summary = m.tickets
    return {
        "file": ticket_file,
        "calendar": m.calendar.name if m.calendar else None,
        "met": summary.met,
        "breached": summary.breached,
        "counted": summary.counted,
        "open": summary.open,
        "other_periods": summary.elsewhere,
        "breaches": breach_rows(m, timezone),
    }


def _hours(spans: tuple[Hours, ...]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}" for s, e in spans) or "closed"


def calendar_words(calendar: BusinessCalendar, title: str | None = None) -> list[str]:
    """A business calendar in sentences: hours per weekday, zone, holidays, closed days, changed hours, closures."""
    if calendar.always_open:
        return ["Open around the clock, every day of the year (24×7): every minute counts."]
    words = []
    groups: list[tuple[list[str], str]] = []
    for day, spans in zip(DAY_NAMES, calendar.week, strict=True):
        text = _hours(spans)
        if groups and groups[-1][1] == text:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    parts = [f"{days[0]}{' to ' + days[-1] if len(days) > 1 else ''}: {text}" for days, text in groups]
    words.append(f"Working hours in {calendar.timezone} time: " + "; ".join(parts) + ".")
    if calendar.closed:
        first, last = calendar.closed[0][0].year, calendar.closed[-1][0].year
        words.append(f"Closed on {len(calendar.closed)} days from {first} to {last} (public holidays and named closed days), listed below.")
    if calendar.changed:
        changed = "; ".join(f"{day.isoformat()}: {_hours(spans)}" for day, spans in calendar.changed)
        words.append(f"Other hours on: {changed}.")
    if calendar.closures:
        words.append(f"Closed for {len(calendar.closures)} further spans (an iCalendar file of closures).")
    return words


def closed_days(calendar: BusinessCalendar, years: range | None = None) -> list[tuple[str, str, str]]:
    """(date, weekday, reason) of the closed days, optionally of some years only."""
    return [(day.isoformat(), DAY_NAMES[day.weekday()], reason) for day, reason in calendar.closed if years is None or day.year in years]
