"""Changes to the credit terms, claim rules and remedies between two versions."""

from __future__ import annotations

from mkdocs_sla.compare.changes import (
    ADVERSE,
    FAVOURABLE,
    NEUTRAL,
    Change,
    _granted,
    _listed,
    _moved,
    _pct,
    _quote,
    _raised,
    _unmatched,
    _whole,
    word_diff,
)
from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.model import Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present.words import deadline_phrase

# ---------------------------------------------------------------- credit terms and claims


def _credit_terms(out: list[Change], old: Terms, new: Terms) -> None:
    a, b = old.credit_terms, new.credit_terms
    if _whole(
        out,
        "credit-terms",
        "credit_terms",
        a,
        b,
        lambda b: f"credit terms added: credits are a share of {_quote(b.base)}",
        lambda _a: "credit terms removed: no credit can be computed",
    ):
        return
    if a.base != b.base:
        out.append(Change("credit-terms", "credit_terms.base", "credit base reworded", NEUTRAL, word_diff(a.base, b.base)))
    if a.currency != b.currency:
        out.append(Change("credit-terms", "credit_terms.currency", f"credits in {b.currency} instead of {a.currency}", NEUTRAL))
    if a.combine != b.combine:
        if b.combine == "max":
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.combine",
                    "credits of several missed metrics no longer add up: only the largest is due",
                    ADVERSE,
                )
            )
        else:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.combine",
                    "credits of several missed metrics now add up instead of the largest only",
                    FAVOURABLE,
                )
            )
    if a.cap != b.cap:
        if a.cap is None:
            out.append(Change("credit-terms", "credit_terms.cap", f"a period's credit is now capped at {_pct(b.cap)}", ADVERSE))
        elif b.cap is None:
            out.append(Change("credit-terms", "credit_terms.cap", f"the cap of {_pct(a.cap)} on a period's credit is removed", FAVOURABLE))
        else:
            words = f"credit cap {_raised(a.cap, b.cap)} from {_pct(a.cap)} to {_pct(b.cap)}"
            _moved(out, "credit-terms", "credit_terms.cap", a.cap, b.cap, words, more_is=FAVOURABLE)
    if a.minimum_amount != b.minimum_amount:
        if a.minimum_amount is None:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.minimum_amount",
                    f"a credit below {b.minimum_amount} {b.currency} is no longer issued",
                    ADVERSE,
                )
            )
        elif b.minimum_amount is None:
            out.append(
                Change(
                    "credit-terms",
                    "credit_terms.minimum_amount",
                    f"the minimum credit of {a.minimum_amount} {a.currency} is removed: every credit is issued",
                    FAVOURABLE,
                )
            )
        else:
            words = f"minimum credit issued {_raised(a.minimum_amount, b.minimum_amount)} from {a.minimum_amount} to {b.minimum_amount} {b.currency}"
            _moved(out, "credit-terms", "credit_terms.minimum_amount", a.minimum_amount, b.minimum_amount, words, more_is=ADVERSE)
    if a.minimum_amount is not None and b.minimum_amount is not None:
        exactly = f"a credit of exactly {b.minimum_amount} {b.currency} is "
        _granted(
            out,
            "credit-terms",
            "credit_terms.minimum_amount_issued",
            a.minimum_amount_issued,
            b.minimum_amount_issued,
            exactly + "now issued",
            exactly + "no longer issued: only a credit greater than it is",
        )
    if a.round_to != b.round_to:
        words = f"credit amounts rounded to {b.round_to}" if b.round_to is not None else "credit amounts no longer rounded"
        out.append(
            Change("credit-terms", "credit_terms.round_to", words + (f" (was {a.round_to})" if a.round_to is not None else ""), NEUTRAL)
        )
    if a.pool != b.pool:
        if a.pool is None:
            out.append(
                Change(
                    "credit-terms", "credit_terms.pool", f"an at-risk pool of {_pct(b.pool.at_risk)} of the charges is added", FAVOURABLE
                )
            )
        elif b.pool is None:
            out.append(Change("credit-terms", "credit_terms.pool", f"the at-risk pool of {_pct(a.pool.at_risk)} is removed", ADVERSE))
        else:
            x, y = a.pool.at_risk, b.pool.at_risk
            words = f"amount at risk {_raised(x, y)} from {_pct(x)} to {_pct(y)} of the charges"
            _moved(out, "credit-terms", "credit_terms.pool.at_risk", x, y, words, more_is=FAVOURABLE)
    _claim(out, a.claim, b.claim)


def _deadline_days(deadline) -> tuple[int, int, str]:
    """(fewest, most) days after the period the deadline can be, and the deadline in words.

    The days come from the engine's own rule, over every month of a leap year and a common
    year, so billing cycles count with their real lengths."""
    months = [Period(year, month, "month") for year in (2023, 2024) for month in range(1, 13)]
    days = [(rules.deadline_after(deadline, p) - p.end).days + 1 for p in months]
    return min(days), max(days), deadline_phrase(deadline)


def _claim(out: list[Change], a, b) -> None:
    if _whole(
        out,
        "claim",
        "credit_terms.claim",
        a,
        b,
        lambda b: f"credits must now be claimed, by {_deadline_days(b.deadline)[2]}",
        lambda _a: "the claim process is removed: the agreement no longer says how to claim",
        (ADVERSE, NEUTRAL),
    ):
        return
    if a.how != b.how:
        out.append(Change("claim", "credit_terms.claim.how", "how to claim reworded", NEUTRAL, word_diff(a.how, b.how)))
    if a.deadline != b.deadline:
        a_low, a_high, a_words = _deadline_days(a.deadline)
        b_low, b_high, b_words = _deadline_days(b.deadline)
        if b_high < a_low:
            effect, verb = ADVERSE, "shortens"
        elif b_low > a_high:
            effect, verb = FAVOURABLE, "lengthens"
        else:
            effect, verb = NEUTRAL, "changes"
        out.append(Change("claim", "credit_terms.claim.deadline", f"claim deadline {verb} from {a_words} to {b_words}", effect))
    _listed(
        out,
        "claim",
        "credit_terms.claim.evidence",
        "claim evidence",
        a.evidence,
        b.evidence,
        added=ADVERSE,
        removed=FAVOURABLE,
        why_added="a claim must name more",
        why_removed="a claim needs less",
    )


# ---------------------------------------------------------------- remedies


def _remedies(out: list[Change], old: Terms, new: Terms) -> None:
    from mkdocs_sla.core.model import Remedies

    a = old.remedies or Remedies()
    b = new.remedies or Remedies()
    if a == b:
        return
    _escalation(out, a.escalation, b.escalation)
    _chronic(out, a.chronic, b.chronic)
    _rolling(out, a.rolling_average, b.rolling_average)
    x, y = a.earn_back, b.earn_back
    subject = "remedies.earn_back"
    if not _whole(
        out,
        "remedy",
        subject,
        x,
        y,
        lambda y: f"earn-back added: a credit is cancelled when the objective is met in the next {y.met_periods} periods",
        lambda _x: "earn-back removed: a credit once earned stays",
        (ADVERSE, FAVOURABLE),
    ):
        # More met periods needed to earn a credit back: credits are kept more often.
        words = f"earning a credit back takes {y.met_periods} met periods (was {x.met_periods})"
        _moved(out, "remedy", subject + ".met_periods", x.met_periods, y.met_periods, words, more_is=FAVOURABLE)


def _escalation(out: list[Change], old, new) -> None:
    remaining, added = _unmatched(old, new)
    # Steps with the same action, or else in the same place, are the same step changed.
    pairs = []
    for step in list(added):
        match = next((s for s in remaining if s.action == step.action), None)
        if match is not None:
            pairs.append((match, step))
            remaining.remove(match)
            added.remove(step)
    while remaining and added:
        pairs.append((remaining.pop(0), added.pop(0)))
    subject = "remedies.escalation"
    for step in remaining:
        out.append(
            Change(
                "remedy",
                subject,
                f"escalation step removed: {step.misses} misses in {step.within} periods — {_quote(step.action)}",
                ADVERSE,
            )
        )
    for step in added:
        out.append(
            Change(
                "remedy",
                subject,
                f"escalation step added: {step.misses} misses in {step.within} periods — {_quote(step.action)}",
                FAVOURABLE,
            )
        )
    for x, y in pairs:
        action = f"escalation {_quote(y.action, 60)}"
        _misses_within(out, subject, subject, x, y, action)
        if x.action != y.action:
            out.append(Change("remedy", subject, "escalation action reworded", NEUTRAL, word_diff(x.action, y.action)))


def _chronic(out: list[Change], x, y) -> None:
    subject = "remedies.chronic"
    if _whole(
        out,
        "remedy",
        subject,
        x,
        y,
        lambda y: (
            f"chronic failure added: {y.misses} misses within {y.within} periods"
            + (" give a termination right" if y.termination_right else "")
        ),
        lambda x: f"chronic failure ({x.misses} misses within {x.within} periods) removed",
    ):
        return
    _misses_within(out, subject + ".misses", subject + ".within", x, y, "chronic failure", takes="takes")
    _termination_right(out, subject, x, y, "chronic failure")
    if x.consequence != y.consequence:
        if x.consequence and y.consequence:
            out.append(
                Change(
                    "remedy",
                    subject + ".consequence",
                    "consequence of chronic failure reworded",
                    NEUTRAL,
                    word_diff(x.consequence, y.consequence),
                )
            )
        else:
            out.append(
                Change(
                    "remedy",
                    subject + ".consequence",
                    f"consequence of chronic failure {'added: ' + _quote(y.consequence) if y.consequence else 'removed'}",
                    NEUTRAL,
                )
            )


def _rolling(out: list[Change], x, y) -> None:
    subject = "remedies.rolling_average"
    if _whole(
        out,
        "remedy",
        subject,
        x,
        y,
        lambda y: f"a right to terminate when the average of `{y.metric}` over {y.periods} periods falls below {y.below} is added",
        lambda x: f"the right to terminate on a low rolling average of `{x.metric}` is removed",
    ):
        return
    if x.metric != y.metric:
        out.append(Change("remedy", subject + ".metric", f"the rolling average is of `{y.metric}` instead of `{x.metric}`", NEUTRAL))
    if x.periods != y.periods:
        out.append(Change("remedy", subject + ".periods", f"the rolling average runs over {y.periods} periods (was {x.periods})", NEUTRAL))
    if x.below != y.below:
        # The right triggers on an average strictly below the level: a higher level triggers sooner.
        words = f"the rolling-average level {_raised(x.below, y.below)} from {x.below} to {y.below}"
        _moved(out, "remedy", subject + ".below", x.below, y.below, words, more_is=FAVOURABLE)
    _termination_right(out, subject, x, y, "a low rolling average")


def _misses_within(out: list[Change], misses_at: str, within_at: str, x, y, what: str, takes: str = "after") -> None:
    """A remedy's trigger of so many misses within so many periods: more misses needed is adverse, a longer window favourable."""
    misses_words = f"{what} {takes} {y.misses} misses (was {x.misses})"
    _moved(out, "remedy", misses_at, x.misses, y.misses, misses_words, more_is=ADVERSE)
    within_words = f"{what} counts misses within {y.within} periods (was {x.within})"
    _moved(out, "remedy", within_at, x.within, y.within, within_words, more_is=FAVOURABLE)


def _termination_right(out: list[Change], subject: str, x, y, what: str) -> None:
    """A remedy that now gives, or no longer gives, the customer a right to terminate."""
    now, no_longer = f"{what} now gives a right to terminate", f"{what} no longer gives a right to terminate"
    _granted(out, "remedy", subject + ".termination_right", x.termination_right, y.termination_right, now, no_longer)
