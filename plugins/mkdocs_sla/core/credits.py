"""The credit rules: one function per credit model, and the period's total.

Every credit is a percentage of the credit base (the period's charges), as an
exact `Fraction`. A pool credit is the at-risk percentage times the metric's
allocation, so it combines with the others on the same footing.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from mkdocs_sla.core.exact import fraction
from mkdocs_sla.core.model import CREDIT_MODELS, CreditTerms, Deadline, Metric, TieredCredits
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.tiers import tier_for

ZERO = Fraction(0)
HUNDRED = Fraction(100)


def meets(metric: Metric, attainment: Fraction) -> bool:
    """Whether an attainment meets the objective: at it counts as met unless `objective_strict`."""
    objective = fraction(metric.objective)
    if metric.better == "higher":
        return attainment > objective if metric.objective_strict else attainment >= objective
    return attainment < objective if metric.objective_strict else attainment <= objective


def tier_credit(credits: TieredCredits, attainment: Fraction) -> tuple[int | None, Fraction]:
    """(tier number from 1, credit %) for a missed period; (None, 0) when it falls in no tier."""
    found = tier_for(credits.tiers, attainment)
    if found is None:
        return None, ZERO
    index, tier = found
    return index + 1, fraction(tier.credit)


def linear_credit(metric: Metric, attainment: Fraction) -> Fraction:
    """Credit % = shortfall from the objective × per point, up to the metric's maximum."""
    credits = metric.credits
    objective = fraction(metric.objective)
    shortfall = objective - attainment if metric.better == "higher" else attainment - objective
    credit = max(shortfall, ZERO) * fraction(credits.per_point)
    return min(credit, fraction(credits.max)) if credits.max is not None else credit


def misses_minimum(metric: Metric, attainment: Fraction) -> bool:
    """Pool model: below the minimum service level (the minimum itself is met)."""
    minimum = fraction(metric.credits.minimum)
    return attainment < minimum if metric.better == "higher" else attainment > minimum


def pool_credit(terms: CreditTerms, metric: Metric) -> Fraction:
    """A service level default earns allocation % of the at-risk amount, as % of the charges."""
    return fraction(terms.pool.at_risk) * fraction(metric.credits.share) / HUNDRED


@dataclass(frozen=True)
class MetricCredit:
    """What one missed metric earns in one period, before combining and caps."""

    percent: Fraction
    tier: int | None = None  # tiered credits: the tier number from 1
    default: bool = False  # pool credits: a service level default


def metric_credit(terms: CreditTerms | None, metric: Metric, attainment: Fraction, misses_running: int) -> MetricCredit:
    """The credit rule of each model, in one place: the engine and the comparison of versions
    both ask here. `misses_running` counts this period's miss and the misses right before it
    (a pool default can need a run of them)."""
    credits = metric.credits
    if credits is None or meets(metric, attainment):
        return MetricCredit(ZERO)
    if credits.model == "tiers":
        tier, percent = tier_credit(credits, attainment)
        return MetricCredit(percent, tier=tier)
    if credits.model == "linear":
        return MetricCredit(linear_credit(metric, attainment))
    # pool: a default is a miss of the minimum, or (unless only the minimum counts) a run of
    # misses of the expected level
    default = misses_minimum(metric, attainment) or (
        credits.default_on == "minimum_or_expected" and misses_running >= credits.expected_misses
    )
    percent = pool_credit(terms, metric) if default and terms is not None and terms.pool is not None else ZERO
    return MetricCredit(percent, default=default)


class AmountRounding(enum.StrEnum):
    """How `round_to` changed a period's amount."""

    NONE = "none"
    """Not rounded: no `round_to`, or the amount is already a multiple of it."""
    HALF_UP = "half up"
    """To the nearest multiple of `round_to`, halves up."""
    DOWN = "down"
    """Down to a multiple of `round_to`: up would pass the cap or the at-risk amount."""


@dataclass(frozen=True)
class PeriodCredit:
    """A period's credit after combining, the pool cap, the cap, rounding and the minimum."""

    combined_percent: Fraction  # before caps
    percent: Fraction  # after the pool cap and the cap
    capped: bool
    amount: Fraction | None  # None when the period has no charges
    below_minimum: bool  # a credit was due but is under `minimum_amount`, so none is issued
    rounding: AmountRounding  # how `round_to` changed the amount, if it did
    unrounded: Fraction | None  # the percentage of the charges, before `round_to`; None without charges

    @property
    def issued(self) -> Fraction | None:
        if self.amount is None:
            return None
        return ZERO if self.below_minimum else self.amount

    @property
    def claimable(self) -> bool:
        """Whether there is a credit to claim: an amount actually issued (none below the minimum
        amount, none of no charges or rounded to nothing), or a percentage where no charges are
        known. The one rule for a claim deadline, and for a credit shown as credited."""
        if self.issued is not None:
            return self.issued > 0
        return self.percent > 0


def period_credit(terms: CreditTerms | None, credits: list[tuple[str, Fraction]], charges: Decimal | None) -> PeriodCredit:
    """Combine the metrics' credit % (model, percent) pairs into the period's credit.

    Order, as agreements word it: combine (sum or largest), hold pool credits to
    the at-risk amount, apply the cap, compute the amount from the charges,
    round if the agreement says so, then withhold an amount below the minimum.
    """
    if terms is None or not credits:
        amount = Fraction(charges) * 0 if charges is not None else None
        return PeriodCredit(ZERO, ZERO, False, amount, False, AmountRounding.NONE, amount)
    pool, other = _pooled_apart(credits)
    pool_total = sum(pool, ZERO)
    if terms.pool is not None:
        pool_total = min(pool_total, fraction(terms.pool.at_risk))
    if terms.combine == "sum":
        combined = sum(pool + other, ZERO)
        percent = pool_total + sum(other, ZERO)
    else:
        # The largest single credit, pool credits on the same footing (each is at most the
        # at-risk amount). The pool's sum is not one credit here: it would exceed `combined`.
        combined = max(pool + other, default=ZERO)
        percent = max([min(max(pool), pool_total), *other] if pool else other, default=ZERO)
    capped = False
    if terms.cap is not None and percent > fraction(terms.cap):
        percent, capped = fraction(terms.cap), True
    capped = capped or percent < combined
    if charges is None:
        return PeriodCredit(combined, percent, capped, None, False, AmountRounding.NONE, None)
    unrounded = amount = fraction(charges) * percent / HUNDRED
    rounding = AmountRounding.NONE
    if terms.round_to is not None and amount:
        step = fraction(terms.round_to)
        rounded, rounding = math.floor(amount / step + Fraction(1, 2)) * step, AmountRounding.HALF_UP  # half up, exactly
        ceiling = rounding_ceiling(terms, credits)
        if ceiling is not None and rounded > fraction(charges) * ceiling / HUNDRED:
            rounded, rounding = math.floor(amount / step) * step, AmountRounding.DOWN
        if rounded == amount:
            rounding = AmountRounding.NONE
        amount = rounded
    below = terms.minimum_amount is not None and amount > ZERO and below_minimum_amount(terms, amount)
    return PeriodCredit(combined, percent, capped, amount, below, rounding, unrounded)


def _pooled_apart(credits: list[tuple[str, Fraction]]) -> tuple[list[Fraction], list[Fraction]]:
    """(pooled, other) credit % of (model, percent) pairs: the models that `pooled` says are held to the at-risk amount."""
    pool = [p for model, p in credits if CREDIT_MODELS[model].pooled]
    other = [p for model, p in credits if not CREDIT_MODELS[model].pooled]
    return pool, other


def rounding_ceiling(terms: CreditTerms, credits: list[tuple[str, Fraction]]) -> Fraction | None:
    """The % of the charges that rounding the amount must not lift it above: the cap, and the
    at-risk amount of pool credits (with the others beside it). None: no ceiling."""
    ceilings = [fraction(terms.cap)] if terms.cap is not None else []
    pool, other = _pooled_apart(credits)
    if terms.pool is not None and pool:
        at_risk = fraction(terms.pool.at_risk)
        ceilings.append(at_risk + sum(other, ZERO) if terms.combine == "sum" else max([at_risk, *other]))
    return min(ceilings) if ceilings else None


def below_minimum_amount(terms: CreditTerms, amount: Fraction) -> bool:
    """Whether an amount is too small to issue: under `minimum_amount`, or at it too when the
    agreement issues only amounts greater than the minimum (`minimum_amount_issued: false`)."""
    minimum = fraction(terms.minimum_amount)
    return amount < minimum if terms.minimum_amount_issued else amount <= minimum


def claim_deadline(terms: CreditTerms | None, period: Period) -> dt.date | None:
    """The last day to claim a credit for the period."""
    if terms is None or terms.claim is None:
        return None
    return deadline_after(terms.claim.deadline, period)


def deadline_after(deadline: Deadline, period: Period) -> dt.date:
    """The last day a deadline allows after a period."""
    if deadline.days_after_period is not None:
        return period.end + dt.timedelta(days=deadline.days_after_period - 1)
    # End of the Nth (monthly) billing cycle after the period's last month.
    first_after = Period.containing(period.end, "month")
    return first_after.offset(deadline.billing_cycles_after - 1).last_day
