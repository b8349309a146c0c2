"""Corrections of a period for people and for JSON: "corrected on DATE: reason", the figures before and after.

The figures come from `corrections.yaml` (before: what the period showed; after: what it
shows now); which way each moved for the customer and whether the correction came after
the claim deadline are the core's rules (`core.corrections`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mkdocs_sla.core.corrections import CorrectionRecord, Direction, after_claim_deadline, direction, overall_direction
from mkdocs_sla.core.evaluate import PeriodOutcome
from mkdocs_sla.core.exact import fraction
from mkdocs_sla.present import display


@dataclass(frozen=True)
class FigureView:
    """One metric's attainment before and after, as shown (rounded towards the worse side)."""

    metric_id: str
    name: str
    before: str
    after: str
    direction: Direction


@dataclass(frozen=True)
class CorrectionView:
    """One correction of a period as the page and the JSON show it."""

    record: CorrectionRecord
    figures: tuple[FigureView, ...]
    direction: Direction
    late: dt.date | None  # the claim deadline the correction came after

    @property
    def date(self) -> dt.date:
        """The day the correction was made."""
        return self.record.correction.date

    @property
    def headline(self) -> str:
        """`corrected on 2025-03-05: reason` (the reason is the provider's text, Markdown)."""
        return f"corrected on {self.date.isoformat()}: {self.record.correction.reason}"

    @property
    def figures_text(self) -> str:
        """Each corrected figure before and after, in one line."""
        return "; ".join(f"{f.name}: {f.before} before, {f.after} after" for f in self.figures)

    @property
    def late_text(self) -> str | None:
        """Why a correction after the claim deadline matters, or None when it came in time."""
        if self.late is None:
            return None
        return f"after the claim deadline of {self.late.isoformat()}: the customer could no longer claim on the corrected figures"


def correction_views(outcome: PeriodOutcome) -> tuple[CorrectionView, ...]:
    """The corrections of one period, oldest first."""
    terms = outcome.terms
    views = []
    for record in outcome.results.corrections:
        figures = []
        for metric_id, figure in record.correction.metrics.items():
            metric = terms.metric(metric_id)
            if metric is None:  # the loader refuses it; nothing to show
                continue
            before = display.attainment(fraction(figure.before), metric.unit, metric.better)
            after = display.attainment(fraction(figure.after), metric.unit, metric.better)
            figures.append(
                FigureView(
                    metric_id,
                    metric.name,
                    before,
                    after,
                    direction(metric, figure),
                )
            )
        views.append(
            CorrectionView(
                record,
                tuple(figures),
                overall_direction([f.direction for f in figures]),
                after_claim_deadline(record.correction, outcome.period, terms.credit_terms),
            )
        )
    return tuple(views)


def corrections_document(outcome: PeriodOutcome) -> list[dict[str, Any]]:
    """The corrections of one period as plain data (exact figures as text)."""
    out = []
    for view in correction_views(outcome):
        c = view.record.correction
        out.append(
            {
                "date": c.date.isoformat(),
                "category": c.category.value,
                "reason": c.reason,
                "evidence": c.evidence,
                "note": c.note,
                "effect": view.direction.value,
                "after_claim_deadline": view.late.isoformat() if view.late else None,
                "metrics": [
                    {
                        "metric": f.metric_id,
                        "before": str(c.metrics[f.metric_id].before),
                        "after": str(c.metrics[f.metric_id].after),
                        "effect": f.direction.value,
                    }
                    for f in view.figures
                ],
            }
        )
    return out
