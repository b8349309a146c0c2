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
