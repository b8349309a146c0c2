"""Agreements and results as the YAML a provider writes, composed from a few arguments, and
read back in memory through the loader's own parsing and validation.

The one builder of example agreements: the worked examples of the reference pages and the
tests compose their agreements here (`agreement_yaml(metrics=metric_yaml(...) + ...)`), so a
change to the format's required keys is made once. Every key not given gets a placeholder
(`Provider`, `Customer`, `Test agreement <id>`). `agreement_from_text` turns the text into an
`Agreement` without files, for code that evaluates an example (the loader reads folders).
"""

from __future__ import annotations

from collections.abc import Sequence

from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.model import Results, Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, PeriodResults, Version
from mkdocs_sla.source.lock import digest
from mkdocs_sla.source.pydantic_errors import validate
from mkdocs_sla.source.yamlsource import parse


def metric_yaml(
    metric_id: str = "uptime",
    *,
    name: str = "Monthly uptime",
    definition: str = "Minutes available as a share of all minutes.",
    unit: str = '"%"',
    better: str = "higher",
    objective: str = "99.9",
    strict: bool = False,
    measure: str = "kind: downtime\n",
    credits: str | None = None,
) -> str:
    """The YAML text of one item of `metrics:`, indented for `agreement_yaml(metrics=...)`.

    `measure` and `credits` are the YAML of those sections, unindented (`credits=None`: none);
    `strict` writes `objective_strict: true`."""
    text = (
        f"  - id: {metric_id}\n"
        f"    name: {name}\n"
        f"    definition: {definition}\n"
        f"    unit: {unit}\n"
        f"    better: {better}\n"
        f"    objective: {objective}\n" + ("    objective_strict: true\n" if strict else "") + "    measure:\n" + indented(measure)
    )
    if credits is not None:
        text += "    credits:\n" + indented(credits)
    return text


def indented(block: str) -> str:
    """A section's YAML, under its key in a metric (six spaces)."""
    return "".join(f"      {line}\n" for line in block.splitlines())


def agreement_yaml(
    agreement_id: str = "svc",
    *,
    metrics: str,
    extra: str = "",
    version: str = "1.0",
    effective: str = "2026-01-01",
    credit_terms: str | None = None,
    head: str = "",
    title: str | None = None,
    service: str = "The service",
    provider: str = "Provider",
    customer: str = "Customer",
    owner: str = "Owner",
) -> str:
    """The YAML text of one agreement version: the required keys, then `metrics`, then `extra`.

    `metrics` is the list under `metrics:` (items indented by two spaces, as `metric_yaml`
    writes them); `credit_terms` replaces the default `credit_terms:` section (pass "" for
    none); `head` is inserted right after `id:` (e.g. `period: quarter`); `title` defaults to
    `Test agreement <id>`."""
    if credit_terms is None:
        credit_terms = "credit_terms:\n  base: the monthly charges\n"
    return (
        f"id: {agreement_id}\n"
        f"{head}"
        f'version: "{version}"\n'
        f"effective: {effective}\n"
        f"title: {title or f'Test agreement {agreement_id}'}\n"
        f"provider: {provider}\n"
        f"customer: {customer}\n"
        f"owner: {owner}\n"
        "service:\n"
        f"  name: {service}\n"
        "metrics:\n"
        f"{metrics}"
        f"{credit_terms}"
        f"{extra}"
    )


def results_yaml(period: str, metrics: dict[str, str], charges: str | None = "1000") -> str:
    """A period's results file: each metric's results as YAML (one line, or lines indented by
    four spaces), under `metrics:`; `charges=None` writes none."""
    lines = [f'period: "{period}"']
    if charges is not None:
        lines.append(f"charges: {charges}")
    lines.append("metrics:")
    for metric, result in metrics.items():
        lines.append(f"  {metric}:" + (f" {result}" if "\n" not in result else "\n" + result.rstrip("\n")))
    return "\n".join(lines) + "\n"


def outages_yaml(
    period: str, outages: Sequence[tuple[str, str] | tuple[str, str, list[str]]], metric: str = "uptime", charges: str | None = "1000"
) -> str:
    """A results file for one downtime metric with the given outages (start, end[, tags])."""
    if not outages:
        return results_yaml(period, {metric: "\n    outages: []"}, charges)
    lines = ["    outages:"]
    for outage in outages:
        lines.append(f"      - start: {outage[0]}")
        lines.append(f"        end: {outage[1]}")
        if len(outage) > 2:
            lines.append(f"        tags: [{', '.join(outage[2])}]")
    return results_yaml(period, {metric: "\n" + "\n".join(lines)}, charges)


def agreement_from_text(terms: str, results: Sequence[str] = (), *, name: str = "memory") -> Agreement:
    """An agreement from the YAML of its versions (one document each, in the order they took
    effect) and of its periods' results, parsed and validated as the loader does; `name` stands
    for the file in positions. Raises `ValueError` with every error, one a line: an example
    that does not load is a mistake in the code that wrote it."""
    diagnostics = Diagnostics()
    versions = []
    for document in parse(terms, name, diagnostics):
        parsed = validate(Terms, document, diagnostics)
        if parsed is not None:
            versions.append(Version(parsed, Position(name), digest(parsed)))
    periods = []
    for text in results:
        for document in parse(text, name, diagnostics):
            found = validate(Results, document, diagnostics)
            if found is not None:
                periods.append(PeriodResults(Period.parse(found.period), found, name))
    if diagnostics.errors:
        raise ValueError("\n".join(str(d) for d in diagnostics.errors))
    return Agreement(versions[0].terms.id if versions else "", "", "", tuple(versions), tuple(periods))
