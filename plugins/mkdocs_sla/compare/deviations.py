"""deviations: what an inheriting agreement negotiated, against its service's standard, in words.

The differences are the comparison of versions (`compare_terms`) from the standard as this
agreement would have it with nothing negotiated (`Inheritance.baseline`) to its effective
terms, so a deviation is found by the same rules, and classed favourable or adverse for
the customer in the same way, as a change between two versions. Only the words differ:
"the credit is 15% instead of the standard 10%" rather than "rises from 10% to 15%".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mkdocs_sla.compare.changes import Change, Effect
from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.core.records import Version

# "<what> <verb> from <old> to <new>", the shape of every change of a value (see compare.changes).
_FROM_TO = re.compile(r"^(?P<what>.+?) (?P<verb>[a-z]+) from (?P<old>.+?) to (?P<new>.+?)(?P<rest>(?: — .*)?)$")
_UNIT = re.compile(r"^[\d.,]+ (?P<unit>[a-z]+)$")


@dataclass(frozen=True)
class Deviation:
    """One negotiated difference from the standard: the change it is and its words."""

    change: Change
    words: str

    @property
    def effect(self) -> Effect:
        return self.change.effect


def deviation_words(summary: str) -> str:
    """A change's summary said against the standard: "credit cap is 50% instead of the standard 100%"."""
    found = _FROM_TO.match(summary)
    if found is None:
        return summary.replace(" added:", " added to the standard's:", 1).replace(" removed:", " removed from the standard's:", 1)
    old, new = found["old"], found["new"]
    unit = _UNIT.match(new)
    if unit and re.fullmatch(r"[\d.,]+", old):
        old = f"{old} {unit['unit']}"
    return f"{found['what']} is {new} instead of the standard {old}{found['rest']}"


def deviations(version: Version) -> list[Deviation]:
    """Every negotiated difference of an inheriting version from its standard (none for an agreement written in full)."""
    if version.inherited is None:
        return []
    return [Deviation(change, deviation_words(change.summary)) for change in compare_terms(version.inherited.baseline, version.terms)]
