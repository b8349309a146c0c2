"""Loading `corrections.yaml`: each correction checked against the periods it corrects.

A correction applies to a closed period that has results: its `date` is on or after
the day the period ended, and the period has a results file (or is covered by an
outage log `sla collect` wrote). It names only metrics of the version that governs
the period. Each error is reported at its `file:line:column`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from mkdocs_sla.core.corrections import CORRECTIONS_FILE, CorrectionRecord, CorrectionsFile, is_closed_by
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.outages import Timeline
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, PeriodResults, Version
from mkdocs_sla.source.pydantic_errors import validate
from mkdocs_sla.source.yamlsource import single_document

# The first lines of an outage log written by `sla collect` name the periods it covers.
_COVERED_RE = re.compile(r"^# periods: (\S+) to (\S+)$", re.MULTILINE)


def with_corrections(
    folder: Path, versions: list[Version], results: list[PeriodResults], diagnostics: Diagnostics, log: tuple | None = None
) -> tuple[list[PeriodResults], tuple[CorrectionRecord, ...]]:
    """The results with their corrections attached, and every correction (for the periods only the
    outage log measures, which have no results file); the corrections' errors reported."""
    path = folder / CORRECTIONS_FILE
    if not os.path.lexists(path):
        return results, ()
    document = single_document(
        path,
        diagnostics,
        lambda documents, display: (
            documents[1].position() if len(documents) > 1 else Position(display),
            "corrections.yaml holds one YAML document",
        ),
    )
    if document is None:
        return results, ()
    loaded = validate(CorrectionsFile, document, diagnostics)
    if loaded is None:
        return results, ()
    stub = Agreement(folder.name, "", "", tuple(versions), ())
    kind = versions[0].terms.period
    by_period = {r.period: r for r in results}
    covered = _collected_periods(folder, kind)
    if log:
        covered |= Timeline(log).periods(kind, versions[-1].terms.timezone)
    attached: dict[Period, list[CorrectionRecord]] = {}
    for index, correction in enumerate(loaded.corrections):
        where = ("corrections", index)
        period = Period.parse(correction.period)
        if period.kind != kind:
            diagnostics.error(
                document.position((*where, "period")),
                f"period `{correction.period}` is a {period.kind}, but this agreement is measured per {kind}",
            )
            continue
        if not is_closed_by(period, correction.date):
            diagnostics.error(
                document.position((*where, "date")),
                f"period {period} had not closed on {correction.date} (it ends {period.end}); a correction applies to a closed period: "
                f"expected a date on or after {period.end}",
            )
        if period not in by_period and period not in covered:
            diagnostics.error(
                document.position((*where, "period")),
                f"period {period} has no results to correct; expected results/{period}.yaml, or outages of the period in the outage log",
            )
            continue
        terms = stub.version_for(period).terms
        for metric_id in correction.metrics:
            if terms.metric(metric_id) is None:
                known = ", ".join(f"`{m.id}`" for m in terms.metrics)
                diagnostics.error(
                    document.position((*where, "metrics", metric_id), key=True),
                    f"unknown metric `{metric_id}` in period {period} (version `{terms.version}`); expected one of: {known}",
                )
        record = CorrectionRecord(correction, period, document.position(where))
        attached.setdefault(period, []).append(record)
    out = []
    for result in results:
        found = attached.get(result.period)
        out.append(dataclasses.replace(result, corrections=tuple(found)) if found else result)
    return out, tuple(record for period in sorted(attached) for record in attached[period])


def _collected_periods(folder: Path, kind: str) -> set[Period]:
    """The periods the collector's outage logs say they cover."""
    periods: set[Period] = set()
    for path in sorted((folder / "outages").glob("collected-*.yaml")):
        if path.is_symlink() or not path.is_file():
            continue  # refused by the outage log's loader, at its position; never read here
        try:
            head = path.read_text(encoding="utf-8")[:2000]
        except OSError:
            continue
        match = _COVERED_RE.search(head)
        if match is None:
            continue
        try:
            period, last = Period.parse(match.group(1)), Period.parse(match.group(2))
        except ValueError:
            continue
        while period <= last and period.kind == kind:
            periods.add(period)
            period = period.next()
    return periods
