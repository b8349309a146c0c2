"""Credit models and remedies, tested exactly at and on both sides of every bound.

The metrics here are `value` metrics, so the attainment is exactly the number
written in the results file and each test reads as the clause it checks.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from fractions import Fraction

import pytest
from site_tests.core_helpers import (
    AWS_TIERS,
    GITHUB_TIERS,
    agreement,
    evaluated,
    metric_outcome,
    metric_text,
    period_outcome,
    position_of,
    value_result,
    write_agreement,
)

from mkdocs_sla.core.credits import AmountRounding
from mkdocs_sla.present.words import remedy_words


def metric(
    metric_id: str = "availability",
    *,
    objective: str = "99.99",
    credits: str | None = AWS_TIERS,
    strict: bool = False,
    better: str = "higher",
    unit: str = '"%"',
) -> str:
    """A `value` metric with the given credits (YAML, as indented under `credits:` or not)."""
    return metric_text(
        metric_id,
        name=f"Metric {metric_id}",
        definition="As reported by monitoring.",
        unit=unit,
        better=better,
        objective=objective,
        strict=strict,
        measure="kind: value",
        credits=None if credits is None else textwrap.dedent(credits),
    )


def terms(**keys: str) -> str:
    """A `credit_terms:` section: base plus the given keys (values are YAML text, may span lines)."""
    text = "credit_terms:\n  base: the period's charges\n"
    for key, value in keys.items():
        text += f"  {key}: {value}\n"
    return text


@pytest.fixture
def root(tmp_path):
    return tmp_path / "agreements"


def one_period(
    root,
    value: str,
    *,
    metrics: str | None = None,
    credit_terms: str | None = None,
    charges: str = "1000",
    period: str = "2026-01",
    **options,
):
    write_agreement(
        root,
        "svc",
        agreement(metrics=metrics or metric(**options), credit_terms=credit_terms or terms()),
        {f"{period}.yaml": value_result(period, {"availability": value}, charges=charges)},
    )
    return metric_outcome(root, period, "availability")


def series(
    root,
    values: list[str | None],
    *,
    metrics: str,
    credit_terms: str | None = None,
    extra: str = "",
    start: str = "2026-01",
    metric_id: str = "availability",
    key: str = "value",
    charges: str = "1000",
    **options,
):
    """One results file per month from `start`, a value per metric (None: no file for that month)."""
    year, month = map(int, start.split("-"))
    results = {}
    for index, value in enumerate(values):
        label = f"{year + (month - 1 + index) // 12}-{(month - 1 + index) % 12 + 1:02d}"
        if value is not None:
            results[f"{label}.yaml"] = value_result(label, {metric_id: value}, charges=charges, key=key)
    write_agreement(
        root,
        "svc",
        agreement(metrics=metrics, credit_terms=terms() if credit_terms is None else credit_terms, extra=extra, **options),
        results,
    )
    return evaluated(root)["svc"]


# ---------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    "value, met, tier, credit",
    [
        ("100", True, None, 0),
        ("99.99", True, None, 0),  # exactly the objective: met, no credit
        ("99.9899999999", False, 1, 10),  # just below the objective and the exclusive `below: 99.99`
        ("99.0", False, 1, 10),  # exactly the inclusive `at_or_above: 99.0`
        ("98.9999999999", False, 2, 30),  # just below it: the next tier's exclusive `below: 99.0`
        ("95.0", False, 2, 30),
        ("94.9999999999", False, 3, 100),
        ("0", False, 3, 100),
    ],
)
def test_aws_tiers_at_and_on_both_sides_of_each_bound(root, value, met, tier, credit):
    outcome = one_period(root, value)
    assert (outcome.met, outcome.tier, outcome.credit_percent) == (met, tier, credit)


@pytest.mark.parametrize(
    "value, met, tier, credit",
    [
        ("99.9000000001", True, None, 0),  # strictly above the objective
        ("99.9", False, 1, 10),  # exactly the objective misses with objective_strict; `at_or_below: 99.9` includes it
        ("99.0000000001", False, 1, 10),  # just above the exclusive `above: 99.0`
        ("99.0", False, None, 0),  # in no tier: GitHub's text has no tier at exactly 99.0%
        ("98.9999999999", False, 2, 25),
    ],
)
def test_github_tiers_with_a_strict_objective_at_and_around_each_bound(root, value, met, tier, credit):
    outcome = one_period(root, value, objective="99.9", strict=True, credits=GITHUB_TIERS)
    assert (outcome.met, outcome.tier, outcome.credit_percent) == (met, tier, credit)


LOWER_IS_BETTER_TIERS = """\
      model: tiers
      tiers:
        - above: 200
          at_or_below: 300
          credit: 10
        - above: 300
          credit: 25
"""


@pytest.mark.parametrize(
    "value, met, tier, credit",
    [
        ("199.999", True, None, 0),
        ("200", True, None, 0),  # at a lower-is-better objective: met
        ("200.001", False, 1, 10),
        ("300", False, 1, 10),  # `at_or_below: 300` includes it
        ("300.001", False, 2, 25),
    ],
)
def test_lower_is_better_tiers_with_above_and_at_or_below_bounds(root, value, met, tier, credit):
    outcome = one_period(root, value, objective="200", better="lower", unit="ms", credits=LOWER_IS_BETTER_TIERS)
    assert (outcome.met, outcome.tier, outcome.credit_percent) == (met, tier, credit)


def test_a_lower_is_better_strict_objective_misses_at_the_objective(root):
    outcome = one_period(
        root,
        "200",
        objective="200",
        better="lower",
        unit="ms",
        strict=True,
        credits=LOWER_IS_BETTER_TIERS.replace("above: 200\n", "at_or_above: 200\n"),
    )
    assert (outcome.met, outcome.tier, outcome.credit_percent) == (False, 1, 10)


def test_the_tier_credit_is_a_percentage_of_the_charges(root):
    one_period(root, "98.5", charges="1234.56")
    credit = period_outcome(root, "2026-01").credit
    assert credit.percent == 30 and credit.amount == Fraction("1234.56") * Fraction(30, 100)


# ---------------------------------------------------------------- linear shortfall


LINEAR = "      model: linear\n"


@pytest.mark.parametrize(
    "value, credit",
    [
        ("99.5", Fraction(0)),  # at the objective: met
        ("99.6", Fraction(0)),
        ("99.4", Fraction("0.1")),
        ("97.25", Fraction("2.25")),
    ],
)
def test_linear_credit_is_the_objective_less_the_attainment(root, value, credit):
    outcome = one_period(root, value, objective="99.5", credits=LINEAR)
    assert outcome.credit_percent == credit


def test_linear_credit_per_point_multiplies_the_shortfall(root):
    outcome = one_period(root, "99.2", objective="99.5", credits=LINEAR + "      per_point: 2.5\n")
    assert outcome.credit_percent == Fraction("0.75")


@pytest.mark.parametrize("value, credit", [("96", Fraction("3.5")), ("94.5", Fraction(5)), ("94.4", Fraction(5)), ("0", Fraction(5))])
def test_linear_credit_stops_at_its_maximum(root, value, credit):
    outcome = one_period(root, value, objective="99.5", credits=LINEAR + "      max: 5\n")
    assert outcome.credit_percent == credit


def test_a_lower_is_better_linear_credit_grows_above_the_objective(root):
    outcome = one_period(root, "4.75", objective="4", better="lower", unit="hours", credits=LINEAR)
    assert outcome.credit_percent == Fraction("0.75")


# ---------------------------------------------------------------- the outsourcing pool


def pool_metric(metric_id: str, allocation: str, *, objective: str = "99.5", minimum: str = "99.0", expected_misses: int = 1) -> str:
    return metric(
        metric_id,
        objective=objective,
        credits=(
            f"      model: pool\n      allocation: {allocation}\n      minimum: {minimum}\n      expected_misses: {expected_misses}\n"
        ),
    )


POOL_TERMS = terms(pool="\n    at_risk: 12")


def test_a_pool_default_earns_the_at_risk_share_times_the_allocation(root):
    outcome = one_period(root, "98.9", metrics=pool_metric("availability", "50"), credit_terms=POOL_TERMS)
    assert outcome.default is True and outcome.credit_percent == 6  # 12% × 50%
    credit = period_outcome(root, "2026-01").credit
    assert credit.percent == 6 and credit.amount == 60


def test_exactly_at_the_minimum_service_level_is_not_a_default(root):
    outcome = one_period(root, "99.0", metrics=pool_metric("availability", "50", expected_misses=3), credit_terms=POOL_TERMS)
    assert outcome.met is False and outcome.default is False and outcome.credit_percent == 0


def test_just_below_the_minimum_service_level_is_a_default_in_one_period(root):
    outcome = one_period(root, "98.9999999", metrics=pool_metric("availability", "50", expected_misses=3), credit_terms=POOL_TERMS)
    assert outcome.default is True and outcome.credit_percent == 6


def test_missing_the_expected_level_n_periods_running_is_a_default_in_the_nth(root):
    evaluation = series(
        root,
        ["99.2", "99.2", "99.2", "99.2", "99.5", "99.2"],
        metrics=pool_metric("availability", "50", expected_misses=3),
        credit_terms=POOL_TERMS,
    )
    outcomes = [p.metrics[0] for p in evaluation.periods]
    assert [o.default for o in outcomes] == [False, False, True, True, False, False]
    assert [o.credit_percent for o in outcomes] == [0, 0, 6, 6, 0, 0]


def test_a_month_without_results_breaks_a_run_of_misses(root):
    evaluation = series(
        root, ["99.2", "99.2", None, "99.2"], metrics=pool_metric("availability", "50", expected_misses=3), credit_terms=POOL_TERMS
    )
    assert [p.metrics[0].default for p in evaluation.periods] == [False, False, False]


def test_pool_credits_of_a_period_are_held_to_the_at_risk_amount_when_allocations_exceed_100(root):
    metrics = pool_metric("availability", "80") + pool_metric("backup", "70")
    results = 'period: "2026-01"\ncharges: 1000\nmetrics:\n  availability:\n    value: 90\n  backup:\n    value: 90\n'
    write_agreement(root, "svc", agreement(metrics=metrics, credit_terms=POOL_TERMS), {"2026-01.yaml": results})
    outcome = period_outcome(root, "2026-01")
    assert [m.credit_percent for m in outcome.metrics] == [Fraction("9.6"), Fraction("8.4")]
    assert outcome.credit.combined_percent == 18
    assert outcome.credit.percent == 12 and outcome.credit.capped is True
    assert outcome.credit.amount == 120


def test_pool_credits_within_the_at_risk_amount_add_up(root):
    metrics = pool_metric("availability", "30") + pool_metric("backup", "40")
    results = 'period: "2026-01"\ncharges: 1000\nmetrics:\n  availability:\n    value: 90\n  backup:\n    value: 90\n'
    write_agreement(root, "svc", agreement(metrics=metrics, credit_terms=POOL_TERMS), {"2026-01.yaml": results})
    credit = period_outcome(root, "2026-01").credit
    assert credit.percent == Fraction("8.4") and credit.capped is False


def test_a_pool_metric_needs_the_at_risk_pool(root):
    from mkdocs_sla.source.load import load

    write_agreement(root, "svc", agreement(metrics=pool_metric("availability", "50"), credit_terms=terms()))
    assert any("needs `credit_terms.pool.at_risk`" in d.message for d in load(root).errors)


@pytest.mark.parametrize(
    "credits",
    [AWS_TIERS, "model: linear\nper_point: 10\n", "model: pool\nallocation: 50\nminimum: 99.0\n"],
    ids=["tiers", "linear", "pool"],
)
def test_every_credit_model_needs_a_credit_terms_section(root, credits):
    from mkdocs_sla.source.load import load

    text = agreement(metrics=metric("availability", objective="99.5", credits=credits), credit_terms="")
    write_agreement(root, "svc", text)
    line, column = position_of(text, "model: ")  # the credits section's first key
    found = [str(d) for d in load(root).errors if "credits need `credit_terms`" in d.message]
    assert len(found) == 1 and f"svc/agreement.yaml:{line}:{column}: error:" in found[0], found


# ---------------------------------------------------------------- combining, cap, minimum, rounding


def two_missed(root, credit_terms: str, charges: str = "1000"):
    """Two tiered metrics missed in one period: 10% and 30%."""
    metrics = metric("availability") + metric("backup")
    results = f'period: "2026-01"\ncharges: {charges}\nmetrics:\n  availability:\n    value: 99.5\n  backup:\n    value: 98\n'
    write_agreement(root, "svc", agreement(metrics=metrics, credit_terms=credit_terms), {"2026-01.yaml": results})
    return period_outcome(root, "2026-01").credit


def test_combine_sum_adds_the_credits_of_missed_metrics(root):
    credit = two_missed(root, terms(combine="sum"))
    assert (credit.combined_percent, credit.percent, credit.capped) == (40, 40, False)


def test_combine_max_takes_the_largest_credit(root):
    credit = two_missed(root, terms(combine="max"))
    assert (credit.combined_percent, credit.percent, credit.amount) == (30, 30, 300)


def test_combine_defaults_to_sum(root):
    assert two_missed(root, terms()).percent == 40


def test_the_cap_holds_the_period_total(root):
    credit = two_missed(root, terms(cap="25"))
    assert (credit.combined_percent, credit.percent, credit.capped, credit.amount) == (40, 25, True, 250)


def test_a_total_exactly_at_the_cap_is_not_capped(root):
    credit = two_missed(root, terms(cap="40"))
    assert (credit.percent, credit.capped) == (40, False)


def test_a_credit_exactly_at_the_minimum_amount_is_issued(root):
    credit = two_missed(root, terms(minimum_amount="400"))
    assert credit.amount == 400 and credit.below_minimum is False and credit.issued == 400


def test_a_credit_below_the_minimum_amount_is_not_issued(root):
    credit = two_missed(root, terms(minimum_amount="400.01"))
    assert credit.amount == 400 and credit.below_minimum is True and credit.issued == 0


def test_the_minimum_applies_after_the_cap(root):
    credit = two_missed(root, terms(cap="30", minimum_amount="301"))
    assert credit.amount == 300 and credit.below_minimum is True and credit.issued == 0


def test_without_round_to_the_amount_stays_exact(root):
    credit = two_missed(root, terms(), charges="0.3125")
    assert credit.amount == Fraction("0.125")


def test_round_to_rounds_the_amount_half_up_to_the_step(root):
    assert two_missed(root, terms(round_to="0.01"), charges="0.3125").amount == Fraction("0.13")


def test_round_to_rounds_down_below_the_half(root):
    assert two_missed(root, terms(round_to="0.01"), charges="0.31").amount == Fraction("0.12")  # 0.124


def test_round_to_a_step_of_five(root):
    credit = two_missed(root, terms(round_to="5"), charges="1234")
    assert (credit.amount, credit.unrounded, credit.rounding) == (Fraction(495), Fraction("493.6"), AmountRounding.HALF_UP)


def test_an_amount_already_on_the_step_is_not_rounded(root):
    credit = two_missed(root, terms(round_to="5"), charges="1000")
    assert (credit.amount, credit.rounding) == (400, AmountRounding.NONE)


def test_the_evidence_works_out_a_rounded_amount_step_by_step(root):
    """The credit line gives the amount credited: the unrounded product, the rounding and its step."""
    from mkdocs_sla.site.evidence_page import _credit

    write_agreement(
        root,
        "svc",
        agreement(metrics=metric("availability") + metric("backup"), credit_terms=terms(round_to="5")),
        {"2026-01.yaml": 'period: "2026-01"\ncharges: 1234\nmetrics:\n  availability:\n    value: 99.5\n  backup:\n    value: 98\n'},
    )
    line = _credit(period_outcome(root, "2026-01"), "1,234.00 USD")
    assert line.endswith("40% of 1,234.00 USD = 493.6 USD, rounded half up to a multiple of 5 USD: 495.00 USD"), line


def test_rounding_comes_before_the_minimum(root):
    # 0.99875 rounds to 1.00, which is the minimum: issued.
    credit = two_missed(root, terms(round_to="0.01", minimum_amount="1"), charges="2.496875")
    assert credit.amount == 1 and credit.below_minimum is False


def test_a_period_without_charges_has_a_credit_percentage_but_no_amount(root):
    metrics = metric("availability")
    write_agreement(
        root,
        "svc",
        agreement(metrics=metrics, credit_terms=terms()),
        {"2026-01.yaml": value_result("2026-01", {"availability": "99.5"}, charges=None)},
    )
    outcome = period_outcome(root, "2026-01").credit
    assert outcome.percent == 10 and outcome.amount is None and outcome.issued is None


def test_a_met_period_has_no_credit_and_no_claim_deadline(root):
    one_period(root, "99.99", credit_terms=terms(claim="\n    how: Open a case.\n    deadline:\n      days_after_period: 30"))
    outcome = period_outcome(root, "2026-01")
    assert outcome.credit.percent == 0 and outcome.credit.amount == 0 and outcome.claim_deadline is None


# ---------------------------------------------------------------- claims


def claim_terms(deadline: str) -> str:
    return terms(claim=f"\n    how: Open a support case.\n    deadline:\n      {deadline}")


@pytest.mark.parametrize(
    "period, days, last_day",
    [
        ("2026-01", 15, dt.date(2026, 2, 15)),  # Atlassian: within 15 days after the month
        ("2026-01", 30, dt.date(2026, 3, 2)),
        ("2026-12", 30, dt.date(2027, 1, 30)),
        ("2026-02", 1, dt.date(2026, 3, 1)),
    ],
)
def test_a_claim_deadline_n_days_after_the_period_ends(root, period, days, last_day):
    one_period(root, "99.5", credit_terms=claim_terms(f"days_after_period: {days}"), period=period)
    assert period_outcome(root, period).claim_deadline == last_day


def test_a_claim_deadline_30_days_after_a_quarter(root):
    write_agreement(
        root,
        "svc",
        agreement(metrics=metric(), credit_terms=claim_terms("days_after_period: 30"), head="period: quarter\n"),
        {"2026-Q1.yaml": value_result("2026-Q1", {"availability": "99.5"})},
    )
    assert period_outcome(root, "2026-Q1").claim_deadline == dt.date(2026, 4, 30)


@pytest.mark.parametrize("charges, round_to", [("0", None), ("0.04", "0.01")])
def test_no_claim_deadline_where_the_credit_issued_is_zero(root, charges, round_to):
    # A 10% credit of no charges, or of 0.04 rounded to the cent (0.004 → 0.00): nothing to claim.
    extra = {"round_to": round_to} if round_to else {}
    one_period(
        root,
        "99.5",
        credit_terms=terms(claim="\n    how: Open a case.\n    deadline:\n      days_after_period: 30", **extra),
        charges=charges,
    )
    outcome = period_outcome(root, "2026-01")
    assert outcome.credit.percent == 10 and outcome.credit.issued == 0
    assert outcome.claim_deadline is None


@pytest.mark.parametrize(
    "period, cycles, last_day",
    [
        ("2026-01", 2, dt.date(2026, 3, 31)),  # AWS: by the end of the second billing cycle after the incident
        ("2026-01", 1, dt.date(2026, 2, 28)),  # Azure: by the end of the month after
        ("2026-11", 2, dt.date(2027, 1, 31)),
        ("2026-12", 2, dt.date(2027, 2, 28)),
    ],
)
def test_a_claim_deadline_at_the_end_of_the_nth_billing_cycle_after_a_month(root, period, cycles, last_day):
    one_period(root, "99.5", credit_terms=claim_terms(f"billing_cycles_after: {cycles}"), period=period)
    assert period_outcome(root, period).claim_deadline == last_day


@pytest.mark.parametrize(
    "period, cycles, last_day",
    [
        ("2026-Q1", 2, dt.date(2026, 5, 31)),  # billing is monthly: April, then May
        ("2026-Q4", 1, dt.date(2027, 1, 31)),
    ],
)
def test_a_claim_deadline_in_billing_cycles_after_a_quarter_counts_monthly_cycles(root, period, cycles, last_day):
    write_agreement(
        root,
        "svc",
        agreement(metrics=metric(), credit_terms=claim_terms(f"billing_cycles_after: {cycles}"), head="period: quarter\n"),
        {f"{period}.yaml": value_result(period, {"availability": "99.5"})},
    )
    assert period_outcome(root, period).claim_deadline == last_day


# ---------------------------------------------------------------- remedies


MISS, MET = "99.5", "99.99"

ESCALATION = """\
remedies:
  escalation:
    - misses: 2
      within: 3
      action: review meeting with the service owner
    - misses: 3
      within: 6
      action: escalation to the VP of Operations
"""


def remedy_kinds(evaluation) -> list[list[str]]:
    return [[r.kind.value for r in p.remedies] for p in evaluation.periods]


def test_escalation_steps_by_the_number_of_misses_in_their_window(root):
    evaluation = series(root, [MISS, MET, MISS, MISS, MET, MET, MET, MET, MET], metrics=metric(), extra=ESCALATION)
    texts = [[remedy_words(r) for r in p.remedies] for p in evaluation.periods]
    assert texts[0] == [] and texts[1] == []
    assert texts[2] == ["Metric availability: missed 2 times in 3 periods — review meeting with the service owner"]
    assert texts[3] == [
        "Metric availability: missed 3 times in 6 periods — escalation to the VP of Operations"
    ]  # the higher step stands for both
    # A met period does not escalate again, although its window still holds three misses.
    assert texts[4] == []
    # Window of 6 ending in September: April to September holds one miss (April).
    assert texts[8] == []
    assert all(not r.termination_right for p in evaluation.periods for r in p.remedies)


def test_escalation_needs_the_misses_within_the_window_not_just_in_total(root):
    evaluation = series(root, [MISS, MET, MET, MISS], metrics=metric(), extra=ESCALATION)
    assert remedy_kinds(evaluation) == [[], [], [], []]


def test_escalation_applies_to_non_monetary_metrics(root):
    metrics = metric("leads", objective="400", credits=None, unit="leads")
    evaluation = series(root, ["399", "401", "12"], metrics=metrics, credit_terms="", extra=ESCALATION, metric_id="leads")
    assert remedy_kinds(evaluation) == [[], [], ["escalation"]]
    assert [p.credit.percent for p in evaluation.periods] == [0, 0, 0]


CHRONIC = """\
remedies:
  chronic:
    misses: 3
    within: 6
    consequence: the customer may terminate without penalty
"""


def test_chronic_failure_is_n_misses_in_any_rolling_m_periods(root):
    evaluation = series(root, [MISS, MET, MET, MISS, MET, MISS, MET, MET, MISS], metrics=metric(), extra=CHRONIC)
    chronic = [p.chronic for p in evaluation.periods]
    # Jan–Jun holds 3 misses; Feb–Jul only 2; Apr–Sep 3 again.
    assert chronic == [False, False, False, False, False, True, False, False, True]
    june = evaluation.periods[5]
    assert june.termination_right is True
    assert (
        remedy_words(june.remedies[0])
        == "Metric availability: chronic failure, missed 3 times in 6 periods — the customer may terminate without penalty"
    )
    assert evaluation.termination_right_since.label == "2026-06"


def test_chronic_failure_with_one_miss_too_few_is_not_reached(root):
    evaluation = series(root, [MISS, MET, MET, MET, MET, MISS, MISS], metrics=metric(), extra=CHRONIC)
    # Jan–Jun: 2 misses; Feb–Jul: 2 misses (June, July).
    assert [p.chronic for p in evaluation.periods] == [False] * 7


def test_chronic_failure_without_a_termination_right(root):
    evaluation = series(root, [MISS, MISS, MISS], metrics=metric(), extra=CHRONIC + "    termination_right: false\n")
    assert evaluation.periods[2].chronic is True and evaluation.periods[2].termination_right is False


def test_misses_to_date_counts_periods_with_any_miss(root):
    metrics = metric("availability") + metric("backup")
    results = {}
    for month, (a, b) in enumerate([(MISS, MISS), (MET, MET), (MET, MISS), (MISS, MET)], start=1):
        results[f"2026-{month:02d}.yaml"] = (
            f'period: "2026-{month:02d}"\ncharges: 100\nmetrics:\n  availability:\n    value: {a}\n  backup:\n    value: {b}\n'
        )
    write_agreement(root, "svc", agreement(metrics=metrics, credit_terms=terms()), results)
    assert [p.misses_to_date for p in evaluated(root)["svc"].periods] == [1, 1, 2, 3]


ROLLING = """\
remedies:
  rolling_average:
    metric: availability
    periods: 3
    below: 97
"""


def test_a_rolling_average_below_the_level_gives_a_termination_right(root):
    evaluation = series(root, ["96", "97", "97.5", "98"], metrics=metric(), extra=ROLLING)
    # Jan–Mar average 96.8333… < 97; Feb–Apr average 97.5.
    assert [p.termination_right for p in evaluation.periods] == [False, False, True, False]
    assert evaluation.periods[2].remedies[0].kind.value == "rolling_average"


def test_the_rolling_average_remedy_shows_the_average_rounded_towards_the_worse_side_with_its_unit(root):
    # 96.9996 rounded half-even to three places reads 97.0, "97% is below 97": the figure
    # must never look better than the exact one, and the level carries the metric's unit.
    evaluation = series(root, ["96.9996"], metrics=metric(), extra=ROLLING.replace("periods: 3", "periods: 1"))
    assert remedy_words(evaluation.periods[0].remedies[0]) == "Metric availability: average over 1 periods 96.999% is below 97%"


def test_the_rolling_average_remedy_of_a_lower_is_better_metric_rounds_up(root):
    extra = "remedies:\n  rolling_average:\n    metric: availability\n    periods: 1\n    below: 300\n"
    evaluation = series(root, ["120.0004"], metrics=metric(objective="200", unit="ms", better="lower", credits=None), extra=extra)
    assert remedy_words(evaluation.periods[0].remedies[0]) == "Metric availability: average over 1 periods 120.001 ms is below 300 ms"


def test_a_rolling_average_exactly_at_the_level_does_not_trigger(root):
    evaluation = series(root, ["96", "97", "98"], metrics=metric(), extra=ROLLING)
    assert [p.termination_right for p in evaluation.periods] == [False, False, False]


def test_a_rolling_average_needs_all_its_periods(root):
    evaluation = series(root, ["90", None, "90", "90"], metrics=metric(), extra=ROLLING)
    # March and April average only two reported periods: not the three the clause names.
    assert [p.termination_right for p in evaluation.periods] == [False, False, False]


EARN_BACK = """\
remedies:
  earn_back:
    met_periods: 2
"""


def test_a_credit_is_earned_back_after_n_met_periods(root):
    evaluation = series(root, [MISS, MET, MET], metrics=metric(), extra=EARN_BACK)
    january = evaluation.periods[0]
    assert january.metrics[0].credit_percent == 10
    assert january.metrics[0].earned_back.label == "2026-03"
    assert january.credit.percent == 0 and january.credit.amount == 0


def test_a_credit_is_not_earned_back_if_one_of_the_n_periods_misses(root):
    evaluation = series(root, [MISS, MET, MISS, MET, MET], metrics=metric(), extra=EARN_BACK)
    january, march = evaluation.periods[0], evaluation.periods[2]
    assert january.metrics[0].earned_back is None and january.credit.percent == 10
    assert march.metrics[0].earned_back.label == "2026-05" and march.credit.percent == 0


def test_a_credit_is_not_earned_back_before_the_n_periods_are_reported(root):
    evaluation = series(root, [MISS, MET], metrics=metric(), extra=EARN_BACK)
    assert evaluation.periods[0].metrics[0].earned_back is None and evaluation.periods[0].credit.percent == 10


def test_a_credit_is_not_earned_back_across_a_month_without_results(root):
    evaluation = series(root, [MISS, None, MET, MET], metrics=metric(), extra=EARN_BACK)
    assert evaluation.periods[0].metrics[0].earned_back is None


# ---------------------------------------------------------------- versions


def two_versions(root, rule: str | None):
    head = f"mid_period_change: {rule}\n" if rule else ""
    first = agreement(metrics=metric(), version="1.0", effective="2026-01-01", head=head)
    second = agreement(
        metrics=metric(credits=AWS_TIERS.replace("credit: 10\n", "credit: 20\n")), version="2.0", effective="2026-03-15", head=head
    )
    results = {f"2026-{m:02d}.yaml": value_result(f"2026-{m:02d}", {"availability": "99.5"}) for m in (2, 3, 4)}
    write_agreement(root, "svc", first + "---\n" + second, results)
    return {p.period.label: (p.version, p.metrics[0].credit_percent) for p in evaluated(root)["svc"].periods}


def test_each_period_is_evaluated_under_the_version_in_force_at_its_start(root):
    assert two_versions(root, None) == {"2026-02": ("1.0", 10), "2026-03": ("1.0", 10), "2026-04": ("2.0", 20)}


def test_with_end_governs_a_period_is_evaluated_under_the_version_in_force_at_its_end(root):
    assert two_versions(root, "end_governs") == {"2026-02": ("1.0", 10), "2026-03": ("2.0", 20), "2026-04": ("2.0", 20)}


def test_a_version_taking_effect_on_the_first_day_governs_that_period_either_way(root):
    for rule in ("start_governs", "end_governs"):
        first = agreement(metrics=metric(), version="1.0", effective="2026-01-01", head=f"mid_period_change: {rule}\n")
        second = agreement(
            metrics=metric(credits=AWS_TIERS.replace("credit: 10\n", "credit: 20\n")),
            version="2.0",
            effective="2026-03-01",
            head=f"mid_period_change: {rule}\n",
        )
        folder = root / rule
        write_agreement(folder, "svc", first + "---\n" + second, {"2026-03.yaml": value_result("2026-03", {"availability": "99.5"})})
        [march] = evaluated(folder)["svc"].periods
        assert (march.version, march.metrics[0].credit_percent) == ("2.0", 20), rule


def test_a_result_is_checked_against_the_metrics_of_its_governing_version(root):
    from mkdocs_sla.source.load import load

    first = agreement(metrics=metric(), version="1.0", effective="2026-01-01")
    second = agreement(metrics=metric() + metric("backup"), version="2.0", effective="2026-03-01")
    results = 'period: "2026-02"\ncharges: 1\nmetrics:\n  availability:\n    value: 99.5\n  backup:\n    value: 99\n'
    write_agreement(root, "svc", first + "---\n" + second, {"2026-02.yaml": results})
    assert any("unknown metric `backup`" in d.message and "version `1.0`" in d.message for d in load(root).errors)


def test_combine_max_takes_the_largest_single_credit_pool_credits_included(root):
    # Pool credits combine "on the same footing" as the others: with `max`, the largest one counts.
    metrics = pool_metric("availability", "50") + pool_metric("backup", "40") + metric("latency")
    results = (
        'period: "2026-01"\ncharges: 1000\nmetrics:\n  availability:\n    value: 90\n  backup:\n    value: 90\n'
        "  latency:\n    value: 99.5\n"
    )
    write_agreement(
        root, "svc", agreement(metrics=metrics, credit_terms=terms(combine="max", pool="\n    at_risk: 12")), {"2026-01.yaml": results}
    )
    outcome = period_outcome(root, "2026-01")
    assert [m.credit_percent for m in outcome.metrics] == [6, Fraction("4.8"), 10]
    assert (outcome.credit.combined_percent, outcome.credit.percent, outcome.credit.capped) == (10, 10, False)
    write_agreement(
        root,
        "svc",
        agreement(metrics=metrics, credit_terms=terms(combine="max", pool="\n    at_risk: 12")),
        {"2026-01.yaml": results.replace("value: 99.5", "value: 99.99")},
    )
    outcome = period_outcome(root, "2026-01")
    assert (outcome.credit.combined_percent, outcome.credit.percent, outcome.credit.capped) == (6, 6, False)


def test_a_rounded_amount_never_rises_above_the_cap(root):
    # 0.03 × 16.6667% = 0.005000001, which rounds half up to 0.01: above the cap, so it rounds down.
    credit = two_missed(root, terms(cap="16.6667", round_to="0.01"), charges="0.03")
    assert credit.capped is True and credit.amount == 0 and credit.rounding is AmountRounding.DOWN


def test_a_rounded_amount_never_rises_above_the_at_risk_amount(root):
    metrics = pool_metric("availability", "80") + pool_metric("backup", "70")
    results = 'period: "2026-01"\ncharges: 0.1\nmetrics:\n  availability:\n    value: 90\n  backup:\n    value: 90\n'
    write_agreement(
        root, "svc", agreement(metrics=metrics, credit_terms=terms(round_to="0.005", pool="\n    at_risk: 12.5")), {"2026-01.yaml": results}
    )
    credit = period_outcome(root, "2026-01").credit
    assert credit.percent == Fraction("12.5") and credit.amount == Fraction("0.01")  # 0.0125 rounds down, not up to 0.015
    assert credit.rounding is AmountRounding.DOWN and credit.unrounded == Fraction("0.0125")
    from mkdocs_sla.site.evidence_page import _credit

    line = _credit(period_outcome(root, "2026-01"), "0.10 USD")
    assert line.endswith(
        "of 0.10 USD = 0.0125 USD, rounded down (up would pass the cap or the at-risk amount) to a multiple of 0.005 USD: 0.01 USD"
    ), line


def test_a_rounded_amount_of_a_total_exactly_at_the_cap_does_not_rise_above_it(root):
    # 30% + 10% = 40% exactly the cap (not held to it); 0.0125 × 40% = 0.005 would round half up to 0.01.
    credit = two_missed(root, terms(cap="40", round_to="0.01"), charges="0.0125")
    assert credit.capped is False and credit.amount == 0


def test_rounding_stays_half_up_unless_rounding_up_would_pass_the_cap(root):
    # A 40% total of 0.0375 is 0.015, which rounds half up to 0.02.
    assert two_missed(root, terms(cap="60", round_to="0.01"), charges="0.0375").amount == Fraction("0.02")  # cap 0.0225
    assert two_missed(root, terms(cap="50", round_to="0.01"), charges="0.0375").amount == Fraction("0.01")  # cap 0.01875
