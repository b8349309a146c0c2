"""The credit models of the format: tiers with explicit bounds, the linear shortfall, the
outsourcing pool. Part of the format definition in `core.model`, which re-exports every name."""

from __future__ import annotations

import functools
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from mkdocs_sla.core.fields import Model, NonNegative, Number, Percent, PositiveInt
from mkdocs_sla.core.spans import span_of

if TYPE_CHECKING:
    from mkdocs_sla.core.model import Metric


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


class CreditModel(Model):
    """What every credit model declares about itself, read by the engine and the comparison of
    versions instead of asking which model it is.

    `pooled`: its credits are held, together, to the at-risk amount of the pool (`credit_terms.pool`);
    `varies`: its credit changes continuously with the attainment (not in steps), so two such
    credits can cross between the breakpoints."""

    pooled: ClassVar[bool] = False
    varies: ClassVar[bool] = False

    def breakpoints(self, metric: Metric) -> set[Fraction]:
        """The attainments, besides the objective, at which this model's credit can change its rule."""
        return set()

    @property
    def tier_table(self) -> tuple[CreditTier, ...]:
        """The rows of its credit table, in order; none for a model without a table."""
        return ()

    @property
    def gaps_intentional(self) -> bool:
        """Whether the agreement leaves attainments between its tiers without credit on purpose."""
        return False

    @property
    def minimum_service_level(self) -> Decimal | None:
        """The level below which (for `better: higher`) every period is a default; None for a model without one."""
        return None


class TieredCredits(CreditModel):
    """Credit by tier: the tier containing the attainment gives the credit %."""

    model: Literal["tiers"] = Field(description="`tiers`.")
    tiers: list[CreditTier] = Field(min_length=1, description="Tiers; they must not overlap. Gaps are reported as warnings.")
    gaps: Literal["reported", "intentional"] = Field(
        "reported",
        description="`intentional` when the agreement leaves attainments between its tiers without credit on purpose "
        "(GitHub: no tier at exactly 99.0%): no warning is given for them, and the tier table shows each gap as earning no credit.",
    )

    def breakpoints(self, metric: Metric) -> set[Fraction]:
        """Every bound of every tier."""
        return {p for tier in self.tiers for p in (tier.span.low, tier.span.high) if p is not None}

    @property
    def tier_table(self) -> tuple[CreditTier, ...]:
        """Its tiers, as written."""
        return tuple(self.tiers)

    @property
    def gaps_intentional(self) -> bool:
        """`gaps: intentional`."""
        return self.gaps == "intentional"


class LinearCredits(CreditModel):
    """Linear shortfall: credit % = (objective − attainment) × `per_point`, up to `max`."""

    varies = True
    model: Literal["linear"] = Field(description="`linear`.")
    per_point: NonNegative = Field(Decimal(1), description="Credit % per point of shortfall (default 1).")
    max: Percent | None = Field(None, description="Largest credit % this metric can earn.")

    def breakpoints(self, metric: Metric) -> set[Fraction]:
        """Where the shortfall reaches `max`, beyond which the credit stays at it."""
        if self.max is None or not self.per_point:
            return set()
        reach = Fraction(self.max) / Fraction(self.per_point)
        return {Fraction(metric.objective) + (-reach if metric.better == "higher" else reach)}


Allocation = Annotated[Number, Field(gt=0, le=100)]


class PoolCredits(CreditModel):
    """Outsourcing pool: a service level default earns `allocation` % of the at-risk amount.

    With `default_on: minimum_or_expected` (the default), a default is a period below
    `minimum`, or a run of `expected_misses` consecutive periods that miss the objective (the
    expected level): with `expected_misses: 1`, every miss of the objective. With
    `default_on: minimum`, only a period below `minimum` is a default.
    """

    pooled = True
    model: Literal["pool"] = Field(description="`pool`.")
    allocation: Allocation | None = Field(
        None,
        description="Share of the at-risk amount this metric's default earns, in %. Allocations may add up to more than 100%. "
        "Or write it as the contract does, as `pool_allocation` × `service_level_allocation`.",
    )
    pool_allocation: Allocation | None = Field(
        None,
        description="With `service_level_allocation`, instead of `allocation`: the share of the at-risk amount allocated to "
        "this metric's group of service levels, in % (the contract's pool allocation percentage).",
    )
    service_level_allocation: Allocation | None = Field(
        None,
        description="With `pool_allocation`: the share of that allocation this metric's default earns, in %. The metric's "
        "allocation is `pool_allocation` × `service_level_allocation` / 100.",
    )
    minimum: Number = Field(description="Minimum service level: missing it in any period is a default.")
    expected_misses: PositiveInt = Field(
        1,
        description="Consecutive periods that miss the expected level (the objective) and make a default; 1 (the default): "
        "every miss of the objective is one. Not with `default_on: minimum`.",
    )
    default_on: Literal["minimum_or_expected", "minimum"] = Field(
        "minimum_or_expected",
        description="What makes a default: `minimum_or_expected` (a period below the minimum, or `expected_misses` consecutive "
        "misses of the objective) or `minimum` (only a period below the minimum service level).",
    )

    @model_validator(mode="after")
    def _one_allocation(self) -> PoolCredits:
        split = (self.pool_allocation is not None, self.service_level_allocation is not None)
        if self.allocation is not None and any(split):
            raise ValueError("a pool credit takes `allocation`, or `pool_allocation` and `service_level_allocation`, not both")
        if self.allocation is None and not all(split):
            raise ValueError("a pool credit needs `allocation`, or both `pool_allocation` and `service_level_allocation`")
        if self.default_on == "minimum" and "expected_misses" in self.model_fields_set:
            raise ValueError("`expected_misses` has no effect with `default_on: minimum`, where only a miss of the minimum is a default")
        return self

    def breakpoints(self, metric: Metric) -> set[Fraction]:
        """The minimum service level: below it every period is a default."""
        return {Fraction(self.minimum)}

    @property
    def minimum_service_level(self) -> Decimal:
        """`minimum`."""
        return self.minimum

    @property
    def share(self) -> Decimal:
        """The metric's allocation of the at-risk amount, in %: written out, or the product of the two."""
        if self.allocation is not None:
            return self.allocation
        with localcontext() as exact:
            exact.prec = 200  # two numbers of at most 40 digits: the product is exact
            return self.pool_allocation * self.service_level_allocation / 100


Credits = Annotated[TieredCredits | LinearCredits | PoolCredits, Field(discriminator="model")]

#: Every credit model by its `model:` name: the one place that knows which names there are.
CREDIT_MODELS: dict[str, type[CreditModel]] = {"tiers": TieredCredits, "linear": LinearCredits, "pool": PoolCredits}
