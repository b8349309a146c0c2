"""What changed between two versions of an agreement's terms: texts, parties, duties, periods and metrics."""

from __future__ import annotations

from typing import Any

from mkdocs_sla.compare.changes import ADVERSE, FAVOURABLE, NEUTRAL, Change, _listed, _more, _num, _quote, _raised, word_diff
from mkdocs_sla.compare.clauses import _credit_terms, _remedies
from mkdocs_sla.compare.credit_levels import _metric_credits
from mkdocs_sla.compare.tickets import service_hours_change, ticket_measure_changes
from mkdocs_sla.core.fields import EmptyPeriod
from mkdocs_sla.core.model import Metric, Terms
from mkdocs_sla.present.words import objective_words

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
    _maintenance(out, old, new)
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


def _maintenance(out: list[Change], old: Terms, new: Terms) -> None:
    """Shorter notice for maintenance, and windows added, exclude more outage minutes: adverse."""
    a, b = old.maintenance, new.maintenance
    if a == b:
        return
    notice_a = a.notice_days if a else None
    notice_b = b.notice_days if b else None
    if notice_a != notice_b and notice_a is not None and notice_b is not None:
        out.append(
            Change(
                "maintenance",
                "maintenance.notice_days",
                f"maintenance needs {notice_b} days of notice (was {notice_a})",
                _more(notice_a, notice_b, more_is=FAVOURABLE),
            )
        )
    elif notice_a != notice_b:
        out.append(Change("maintenance", "maintenance.notice_days", f"maintenance needs {notice_b} days of notice", NEUTRAL))
    windows_a = {w.id: w for w in (a.windows if a else ())}
    windows_b = {w.id: w for w in (b.windows if b else ())}
    for window_id, window in windows_b.items():
        if window_id not in windows_a:
            out.append(
                Change(
                    "maintenance",
                    "maintenance.windows",
                    f"maintenance window `{window_id}` added: outage minutes inside it do not count",
                    ADVERSE,
                )
            )
        elif windows_a[window_id] != window:
            out.append(Change("maintenance", "maintenance.windows", f"maintenance window `{window_id}` changed", NEUTRAL))
    for window_id in windows_a:
        if window_id not in windows_b:
            out.append(
                Change(
                    "maintenance", "maintenance.windows", f"maintenance window `{window_id}` removed: outage minutes then count", FAVOURABLE
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
    if y.reads_tickets:
        ticket_measure_changes(out, subject, name, a, b)
    if y.reads_log:  # downtime and available minutes: both may count only a calendar's hours
        service_hours_change(out, subject, name, a, b)
    if y.counts_outages:
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
        if x.service_hours != y.service_hours:
            hours = "every minute" if y.service_hours is None else "only minutes within the service hours"
            out.append(Change("measure", subject + ".service_hours", f"{name}: {hours} are measured now", NEUTRAL))
    if y.reads_log:
        for tag in y.exclude_tags:
            if tag not in x.exclude_tags:
                out.append(Change("measure", subject + ".exclude_tags", f"{name}: outages tagged `{tag}` no longer count", ADVERSE))
        for tag in x.exclude_tags:
            if tag not in y.exclude_tags:
                out.append(Change("measure", subject + ".exclude_tags", f"{name}: outages tagged `{tag}` now count", FAVOURABLE))
    # By the settings the measure has, not by its kind: a new measure with them is compared too.
    fields = type(y).model_fields
    if "threshold" in fields and x.threshold != y.threshold:
        # A higher threshold leaves more minutes with errors counted as up.
        out.append(
            Change(
                "measure",
                subject + ".threshold",
                f"{name}: a minute is down above {y.threshold}% errors (was {x.threshold}%)",
                _more(x.threshold, y.threshold, more_is=ADVERSE),
            )
        )
    if "interval_minutes" in fields:
        if x.interval_minutes != y.interval_minutes:
            out.append(
                Change(
                    "measure",
                    subject + ".interval_minutes",
                    f"{name}: error rates over {y.interval_minutes}-minute intervals (was {x.interval_minutes})",
                    NEUTRAL,
                )
            )
    elif "when_empty" in fields and x.when_empty != y.when_empty:
        # An empty period judged missed earns no credit, but counts as a miss (towards chronic
        # failure and defaults); judged met it does not: missed is the customer's side.
        out.append(
            Change(
                "measure",
                subject + ".when_empty",
                f"{name}: a period with nothing measured is now judged {y.when_empty.value} (was {x.when_empty.value})",
                FAVOURABLE if y.when_empty is EmptyPeriod.MISSED else ADVERSE,
            )
        )
