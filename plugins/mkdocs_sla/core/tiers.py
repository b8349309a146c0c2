"""Credit tiers as intervals of attainment: which tier applies, and which attainments miss the objective."""

from __future__ import annotations

from fractions import Fraction

from mkdocs_sla.core.model import CreditTier, Metric
from mkdocs_sla.core.spans import Span


def tier_for(tiers: list[CreditTier] | tuple[CreditTier, ...], attainment: Fraction) -> tuple[int, CreditTier] | None:
    """The tier (index, tier) whose bounds contain the attainment; tiers never overlap, so at most one."""
    for index, tier in enumerate(tiers):
        if tier.span.contains(attainment):
            return index, tier
    return None


def attainment_range(metric: Metric) -> Span:
    """Every attainment a metric can have: 0 to 100 for a percentage, from the measure's
    floor otherwise (0 for counts and averages, unbounded for a reported figure).

    The one answer for which attainments miss the objective, where tiers are checked for
    gaps, and where the comparison of versions looks for changed credits."""
    if metric.is_percent:
        return Span(Fraction(0), True, Fraction(100), True)
    floor = metric.measure.floor
    return Span(floor, floor is not None, None, False)


def missed_span(metric: Metric) -> Span:
    """The attainments that miss the objective: where tiers are needed."""
    objective = Fraction(metric.objective)
    strict = metric.objective_strict
    possible = attainment_range(metric)
    if metric.better == "higher":
        # met at or above the objective (strictly above if `objective_strict`)
        return Span(possible.low, possible.low_closed, objective, strict)
    return Span(objective, strict, possible.high, possible.high_closed)


def tier_gaps(metric: Metric) -> list[Span]:
    """The attainments that miss the objective but fall in no tier: they earn no credit. The
    loader warns about them unless the agreement says they are intentional (`gaps:`), and the
    tier table then shows them."""
    uncovered = [missed_span(metric)]
    for tier in metric.credits.tiers:
        uncovered = [piece for part in uncovered for piece in part.minus(tier.span)]
    return uncovered
