"""The format of what providers log beside the terms: outages (in results files and the outage log),
maintenance windows, the spans a deployment ran and the reviews held. Re-exported by `core.model`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from mkdocs_sla.core.fields import Date, Model, Moment, NonNegative, Number, Slug, Text


class Outage(Model):
    """One outage of a metric that counts outages, in a results file or the outage log."""

    start: Moment = Field(description="Start, ISO 8601; without offset it is in the agreement's time zone.")
    end: Moment = Field(description="End, after the start.")
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, description="An identifier, e.g. the incident number of the status page."
    )
    tags: list[Slug] = Field(default_factory=list, description="Tags such as `maintenance`, matched by `exclude_tags`.")
    weight: Annotated[Number, Field(gt=0, le=100)] = Field(
        Decimal(100), description="A partial outage counts this % of its minutes (Statuspage style: 30); default 100."
    )
    note: Text | None = Field(None, description="What happened.")
    source: Text | None = Field(None, description="Where the entry comes from (a monitor, a status page, a collector run).")


class LoggedOutage(Outage):
    """One entry of the outage log: `outages.yaml` or `outages/*.yaml` beside `agreement.yaml`."""

    metrics: list[Slug] | None = Field(None, description="The metrics it applies to; by default every `downtime` metric of the agreement.")


class OutageLog(Model):
    """An outage log file: the outages of the agreement, independent of periods. The engine splits
    each at period boundaries in the agreement's time zone."""

    outages: list[LoggedOutage] = Field(description="The outages; an empty list: none.")


class MaintenanceFile(Model):
    """`maintenance.yaml` beside `agreement.yaml`: windows announced after the terms were written."""

    windows: list[MaintenanceWindow] = Field(description="The windows.")


class ReviewHeld(Model):
    """One review of the agreement the parties held. Holding a review changes nothing in the terms
    (a change of terms is a new version): it is recorded here, not by editing `review.last` of a
    version already published."""

    date: Date = Field(description="The day the review was held; the next is due `review.every_months` later.")
    note: Text | None = Field(None, description="What the review found or decided, in words. Markdown.")


class ReviewsFile(Model):
    """`reviews.yaml` beside `agreement.yaml`: the reviews held, oldest first. The next review is due
    `review.every_months` (of the terms in force) after the latest of these and the terms' `review.last`."""

    reviews: list[ReviewHeld] = Field(description="The reviews held, oldest first.")


class Running(Model):
    """A span during which the deployment ran (`available_minutes` measure)."""

    start: Moment = Field(description="Start, ISO 8601.")
    end: Moment = Field(description="End, after the start.")


class MaintenanceWindow(Model):
    """A maintenance window: one-off (`start` and `end`) or recurring (`start`, `rrule` and `duration_minutes`).

    Outage minutes inside a window do not count as downtime, but only in an occurrence that began at
    least the agreement's `maintenance.notice_days` after `announced`; an outage that overlaps a
    window in part counts outside it."""

    id: Slug = Field(description="Identifier, unique among the agreement's windows; shown on the page.")
    start: Moment = Field(
        description="Start of the window (one-off) or of its first occurrence (recurring), ISO 8601; without offset it is in the agreement's time zone, and a recurring window keeps its local time of day across clock changes."
    )
    end: Moment | None = Field(None, description="End of a one-off window, after its start.")
    rrule: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = Field(
        None,
        description="For a recurring window, an RFC 5545 recurrence rule without `DTSTART` (the window's `start` is the first occurrence), e.g. `FREQ=WEEKLY;BYDAY=SU`. A rule more frequent than daily needs `COUNT` or `UNTIL`.",
    )
    duration_minutes: Annotated[int, Field(gt=0, le=10_080)] | None = Field(
        None, description="Length of each occurrence of a recurring window, in minutes of elapsed time (at most a week)."
    )
    announced: Moment = Field(
        description="When the window was announced to the customer (a date, or a date and time); the notice runs from then to the start of each occurrence."
    )
    metrics: list[Slug] | None = Field(None, description="The metrics it applies to; by default every metric that counts outages.")
    note: Text | None = Field(None, description="What the maintenance is for.")

    @model_validator(mode="after")
    def _one_off_or_recurring(self) -> MaintenanceWindow:
        if self.rrule is None:
            if self.end is None or self.duration_minutes is not None:
                raise ValueError("a one-off window takes `start` and `end`; a recurring one `start`, `rrule` and `duration_minutes`")
        elif self.end is not None or self.duration_minutes is None:
            raise ValueError("a recurring window takes `start`, `rrule` and `duration_minutes` (not `end`)")
        return self


class Maintenance(Model):
    """Scheduled maintenance: the notice the agreement requires and the windows announced."""

    notice_days: NonNegative = Field(
        Decimal(0), description="Days of notice a window needs before it excludes outage minutes (AWS style: 5; 3 for 72 hours)."
    )
    windows: list[MaintenanceWindow] = Field(
        default_factory=list, description="Windows declared with the terms; more can be listed in `maintenance.yaml` beside them."
    )
