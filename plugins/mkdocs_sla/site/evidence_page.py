"""The evidence section of an agreement page: maintenance windows, and per period the outages with
counted and excluded minutes and why, the charges and the credit worked out (`evidence.md.j2`).

The figures come from `present.evidence`, the same data as the agreement's JSON."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from mkdocs_sla.core.credits import AmountRounding
from mkdocs_sla.core.evaluate import AgreementEvaluation, MetricOutcome, PeriodOutcome
from mkdocs_sla.core.maintenance import required_notice
from mkdocs_sla.core.periods import localize
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.present import display
from mkdocs_sla.present.evidence import local_time, minutes_text, notice_text, period_evidence
from mkdocs_sla.present.words import amount_rounding_words, metric_credit_words, period_name, withheld_words
from mkdocs_sla.site.templating import _env


def _formula(m: MetricOutcome, evidence: dict[str, Any]) -> str | None:
    """Attainment worked out: (measured − downtime) ÷ measured × 100 = figure → result and credit."""
    if m.measured is None or m.measured.evidence is None:
        return None
    metric = m.metric
    measured, down = evidence["measured_minutes_display"], evidence["down_minutes_display"]
    if m.attainment is None:
        return f"No minutes measured (the deployment never ran): judged {m.status.value}."
    shown = display.attainment(m.attainment, metric.unit, metric.better)
    # "exactly 99.8%", or the unrounded "99.798387096774…%" (as the periods table's tooltip).
    exact = display.exactly(m.attainment, "%")
    result = m.status.value if m.met else f"{m.status.value}: {metric_credit_words(m)}"
    return f"({measured} − {down}) ÷ {measured} × 100 = {shown} ({exact}) against the objective {metric.objective}%: {result}."


def _credit(outcome: PeriodOutcome, charges: str | None) -> str:
    credit = outcome.credit
    currency = outcome.terms.credit_terms.currency if outcome.terms.credit_terms else ""
    if credit.combined_percent == 0:
        return "none"
    parts = []
    combine = outcome.terms.credit_terms.combine if outcome.terms.credit_terms else "sum"
    credited = [m for m in outcome.metrics if m.credited]
    # Worked out: each figure unrounded where rounding would change it (4.820895522388…%), so that
    # the parts add up to the sum and the percentage of the charges gives the amount shown.
    if len(credited) > 1:
        shares = [display.worked(m.credit_percent) for m in credited]
        joined = " + ".join(shares) if combine == "sum" else f"the largest of {', '.join(shares)}"
        parts.append(f"{joined} = {display.worked(credit.combined_percent)}")
    if credit.capped:
        parts.append(f"capped to {display.worked(credit.percent)}")
    text = "; ".join([*parts, display.worked(credit.percent)]) if parts else display.worked(credit.percent)
    if credit.amount is not None and charges:
        text += f" of {charges} = "
        if credit.rounding is not AmountRounding.NONE:
            # Rounded by the agreement's `round_to`: the unrounded product, then the step, so
            # that the line gives the amount credited (and a reader sees why it is not the product).
            how = amount_rounding_words(credit.rounding)
            step = display.plain(outcome.terms.credit_terms.round_to)
            text += f"{display.worked(credit.unrounded, currency)}, rounded {how} to a multiple of {step} {currency}: "
        text += display.credit_amount(credit.amount, currency, withheld=credit.below_minimum)
        if credit.below_minimum:
            text += f", {withheld_words(outcome.terms.credit_terms, of_amount=True)}"
    elif credit.amount is None:
        text += " of the credit base (no charges reported)"
    return text


def _period_view(outcome: PeriodOutcome) -> dict[str, Any]:
    evidence = period_evidence(outcome)
    metrics = []
    for m in outcome.metrics:
        found = evidence["metrics"].get(m.metric.id)
        if found is None:
            continue
        outages = []
        for n, o in enumerate(found.get("outages", ()), start=1):
            label = o["id"] or f"#{n}"
            whole = f"{o['start_display']} to {o['end_display']}"
            outages.append({**o, "label": label, "whole": whole})
        metrics.append(
            {
                "id": m.metric.id,
                "name": m.metric.name,
                "note": found["note"],
                "counts_outages": m.metric.measure.counts_outages,
                "outages": outages,
                "windows": found.get("windows", []),
                "formula": _formula(m, found) if "measured_minutes" in found else None,
            }
        )
    credit = _credit(outcome, evidence["charges_display"])
    return {
        "label": outcome.period.label,
        "summary": f"{period_name(outcome.period)}, version {outcome.version}, credit {credit}",
        "charges": evidence["charges_display"] or evidence["charges"],
        "base": evidence["credit_base"],
        "source": evidence["results_file"],
        "metrics": metrics,
    }


def _windows(record: Agreement, evaluation: AgreementEvaluation) -> tuple[list[dict[str, Any]], str]:
    """Every window of the agreement (in any version's terms and in maintenance.yaml), with what it excluded over all periods."""
    terms = record.versions[-1].terms
    maintenance = terms.maintenance
    # Every version's windows (a window an older version declared excluded minutes in its periods),
    # the latest declaration of an id first, then those of maintenance.yaml.
    by_id = {}
    for version in reversed(record.versions):
        for window in version.terms.maintenance.windows if version.terms.maintenance else ():
            by_id.setdefault(window.id, window)
    declared = [*by_id.values(), *record.maintenance]
    excluded: dict[str, Fraction] = {}
    for outcome in evaluation.periods:
        for m in outcome.metrics:
            evidence = m.measured.evidence if m.measured is not None else None
            for w in evidence.windows if evidence else ():
                excluded[w.occurrence.window.id] = excluded.get(w.occurrence.window.id, Fraction(0)) + w.excluded_minutes
    views = []
    for w in declared:
        if w.rrule is None:
            when = f"{local_time(_aware(w.start, terms.timezone), terms.timezone)} to {local_time(_aware(w.end, terms.timezone), terms.timezone)}"
        else:
            when = f"from {local_time(_aware(w.start, terms.timezone), terms.timezone)}, {w.duration_minutes} minutes, repeating {w.rrule}"
        views.append(
            {
                "id": w.id,
                "note": w.note,
                "when": when,
                "announced": local_time(_aware(w.announced, terms.timezone), terms.timezone),
                "metrics": ", ".join(w.metrics) if w.metrics else "every metric that counts outages",
                "excluded": minutes_text(excluded.get(w.id, Fraction(0))),
            }
        )
    notice = notice_text(required_notice(maintenance.notice_days)) if maintenance else "no time"
    return views, notice


def _aware(moment: dt.datetime, timezone: str) -> dt.datetime:
    return localize(moment, timezone)


def evidence_section(record: Agreement, evaluation: AgreementEvaluation) -> Markup:
    """The page's evidence section; empty when there are no periods and no windows."""
    windows, notice = _windows(record, evaluation)
    periods = [_period_view(outcome) for outcome in reversed(evaluation.periods)]
    if not periods and not windows:
        return Markup("")
    timezone = record.versions[-1].terms.timezone
    return Markup(_env().get_template("evidence.md.j2").render(windows=windows, notice=notice, periods=periods, timezone=timezone))
