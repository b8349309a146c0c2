"""Checks on a version's credit tiers that span several values: overlaps (errors) and gaps (warnings)."""

from __future__ import annotations

import re
from collections.abc import Callable

from mkdocs_sla.core.diagnostics import Diagnostics, Position, Severity, excerpt
from mkdocs_sla.core.model import RESERVED_IDS, SLUG, Metric, Terms
from mkdocs_sla.core.spans import span_of
from mkdocs_sla.core.tiers import attainment_range, missed_span, tier_gaps
from mkdocs_sla.present.words import bounds_in_words, span_in_words

#: The problems of each tier table checked in this process, by the metric's terms (as JSON): a
#: catalog repeats the same standard tiers in thousands of agreements, and the check reasons in
#: fractions over every pair of tiers.
_TIER_PROBLEMS: dict[str, tuple[tuple[str, int, str], ...]] = {}
_KEPT_TABLES = 4096


def check_tiers(metric: Metric, position: Callable[[int], Position], diagnostics: Diagnostics) -> None:
    """Overlapping tiers are errors; attainments that miss the objective but fall in no tier are warnings."""
    key = metric.model_dump_json()
    problems = _TIER_PROBLEMS.get(key)
    if problems is None:
        if len(_TIER_PROBLEMS) >= _KEPT_TABLES:
            _TIER_PROBLEMS.clear()
        problems = _TIER_PROBLEMS[key] = tuple(_tier_problems(metric))
    for severity, tier, message in problems:
        if severity is Severity.ERROR:
            diagnostics.error(position(tier), message)
        else:
            diagnostics.warning(position(tier), message)


def _tier_problems(metric: Metric) -> list[tuple[Severity, int, str]]:
    """(severity, index of the tier it is reported at, message) of each problem of the metric's tiers."""
    problems = []
    tiers = metric.credits.tier_table
    spans = [span_of(t) for t in tiers]
    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            common = spans[i].intersect(spans[j])
            if not common.empty():
                problems.append(
                    (
                        Severity.ERROR,
                        j,
                        f"metric `{metric.id}`: tier {j + 1} ({bounds_in_words(tiers[j], metric.unit)}) overlaps tier {i + 1} "
                        f"({bounds_in_words(tiers[i], metric.unit)}) at {span_in_words(common, metric.unit)}; expected tiers that do not overlap",
                    )
                )
    # A gap the agreement has on purpose (`gaps: intentional`) is shown on the page, not warned about.
    for gap in tier_gaps(metric) if not metric.credits.gaps_intentional else ():
        problems.append(
            (
                Severity.WARNING,
                0,
                f"metric `{metric.id}`: {span_in_words(gap, metric.unit)} misses the objective but falls in no credit tier; "
                "no credit is due there (if the agreement means it, say so with `gaps: intentional`)",
            )
        )
    missed = missed_span(metric)
    for index, span in enumerate(spans):
        outside = span.minus(missed)
        # A tier reaching into attainments that meet the objective never applies there.
        if any(not p.intersect(attainment_range(metric)).empty() for p in outside):
            problems.append(
                (
                    Severity.WARNING,
                    index,
                    f"metric `{metric.id}`: tier {index + 1} ({bounds_in_words(tiers[index], metric.unit)}) includes attainments that meet the objective; it applies only to misses",
                )
            )
    return problems


def check_id(terms: Terms, document, folder_name: str, diagnostics: Diagnostics) -> None:
    """The id is the folder's name, and no page of the site takes it."""
    if terms.id in RESERVED_IDS:
        diagnostics.error(
            document.position(("id",)),
            f"id `{terms.id}` is reserved for a page of the site ({', '.join(sorted(RESERVED_IDS))}); expected another id",
        )
    elif terms.id != folder_name and not re.fullmatch(SLUG, folder_name):
        diagnostics.error(
            document.position(("id",)),
            f"id `{terms.id}` differs from its folder `{excerpt(folder_name)}`, and the folder name is not a valid id "
            f"(lower-case letters, digits and hyphens); expected the folder named `{terms.id}`",
        )
    elif terms.id != folder_name:
        diagnostics.error(
            document.position(("id",)),
            f"id `{terms.id}` differs from its folder `{excerpt(folder_name)}`; expected `{excerpt(folder_name)}`",
        )
