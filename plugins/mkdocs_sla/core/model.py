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
import functools
import re
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, ClassVar, Literal

from dateutil.relativedelta import relativedelta
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from mkdocs_sla.core.spans import span_of

SLUG = r"^[a-z0-9][a-z0-9-]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
# At most 40 significant digits (an exponent counts its zeros): `1e999999999` is an
# error here, not a billion-digit integer in the exact arithmetic.
Number = Annotated[Decimal, Field(max_digits=40)]
Percent = Annotated[Number, Field(ge=0, le=100)]
NonNegative = Annotated[Number, Field(ge=0)]
PositiveInt = Annotated[int, Field(gt=0)]

# Years 1900 to 2999: room for any agreement, and far from the ends of Python's calendar
# (years 1 and 9999), where the next period, a review date or a time in UTC does not exist.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
Date = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]


def _within_years(moment: dt.datetime) -> dt.datetime:
    if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:
        raise ValueError(f"{moment.isoformat()} is out of range; expected a time in the years 1900 to 2999")
    return moment


Moment = Annotated[dt.datetime, AfterValidator(_within_years)]
NonNegativeInt = Annotated[int, Field(ge=0)]

#: The most digits of a count in a results file, as in an interval CSV: room for any real
#: count, and far from the sizes at which exact arithmetic and display slow down.
COUNT_DIGITS = 30


def _count_digits(value: int) -> int:
    if value >= 10**COUNT_DIGITS:
        raise ValueError(f"a count of {len(str(value))} digits; expected a whole number of at most {COUNT_DIGITS} digits")
    return value


Count = Annotated[int, Field(ge=0), AfterValidator(_count_digits)]


#: Agreement ids the site keeps for its own pages beside the agreement pages
#: (`<prefix>/index`, `<prefix>/metrics`, `<prefix>/credits`): an agreement with such
#: an id would share their URL, so the loader refuses it and the site never meets one.
RESERVED_IDS = frozenset({"index", "metrics", "credits"})


class Model(BaseModel):
    """Base: frozen, unknown keys rejected, no silent coercion of floats."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


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


class Bounds(Model):
    """Bounds of a credit tier, each explicit about inclusion.

    A tier has at most one upper bound (`below` or `at_or_below`) and at most
    one lower bound (`above` or `at_or_above`), and at least one of them.
    """

    below: Number | None = Field(None, description="Upper bound, exclusive: attainment < value.")
    at_or_below: Number | None = Field(None, description="Upper bound, inclusive: attainment <= value.")
    above: Number | None = Field(None, description="Lower bound, exclusive: attainment > value.")
    at_or_above: Number | None = Field(None, description="Lower bound, inclusive: attainment >= value.")

    @model_validator(mode="after")
    def _one_bound_per_side(self) -> Bounds:
        if self.below is not None and self.at_or_below is not None:
            raise ValueError("a tier takes one upper bound: `below` or `at_or_below`, not both")
        if self.above is not None and self.at_or_above is not None:
            raise ValueError("a tier takes one lower bound: `above` or `at_or_above`, not both")
        if all(v is None for v in (self.below, self.at_or_below, self.above, self.at_or_above)):
            raise ValueError("a tier needs a bound: `below`, `at_or_below`, `above` or `at_or_above`")
        return self


class CreditTier(Bounds):
    """One row of a credit table: attainment within the bounds earns `credit`."""

    credit: Percent = Field(description="Credit as a percentage of the credit base.")

    @functools.cached_property
    def span(self):
        """The bounds as an exact interval, computed once per tier (the engine asks for every period)."""
        return span_of(self)


class TieredCredits(Model):
    """Credit by tier: the tier containing the attainment gives the credit %."""

    model: Literal["tiers"] = Field(description="`tiers`.")
    tiers: list[CreditTier] = Field(min_length=1, description="Tiers; they must not overlap. Gaps are reported as warnings.")


class LinearCredits(Model):
    """Linear shortfall: credit % = (objective − attainment) × `per_point`, up to `max`."""

    model: Literal["linear"] = Field(description="`linear`.")
    per_point: NonNegative = Field(Decimal(1), description="Credit % per point of shortfall (default 1).")
    max: Percent | None = Field(None, description="Largest credit % this metric can earn.")


class PoolCredits(Model):
    """Outsourcing pool: a service level default earns `allocation` % of the at-risk amount.

    A default is a period below `minimum`, or a run of `expected_misses`
    consecutive periods below the objective (the expected level).
    """

    model: Literal["pool"] = Field(description="`pool`.")
    allocation: Annotated[Number, Field(gt=0, le=100)] = Field(
        description="Share of the at-risk amount this metric's default earns, in %. Allocations may add up to more than 100%."
    )
    minimum: Number = Field(description="Minimum service level: missing it in any period is a default.")
    expected_misses: PositiveInt = Field(1, description="Consecutive periods below the expected level (the objective) that make a default.")


Credits = Annotated[TieredCredits | LinearCredits | PoolCredits, Field(discriminator="model")]


class ValueMeasure(Model):
    """The period's figure is reported directly (`value:` in the results)."""

    #: Whether the attainment is a percentage (0..100), and its lowest possible value
    #: (None: unbounded). One answer per kind, for the loader's checks, the tiers' domain
    #: and the comparison of versions.
    percent: ClassVar[bool | None] = None  # as its unit says: a figure reported in `%` is a percentage
    floor: ClassVar[Fraction | None] = None  # a reported figure may be negative (a net score)

    kind: Literal["value"] = Field(description="`value`.")


class CountMeasure(Model):
    """A count reported for the period (`count:` in the results), e.g. qualified leads delivered."""

    percent: ClassVar[bool | None] = False
    floor: ClassVar[Fraction | None] = Fraction(0)

    kind: Literal["count"] = Field(description="`count`.")


class AverageMeasure(Model):
    """An average from a sum and a count (`sum:` and `count:` in the results), e.g. follow-up attempts per lead."""

    percent: ClassVar[bool | None] = False
    floor: ClassVar[Fraction | None] = Fraction(0)

    kind: Literal["average"] = Field(description="`average`.")
    when_empty: Literal["met", "missed"] = Field(
        "met",
        description="How a period with count 0 is judged. `missed` counts for remedies (escalation, chronic failure) but earns no credit: with no attainment there is no tier or shortfall.",
    )


class DowntimeMeasure(Model):
    """Uptime % = (minutes − downtime minutes) / minutes × 100, from outages with start and end."""

    percent: ClassVar[bool | None] = True
    floor: ClassVar[Fraction | None] = Fraction(0)

    kind: Literal["downtime"] = Field(description="`downtime`.")
    minimum_outage_minutes: NonNegative = Field(
        Decimal(0),
        description="Only downtime of at least this many consecutive minutes counts (Google Cloud: 1 or 10 minutes): outages that overlap or touch are joined into one stretch first, and a stretch shorter than this does not count.",
    )
    exclude_tags: list[Slug] = Field(default_factory=list, description="Outages with any of these tags do not count, e.g. `maintenance`.")


class IntervalsMeasure(Model):
    """Uptime % = 100 − mean error rate over fixed intervals (Amazon S3).

    Intervals are consecutive spans of `interval_minutes` of elapsed time from the start of the
    measured period (its first day at midnight in the agreement's time zone), the last one
    possibly shorter: daily intervals of a month with a clock change follow the elapsed hours,
    not local midnight. Intervals with no requests, and intervals missing from the data, count as 0% errors.
    """

    percent: ClassVar[bool | None] = True
    floor: ClassVar[Fraction | None] = Fraction(0)

    kind: Literal["intervals"] = Field(description="`intervals`.")
    # At most a day, so that every period (a partial first one too) holds at least one interval.
    interval_minutes: Annotated[int, Field(gt=0, le=1440)] = Field(
        5,
        description="Length of one interval in minutes of elapsed time, at most 1440 (a day). Rows of the CSV start on this grid from the start of the period.",
    )


class EventsMeasure(Model):
    """Attainment % = good / total × 100 (`good:` and `total:` in the results), e.g. tickets answered within target."""

    percent: ClassVar[bool | None] = True
    floor: ClassVar[Fraction | None] = Fraction(0)

    kind: Literal["events"] = Field(description="`events`.")
    when_empty: Literal["met", "missed"] = Field(
        "met",
        description="How a period with no events is judged. `missed` counts for remedies (escalation, chronic failure) but earns no credit: with no attainment there is no tier or shortfall.",
    )


Measure = Annotated[
    ValueMeasure | CountMeasure | AverageMeasure | DowntimeMeasure | IntervalsMeasure | EventsMeasure,
    Field(discriminator="kind"),
]


class Metric(Model):
    """A service level: what is measured, the objective, and the credit for missing it."""

    id: Slug = Field(description="Identifier, unique in the agreement; results name it.")
    name: Text = Field(description="Display name.")
    definition: Text = Field(description="What exactly is measured. Markdown. Shared definitions form the glossary.")
    target: Text | None = Field(None, description="The per-event target counted as good, e.g. `first response within 1 hour, 24×7`.")
    unit: Text = Field(description="Unit of the attainment: `%`, `leads`, `attempts`, `ms`…")
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
    round_to: Annotated[Number, Field(gt=0)] | None = Field(
        None,
        description="If the agreement says so, the credit amount is rounded half up to this step (e.g. 0.01), or down where rounding up would exceed the cap or the at-risk amount. Otherwise amounts stay exact and are rounded for display only.",
    )
    pool: Pool | None = Field(None, description="The at-risk pool, required by metrics with `model: pool`.")
    claim: Claim | None = Field(None, description="How and by when to claim.")


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


class Terms(Model):
    """One version of an agreement: a complete YAML document in `agreement.yaml`."""

    format: Annotated[int, Field(ge=1, le=1)] = Field(1, description="The file format version: 1.")
    id: Slug = Field(description="Identifier, equal to the folder name; becomes URLs and file names.")
    version: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(description="Version label, e.g. `2.1`.")
    effective: Date = Field(description="First day these terms apply.")
    published: Date | None = Field(None, description="When this version was published to customers.")
    changes: Text | None = Field(None, description="Summary of what this version changes.")
    title: Text = Field(description="Display title. Markdown, no raw HTML.")
    summary: Text | None = Field(None, description="A paragraph on what the agreement promises. Markdown.")
    provider: Text = Field(description="The party that provides the service.")
    customer: Text = Field(description="The customer; for an internal agreement, a department.")
    owner: Text = Field(description="Who answers for the agreement.")
    service: Service = Field(description="The service and its scope.")
    review: Review | None = Field(None, description="The review cycle.")
    notice_days: NonNegativeInt | None = Field(None, description="Days of notice before a change adverse to the customer may take effect.")
    period: Literal["month", "quarter"] = Field("month", description="Calendar periods: `month` or `quarter`.")
    timezone: Annotated[str, StringConstraints(min_length=1)] = Field("UTC", description="IANA time zone of the periods.")
    mid_period_change: Literal["start_governs", "end_governs"] = Field(
        "start_governs",
        description="Which version governs a period in which a new version takes effect: the one in force at its start (default) or at its end.",
    )
    responsibilities: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], Annotated[list[Text], Field(min_length=1)]] = (
        Field(default_factory=dict, description="Duties per party: `provider:`, `customer:` or a named team, each a list. Markdown.")
    )
    metrics: list[Metric] = Field(min_length=1, description="The service levels.")
    credit_terms: CreditTerms | None = Field(None, description="Base, combining, cap, minimum and claims.")
    remedies: Remedies | None = Field(None, description="Escalation, chronic failure, earn-back.")
    exclusions: list[Text] = Field(default_factory=list, description="What does not count against the provider. Markdown.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}: expected an IANA name such as `UTC` or `Europe/Berlin`") from None
        return value

    def metric(self, metric_id: str) -> Metric | None:
        return next((m for m in self.metrics if m.id == metric_id), None)


# ---------------------------------------------------------------- the results


class Outage(Model):
    """One outage of a `downtime` metric."""

    start: Moment = Field(description="Start, ISO 8601; without offset it is in the agreement's time zone.")
    end: Moment = Field(description="End, after the start.")
    tags: list[Slug] = Field(default_factory=list, description="Tags such as `maintenance`, matched by `exclude_tags`.")
    note: Text | None = Field(None, description="What happened.")


class MetricResult(Model):
    """The raw measurements of one metric for one period; which keys apply depends on the measure."""

    value: Number | None = Field(None, description="`value` measure: the period's figure.")
    count: Count | None = Field(None, description="`count` measure: the count; `average`: the number averaged over. At most 30 digits.")
    sum: NonNegative | None = Field(None, description="`average` measure: the sum over `count` items.")
    good: Count | None = Field(None, description="`events` measure: events that met the target. At most 30 digits.")
    total: Count | None = Field(None, description="`events` measure: all events. At most 30 digits.")
    outages: list[Outage] | None = Field(None, description="`downtime` measure: the outages (an empty list: none).")
    intervals: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.csv$")] | None = Field(
        None, description="`intervals` measure: a CSV file beside the results file, columns `start,requests,errors`."
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
