"""The ticket format: the `tickets` measure of a metric, and how an agreement's ticket exports read.

Ticket exports are CSV files as a ticket system writes them, one per period:
`agreements/<id>/tickets/<period>.csv` (one row per ticket), and for pauses either a status
log `tickets/<period>.status.csv` (ticket id, time, from, to) or a column of pauses. Which
column is which is said by `tickets:` in the agreement: a ready mapping (`zendesk`, `jira`),
a mapping file beside the exports, or the columns written out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from mkdocs_sla.core.fields import EmptyPeriod, Model, Number, Slug, Text
from mkdocs_sla.core.measuremodel import MeasureKind

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
StateName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TicketSelection(Model):
    """Which tickets a metric counts: those whose `column` holds one of `values`."""

    column: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(
        "priority", description="`priority`, or the name of a further column mapped under `tickets.columns.attributes`."
    )
    values: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=200)]], Field(min_length=1)] = Field(
        description="The values counted, as the export writes them, e.g. `[P1]` or `[urgent, high]`."
    )


class Within(Model):
    """A duration: exactly one of `minutes`, `hours`, `days` (days of 24 hours of the calendar's time)."""

    minutes: Annotated[Number, Field(gt=0, le=10_000_000)] | None = Field(None, description="Minutes.")
    hours: Annotated[Number, Field(gt=0, le=200_000)] | None = Field(None, description="Hours.")
    days: Annotated[Number, Field(gt=0, le=10_000)] | None = Field(None, description="Days of 24 hours.")

    @model_validator(mode="after")
    def _exactly_one(self) -> Within:
        if sum(v is not None for v in (self.minutes, self.hours, self.days)) != 1:
            raise ValueError("a duration takes exactly one of `minutes`, `hours` or `days`")
        return self

    @property
    def seconds(self) -> int:
        """The duration in whole seconds (a part of a second rounds up: the deadline never comes early)."""
        minutes = self.minutes if self.minutes is not None else (self.hours * 60 if self.hours is not None else self.days * 1440)
        seconds = Decimal(minutes) * 60
        whole = int(seconds)
        return whole + (seconds != whole)


class TicketsMeasure(MeasureKind):
    """Support tickets against a target, computed from the ticket export of each period.

    Per ticket: the deadline (creation + `within` on the `calendar`, the clock stopped during
    pauses and outside the calendar's hours), the business time taken, met or breached. The
    attainment is the share of tickets met (`statistic: share`, in %), or a percentile or the
    average of the business durations (in `duration_unit`)."""

    # No key of a results file applies (the tickets come from the period's export), no outages
    # are counted, and a share or a duration is never below 0 (MeasureKind's defaults).
    reads_tickets = True  # the period's ticket export, on a business calendar

    kind: Literal["tickets"] = Field(description="`tickets`.")
    select: TicketSelection = Field(description="Which tickets count, e.g. `{column: priority, values: [P1]}`.")
    target: Literal["first_response", "resolution"] = Field(description="What stops the clock: the first response or the resolution.")
    within: Within = Field(
        description="The target duration, in the calendar's time: `{hours: 8}` on a business calendar is 8 business hours."
    )
    calendar: Slug = Field(
        "24x7",
        description="The business calendar the clock runs on: a calendar of `agreements/calendars/` or of the agreement's `calendars:`; `24x7` counts every minute.",
    )
    pause_states: list[StateName] = Field(
        default_factory=list, description="States of the status log (or the pause columns) that stop the clock, e.g. `[pending, on-hold]`."
    )
    period_rule: Literal["created", "due"] = Field(
        "created", description="Which period a ticket counts in: the one it was `created` in, or the one its deadline falls `due` in."
    )
    met_at_deadline: bool = Field(True, description="Whether a response exactly at the deadline is met (the default) or breached.")
    statistic: Literal["share", "percentile", "average"] = Field(
        "share",
        description="`share`: tickets met ÷ tickets counted × 100; `percentile`: the duration within which `percentile` % of the tickets stopped; `average`: their mean duration.",
    )
    percentile: Annotated[Number, Field(gt=0, le=100)] | None = Field(None, description="For `statistic: percentile`: which one, e.g. 90.")
    duration_unit: Literal["minutes", "hours"] = Field(
        "hours", description="The unit of a percentile or average: business `minutes` or `hours`."
    )
    when_empty: EmptyPeriod = Field(
        EmptyPeriod.MET, description="How a period without counted tickets is judged. `missed` counts for remedies but earns no credit."
    )

    @model_validator(mode="after")
    def _percentile_given(self) -> TicketsMeasure:
        if (self.statistic == "percentile") != (self.percentile is not None):
            raise ValueError("`percentile` is given with `statistic: percentile`, and only then")
        return self

    @property
    def percent(self) -> bool:
        """Whether the attainment is a percentage (the share of tickets met)."""
        return self.statistic == "share"


class TicketColumns(Model):
    """The columns of a ticket export, by their header names."""

    id: ColumnName = Field(description="The ticket's id, unique within a period.")
    priority: ColumnName = Field(description="The ticket's priority.")
    created: ColumnName = Field(description="When the ticket was created.")
    first_response: ColumnName | None = Field(None, description="When the first response was given; empty while none was.")
    resolved: ColumnName | None = Field(None, description="When the ticket was resolved; empty while it is not.")
    pauses: ColumnName | None = Field(
        None, description="Pauses in one column: `start/end` ISO 8601 intervals separated by `;`, an empty end while still paused."
    )
    attributes: dict[Slug, ColumnName] = Field(
        default_factory=dict, description="Further columns that metrics select by (`select.column`), e.g. `{product: Product}`."
    )


class StatusLogColumns(Model):
    """The columns of a status-change log `tickets/<period>.status.csv`: one row per change of a ticket's state."""

    ticket: ColumnName = Field(description="The ticket's id, as in the ticket export.")
    at: ColumnName = Field(description="When the state changed.")
    from_state: ColumnName = Field(description="The state before the change (empty for the first).")
    to_state: ColumnName = Field(description="The state after the change.")


class TicketMapping(Model):
    """How the ticket exports read: their columns, their zone and their states."""

    columns: TicketColumns = Field(description="The export's columns.")
    status_log: StatusLogColumns | None = Field(None, description="The status log's columns, if pauses come from a status log.")
    timezone: Annotated[str, StringConstraints(min_length=1)] | None = Field(
        None,
        description="IANA zone of timestamps written without an offset. Without it, every timestamp must carry an offset (`Z`, `+01:00`). A local time the clocks skip is an error; one they repeat is read as the first, with a warning (write it with its offset to say which). Every ticket time lies within 10 years of its export's period.",
    )
    timestamp_format: Annotated[str, StringConstraints(min_length=2, max_length=100)] | None = Field(
        None, description="A `strftime` pattern for timestamps that are not ISO 8601, e.g. `%d/%b/%y %I:%M %p` (Jira's CSV export)."
    )
    priorities: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, description="Every priority the export may hold; by default those the metrics select. Any other is an error."
    )
    states: list[StateName] = Field(
        default_factory=list,
        description="Every state the status log may hold; any other is an error. Without it, a state that differs from a pause state only in case or spacing is an error, and a pause state that never occurs while a similar name does is a warning.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: expected an IANA name such as `UTC` or `Europe/Berlin`") from None
        return value


class TicketExports(Model):
    """`tickets:` of an agreement: which mapping its ticket exports follow.

    Exactly one of `mapping` (a ready mapping), `mapping_file` (a YAML file of a `TicketMapping`
    in `tickets/`) or `columns` (written out here, with the other keys of a mapping)."""

    mapping: Literal["zendesk", "jira"] | None = Field(None, description="A ready mapping: `zendesk` or `jira` (see the format reference).")
    mapping_file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.ya?ml$")] | None = Field(
        None, description="A mapping file in `tickets/` with the keys of a mapping (`columns`, `status_log`, `timezone`…)."
    )
    columns: TicketColumns | None = Field(None, description="The export's columns, written out.")
    status_log: StatusLogColumns | None = Field(None, description="The status log's columns.")
    timezone: Annotated[str, StringConstraints(min_length=1)] | None = Field(
        None, description="IANA zone of timestamps written without an offset (also with a ready mapping or a mapping file)."
    )
    timestamp_format: Annotated[str, StringConstraints(min_length=2, max_length=100)] | None = Field(
        None, description="A `strftime` pattern for timestamps that are not ISO 8601."
    )
    priorities: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = Field(
        default_factory=list, description="Every priority the export may hold; by default those the metrics select."
    )
    states: list[StateName] = Field(default_factory=list, description="Every state the status log may hold; by default the pause states.")
    note: Text | None = Field(None, description="Where the exports come from, in words. Markdown.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return TicketMapping._known_zone(value)

    @model_validator(mode="after")
    def _one_source(self) -> TicketExports:
        if sum(v is not None for v in (self.mapping, self.mapping_file, self.columns)) != 1:
            raise ValueError("`tickets` takes exactly one of `mapping` (zendesk, jira), `mapping_file` or `columns`")
        return self
