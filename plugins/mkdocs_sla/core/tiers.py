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


def missed_span(metric: Metric) -> Span:
    """The attainments that miss the objective: where tiers are needed."""
    objective = Fraction(metric.objective)
    strict = metric.objective_strict
    percent = metric.is_percent
    floor = Fraction(0) if percent or metric.measure.non_negative else None
    ceiling = Fraction(100) if percent else None
    if metric.better == "higher":
        # met at or above the objective (strictly above if `objective_strict`)
        return Span(floor, True, objective, strict)
    return Span(objective, strict, ceiling, True)


def domain(metric: Metric) -> Span:
    """Every attainment a metric can have: 0 to 100 for a percentage, 0 and up otherwise."""
    if metric.is_percent:
        return Span(Fraction(0), True, Fraction(100), True)
    return Span(Fraction(0), True, None, False)
