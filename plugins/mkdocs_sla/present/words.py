"""The words of an agreement page: objectives, measures, credit models, deadlines, periods.

Plain text (Markdown in a few places), for the renderer to place; the numbers in
them come from `number` below and `display`, so they read as the agreement wrote them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from mkdocs_sla.core.credits import AmountRounding, PeriodCredit
from mkdocs_sla.core.evaluate import MetricOutcome, Remedy, RemedyKind, Status
from mkdocs_sla.core.measures import Attainment
from mkdocs_sla.core.model import Bounds, CreditTerms, Deadline, LinearCredits, Metric, PoolCredits, Terms, TieredCredits
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.spans import Span
from mkdocs_sla.present import display, markup, ticketwords
from mkdocs_sla.present.billing import days_left
from mkdocs_sla.present.display import exact, plain, to_decimal

#: Why `round_to` rounds an amount down rather than half up (core.credits.period_credit).
ROUNDED_DOWN_BECAUSE = "up would pass the cap or the at-risk amount"


def amount_rounding_words(rounding: AmountRounding) -> str:
    """How `round_to` rounded a period's amount, as the evidence works it out."""
    return "half up" if rounding is AmountRounding.HALF_UP else f"down ({ROUNDED_DOWN_BECAUSE})"


def withheld_words(ct: CreditTerms | None, *, of_amount: bool = False) -> str:
    """Why a credit due is not issued, as every page says it: under the minimum amount, or not
    above it where the agreement issues only amounts greater (`minimum_amount_issued: false`,
    where an amount equal to the minimum is withheld too); `of_amount`, with the minimum itself."""
    relation = "under" if ct is None or ct.minimum_amount_issued else "not above"
    minimum = (
        f"the minimum of {display.money_term(ct.minimum_amount, ct.currency)}"
        if of_amount and ct and ct.minimum_amount
        else "the minimum amount"
    )
    return f"{relation} {minimum}: not issued"


def capped_words(credit: PeriodCredit, ct: CreditTerms | None) -> str:
    """What held a period's credit down: `capped from 40% to the 30% cap`, or to the at-risk
    amount of the pool (the only other limit, `core.credits.period_credit`)."""
    cap = ct.cap if ct is not None else None
    limit = f"the {number(cap, '%')} cap" if cap is not None and credit.percent == cap else "the at-risk amount"
    return f"capped from {display.percent(credit.combined_percent)} to {limit}"


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def objective_words(metric: Metric) -> str:
    """ "at or above 99.99%", "strictly above 99.9%", "at or below 4 hours"."""
    side = "above" if metric.better == "higher" else "below"
    how = "strictly" if metric.objective_strict else "at or"
    return f"{how} {side} {number(metric.objective, metric.unit)}"


def measure_words(metric: Metric) -> list[str]:
    """How the raw results become the attainment, in sentences."""
    measure = metric.measure
    words = MEASURE_WORDS[measure.kind].rule(metric)
    return words + _outage_rule_words(measure) if measure.counts_outages else words


def credit_model_noun(metric: Metric) -> str:
    """A metric's credit model as a noun: "a credit table", or "no credit"."""
    return "no credit" if metric.credits is None else _CREDIT_MODEL_WORDS[metric.credits.model].noun


def credit_model_words(metric: Metric, terms: Terms) -> list[str]:
    """How a metric's credit is earned, in sentences for its definition."""
    if metric.credits is None:
        return ["No service credit: a miss of this metric is handled by the remedies below."]
    return _CREDIT_MODEL_WORDS[metric.credits.model].rule(metric.credits, metric, terms)


def _tiered_words(credits: TieredCredits, metric: Metric, terms: Terms) -> list[str]:
    words = ["A missed period earns the credit of the tier its attainment falls in."]
    if credits.gaps == "intentional":
        words.append("An attainment in no tier earns no credit; the agreement leaves those gaps on purpose.")
    return words


def _linear_words(credits: LinearCredits, metric: Metric, terms: Terms) -> list[str]:
    side = "objective − attainment" if metric.better == "higher" else "attainment − objective"
    words = [f"Credit = ({side}) × {display.plain(credits.per_point)}% of the base per point of shortfall."]
    if credits.max is not None:
        words.append(f"At most {number(credits.max, '%')} for this metric.")
    return words


def _pool_words(credits: PoolCredits, metric: Metric, terms: Terms) -> list[str]:
    at_risk = terms.credit_terms.pool.at_risk if terms.credit_terms and terms.credit_terms.pool else None
    share = f" ({number(Fraction(at_risk) * Fraction(credits.share) / 100, '%')} of the charges)" if at_risk is not None else ""
    product = (
        ""
        if credits.allocation is not None
        else f", its pool allocation of {number(credits.pool_allocation, '%')} × its service level allocation of "
        f"{number(credits.service_level_allocation, '%')}"
    )
    below = "below" if metric.better == "higher" else "above"
    minimum = f"the minimum service level of {number(credits.minimum, metric.unit)}"
    # The same rule as credits.metric_credit, in words.
    if credits.default_on == "minimum":
        default = f"A default is a period {below} {minimum}; a period that misses the objective but not the minimum is no default."
    elif credits.expected_misses == 1:
        default = f"A default is any period that misses the objective (the expected level), and so every period {below} {minimum}."
    else:
        default = f"A default is a period {below} {minimum}, or {credits.expected_misses} consecutive periods that miss the objective."
    return [f"A service level default earns {number(credits.share, '%')} of the at-risk amount{product}{share}.", default]


@lru_cache(maxsize=65_536)
def _percent(value: Fraction) -> str:
    # Cached: a large site shows a credit for every missed metric of every period, from few distinct values.
    return display.percent(value)


def _tier_earned(m: MetricOutcome) -> str:
    return f"tier {m.tier} · {_percent(m.credit_percent)}" if m.tier else "no tier · 0%"


def _pool_earned(m: MetricOutcome) -> str:
    return f"default · {_percent(m.credit_percent)}" if m.default else "no default"


def _linear_earned(m: MetricOutcome) -> str:
    return _percent(m.credit_percent)


class CreditModelWords(NamedTuple):
    """The words of one credit model."""

    noun: str  # "a credit table"
    rule: Callable[..., list[str]]  # how its credit is earned, in sentences for the metric's definition
    earned: Callable[[MetricOutcome], str]  # what one missed metric earned in a period: "tier 2 · 10%"


#: The words of each credit model, by its `model:` name.
_CREDIT_MODEL_WORDS: dict[str, CreditModelWords] = {
    "tiers": CreditModelWords("a credit table", _tiered_words, _tier_earned),
    "linear": CreditModelWords("a linear credit", _linear_words, _linear_earned),
    "pool": CreditModelWords("a pool credit", _pool_words, _pool_earned),
}


def metric_credit_words(m: MetricOutcome) -> str:
    """What one metric earned in a period, as its row shows it: "—" when met or not reported,
    "tier 2 · 10%", "no tier · 0%", "default · 25%", "no default", "no credit"."""
    if m.met is not False:
        return "—"
    if m.metric.credits is None:
        return "no credit"
    return _CREDIT_MODEL_WORDS[m.metric.credits.model].earned(m)


def deadline_words(terms: Terms) -> str | None:
    """The claim deadline as the agreement page says it: "within 30 days after the end of the period"."""
    claim = terms.credit_terms.claim if terms.credit_terms else None
    if claim is None:
        return None
    deadline = claim.deadline
    if deadline.days_after_period is not None:
        return f"within {deadline_phrase(deadline)}"
    return f"by {deadline_phrase(deadline)}"


def deadline_phrase(deadline: Deadline) -> str:
    """The last day to claim, in the words of every page and review: "30 days after the end of
    the period", "the end of the first billing cycle after the period"."""
    if deadline.days_after_period is not None:
        return f"{deadline.days_after_period} days after the end of the period"
    return f"the end of the {_ordinal(deadline.billing_cycles_after)} billing cycle after the period"


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
    if n in words:
        return words[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def period_name(period: Period) -> str:
    """ "January 2025", "Q1 2025"."""
    if period.kind == "month":
        return f"{calendar.month_name[period.index]} {period.year}"
    return f"Q{period.index} {period.year}"


def credit_terms_lines(terms: Terms) -> list[tuple[str, str, bool]]:
    """(label, text, whether the text is Markdown): how credits are based, combined and bounded."""
    ct = terms.credit_terms
    if ct is None:
        return []
    lines = [
        ("Base", ct.base, True),
        ("Currency", ct.currency, False),
        ("Several metrics missed", "their credits are added up" if ct.combine == "sum" else "the largest credit applies", False),
    ]
    if ct.pool is not None:
        lines.append(
            (
                "At risk",
                f"{number(ct.pool.at_risk, '%')} of the period's charges; all pool credits of a period together never exceed it",
                False,
            )
        )
    lines.append(("Cap", f"at most {number(ct.cap, '%')} of the base in a period" if ct.cap is not None else "none", False))
    if ct.minimum_amount is not None:
        amount = display.money_term(ct.minimum_amount, ct.currency)
        lines.append(
            (
                "Minimum",
                f"a period's credit under {amount} is not issued"
                if ct.minimum_amount_issued
                else f"a period's credit is issued only if it is greater than {amount}",
                False,
            )
        )
    if ct.round_to is not None:
        step = display.money_term(ct.round_to, ct.currency)
        lines.append(("Rounding", f"amounts are rounded half up to {step} (down where {ROUNDED_DOWN_BECAUSE})", False))
    else:
        lines.append(("Rounding", "amounts stay exact; shown rounded to cents", False))
    return lines


def remedy_lines(terms: Terms) -> list[tuple[str, str, bool]]:
    """(when, what follows (Markdown), whether it gives a termination right)."""
    remedies = terms.remedies
    if remedies is None:
        return []
    found = []
    for step in remedies.escalation:
        found.append(
            (
                f"{step.misses} {plural(step.misses, 'miss', 'misses')} of a metric within {step.within} {plural(step.within, 'period', 'periods')}",
                step.action,
                False,
            )
        )
    if remedies.chronic:
        chronic = remedies.chronic
        found.append(
            (
                f"Chronic failure: a metric missed {chronic.misses} times in any {chronic.within} consecutive periods",
                chronic.consequence or "chronic failure",
                chronic.termination_right,
            )
        )
    if remedies.rolling_average:
        rolling = remedies.rolling_average
        metric = terms.metric(rolling.metric)
        name = markup.plain(metric.name) if metric else rolling.metric
        found.append(
            (
                f"Average of {name} over {rolling.periods} periods below {number(rolling.below, metric.unit if metric else '')}",
                "the customer may terminate" if rolling.termination_right else "a review of the agreement",
                rolling.termination_right,
            )
        )
    if remedies.earn_back:
        n = remedies.earn_back.met_periods
        found.append(
            (
                "Earn-back",
                f"a metric's credit is cancelled when the metric meets its objective in each of the next {n} {plural(n, 'period', 'periods')}",
                False,
            )
        )
    return found


def responsibility_lines(terms: Terms) -> list[tuple[str, str | None, list[str]]]:
    """(party, who, duties): `provider` and `customer` are named after the parties."""
    named = {"provider": terms.provider, "customer": terms.customer}
    return [(party.capitalize() if party in named else party, named.get(party), duties) for party, duties in terms.responsibilities.items()]


def number(value: Decimal | Fraction, unit: str = "") -> str:
    """A bound as written: exact, trailing zeros kept as the agreement wrote them."""
    if isinstance(value, Fraction):
        text = exact(value) or plain(to_decimal(value, 6))
    else:
        text = str(value)
    return f"{text}%" if unit.strip() == "%" else (f"{text} {unit}" if unit else text)


def bounds_in_words(bounds: Bounds, unit: str) -> str:
    """ "below 99.99% and at least 99.0%": the words a reader of the agreement expects."""
    return _bound_words(
        unit, ("below", bounds.below), ("at most", bounds.at_or_below), ("above", bounds.above), ("at least", bounds.at_or_above)
    )


def span_bounds(span: Span, unit: str) -> str:
    """ "at least 95.0% and below 95.5%"; empty for a span without bounds."""
    return _bound_words(
        unit, ("at least" if span.low_closed else "above", span.low), ("at most" if span.high_closed else "below", span.high)
    )


def _bound_words(unit: str, *bounds: tuple[str, Decimal | Fraction | None]) -> str:
    """The bounds that are set, each as its word and number, joined by "and"."""
    return " and ".join(f"{word} {number(value, unit)}" for word, value in bounds if value is not None)


def span_in_words(span: Span, unit: str) -> str:
    """ "an attainment of exactly 99%", "an attainment below 99.5%", "any attainment": a stretch of the scale."""
    if span.low is not None and span.high is not None and span.low == span.high:
        return f"an attainment of exactly {number(span.low, unit)}"
    bounds = span_bounds(span, unit)
    return f"an attainment {bounds}" if bounds else "any attainment"


def measured_words(outcome: MetricOutcome) -> str:
    """How a period's attainment was measured, for the periods table: "15 of 44,640 minutes down"."""
    m = outcome.measured
    if m is None:
        return Status.NOT_REPORTED.value
    return MEASURE_WORDS[m.kind].measured(m)


def budget_unit(kind: str) -> str | None:
    """What the error budget of a measure `kind` is counted in ("minutes", "events"), for its chart;
    None for a measure without a budget (`core.measures.error_budget`)."""
    return MEASURE_WORDS[kind].budget_unit


def _outage_measured_words(m: Attainment) -> str:
    if m.empty:
        return "not running in the period"
    hours = " service-hour" if m.calendar is not None else ""
    return f"{display.minutes(m.down_minutes)} of {display.minutes(m.window_minutes)}{hours} minutes down"


def _error_rate_minutes_words(metric: Metric) -> list[str]:
    measure = metric.measure
    return [
        f"(Minutes in the period − down minutes) ÷ minutes in the period × 100, where a {measure.interval_minutes}-minute interval is down when more than {display.plain(measure.threshold)}% of its requests failed; an interval without requests is not down."
    ]


def _outage_rule_words(measure) -> list[str]:
    """The rules every measure that counts outages may add: the minimum outage, service hours and,
    for logged outages (`reads_log`), the tags excluded and the business calendar."""
    words = []
    if measure.minimum_outage_minutes:
        minutes = measure.minimum_outage_minutes
        words.append(
            f"Only downtime of at least {display.plain(minutes)} consecutive {plural(minutes, 'minute', 'minutes')} counts; outages that overlap or touch are joined first."
        )
    if measure.service_hours is not None:
        hours = measure.service_hours
        days = ", ".join(d.capitalize() for d in hours.days)
        words.append(
            f"Only minutes from {hours.start.strftime('%H:%M')} to {hours.end.strftime('%H:%M')} on {days} (the agreement's time zone) are measured; downtime outside them does not count."
        )
    if measure.reads_log and measure.exclude_tags:
        tags = " or ".join(f"`{tag}`" for tag in measure.exclude_tags)
        words.append(f"Outages tagged {tags} do not count.")
    if measure.reads_log and measure.calendar is not None:
        words.append(
            f"Availability in service hours: only the minutes inside the hours of the calendar `{measure.calendar}` count, in the period and in the outages."
        )
    return words


class MeasureWords(NamedTuple):
    """The words of one measure kind."""

    rule: Callable[[Metric], list[str]]  # how the results become the attainment, in sentences for the metric's definition
    measured: Callable[[Attainment], str]  # what one period measured, for the periods table: "15 of 44,640 minutes down"
    budget_unit: str | None = None  # what its error budget is counted in, for the chart; None: no budget


_DOWNTIME_RULE = "(Minutes in the period − minutes of downtime) ÷ minutes in the period × 100; overlapping outages count once."
_AVAILABLE_MINUTES_RULE = "(Available minutes − minutes of downtime) ÷ available minutes × 100, where available minutes are the minutes the deployment ran; downtime counts only while it ran."

#: The words of each measure, by its `kind`: the one place `present` tells the measures apart (the
#: measures that count outages add `_outage_rule_words` to their rule).
MEASURE_WORDS: dict[str, MeasureWords] = {
    "value": MeasureWords(lambda metric: ["The figure reported for the period."], lambda m: "reported"),
    "count": MeasureWords(lambda metric: ["The count reported for the period."], lambda m: "counted"),
    "average": MeasureWords(
        lambda metric: [
            f"The sum reported divided by the count: an average per item. A period with nothing to average counts as {metric.measure.when_empty.value}."
        ],
        lambda m: "nothing to average" if m.empty else f"{m.sum} over {m.count}",
    ),
    "events": MeasureWords(
        lambda metric: [
            f"Events that met the target as a share of all events in the period (good ÷ total × 100). A period without events counts as {metric.measure.when_empty.value}."
        ],
        lambda m: "no events" if m.empty else f"{m.good:,} of {m.total:,}",
        "events",
    ),
    "downtime": MeasureWords(lambda metric: [_DOWNTIME_RULE], _outage_measured_words, "minutes"),
    "available_minutes": MeasureWords(lambda metric: [_AVAILABLE_MINUTES_RULE], _outage_measured_words, "minutes"),
    "error_rate_minutes": MeasureWords(_error_rate_minutes_words, _outage_measured_words, "minutes"),
    "tickets": MeasureWords(ticketwords.ticket_measure_words, ticketwords.tickets_measured_words, "tickets"),
    "intervals": MeasureWords(
        lambda metric: [
            f"100% − the mean error rate over the {metric.measure.interval_minutes}-minute intervals of the period; an interval without requests counts as 0% errors."
        ],
        lambda m: f"{m.intervals_with_errors:,} of {m.intervals:,} intervals with errors",
        "points of error rate",
    ),
}


def remedy_words(remedy: Remedy) -> str:
    """A remedy reached, as the JSON says it: the metric's name, then `remedy_clause`."""
    return f"{remedy.metric.name}: {remedy_clause(remedy)}"


def remedy_clause(remedy: Remedy) -> str:
    """A remedy reached, without its metric's name (the periods table lists them by metric)."""
    metric = remedy.metric
    if remedy.kind is RemedyKind.ESCALATION:
        return f"missed {remedy.misses} times in {remedy.within} periods — {remedy.action}"
    if remedy.kind is RemedyKind.CHRONIC:
        text = f"chronic failure, missed {remedy.misses} times in {remedy.within} periods"
        return f"{text} — {remedy.action}" if remedy.action else text
    # Rounded towards the worse side, as every attainment shown: never "97% is below 97".
    shown = display.attainment(remedy.average, metric.unit, metric.better)
    level = display.with_unit(str(remedy.level), metric.unit)
    return f"average over {remedy.within} periods {shown} is below {level}"


def claim_status(deadline: dt.date, today: dt.date) -> str:
    """How a claim deadline stands on the build date: `12 days left`, `1 day left`, `last day` or `passed`."""
    left = days_left(deadline, today)
    if left < 0:
        return "passed"
    if left == 0:
        return "last day"
    return f"{left} {plural(left, 'day', 'days')} left"
