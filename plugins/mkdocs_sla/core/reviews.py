"""When an agreement's next review is due.

A version's terms say how often the agreement is reviewed (`review.every_months`) and when it
last was as they were written (`review.last`). Reviews held later change nothing in the terms,
and a published version is never edited, so they are recorded beside the terms
(`reviews.yaml`, `ReviewsFile`): the next review is due `every_months` after the latest review,
whichever of the two records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mkdocs_sla.core.model import Review, ReviewHeld


@dataclass(frozen=True)
class NextReview:
    """The review cycle on a day: the latest review held, how often, and when the next is due."""

    last: dt.date
    every_months: int
    due: dt.date
    recorded: ReviewHeld | None  # the latest review, when `reviews.yaml` records it (not the terms)

    def overdue(self, today: dt.date) -> bool:
        """Whether the review due has not been held by `today` (due the day before or earlier)."""
        return self.due < today


def next_review(review: Review | None, held: Sequence[ReviewHeld]) -> NextReview | None:
    """The next review under the terms' cycle (`review`), counted from the latest review held:
    the terms' `review.last` or a later one of `held`. None when the terms set no cycle."""
    if review is None:
        return None
    recorded = max(held, key=lambda h: h.date, default=None)
    if recorded is None or recorded.date <= review.last:
        return NextReview(review.last, review.every_months, review.due, None)
    # The month arithmetic is the terms' own (`Review.due`), from the later date.
    due = review.model_copy(update={"last": recorded.date}).due
    return NextReview(recorded.date, review.every_months, due, recorded)
