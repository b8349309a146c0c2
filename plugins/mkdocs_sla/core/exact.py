"""Exact numbers: the one conversion from the model's `Decimal` to the engine's `Fraction`."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache


@lru_cache(maxsize=65536)
def fraction(value: Decimal | int) -> Fraction:
    """`Fraction(Decimal("99.99"))` is exact; cached because agreements repeat the same few bounds
    thousands of times and the conversion dominates a large catalog's evaluation."""
    return Fraction(value)


def towards_worse(value: Fraction, places: int, better: str) -> Decimal:
    """`value` to `places` decimals, rounded towards the worse side of a metric: down where
    higher is better, up where lower is, so that a figure shown or recorded never looks better
    than the exact one (99.98999% never reads as 99.99%). The one rule of such rounding."""
    scaled = value.numerator * 10**places  # in integers: a display rounds many figures
    whole = scaled // value.denominator if better == "higher" else -(-scaled // value.denominator)
    return Decimal(f"{whole}E-{places}")  # exact: `scaleb` would round to the context's 28 digits
