"""Intervals of attainment with explicit inclusion at each end: the shape of every credit tier and objective."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.core.exact import fraction


@dataclass(frozen=True)
class Span:
    """An interval of attainment; `None` bounds are unbounded."""

    low: Fraction | None
    low_closed: bool
    high: Fraction | None
    high_closed: bool

    def contains(self, x: Fraction) -> bool:
        """Whether an attainment lies inside the span, ends included as the span says."""
        if self.low is not None and (x < self.low or (x == self.low and not self.low_closed)):
            return False
        return not (self.high is not None and (x > self.high or (x == self.high and not self.high_closed)))

    def empty(self) -> bool:
        """Whether no attainment lies inside the span."""
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and not (self.low_closed and self.high_closed))

    def intersect(self, other: Span) -> Span:
        """The attainments inside both spans."""
        low, low_closed = _max_low((self.low, self.low_closed), (other.low, other.low_closed))
        high, high_closed = _min_high((self.high, self.high_closed), (other.high, other.high_closed))
        return Span(low, low_closed, high, high_closed)

    def minus(self, other: Span) -> list[Span]:
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
    return _tighter(a, b, max)


def _min_high(a, b):
    return _tighter(a, b, min)


def _tighter(a, b, pick):
    """The tighter of two bounds (value, closed), `pick` choosing the value; None is unbounded,
    and at the same value the bound is closed only if both are."""
    if a[0] is None:
        return b
    if b[0] is None:
        return a
    if a[0] != b[0]:
        return a if pick(a[0], b[0]) == a[0] else b
    return a[0], a[1] and b[1]


def span_of(bounds) -> Span:
    """The interval a tier's (or any `Bounds`') `below`/`at_or_below`/`above`/`at_or_above` describe."""
    low = bounds.at_or_above if bounds.at_or_above is not None else bounds.above
    high = bounds.at_or_below if bounds.at_or_below is not None else bounds.below
    return Span(
        fraction(low) if low is not None else None,
        bounds.at_or_above is not None,
        fraction(high) if high is not None else None,
        bounds.at_or_below is not None,
    )
