"""Display forms of exact numbers. Rounding happens here and nowhere in the arithmetic."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

ATTAINMENT_PLACES = 3


def to_decimal(value: Fraction, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`value` rounded to `places` decimals. The precision fits the value's whole digits: a
    fixed one (60) made `quantize` fail on a count of 58 digits that validation accepts."""
    whole_digits = len(str(abs(value.numerator) // value.denominator))
    with localcontext() as ctx:
        ctx.prec = max(60, whole_digits + places + 10)
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact(value: Fraction | None) -> str | None:
    """The exact value as text: a terminating decimal where there is one, else `numerator/denominator`."""
    if value is None:
        return None
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    if not places:
        return str(value.numerator)
    # Integer arithmetic: the scaled value is a whole number, so no rounding happens.
    scaled = abs(value.numerator) * 10**places // value.denominator
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(scaled, 10**places)
    return f"{sign}{whole}.{str(fraction).rjust(places, '0').rstrip('0')}"


def attainment(value: Fraction | None, unit: str, better: str) -> str:
    """At most three decimals, rounded towards the worse side: a displayed figure never looks
    better than the exact one, so 99.98999% never reads as 99.99%."""
    if value is None:
        return "—"
    rounding = ROUND_FLOOR if better == "higher" else ROUND_CEILING
    text = plain(to_decimal(value, ATTAINMENT_PLACES, rounding))
    return with_unit(text, unit)


def with_unit(text: str, unit: str) -> str:
    unit = unit.strip()
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def percent(value: Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{plain(to_decimal(value, ATTAINMENT_PLACES))}%"


def money(value: Fraction | None, currency: str) -> str:
    """Two decimals, half up, as an invoice shows."""
    if value is None:
        return "—"
    return f"{to_decimal(value, 2, ROUND_HALF_UP):,.2f} {currency}"


def minutes(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{int(value):,}"
    return f"{to_decimal(value, 2):,}".rstrip("0").rstrip(".")


def long(value: Fraction | None) -> str:
    """Twelve decimals, marked with … where the exact value goes on: for showing exactness."""
    if value is None:
        return "—"
    text = exact(value)
    if "/" not in text:
        return text
    return plain(to_decimal(value, 12, ROUND_FLOOR)) + "…"
