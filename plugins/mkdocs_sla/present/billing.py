"""Figures and cells for billing systems: credit statements as CSV and JSON.

Amounts are decimal strings with two places (half up, as an invoice shows them, the
same rule as `display.money`), percentages decimal strings; never fractions. CSV
cells never start a formula and never look like a date or a number where they are
text (OWASP's CSV injection advice: a leading apostrophe), so a spreadsheet opens
the file as it was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from fractions import Fraction

from mkdocs_sla.present import display

#: Characters that make a spreadsheet read a cell as a formula (OWASP: = + - @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Text a spreadsheet would turn into a date, a time or a number: digits with separators,
# `2025-12`, `1.1` (1 January in some locales), `3/4`, `12:30`, `1e5`.
_LOOKS_PARSED = re.compile(r"[\d\s.,:/+-]*\d[\d\s.,:/+-]*|\d+[eE]\d+", re.ASCII)


def amount(value: Fraction | None) -> str | None:
    """A money amount as a decimal string with two places, half up (the invoice rule of `display.money`)."""
    if value is None:
        return None
    return f"{display.cents(value):f}"


def invoiced_totals(amounts: Iterable[tuple[str | None, Fraction | None]]) -> dict[str, Fraction]:
    """{currency: total} of (currency, amount) pairs, each amount rounded to cents as an invoice
    shows it (`amount`, half up) before it is added: the lines a reader sees add up to the total
    shown. Pairs without a currency or an amount count for nothing. Currencies sorted.

    In whole cents: tens of thousands of fractions added one to another grow denominators that
    make each addition slower than the last (a live preview sums every period's credits)."""
    cents: dict[str, int] = {}
    for currency, value in amounts:
        if currency and value is not None:
            cents[currency] = cents.get(currency, 0) + int(display.cents(value).scaleb(2))
    return {currency: Fraction(total, 100) for currency, total in sorted(cents.items())}


def percent(value: Fraction | None) -> str | None:
    """A percentage as a decimal string: exact where it ends within three places, else three
    places rounded down (a credit never reads as more than it is)."""
    if value is None:
        return None
    return display.percent_digits(value)


def days_left(deadline: dt.date, today: dt.date) -> int:
    """Days from `today` to a claim deadline: 0 on the day itself, negative once it has passed."""
    return (deadline - today).days


def text_cell(value: object) -> str:
    """A text cell a spreadsheet keeps as text: a leading apostrophe before a formula character
    or before text it would read as a date or number."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) or _LOOKS_PARSED.fullmatch(text):
        return "'" + text
    return text


def number_cell(value: str | None) -> str:
    """A decimal string meant as a number (an amount, a percentage): as is, never a formula."""
    if value is None:
        return ""
    if not re.fullmatch(r"\d+(\.\d+)?", value):
        raise ValueError(f"not a non-negative decimal: {value!r}")
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[tuple[str, object]]]) -> str:
    """CSV with a header; each row's cells given as (kind, value), kind `number` or `text`."""
    return csv_rows([[("text", h) for h in header]]) + csv_rows(rows)


def csv_rows(rows: Iterable[Sequence[tuple[str, object]]]) -> str:
    """The CSV lines of `rows` (cells as in `csv_text`): a file is its header's line and then its
    rows' lines, so rows written apart (and kept, by a live preview) join into the same file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([number_cell(value) if kind == "number" else text_cell(value) for kind, value in row])
    return out.getvalue()
