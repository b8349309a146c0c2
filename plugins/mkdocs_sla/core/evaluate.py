"""evaluate: pure functions from loaded agreements to attainment, credits and remedies.

No I/O, no clock: the caller passes the records. Each period is evaluated under
the version that governs it; history (consecutive misses, rolling windows,
earn-back) runs over the calendar, not over the list of results files.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.fields import EmptyPeriod
from mkdocs_sla.core.measures import Attainment, measured_window
from mkdocs_sla.core.measures import attainment as measure_attainment
from mkdocs_sla.core.model import Metric, Results, Terms
from mkdocs_sla.core.outages import measured_by_log
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, Catalog, PeriodResults

ZERO = Fraction(0)


class Status(enum.StrEnum):
    """How a metric, or a whole period, stands against its objectives; the values are the
    words every page, table and JSON document uses."""

    MET = "met"
    """The objective was met (or the period was empty and `when_empty` says met)."""
    MISSED = "missed"
    """The objective was missed: a tier or a default may earn a credit."""
    NOT_REPORTED = "not reported"
    """No result for the metric (no metric at all, for a period)."""

    @classmethod
    def of(cls, met: bool | None) -> Status:
        """The status of a `met` flag, where None means not reported."""
        return cls.NOT_REPORTED if met is None else cls.MET if met else cls.MISSED


@dataclass(frozen=True)
class MetricOutcome:
    """One metric in one period."""

    metric: Metric
    attainment: Fraction | None
    measured: Attainment | None  # None: not reported; else the counts behind the attainment
    met: bool | None  # None: not reported
    tier: int | None = None  # tier number from 1 (tiered credits)
    credit_percent: Fraction = ZERO  # of the base, before combining
    default: bool = False  # pool model: a service level default
    earned_back: Period | None = None  # the period whose result earned this credit back

    @property
    def reported(self) -> bool:
        """Whether the metric had a result in the period."""
        return self.met is not None

    @property
    def status(self) -> Status:
        """Met, missed or not reported."""
        return Status.of(self.met)

    @property
    def credited(self) -> bool:
        """Whether the metric earned a credit that still stands (not earned back)."""
        return self.credit_percent > 0 and self.earned_back is None


def credit_pairs(metrics: Iterable[MetricOutcome]) -> list[tuple[str, Fraction]]:
    """(credit model, credit %) of each metric whose credit stands: what a period's credit combines
    (`credits.period_credit`), for the engine and for the calculator that recomputes it."""
    return [(m.metric.credits.model, m.credit_percent) for m in metrics if m.credited]


class RemedyKind(enum.Enum):
    """Which clause of `remedies` a period reached."""

    ESCALATION = "escalation"
    """An escalation step: `misses` misses within `within` periods."""
    CHRONIC = "chronic"
    """Chronic failure: `misses` misses within `within` periods, with its consequence."""
    ROLLING_AVERAGE = "rolling_average"
    """The average over the last `within` periods (`average`) fell below the agreed level."""


@dataclass(frozen=True)
class Remedy:
    """A remedy reached in a period, as numbers: `present.words.remedy_words` says it in words.

    `misses` and `within` count periods (escalation, chronic); `average` is the rolling
    average for `ROLLING_AVERAGE`, over `within` periods."""

    kind: RemedyKind
    metric: Metric
    within: int
    misses: int = 0
    average: Fraction | None = None
    level: object = None  # rolling average: the agreed level (a Decimal) it fell below
    termination_right: bool = False
    action: str | None = None  # the escalation step's action or the chronic failure's consequence

    @property
    def metric_id(self) -> str:
        """The id of the metric the remedy concerns."""
        return self.metric.id


@dataclass(frozen=True)
class PeriodOutcome:
    """Everything a period earned under its governing version."""

    period: Period
    version: str
    terms: Terms = field(repr=False)
    results: PeriodResults = field(repr=False)
    metrics: tuple[MetricOutcome, ...]
    credit: rules.PeriodCredit
    claim_deadline: dt.date | None
    misses_to_date: int  # periods with at least one miss, up to and including this one
    remedies: tuple[Remedy, ...] = ()

    @property
    def missed(self) -> tuple[MetricOutcome, ...]:
        """The metrics that missed their objective."""
        return tuple(m for m in self.metrics if m.met is False)

    @property
    def status(self) -> Status:
        """Missed if any metric missed, met if every reported metric met, else not reported."""
        if not any(m.reported for m in self.metrics):
            return Status.NOT_REPORTED
        return Status.MISSED if self.missed else Status.MET

    @property
    def termination_right(self) -> bool:
        """Whether a remedy reached in this period gives the customer a right to terminate."""
        return any(r.termination_right for r in self.remedies)

    @property
    def chronic(self) -> bool:
        """Whether the period reached chronic failure of any metric."""
        return any(r.kind is RemedyKind.CHRONIC for r in self.remedies)


@dataclass(frozen=True)
class AgreementEvaluation:
    """Every period of one agreement, evaluated under the version that governs it."""

    record: Agreement
    periods: tuple[PeriodOutcome, ...]

    @property
    def last(self) -> PeriodOutcome | None:
        """The latest period with results, if any."""
        return self.periods[-1] if self.periods else None

    @property
    def termination_right_since(self) -> Period | None:
        """The first period that gave the customer a right to terminate, if any."""
        return next((p.period for p in self.periods if p.termination_right), None)


def evaluate_catalog(catalog: Catalog) -> tuple[AgreementEvaluation, ...]:
    """Evaluate every agreement of a catalog."""
    return tuple(evaluate(record) for record in catalog.agreements)


def evaluated_periods(record: Agreement) -> tuple[PeriodResults, ...]:
    """The periods the engine evaluates: those with a results file, and those the outage log has
    minutes in (with no results file: no charges, only the metrics the log measures reported)."""
    if not record.outage_log:
        return record.results
    last = record.versions[-1].terms
    have = {r.period for r in record.results}
    start = record.versions[0].effective
    extra = [
        PeriodResults(p, Results(period=p.label, metrics={}), "", corrections=record.corrections_of(p))
        for p in record.timeline.periods(last.period, last.timezone)
        if p not in have and p.end > start
    ]
    return tuple(sorted((*record.results, *extra), key=lambda r: r.period))


def evaluate(record: Agreement) -> AgreementEvaluation:
    """Every period of one agreement: attainment, credits, remedies and claim deadlines, in period order."""
    agreement_start = record.versions[0].effective
    raw: list[tuple[PeriodResults, Terms, list[MetricOutcome]]] = []
    consecutive: dict[str, int] = {}  # metric id -> consecutive periods below the expected level
    last_period: Period | None = None
    for results in evaluated_periods(record):
        terms = record.version_for(results.period).terms
        if last_period is not None and results.period != last_period.next():
            consecutive.clear()  # a gap in the results breaks every run of misses
        outcomes = [_metric_outcome(record, metric, results, terms, agreement_start, consecutive) for metric in terms.metrics]
        raw.append((results, terms, outcomes))
        last_period = results.period
    raw = _apply_earn_back(raw)
    periods = []
    history: dict[Period, PeriodOutcome] = {}
    misses_to_date = 0
    for results, terms, outcomes in raw:
        credit = rules.period_credit(
            terms.credit_terms,
            credit_pairs(outcomes),
            results.results.charges,
        )
        if any(m.met is False for m in outcomes):
            misses_to_date += 1
        outcome = PeriodOutcome(
            period=results.period,
            version=terms.version,
            terms=terms,
            results=results,
            metrics=tuple(outcomes),
            credit=credit,
            claim_deadline=rules.claim_deadline(terms.credit_terms, results.period) if credit.claimable else None,
            misses_to_date=misses_to_date,
        )
        history[results.period] = outcome
        outcome = replace(outcome, remedies=_remedies(terms, results.period, history))
        history[results.period] = outcome
        periods.append(outcome)
    return AgreementEvaluation(record, tuple(periods))


def _metric_outcome(
    record: Agreement, metric: Metric, results: PeriodResults, terms: Terms, agreement_start: dt.date, consecutive: dict[str, int]
) -> MetricOutcome:
    result = results.results.metrics.get(metric.id)
    if result is None and not measured_by_log(metric.measure, record.outage_log is not None):
        consecutive.pop(metric.id, None)
        return MetricOutcome(metric, None, None, None)
    window = measured_window(results.period, terms, agreement_start)
    measure = metric.measure
    more = {}
    if measure.counts_outages:
        maintenance = terms.maintenance
        more["windows"] = (*(maintenance.windows if maintenance else ()), *record.maintenance)
        more["notice_days"] = maintenance.notice_days if maintenance else Decimal(0)
    if measure.reads_log:
        more["outages"] = tuple(record.timeline.touching(*window)) if record.outage_log else ()
        more["positions"] = results.outage_positions.get(metric.id, ())
    if measure.reads_tickets or getattr(measure, "calendar", None):
        more["tickets"] = results.tickets
        more["calendars"] = record.calendars
        more["ticket_summaries"] = results.ticket_summaries
    measured = measure_attainment(metric, result, window, terms.timezone, results.intervals.get(metric.id, ()), **more)
    if measured.value is None:
        # Measures with nothing to measure say how that counts; a window without service hours is met.
        met = getattr(metric.measure, "when_empty", EmptyPeriod.MET) is EmptyPeriod.MET
        consecutive[metric.id] = 0 if met else consecutive.get(metric.id, 0) + 1
        return MetricOutcome(metric, None, measured, met)
    met = rules.meets(metric, measured.value)
    consecutive[metric.id] = 0 if met else consecutive.get(metric.id, 0) + 1
    if met:
        return MetricOutcome(metric, measured.value, measured, met)
    credit = rules.metric_credit(terms.credit_terms, metric, measured.value, consecutive[metric.id])
    return MetricOutcome(metric, measured.value, measured, False, tier=credit.tier, credit_percent=credit.percent, default=credit.default)


def _apply_earn_back(raw):
    """A credit is cancelled when the metric meets its objective in each of the next N periods."""
    by_period = {results.period: outcomes for results, _terms, outcomes in raw}
    updated = []
    for results, terms, outcomes in raw:
        earn_back = terms.remedies.earn_back if terms.remedies else None
        if earn_back is None:
            updated.append((results, terms, outcomes))
            continue
        new = []
        for outcome in outcomes:
            if outcome.credit_percent > 0:
                # Stop at the first period not met (or not reported): `met_periods` may be
                # far larger than the history, and must not be walked in full.
                for k in range(1, earn_back.met_periods + 1):
                    later = _find(by_period.get(results.period.offset(k)), outcome.metric.id)
                    if later is None or not later.met:
                        break
                else:
                    outcome = replace(outcome, earned_back=results.period.offset(earn_back.met_periods))
            new.append(outcome)
        updated.append((results, terms, new))
    return updated


def _find(outcomes, metric_id):
    if outcomes is None:
        return None
    return next((o for o in outcomes if o.metric.id == metric_id), None)


def _remedies(terms: Terms, period: Period, history: dict[Period, PeriodOutcome]) -> tuple[Remedy, ...]:
    remedies = terms.remedies
    if remedies is None:
        return ()
    found: list[Remedy] = []

    earliest = next(iter(history))  # history holds the periods in order

    def misses(metric_id: str, within: int) -> int:
        """How many of the `within` periods up to this one missed the metric."""
        count = 0
        for k in range(within):  # a window may reach far before the first result: stop there
            if period.offset(-k) < earliest:
                break
            outcome = history.get(period.offset(-k))
            if outcome is not None:
                metric = _find(outcome.metrics, metric_id)
                count += metric is not None and metric.met is False
        return count

    current = history[period]
    for metric in terms.metrics:
        # Escalation and chronic failure are reached by a miss: a period that met the
        # objective does not escalate again, even while the window still holds old misses.
        own = _find(current.metrics, metric.id)
        if own is None or own.met is not False:
            continue
        # The highest escalation step reached stands for the lower ones.
        reached = [s for s in remedies.escalation if misses(metric.id, s.within) >= s.misses]
        if reached:
            step = max(reached, key=lambda s: (s.misses, -s.within))
            found.append(Remedy(RemedyKind.ESCALATION, metric, step.within, misses(metric.id, step.within), action=step.action))
        chronic = remedies.chronic
        if chronic and misses(metric.id, chronic.within) >= chronic.misses:
            found.append(
                Remedy(
                    RemedyKind.CHRONIC,
                    metric,
                    chronic.within,
                    misses(metric.id, chronic.within),
                    termination_right=chronic.termination_right,
                    action=chronic.consequence,
                )
            )
    rolling = remedies.rolling_average
    if rolling is not None:
        values = []
        for k in range(rolling.periods):
            outcome = history.get(period.offset(-k))
            metric = _find(outcome.metrics, rolling.metric) if outcome else None
            if metric is None or metric.attainment is None:
                break
            values.append(metric.attainment)
        if len(values) == rolling.periods:
            average = sum(values, ZERO) / len(values)
            if average < Fraction(rolling.below):
                found.append(
                    Remedy(
                        RemedyKind.ROLLING_AVERAGE,
                        terms.metric(rolling.metric),
                        rolling.periods,
                        average=average,
                        level=rolling.below,
                        termination_right=rolling.termination_right,
                    )
                )
    return tuple(found)
