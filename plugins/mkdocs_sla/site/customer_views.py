"""What a customer gets on an agreement page beyond the terms: the credits chart, the credit
calculator's data and its formula in words, and the agreement's badge with its embed snippet.

The calculator runs in the page (assets/sla.js), with no request: it reads the exact
figures written here as integers (a percentage as numerator and denominator) and
computes with BigInt, so its amounts are the engine's to the cent. What does not depend
on the fee the customer types (the credit %, the cap, the claim deadline) is computed
here by the engine's own rules and only shown by the script.
"""

from __future__ import annotations

import json
from fractions import Fraction

from markupsafe import Markup

from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.evaluate import AgreementEvaluation, Status, credit_pairs
from mkdocs_sla.core.model import Terms
from mkdocs_sla.present import badges, charts, display
from mkdocs_sla.present.markup import escape_line as escape
from mkdocs_sla.present.words import ROUNDED_DOWN_BECAUSE, capped_words, deadline_words, number, period_name


def _ratio(value: Fraction | None) -> list[str] | None:
    """An exact number for the script: [numerator, denominator] as decimal digit strings (BigInt)."""
    if value is None:
        return None
    value = Fraction(value)
    return [str(value.numerator), str(value.denominator)]


def calculator_periods(evaluation: AgreementEvaluation) -> list[dict]:
    """Per period (newest first), what the calculator needs: the credit % after combining and
    caps, the ceiling rounding respects, the minimum, the rounding step, the claim deadline."""
    found = []
    for outcome in reversed(evaluation.periods):
        terms = outcome.terms.credit_terms
        if terms is None:
            continue
        credited = credit_pairs(outcome.metrics)
        credit = outcome.credit
        deadline = rules.claim_deadline(terms, outcome.period)
        charges = outcome.results.results.charges
        found.append(
            {
                "period": outcome.period.label,
                "name": period_name(outcome.period),
                "percent": _ratio(credit.percent),
                "percent_text": display.percent(credit.percent),
                "capped_text": capped_words(outcome.credit, outcome.terms.credit_terms) if credit.capped else None,
                "ceiling": _ratio(rules.rounding_ceiling(terms, credited)) if terms.round_to is not None else None,
                "round_to": _ratio(terms.round_to),
                "minimum": _ratio(terms.minimum_amount),
                "minimum_text": display.money_term(terms.minimum_amount, terms.currency) if terms.minimum_amount is not None else None,
                # Whether an amount equal to the minimum is issued (core.credits.below_minimum_amount).
                "minimum_issued": bool(terms.minimum_amount_issued),
                "charges": str(charges) if charges is not None else None,  # as written, as `sla credits` writes it
                "currency": terms.currency,
                "claim_by": deadline.isoformat() if deadline else None,
            }
        )
    return found


def calculator_data(evaluation: AgreementEvaluation) -> Markup | None:
    """The calculator's figures as JSON in a `<script type="application/json">` (`<` escaped, so
    nothing in it can end the element), or None when the agreement has no credit terms."""
    periods = calculator_periods(evaluation)
    if not periods:
        return None
    # Keys without a value are left out (the script reads a missing key as none): 24 periods of nulls add up.
    periods = [{key: value for key, value in period.items() if value is not None} for period in periods]
    text = json.dumps({"periods": periods}, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(f'<script type="application/json" class="sla-calculator__data">{text}</script>')


def formula_words(terms: Terms) -> list[str]:
    """How a period's credit is computed, in words, for readers without the script."""
    ct = terms.credit_terms
    if ct is None:
        return []
    combine = "added up" if ct.combine == "sum" else "the largest of them taken"
    words = [f"Each metric missed in the period earns its credit percentage (see its credit table); the percentages are {combine}."]
    if ct.pool is not None:
        words.append(f"Pool credits together never exceed the {number(ct.pool.at_risk, '%')} at risk.")
    if ct.cap is not None:
        words.append(f"The total is capped at {number(ct.cap, '%')}.")
    amount = "The credit amount is that percentage of the period's fee"
    if ct.round_to is not None:
        amount += f", rounded half up to {display.money_term(ct.round_to, ct.currency)} (down where {ROUNDED_DOWN_BECAUSE})"
    words.append(amount + ".")
    if ct.minimum_amount is not None:
        under = "under" if ct.minimum_amount_issued else "of at most"
        words.append(f"An amount {under} {display.money_term(ct.minimum_amount, ct.currency)} is not issued.")
    deadline = deadline_words(terms)
    if deadline:
        words.append(f"Claim it {deadline}.")
    return words


def credits_chart(evaluation: AgreementEvaluation) -> Markup | None:
    """The credit of each period over time, or None when none earned one."""
    points = []
    for outcome in evaluation.periods:
        credit = outcome.credit
        currency = outcome.terms.credit_terms.currency if outcome.terms.credit_terms else ""
        amount = display.money(credit.amount, currency) if credit.amount is not None else None
        points.append(charts.PeriodCredit(outcome.period.label, credit.percent, amount, credit.claimable))
    chart = charts.credits_chart("periods", points)
    return Markup(chart) if chart else None


def badge_of(evaluation: AgreementEvaluation) -> tuple[str, str] | None:
    """(SVG, its words) of the last closed period: the first metric's attainment and whether
    every objective was met. None before the first results."""
    last = evaluation.last
    if last is None or not any(m.reported for m in last.metrics):
        return None
    first = next(m for m in last.metrics if m.reported)
    state = Status.MISSED if last.missed else Status.MET
    shown = display.attainment(first.attainment, first.metric.unit, first.metric.better) if first.attainment is not None else "—"
    label = f"SLA {last.period.label}"
    value = f"{shown} {state}" if len(last.metrics) == 1 else f"{shown} · {len(last.metrics) - len(last.missed)}/{len(last.metrics)} met"
    return badges.badge(label, value, state), f"{label}: {value}"


def embed_snippet(badge_src: str, badge_url: str, page_url: str, words: str) -> Markup:
    """The badge (from `badge_src`, a link within the site: showing it asks no other host) and how
    to embed it elsewhere, with its address `badge_url`: Markdown and HTML, to copy."""
    e = escape
    md = f"[![{words}]({badge_url})]({page_url})"
    html = f'<a href="{page_url}"><img src="{badge_url}" alt="{words}"></a>'
    return Markup(
        f'<div class="sla-badge"><p><img src="{e(badge_src)}" alt="{e(words)}"></p>'
        f"<details><summary>Embed this badge</summary>"
        f"<p>It always shows the last closed period. Markdown:</p><pre><code>{e(md)}</code></pre>"
        f"<p>HTML:</p><pre><code>{e(html)}</code></pre></details></div>"
    )
