"""`sla diff`: a past period whose results changed with a correction recorded is a correction, not rewritten history.

A correction counts when HEAD's `corrections.yaml` holds an entry for the period that
BASE did not (same period, date and reason): the change to the results is then the
correction it records. Without one, an edited past period still rewrites history.
"""

from __future__ import annotations

import dataclasses

from mkdocs_sla.compare.agreements import ResultsDiff, ResultsStatus
from mkdocs_sla.compare.changes import Effect
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.present.corrections import correction_views


def _key(record) -> tuple:
    c = record.correction
    return record.period, c.date, c.reason


def as_corrections(found: list[ResultsDiff], base: Agreement, head: Agreement, head_outcomes: dict) -> list[ResultsDiff]:
    """The results diffs, with each edited past period that HEAD newly corrects marked `corrected`."""
    known = {_key(c) for r in base.results for c in r.corrections}
    out = []
    for diff in found:
        outcome = next((o for p, o in head_outcomes.items() if p.label == diff.period), None)
        views = [v for v in correction_views(outcome) if _key(v.record) not in known] if outcome is not None else []
        if not views or diff.status not in (ResultsStatus.EDITED, ResultsStatus.RECOMPUTED) or not diff.past:
            out.append(diff)
            continue
        words = []
        for view in views:
            c = view.record.correction
            text = f"corrected on {view.date.isoformat()} ({c.category.value}): {' '.join(c.reason.split())}"
            if view.figures:
                text += f" [{view.figures_text}]"
            if view.late:
                text += f" — AFTER the claim deadline of {view.late.isoformat()}"
            words.append(text)
        directions = {v.direction.value for v in views} - {"neutral"}
        effect = Effect.ADVERSE if "adverse" in directions else Effect.FAVOURABLE if directions else Effect.NEUTRAL
        out.append(
            dataclasses.replace(
                diff, status=ResultsStatus.CORRECTED, corrections=tuple(words), late=any(v.late for v in views), correction_effect=effect
            )
        )
    return out
