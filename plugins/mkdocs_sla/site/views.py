"""Small view models of the pages: marks (met, missed...), a period's credit as shown, and the summaries
that phase 1 (one agreement) hands to phase 2 (the listings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from mkdocs_sla.core.credits import AmountRounding
from mkdocs_sla.core.evaluate import AgreementEvaluation, PeriodOutcome, Status
from mkdocs_sla.core.measures import error_budget
from mkdocs_sla.core.model import Metric, Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import VersionStatus
from mkdocs_sla.core.tiers import tier_gaps
from mkdocs_sla.present import charts, display, markup
from mkdocs_sla.present.words import (
    bounds_in_words,
    budget_unit,
    capped_words,
    credit_model_words,
    measure_words,
    metric_credit_words,
    number,
    objective_words,
    span_in_words,
    withheld_words,
)

# ---------------------------------------------------------------- small views


# The stylesheet's class names of each status (`sla-mark--none` predates the enum).
_CSS = {Status.MET: "met", Status.MISSED: "missed", Status.NOT_REPORTED: "none"}


@dataclass(frozen=True)
class Mark:
    """A met / missed / not reported mark: a word, and a symbol from the stylesheet; never colour alone."""

    status: Status

    @classmethod
    def of(cls, met: bool | None) -> Mark:
        return cls(Status.of(met))

    @property
    def state(self) -> str:
        """The class-name suffix of the mark in the stylesheet."""
        return _CSS[self.status]

    @property
    def html(self) -> Markup:
        return _MARKS[self.status]


# Few tags: a large site has 100,000 marks, and MkDocs, Markdown and the search index each parse every tag.
_MARKS = {status: Markup(f'<span class="sla-mark sla-mark--{_CSS[status]}">{status.value}</span>') for status in Status}


@lru_cache(maxsize=65_536)
def percent(value: Fraction) -> str:
    return display.percent(value)


@dataclass(frozen=True)
class PeriodTotal:
    """A period's credit in words: "15% · 2,130.00 USD", with what capped or withheld it."""

    text: str  # "—" when no credit is due
    notes: tuple[str, ...]
    credited: bool  # a credit is issued for the period
    claim_by: str | None

    @classmethod
    def of(cls, outcome: PeriodOutcome) -> PeriodTotal:
        credit = outcome.credit
        terms = outcome.terms
        currency = terms.credit_terms.currency if terms.credit_terms else ""
        notes = []
        if credit.percent or credit.combined_percent:
            text = percent(credit.percent)
            if credit.amount is not None:
                text += f" · {display.credit_amount(credit.amount, currency, withheld=credit.below_minimum)}"
            if credit.capped:
                notes.append(capped_words(credit, terms.credit_terms))
            if credit.below_minimum:
                notes.append(withheld_words(terms.credit_terms))
            elif credit.rounding is not AmountRounding.NONE and not credit.amount:
                notes.append("rounded to nothing: not issued")
            if credit.amount is None:
                notes.append("no charges reported: percentage of the base")
        else:
            text = "—"
        earned = sorted({m.earned_back.label for m in outcome.metrics if m.earned_back})
        if earned:
            when = " and ".join(earned)
            if text == "—":
                text = f"0% — earned back in {when}"
            else:
                notes.append(f"a further credit earned back in {when}")
        claim_by = None
        if outcome.claim_deadline and credit.claimable:
            claim_by = outcome.claim_deadline.isoformat()
        # Credited: issued. A credit below the minimum amount, or rounded to nothing, is shown with
        # its note, not as one owed.
        return cls(text, tuple(notes), credit.claimable, claim_by)


# ---------------------------------------------------------------- summaries (phase 1 -> phase 2)


@dataclass(frozen=True)
class MetricUse:
    """A metric of an agreement's terms in force, for the glossary."""

    agreement_id: str
    metric_id: str
    name: str
    definition: str
    unit: str
    objective: str  # in words
    anchor: str  # the glossary entry


@dataclass(frozen=True)
class PeriodEntry:
    """One agreement's outcome in one period, for the credits pages."""

    period: Period
    agreement_id: str
    version: str
    mark: Status
    total: PeriodTotal
    due: bool  # a credit was due, or cancelled by earn-back: the billing team wants to see it
    issued: Fraction | None
    currency: str | None
    missed: tuple[str, ...]  # metric names
    earned_back: tuple[tuple[str, str], ...]  # (metric name, period)
    attainment: tuple[tuple[str, str], ...] = ()  # (metric name, attainment as shown, "—" if not reported)
    earlier_year: int | None = None  # on the agreement's page of that year's results (see `on_page`), None: on its page


@dataclass(frozen=True)
class VersionEntry:
    """One version of an agreement, for the feed of versions."""

    agreement_id: str
    label: str
    title: str  # the agreement's title in this version (Markdown)
    provider: str
    effective: dt.date
    published: dt.date | None
    changes: str | None  # the version's own summary of its changes (Markdown)
    status: VersionStatus  # on the build date
    favourable: int  # changes for the customer, from the version before
    adverse: int
    neutral: int
    first: bool  # the agreement's first version: nothing to compare with


@dataclass(frozen=True)
class StandardUse:
    """The service standard an agreement inherits, for the service pages: plain data."""

    service: str
    version: str  # the standard version in force for the agreement on the build date
    current: bool  # follows each new version of the standard
    components: tuple[str, ...] | None  # None: every component
    deviations: tuple[tuple[str, str], ...]  # (words, effect) of each negotiated difference


@dataclass(frozen=True)
class StatementMetric:
    """One metric of one agreement in a credit statement, in display form."""

    metric_id: str
    name: str  # Markdown
    attainment: str  # rounded towards the worse side, with its unit
    exact: str | None  # the exact attainment in words ("exactly 99.95%"), for the page's title attribute
    status: Status
    credit: str  # "tier 1 · 10%", "—"


@dataclass(frozen=True)
class StatementLine:
    """One agreement's credit in one period, as a customer's credit statement lists it."""

    period: Period
    agreement_id: str
    title: str  # Markdown
    version: str
    metrics: tuple[StatementMetric, ...]
    base: str | None  # what the credit applies to, in the agreement's words (Markdown)
    charges: Fraction | None  # the period's charges: the base amount
    currency: str | None
    percent: Fraction  # the period's credit % after combining and caps
    capped: bool
    amount: Fraction | None
    below_minimum: bool
    issued: Fraction | None
    claim_deadline: dt.date | None
    claim_how: str | None  # Markdown
    claim_evidence: tuple[str, ...]
    earlier_year: int | None = None  # where the period's results are shown: see `PeriodEntry.earlier_year`
    withheld: str | None = None  # below the minimum amount: why it is not issued (`words.withheld_words`)


#: How many of an agreement's latest periods its page shows in full (table, evidence, charts);
#: the earlier ones are on a page per calendar year, so that a long history keeps the page small.
RECENT_PERIODS = 12


def earlier_years(outcomes: Sequence[PeriodOutcome], recent: int = RECENT_PERIODS) -> dict[str, int]:
    """The periods that are not on the agreement's own page, by label, with the year of the page
    that shows them: every period before the latest `recent`, by the year it starts in."""
    earlier = outcomes[: max(len(outcomes) - recent, 0)]
    return {outcome.period.label: outcome.period.start.year for outcome in earlier}


def statement_line(agreement_id: str, title: str, outcome: PeriodOutcome, earlier_year: int | None = None) -> StatementLine:
    """A period's outcome as a statement line: what the page, the CSV and the JSON show."""
    terms = outcome.terms
    credit_terms = terms.credit_terms
    claim = credit_terms.claim if credit_terms else None
    charges = outcome.results.results.charges
    metrics = tuple(
        StatementMetric(
            m.metric.id,
            m.metric.name,
            display.attainment(m.attainment, m.metric.unit, m.metric.better),
            display.exactly(m.attainment, m.metric.unit) if m.attainment is not None else None,
            Status.of(m.met),
            metric_credit_words(m),
        )
        for m in outcome.metrics
    )
    return StatementLine(
        period=outcome.period,
        agreement_id=agreement_id,
        title=title,
        version=outcome.version,
        metrics=metrics,
        base=credit_terms.base if credit_terms else None,
        charges=Fraction(charges) if charges is not None else None,
        currency=credit_terms.currency if credit_terms else None,
        percent=outcome.credit.percent,
        capped=outcome.credit.capped,
        amount=outcome.credit.amount,
        below_minimum=outcome.credit.below_minimum,
        withheld=withheld_words(outcome.terms.credit_terms) if outcome.credit.below_minimum else None,
        issued=outcome.credit.issued,
        claim_deadline=outcome.claim_deadline,
        claim_how=claim.how if claim else None,
        claim_evidence=tuple(claim.evidence) if claim else (),
        earlier_year=earlier_year,
    )


@dataclass(frozen=True)
class AgreementSummary:
    """What the listings need to know about an agreement: plain data, cheap to send between processes."""

    id: str
    file: str
    line: int
    title: str
    provider: str
    customer: str
    customer_key: str | None  # the customer's audience key (core.audiences.customer_key)
    family: str | None
    version: str
    last: PeriodEntry | None
    last_reported: int
    periods_with_credits: int
    metrics: tuple[MetricUse, ...]
    periods: tuple[PeriodEntry, ...]
    versions: tuple[VersionEntry, ...] = ()  # oldest first
    standard: StandardUse | None = None  # the standard it inherits; None for an agreement written in full
    statements: tuple[StatementLine, ...] = ()  # one per period with results, where the audience sees results


@dataclass(frozen=True)
class RenderedAgreement:
    pages: dict[str, str]
    summary: AgreementSummary


def _metric_view(metric: Metric, terms: Terms) -> dict[str, Any]:
    credits = metric.credits
    tiers = []
    if credits is not None and credits.tier_table:
        tiers = [(index, bounds_in_words(tier, metric.unit), number(tier.credit, "%")) for index, tier in enumerate(credits.tier_table, 1)]
        if credits.gaps_intentional:
            # The gap the agreement leaves on purpose, said where a reader looks for the credit.
            tiers += [("—", span_in_words(gap, metric.unit), "no credit (no tier, as the agreement says)") for gap in tier_gaps(metric)]
    return {
        "metric": metric,
        "anchor": f"metric-{metric.id}",
        "objective": objective_words(metric),
        "measure": measure_words(metric),
        "credit_words": credit_model_words(metric, terms),
        "tiers": tiers,
        "charts": None,
        "glossary_href": None,
    }


def _metric_charts(metric: Metric, evaluation: AgreementEvaluation) -> Markup | None:
    """The charts of a metric over the periods: attainment against the objective and the credit
    tiers, and the error budget used (for the measures that have one); None without results."""
    points, spends, earlier = [], [], 0
    for outcome in evaluation.periods:
        m = next((m for m in outcome.metrics if m.metric.id == metric.id), None)
        if m is not None and (m.metric.objective != metric.objective or m.metric.credits != metric.credits):
            # Measured under earlier terms with another objective or other tiers: drawn against
            # today's bands it would sit in the wrong tier; its version page shows it.
            earlier += 1
            continue
        points.append(charts.Point(outcome.period.label, m.attainment if m else None, m.met if m else None, m.tier if m else None))
        budget = error_budget(metric, m.measured) if m is not None and m.measured is not None else None
        if budget is not None:
            spends.append(charts.Spend(outcome.period.label, budget[0], budget[1], budget_unit(m.measured.kind)))
    tiers = metric.credits.tier_table if metric.credits is not None else ()
    bands = [charts.Band(index, tier.span, number(tier.credit, "%")) for index, tier in enumerate(tiers, 1)]
    name = markup.plain(metric.name)
    found = [
        charts.attainment_chart(
            metric.id, name, metric.unit, metric.better, Fraction(metric.objective), bands, points, metric.is_percent, earlier
        ),
        charts.budget_chart(metric.id, name, spends),
    ]
    found = [chart for chart in found if chart]
    return Markup("".join(found)) if found else None
