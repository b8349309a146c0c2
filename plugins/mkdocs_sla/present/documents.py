"""Evaluations as plain data (JSON-ready), one shape for `sla credits` and the site's JSON files.

Exact values are strings: a terminating decimal (`"99.5"`) or a fraction
(`"24775/248"`), so nothing is lost to floating point; each has its display
form beside it.
"""

from __future__ import annotations

from typing import Any

from mkdocs_sla.core.evaluate import PeriodOutcome
from mkdocs_sla.present import display
from mkdocs_sla.present.words import measured_words, remedy_words


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
                "attainment": display.exact(m.attainment),
                "attainment_display": display.attainment(m.attainment, m.metric.unit, m.metric.better)
                if m.attainment is not None
                else None,
                "unit": m.metric.unit,
                "objective": str(m.metric.objective),
                "status": m.status.value,
                "measured": measured_words(m),
                "tier": m.tier,
                "credit_percent": display.exact(m.credit_percent),
                "default": m.default,
                "earned_back_in": m.earned_back.label if m.earned_back else None,
            }
            for m in outcome.metrics
        ],
        "credit": {
            "combined_percent": display.exact(credit.combined_percent),
            "percent": display.exact(credit.percent),
            "capped": credit.capped,
            "amount": display.exact(credit.amount),
            "amount_display": display.money(credit.amount, currency) if credit.amount is not None and currency else None,
            "below_minimum": credit.below_minimum,
            "issued": display.exact(credit.issued),
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
    }
