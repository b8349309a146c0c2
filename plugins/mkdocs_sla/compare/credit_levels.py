"""How a change moves the credit at every attainment level: the credit curve of each version compared."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.compare.changes import ADVERSE, FAVOURABLE, NEUTRAL, Change, _more, _num, _pct
from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.model import Metric, PoolCredits, Terms
from mkdocs_sla.core.spans import Span
from mkdocs_sla.core.tiers import attainment_range
from mkdocs_sla.present.words import credit_model_noun, span_in_words

# ---------------------------------------------------------------- credits at attainment levels


def credit_at(terms: Terms, metric: Metric, attainment: Fraction) -> Fraction:
    """The credit % one period at `attainment` earns for this metric alone (before combining and caps).

    A pool metric counts as in default when below its minimum, or when a
    single miss makes a default (`expected_misses: 1`).
    """
    return rules.metric_credit(terms.credit_terms, metric, attainment, misses_running=1).percent


def _domain(metric: Metric) -> tuple[Fraction | None, Fraction | None]:
    possible = attainment_range(metric)
    return possible.low, possible.high


def _breakpoints(metric: Metric) -> set[Fraction]:
    points = {Fraction(metric.objective)}
    if metric.credits is not None:
        points |= metric.credits.breakpoints(metric)
    return points


def _crossings(old_terms: Terms, new_terms: Terms, a: Metric, b: Metric, pieces: list[tuple[Span, Fraction]]) -> set[Fraction]:
    """Where two credits that vary (linear) become equal inside a stretch, so that no stretch mixes rising and falling.

    Between breakpoints both credits are linear in the attainment, so their
    difference is too: two samples give its zero exactly.
    """
    found = set()
    for span, sample in pieces:
        if span.low is not None and span.low == span.high:
            continue
        if span.low is not None and span.high is not None:
            x1, x2 = span.low + (span.high - span.low) / 3, span.low + (span.high - span.low) * 2 / 3
        else:
            x1, x2 = sample, sample + (1 if span.high is None else -1)
        d1 = credit_at(new_terms, b, x1) - credit_at(old_terms, a, x1)
        d2 = credit_at(new_terms, b, x2) - credit_at(old_terms, a, x2)
        if d1 == d2:
            continue
        root = x1 + d1 * (x2 - x1) / (d1 - d2)
        if span.contains(root) and root != span.low and root != span.high:
            found.add(root)
    return found


@dataclass(frozen=True)
class _Piece:
    span: Span
    sample: Fraction
    old: Fraction
    new: Fraction


def _pieces(points: list[Fraction], low: Fraction | None, high: Fraction | None) -> list[tuple[Span, Fraction]]:
    """The domain cut at `points`: each point, and each open stretch between, with a sample inside."""
    pieces: list[tuple[Span, Fraction]] = []
    if not points:
        return pieces
    first, last = points[0], points[-1]
    if low is None or first > low:
        below = (low + first) / 2 if low is not None else first - max(1, abs(first) / 10)
        pieces.append((Span(low, low is not None, first, False), below))
    for i, point in enumerate(points):
        pieces.append((Span(point, True, point, True), point))
        if i + 1 < len(points):
            nxt = points[i + 1]
            pieces.append((Span(point, False, nxt, False), (point + nxt) / 2))
    if high is None or last < high:
        above = (last + high) / 2 if high is not None else last + max(1, abs(last) / 10)
        pieces.append((Span(last, False, high, high is not None), above))
    return pieces


@dataclass(frozen=True)
class CreditChange:
    """Attainments where the credit differs between two versions of a metric.

    `uniform`: the credit is `old` and `new` across the whole span (tiers);
    otherwise (linear credits) it varies, moving the same way, and `old`/`new`
    are its values at `sample`.
    """

    span: Span
    sample: Fraction
    old: Fraction
    new: Fraction
    uniform: bool


def credit_changes(old_terms: Terms, new_terms: Terms, a: Metric, b: Metric) -> list[CreditChange]:
    """Where the credit of metric `a` (under `old_terms`) and `b` (under `new_terms`) differ, in attainment order.

    Neighbouring stretches with the same old and new credit are merged; for
    linear credits, whose value varies, neighbours moving the same way are.
    """
    low, high = _domain(b)
    points = {p for p in _breakpoints(a) | _breakpoints(b) if (low is None or p >= low) and (high is None or p <= high)}
    varying = any(m.credits is not None and m.credits.varies for m in (a, b))
    if varying:
        points |= _crossings(old_terms, new_terms, a, b, _pieces(sorted(points), low, high))
    groups: list[list[_Piece]] = []
    for span, sample in _pieces(sorted(points), low, high):
        piece = _Piece(span, sample, credit_at(old_terms, a, sample), credit_at(new_terms, b, sample))
        if piece.old == piece.new:
            groups.append([])
            continue
        if groups and groups[-1]:
            prev = groups[-1][-1]
            same = (prev.old, prev.new) == (piece.old, piece.new)
            same_way = varying and (prev.new > prev.old) == (piece.new > piece.old)
            if same or same_way:
                groups[-1].append(piece)
                continue
        groups.append([piece])
    found = []
    for group in groups:
        if not group:
            continue
        first, last = group[0], group[-1]
        span = Span(first.span.low, first.span.low_closed, last.span.high, last.span.high_closed)
        uniform = len({(p.old, p.new) for p in group}) == 1
        # The sample shown for a varying credit: inside the span, where it is typical.
        shown = group[len(group) // 2]
        found.append(CreditChange(span, shown.sample, shown.old, shown.new, uniform))
    return found


def _span_words(span: Span, unit: str) -> str:
    """Where on the attainment scale a credit changes: "at 99.5%", "at an attainment below 99%"."""
    if span.low is not None and span.low == span.high:
        return f"at {_num(span.low, unit)}"
    return f"at {span_in_words(span, unit)}"


def _metric_credits(out: list[Change], subject: str, old_terms: Terms, new_terms: Terms, a: Metric, b: Metric, comparable: bool) -> None:
    name = b.name
    x, y = a.credits, b.credits
    if x is None and y is None:
        return
    if x is None or y is None or x.model != y.model:
        effect = FAVOURABLE if x is None else ADVERSE if y is None else NEUTRAL
        out.append(Change("credit-model", subject, f"{name}: {credit_model_noun(b)} instead of {credit_model_noun(a)}", effect))
    if isinstance(x, PoolCredits) and isinstance(y, PoolCredits) and x.expected_misses != y.expected_misses:
        out.append(
            Change(
                "credit",
                subject + ".expected_misses",
                f"{name}: a default takes {y.expected_misses} consecutive misses of the expected level (was {x.expected_misses})",
                _more(x.expected_misses, y.expected_misses, more_is=ADVERSE),
            )
        )
    if not comparable:
        return
    changes = credit_changes(old_terms, new_terms, a, b)
    for found in changes:
        where = _span_words(found.span, b.unit)
        rises = found.new > found.old
        verb = "rises" if rises else "falls"
        if found.uniform:
            text = f"{name}: {where} the credit {verb} from {_pct(found.old)} to {_pct(found.new)}"
        else:
            text = f"{name}: {where} the credit {verb} (at {_num(found.sample, b.unit)}: from {_pct(found.old)} to {_pct(found.new)})"
        out.append(Change("credit", subject, text, FAVOURABLE if rises else ADVERSE))
    if not changes and x is not None and y is not None and x != y:
        out.append(Change("credit", subject, f"{name}: credit table rewritten, with the same credit at every attainment", NEUTRAL))
