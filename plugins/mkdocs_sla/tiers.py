"""Credit tiers as intervals of attainment: lookup, overlap and gap checks, bounds in words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Callable

from .diagnostics import Diagnostics, Position
from .display import exact, plain, to_decimal
from .exact import fraction
from .model import Bounds, CreditTier, Metric

@dataclass(frozen=True)
class Span:
    """An interval of attainment; `None` bounds are unbounded."""

    low: Fraction | None
    low_closed: bool
    high: Fraction | None
    high_closed: bool

    def contains(self, x: Fraction) -> bool:
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        if self.high is not None and (x > self.high or (x == self.high and not self.high_closed)):
            return False
        return True

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and not (self.low_closed and self.high_closed))

    def intersect(self, other: "Span") -> "Span":
        low, low_closed = _max_low((self.low, self.low_closed), (other.low, other.low_closed))
        high, high_closed = _min_high((self.high, self.high_closed), (other.high, other.high_closed))
        return Span(low, low_closed, high, high_closed)

    def minus(self, other: "Span") -> list["Span"]:
        """This span less another: up to two pieces."""
        if self.intersect(other).empty():
            return [self]
        pieces = []
        if other.low is not None:
            pieces.append(self.intersect(Span(None, False, other.low, not other.low_closed)))
        if other.high is not None:
            pieces.append(self.intersect(Span(other.high, not other.high_closed, None, False)))
        return [p for p in pieces if not p.empty()]


def _max_low(a, b):
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] > b[0] else b
    return a[0], a[1] and b[1]


def _min_high(a, b):
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if a[0] < b[0] else b
    return a[0], a[1] and b[1]


def span_of(bounds: Bounds) -> Span:
    low = bounds.at_or_above if bounds.at_or_above is not None else bounds.above
    high = bounds.at_or_below if bounds.at_or_below is not None else bounds.below
    return Span(
        fraction(low) if low is not None else None,
        bounds.at_or_above is not None,
        fraction(high) if high is not None else None,
        bounds.at_or_below is not None,
    )


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
    floor = Fraction(0) if percent or metric.measure.kind in ("count", "average") else None
    ceiling = Fraction(100) if percent else None
    if metric.better == "higher":
        # met at or above the objective (strictly above if `objective_strict`)
        return Span(floor, True, objective, strict)
    return Span(objective, strict, ceiling, True)


def check_tiers(metric: Metric, position: Callable[[int], Position], diagnostics: Diagnostics) -> None:
    """Overlapping tiers are errors; attainments that miss the objective but fall in no tier are warnings."""
    tiers = metric.credits.tiers
    spans = [span_of(t) for t in tiers]
    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            common = spans[i].intersect(spans[j])
            if not common.empty():
                diagnostics.error(
                    position(j),
                    f"metric `{metric.id}`: tier {j + 1} ({bounds_in_words(tiers[j], metric.unit)}) overlaps tier {i + 1} "
                    f"({bounds_in_words(tiers[i], metric.unit)}) at {span_in_words(common, metric.unit)}; expected tiers that do not overlap",
                )
    uncovered = [missed_span(metric)]
    for span in spans:
        uncovered = [piece for part in uncovered for piece in part.minus(span)]
    for gap in uncovered:
        diagnostics.warning(
            position(0),
            f"metric `{metric.id}`: {span_in_words(gap, metric.unit)} misses the objective but falls in no credit tier; no credit is due there",
        )
    missed = missed_span(metric)
    for index, span in enumerate(spans):
        outside = span.minus(missed)
        # A tier reaching into attainments that meet the objective never applies there.
        if any(not p.intersect(_domain(metric)).empty() for p in outside):
            diagnostics.warning(
                position(index),
                f"metric `{metric.id}`: tier {index + 1} ({bounds_in_words(tiers[index], metric.unit)}) includes attainments that meet the objective; it applies only to misses",
            )


def _domain(metric: Metric) -> Span:
    if metric.is_percent:
        return Span(Fraction(0), True, Fraction(100), True)
    return Span(Fraction(0), True, None, False)


def number(value: Decimal | Fraction, unit: str = "") -> str:
    """A bound as written: exact, trailing zeros kept as the agreement wrote them."""
    if isinstance(value, Fraction):
        text = exact(value) if exact(value) and "/" not in exact(value) else plain(to_decimal(value, 6))
    else:
        text = str(value)
    return f"{text}%" if unit.strip() == "%" else (f"{text} {unit}" if unit else text)


def bounds_in_words(bounds: Bounds, unit: str) -> str:
    """"below 99.99% and at least 99.0%": the words a reader of the agreement expects."""
    parts = []
    if bounds.below is not None:
        parts.append(f"below {number(bounds.below, unit)}")
    if bounds.at_or_below is not None:
        parts.append(f"at most {number(bounds.at_or_below, unit)}")
    if bounds.above is not None:
        parts.append(f"above {number(bounds.above, unit)}")
    if bounds.at_or_above is not None:
        parts.append(f"at least {number(bounds.at_or_above, unit)}")
    return " and ".join(parts)


def span_bounds(span: Span, unit: str) -> str:
    """"at least 95.0% and below 95.5%"; empty for a span without bounds."""
    parts = []
    if span.low is not None:
        parts.append(f"{'at least' if span.low_closed else 'above'} {number(span.low, unit)}")
    if span.high is not None:
        parts.append(f"{'at most' if span.high_closed else 'below'} {number(span.high, unit)}")
    return " and ".join(parts)


def span_in_words(span: Span, unit: str) -> str:
    if span.low is not None and span.high is not None and span.low == span.high:
        return f"an attainment of exactly {number(span.low, unit)}"
    bounds = span_bounds(span, unit)
    return f"an attainment {bounds}" if bounds else "any attainment"
