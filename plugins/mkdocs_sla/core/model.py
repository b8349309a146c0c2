"""The agreement file format (format 1), as typed, immutable models.

This module is the one definition of the format: the loader validates against
it, `sla schema` derives the JSON Schema from it, and the format reference page
is generated from the field descriptions below. Change a field here and all
three follow.

Numbers are `Decimal`, parsed from the YAML text itself (the loader never lets
YAML turn `99.99` into a float), so `99.99` means exactly 99.99.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from dateutil.relativedelta import relativedelta
from pydantic import Field, StringConstraints, model_validator

from mkdocs_sla.core.calendarformat import CalendarDefinition
from mkdocs_sla.core.creditmodel import (  # noqa: F401  (re-exported)
    CREDIT_MODELS,
    Allocation,
    Bounds,
    CreditModel,
    Credits,
    CreditTier,
    LinearCredits,
    PoolCredits,
    TieredCredits,
)
from mkdocs_sla.core.fields import (  # noqa: F401  (re-exported: the format's names stay in `core.model`)
    COUNT_DIGITS,
    FIRST_DAY,
    LAST_DAY,
    SLUG,
    Count,
    Date,
    EmptyPeriod,
    Model,
    Moment,
    NonNegative,
    NonNegativeInt,
    Number,
    Percent,
    PositiveInt,
    Slug,
    Text,
    TimeZone,
    Unit,
    VersionLabel,
    Weekday,
)
from mkdocs_sla.core.logmodel import (  # noqa: F401
    LoggedOutage,
    Maintenance,
    MaintenanceFile,
    MaintenanceWindow,
    Outage,
    OutageLog,
    ReviewHeld,
    ReviewsFile,
    Running,
)
from mkdocs_sla.core.measuremodel import (  # noqa: F401  (re-exported)
    AvailableMinutesMeasure,
    AverageMeasure,
    CountMeasure,
    DowntimeMeasure,
    ErrorRateMinutesMeasure,
    EventsMeasure,
    IntervalsMeasure,
    LoggedOutageMeasure,
    MeasureKind,
    OutageMeasure,
    ServiceHours,
    ValueMeasure,
)
from mkdocs_sla.core.ticketformat import TicketExports, TicketsMeasure

#: Agreement ids the site keeps for its own pages beside the agreement pages
#: (`<prefix>/index`, `<prefix>/metrics`, `<prefix>/credits`, `<prefix>/statements`): an agreement with such
#: an id would share their URL, so the loader refuses it and the site never meets one.
#: `services` is also the folder of the services (`agreements/services/<service>/`) and of
#: their pages (`<prefix>/services/<service>`), and `calendars` the folder of the shared
#: business calendars (`agreements/calendars/`), so no agreement may be named so.
RESERVED_IDS = frozenset({"index", "metrics", "credits", "statements", "services", "calendars"})

#: What the standard is followed at when an agreement takes every new version of it.
CURRENT_STANDARD = "current"


# ---------------------------------------------------------------- the terms


class Review(Model):
    """When the agreement is reviewed."""

    every_months: Annotated[int, Field(gt=0, le=120)] = Field(
        description="Months between reviews (real agreements: 12 to 24; at most 120)."
    )
    last: Date = Field(description="Date of the last review; the next is due `every_months` later.")

    @property
    def due(self) -> dt.date:
        """The next review: `every_months` after the last, on the same day of the month or
        the month's last day (a review on 31 January every month is due on 28 or 29 February)."""
        return self.last + relativedelta(months=self.every_months)


class Service(Model):
    """The service the agreement covers."""

    name: Text = Field(description="Name of the service.")
    scope: Text | None = Field(None, description="What is in scope (regions, plans, components). Markdown.")
    family: Text | None = Field(None, description="Service family, used to group the catalog.")


MEASURES = (
    ValueMeasure,
    CountMeasure,
    AverageMeasure,
    DowntimeMeasure,
    IntervalsMeasure,
    EventsMeasure,
    AvailableMinutesMeasure,
    ErrorRateMinutesMeasure,
    TicketsMeasure,
)
Measure = Annotated[
    ValueMeasure
    | CountMeasure
    | AverageMeasure
    | DowntimeMeasure
    | IntervalsMeasure
    | EventsMeasure
    | AvailableMinutesMeasure
    | ErrorRateMinutesMeasure
    | TicketsMeasure,
    Field(discriminator="kind"),
]


class Metric(Model):
    """A service level: what is measured, the objective, and the credit for missing it."""

    id: Slug = Field(description="Identifier, unique in the agreement; results name it.")
    name: Text = Field(description="Display name.")
    definition: Text = Field(description="What exactly is measured. Markdown. Shared definitions form the glossary.")
    glossary: Slug | None = Field(
        None,
        description="The metric's entry in the metrics glossary, a permanent address (`metrics/<glossary>/`) that rewording the definition does not move; metrics of several agreements that give the same one share the entry. Default: the metric's `id`.",
    )
    target: Text | None = Field(None, description="The per-event target counted as good, e.g. `first response within 1 hour, 24×7`.")
    unit: Unit = Field(description="Unit of the attainment: `%`, `leads`, `attempts`, `ms`… One line.")
    better: Literal["higher", "lower"] = Field(description="Whether a higher or a lower figure is better for the customer.")
    objective: Number = Field(
        description="The agreed level. Met when attainment is at or above it (`better: higher`) or at or below it (`better: lower`)."
    )
    objective_strict: bool = Field(
        False,
        description='If true, the objective is met only strictly above it (`better: higher`) or below it (`better: lower`), as in "uptime above 99.9%".',
    )
    measure: Measure = Field(description="How raw results become attainment.")
    credits: Credits | None = Field(None, description="The credit for missing the objective; none for a non-monetary metric.")
    # A percentage objective (`is_percent`) must lie in 0..100: checked by the loader,
    # which can point at the `objective:` line (a model validator only knows the metric).

    @property
    def is_percent(self) -> bool:
        """Whether the attainment is a percentage, in 0..100: measured as one (the measure's
        `percent`), or a figure reported in `%`. The one answer for the loader's checks, the
        tiers' domain and the comparison of versions."""
        percent = self.measure.percent
        return self.unit.strip() == "%" if percent is None else percent


class Deadline(Model):
    """By when a claim must reach the provider, counted from the end of the period."""

    # Bounded: real deadlines are weeks or a few billing cycles, and an unbounded number would
    # run past the calendar's end (year 9999) when the date is computed.
    days_after_period: Annotated[int, Field(gt=0, le=366)] | None = Field(
        None, description="N days after the period ends, at most 366 (Atlassian: 15, GitHub: 30)."
    )
    billing_cycles_after: Annotated[int, Field(gt=0, le=24)] | None = Field(
        None, description="By the end of the Nth billing cycle after the period, at most 24 (AWS: 2, Azure: 1)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Deadline:
        if (self.days_after_period is None) == (self.billing_cycles_after is None):
            raise ValueError("a deadline takes exactly one of `days_after_period` or `billing_cycles_after`")
        return self


class Claim(Model):
    """How a customer claims a credit."""

    how: Text = Field(description="Where and how to submit a claim. Markdown.")
    deadline: Deadline = Field(description="By when.")
    evidence: list[Text] = Field(default_factory=list, description="What the claim must name (dates, resource ids, logs).")


class Pool(Model):
    """The at-risk pool of an outsourcing agreement."""

    at_risk: Annotated[Number, Field(gt=0, le=100)] = Field(
        description="At-risk amount as % of the period's charges (typically 10–12%). All pool credits of a period together never exceed it."
    )


class CreditTerms(Model):
    """How credits are based, combined, capped and claimed."""

    base: Text = Field(description="What the credit % applies to, e.g. the period's charges for the affected service.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field("USD", description="ISO 4217 code.")
    combine: Literal["sum", "max"] = Field(
        "sum", description="How the credits of several metrics missed in one period combine: add them up, or take the largest."
    )
    cap: Percent | None = Field(None, description="Largest total credit in a period, as % of the base (Google: 50).")
    minimum_amount: NonNegative | None = Field(None, description="A period's credit below this amount is not issued (AWS: 1 USD).")
    minimum_amount_issued: bool = Field(
        True,
        description='Whether a credit of exactly `minimum_amount` is issued: true for "at least" (the default), false for '
        '"greater than" (AWS: a credit is issued only if it is greater than one dollar).',
    )
    round_to: Annotated[Number, Field(gt=0)] | None = Field(
        None,
        description="If the agreement says so, the credit amount is rounded half up to this step (e.g. 0.01), or down where rounding up would exceed the cap or the at-risk amount. Otherwise amounts stay exact and are rounded for display only.",
    )
    pool: Pool | None = Field(None, description="The at-risk pool, required by metrics with `model: pool`.")
    claim: Claim | None = Field(None, description="How and by when to claim.")

    @model_validator(mode="after")
    def _issued_needs_a_minimum(self) -> CreditTerms:
        if "minimum_amount_issued" in self.model_fields_set and self.minimum_amount is None:
            raise ValueError("`minimum_amount_issued` says whether `minimum_amount` itself is issued; expected a `minimum_amount`")
        return self


class Escalation(Model):
    """A step taken when a metric is missed `misses` times within `within` periods."""

    misses: PositiveInt = Field(description="Number of missed periods.")
    within: PositiveInt = Field(description="Window length in periods, ending with the current one.")
    action: Text = Field(description="What happens: escalation to a named role, a review meeting, a plan.")


class Chronic(Model):
    """Chronic failure: a metric missed `misses` times in any rolling `within` periods."""

    misses: PositiveInt = Field(description="Number of missed periods.")
    within: PositiveInt = Field(description="Rolling window in periods.")
    termination_right: bool = Field(True, description="Whether chronic failure gives the customer a right to terminate.")
    consequence: Text | None = Field(None, description="What chronic failure brings, in words.")


class RollingAverage(Model):
    """A rolling average of a metric below a level gives a termination right."""

    metric: Slug = Field(description="The metric averaged.")
    periods: PositiveInt = Field(description="Number of periods averaged.")
    below: Number = Field(description="The level; an average strictly below it triggers.")
    termination_right: bool = Field(True, description="Whether it gives the customer a right to terminate.")


class EarnBack(Model):
    """A credit is cancelled when the metric meets its objective in the next `met_periods` periods."""

    met_periods: PositiveInt = Field(description="Consecutive met periods after the miss that earn the credit back.")


class Remedies(Model):
    """What repeated misses bring, beyond credits."""

    escalation: list[Escalation] = Field(default_factory=list, description="Steps by number of misses.")
    chronic: Chronic | None = Field(None, description="Chronic failure.")
    rolling_average: RollingAverage | None = Field(None, description="Termination right on a low rolling average.")
    earn_back: EarnBack | None = Field(None, description="Earn-back of credits.")


class StandardRef(Model):
    """The service standard an agreement inherits: its terms are the standard's, plus what the agreement writes."""

    service: Slug = Field(description="The service id: a folder `agreements/services/<service>/` with `service.yaml` and `standard.yaml`.")
    version: VersionLabel = Field(
        description="The standard version followed, e.g. `2.0`; or `current`: every new version of the standard, "
        "each from its own `effective` date, with the agreement's `notice_days` checked by `sla diff` for adverse changes."
    )
    components: list[Slug] | None = Field(
        None,
        description="The service's components (or regions) this agreement covers; a service-wide outage scoped to another component "
        "does not reach it. Default: every component.",
    )


class Publish(Model):
    """What the public site shows of this agreement. The customer's own site and the internal
    site always show all of it; without `publish`, the agreement is private."""

    terms: Literal["public", "private"] = Field(
        "private",
        description="`public`: the public site shows the agreement's terms, versions and history, with the customer's name. `private` (default): only the customer's own site and the internal site do.",
    )
    results: Literal["public", "private"] = Field(
        "private",
        description="`public`: the public site also shows the measured results, credits and evidence (a status page); needs `terms: public`. `private` (default): results stay on the customer's and the internal site.",
    )

    @model_validator(mode="after")
    def _results_need_terms(self) -> Publish:
        if self.results == "public" and self.terms != "public":
            raise ValueError("public results need public terms: expected `terms: public` with `results: public`")
        return self


class Terms(Model):
    """One version of an agreement: a complete YAML document in `agreement.yaml`.

    An agreement with `standard:` writes only what differs from its service's standard terms;
    its effective terms (this model, complete) are the standard's merged with what it writes
    (`core.inheritance`)."""

    format: Annotated[int, Field(ge=1, le=1)] = Field(1, description="The file format version: 1.")
    id: Slug = Field(description="Identifier, equal to the folder name; becomes URLs and file names.")
    version: VersionLabel = Field(description="Version label, e.g. `2.1`.")
    effective: Date = Field(description="First day these terms apply.")
    published: Date | None = Field(None, description="When this version was published to customers.")
    changes: Text | None = Field(None, description="Summary of what this version changes.")
    title: Text = Field(description="Display title. Markdown, no raw HTML.")
    summary: Text | None = Field(None, description="A paragraph on what the agreement promises. Markdown.")
    provider: Text = Field(description="The party that provides the service.")
    customer: Text = Field(description="The customer; for an internal agreement, a department.")
    customer_id: Slug | None = Field(
        None,
        description="The customer's audience key: names the customer's own site (`customer:ID`, ID being this key) and folder. Default: derived from `customer` (`Example Trading plc` -> `example-trading-plc`); needed when the name has no letters or digits to derive it from, or is longer than 60 characters. Every agreement of one customer has the same key.",
    )
    owner: Text = Field(description="Who answers for the agreement.")
    service: Service = Field(description="The service and its scope.")
    standard: StandardRef | None = Field(
        None, description="The service standard this agreement inherits (then every other key but the parties is optional)."
    )
    review: Review | None = Field(None, description="The review cycle.")
    notice_days: NonNegativeInt | None = Field(None, description="Days of notice before a change adverse to the customer may take effect.")
    period: Literal["month", "quarter"] = Field("month", description="Calendar periods: `month` or `quarter`.")
    timezone: TimeZone = Field("UTC", description="IANA time zone of the periods.")
    mid_period_change: Literal["start_governs", "end_governs"] = Field(
        "start_governs",
        description="Which version governs a period in which a new version takes effect: the one in force at its start (default) or at its end.",
    )
    responsibilities: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], Annotated[list[Text], Field(min_length=1)]] = (
        Field(default_factory=dict, description="Duties per party: `provider:`, `customer:` or a named team, each a list. Markdown.")
    )
    metrics: list[Metric] = Field(min_length=1, description="The service levels.")
    calendars: dict[Slug, CalendarDefinition] = Field(
        default_factory=dict,
        description="Business calendars of this agreement, by name; calendars shared by several agreements live in `agreements/calendars/`, one file per calendar named by it (`berlin-office.yaml`).",
    )
    tickets: TicketExports | None = Field(
        None,
        description="How the ticket exports of `tickets` metrics read: `tickets/2026-Q1.csv` and so on, one per period, beside `agreement.yaml`.",
    )
    credit_terms: CreditTerms | None = Field(None, description="Base, combining, cap, minimum and claims.")
    remedies: Remedies | None = Field(None, description="Escalation, chronic failure, earn-back.")
    exclusions: list[Text] = Field(default_factory=list, description="What does not count against the provider. Markdown.")
    maintenance: Maintenance | None = Field(None, description="The notice maintenance needs and the windows announced.")
    publish: Publish | None = Field(
        None, description="What the public site shows of this agreement; the latest version decides. Default: nothing (private)."
    )

    def metric(self, metric_id: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)


# ---------------------------------------------------------------- the customers


class Customer(Model):
    """A customer that gets its own site."""

    id: Slug = Field(
        description="The customer's audience key (`customer:ID` with this id, and its site's folder); an agreement names it by `customer_id` or by a `customer` name whose slug it is."
    )
    name: Text = Field(description="The customer's name, spelled as its agreements spell it.")


class Customers(Model):
    """`customers.yaml` beside the agreement folders (optional): the customers that get their own site.
    With it, every agreement's customer must be one of them."""

    customers: list[Customer] = Field(min_length=1, description="The customers, each once.")


# ---------------------------------------------------------------- the results


class MetricResult(Model):
    """The raw measurements of one metric for one period; which keys apply depends on the measure."""

    value: Number | None = Field(None, description="`value` measure: the period's figure.")
    count: Count | None = Field(None, description="`count` measure: the count; `average`: the number averaged over. At most 30 digits.")
    sum: NonNegative | None = Field(None, description="`average` measure: the sum over `count` items.")
    good: Count | None = Field(None, description="`events` measure: events that met the target. At most 30 digits.")
    total: Count | None = Field(None, description="`events` measure: all events. At most 30 digits.")
    outages: list[Outage] | None = Field(
        None, description="`downtime`, `available_minutes`: the outages (an empty list: none); the outage log adds its own."
    )
    running: list[Running] | None = Field(None, description="`available_minutes` measure: the spans during which the deployment ran.")
    intervals: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.csv$")] | None = Field(
        None,
        description="`intervals`, `error_rate_minutes`: a CSV file beside the results file, columns `start,requests,errors`.",
    )
    note: Text | None = Field(None, description="A remark shown with the period.")

    @model_validator(mode="after")
    def _good_within_total(self) -> MetricResult:
        if self.good is not None and self.total is not None and self.good > self.total:
            raise ValueError(f"`good` ({self.good}) cannot exceed `total` ({self.total})")
        return self


PERIOD_RE = re.compile(r"^((?:19|2\d)\d\d)-(?:(0[1-9]|1[0-2])|Q([1-4]))$")  # years 1900 to 2999


class Results(Model):
    """The measured results of one period: `results/<period>.yaml`."""

    period: Annotated[str, StringConstraints(pattern=PERIOD_RE.pattern)] = Field(
        description="`2026-10` for a month, `2026-Q4` for a quarter; equals the file name."
    )
    charges: NonNegative | None = Field(None, description="The period's charges for the service: the base of credits.")
    metrics: dict[Slug, MetricResult] = Field(description="Results by metric id.")
