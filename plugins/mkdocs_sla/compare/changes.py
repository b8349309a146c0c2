"""One change to an agreement's terms, its effect on the customer, and the words that describe changes."""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from mkdocs_sla.present.words import number


class Effect(enum.StrEnum):
    """What a change does for the customer; the values are the words the reports and pages use."""

    FAVOURABLE = "favourable"
    """Better for the customer: a higher credit, a longer claim window, a stricter objective."""
    ADVERSE = "adverse"
    """Worse for the customer: the review labels it, and it needs the agreed notice."""
    NEUTRAL = "neutral"
    """Neither: a reworded definition, a new owner."""


FAVOURABLE = Effect.FAVOURABLE
ADVERSE = Effect.ADVERSE
NEUTRAL = Effect.NEUTRAL

#: A word diff: segments of ("=" kept, "-" removed, "+" added, text).
WordDiff = tuple[tuple[str, str], ...]

ZERO = Fraction(0)


@dataclass(frozen=True)
class Change:
    """One change to an agreement's terms, for the customer.

    `kind` names what changed (`objective`, `credit`, `exclusion`…, see
    `KINDS`); `subject` is the path of the value in the agreement file
    (`metrics.region-uptime.objective`); `summary` says it in the agreement's
    own words; `word_diff` is set for reworded texts.
    """

    kind: str
    subject: str
    summary: str
    effect: Effect
    word_diff: WordDiff | None = None

    def to_dict(self) -> dict[str, Any]:
        """The change as plain data for the JSON report."""
        data: dict[str, Any] = {"kind": self.kind, "subject": self.subject, "summary": self.summary, "effect": self.effect.value}
        if self.word_diff is not None:
            op_names = {"=": "same", "-": "removed", "+": "added"}
            data["word_diff"] = [{"op": op_names[op], "text": text} for op, text in self.word_diff]
        return data


#: Every `Change.kind`, with what it covers.
KINDS = {
    "metric-added": "a new metric (favourable: a new promise)",
    "metric-removed": "a metric dropped (adverse: a promise withdrawn)",
    "objective": "the agreed level raised or lowered, with `better` taken into account",
    "objective-strict": "whether exactly the objective counts as met",
    "better": "whether a higher or lower figure is better",
    "measure": "how raw results become attainment (minimum outage, excluded tags, service hours, error-rate threshold, intervals, empty periods)",
    "credit": "the credit at given attainment levels, from the credit tables or credit models",
    "credit-model": "the kind of credit (tiers, linear, pool), or credits added or removed",
    "credit-terms": "base, currency, combining, cap, minimum amount, rounding and the at-risk pool",
    "claim": "how and by when to claim, and the evidence a claim must name",
    "remedy": "escalation steps, chronic failure, rolling-average termination right, earn-back",
    "exclusion": "what does not count against the provider",
    "responsibility": "the duties of each party",
    "notice": "days of notice before an adverse change",
    "maintenance": "the notice maintenance needs, and maintenance windows added, changed or removed",
    "period": "period length, time zone, and which version governs a period with a change",
    "text": "display texts and definitions, as word diffs",
    "review": "the review cycle",
    "agreement": "the agreement added or removed",
}


# ---------------------------------------------------------------- words


# Numbers such as 99.99% stay one word, so a changed figure reads as one replacement.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|\w+|\s+|[^\w\s]")


def word_diff(old: str, new: str) -> WordDiff:
    """Words kept, removed and added between two texts (whitespace kept with the words)."""
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    segments: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        """Append a segment, joining it to the last one of the same kind."""
        if not text:
            return
        if segments and segments[-1][0] == op:
            segments[-1] = (op, segments[-1][1] + text)
        else:
            segments.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("=", "".join(a[i1:i2]))
        else:
            add("-", "".join(a[i1:i2]))
            add("+", "".join(b[j1:j2]))
    return tuple(segments)


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _num(value: Decimal | Fraction | int | None, unit: str = "") -> str:
    """A number as the agreement writes it (Decimals keep their digits), with its unit."""
    if value is None:
        return "none"
    return number(value if isinstance(value, (Decimal, Fraction)) else Fraction(value), unit)


def _pct(value: Decimal | Fraction | None) -> str:
    return _num(value, "%")


def _more(old: Any, new: Any, *, more_is: Effect) -> Effect:
    """The effect of a value that grew (`more_is`) or shrank (the opposite)."""
    if old == new:
        return NEUTRAL
    opposite = {FAVOURABLE: ADVERSE, ADVERSE: FAVOURABLE, NEUTRAL: NEUTRAL}[more_is]
    return more_is if new > old else opposite


def _raised(old: Any, new: Any) -> str:
    return "raised" if new > old else "lowered"


def _moved(out: list[Change], kind: str, subject: str, old: Any, new: Any, summary: str, *, more_is: Effect) -> None:
    """Records a number that differs between the versions; `more_is` is what its growing does for the customer."""
    if old != new:
        out.append(Change(kind, subject, summary, _more(old, new, more_is=more_is)))


def _granted(out: list[Change], kind: str, subject: str, old: bool, new: bool, now: str, no_longer: str) -> None:
    """Records a right the new version grants (`now`, favourable) or withdraws (`no_longer`, adverse)."""
    if old != new:
        out.append(Change(kind, subject, now if new else no_longer, FAVOURABLE if new else ADVERSE))


def _whole(
    out: list[Change],
    kind: str,
    subject: str,
    old: Any,
    new: Any,
    added: Callable[[Any], str],
    removed: Callable[[Any], str],
    effects: tuple[Effect, Effect] = (FAVOURABLE, ADVERSE),
) -> bool:
    """Records a clause added (`added(new)`, first effect) or removed (`removed(old)`, second) as
    a whole. True when there is nothing more to compare: the same clause, or one side absent."""
    if old == new:
        return True
    if old is None:
        out.append(Change(kind, subject, added(new), effects[0]))
        return True
    if new is None:
        out.append(Change(kind, subject, removed(old), effects[1]))
        return True
    return False


# ---------------------------------------------------------------- lists of texts


def _unmatched(old: Sequence[Any], new: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """(in `old` only, in `new` only), in their order: each item of `new` cancels one equal item of `old`."""
    removed = list(old)
    added = []
    for item in new:
        if item in removed:
            removed.remove(item)
        else:
            added.append(item)
    return removed, added


def _similarity(a: str, b: str) -> float:
    """How alike two texts are (0 to 1), the same whichever comes first."""
    first, second = sorted((a, b))
    return difflib.SequenceMatcher(None, first, second, autojunk=False).ratio()


def _pair_texts(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(removed, added, reworded pairs): equal texts match first, then the most similar (ratio >= 0.6)."""
    removed, added = _unmatched(old, new)
    # Symmetric on purpose: comparing B with A must pair the same texts as A with B, so that a
    # change read backwards has the opposite effect. SequenceMatcher's ratio depends on the order
    # of its arguments, so each pair is scored in the texts' own order, ties broken by the texts.
    candidates = sorted(
        ((_similarity(a, b), min(a, b), max(a, b), i, j) for i, a in enumerate(removed) for j, b in enumerate(added)),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for ratio, _low, _high, i, j in candidates:
        if ratio < 0.6:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j))
    pairs.sort(key=lambda p: p[1])
    reworded = [(removed[i], added[j]) for i, j in pairs]
    return ([a for i, a in enumerate(removed) if i not in used_a], [b for j, b in enumerate(added) if j not in used_b], reworded)


def _listed(
    out: list[Change],
    kind: str,
    subject: str,
    noun: str,
    old: Sequence[str],
    new: Sequence[str],
    *,
    added: Effect,
    removed: Effect,
    why_added: str = "",
    why_removed: str = "",
) -> None:
    gone, new_items, reworded = _pair_texts(old, new)
    for text in gone:
        out.append(Change(kind, subject, f"{noun} removed: {_quote(text)}" + (f" — {why_removed}" if why_removed else ""), removed))
    for text in new_items:
        out.append(Change(kind, subject, f"{noun} added: {_quote(text)}" + (f" — {why_added}" if why_added else ""), added))
    for a, b in reworded:
        out.append(Change(kind, subject, f"{noun} reworded", NEUTRAL, word_diff(a, b)))
