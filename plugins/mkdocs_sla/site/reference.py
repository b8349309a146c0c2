"""Reference pages generated from the code, so they cannot drift from it.

- `format_reference()`: every key of the agreement and results formats, from
  the model's types, defaults and field descriptions.
- `worked_examples()`: credits computed by the engine itself at build time,
  from small agreements written out here as YAML, exactly as a provider would.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from fractions import Fraction

import pydantic
from markupsafe import escape

from mkdocs_sla.core.collection import Collection
from mkdocs_sla.core.corrections import CorrectionsFile
from mkdocs_sla.core.evaluate import AgreementEvaluation, evaluate
from mkdocs_sla.core.model import MaintenanceFile, OutageLog, Results, ReviewsFile, Terms
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.core.servicemodel import ServiceDefinition, ServiceOutageLog, StandardTerms
from mkdocs_sla.core.ticketformat import TicketMapping
from mkdocs_sla.present import display
from mkdocs_sla.present.words import bounds_in_words, measured_words, withheld_words
from mkdocs_sla.source.builder import agreement_from_text, agreement_yaml, metric_yaml, outages_yaml, results_yaml

# ---------------------------------------------------------------- format reference


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(names))
    if origin is typing.Literal:
        return " or ".join(f"`{a}`" for a in args)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " or ".join(f"`{member.value}`" for member in tp)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {
        str: "text",
        int: "whole number",
        bool: "`true` or `false`",
        Decimal: "number",
        dt.date: "date `YYYY-MM-DD`",
        dt.datetime: "date and time (ISO 8601)",
    }.get(tp, getattr(tp, "__name__", str(tp)))


def _models(root: type[pydantic.BaseModel]) -> list[type[pydantic.BaseModel]]:
    """The model and every model it contains, in the order a reader meets them."""
    found: list[type[pydantic.BaseModel]] = []

    def visit(tp) -> None:
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            if tp not in found:
                found.append(tp)
                for info in tp.model_fields.values():
                    visit(info.annotation)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(root)
    return found


def _cell(text: str) -> str:
    """A description as a table cell: HTML escaped outside code spans only, since Markdown
    escapes a code span's own text (escaping it here too showed `&lt;id&gt;` on the page)."""
    parts = text.split("`")
    escaped = "`".join(part if index % 2 else str(escape(part)) for index, part in enumerate(parts))
    return escaped.replace("|", "\\|").replace("\n", " ")


LAYOUT = """\
## Files and folders

| file | holds |
| --- | --- |
| `agreements/<id>/agreement.yaml` | the terms: one YAML document per version, oldest first, separated by `---` |
| `agreements/<id>/results/<period>.yaml` | the measured results of one period: `2026-10` (month) or `2026-Q4` (quarter) |
| `agreements/<id>/results/<name>.csv` | an interval series (`start,requests,errors`) named by a results file |
| `agreements/<id>/outages.yaml`, `agreements/<id>/outages/*.yaml` | the outage log: each outage once with its real start and end; the engine splits it at period boundaries in the agreement's time zone |
| `agreements/<id>/maintenance.yaml` | maintenance windows announced after the terms (one-off, or recurring by an RFC 5545 rule) |
| `agreements/<id>/reviews.yaml` | the reviews held since the terms were written (a review changes no term, so it is recorded here, never by editing a published version): the next is due `review.every_months` after the latest, here or in the terms' `review.last` |
| `agreements/<id>/versions.lock` | content hashes of the versions already published (written by `sla lock`) |
| `agreements/<id>/collect.yaml` | where `sla collect` reads the measurements: a Prometheus-compatible API's queries per metric, a Statuspage export's mapping |
| `agreements/<id>/outages/collected-<metric>.yaml` | the outage log of one metric, written by `sla collect` from its availability query |
| `agreements/<id>/outages/statuspage.yaml` | the outage log written by `sla collect` from the Statuspage export's incidents |
| `agreements/<id>/corrections.yaml` | corrections of closed periods: what changed, when, why, the figures before and after (`sla collect` appends to it) |
| `agreements/services/<service>/service.yaml` | a service sold to many customers: name, description, family, components or regions (`services` is no agreement id) |
| `agreements/services/<service>/standard.yaml` | its standard terms: one YAML document per version, the keys of an agreement without its parties |
| `agreements/services/<service>/outages.yaml` | its outage log: each incident once, optionally scoped to a `component`; it counts for every agreement on that scope |
| `agreements/services/<service>/versions.lock` | content hashes of the standard versions already published (written by `sla lock`), checked as an agreement's |
| `agreements/<id>/tickets/<period>.csv` | a ticket export of one period, one row per ticket, columns by the agreement's `tickets:` mapping |
| `agreements/<id>/tickets/<period>.status.csv` | the state changes of that period's tickets (ticket, time, from, to), for pauses |
| `agreements/calendars/<name>.yaml` | a business calendar shared by agreements (a [CalendarDefinition](#calendardefinition)); an `.ics` file of closures beside it |

**Ticket exports.** `tickets: {mapping: zendesk}` reads the Zendesk ticket fields `id`, `priority`
(`urgent`, `high`, `normal`, `low`), `created_at`, `solved_at`, the first reply as a
`first_reply_at` column (Zendesk reports the first reply time as minutes, not as a time, so the
export adds it), and a status log of the ticket audits' `ticket_id`, `created_at`,
`previous_value`, `value` (states `new`, `open`, `pending`, `hold`, `solved`, `closed`).
`tickets: {mapping: jira}` reads the Jira Service Management issue navigator's CSV columns
`Issue key`, `Priority`, `Created`, `Resolved` in its default date format `dd/MMM/yy h:mm a`
(no offset: give `timezone:`), the first response as a `First response` column, and a status log
`Issue key`, `Changed`, `From status`, `To status`. Any other export: write its `columns:` out, or
put them in a mapping file (a [TicketMapping](#ticketmapping)) in `tickets/`.

**Versions.** Every version stays in `agreement.yaml` as a complete document with its own
`version` label and `effective` date, in the order they took effect. A period is evaluated under
the version in force on its first day (`mid_period_change: start_governs`, the default) or on its
last day (`end_governs`). A version whose `effective` date is still ahead is *upcoming*: the site
announces it and what it will change. Once a version is published, `sla lock` records its content
hash in `versions.lock`; a later edit of that version fails validation, because the terms a
customer read must not change under them: add a new version instead. A service's standard
versions are locked the same way, in `agreements/services/<service>/versions.lock`.

**Standard terms.** An agreement with `standard: {service, version}` writes only its parties
and what it negotiated: its terms are the standard version's with its own keys laid over them
(metrics matched by `id`, each key written replacing the standard's; `credit_terms`,
`credit_terms.claim`, `remedies`, `service` and `responsibilities` merged key by key; `exclusions`
added to the standard's). `version: current` follows each new version of the standard from its
`effective` date (the agreement's versions are then labelled `1+2.0`: its own, then the
standard's) and needs `notice_days`, which `sla diff` checks for every adverse change of the
standard. `standard.components` names the components the agreement covers (default: all).

**Numbers** are exact: `99.99` means 99.99, not the nearest binary float. Percentages are written
as numbers from 0 to 100. Bounds of credit tiers always say whether they include the bound.

**Rules beyond the types below**, checked by `sla validate` but beyond what the JSON Schema
can say:
"""


def format_page() -> str:
    """The whole format reference page: layout, the rules the schema cannot express, every key."""
    from mkdocs_sla.source.schema import SCHEMA_LIMITS

    rules = "\n".join(f"- {_cell(rule)}" for rule in SCHEMA_LIMITS)
    return (
        "# File format reference\n\n"
        "This page is generated from the code that reads the files, so it always matches it. "
        "Editors check files against the JSON Schemas of the "
        "[agreement](../schema/agreement.schema.json), [results](../schema/results.schema.json), "
        "[outage log](../schema/outages.schema.json), [maintenance](../schema/maintenance.schema.json) "
        "and [reviews](../schema/reviews.schema.json) files, "
        "and of a service's [definition](../schema/service.schema.json), [standard terms](../schema/standard.schema.json) "
        "and [outage log](../schema/service-outages.schema.json).\n\n"
        f"{LAYOUT}\n{rules}\n\n{format_reference()}"
    )


def format_reference() -> str:
    """Markdown: one section per part of the format, one table row per key."""
    lines: list[str] = []
    shown: set[type] = set()  # a part met again (the mapping file's columns) is described once
    for title, root in (
        ("The agreement file", Terms),
        ("The results file", Results),
        ("The outage log", OutageLog),
        ("The maintenance file", MaintenanceFile),
        ("The reviews held: reviews.yaml", ReviewsFile),
        ("The collector configuration: collect.yaml", Collection),
        ("Corrections: corrections.yaml", CorrectionsFile),
        ("A service: services/<id>/service.yaml", ServiceDefinition),
        ("Standard terms: services/<id>/standard.yaml", StandardTerms),
        ("A service's outage log: services/<id>/outages.yaml", ServiceOutageLog),
        ("A ticket mapping file", TicketMapping),
    ):
        lines += [f"## {title}", ""]
        for cls in _models(root):
            if cls in shown and cls is not root:
                continue
            shown.add(cls)
            lines += [
                f"### {cls.__name__}",
                "",
                _cell((cls.__doc__ or "").strip().split("\n\n")[0]),
                "",
                "| key | type | required | meaning |",
                "| --- | --- | --- | --- |",
            ]
            for name, info in cls.model_fields.items():
                if info.is_required():
                    required = "yes"
                elif info.default_factory is not None or info.default is None:
                    required = "no"
                else:
                    required = f"no (default `{info.default}`)"
                lines.append(f"| `{name}` | {_type_name(info.annotation)} | {required} | {_cell(info.description or '')} |")
            lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- worked examples

# The example agreements, composed by the same builder as the tests' (`source.builder`).
_COMPUTE = agreement_yaml(
    "example",
    title="Example compute",
    provider="Example Cloud",
    customer="Example customer",
    owner="Service manager",
    service="Compute",
    metrics=metric_yaml(
        name="Monthly uptime percentage",
        definition="Minutes available as a share of the minutes in the month.",
        objective="99.99",
        measure="{kind: downtime, minimum_outage_minutes: 1, exclude_tags: [maintenance]}",
        credits="""\
model: tiers
tiers:
  - {below: 99.99, at_or_above: 99.0, credit: 10}
  - {below: 99.0, at_or_above: 95.0, credit: 30}
  - {below: 95.0, credit: 100}
""",
    ),
    credit_terms="credit_terms: {base: the month's charges, currency: USD, cap: 100, minimum_amount: 1.00}\n",
)

_POOL = agreement_yaml(
    "example",
    title="Example outsourcing",
    provider="Example Services",
    customer="Example customer",
    owner="Service delivery manager",
    service="Managed operations",
    metrics="".join(
        metric_yaml(metric_id, name=name, definition=definition, objective=objective, measure="{kind: events}", credits=credits)
        for metric_id, name, definition, objective, credits in (
            (
                "incident-resolution",
                "Incidents resolved in time",
                "Priority 1 incidents resolved within 4 hours, as a share of all.",
                "95",
                "{model: pool, allocation: 60, minimum: 90, expected_misses: 3}",
            ),
            (
                "batch-completion",
                "Batch jobs completed on time",
                "Nightly batch jobs finished by 06:00, as a share of all.",
                "99",
                "{model: pool, allocation: 50, minimum: 97}",
            ),
        )
    ),
    credit_terms="credit_terms: {base: the month's invoice, currency: USD, pool: {at_risk: 12}}\n",
)


def _record(terms_yaml: str, results_yaml: list[str]) -> Agreement:
    # The examples are part of the code: one that does not load raises, and fails the build.
    return agreement_from_text(terms_yaml, results_yaml, name="example")


def _metric_line(evaluation: AgreementEvaluation, index: int = 0) -> str:
    outcome = evaluation.periods[0]
    m = outcome.metrics[index]
    tier = f"tier {m.tier}" if m.tier else "no tier"
    return (
        f"{measured_words(m)}: attainment {display.long(m.attainment)}%, shown as "
        f"{display.attainment(m.attainment, m.metric.unit, m.metric.better)}; "
        f"{m.status.value}, {tier}, credit {display.percent(m.credit_percent)}"
    )


def worked_examples() -> str:
    """Markdown with the engine's own results for a few typical cases."""
    out: list[str] = []
    tiers = _record(_COMPUTE, []).versions[0].terms.metrics[0].credits.tiers
    out += ["## Tiered credits by downtime minutes", "", "A compute agreement promises 99.99% monthly uptime; the credit tiers read:", ""]
    out += [f"- {bounds_in_words(t, '%')}: {t.credit}% of the month's charges" for t in tiers]
    out += ["", "| month | what happened | result | credit on 12,000.00 USD |", "| --- | --- | --- | --- |"]
    cases = [
        (
            "2026-01",
            "45 minutes down, 2 hours of announced maintenance (excluded)",
            [("2026-01-10T10:00:00Z", "2026-01-10T10:45:00Z"), ("2026-01-12T02:00:00Z", "2026-01-12T04:00:00Z", ["maintenance"])],
        ),
        ("2026-01", "exactly 446 minutes 24 seconds down: 1% of a 31-day month", [("2026-01-10T00:00:00Z", "2026-01-10T07:26:24Z")]),
        ("2026-01", "one second more: 446 minutes 25 seconds", [("2026-01-10T00:00:00Z", "2026-01-10T07:26:25Z")]),
        ("2026-02", "40 seconds down: shorter than the 1-minute minimum outage", [("2026-02-03T00:00:00Z", "2026-02-03T00:00:40Z")]),
    ]
    for period, what, outages in cases:
        record = _record(_COMPUTE, [outages_yaml(period, outages, charges="12000.00")])
        evaluation = evaluate(record)
        credit = evaluation.periods[0].credit
        out.append(f"| {period} | {what} | {_metric_line(evaluation)} | {display.money(credit.issued, 'USD')} |")
    out += [
        "",
        "Attainment is compared with the bounds exactly; it is rounded only for display, and then "
        "towards the worse side, so a displayed figure never looks better than the real one.",
        "",
    ]

    record = _record(_COMPUTE, [outages_yaml("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T10:45:00Z")], charges="5.00")])
    evaluation = evaluate(record)
    credit, terms = evaluation.periods[0].credit, record.versions[0].terms.credit_terms
    minimum = display.money_term(terms.minimum_amount, terms.currency)
    out += [
        "## The minimum amount",
        "",
        f"The same agreement issues no credit under {minimum}. A month of "
        f"{display.minutes(evaluation.periods[0].metrics[0].measured.down_minutes)} minutes down, on charges of "
        f"{display.money(Fraction(evaluation.periods[0].results.results.charges), terms.currency)}:",
        "",
        f"Computed: credit {display.percent(credit.percent)} = {display.money(credit.amount, terms.currency)}, "
        f"{withheld_words(terms, of_amount=True) if credit.below_minimum else 'issued'}.",
        "",
    ]

    out += [
        "## The at-risk pool",
        "",
        "An outsourcing agreement puts 12% of the month's invoice at risk. Each service level has an allocation "
        "of the pool (60% and 50%: together more than 100%, as such agreements allow). Missing a level's minimum in "
        "any month, or its expected level three months running, is a default that earns its allocation of the at-risk amount, and all credits of a month together never "
        "exceed the at-risk amount.",
        "",
        "| month | results | credit on 100,000.00 USD |",
        "| --- | --- | --- |",
    ]
    met_batch = "{good: 995, total: 1000}"
    pool_cases = [
        ("both levels met", "{good: 96, total: 100}", met_batch),
        ("incidents below the expected level, above the minimum", "{good: 92, total: 100}", met_batch),
        ("incidents below the minimum", "{good: 85, total: 100}", met_batch),
        ("both below their minimum", "{good: 85, total: 100}", "{good: 950, total: 1000}"),
    ]
    for what, incidents, batch in pool_cases:
        results = results_yaml("2026-01", {"incident-resolution": incidents, "batch-completion": batch}, charges="100000.00")
        evaluation = evaluate(_record(_POOL, [results]))
        outcome = evaluation.periods[0]
        parts = [
            f"{m.metric.id} {display.attainment(m.attainment, '%', 'higher')}" + (" — default" if m.default else f" — {m.status.value}")
            for m in outcome.metrics
        ]
        note = " (held to the at-risk amount)" if outcome.credit.capped else ""
        out.append(
            f"| {what} | {'; '.join(parts)} | {display.percent(outcome.credit.percent)} = "
            f"{display.money(outcome.credit.issued, 'USD')}{note} |"
        )
    out.append("")
    return "\n".join(out)
