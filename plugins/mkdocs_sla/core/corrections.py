"""Corrections to closed periods: `agreements/<id>/corrections.yaml`, and the rules about them.

A period's results, once the period is closed and published, are changed only with a
record of what changed, when, why and on what evidence (as Datadog and Nobl9 record SLO
corrections with a category and a note). The results files hold the figures after the
correction; the correction holds the attainment each metric showed before and shows
after, so the page can say "corrected on DATE: reason" with both, and `sla diff` can
report the change as a correction rather than as rewritten history.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from pydantic import Field, StringConstraints

from mkdocs_sla.core.credits import claim_deadline
from mkdocs_sla.core.diagnostics import Position
from mkdocs_sla.core.exact import fraction, towards_worse
from mkdocs_sla.core.model import PERIOD_RE, CreditTerms, Date, Metric, Model, Number, Slug, Text
from mkdocs_sla.core.periods import Period

CORRECTIONS_FILE = "corrections.yaml"


class CorrectionCategory(enum.Enum):
    """Why a closed period's results changed."""

    LATE_DATA = "late-data"
    """Measurements that arrived after the period's results were written."""
    MEASUREMENT_ERROR = "measurement-error"
    """The measurement was wrong (a faulty probe, a query that missed a region)."""
    RECLASSIFIED = "reclassified"
    """An outage was reclassified (maintenance found not announced in time, an exclusion withdrawn)."""
    COLLECTOR = "collector"
    """`sla collect` read a different answer from the monitoring system than the one written before."""
    OTHER = "other"
    """Any other reason, which `reason` states."""


class CorrectedFigure(Model):
    """One metric's attainment before and after a correction, as the period showed them."""

    before: Number = Field(description="The attainment shown before the correction (in the metric's unit).")
    after: Number = Field(description="The attainment after the correction (the results files now give it).")


class Correction(Model):
    """One correction of a closed period's results."""

    period: Annotated[str, StringConstraints(pattern=PERIOD_RE.pattern)] = Field(
        description="The period corrected, `2026-10` or `2026-Q4`; it must have results and have ended by `date`."
    )
    date: Date = Field(description="When the correction was made.")
    category: CorrectionCategory = Field(description="`late-data`, `measurement-error`, `reclassified`, `collector` or `other`.")
    reason: Text = Field(description="Why, in one sentence; the period shows `corrected on DATE: reason`.")
    evidence: Text | None = Field(None, description="What the corrected figures rest on (a query, a ticket, a report).")
    note: Text | None = Field(None, description="Anything else the customer should know.")
    metrics: dict[Slug, CorrectedFigure] = Field(min_length=1, description="The metrics whose attainment changed, with both figures.")


class CorrectionsFile(Model):
    """`corrections.yaml`: the corrections of an agreement's closed periods, oldest first."""

    corrections: list[Correction] = Field(min_length=1, description="The corrections.")


@dataclass(frozen=True)
class CorrectionRecord:
    """A correction as loaded: the model, its period and where it stands in the file."""

    correction: Correction
    period: Period
    position: Position


class Direction(enum.Enum):
    """Which way a correction moved a metric, for the customer."""

    FAVOURABLE = "favourable"
    """The attainment went down (or up, for `better: lower`): the customer may be owed more credit."""
    ADVERSE = "adverse"
    """The attainment improved: the customer is owed less credit than published."""
    NEUTRAL = "neutral"
    """The figure did not change."""


def direction(metric: Metric, figure: CorrectedFigure) -> Direction:
    """For the customer: a correction that makes the measured service worse is favourable (more credit)."""
    before, after = fraction(figure.before), fraction(figure.after)
    if before == after:
        return Direction.NEUTRAL
    worse = after < before if metric.better == "higher" else after > before
    return Direction.FAVOURABLE if worse else Direction.ADVERSE


def overall_direction(directions: list[Direction]) -> Direction:
    """A correction that moves any metric against the customer is adverse; else favourable if any moved."""
    if Direction.ADVERSE in directions:
        return Direction.ADVERSE
    return Direction.FAVOURABLE if Direction.FAVOURABLE in directions else Direction.NEUTRAL


def after_claim_deadline(correction: Correction, period: Period, terms: CreditTerms | None) -> dt.date | None:
    """The claim deadline a correction came after (it changed figures the customer could no longer
    claim on), or None if it came in time or the agreement sets no deadline."""
    deadline = claim_deadline(terms, period)
    return deadline if deadline is not None and correction.date > deadline else None


def is_closed_by(period: Period, day: dt.date) -> bool:
    """A period is closed on the day after its last day: a correction dated within it corrects nothing closed."""
    return period.has_ended_by(day)


def recorded_figure(metric: Metric, value: Fraction, places: int = 6) -> Decimal:
    """An attainment as a correction records it: `places` decimals, rounded towards the worse side
    (down for `better: higher`), so a recorded figure never flatters the provider."""
    return towards_worse(value, places, metric.better)
