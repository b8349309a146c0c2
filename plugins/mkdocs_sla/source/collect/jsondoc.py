"""JSON from outside (a server's answer, an export file), read without a traceback.

Python's reader fails in ways that are not `JSONDecodeError`: bytes that are not UTF-8
(`UnicodeDecodeError`), nesting deeper than its recursion limit (`RecursionError`), an integer
of more than 4,300 digits (`ValueError`). Each is a `JsonProblem` here, with the line and column
where the text gives one, so the caller names its file or server in one line.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

#: The most significant digits of a number read from outside, as the agreement format allows
#: (`core.fields.Number`): `1e99999999` is refused here, not expanded into a huge integer later.
MAX_DIGITS = 40

#: How deep the reported position of a too deeply nested document is looked for; the documents
#: read here nest a few levels, and Python's reader gives up near 1,000.
MAX_DEPTH = 100

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class JsonProblem(Exception):
    """Why a text is not the JSON expected; `line` and `column` (from 1) where it says, else None."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def where(self, name: str) -> str:
        """`name:line:column` (or `name` alone when the position is unknown)."""
        return f"{name}:{self.line}:{self.column}" if self.line is not None else name


def digits(number: Decimal) -> int:
    """Significant digits as pydantic counts them for `max_digits`: an exponent counts its zeros."""
    _sign, figures, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # NaN, Infinity
        return 0
    return len(figures) + exponent if exponent >= 0 else max(len(figures), -exponent)


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JsonProblem(f"a number of {len(text.lstrip('-'))} digits; expected at most {MAX_DIGITS}")
    return int(text)


def parse(raw: bytes) -> object:
    """The JSON value of `raw` (UTF-8, a byte order mark allowed); numbers with a fraction or an
    exponent as `Decimal`, exact. Raises JsonProblem."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start, b"\n")
        raise JsonProblem(f"byte 0x{raw[exc.start]:02x} is not UTF-8; expected UTF-8 text", line, column) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise JsonProblem(f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        line, column = _too_deep(text)
        raise JsonProblem(
            f"arrays and objects nested more than {MAX_DEPTH} deep; expected a document a few levels deep", line, column
        ) from None


def _position(text, index: int, newline) -> tuple[int, int]:
    return text.count(newline, 0, index) + 1, index - (text.rfind(newline, 0, index) + 1) + 1


def _too_deep(text: str) -> tuple[int | None, int | None]:
    """Where the nesting first passes MAX_DEPTH (strings skipped: a bracket in one is text)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return _position(text, match.start(), "\n")
        elif token in ("]", "}"):
            depth -= 1
    return None, None
