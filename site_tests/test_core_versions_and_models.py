"""Rules that now have one home in the core: which version is in force on a day (agreements and
service standards alike), what each credit model declares about itself, and the error budget
read from the counts a measure produced."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from types import SimpleNamespace

import pytest
from site_tests.core_helpers import agreement, metric_outcome, metric_text, write_agreement

from mkdocs_sla.core.measures import error_budget
from mkdocs_sla.core.model import CREDIT_MODELS, LinearCredits, Metric, PoolCredits, TieredCredits
from mkdocs_sla.core.records import in_force_on

VERSIONS = [
    SimpleNamespace(label=label, effective=dt.date.fromisoformat(day)) for label, day in (("1.0", "2026-01-01"), ("1.1", "2026-04-01"))
]


@pytest.mark.parametrize(
    ("day", "label"),
    [
        ("2025-12-31", "1.0"),  # before any version took effect: the first
        ("2026-01-01", "1.0"),
        ("2026-03-31", "1.0"),
        ("2026-04-01", "1.1"),  # the day a version takes effect, it is in force
        ("2027-01-01", "1.1"),
    ],
)
def test_the_version_in_force_is_the_last_to_have_taken_effect_and_the_first_before_any(day, label):
    assert in_force_on(VERSIONS, dt.date.fromisoformat(day)).label == label


def metric(credits: dict, better: str = "higher", objective: str = "99.9") -> Metric:
    return Metric.model_validate(
        {
            "id": "uptime",
            "name": "Uptime",
            "definition": "Minutes available.",
            "unit": "%",
            "better": better,
            "objective": objective,
            "measure": {"kind": "events"},
            "credits": credits,
        }
    )


@pytest.mark.parametrize(
    ("credits", "better", "points"),
    [
        (
            {"model": "tiers", "tiers": [{"below": "99.9", "at_or_above": "99", "credit": "10"}, {"below": "99", "credit": "25"}]},
            "higher",
            {Fraction(999, 10), Fraction(99)},
        ),
        # The shortfall reaches the maximum 10% at 2% per point: 5 points from the objective.
        ({"model": "linear", "per_point": "2", "max": "10"}, "higher", {Fraction(949, 10)}),
        ({"model": "linear", "per_point": "2", "max": "10"}, "lower", {Fraction(1049, 10)}),
        ({"model": "linear", "per_point": "2"}, "higher", set()),  # no maximum: one rule throughout
        ({"model": "pool", "allocation": "50", "minimum": "97"}, "higher", {Fraction(97)}),
    ],
)
def test_a_credit_model_names_the_attainments_where_its_rule_changes(credits, better, points):
    m = metric(credits, better)
    assert m.credits.breakpoints(m) == points


def test_only_pool_credits_are_held_to_the_at_risk_amount_and_only_linear_credits_vary_continuously():
    assert {"tiers": TieredCredits, "linear": LinearCredits, "pool": PoolCredits} == CREDIT_MODELS
    assert [name for name, model in CREDIT_MODELS.items() if model.pooled] == ["pool"]
    assert [name for name, model in CREDIT_MODELS.items() if model.varies] == ["linear"]


@pytest.mark.parametrize(
    ("measure", "result", "budget"),
    [
        # Events: 5% of 200 events may be bad; 12 were.
        ("kind: events", "    good: 188\n    total: 200\n", (Fraction(10), Fraction(12))),
        # Downtime: 5% of January's 44,640 minutes; 60 minutes down.
        (
            "kind: downtime",
            "    outages:\n      - {start: 2026-01-10T10:00:00Z, end: 2026-01-10T11:00:00Z}\n",
            (Fraction(2232), Fraction(60)),
        ),
        ("kind: value", "    value: 97\n", None),  # a reported figure has no counts to spend
        ("kind: events", "    good: 0\n    total: 0\n", None),  # nothing measured: no budget
    ],
)
def test_the_error_budget_is_read_from_the_counts_the_measure_produced(tmp_path, measure, result, budget):
    text = agreement(metrics=metric_text(objective="95", measure=measure, credits=None))
    write_agreement(tmp_path, "svc", text, {"2026-01.yaml": f'period: "2026-01"\nmetrics:\n  uptime:\n{result}'})
    outcome = metric_outcome(tmp_path, "2026-01")
    assert error_budget(outcome.metric, outcome.measured) == budget
