"""The measures of a metric (`measure:`), one class per `kind`: what a period's results give,
and how the attainment is worked out of them (`core.measures` computes it).

Part of the agreement format, kept apart from `core.model` (which re-exports every name here)
so that the ticket measure (`core.ticketformat`) declares itself as every other one does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mkdocs_sla.core.fields import EmptyPeriod, Model, NonNegative, Number, Slug, Weekday


class MeasureKind(Model):
    """What every measure declares about itself, read by the loader, the engine and the schema.

    `result_keys`: the keys of a period's results that apply to the measure; `required_keys`: those a
    results file must give; `percent`: whether the attainment is a percentage (0..100; None: as the
    metric's unit says) and `floor` its lowest possible value (None: unbounded), one answer per kind
    for the loader's checks, the tiers' domain and the comparison of versions; `counts_outages`: downtime
    comes from outages, to which the minimum outage and maintenance windows apply; `reads_log`: the
    outages come from `outages:` in the results and from the agreement's outage log (with a log,
    `outages:` may be left out); `reads_tickets`: the attainment comes from the period's ticket
    export, which the loader reads for it."""

    result_keys: ClassVar[frozenset[str]] = frozenset()
    required_keys: ClassVar[frozenset[str]] = frozenset()
    percent: ClassVar[bool | None] = False
    floor: ClassVar[Fraction | None] = Fraction(0)
    counts_outages: ClassVar[bool] = False
    reads_log: ClassVar[bool] = False
    reads_tickets: ClassVar[bool] = False


class ValueMeasure(MeasureKind):
    """The period's figure is reported directly (`value:` in the results)."""

    result_keys = required_keys = frozenset({"value"})
    percent = None  # as its unit says: a figure reported in `%` is a percentage
    floor = None  # a reported figure may be negative (a net score)
    kind: Literal["value"] = Field(description="`value`.")


class CountMeasure(MeasureKind):
    """A count reported for the period (`count:` in the results), e.g. qualified leads delivered."""

    result_keys = required_keys = frozenset({"count"})
    kind: Literal["count"] = Field(description="`count`.")


class AverageMeasure(MeasureKind):
    """An average from a sum and a count (`sum:` and `count:` in the results), e.g. follow-up attempts per lead."""

    result_keys = required_keys = frozenset({"sum", "count"})
    kind: Literal["average"] = Field(description="`average`.")
    when_empty: EmptyPeriod = Field(
        EmptyPeriod.MET,
        description="How a period with count 0 is judged. `missed` counts for remedies (escalation, chronic failure) but earns no credit: with no attainment there is no tier or shortfall.",
    )


class ServiceHours(Model):
    """The hours in which a service is measured, in the agreement's time zone (a business-hours service).

    Minutes outside them count neither as measured minutes nor as downtime."""

    days: list[Weekday] = Field(min_length=1, description="The weekdays, e.g. `[monday, tuesday, wednesday, thursday, friday]`.")
    start: dt.time = Field(description="Local start of each day's hours, e.g. `08:00`.")
    end: dt.time = Field(description="Local end of each day's hours, after the start, e.g. `18:00`.")

    @field_validator("start", "end")
    @classmethod
    def _whole_minutes(cls, moment: dt.time, info: ValidationInfo) -> dt.time:
        # Measured on a calendar (core.calendars.weekly), whose hours are whole minutes of local time.
        if moment.second or moment.microsecond or moment.tzinfo is not None:
            raise ValueError(
                f"`{info.field_name}` has seconds or an offset; expected a whole minute of local time (the agreement's zone), `HH:MM` such as `08:00`"
            )
        return moment

    @model_validator(mode="after")
    def _end_after_start(self) -> ServiceHours:
        if self.end <= self.start:
            raise ValueError(f"service hours end ({self.end}) at or before they start ({self.start}); expected an end after the start")
        return self


class OutageMeasure(MeasureKind):
    """What the measures that count outages share: the minimum outage, service hours (and maintenance windows)."""

    percent = True
    counts_outages = True
    kind: str = Field(description="The measure.")  # first in every subclass, which narrows it to its own name
    minimum_outage_minutes: NonNegative = Field(
        Decimal(0),
        description="Only downtime of at least this many consecutive minutes counts (Google Cloud: 1 or 10 minutes): outages that overlap or touch are joined into one stretch first, and a stretch shorter than this does not count.",
    )
    service_hours: ServiceHours | None = Field(
        None, description="If given, only minutes within these hours are measured; outage minutes outside them do not count."
    )


class LoggedOutageMeasure(OutageMeasure):
    """A measure of logged outages (`outages:` in the results and the outage log), which carry tags."""

    reads_log = True
    exclude_tags: list[Slug] = Field(default_factory=list, description="Outages with any of these tags do not count, e.g. `maintenance`.")
    calendar: Slug | None = Field(
        None,
        description="Availability in service hours: only the minutes inside this business calendar's hours count, for the period and for the downtime. Without it, every minute counts.",
    )

    @model_validator(mode="after")
    def _one_kind_of_hours(self) -> LoggedOutageMeasure:
        # Both would be two answers to which minutes count; the calendar won and the service
        # hours were ignored without a word.
        if self.calendar is not None and self.service_hours is not None:
            raise ValueError(
                "the measure has both `service_hours` and a `calendar`; expected one of them (a calendar's hours can hold the service hours, with holidays)"
            )
        return self


class DowntimeMeasure(LoggedOutageMeasure):
    """Uptime % = (minutes − downtime minutes) / minutes × 100, from outages with start and end."""

    result_keys = required_keys = frozenset({"outages"})
    kind: Literal["downtime"] = Field(description="`downtime`.")


class AvailableMinutesMeasure(LoggedOutageMeasure):
    """Uptime % = (available minutes − downtime minutes) / available minutes × 100 (Azure).

    Available minutes are only the minutes the deployment ran (`running:` in the results: spans
    with start and end); downtime counts only within them."""

    result_keys = frozenset({"outages", "running"})
    required_keys = frozenset({"outages", "running"})
    kind: Literal["available_minutes"] = Field(description="`available_minutes`.")
    when_empty: EmptyPeriod = Field(
        EmptyPeriod.MET,
        description="How a period in which the deployment never ran is judged. `missed` counts for remedies but earns no credit.",
    )


class ErrorRateMinutesMeasure(OutageMeasure):
    """Uptime % = (minutes − down minutes) / minutes × 100, where an interval is down when its error
    rate (errors / requests × 100) exceeds `threshold` (GitHub Enterprise: 5%; Google: 10%).

    From interval counts (`intervals:` in the results, a CSV `start,requests,errors`, as for
    `intervals`). Consecutive down intervals form one outage, to which the minimum outage and the
    maintenance windows apply; an interval without requests, or missing from the data, is not down."""

    result_keys = required_keys = frozenset({"intervals"})
    kind: Literal["error_rate_minutes"] = Field(description="`error_rate_minutes`.")
    threshold: Annotated[Number, Field(ge=0, lt=100)] = Field(
        description="The error rate in % above which an interval is down (strictly above: 5 means more than 5% of requests failed)."
    )
    interval_minutes: Annotated[int, Field(gt=0, le=60)] = Field(
        1, description="Length of one interval in minutes of elapsed time (default 1: error-rate minutes), at most 60."
    )


class IntervalsMeasure(MeasureKind):
    """Uptime % = 100 − mean error rate over fixed intervals (Amazon S3).

    Intervals are consecutive spans of `interval_minutes` of elapsed time from the start of the
    measured period (its first day at midnight in the agreement's time zone), the last one
    possibly shorter: daily intervals of a month with a clock change follow the elapsed hours,
    not local midnight. Intervals with no requests, and intervals missing from the data, count as 0% errors.
    """

    result_keys = required_keys = frozenset({"intervals"})
    percent = True
    kind: Literal["intervals"] = Field(description="`intervals`.")
    # At most a day, so that every period (a partial first one too) holds at least one interval.
    interval_minutes: Annotated[int, Field(gt=0, le=1440)] = Field(
        5,
        description="Length of one interval in minutes of elapsed time, at most 1440 (a day). Rows of the CSV start on this grid from the start of the period.",
    )


class EventsMeasure(MeasureKind):
    """Attainment % = good / total × 100 (`good:` and `total:` in the results), e.g. tickets answered within target."""

    result_keys = required_keys = frozenset({"good", "total"})
    percent = True
    kind: Literal["events"] = Field(description="`events`.")
    when_empty: EmptyPeriod = Field(
        EmptyPeriod.MET,
        description="How a period with no events is judged. `missed` counts for remedies (escalation, chronic failure) but earns no credit: with no attainment there is no tier or shortfall.",
    )
