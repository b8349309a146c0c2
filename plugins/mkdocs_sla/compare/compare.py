"""compare: what changed between two versions of an agreement, in the agreement's own words.

One engine, shared by the versions pages of the site and by `sla diff`:

- `compare_terms(old, new)` compares two versions of an agreement's terms and
  returns `Change`s ("objective lowered from 99.99% to 99.9%", "at 99.5% the
  credit falls from 25% to 10%"), each classed favourable, adverse or neutral
  *for the customer*, with `better: higher|lower` taken into account.
- `compare_records(base, head, today=...)` compares two states of one
  agreement (its versions and its results): new versions, revised upcoming
  versions, versions in force that were rewritten, results of past periods
  edited (with the credit before and after), and adverse changes that take
  effect sooner than the agreement's `notice_days` allow.
- `compare_catalogs(base, head)` does the same for two whole trees
  (`Snapshot`s), including agreements added, removed, or invalid on one side.

Pure: no I/O and no clock. The date that decides what is "in force" and
"past" is passed in (the HEAD commit's date, or today for a working tree).

Credit tables are compared by sampling, not by matching rows: the credit of
both versions is computed at every bound of both tables, at both objectives,
and between each two consecutive bounds. Between those points both credit
functions are constant (tiers) or linear (linear credits, whose crossing
points are added), so the samples are exact, not a heuristic.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.diagnostics import Diagnostic
from mkdocs_sla.core.model import Metric, Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, PeriodResults, Snapshot, Version
from mkdocs_sla.core.spans import Span, span_of
from mkdocs_sla.present import display
from mkdocs_sla.present.words import number, objective_words, span_bounds

Effect = Literal["favourable", "adverse", "neutral"]
FAVOURABLE: Effect = "favourable"
ADVERSE: Effect = "adverse"
NEUTRAL: Effect = "neutral"

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
        data: dict[str, Any] = {"kind": self.kind, "subject": self.subject, "summary": self.summary, "effect": self.effect}
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
    "measure": "how raw results become attainment (minimum outage, excluded tags, intervals, empty periods)",
    "credit": "the credit at given attainment levels, from the credit tables or credit models",
    "credit-model": "the kind of credit (tiers, linear, pool), or credits added or removed",
    "credit-terms": "base, currency, combining, cap, minimum amount, rounding and the at-risk pool",
    "claim": "how and by when to claim, and the evidence a claim must name",
    "remedy": "escalation steps, chronic failure, rolling-average termination right, earn-back",
    "exclusion": "what does not count against the provider",
    "responsibility": "the duties of each party",
    "notice": "days of notice before an adverse change",
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


# ---------------------------------------------------------------- terms


def compare_terms(old: Terms, new: Terms) -> list[Change]:
    """Every change from one version of an agreement's terms to another, in the file's order.

    The version's own metadata (`version`, `effective`, `published`, `changes`,
    `format`) is not a change to the terms and is not reported.
    """
    out: list[Change] = []
    _texts(
        out,
        "",
        old,
        new,
        [("title", "title"), ("summary", "summary"), ("provider", "provider"), ("customer", "customer"), ("owner", "owner")],
    )
    _texts(out, "service.", old.service, new.service, [("name", "service name"), ("scope", "service scope"), ("family", "service family")])
    _review(out, old, new)
    _notice(out, old, new)
    _period(out, old, new)
    _responsibilities(out, old, new)
    _metrics(out, old, new)
    _credit_terms(out, old, new)
    _remedies(out, old, new)
    _listed(
        out,
        "exclusion",
        "exclusions",
        "exclusion",
        old.exclusions,
        new.exclusions,
        added=ADVERSE,
        removed=FAVOURABLE,
        why_added="no longer counts against the provider",
        why_removed="now counts against the provider",
    )
    return out


def _texts(out: list[Change], prefix: str, old: Any, new: Any, fields: list[tuple[str, str]], kind: str = "text") -> None:
    for name, words in fields:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        subject = prefix + name
        if a is None:
            out.append(Change(kind, subject, f"{words} added: {_quote(b)}", NEUTRAL))
        elif b is None:
            out.append(Change(kind, subject, f"{words} removed (was {_quote(a)})", NEUTRAL))
        else:
            out.append(Change(kind, subject, f"{words} reworded", NEUTRAL, word_diff(a, b)))


def _review(out: list[Change], old: Terms, new: Terms) -> None:
    a, b = old.review, new.review
    if a == b:
        return
    if a is None or b is None:
        what = f"a review every {b.every_months} months is added" if a is None else "the review cycle is removed"
        out.append(Change("review", "review", what, NEUTRAL))
        return
    if a.every_months != b.every_months:
        out.append(
            Change("review", "review.every_months", f"reviewed every {b.every_months} months instead of every {a.every_months}", NEUTRAL)
        )
    if a.last != b.last:
        out.append(Change("review", "review.last", f"last review {b.last.isoformat()} (was {a.last.isoformat()})", NEUTRAL))


def _notice(out: list[Change], old: Terms, new: Terms) -> None:
    a, b = old.notice_days, new.notice_days
    if a == b:
        return
    if a is None:
        out.append(Change("notice", "notice_days", f"adverse changes now need {b} days of notice", FAVOURABLE if b else NEUTRAL))
    elif b is None:
        out.append(Change("notice", "notice_days", f"the {a} days of notice before an adverse change are removed", ADVERSE))
    else:
        out.append(
            Change(
                "notice",
                "notice_days",
                f"notice before an adverse change {'lengthens' if b > a else 'shortens'} from {a} to {b} days",
                _more(a, b, more_is=FAVOURABLE),
            )
        )


def _period(out: list[Change], old: Terms, new: Terms) -> None:
    if old.period != new.period:
        out.append(Change("period", "period", f"measured per {new.period} instead of per {old.period}", NEUTRAL))
    if old.timezone != new.timezone:
        out.append(Change("period", "timezone", f"periods run in {new.timezone} instead of {old.timezone}", NEUTRAL))
    if old.mid_period_change != new.mid_period_change:
        words = {"start_governs": "the version in force at its start", "end_governs": "the version in force at its end"}
        out.append(
            Change(
                "period",
                "mid_period_change",
                f"a period in which a new version takes effect is governed by {words[new.mid_period_change]} (was {words[old.mid_period_change]})",
                NEUTRAL,
            )
        )


# ---------------------------------------------------------------- lists of texts


def _pair_texts(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(removed, added, reworded pairs): equal texts match first, then the most similar (ratio >= 0.6)."""
    removed = list(old)
    added = []
    for text in new:
        if text in removed:
            removed.remove(text)
        else:
            added.append(text)
    candidates = sorted(
        ((difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), i, j) for i, a in enumerate(removed) for j, b in enumerate(added)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for ratio, i, j in candidates:
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


def _party(name: str, terms: Terms) -> str:
    """`customer`, `provider`, or `other` for a named team."""
    if name == "customer" or name == terms.customer:
        return "customer"
    if name == "provider" or name == terms.provider:
        return "provider"
    return "other"


def _responsibilities(out: list[Change], old: Terms, new: Terms) -> None:
    parties = list(old.responsibilities) + [p for p in new.responsibilities if p not in old.responsibilities]
    for party in parties:
        a, b = old.responsibilities.get(party, []), new.responsibilities.get(party, [])
        if a == b:
            continue
        side = _party(party, new if party in new.responsibilities else old)
        # A duty the customer takes on is a burden; a duty the provider takes on is a promise.
        if side == "customer":
            added, removed = ADVERSE, FAVOURABLE
        elif side == "provider":
            added, removed = FAVOURABLE, ADVERSE
        else:
            added = removed = NEUTRAL
        _listed(out, "responsibility", f"responsibilities.{party}", f"{party} duty", a, b, added=added, removed=removed)


# ---------------------------------------------------------------- metrics


def _metrics(out: list[Change], old: Terms, new: Terms) -> None:
    before = {m.id: m for m in old.metrics}
    after = {m.id: m for m in new.metrics}
    for metric in old.metrics:
        if metric.id not in after:
            out.append(
                Change(
                    "metric-removed",
                    f"metrics.{metric.id}",
                    f"metric {metric.name} removed: its objective of {_num(metric.objective, metric.unit)} is no longer promised",
                    ADVERSE,
                )
            )
    for metric in new.metrics:
        if metric.id not in before:
            out.append(
                Change(
                    "metric-added", f"metrics.{metric.id}", f"metric {metric.name} added, objective {objective_words(metric)}", FAVOURABLE
                )
            )
            continue
        _metric(out, old, new, before[metric.id], metric)


def _metric(out: list[Change], old_terms: Terms, new_terms: Terms, a: Metric, b: Metric) -> None:
    prefix = f"metrics.{b.id}."
    name = b.name
    if a.name != b.name:
        out.append(Change("text", prefix + "name", f"metric {a.name} renamed {b.name}", NEUTRAL, word_diff(a.name, b.name)))
    for key, words in (("definition", "definition"), ("target", "target")):
        x, y = getattr(a, key), getattr(b, key)
        if x == y:
            continue
        if x is None:
            out.append(Change("text", prefix + key, f"{name}: {words} added: {_quote(y)}", NEUTRAL))
        elif y is None:
            out.append(Change("text", prefix + key, f"{name}: {words} removed (was {_quote(x)})", NEUTRAL))
        else:
            out.append(Change("text", prefix + key, f"{name}: {words} reworded", NEUTRAL, word_diff(x, y)))
    comparable = a.better == b.better and a.unit.strip() == b.unit.strip()
    if a.unit != b.unit:
        out.append(Change("text", prefix + "unit", f"{name}: unit {_quote(b.unit)} instead of {_quote(a.unit)}", NEUTRAL))
    if a.better != b.better:
        out.append(
            Change(
                "better",
                prefix + "better",
                f"{name}: a {b.better} figure is now better (was {a.better}); objectives are not comparable",
                NEUTRAL,
            )
        )
    if a.objective != b.objective:
        if comparable:
            # Raising a higher-is-better objective promises more; raising a lower-is-better one promises less.
            effect = _more(a.objective, b.objective, more_is=FAVOURABLE if b.better == "higher" else ADVERSE)
        else:
            effect = NEUTRAL
        out.append(
            Change(
                "objective",
                prefix + "objective",
                f"{name}: objective {_raised(a.objective, b.objective)} from {_num(a.objective, a.unit)} to {_num(b.objective, b.unit)}",
                effect,
            )
        )
    if a.objective_strict != b.objective_strict:
        at = _num(b.objective, b.unit)
        if b.objective_strict:
            summary = f"{name}: exactly {at} now misses the objective (it must be {'above' if b.better == 'higher' else 'below'} it)"
        else:
            summary = f"{name}: exactly {at} now meets the objective"
        # Strict: exactly on the objective is a miss, so it earns a credit.
        out.append(
            Change(
                "objective-strict",
                prefix + "objective_strict",
                summary,
                (FAVOURABLE if b.objective_strict else ADVERSE) if comparable else NEUTRAL,
            )
        )
    _measure(out, prefix + "measure", name, a, b)
    _metric_credits(out, prefix + "credits", old_terms, new_terms, a, b, comparable)


def _measure(out: list[Change], subject: str, name: str, a: Metric, b: Metric) -> None:
    x, y = a.measure, b.measure
    if x == y:
        return
    if x.kind != y.kind:
        out.append(Change("measure", subject + ".kind", f"{name}: measured by `{y.kind}` instead of `{x.kind}`", NEUTRAL))
        return
    if y.kind == "downtime":
        if x.minimum_outage_minutes != y.minimum_outage_minutes:
            # A longer minimum leaves more short outages uncounted.
            out.append(
                Change(
                    "measure",
                    subject + ".minimum_outage_minutes",
                    f"{name}: downtime of fewer than {y.minimum_outage_minutes} consecutive minutes does not count (was {x.minimum_outage_minutes})",
                    _more(x.minimum_outage_minutes, y.minimum_outage_minutes, more_is=ADVERSE),
                )
            )
        for tag in y.exclude_tags:
            if tag not in x.exclude_tags:
                out.append(Change("measure", subject + ".exclude_tags", f"{name}: outages tagged `{tag}` no longer count", ADVERSE))
        for tag in x.exclude_tags:
            if tag not in y.exclude_tags:
                out.append(Change("measure", subject + ".exclude_tags", f"{name}: outages tagged `{tag}` now count", FAVOURABLE))
    elif y.kind == "intervals":
        if x.interval_minutes != y.interval_minutes:
            out.append(
                Change(
                    "measure",
                    subject + ".interval_minutes",
                    f"{name}: error rates over {y.interval_minutes}-minute intervals (was {x.interval_minutes})",
                    NEUTRAL,
                )
            )
    elif y.kind in ("events", "average") and x.when_empty != y.when_empty:
        # An empty period judged missed can earn a credit; judged met it cannot.
        out.append(
            Change(
                "measure",
                subject + ".when_empty",
                f"{name}: a period with nothing measured is now judged {y.when_empty} (was {x.when_empty})",
                FAVOURABLE if y.when_empty == "missed" else ADVERSE,
            )
        )


# ---------------------------------------------------------------- credits at attainment levels


def credit_at(terms: Terms, metric: Metric, attainment: Fraction) -> Fraction:
    """The credit % one period at `attainment` earns for this metric alone (before combining and caps).

    A pool metric counts as in default when below its minimum, or when a
    single miss makes a default (`expected_misses: 1`).
    """
    return rules.metric_credit(terms.credit_terms, metric, attainment, misses_running=1).percent


def _domain(metric: Metric) -> tuple[Fraction | None, Fraction | None]:
    if metric.is_percent:
        return Fraction(0), Fraction(100)
    if metric.measure.kind in ("count", "average"):
        return Fraction(0), None
    return None, None


def _breakpoints(metric: Metric) -> set[Fraction]:
    points = {Fraction(metric.objective)}
    credits = metric.credits
    if credits is None:
        return points
    if credits.model == "tiers":
        for tier in credits.tiers:
            span = span_of(tier)
            points.update(p for p in (span.low, span.high) if p is not None)
    elif credits.model == "linear" and credits.max is not None and credits.per_point:
        reach = Fraction(credits.max) / Fraction(credits.per_point)
        points.add(Fraction(metric.objective) + (-reach if metric.better == "higher" else reach))
    elif credits.model == "pool":
        points.add(Fraction(credits.minimum))
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
    varying = any(m.credits is not None and m.credits.model == "linear" for m in (a, b))
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
    if span.low is not None and span.low == span.high:
        return f"at {_num(span.low, unit)}"
    bounds = span_bounds(span, unit)
    return f"at an attainment {bounds}" if bounds else "at any attainment"


def _model_words(metric: Metric) -> str:
    credits = metric.credits
    if credits is None:
        return "no credit"
    return {"tiers": "a credit table", "linear": "a linear credit", "pool": "a pool credit"}[credits.model]


def _metric_credits(out: list[Change], subject: str, old_terms: Terms, new_terms: Terms, a: Metric, b: Metric, comparable: bool) -> None:
    name = b.name
    x, y = a.credits, b.credits
    if x is None and y is None:
        return
    if x is None or y is None or x.model != y.model:
        effect = FAVOURABLE if x is None else ADVERSE if y is None else NEUTRAL
        out.append(Change("credit-model", subject, f"{name}: {_model_words(b)} instead of {_model_words(a)}", effect))
    if x is not None and y is not None and x.model == y.model == "pool" and x.expected_misses != y.expected_misses:
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


# ---------------------------------------------------------------- credit terms and claims


def _credit_terms(out: list[Change], old: Terms, new: Terms) -> None:
    a, b = old.credit_terms, new.credit_terms
    if a == b:
        return
    if a is None:
        out.append(Change("credit-terms", "credit_terms", f"credit terms added: credits are a share of {_quote(b.base)}", FAVOURABLE))
        return
    if b is None:
        out.append(Change("credit-terms", "credit_terms", "credit terms removed: no credit can be computed", ADVERSE))
        return
    if a.base != b.base:
        out.append(Change("credit-terms", "credit_terms.base", "credit base reworded", NEUTRAL, word_diff(a.base, b.base)))
    if a.currency != b.currency:
        out.append(Change("credit-terms", "credit_terms.currency", f"credits in {b.currency} instead of {a.currency}", NEUTRAL))
    if a.combine != b.combine:
        if b.combine == "max":
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.combine",
                    "credits of several missed metrics no longer add up: only the largest is due",
                    ADVERSE,
                )
            )
        else:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.combine",
                    "credits of several missed metrics now add up instead of the largest only",
                    FAVOURABLE,
                )
            )
    if a.cap != b.cap:
        if a.cap is None:
            out.append(Change("credit-terms", "credit_terms.cap", f"a period's credit is now capped at {_pct(b.cap)}", ADVERSE))
        elif b.cap is None:
            out.append(Change("credit-terms", "credit_terms.cap", f"the cap of {_pct(a.cap)} on a period's credit is removed", FAVOURABLE))
        else:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.cap",
                    f"credit cap {_raised(a.cap, b.cap)} from {_pct(a.cap)} to {_pct(b.cap)}",
                    _more(a.cap, b.cap, more_is=FAVOURABLE),
                )
            )
    if a.minimum_amount != b.minimum_amount:
        if a.minimum_amount is None:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.minimum_amount",
                    f"a credit below {b.minimum_amount} {b.currency} is no longer issued",
                    ADVERSE,
                )
            )
        elif b.minimum_amount is None:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.minimum_amount",
                    f"the minimum credit of {a.minimum_amount} {a.currency} is removed: every credit is issued",
                    FAVOURABLE,
                )
            )
        else:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.minimum_amount",
                    f"minimum credit issued {_raised(a.minimum_amount, b.minimum_amount)} from {a.minimum_amount} to {b.minimum_amount} {b.currency}",
                    _more(a.minimum_amount, b.minimum_amount, more_is=ADVERSE),
                )
            )
    if a.round_to != b.round_to:
        words = f"credit amounts rounded to {b.round_to}" if b.round_to is not None else "credit amounts no longer rounded"
        out.append(
            Change("credit-terms", "credit_terms.round_to", words + (f" (was {a.round_to})" if a.round_to is not None else ""), NEUTRAL)
        )
    if a.pool != b.pool:
        if a.pool is None:
            out.append(
                Change(
                    "credit-terms", "credit_terms.pool", f"an at-risk pool of {_pct(b.pool.at_risk)} of the charges is added", FAVOURABLE
                )
            )
        elif b.pool is None:
            out.append(Change("credit-terms", "credit_terms.pool", f"the at-risk pool of {_pct(a.pool.at_risk)} is removed", ADVERSE))
        else:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.pool.at_risk",
                    f"amount at risk {_raised(a.pool.at_risk, b.pool.at_risk)} from {_pct(a.pool.at_risk)} to {_pct(b.pool.at_risk)} of the charges",
                    _more(a.pool.at_risk, b.pool.at_risk, more_is=FAVOURABLE),
                )
            )
    _claim(out, a.claim, b.claim)


def _deadline_days(deadline) -> tuple[int, int, str]:
    """(fewest, most) days after the period the deadline can be, and the deadline in words.

    The days come from the engine's own rule, over every month of a leap year and a common
    year, so billing cycles count with their real lengths."""
    months = [Period(year, month, "month") for year in (2023, 2024) for month in range(1, 13)]
    days = [(rules.deadline_after(deadline, p) - p.end).days + 1 for p in months]
    if deadline.days_after_period is not None:
        words = f"{deadline.days_after_period} days after the period"
    else:
        words = f"the end of the {_ordinal(deadline.billing_cycles_after)} billing cycle after the period"
    return min(days), max(days), words


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _claim(out: list[Change], a, b) -> None:
    if a == b:
        return
    if a is None:
        words = _deadline_days(b.deadline)[2]
        out.append(Change("claim", "credit_terms.claim", f"credits must now be claimed, by {words}", ADVERSE))
        return
    if b is None:
        out.append(
            Change("claim", "credit_terms.claim", "the claim process is removed: the agreement no longer says how to claim", NEUTRAL)
        )
        return
    if a.how != b.how:
        out.append(Change("claim", "credit_terms.claim.how", "how to claim reworded", NEUTRAL, word_diff(a.how, b.how)))
    if a.deadline != b.deadline:
        a_low, a_high, a_words = _deadline_days(a.deadline)
        b_low, b_high, b_words = _deadline_days(b.deadline)
        if b_high < a_low:
            effect, verb = ADVERSE, "shortens"
        elif b_low > a_high:
            effect, verb = FAVOURABLE, "lengthens"
        else:
            effect, verb = NEUTRAL, "changes"
        out.append(Change("claim", "credit_terms.claim.deadline", f"claim deadline {verb} from {a_words} to {b_words}", effect))
    _listed(
        out,
        "claim",
        "credit_terms.claim.evidence",
        "claim evidence",
        a.evidence,
        b.evidence,
        added=ADVERSE,
        removed=FAVOURABLE,
        why_added="a claim must name more",
        why_removed="a claim needs less",
    )


# ---------------------------------------------------------------- remedies


def _remedies(out: list[Change], old: Terms, new: Terms) -> None:
    from mkdocs_sla.core.model import Remedies

    a = old.remedies or Remedies()
    b = new.remedies or Remedies()
    if a == b:
        return
    _escalation(out, a.escalation, b.escalation)
    _chronic(out, a.chronic, b.chronic)
    _rolling(out, a.rolling_average, b.rolling_average)
    x, y = a.earn_back, b.earn_back
    if x != y:
        subject = "remedies.earn_back"
        if x is None:
            out.append(
                Change(
                    "remedy",
                    subject,
                    f"earn-back added: a credit is cancelled when the objective is met in the next {y.met_periods} periods",
                    ADVERSE,
                )
            )
        elif y is None:
            out.append(Change("remedy", subject, "earn-back removed: a credit once earned stays", FAVOURABLE))
        else:
            # More met periods needed to earn a credit back: credits are kept more often.
            out.append(
                Change(
                    "remedy",
                    subject + ".met_periods",
                    f"earning a credit back takes {y.met_periods} met periods (was {x.met_periods})",
                    _more(x.met_periods, y.met_periods, more_is=FAVOURABLE),
                )
            )


def _escalation(out: list[Change], old, new) -> None:
    remaining = list(old)
    added = []
    for step in new:
        if step in remaining:
            remaining.remove(step)
        else:
            added.append(step)
    # Steps with the same action, or else in the same place, are the same step changed.
    pairs = []
    for step in list(added):
        match = next((s for s in remaining if s.action == step.action), None)
        if match is not None:
            pairs.append((match, step))
            remaining.remove(match)
            added.remove(step)
    while remaining and added:
        pairs.append((remaining.pop(0), added.pop(0)))
    subject = "remedies.escalation"
    for step in remaining:
        out.append(
            Change(
                "remedy",
                subject,
                f"escalation step removed: {step.misses} misses in {step.within} periods — {_quote(step.action)}",
                ADVERSE,
            )
        )
    for step in added:
        out.append(
            Change(
                "remedy",
                subject,
                f"escalation step added: {step.misses} misses in {step.within} periods — {_quote(step.action)}",
                FAVOURABLE,
            )
        )
    for x, y in pairs:
        if x.misses != y.misses:
            out.append(
                Change(
                    "remedy",
                    subject,
                    f"escalation {_quote(y.action, 60)} after {y.misses} misses (was {x.misses})",
                    _more(x.misses, y.misses, more_is=ADVERSE),
                )
            )
        if x.within != y.within:
            out.append(
                Change(
                    "remedy",
                    subject,
                    f"escalation {_quote(y.action, 60)} counts misses within {y.within} periods (was {x.within})",
                    _more(x.within, y.within, more_is=FAVOURABLE),
                )
            )
        if x.action != y.action:
            out.append(Change("remedy", subject, "escalation action reworded", NEUTRAL, word_diff(x.action, y.action)))


def _chronic(out: list[Change], x, y) -> None:
    subject = "remedies.chronic"
    if x == y:
        return
    if x is None:
        out.append(
            Change(
                "remedy",
                subject,
                f"chronic failure added: {y.misses} misses within {y.within} periods"
                + (" give a termination right" if y.termination_right else ""),
                FAVOURABLE,
            )
        )
        return
    if y is None:
        out.append(Change("remedy", subject, f"chronic failure ({x.misses} misses within {x.within} periods) removed", ADVERSE))
        return
    if x.misses != y.misses:
        out.append(
            Change(
                "remedy",
                subject + ".misses",
                f"chronic failure takes {y.misses} misses (was {x.misses})",
                _more(x.misses, y.misses, more_is=ADVERSE),
            )
        )
    if x.within != y.within:
        out.append(
            Change(
                "remedy",
                subject + ".within",
                f"chronic failure counts misses within {y.within} periods (was {x.within})",
                _more(x.within, y.within, more_is=FAVOURABLE),
            )
        )
    if x.termination_right != y.termination_right:
        out.append(
            Change(
                "remedy",
                subject + ".termination_right",
                "chronic failure now gives a right to terminate"
                if y.termination_right
                else "chronic failure no longer gives a right to terminate",
                FAVOURABLE if y.termination_right else ADVERSE,
            )
        )
    if x.consequence != y.consequence:
        if x.consequence and y.consequence:
            out.append(
                Change(
                    "remedy",
                    subject + ".consequence",
                    "consequence of chronic failure reworded",
                    NEUTRAL,
                    word_diff(x.consequence, y.consequence),
                )
            )
        else:
            out.append(
                Change(
                    "remedy",
                    subject + ".consequence",
                    f"consequence of chronic failure {'added: ' + _quote(y.consequence) if y.consequence else 'removed'}",
                    NEUTRAL,
                )
            )


def _rolling(out: list[Change], x, y) -> None:
    subject = "remedies.rolling_average"
    if x == y:
        return
    if x is None:
        out.append(
            Change(
                "remedy",
                subject,
                f"a right to terminate when the average of `{y.metric}` over {y.periods} periods falls below {y.below} is added",
                FAVOURABLE,
            )
        )
        return
    if y is None:
        out.append(Change("remedy", subject, f"the right to terminate on a low rolling average of `{x.metric}` is removed", ADVERSE))
        return
    if x.metric != y.metric:
        out.append(Change("remedy", subject + ".metric", f"the rolling average is of `{y.metric}` instead of `{x.metric}`", NEUTRAL))
    if x.periods != y.periods:
        out.append(Change("remedy", subject + ".periods", f"the rolling average runs over {y.periods} periods (was {x.periods})", NEUTRAL))
    if x.below != y.below:
        # The right triggers on an average strictly below the level: a higher level triggers sooner.
        out.append(
            Change(
                "remedy",
                subject + ".below",
                f"the rolling-average level {_raised(x.below, y.below)} from {x.below} to {y.below}",
                _more(x.below, y.below, more_is=FAVOURABLE),
            )
        )
    if x.termination_right != y.termination_right:
        out.append(
            Change(
                "remedy",
                subject + ".termination_right",
                "a low rolling average now gives a right to terminate"
                if y.termination_right
                else "a low rolling average no longer gives a right to terminate",
                FAVOURABLE if y.termination_right else ADVERSE,
            )
        )


def version_history(record: Agreement) -> list[tuple[Version | None, Version, list[Change]]]:
    """Each version of an agreement, oldest first, with the version before it and what it changed:
    what the versions pages show."""
    history: list[tuple[Version | None, Version, list[Change]]] = []
    previous: Version | None = None
    for version in record.versions:
        history.append((previous, version, compare_terms(previous.terms, version.terms) if previous else []))
        previous = version
    return history


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class NoticeViolation:
    """An adverse change taking effect sooner than the agreement's notice allows."""

    label: str
    effective: dt.date
    notice_days: int
    earliest: dt.date  # the first day it could take effect with full notice
    adverse: int  # how many adverse changes

    @property
    def message(self) -> str:
        return (
            f"version `{self.label}` makes {self.adverse} adverse change(s) effective {self.effective.isoformat()}, "
            f"sooner than the {self.notice_days} days of notice the agreement promises; "
            f"expected `effective` on or after {self.earliest.isoformat()}"
        )


VersionStatus = Literal["new", "revised", "rewritten", "removed", "withdrawn"]


@dataclass(frozen=True)
class VersionDiff:
    """One version that is new, revised, rewritten or gone, and its changes.

    - `new`: a label not at BASE, compared with the version before it;
    - `revised`: an upcoming version (not yet published nor in force) edited;
    - `rewritten`: a version already published or in force edited: rewrites history;
    - `removed`: a version published or in force deleted: rewrites history;
    - `withdrawn`: an upcoming, unpublished version deleted.
    """

    label: str
    effective: dt.date
    status: VersionStatus
    compared_with: str | None  # the label the changes are measured from
    changes: tuple[Change, ...] = ()
    note: str | None = None  # the version's own `changes` text
    notice: NoticeViolation | None = None

    @property
    def rewrites_history(self) -> bool:
        return self.status in ("rewritten", "removed")


@dataclass(frozen=True)
class CreditView:
    """A period's credit as the evaluation gives it."""

    percent: Fraction
    amount: Fraction | None  # None without charges
    currency: str | None
    below_minimum: bool = False  # due but under `minimum_amount`: not issued

    @property
    def issued(self) -> Fraction | None:
        return None if self.amount is None else ZERO if self.below_minimum else self.amount

    def words(self) -> str:
        text = _pct(self.percent)
        if self.amount is not None and self.currency:
            money = display.money(self.amount, self.currency)
            text += f" ({money}, below the minimum: not issued)" if self.below_minimum else f" ({money})"
        return text


ResultsStatus = Literal["added", "removed", "edited", "recomputed"]


@dataclass(frozen=True)
class ResultsDiff:
    """One period whose results or credit differ.

    `recomputed`: the results are unchanged but the credit changed, because
    the terms that govern the period did.
    """

    period: str
    status: ResultsStatus
    past: bool  # the period had ended by the comparison date
    before: CreditView | None
    after: CreditView | None
    attainments: tuple[tuple[str, str, str], ...] = ()  # (metric, before, after) that differ

    @property
    def rewrites_history(self) -> bool:
        return self.past and self.status in ("removed", "edited", "recomputed")

    @property
    def effect(self) -> Effect:
        before = self.before.percent if self.before else ZERO
        after = self.after.percent if self.after else ZERO
        if self.before and self.after and self.before.issued is not None and self.after.issued is not None:
            # What the customer receives decides: 10% below the minimum is as much as 0%.
            before, after = self.before.issued, self.after.issued
        if self.status == "added" or not self.past:
            return NEUTRAL  # a period still running is measured as it goes
        return _more(before, after, more_is=FAVOURABLE)

    @property
    def summary(self) -> str:
        before = self.before.words() if self.before else "none"
        after = self.after.words() if self.after else "none"
        if self.status == "added":
            return f"results added for {self.period}: credit {after}"
        if self.status == "removed":
            return f"results of {self.period} removed: the credit was {before}"
        what = "results edited" if self.status == "edited" else "credit recomputed under changed terms"
        return f"{self.period} {what}: credit before {before}, after {after}"


AgreementStatus = Literal["added", "removed", "changed", "fixed", "invalid", "unchanged"]


@dataclass(frozen=True)
class AgreementDiff:
    """Everything that changed in one agreement between BASE and HEAD.

    `status`: `added`, `removed`, `changed`, `unchanged`; `fixed` when it was
    invalid at BASE and is valid at HEAD (its versions are then listed as
    new, without changes, since BASE cannot be read); `invalid` when it is
    invalid at HEAD (`problems` holds the errors).
    """

    id: str
    title: str
    status: AgreementStatus
    versions: tuple[VersionDiff, ...] = ()
    results: tuple[ResultsDiff, ...] = ()
    changes: tuple[Change, ...] = ()  # changes to the agreement as a whole (added, removed)
    problems: tuple[str, ...] = ()  # errors that kept BASE or HEAD from loading
    history_removed: bool = False  # removed with versions that were in force

    @property
    def all_changes(self) -> tuple[Change, ...]:
        return self.changes + tuple(c for v in self.versions for c in v.changes)

    @property
    def adverse(self) -> tuple[Change, ...]:
        return tuple(c for c in self.all_changes if c.effect == ADVERSE)

    @property
    def rewrites_history(self) -> bool:
        return self.history_removed or any(v.rewrites_history for v in self.versions) or any(r.rewrites_history for r in self.results)

    @property
    def notice_violations(self) -> tuple[NoticeViolation, ...]:
        return tuple(v.notice for v in self.versions if v.notice is not None)

    @property
    def changed(self) -> bool:
        return self.status != "unchanged" or bool(self.versions or self.results or self.changes)


def _published(version: Version, today: dt.date) -> bool:
    """Whether customers have seen the version: in force, or published, by `today`."""
    published = version.terms.published
    return version.effective <= today or (published is not None and published <= today)


def notice_violation(previous: Terms | None, version: Version, changes: Iterable[Change], today: dt.date) -> NoticeViolation | None:
    """An adverse change effective sooner than `notice_days` after `today`.

    The notice that binds is the one promised by the terms being changed (the
    previous version); a version cannot shorten its own notice period.
    """
    adverse = sum(1 for c in changes if c.effect == ADVERSE)
    if not adverse:
        return None
    days = previous.notice_days if previous is not None and previous.notice_days is not None else version.terms.notice_days
    if days is None:
        return None
    earliest = today + dt.timedelta(days=days)
    if version.effective >= earliest:
        return None
    return NoticeViolation(version.label, version.effective, days, earliest, adverse)


def compare_records(base: Agreement | None, head: Agreement | None, *, today: dt.date) -> AgreementDiff:
    """Compare two states of one agreement. `today` decides what is in force and what is past:
    the HEAD commit's date, or today for a working tree."""
    if base is None and head is None:
        raise ValueError("compare_records needs a record on at least one side")
    if head is None:
        in_force = any(v.effective <= today for v in base.versions)
        words = "agreement removed" + (", with versions already in force: its history is lost" if in_force else "")
        return AgreementDiff(
            base.id,
            base.versions[-1].terms.title,
            "removed",
            changes=(Change("agreement", base.id, words, ADVERSE),),
            history_removed=in_force,
        )
    title = head.versions[-1].terms.title
    if base is None:
        versions = tuple(VersionDiff(v.label, v.effective, "new", None, note=v.terms.changes) for v in head.versions)
        return AgreementDiff(
            head.id,
            title,
            "added",
            versions=versions,
            changes=(Change("agreement", head.id, f"agreement added with {len(head.versions)} version(s)", NEUTRAL),),
        )
    versions = _version_diffs(base, head, today)
    results = _results_diffs(base, head, today)
    status: AgreementStatus = "changed" if versions or results else "unchanged"
    return AgreementDiff(head.id, title, status, versions=versions, results=results)


def _version_diffs(base: Agreement, head: Agreement, today: dt.date) -> tuple[VersionDiff, ...]:
    before = {v.label: v for v in base.versions}
    after = {v.label: v for v in head.versions}
    found: list[VersionDiff] = []
    for index, version in enumerate(head.versions):
        old = before.get(version.label)
        if old is None:
            previous = head.versions[index - 1] if index else None
            changes = tuple(compare_terms(previous.terms, version.terms)) if previous else ()
            notice = notice_violation(_in_force_terms(base, version.effective), version, changes, today) if previous else None
            found.append(
                VersionDiff(
                    version.label, version.effective, "new", previous.label if previous else None, changes, version.terms.changes, notice
                )
            )
        elif old.digest != version.digest:
            changes = tuple(compare_terms(old.terms, version.terms))
            if _published(old, today):
                found.append(VersionDiff(version.label, version.effective, "rewritten", old.label, changes, version.terms.changes))
            else:
                notice = notice_violation(old.terms, version, changes, today)
                found.append(VersionDiff(version.label, version.effective, "revised", old.label, changes, version.terms.changes, notice))
    for version in base.versions:
        if version.label not in after:
            status: VersionStatus = "removed" if _published(version, today) else "withdrawn"
            found.append(VersionDiff(version.label, version.effective, status, None, note=version.terms.changes))
    return tuple(found)


def _in_force_terms(base: Agreement, day: dt.date) -> Terms:
    """The BASE terms that a version effective on `day` replaces: their notice binds."""
    return base.in_force(day).terms


def _credit_view(outcome) -> CreditView:
    terms = outcome.terms.credit_terms
    credit = outcome.credit
    return CreditView(credit.percent, credit.amount, terms.currency if terms else None, credit.below_minimum)


def _results_key(results: PeriodResults) -> tuple:
    intervals = {k: tuple((r.start, r.requests, r.errors) for r in rows) for k, rows in results.intervals.items()}
    return results.results, sorted(intervals.items())


def _results_diffs(base: Agreement, head: Agreement, today: dt.date) -> tuple[ResultsDiff, ...]:
    from mkdocs_sla.core.evaluate import evaluate
    from mkdocs_sla.present.display import attainment as show

    old_results = {r.period: r for r in base.results}
    new_results = {r.period: r for r in head.results}
    if not old_results and not new_results:
        return ()
    same_terms = [v.digest for v in base.versions] == [v.digest for v in head.versions]
    if (
        same_terms
        and old_results.keys() == new_results.keys()
        and all(_results_key(old_results[p]) == _results_key(new_results[p]) for p in old_results)
    ):
        return ()  # nothing to evaluate: the same terms and the same results give the same credits
    old_outcomes = {p.period: p for p in evaluate(base).periods}
    new_outcomes = {p.period: p for p in evaluate(head).periods}
    found = []
    for period in sorted(set(old_results) | set(new_results)):
        past = period.end <= today
        a, b = old_outcomes.get(period), new_outcomes.get(period)
        if a is None:
            found.append(ResultsDiff(period.label, "added", past, None, _credit_view(b)))
            continue
        if b is None:
            found.append(ResultsDiff(period.label, "removed", past, _credit_view(a), None))
            continue
        edited = _results_key(old_results[period]) != _results_key(new_results[period])
        before, after = _credit_view(a), _credit_view(b)
        if not edited and before == after:
            continue
        attainments = []
        old_metrics = {m.metric.id: m for m in a.metrics}
        for m in b.metrics:
            o = old_metrics.get(m.metric.id)
            if o is not None and o.attainment != m.attainment:
                attainments.append(
                    (m.metric.id, show(o.attainment, o.metric.unit, o.metric.better), show(m.attainment, m.metric.unit, m.metric.better))
                )
        found.append(ResultsDiff(period.label, "edited" if edited else "recomputed", past, before, after, tuple(attainments)))
    return tuple(found)


# ---------------------------------------------------------------- whole trees


@dataclass(frozen=True)
class CatalogDiff:
    """Every agreement that changed between two snapshots."""

    base: str
    head: str
    today: dt.date
    agreements: tuple[AgreementDiff, ...]
    problems: tuple[str, ...] = field(default=())  # HEAD errors outside any agreement folder

    @property
    def changed(self) -> tuple[AgreementDiff, ...]:
        return tuple(a for a in self.agreements if a.changed)

    @property
    def adverse(self) -> tuple[Change, ...]:
        return tuple(c for a in self.agreements for c in a.adverse)

    @property
    def adverse_count(self) -> int:
        """Adverse changes to terms, and past periods whose credit fell."""
        return len(self.adverse) + sum(1 for a in self.agreements for r in a.results if r.effect == ADVERSE)

    @property
    def rewrites_history(self) -> bool:
        return any(a.rewrites_history for a in self.agreements)

    @property
    def notice_violations(self) -> tuple[tuple[str, NoticeViolation], ...]:
        return tuple((a.id, n) for a in self.agreements for n in a.notice_violations)

    @property
    def invalid_head(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.agreements if a.status == "invalid") + (("(tree)",) if self.problems else ())


def _problem_lines(diagnostics: Iterable[Diagnostic]) -> tuple[str, ...]:
    return tuple(str(d) for d in diagnostics)


def compare_catalogs(base: Snapshot, head: Snapshot, *, today: dt.date | None = None) -> CatalogDiff:
    """Compare two trees agreement by agreement. `today` defaults to HEAD's date."""
    today = today or head.date
    ids = sorted(set(base.folders) | set(head.folders) | {r.id for r in base.catalog.agreements} | {r.id for r in head.catalog.agreements})
    found = []
    for agreement_id in ids:
        old = base.catalog.get(agreement_id)
        new = head.catalog.get(agreement_id)
        old_invalid = old is None and agreement_id in base.folders
        new_invalid = new is None and agreement_id in head.folders
        if new_invalid:
            problems = _problem_lines(head.problems(agreement_id)) or ("invalid at HEAD",)
            title = old.versions[-1].terms.title if old else agreement_id
            found.append(AgreementDiff(agreement_id, title, "invalid", problems=problems))
            continue
        if old_invalid and new is not None:
            diff = compare_records(None, new, today=today)
            problems = _problem_lines(base.problems(agreement_id))
            found.append(
                AgreementDiff(
                    agreement_id,
                    diff.title,
                    "fixed",
                    versions=diff.versions,
                    changes=(
                        Change(
                            "agreement", agreement_id, "invalid at BASE, valid at HEAD: its versions cannot be compared with BASE", NEUTRAL
                        ),
                    ),
                    problems=problems,
                )
            )
            continue
        if old is None and new is None:
            continue  # invalid at BASE and gone at HEAD
        diff = compare_records(old, new, today=today)
        if diff.changed:
            found.append(diff)
    return CatalogDiff(base.name, head.name, today, tuple(found), _problem_lines(head.stray_problems()))
