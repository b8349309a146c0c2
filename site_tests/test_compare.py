"""The comparison engine: each change to an agreement's terms, classed for the customer.

`compare_terms` on two versions built from the same terms (diff_helpers.TERMS),
one edit at a time; `compare_records` on agreements loaded from folders.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from fractions import Fraction

import pytest

from diff_helpers import TERMS, outage_results, terms, terms_data, uptime, write_agreement
from helpers import REPO_ROOT
from mkdocs_sla.compare.agreements import compare_records, version_history
from mkdocs_sla.compare.changes import ADVERSE, FAVOURABLE, KINDS, NEUTRAL, Change, word_diff
from mkdocs_sla.compare.credit_levels import credit_at
from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.source.load import load

OLD = terms()


def changes_after(edit) -> list[Change]:
    return compare_terms(OLD, terms(edit))


def only(changes: list[Change], kind: str | None = None) -> Change:
    found = [c for c in changes if kind is None or c.kind == kind]
    assert len(found) == 1, "\n".join(f"{c.effect}: {c.summary}" for c in changes)
    return found[0]


def set_in(path: tuple, value):
    def edit(data):
        node = data
        for part in path[:-1]:
            node = node[part]
        if value is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    return edit


# ---------------------------------------------------------------- identity


def test_the_same_terms_have_no_changes():
    assert compare_terms(OLD, terms()) == []


def test_a_new_label_date_and_change_note_are_not_changes_to_the_terms():
    new = terms(version="1.1", effective="2025-07-01", published="2025-03-01", changes="Nothing but the label.")
    assert compare_terms(OLD, new) == []


def test_every_change_kind_is_documented():
    kinds = {
        c.kind
        for c in compare_terms(
            OLD, terms(lambda d: (uptime(d).update(objective="99.5"), d["exclusions"].append("Force majeure."), d.pop("remedies")))
        )
    }
    assert kinds <= set(KINDS)


# ---------------------------------------------------------------- objectives


def test_raising_a_higher_is_better_objective_is_favourable():
    change = only(changes_after(lambda d: uptime(d).update(objective="99.95")), "objective")
    assert change.effect == FAVOURABLE
    assert change.summary == "Monthly uptime: objective raised from 99.9% to 99.95%"
    assert change.subject == "metrics.uptime.objective"


def test_lowering_a_higher_is_better_objective_is_adverse():
    changes = changes_after(lambda d: uptime(d).update(objective="99.5"))
    assert only(changes, "objective").effect == ADVERSE
    assert only(changes, "objective").summary == "Monthly uptime: objective lowered from 99.9% to 99.5%"


def test_raising_a_lower_is_better_objective_is_adverse():
    change = only(changes_after(lambda d: d["metrics"][1].update(objective="250")), "objective")
    assert change.effect == ADVERSE
    assert change.summary == "Median response time: objective raised from 200 ms to 250 ms"


def test_lowering_a_lower_is_better_objective_is_favourable():
    assert only(changes_after(lambda d: d["metrics"][1].update(objective="180")), "objective").effect == FAVOURABLE


def test_a_strict_objective_makes_exactly_the_objective_a_miss_which_is_favourable():
    changes = changes_after(lambda d: uptime(d).update(objective_strict="true"))
    change = only(changes, "objective-strict")
    assert change.effect == FAVOURABLE
    assert "exactly 99.9% now misses the objective" in change.summary
    # and at exactly 99.9% a credit is now due: the first tier reaches up to (not including) 99.9%
    assert [c for c in changes if c.kind == "credit"] == []  # no tier covers 99.9% itself


def test_dropping_strictness_is_adverse():
    old = terms(lambda d: uptime(d).update(objective_strict="true"))
    assert only(compare_terms(old, OLD), "objective-strict").effect == ADVERSE


def test_flipping_better_makes_the_objective_change_neutral():
    changes = changes_after(lambda d: d["metrics"][1].update(better="higher", objective="100"))
    assert only(changes, "better").effect == NEUTRAL
    assert only(changes, "objective").effect == NEUTRAL


# ---------------------------------------------------------------- metrics and measures


def test_a_removed_metric_is_adverse():
    change = only(changes_after(lambda d: d["metrics"].pop(1)))
    assert (change.kind, change.effect) == ("metric-removed", ADVERSE)
    assert change.summary == "metric Median response time removed: its objective of 200 ms is no longer promised"


def test_an_added_metric_is_favourable():
    metric = {
        "id": "support",
        "name": "First response",
        "definition": "Tickets answered within an hour.",
        "unit": "%",
        "better": "higher",
        "objective": "95",
        "measure": {"kind": "events"},
    }
    change = only(changes_after(lambda d: d["metrics"].append(metric)))
    assert (change.kind, change.effect) == ("metric-added", FAVOURABLE)
    assert change.summary == "metric First response added, objective at or above 95%"


def test_a_longer_minimum_outage_is_adverse_and_a_shorter_one_favourable():
    longer = only(changes_after(lambda d: uptime(d)["measure"].update(minimum_outage_minutes="10")), "measure")
    assert longer.effect == ADVERSE
    assert longer.summary == "Monthly uptime: downtime of fewer than 10 consecutive minutes does not count (was 1)"
    shorter = only(changes_after(lambda d: uptime(d)["measure"].update(minimum_outage_minutes="0")), "measure")
    assert shorter.effect == FAVOURABLE


def test_an_excluded_outage_tag_added_is_adverse_and_removed_is_favourable():
    added = only(changes_after(lambda d: uptime(d)["measure"]["exclude_tags"].append("customer-caused")), "measure")
    assert (added.effect, added.summary) == (ADVERSE, "Monthly uptime: outages tagged `customer-caused` no longer count")
    removed = only(changes_after(lambda d: uptime(d)["measure"].update(exclude_tags=[])), "measure")
    assert (removed.effect, removed.summary) == (FAVOURABLE, "Monthly uptime: outages tagged `maintenance` now count")


def test_an_empty_period_judged_missed_instead_of_met_is_favourable():
    def events(when):
        return lambda d: d["metrics"].__setitem__(
            1, {**d["metrics"][1], "unit": "%", "better": "higher", "objective": "95", "measure": {"kind": "events", "when_empty": when}}
        )

    old, new = terms(events("met")), terms(events("missed"))
    assert only(compare_terms(old, new), "measure").effect == FAVOURABLE
    assert only(compare_terms(new, old), "measure").effect == ADVERSE


def test_an_available_minutes_metric_that_starts_counting_only_a_calendars_hours_says_so():
    def available(calendar):
        measure = {"kind": "available_minutes", **({"calendar": calendar} if calendar else {})}
        return lambda d: d["metrics"].__setitem__(0, {**d["metrics"][0], "measure": measure})

    change = only(compare_terms(terms(available(None)), terms(available("office"))), "measure")
    assert (change.subject, change.effect) == ("metrics.uptime.measure.calendar", NEUTRAL)
    assert change.summary == "Monthly uptime: only the minutes in the hours of the calendar `office` count now (was every minute)"


def test_a_reworded_definition_is_neutral_with_a_word_diff():
    change = only(
        changes_after(
            lambda d: uptime(d).update(definition="The minutes in the month in which the region was available, as a share of all minutes.")
        )
    )
    assert (change.kind, change.effect, change.subject) == ("text", NEUTRAL, "metrics.uptime.definition")
    assert ("-", "when") in change.word_diff and ("+", "in which") in change.word_diff
    assert "".join(t for op, t in change.word_diff if op != "+") == TERMS["metrics"][0]["definition"]


def test_a_changed_figure_in_a_text_is_one_replaced_word():
    assert word_diff("uptime of 99.9%.", "uptime of 99.95%.") == (("=", "uptime of "), ("-", "99.9%"), ("+", "99.95%"), ("=", "."))


# ---------------------------------------------------------------- credit tables at attainment levels


def test_at_99_5_percent_the_credit_falls_from_25_to_10_percent_is_adverse():
    # "at least 99.5%" moves into the first tier: exactly 99.5% now earns the smaller credit.
    old = terms(
        lambda d: uptime(d)["credits"].update(
            tiers=[{"below": "99.9", "above": "99.5", "credit": "10"}, {"at_or_below": "99.5", "credit": "25"}]
        )
    )
    change = only(compare_terms(old, OLD), "credit")
    assert change.summary == "Monthly uptime: at 99.5% the credit falls from 25% to 10%"
    assert change.effect == ADVERSE
    assert change.subject == "metrics.uptime.credits"


def test_a_larger_credit_for_a_whole_tier_is_favourable_and_names_the_range():
    change = only(changes_after(lambda d: uptime(d)["credits"]["tiers"][0].update(credit="15")), "credit")
    assert change.effect == FAVOURABLE
    assert change.summary == "Monthly uptime: at an attainment at least 99.5% and below 99.9% the credit rises from 10% to 15%"


def test_a_new_tier_boundary_reports_each_range_where_the_credit_changes():
    changes = changes_after(
        lambda d: uptime(d)["credits"].update(
            tiers=[
                {"below": "99.9", "at_or_above": "99.0", "credit": "10"},
                {"below": "99.0", "at_or_above": "95.0", "credit": "25"},
                {"below": "95.0", "credit": "50"},
            ]
        )
    )
    credit = [c for c in changes if c.kind == "credit"]
    assert [(c.effect, c.summary) for c in credit] == [
        (FAVOURABLE, "Monthly uptime: at an attainment at least 0% and below 95% the credit rises from 25% to 50%"),
        (ADVERSE, "Monthly uptime: at an attainment at least 99% and below 99.5% the credit falls from 25% to 10%"),
    ]


def test_lowering_the_objective_takes_the_credit_away_between_the_two_objectives():
    changes = changes_after(lambda d: uptime(d).update(objective="99.8"))
    credit = only(changes, "credit")
    assert credit.effect == ADVERSE
    assert credit.summary == "Monthly uptime: at an attainment at least 99.8% and below 99.9% the credit falls from 10% to 0%"


def test_tiers_rewritten_with_the_same_credit_everywhere_are_neutral():
    # One tier split in two with the same credit.
    change = only(
        changes_after(
            lambda d: uptime(d)["credits"].update(
                tiers=[
                    {"below": "99.9", "at_or_above": "99.7", "credit": "10"},
                    {"below": "99.7", "at_or_above": "99.5", "credit": "10"},
                    {"below": "99.5", "credit": "25"},
                ]
            )
        )
    )
    assert (change.kind, change.effect) == ("credit", NEUTRAL)
    assert "same credit at every attainment" in change.summary


def test_lower_is_better_tiers_are_compared_on_their_own_side_of_the_objective():
    def tiers(credit):
        return lambda d: d["metrics"][1].update(
            credits={
                "model": "tiers",
                "tiers": [{"above": "200", "at_or_below": "400", "credit": credit}, {"above": "400", "credit": "30"}],
            }
        )

    change = only(compare_terms(terms(tiers("10")), terms(tiers("5"))), "credit")
    assert change.summary == "Median response time: at an attainment above 200 ms and at most 400 ms the credit falls from 10% to 5%"
    assert change.effect == ADVERSE


def test_a_steeper_linear_credit_is_favourable_with_an_example_level():
    def linear(per_point, maximum="30"):
        return lambda d: uptime(d).update(credits={"model": "linear", "per_point": per_point, "max": maximum})

    change = only(compare_terms(terms(linear("10")), terms(linear("20"))), "credit")
    assert change.effect == FAVOURABLE
    # Below 96.9% both reach their 30% maximum: no change there.
    assert change.summary == "Monthly uptime: at an attainment above 96.9% and below 99.9% the credit rises (at 98.4%: from 15% to 30%)"


def test_crossing_linear_credits_are_split_where_they_cross():
    # Shortfall s: old = 10·s up to 30 (s = 3), new = 5·s up to 50 (s = 10).
    # New is lower while s < 6 (attainment above 93.9%), higher beyond.
    def linear(per_point, maximum):
        return lambda d: uptime(d).update(credits={"model": "linear", "per_point": per_point, "max": maximum})

    changes = [c for c in compare_terms(terms(linear("10", "30")), terms(linear("5", "50"))) if c.kind == "credit"]
    assert [c.effect for c in changes] == [FAVOURABLE, ADVERSE]
    assert changes[0].summary == "Monthly uptime: at an attainment at least 0% and below 93.9% the credit rises (at 89.9%: from 30% to 50%)"
    assert changes[1].summary.startswith("Monthly uptime: at an attainment above 93.9% and below 99.9% the credit falls")


def test_credit_at_gives_nothing_when_the_objective_is_met():
    assert credit_at(OLD, OLD.metrics[0], Fraction("99.9")) == 0
    assert credit_at(OLD, OLD.metrics[0], Fraction("99.89")) == 10
    assert credit_at(OLD, OLD.metrics[0], Fraction("99.5")) == 10
    assert credit_at(OLD, OLD.metrics[0], Fraction("99.49")) == 25


def test_credits_dropped_from_a_metric_are_adverse():
    changes = changes_after(lambda d: uptime(d).pop("credits"))
    assert only(changes, "credit-model").effect == ADVERSE
    assert all(c.effect == ADVERSE for c in changes if c.kind == "credit")


# ---------------------------------------------------------------- credit terms


@pytest.mark.parametrize(
    "cap, effect, words",
    [
        ("25", ADVERSE, "credit cap lowered from 50% to 25%"),
        ("100", FAVOURABLE, "credit cap raised from 50% to 100%"),
        (None, FAVOURABLE, "the cap of 50% on a period's credit is removed"),
    ],
)
def test_a_lower_cap_is_adverse_and_a_higher_or_no_cap_favourable(cap, effect, words):
    change = only(changes_after(set_in(("credit_terms", "cap"), cap)))
    assert (change.effect, change.summary) == (effect, words)


def test_a_higher_minimum_amount_is_adverse():
    change = only(changes_after(set_in(("credit_terms", "minimum_amount"), "5.00")))
    assert (change.effect, change.summary) == (ADVERSE, "minimum credit issued raised from 1.00 to 5.00 USD")


def test_taking_the_largest_credit_instead_of_the_sum_is_adverse():
    change = only(changes_after(set_in(("credit_terms", "combine"), "max")))
    assert change.effect == ADVERSE


def test_a_smaller_amount_at_risk_is_adverse():
    def pool(at_risk):
        return set_in(("credit_terms", "pool"), {"at_risk": at_risk})

    assert only(compare_terms(terms(pool("12")), terms(pool("10")))).effect == ADVERSE


def test_rounding_is_neutral():
    assert only(changes_after(set_in(("credit_terms", "round_to"), "0.01"))).effect == NEUTRAL


# ---------------------------------------------------------------- claims


def test_a_shorter_claim_deadline_is_adverse():
    change = only(changes_after(set_in(("credit_terms", "claim", "deadline"), {"days_after_period": "15"})))
    assert (change.effect, change.summary) == (
        ADVERSE,
        "claim deadline shortens from 30 days after the end of the period to 15 days after the end of the period",
    )


def test_billing_cycles_compare_with_days_by_their_length():
    cycles = terms(set_in(("credit_terms", "claim", "deadline"), {"billing_cycles_after": "2"}))
    assert only(compare_terms(cycles, OLD)).effect == ADVERSE  # 30 days < two monthly cycles
    ninety = terms(set_in(("credit_terms", "claim", "deadline"), {"days_after_period": "90"}))
    assert only(compare_terms(cycles, ninety)).effect == FAVOURABLE
    sixty = terms(set_in(("credit_terms", "claim", "deadline"), {"days_after_period": "60"}))
    assert only(compare_terms(cycles, sixty)).effect == NEUTRAL  # 59 to 62 days: about the same


@pytest.mark.parametrize(
    "deadline", [{"days_after_period": "30"}, {"billing_cycles_after": "1"}, {"billing_cycles_after": "2"}, {"billing_cycles_after": "23"}]
)
def test_the_claim_deadline_reads_the_same_on_the_agreement_page_and_in_the_review(deadline):
    # One rule (words.deadline_phrase): the review once said "1st billing cycle" where the page said "first".
    from mkdocs_sla.present.words import deadline_words

    new = terms(set_in(("credit_terms", "claim", "deadline"), deadline))
    page = deadline_words(new)
    change = only(compare_terms(OLD, new)) if new != OLD else None
    if change is not None:
        assert change.summary.endswith(page.removeprefix("within ").removeprefix("by "))


def test_two_billing_cycles_always_last_longer_than_58_days():
    # The end of the 2nd monthly cycle after a period is 59 (February and March) to 62 days
    # after it, by the engine's own deadline rule; so replacing 58 days by it is favourable.
    cycles = terms(set_in(("credit_terms", "claim", "deadline"), {"billing_cycles_after": "2"}))
    fifty_eight = terms(set_in(("credit_terms", "claim", "deadline"), {"days_after_period": "58"}))
    change = only(compare_terms(fifty_eight, cycles))
    assert (change.effect, change.summary) == (
        FAVOURABLE,
        "claim deadline lengthens from 58 days after the end of the period to the end of the second billing cycle after the period",
    )


def test_more_evidence_for_a_claim_is_adverse():
    change = only(changes_after(lambda d: d["credit_terms"]["claim"]["evidence"].append("request logs with the errors")))
    assert change.effect == ADVERSE and change.kind == "claim"


# ---------------------------------------------------------------- remedies


def test_an_escalation_step_removed_is_adverse():
    change = only(changes_after(set_in(("remedies", "escalation"), [])))
    assert (change.kind, change.effect) == ("remedy", ADVERSE)


def test_chronic_failure_needing_more_misses_is_adverse():
    change = only(changes_after(lambda d: d["remedies"]["chronic"].update(misses="4")))
    assert (change.effect, change.summary) == (ADVERSE, "chronic failure takes 4 misses (was 3)")


def test_chronic_failure_without_a_termination_right_is_adverse():
    change = only(changes_after(lambda d: d["remedies"]["chronic"].update(termination_right="false")))
    assert change.effect == ADVERSE


def test_a_rolling_average_termination_right_added_is_favourable():
    change = only(changes_after(lambda d: d["remedies"].update(rolling_average={"metric": "uptime", "periods": "6", "below": "99.5"})))
    assert change.effect == FAVOURABLE


def test_earn_back_added_is_adverse():
    change = only(changes_after(lambda d: d["remedies"].update(earn_back={"met_periods": "3"})))
    assert change.effect == ADVERSE
    assert "cancelled" in change.summary


# ---------------------------------------------------------------- exclusions and responsibilities


def test_an_exclusion_added_is_adverse_and_removed_is_favourable():
    added = only(changes_after(lambda d: d["exclusions"].append("Force majeure.")))
    assert (added.kind, added.effect) == ("exclusion", ADVERSE)
    assert added.summary == "exclusion added: “Force majeure.” — no longer counts against the provider"
    removed = only(changes_after(set_in(("exclusions",), [])))
    assert removed.effect == FAVOURABLE


def test_a_reworded_exclusion_is_neutral():
    change = only(changes_after(set_in(("exclusions",), ["Scheduled maintenance announced at least 7 days ahead."])))
    assert (change.effect, change.summary) == (NEUTRAL, "exclusion reworded")
    assert ("-", "5") in change.word_diff and ("+", "7") in change.word_diff


def test_a_duty_added_to_the_customer_is_adverse():
    change = only(changes_after(lambda d: d["responsibilities"]["customer"].append("Keep contacts up to date.")))
    assert (change.kind, change.effect, change.subject) == ("responsibility", ADVERSE, "responsibilities.customer")


def test_a_duty_removed_from_the_provider_is_adverse():
    change = only(changes_after(lambda d: d["responsibilities"]["provider"].pop(1)))
    assert change.effect == ADVERSE
    assert change.summary == "provider duty removed: “Announce maintenance 5 days ahead.”"


def test_a_duty_named_by_the_customer_is_the_customers():
    old = terms(set_in(("responsibilities",), {"Northwind": ["Run instances in two zones."]}))
    new = terms(set_in(("responsibilities",), {"Northwind": ["Run instances in two zones.", "Report incidents."]}))
    assert only(compare_terms(old, new)).effect == ADVERSE


# ---------------------------------------------------------------- notice, period, texts


def test_shorter_notice_is_adverse():
    change = only(changes_after(set_in(("notice_days",), "30")))
    assert (change.effect, change.summary) == (ADVERSE, "notice before an adverse change shortens from 90 to 30 days")


def test_period_time_zone_and_mid_period_rule_are_neutral():
    changes = changes_after(lambda d: d.update(timezone="Europe/Berlin", mid_period_change="end_governs"))
    assert {c.effect for c in changes} == {NEUTRAL}
    assert len(changes) == 2


def test_a_reworded_summary_is_neutral():
    change = only(changes_after(set_in(("summary",), "Monthly uptime of the compute service, with service credits when it falls short.")))
    assert (change.kind, change.effect) == ("text", NEUTRAL)


# ---------------------------------------------------------------- records


TODAY = dt.date(2025, 6, 15)


def record(root, versions, results=None):
    write_agreement(root, versions, results)
    catalog = load(root)
    assert catalog.errors == [], catalog.errors
    return catalog.agreements[0]


def test_a_new_version_is_compared_with_the_one_before_it(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(
        tmp_path / "b",
        [
            terms_data(),
            terms_data(lambda d: uptime(d).update(objective="99.95"), version="1.1", effective="2025-10-01", changes="Objective raised."),
        ],
    )
    diff = compare_records(base, head, today=TODAY)
    (version,) = diff.versions
    assert (version.label, version.status, version.compared_with, version.note) == ("1.1", "new", "1.0", "Objective raised.")
    # 99.9% to 99.95% now misses, but no tier covers it: no credit there (a gap `sla validate` warns about).
    assert [c.kind for c in version.changes] == ["objective"]
    assert not diff.rewrites_history and diff.notice_violations == ()


def test_an_adverse_version_effective_within_the_notice_period_is_a_violation(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(
        tmp_path / "b", [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.5"), version="1.1", effective="2025-08-01")]
    )
    (violation,) = compare_records(base, head, today=TODAY).notice_violations
    assert (violation.notice_days, violation.earliest) == (90, dt.date(2025, 9, 13))
    assert "expected `effective` on or after 2025-09-13" in violation.message


def test_an_adverse_version_with_full_notice_is_no_violation(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(
        tmp_path / "b", [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.5"), version="1.1", effective="2025-09-13")]
    )
    diff = compare_records(base, head, today=TODAY)
    assert diff.notice_violations == () and len(diff.adverse) == 2


def test_a_favourable_version_needs_no_notice(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(
        tmp_path / "b", [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.95"), version="1.1", effective="2025-06-16")]
    )
    assert compare_records(base, head, today=TODAY).notice_violations == ()


def test_editing_a_version_in_force_rewrites_history(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(tmp_path / "b", [terms_data(lambda d: d["exclusions"].append("Force majeure."))])
    diff = compare_records(base, head, today=TODAY)
    (version,) = diff.versions
    assert version.status == "rewritten" and version.rewrites_history and diff.rewrites_history
    assert [c.effect for c in version.changes] == [ADVERSE]


def test_editing_an_upcoming_unpublished_version_is_a_revision(tmp_path):
    upcoming = {"version": "1.1", "effective": "2025-12-01", "published": None}
    base = record(tmp_path / "a", [terms_data(), terms_data(**upcoming)])
    head = record(tmp_path / "b", [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.95"), **upcoming)])
    (version,) = compare_records(base, head, today=TODAY).versions
    assert version.status == "revised" and not version.rewrites_history


def test_editing_a_published_upcoming_version_rewrites_history(tmp_path):
    upcoming = {"version": "1.1", "effective": "2025-12-01", "published": "2025-06-01"}
    base = record(tmp_path / "a", [terms_data(), terms_data(**upcoming)])
    head = record(tmp_path / "b", [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.95"), **upcoming)])
    (version,) = compare_records(base, head, today=TODAY).versions
    assert version.status == "rewritten"


def test_removing_a_version_in_force_rewrites_history(tmp_path):
    base = record(tmp_path / "a", [terms_data(), terms_data(version="1.1", effective="2025-03-01")])
    head = record(tmp_path / "b", [terms_data()])
    (version,) = compare_records(base, head, today=TODAY).versions
    assert (version.label, version.status, version.rewrites_history) == ("1.1", "removed", True)


def test_edited_results_of_a_past_period_rewrite_history_with_the_credit_before_and_after(tmp_path):
    base = record(tmp_path / "a", [terms_data()], {"2025-03": outage_results("2025-03", 60)})
    head = record(tmp_path / "b", [terms_data()], {"2025-03": outage_results("2025-03", 300)})
    diff = compare_records(base, head, today=TODAY)
    (results,) = diff.results
    assert (results.period, results.status, results.past) == ("2025-03", "edited", True)
    assert results.summary == "2025-03 results edited: credit before 10% (100.00 USD), after 25% (250.00 USD)"
    assert results.effect == FAVOURABLE and results.rewrites_history and diff.rewrites_history
    assert results.attainments == (("uptime", "99.865%", "99.327%"),)


def test_results_of_the_running_period_are_measured_as_they_come(tmp_path):
    base = record(tmp_path / "a", [terms_data()], {"2025-06": outage_results("2025-06", 60)})
    head = record(tmp_path / "b", [terms_data()], {"2025-06": outage_results("2025-06", 300)})
    (results,) = compare_records(base, head, today=TODAY).results
    assert not results.past and not results.rewrites_history and results.effect == NEUTRAL


def test_new_results_are_not_a_rewrite(tmp_path):
    base = record(tmp_path / "a", [terms_data()])
    head = record(tmp_path / "b", [terms_data()], {"2025-05": outage_results("2025-05", 60)})
    (results,) = compare_records(base, head, today=TODAY).results
    assert results.status == "added" and not results.rewrites_history


def test_a_rewritten_version_recomputes_the_credit_of_past_periods(tmp_path):
    base = record(tmp_path / "a", [terms_data()], {"2025-03": outage_results("2025-03", 60)})
    head = record(
        tmp_path / "b",
        [terms_data(lambda d: uptime(d)["credits"]["tiers"][0].update(credit="5"))],
        {"2025-03": outage_results("2025-03", 60)},
    )
    (results,) = compare_records(base, head, today=TODAY).results
    assert (results.status, results.effect) == ("recomputed", ADVERSE)
    assert results.summary == "2025-03 credit recomputed under changed terms: credit before 10% (100.00 USD), after 5% (50.00 USD)"


def test_an_agreement_added_and_removed(tmp_path):
    head = record(tmp_path / "b", [terms_data()])
    added = compare_records(None, head, today=TODAY)
    assert added.status == "added" and [v.label for v in added.versions] == ["1.0"] and not added.adverse
    removed = compare_records(head, None, today=TODAY)
    assert removed.status == "removed" and removed.rewrites_history and removed.adverse[0].kind == "agreement"


# ---------------------------------------------------------------- properties over the examples


EXAMPLE_VERSIONS = [v.terms for r in load(REPO_ROOT / "agreements").agreements for v in r.versions]


def test_reversing_a_change_reverses_its_effect():
    # Every pair of example versions, across agreements too: what is favourable one way is adverse the other.
    assert len(EXAMPLE_VERSIONS) >= 2
    flipped = {ADVERSE: FAVOURABLE, FAVOURABLE: ADVERSE, NEUTRAL: NEUTRAL}
    same_kind = {"metric-added": "metric", "metric-removed": "metric"}
    for a, b in itertools.combinations(EXAMPLE_VERSIONS, 2):
        forward = Counter((same_kind.get(c.kind, c.kind), c.effect) for c in compare_terms(a, b))
        backward = Counter((same_kind.get(c.kind, c.kind), flipped[c.effect]) for c in compare_terms(b, a))
        assert forward == backward, f"{a.id} {a.version} / {b.id} {b.version}"


def test_every_example_version_equals_itself():
    for version in EXAMPLE_VERSIONS:
        assert compare_terms(version, version) == []


def test_version_history_pairs_each_version_with_the_one_before(tmp_path):
    rec = record(tmp_path, [terms_data(), terms_data(lambda d: uptime(d).update(objective="99.95"), version="1.1", effective="2025-07-01")])
    (first_previous, first, first_changes), (previous, second, changes) = version_history(rec)
    assert (first_previous, first.label, first_changes) == (None, "1.0", [])
    assert (previous.label, second.label, [c.kind for c in changes]) == ("1.0", "1.1", ["objective"])


def test_a_credit_that_was_never_issued_is_not_taken_away(tmp_path):
    # 10% of 5.00 USD is under the 1.00 USD minimum: lowering the tier to 0% takes nothing away.
    small = outage_results("2025-03", 60, charges="5.00")
    base = record(tmp_path / "a", [terms_data()], {"2025-03": small})
    head = record(tmp_path / "b", [terms_data(lambda d: uptime(d)["credits"]["tiers"][0].update(credit="0"))], {"2025-03": small})
    (results,) = compare_records(base, head, today=TODAY).results
    assert results.summary == (
        "2025-03 credit recomputed under changed terms: credit before 10% (0.50 USD, under the minimum amount: not issued), after 0% (0.00 USD)"
    )
    assert results.effect == NEUTRAL and results.rewrites_history


def test_a_review_writes_a_credit_as_the_pages_do():
    """A credit whose decimal goes on reads as the pages and statements write it, rounded
    down (4.8208955…% reads 4.82%), not to six places rounded half even (4.820896%), which
    would read as more than the credit is and differ from the site the review publishes."""
    from mkdocs_sla.compare.agreements import CreditView
    from mkdocs_sla.present import display

    share = Fraction(323, 67)  # 4.82089552…%
    view = CreditView(percent=share, amount=Fraction(48208955, 100000), currency="USD")
    assert view.words() == f"{display.percent(share)} (482.09 USD)"
    assert view.words().startswith("4.82% ")
    assert CreditView(percent=Fraction(25, 2), amount=None, currency=None).words() == "12.5%"


def test_a_review_tells_apart_two_credits_that_read_the_same_rounded():
    from mkdocs_sla.compare.agreements import CreditView, ResultsDiff, ResultsStatus

    before = CreditView(percent=Fraction("4.8209"), amount=None, currency=None)
    after = CreditView(percent=Fraction("4.8201"), amount=None, currency=None)
    diff = ResultsDiff("2026-01", ResultsStatus.RECOMPUTED, past=True, before=before, after=after)
    assert diff.summary.endswith("credit before 4.8209%, after 4.8201%"), diff.summary
    same = ResultsDiff("2026-01", ResultsStatus.RECOMPUTED, past=True, before=before, after=before)
    assert same.summary.endswith("credit before 4.82%, after 4.82%"), same.summary
