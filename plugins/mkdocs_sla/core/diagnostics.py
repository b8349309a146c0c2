"""Errors and warnings with their source position: `file:line:column: error: message`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source file; line and column count from 1."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    position: Position
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow command, shown as an annotation on the line."""
        p = self.position
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={p.file},line={p.line},col={p.column}::{message}"


class Diagnostics:
    """Collects every problem of a run, so all are reported at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, position: Position, message: str) -> None:
        self.items.append(Diagnostic(position, "error", message))

    def warning(self, position: Position, message: str) -> None:
        self.items.append(Diagnostic(position, "warning", message))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


class InvalidAgreements(Exception):
    """Raised by adapters that need a valid tree; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in agreements:\n" + "\n".join(str(d) for d in errors))
