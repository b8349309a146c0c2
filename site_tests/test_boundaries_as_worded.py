"""Boundaries as the agreements word them (issue 13 item 10): the engine and the page say the
same thing, and the format can say what real agreements say."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from site_tests.core_helpers import agreement, assert_reported_in_agreement, period_outcome, write_agreement
from site_tests.test_core_credits import POOL_TERMS, metric, one_period, terms

from mkdocs_sla.core.tiers import tier_gaps
from mkdocs_sla.present import display
from mkdocs_sla.present.words import credit_model_words, credit_terms_lines
from mkdocs_sla.source.load import load


@pytest.fixture
def root(tmp_path):
    return tmp_path / "agreements"


# ---------------------------------------------------------------- the minimum amount


@pytest.mark.parametrize(
    "issued, below, words",
    [
        ("", False, "a period's credit under 1.00 USD is not issued"),
        ("true", False, "a period's credit under 1.00 USD is not issued"),
        ("false", True, "a period's credit is issued only if it is greater than 1.00 USD"),
    ],
)
def test_a_credit_of_exactly_the_minimum_amount_is_issued_unless_only_a_greater_one_is(root, issued, below, words):
    # AWS: "a Service Credit is issued only if it is greater than one dollar". 10% of 10.00 is exactly 1.00.
    keys = {"minimum_amount": "1.00"} | ({"minimum_amount_issued": issued} if issued else {})
    one_period(root, "99.5", credit_terms=terms(**keys), charges="10")
    credit = period_outcome(root, "2026-01").credit
    assert credit.amount == 1 and credit.below_minimum is below
    assert credit.issued == (0 if below else 1)
    (catalog_record,) = load(root).agreements
    lines = credit_terms_lines(catalog_record.versions[-1].terms)
    assert ("Minimum", words, False) in lines


@pytest.mark.parametrize(
    "issued, charges, why",
    [("true", "9.99", "under the minimum"), ("false", "10", "not above the minimum")],
)
def test_a_withheld_credit_says_why_as_the_agreement_words_it(root, issued, charges, why):
    """An amount equal to the minimum, withheld where only a greater one is issued, is not
    "below" it: the period's total, the evidence and the statement say "not above"."""
    from mkdocs_sla.core.evaluate import evaluate
    from mkdocs_sla.site.evidence_page import _credit
    from mkdocs_sla.site.views import PeriodTotal, statement_line

    one_period(root, "99.5", credit_terms=terms(minimum_amount="1.00", minimum_amount_issued=issued), charges=charges)
    outcome = period_outcome(root, "2026-01")
    assert outcome.credit.below_minimum and outcome.claim_deadline is None
    total = PeriodTotal.of(outcome)
    assert total.notes == (f"{why} amount: not issued",) and not total.credited and total.claim_by is None
    assert _credit(outcome, "x").endswith(f", {why} of 1.00 USD: not issued")
    (record,) = load(root).agreements
    line = statement_line(record.id, "t", evaluate(record).periods[0], None)
    assert line.withheld == f"{why} amount: not issued"


def test_a_credit_rounded_to_nothing_is_not_shown_as_credited(root):
    # 10% of 3.00 is 0.30, which `round_to: 1` makes 0: nothing to claim, and the total says why.
    from mkdocs_sla.site.views import PeriodTotal

    one_period(
        root,
        "99.5",
        credit_terms=terms(round_to="1", claim="\n    how: Open a case.\n    deadline:\n      days_after_period: 30"),
        charges="3",
    )
    outcome = period_outcome(root, "2026-01")
    assert outcome.credit.percent == 10 and outcome.credit.amount == 0 and not outcome.credit.claimable
    total = PeriodTotal.of(outcome)
    assert (total.credited, total.claim_by, total.notes) == (False, None, ("rounded to nothing: not issued",))


def test_minimum_amount_issued_without_a_minimum_amount_is_reported(root):
    text = agreement(credit_terms=terms(minimum_amount_issued="false"))
    assert_reported_in_agreement(root, text, "base:", "credit_terms: `minimum_amount_issued` says whether", cli=False)


# ---------------------------------------------------------------- pool defaults


def pool(extra: str = "", allocation: str = "      allocation: 50\n") -> str:
    return metric("availability", objective="99.5", credits="      model: pool\n" + allocation + "      minimum: 99.0\n" + extra)


@pytest.mark.parametrize(
    "extra, default, words",
    [
        (
            "",
            True,
            "A default is any period that misses the objective (the expected level), and so every period below the minimum service level of 99.0%.",
        ),
        (
            "      default_on: minimum\n",
            False,
            "A default is a period below the minimum service level of 99.0%; a period that misses the objective but not the minimum is no default.",
        ),
        (
            "      expected_misses: 3\n",
            False,
            "A default is a period below the minimum service level of 99.0%, or 3 consecutive periods that miss the objective.",
        ),
    ],
)
def test_a_pool_default_is_what_the_page_says_it_is(root, extra, default, words):
    # 99.2%: misses the objective (99.5%), not the minimum (99.0%).
    outcome = one_period(root, "99.2", metrics=pool(extra), credit_terms=POOL_TERMS)
    assert outcome.met is False and outcome.default is default
    assert outcome.credit_percent == (6 if default else 0)
    (record,) = load(root).agreements
    terms_ = record.versions[-1].terms
    assert credit_model_words(terms_.metrics[0], terms_)[1] == words


def test_below_the_minimum_is_a_default_when_only_the_minimum_counts(root):
    outcome = one_period(root, "98.9", metrics=pool("      default_on: minimum\n"), credit_terms=POOL_TERMS)
    assert outcome.default is True and outcome.credit_percent == 6


def test_expected_misses_with_default_on_minimum_is_reported(root):
    text = agreement(metrics=pool("      default_on: minimum\n      expected_misses: 2\n"), credit_terms=POOL_TERMS)
    assert_reported_in_agreement(root, text, "model: pool", "`expected_misses` has no effect with `default_on: minimum`", cli=False)


# ---------------------------------------------------------------- pool allocation as a product


def test_a_pool_allocation_times_a_service_level_allocation_is_the_metrics_allocation(root):
    split = "      pool_allocation: 40\n      service_level_allocation: 25\n"
    outcome = one_period(root, "98.9", metrics=pool(allocation=split), credit_terms=POOL_TERMS)
    assert outcome.default is True and outcome.credit_percent == Fraction("1.2")  # 12% at risk × 40% × 25%
    (record,) = load(root).agreements
    terms_ = record.versions[-1].terms
    assert credit_model_words(terms_.metrics[0], terms_)[0] == (
        "A service level default earns 10% of the at-risk amount, its pool allocation of 40% × its service level allocation of 25% "
        "(1.2% of the charges)."
    )


@pytest.mark.parametrize(
    "allocation, words",
    [
        ("      allocation: 50\n      pool_allocation: 40\n      service_level_allocation: 25\n", "not both"),
        ("      pool_allocation: 40\n", "needs `allocation`, or both `pool_allocation` and `service_level_allocation`"),
        ("", "needs `allocation`, or both"),
    ],
)
def test_a_pool_credit_takes_one_form_of_allocation(root, allocation, words):
    text = agreement(metrics=pool(allocation=allocation), credit_terms=POOL_TERMS)
    assert_reported_in_agreement(root, text, "model: pool", "metrics[0].credits", words, cli=False)


# ---------------------------------------------------------------- an intentional tier gap

# "below 99.9% and more than 99.0%", then "below 99.0%": nothing at exactly 99.0%, as in
# GitHub's agreement.
GAP_TIERS = """\
      model: tiers
      tiers:
        - below: 99.9
          above: 99.0
          credit: 10
        - below: 99.0
          credit: 25
"""


def test_an_intentional_tier_gap_gives_no_warning_and_the_tier_table_says_it_earns_nothing(root):
    # GitHub: "at most 99.9% and more than 99.0%" and "below 99.0%": nothing at exactly 99.0%.
    from mkdocs_sla.site.views import _metric_view

    write_agreement(root, "svc", agreement(metrics=metric(objective="99.9", credits=GAP_TIERS + "      gaps: intentional\n")))
    catalog = load(root)
    assert catalog.diagnostics == ()
    terms_ = catalog.agreements[0].versions[-1].terms
    view = _metric_view(terms_.metrics[0], terms_)
    assert view["tiers"][-1] == ("—", "an attainment of exactly 99%", "no credit (no tier, as the agreement says)")
    assert "An attainment in no tier earns no credit; the agreement leaves those gaps on purpose." in view["credit_words"]
    assert [str(g.low) for g in tier_gaps(terms_.metrics[0])] == ["99"]


def test_an_unacknowledged_tier_gap_is_still_a_warning_that_says_how_to_acknowledge_it(root):
    text = agreement(metrics=metric(objective="99.9", credits=GAP_TIERS))
    assert_reported_in_agreement(
        root,
        text,
        "- below: 99.9",
        "an attainment of exactly 99% misses the objective but falls in no credit tier",
        "`gaps: intentional`",
        severity="warning",
        cli=False,
        offset=2,
    )


@pytest.mark.parametrize(
    ("written", "shown"), [("1", "1.00 USD"), ("0.5", "0.50 USD"), ("2.495", "2.495 USD"), ("0.004", "0.004 USD"), ("1000", "1,000.00 USD")]
)
def test_a_money_term_is_shown_as_money_and_never_rounded(written, shown):
    # A minimum of 2.495 USD read "2.50 USD" when written as an invoice amount: a term misstated.
    assert display.money_term(Decimal(written), "USD") == shown


def test_a_withheld_amount_never_reads_as_reaching_the_minimum(root):
    # 10% of 9.99 is 0.999: half up it would show 1.00, "under the minimum of 1.00". Withheld
    # amounts are rounded down wherever they are shown (display.credit_amount, and sla.js).
    from mkdocs_sla.present.documents import evidenced_period_document
    from mkdocs_sla.site.evidence_page import _credit
    from mkdocs_sla.site.views import PeriodTotal

    one_period(root, "99.5", credit_terms=terms(minimum_amount="1.00"), charges="9.99")
    outcome = period_outcome(root, "2026-01")
    assert outcome.credit.amount == Fraction(999, 1000) and outcome.credit.below_minimum
    assert _credit(outcome, "9.99 USD").endswith("of 9.99 USD = 0.99 USD, under the minimum of 1.00 USD: not issued")
    assert evidenced_period_document(outcome)["credit"]["amount_display"] == "0.99 USD"
    assert display.credit_amount(Fraction(999, 1000), "USD", withheld=False) == "1.00 USD"  # an issued one: as an invoice
    assert PeriodTotal.of(outcome).text == "10% · 0.99 USD"  # the periods table
