"""The record of reviews held (`reviews.yaml`): a review changes no term, so it is kept beside the
versioned terms, and the next review is due `review.every_months` after the latest review held,
whether the terms or the record name it (core.reviews); the file is checked with positions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from site_tests.core_helpers import agreement, assert_reported, position_of, run_sla, write_agreement

from helpers import BUILD_DAY, REPO_ROOT
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.model import Review, ReviewHeld
from mkdocs_sla.core.reviews import next_review
from mkdocs_sla.site.render import render_site
from mkdocs_sla.source.load import load

REVIEW = "review:\n  every_months: 12\n  last: 2025-03-31\n"
HEAD = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/reviews.schema.json\nreviews:\n"


def held(*days: str) -> tuple[ReviewHeld, ...]:
    return tuple(ReviewHeld(date=dt.date.fromisoformat(d)) for d in days)


@pytest.mark.parametrize(
    ("recorded", "last", "due"),
    [
        ((), "2025-03-31", "2026-03-31"),  # nothing recorded: the terms' last review counts
        (("2026-02-27",), "2026-02-27", "2027-02-27"),  # a later review held moves the next one
        (("2025-08-31", "2026-01-31"), "2026-01-31", "2027-01-31"),  # the latest of several counts
        (("2024-12-01",), "2025-03-31", "2026-03-31"),  # one before the terms' own date does not
    ],
)
def test_the_next_review_is_due_every_months_after_the_latest_review_held(recorded, last, due):
    upcoming = next_review(Review(every_months=12, last=dt.date(2025, 3, 31)), held(*recorded))
    assert (upcoming.last.isoformat(), upcoming.due.isoformat()) == (last, due)
    assert (upcoming.recorded is not None) == (last != "2025-03-31")


def test_a_review_due_is_overdue_from_the_day_after_it_is_due():
    upcoming = next_review(Review(every_months=6, last=dt.date(2025, 8, 31)), ())
    assert upcoming.due == dt.date(2026, 2, 28)  # the month's last day: February has no 31st
    assert not upcoming.overdue(dt.date(2026, 2, 28)) and upcoming.overdue(dt.date(2026, 3, 1))


def test_terms_without_a_review_cycle_have_no_next_review_whatever_is_recorded():
    assert next_review(None, held("2026-01-01")) is None


def test_a_recorded_review_moves_the_due_date_on_the_page_without_touching_the_terms(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(extra=REVIEW))
    catalog = load(tmp_path)
    page = render_site(catalog, [evaluate(r) for r in catalog.agreements], today=dt.date(2026, 6, 1))["agreements/svc.md"]
    assert "Review overdue" in page and "The review was due on 2026-03-31" in page
    (folder / "reviews.yaml").write_text(HEAD + "  - date: 2026-04-14\n    note: Terms confirmed.\n")
    catalog = load(tmp_path)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    page = render_site(catalog, [evaluate(r) for r in catalog.agreements], today=dt.date(2026, 6, 1))["agreements/svc.md"]
    assert "Review overdue" not in page
    assert re.search(r"2027-04-14.*every 12 months; last 2026-04-14 \(held since the terms were written\)", page), page


@pytest.mark.parametrize(
    ("body", "needle", "words"),
    [
        ("  - date: 2026-13-01\n", "2026-13-01", ("date",)),
        ("  - date: 2026-02-01\n    notes: typo\n", "notes", ("notes",)),
        ("  - date: 2026-02-01\n  - date: 2026-02-01\n", "2026-02-01", ("each review once, oldest first",)),
        ("  - date: 2026-02-01\n  - date: 2025-12-01\n", "2025-12-01", ("after the one on 2026-02-01", "oldest first")),
    ],
)
def test_a_wrong_review_record_is_reported_at_its_position(tmp_path, body, needle, words):
    folder = write_agreement(tmp_path, "svc", agreement(extra=REVIEW))
    text = HEAD + body
    (folder / "reviews.yaml").write_text(text)
    occurrence = 2 if "each review once" in words[0] else 1
    line, column = position_of(text, needle, occurrence)
    if needle == "notes":
        column = 5
    assert_reported(tmp_path, "svc/reviews.yaml", line, column, *words)


def test_reviews_recorded_for_terms_without_a_review_cycle_are_an_error(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement())
    (folder / "reviews.yaml").write_text(HEAD + "  - date: 2026-02-01\n")
    assert_reported(tmp_path, "svc/reviews.yaml", 2, 1, "set no review cycle")


def test_a_review_after_the_build_date_is_an_error(tmp_path):
    folder = write_agreement(tmp_path, "svc", agreement(extra=REVIEW))
    (folder / "reviews.yaml").write_text(HEAD + "  - date: 2026-06-02\n")
    catalog = load(tmp_path, dt.date(2026, 6, 1))
    assert [str(d).split(": error: ")[1] for d in catalog.errors] == [
        "review on 2026-06-02 is after today, 2026-06-01; expected only reviews already held"
    ]
    assert str(catalog.errors[0].position).endswith("svc/reviews.yaml:3:11")
    done = run_sla("validate", "--today", "2026-06-01", tmp_path.name, cwd=tmp_path.parent)
    assert done.returncode == 1 and f"{tmp_path.name}/svc/reviews.yaml:3:11: error: review on 2026-06-02 is after today" in done.stdout
    assert not load(tmp_path, dt.date(2026, 6, 2)).errors


def test_no_example_shows_an_overdue_review_on_the_build_date():
    catalog = load(REPO_ROOT / "agreements", BUILD_DAY)
    assert not catalog.errors
    pages = render_site(catalog, [evaluate(r) for r in catalog.agreements], today=BUILD_DAY)
    reviewed = [r.id for r in catalog.agreements if r.in_force(BUILD_DAY).terms.review]
    assert len(reviewed) >= 6
    for agreement_id in reviewed:
        page = pages[f"agreements/{agreement_id}.md"]
        assert "Next review" in page and "Review overdue" not in page and "sla-mark--overdue" not in page, agreement_id
