"""Errors and warnings with their source position: `file:line:column: error: message`.

A diagnostic is always one line: text from the input (a key, a value, a folder name) may hold
line breaks or control characters, which are written as escapes (`\\n`, `\\x1b`), so that no
input can start a line of its own (a GitHub workflow command such as `::error`, a forged
diagnostic). Text quoted from the input is cut to a short excerpt (`excerpt`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How serious a problem is."""

    ERROR = "error"
    """The tree is invalid: nothing is built from it."""
    WARNING = "warning"
    """The tree is valid, but something deserves a look (an error under `mkdocs build --strict`)."""


# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: each
# ends or rewrites a line in some terminal, log viewer or parser. And lone surrogates: a file
# name that is not UTF-8 reaches Python as one per odd byte (U+DC80 to U+DCFF), which a strict
# UTF-8 output refuses to write; it is shown as the byte it stands for (`\xff`). And the
# bidirectional controls (marks, embeddings, overrides, isolates), which reorder the rest of a
# line as it is shown: a file name could make an error read as another file's.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(character: str) -> str:
    code = ord(character)
    if character in _NAMED:
        return _NAMED[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (os.fsdecode)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


#: The most characters of input text a message quotes.
EXCERPT_LENGTH = 60


def one_line(text: str) -> str:
    """`text` with every control character and line break written as an escape: one line, always."""
    return CONTROL.sub(lambda m: _escape(m.group()), text)


def excerpt(text: object, limit: int = EXCERPT_LENGTH) -> str:
    """Input text as a message quotes it: at most `limit` characters, `…` where cut. Its line
    breaks and control characters stay in the message, and are escaped wherever it is written
    (`Diagnostic.__str__`, `Diagnostic.github`, the `sla diff` reports)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def github_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's runner reads it (`%`, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (`file=…`), escaped as GitHub's runner reads it:
    as a message, and `:` and `,` too, which would otherwise end the value."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source file; line and column count from 1."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{one_line(self.file)}:{self.line}:{self.column}"


class Rule(enum.Enum):
    """The rules whose breach another stage acts on, beyond showing the message."""

    PUBLISHED_VERSION_CHANGED = "published-version-changed"
    """A version recorded in `versions.lock` was edited or removed: history rewritten, even
    though the agreement cannot be loaded to compare it."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the input: where, how serious, what is wrong and what was expected."""

    position: Position
    severity: Severity
    message: str
    rule: Rule | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}: {one_line(self.message)}"

    def github(self) -> str:
        """A GitHub Actions workflow command, shown as an annotation on the line; one line, the
        file name and the message escaped as GitHub documents, so no input ends the command."""
        p = self.position
        file = github_property(one_line(p.file))
        return f"::{self.severity} file={file},line={p.line},col={p.column}::{github_data(one_line(self.message))}"


class Diagnostics:
    """Collects every problem of a run, so all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, position: Position, message: str, rule: Rule | None = None) -> None:
        """Record an error: the tree is invalid."""
        self.items.append(Diagnostic(position, Severity.ERROR, message, rule))

    def warning(self, position: Position, message: str) -> None:
        """Record a warning: the tree is valid, but something deserves a look."""
        self.items.append(Diagnostic(position, Severity.WARNING, message))

    def extend(self, other: Diagnostics) -> None:
        """Take over every diagnostic of another collection."""
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        """The errors so far."""
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """The warnings so far."""
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        """Every diagnostic in file, line and column order."""
        return sorted(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class InvalidAgreements(Exception):
    """Raised by adapters that need a valid tree; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        super().__init__(f"{len(errors)} error(s) in agreements:\n" + "\n".join(str(d) for d in errors))
