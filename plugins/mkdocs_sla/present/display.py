"""Display forms of exact numbers. Rounding happens here and nowhere in the arithmetic."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from mkdocs_sla.core.exact import towards_worse

ATTAINMENT_PLACES = 3


def to_decimal(value: Fraction, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """`value` rounded to `places` (0 or more) decimals, as `Decimal.quantize` rounds it, with
    its sign (-0.00 for a small negative value).

    In integers: a sum of many fractions (a statement's total over hundreds of agreements) has
    a denominator of hundreds of digits, which a decimal division at that precision takes ten
    times longer to divide than `divmod` does."""
    scale = 10**places
    whole, rest = divmod(value.numerator * scale, value.denominator)  # value·10^places = whole + rest/denominator
    if rest:
        twice = 2 * rest
        if rounding == ROUND_CEILING:
            whole += 1
        elif rounding != ROUND_FLOOR:
            if rounding not in (ROUND_HALF_EVEN, ROUND_HALF_UP):
                raise ValueError(f"rounding {rounding} is not one of the display's")
            # A tie: half up is away from zero (up above zero); half even to the even neighbour.
            tie_up = (rounding == ROUND_HALF_UP and value > 0) or (rounding == ROUND_HALF_EVEN and whole % 2)
            if twice > value.denominator or (twice == value.denominator and tie_up):
                whole += 1
    sign = "-" if value < 0 else ""
    return Decimal(f"{sign}{abs(whole)}E-{places}")


def plain(value: Decimal) -> str:
    """A decimal as written for people: no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _split_denominator(value: Fraction) -> tuple[int, int]:
    """(the denominator without its 2s and 5s, how many decimals those 2s and 5s take)."""
    d, twos, fives = value.denominator, 0, 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    return d, max(twos, fives)


def _terminating_places(value: Fraction) -> int | None:
    """The decimal places of a terminating decimal, or None when the decimal repeats."""
    d, places = _split_denominator(value)
    return places if d == 1 else None


def _fixed(value: Fraction, places: int) -> str:
    """`value` to `places` decimals, truncated towards zero: integer arithmetic, no float."""
    sign = "-" if value < 0 else ""
    scaled = abs(value.numerator) * 10**places // value.denominator
    if not places:
        return f"{sign}{scaled}"
    whole, fraction = divmod(scaled, 10**places)
    return f"{sign}{whole}.{str(fraction).rjust(places, '0')}"


def exact(value: Fraction | None) -> str | None:
    """The exact value as a terminating decimal, or None when its decimal repeats (see `readable`)."""
    if value is None:
        return None
    places = _terminating_places(value)
    if places is None:
        return None
    text = _fixed(value, places)
    return text.rstrip("0").rstrip(".") if "." in text else text


#: Decimals of a value written into JSON and CSV when its decimal does not end.
DOCUMENT_PLACES = 20


def decimal(value: Fraction | None) -> str | None:
    """A value as a decimal string for machines (JSON, CSV): exact when the decimal ends, else to
    `DOCUMENT_PLACES` decimals, half even. Never `numerator/denominator`, which a spreadsheet may
    read as a date."""
    if value is None:
        return None
    found = exact(value)
    if found is not None:
        return found
    return format(to_decimal(value, DOCUMENT_PLACES), "f")


#: The longest repeating block written out with an overline; a longer one is cut at `READABLE_PLACES`.
REPETEND_MAX = 6
READABLE_PLACES = 12
OVERLINE = "\u0305"  # combining overline: 33.3̅ is 33.333…


def _repeating(value: Fraction) -> tuple[str, str] | None:
    """(digits before the repeating block, the block) of a repeating decimal, if the block is short."""
    rest = abs(value) - int(abs(value))
    # The block starts after as many digits as the 2s and 5s of the denominator need.
    d, lead = _split_denominator(value)
    # The block's length: the order of 10 modulo the rest of the denominator.
    length, power = 1, 10 % d
    while power != 1:
        power = power * 10 % d
        length += 1
        if length > REPETEND_MAX:
            return None
    digits = _fixed(rest, lead + length).split(".")[1]
    sign = "-" if value < 0 else ""
    return f"{sign}{int(abs(value))}.{digits[:lead]}", digits[lead:]


def readable(value: Fraction) -> tuple[str, bool]:
    """(text, whether it is exact) for people: a terminating decimal; a repeating one with its
    short repeating block overlined (33.3̅); else 12 decimals, rounded towards zero, and "…"."""
    found = exact(value)
    if found is not None:
        return found, True
    repeating = _repeating(value)
    if repeating is not None:
        head, block = repeating
        return head + "".join(digit + OVERLINE for digit in block), True
    return _fixed(value, READABLE_PLACES) + "…", False


def exactly(value: Fraction, unit: str) -> str:
    """The exact value in words for a tooltip and a tap: "exactly 33.3̅%", or "99.731182795698…%"
    where it would be too long to write out. The "…" says the decimal goes on; how to read it is
    said once, in the reading guide, not in each of the tens of thousands of figures of a catalog."""
    text, is_exact = readable(value)
    if is_exact:
        return f"exactly {with_unit(text, unit)}"
    return with_unit(text, unit)


def attainment(value: Fraction | None, unit: str, better: str) -> str:
    """At most three decimals, rounded towards the worse side: a displayed figure never looks
    better than the exact one, so 99.98999% never reads as 99.99%."""
    if value is None:
        return "—"
    return with_unit(plain(towards_worse(value, ATTAINMENT_PLACES, better)), unit)


def with_unit(text: str, unit: str) -> str:
    """A figure followed by its unit: `99.9%`, `300 ms`."""
    unit = unit.strip()
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def percent_digits(value: Fraction) -> str:
    """A credit percentage's digits: exact where its decimal ends within `ATTAINMENT_PLACES`
    places, else that many places rounded down, so that a credit never reads as more than it is
    (4.8208955…% reads 4.82%). Pages and the statements' CSV and JSON write the same digits."""
    found = exact(value)
    if found is not None and len(found.partition(".")[2]) <= ATTAINMENT_PLACES:
        return found
    return plain(to_decimal(value, ATTAINMENT_PLACES, ROUND_FLOOR))


def percent(value: Fraction | None) -> str:
    """A credit percentage for display (of a tier, a shortfall, a period): `percent_digits` and %."""
    if value is None:
        return "—"
    return f"{percent_digits(value)}%"


def percent_used(value: Fraction) -> str:
    """A share used up (of an error budget), to `ATTAINMENT_PLACES` places rounded up: the worse
    side, so that a budget never reads as less spent than it is."""
    return f"{plain(to_decimal(value, ATTAINMENT_PLACES, ROUND_CEILING))}%"


def worked(value: Fraction, unit: str = "%") -> str:
    """A figure inside a worked calculation, unrounded (`readable`): 21.3125%, 33.3̅%, or
    4.820895522388…% where the decimal goes on, so that the calculation's figures give its result."""
    text, _is_exact = readable(value)
    return with_unit(text, unit)


def cents(value: Fraction) -> Decimal:
    """A money amount to the cent, half up, as an invoice shows it: the one rule for amounts
    shown, written to CSV and added into totals."""
    return to_decimal(value, 2, ROUND_HALF_UP)


def money(value: Fraction | None, currency: str) -> str:
    """Two decimals, half up, as an invoice shows (`cents`)."""
    if value is None:
        return "—"
    return f"{cents(value):,.2f} {currency}"


def credit_amount(value: Fraction | None, currency: str, *, withheld: bool) -> str:
    """A period's credit amount: to the cent, half up, as an invoice shows it; a withheld one
    (under the minimum amount) rounded down instead, so that it never reads as reaching the
    minimum it missed (0.999 beside a minimum of 1.00 shows 0.99, not 1.00)."""
    if value is None or not withheld:
        return money(value, currency)
    return f"{to_decimal(value, 2, ROUND_FLOOR):,.2f} {currency}"


def money_term(value: Decimal, currency: str) -> str:
    """A money figure of the terms (a minimum amount, a rounding step): as an invoice shows money
    where it is whole cents (`1.00 USD`), else as written (`2.495 USD`): a term is never rounded."""
    exact = Fraction(value)
    return money(exact, currency) if Fraction(cents(exact)) == exact else f"{plain(value)} {currency}"


def minutes(value: Fraction) -> str:
    """Minutes for people: whole minutes with thousands separators, else to at most two places."""
    if value.denominator == 1:
        return f"{int(value):,}"
    return f"{to_decimal(value, 2):,}".rstrip("0").rstrip(".")


def long(value: Fraction | None) -> str:
    """Twelve decimals, marked with … where the exact value goes on: for showing exactness."""
    if value is None:
        return "—"
    text = exact(value)
    if text is not None:
        return text
    return plain(to_decimal(value, 12, ROUND_FLOOR)) + "…"
