"""What changed in a `tickets` measure between two versions, and in a downtime metric's service hours.

A longer target, a new pause state or a deadline met exactly now counting as breached change
what the customer gets; the calendar, the selection and the period rule change how tickets are
counted, in a direction the words say and the reviewer judges.
"""

from __future__ import annotations

from mkdocs_sla.compare.changes import ADVERSE, FAVOURABLE, NEUTRAL, Change, _more
from mkdocs_sla.present.ticketwords import within_words


def ticket_measure_changes(out: list[Change], subject: str, name: str, a, b) -> None:
    """Changes between the `tickets` measures of metric versions `a` and `b`."""
    x, y = a.measure, b.measure
    if x.within.seconds != y.within.seconds:
        out.append(
            Change(
                "measure",
                subject + ".within",
                f"{name}: tickets are due within {within_words(b)} (was {within_words(a)})",
                _more(x.within.seconds, y.within.seconds, more_is=ADVERSE) if x.calendar == y.calendar else NEUTRAL,
            )
        )
    if x.calendar != y.calendar and x.within.seconds == y.within.seconds:
        out.append(
            Change("measure", subject + ".calendar", f"{name}: the clock runs on the calendar `{y.calendar}` (was `{x.calendar}`)", NEUTRAL)
        )
    for state in y.pause_states:
        if state not in x.pause_states:
            out.append(Change("measure", subject + ".pause_states", f"{name}: the clock now stops while a ticket is `{state}`", ADVERSE))
    for state in x.pause_states:
        if state not in y.pause_states:
            out.append(
                Change("measure", subject + ".pause_states", f"{name}: the clock no longer stops while a ticket is `{state}`", FAVOURABLE)
            )
    if x.met_at_deadline != y.met_at_deadline:
        words = "met" if y.met_at_deadline else "breached"
        out.append(
            Change(
                "measure",
                subject + ".met_at_deadline",
                f"{name}: a response exactly at the deadline is now {words}",
                ADVERSE if y.met_at_deadline else FAVOURABLE,
            )
        )
    for key, what in (
        ("select", "which tickets count"),
        ("target", "what stops the clock"),
        ("period_rule", "which period a ticket counts in"),
    ):
        if getattr(x, key) != getattr(y, key):
            out.append(Change("measure", f"{subject}.{key}", f"{name}: {what} changed", NEUTRAL))
    if (x.statistic, x.percentile, x.duration_unit) != (y.statistic, y.percentile, y.duration_unit):
        out.append(
            Change(
                "measure",
                subject + ".statistic",
                f"{name}: the attainment is now the {y.statistic} of the tickets (was {x.statistic})",
                NEUTRAL,
            )
        )


def service_hours_change(out: list[Change], subject: str, name: str, a, b) -> None:
    """A metric of logged outages (downtime, available minutes) that starts or stops counting only a calendar's hours."""
    x, y = a.measure.calendar, b.measure.calendar
    if x == y:
        return
    if y is None:
        words = f"{name}: every minute counts now (was only the hours of `{x}`)"
    elif x is None:
        words = f"{name}: only the minutes in the hours of the calendar `{y}` count now (was every minute)"
    else:
        words = f"{name}: only the minutes in the hours of the calendar `{y}` count (was `{x}`)"
    out.append(Change("measure", subject + ".calendar", words, NEUTRAL))
