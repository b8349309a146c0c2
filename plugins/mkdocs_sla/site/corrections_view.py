"""The corrections of a period in the periods table: "corrected on DATE: reason", the figures before and after."""

from __future__ import annotations

from mkdocs_sla.core.evaluate import PeriodOutcome
from mkdocs_sla.present import markup
from mkdocs_sla.present.corrections import correction_views
from mkdocs_sla.present.markup import escape_line as escape


def correction_rows(outcome: PeriodOutcome) -> list[str]:
    """One table row per correction of the period, oldest first; none for an uncorrected period.
    The reason, evidence and note are the provider's Markdown, sanitised; everything else is escaped."""
    rows = []
    for view in correction_views(outcome):
        c = view.record.correction
        parts = [
            f"<strong>Corrected on {escape(view.date.isoformat())}</strong>: {markup.inline(c.reason)} "
            f'<span class="sla-note">({escape(c.category.value)}; {escape(view.direction.value)} for the customer)</span>'
        ]
        if view.figures:
            parts.append(f"<br>{escape(view.figures_text)}")
        if view.late_text:
            parts.append(f'<br><strong class="sla-correction__late">Made {escape(view.late_text)}.</strong>')
        if c.evidence:
            parts.append(f"<br><small>Evidence: {markup.inline(c.evidence)}</small>")
        if c.note:
            parts.append(f"<br><small>{markup.inline(c.note)}</small>")
        rows.append(
            f'<tr class="sla-row--correction sla-correction--{escape(view.direction.value)}"><td colspan="4">{"".join(parts)}</td></tr>'
        )
    return rows
