"""The record of reviews held, `agreements/<id>/reviews.yaml`, checked with positions.

A review held changes nothing in the terms, and a published version is never edited (its
digest is in `versions.lock`), so the reviews held after a version was written are recorded
here; the next review is due `review.every_months` after the latest (`core.reviews`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.model import ReviewHeld, ReviewsFile
from mkdocs_sla.core.records import Version
from mkdocs_sla.source.pydantic_errors import validate
from mkdocs_sla.source.yamlsource import single_document

REVIEWS_FILE = "reviews.yaml"


def load_reviews(
    folder: Path, versions: Sequence[Version], diagnostics: Diagnostics, today: dt.date | None = None
) -> tuple[ReviewHeld, ...]:
    """The reviews of `reviews.yaml`, oldest first, each once; with `today`, none after it. A record
    of reviews for terms that set no review cycle is an error (it would count for nothing)."""
    path = folder / REVIEWS_FILE
    if not os.path.lexists(path):
        return ()
    document = single_document(
        path, diagnostics, lambda documents, display: (Position(display), f"expected one YAML document; found {len(documents)}")
    )
    if document is None:
        return ()
    found = validate(ReviewsFile, document, diagnostics)
    if found is None:
        return ()
    if versions and versions[-1].terms.review is None:
        diagnostics.error(
            document.position(("reviews",), key=True),
            "reviews recorded, but the terms in force set no review cycle; expected `review: {every_months, last}` in the terms",
        )
    previous = None
    for index, held in enumerate(found.reviews):
        at = document.position(("reviews", index, "date"))
        if today is not None and held.date > today:
            diagnostics.error(
                at, f"review on {held.date.isoformat()} is after today, {today.isoformat()}; expected only reviews already held"
            )
        if previous is not None and held.date <= previous:
            diagnostics.error(
                at, f"review on {held.date.isoformat()} after the one on {previous.isoformat()}; expected each review once, oldest first"
            )
        previous = held.date
    return tuple(found.reviews)
