"""Evaluations as plain data (JSON-ready), one shape for `sla credits` and the site's JSON files.

Numbers are decimal strings, never binary floats and never fractions (a
spreadsheet reads `"3700/41"` as a date): exact where the decimal ends
(`"99.5"`), else to `display.DOCUMENT_PLACES` (20) decimals, half even
(`"99.89919354838709677419"`); each has its display form beside it.
"""

from __future__ import annotations

from typing import Any

from mkdocs_sla.core.evaluate import PeriodOutcome
from mkdocs_sla.present import display
from mkdocs_sla.present.corrections import corrections_document
from mkdocs_sla.present.evidence import metric_evidence
from mkdocs_sla.present.ticketwords import tickets_document
from mkdocs_sla.present.words import measured_words, remedy_words, withheld_words


def period_document(outcome: PeriodOutcome) -> dict[str, Any]:
    """One period of one agreement: each metric's attainment, status, tier and credit, then the
    period's credit after combining, caps and the minimum, and the remedies reached."""
    terms = outcome.terms
    currency = terms.credit_terms.currency if terms.credit_terms else None
    credit = outcome.credit
    charges = outcome.results.results.charges
    return {
        "period": outcome.period.label,
        "version": outcome.version,
        "charges": str(charges) if charges is not None else None,
        "metrics": [
            {
                "metric": m.metric.id,
                "attainment": display.decimal(m.attainment),
                "attainment_display": display.attainment(m.attainment, m.metric.unit, m.metric.better)
                if m.attainment is not None
                else None,
                "unit": m.metric.unit,
                "objective": str(m.metric.objective),
                "status": m.status.value,
                "measured": measured_words(m),
                "tier": m.tier,
                "credit_percent": display.decimal(m.credit_percent),
                "default": m.default,
                "earned_back_in": m.earned_back.label if m.earned_back else None,
                **(
                    {"tickets": tickets_document(m.measured, terms.timezone, outcome.results.ticket_file)}
                    if m.measured is not None and m.measured.tickets is not None
                    else {}
                ),
            }
            for m in outcome.metrics
        ],
        "credit": {
            "combined_percent": display.decimal(credit.combined_percent),
            "percent": display.decimal(credit.percent),
            "capped": credit.capped,
            "amount": display.decimal(credit.amount),
            "amount_display": display.credit_amount(credit.amount, currency, withheld=credit.below_minimum)
            if credit.amount is not None and currency
            else None,
            # `percent` of the charges before `round_to`, and how it was rounded: what makes
            # `amount` differ from the product by up to the step.
            "unrounded_amount": display.decimal(credit.unrounded),
            "rounding": credit.rounding.value,
            "below_minimum": credit.below_minimum,
            "withheld": withheld_words(terms.credit_terms) if credit.below_minimum else None,
            "issued": display.decimal(credit.issued),
            "currency": currency,
        },
        "claim_deadline": outcome.claim_deadline.isoformat() if outcome.claim_deadline else None,
        "misses_to_date": outcome.misses_to_date,
        "chronic_failure": outcome.chronic,
        "termination_right": outcome.termination_right,
        "remedies": [
            {"kind": r.kind.value, "metric": r.metric_id, "text": remedy_words(r), "termination_right": r.termination_right}
            for r in outcome.remedies
        ],
        "corrections": corrections_document(outcome),
    }


def evidenced_period_document(outcome: PeriodOutcome) -> dict[str, Any]:
    """A period as the agreement's JSON on the site gives it: `period_document` with the evidence
    of each metric (outages, counted and excluded minutes and why, maintenance windows, the note)
    and, next to the credit, the charges it applies to and what they are (the credit base)."""
    document = period_document(outcome)
    terms = outcome.terms
    charges = outcome.results.results.charges
    document["credit"] = {
        "base": terms.credit_terms.base if terms.credit_terms else None,
        "charges": str(charges) if charges is not None else None,
        **document["credit"],
    }
    for entry, m in zip(document["metrics"], outcome.metrics, strict=True):
        entry["evidence"] = metric_evidence(m, outcome)
    return document
