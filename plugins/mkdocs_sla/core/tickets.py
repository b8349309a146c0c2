"""Tickets against a support target: deadline, business time taken, pauses, met or breached.

One rule per function, all on integer seconds since the epoch (the source layer turns the
export's timestamps into them), so results are exact and a million tickets stay cheap:

- `ticket_deadline`: when the target falls due, the clock stopped during pauses and outside
  the calendar's hours;
- `time_taken`: the business time from creation to the stop (first response or resolution),
  pauses left out, and the business time paused;
- `judge`: met, breached or still open;
- `in_period`: which period a ticket belongs to, by the agreement's rule;
- `summarize`: a period's counts, its breached tickets, and the attainment as a share, a
  percentile or an average of the durations.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from mkdocs_sla.core.calendars import BusinessCalendar

HUNDRED = Fraction(100)


class TicketStatus(enum.Enum):
    """Where one ticket stands against its target."""

    MET = "met"
    """Stopped (answered or resolved) at or before the deadline; at the deadline exactly only if the agreement counts that as met."""
    BREACHED = "breached"
    """Stopped after the deadline, or not stopped although the deadline passed before the period ended."""
    OPEN = "open"
    """Not stopped, and the deadline lies after the end of the period (or never comes, the clock being paused): not counted yet."""


class TicketTarget(enum.Enum):
    """Which moment stops a ticket's clock."""

    FIRST_RESPONSE = "first_response"
    """The first response of a person (the export's first-response time)."""
    RESOLUTION = "resolution"
    """The resolution (the export's resolved time)."""


class PeriodRule(enum.Enum):
    """Which period a ticket counts in."""

    CREATED = "created"
    """The period in which the ticket was created."""
    DUE = "due"
    """The period in which its deadline falls; a ticket without a deadline yet counts where it was created."""


class Statistic(enum.Enum):
    """What a ticket metric's attainment is."""

    SHARE = "share"
    """Tickets met / tickets counted × 100: "95% of P1 tickets answered within 30 minutes"."""
    PERCENTILE = "percentile"
    """The business duration within which the given percentage of the stopped tickets stopped (nearest rank)."""
    AVERAGE = "average"
    """The mean business duration of the stopped tickets."""


class Ticket(NamedTuple):
    """One row of a ticket export. Times are epoch seconds; `pauses` are sorted, without
    overlaps, each `(start, end)` with `end` None while the ticket is still paused.

    A named tuple: a year's export holds a million of them, and tuples are the cheapest
    immutable records to build and to send between processes."""

    id: str
    priority: str
    created: int
    first_response: int | None
    resolved: int | None
    pauses: tuple[tuple[int, int | None], ...] = ()
    row: int = 0  # the row in the export (1 is the header), for the evidence
    attributes: Mapping[str, str] | None = None  # further columns that metrics select by

    def value(self, column: str) -> str | None:
        """The value of a selection column: `priority` or a further mapped column."""
        if column == "priority":
            return self.priority
        return self.attributes.get(column) if self.attributes else None

    def stop(self, target: TicketTarget) -> int | None:
        """The moment that stops the clock for this target, if it came."""
        return self.first_response if target is TicketTarget.FIRST_RESPONSE else self.resolved


class TicketOutcome(NamedTuple):
    """One ticket judged against one target.

    `taken` is the business time from creation to the stop (to the end of the period when still
    open), pauses left out; `paused` is the business time the pauses took out before then. So
    `taken + paused` is the business time between creation and the stop."""

    ticket: Ticket
    status: TicketStatus
    deadline: int | None
    stop: int | None
    taken: int
    paused: int


@dataclass(frozen=True)
class TicketSummary:
    """A period's tickets for one metric: the counts, the breached tickets, and the durations."""

    met: int
    breached: int
    open: int
    elsewhere: int  # tickets of the export that the period rule puts in another period
    breaches: tuple[TicketOutcome, ...]  # the breached tickets, in order of creation
    durations: tuple[int, ...]  # business seconds taken by each stopped, counted ticket, sorted

    @property
    def counted(self) -> int:
        """Tickets judged in the period: met + breached (open tickets are not judged yet)."""
        return self.met + self.breached


def ticket_deadline(calendar: BusinessCalendar, start: int, seconds: int, pauses: Iterable[tuple[int, int | None]]) -> int | None:
    """The instant at which `seconds` of business time have run since `start`, the clock stopped
    during pauses. None while a pause that began before the deadline has not ended."""
    remaining, cursor = seconds, start
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= cursor:
            continue
        pause_start = max(pause_start, cursor)
        due = calendar.deadline(cursor, remaining)
        if due is None or due <= pause_start:
            return due
        remaining -= calendar.business_seconds(cursor, pause_start)
        if pause_end is None:
            return None
        cursor = pause_end
    return calendar.deadline(cursor, remaining)


def time_taken(calendar: BusinessCalendar, start: int, stop: int, pauses: Iterable[tuple[int, int | None]]) -> tuple[int, int]:
    """Business seconds from `start` to `stop` without the pauses, and the business seconds paused."""
    total = calendar.business_seconds(start, stop)
    paused = 0
    for pause_start, pause_end in pauses:
        end = stop if pause_end is None else min(pause_end, stop)
        paused += calendar.business_seconds(max(pause_start, start), end)
    return total - paused, paused


def judge(
    ticket: Ticket, target: TicketTarget, seconds: int, calendar: BusinessCalendar, until: int, met_at_deadline: bool = True
) -> TicketOutcome:
    """Met, breached or open: the ticket against a target of `seconds` business time on `calendar`.

    A stop exactly at the deadline is met unless the agreement says otherwise (`met_at_deadline`);
    a ticket not stopped is breached once its deadline passed before `until` (the end of the
    period), and open otherwise."""
    due = ticket_deadline(calendar, ticket.created, seconds, ticket.pauses)
    stop = ticket.stop(target)
    if stop is not None:
        taken, paused = time_taken(calendar, ticket.created, stop, ticket.pauses)
        on_time = due is None or stop < due or (met_at_deadline and stop == due)
        return TicketOutcome(ticket, TicketStatus.MET if on_time else TicketStatus.BREACHED, due, stop, taken, paused)
    taken, paused = time_taken(calendar, ticket.created, max(until, ticket.created), ticket.pauses)
    late = due is not None and (due < until if met_at_deadline else due <= until)
    return TicketOutcome(ticket, TicketStatus.BREACHED if late else TicketStatus.OPEN, due, None, taken, paused)


def in_period(outcome: TicketOutcome, rule: PeriodRule, start: int, end: int) -> bool:
    """Whether a judged ticket belongs to the period [start, end) by the agreement's rule."""
    if rule is PeriodRule.DUE and outcome.deadline is not None:
        return start <= outcome.deadline < end
    return start <= outcome.ticket.created < end


def select(tickets: Iterable[Ticket], column: str, values: frozenset[str]) -> list[Ticket]:
    """The tickets whose `column` holds one of `values`, in their order."""
    if column == "priority":
        return [t for t in tickets if t.priority in values]
    return [t for t in tickets if t.value(column) in values]


def summarize(
    tickets: Iterable[Ticket],
    *,
    column: str,
    values: frozenset[str],
    target: TicketTarget,
    seconds: int,
    calendar: BusinessCalendar,
    period: tuple[int, int],
    rule: PeriodRule = PeriodRule.CREATED,
    met_at_deadline: bool = True,
) -> TicketSummary:
    """The tickets a metric selects (`column` in `values`), judged, and counted in the period."""
    start, end = period
    met = breached = still_open = elsewhere = 0
    breaches: list[TicketOutcome] = []
    durations: list[int] = []
    first_response = target is TicketTarget.FIRST_RESPONSE
    for ticket in select(tickets, column, values):
        stop = ticket.first_response if first_response else ticket.resolved
        if stop is not None and not ticket.pauses and (rule is PeriodRule.CREATED or calendar.always_open):
            # The common case, a ticket stopped without pauses, in one pass over the calendar:
            # the same rules as `judge`, with the open time up to creation looked up once.
            if not start <= ticket.created < end and rule is PeriodRule.CREATED:
                elsewhere += 1
                continue
            due, taken = calendar.deadline_and_taken(ticket.created, seconds, stop)
            if rule is not PeriodRule.CREATED and not start <= due < end:
                elsewhere += 1
                continue
            if due is None or stop < due or (met_at_deadline and stop == due):
                met += 1
            else:
                breached += 1
                breaches.append(TicketOutcome(ticket, TicketStatus.BREACHED, due, stop, taken, 0))
            durations.append(taken)
            continue
        outcome = judge(ticket, target, seconds, calendar, end, met_at_deadline)
        if not in_period(outcome, rule, start, end):
            elsewhere += 1
            continue
        status = outcome.status
        if status is TicketStatus.MET:
            met += 1
        elif status is TicketStatus.BREACHED:
            breached += 1
            breaches.append(outcome)
        else:
            still_open += 1
            continue
        if outcome.stop is not None:
            durations.append(outcome.taken)
    breaches.sort(key=lambda o: (o.ticket.created, o.ticket.id))
    durations.sort()
    return TicketSummary(met, breached, still_open, elsewhere, tuple(breaches), tuple(durations))


def share(summary: TicketSummary) -> Fraction | None:
    """Tickets met / tickets counted × 100, exact; None for a period without counted tickets."""
    if summary.counted == 0:
        return None
    return Fraction(summary.met, summary.counted) * HUNDRED


def percentile(durations: tuple[int, ...], percent: Fraction) -> int | None:
    """The nearest-rank percentile of sorted durations: the smallest duration within which at least
    `percent` % of them lie. None without durations."""
    if not durations:
        return None
    rank = max(1, math.ceil(Fraction(percent) / HUNDRED * len(durations)))
    return durations[rank - 1]


def average(durations: tuple[int, ...]) -> Fraction | None:
    """The mean of the durations, exact; None without durations."""
    if not durations:
        return None
    return Fraction(sum(durations), len(durations))
