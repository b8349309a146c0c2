"""The outage log and the maintenance windows of an agreement folder, checked with positions.

    agreements/<id>/outages.yaml        the outage log (`outages:` entries)
    agreements/<id>/outages/*.yaml      more of it, e.g. `collected-<metric>.yaml` from `sla collect`
    agreements/<id>/maintenance.yaml    maintenance windows announced after the terms (`windows:`)

Every entry's times without an offset are in the agreement's time zone (that of its latest
version). The rules are the core's (`core.outages`, `core.maintenance`); this module finds
the places in the files that break them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.maintenance import rule_problem
from mkdocs_sla.core.model import MaintenanceFile, MaintenanceWindow, OutageLog, Terms
from mkdocs_sla.core.outages import Entry, entry, log_metrics, overlapping
from mkdocs_sla.core.periods import Period, localize, zone
from mkdocs_sla.core.records import PeriodResults, Version
from mkdocs_sla.source.pydantic_errors import validate
from mkdocs_sla.source.yamlsource import display_path, link_problem, single_document

LOG_FILE = "outages.yaml"
LOG_DIR = "outages"
MAINTENANCE_FILE = "maintenance.yaml"


def log_files(folder: Path, diagnostics: Diagnostics) -> list[Path] | None:
    """The files of the outage log, `outages.yaml` first; None if the agreement keeps no log."""
    files = []
    if os.path.lexists(folder / LOG_FILE):
        files.append(folder / LOG_FILE)
    directory = folder / LOG_DIR
    if os.path.lexists(directory):
        if directory.is_symlink():  # links are never followed in the agreements tree (yamlsource.link_problem)
            diagnostics.error(Position(display_path(directory)), link_problem(directory) or "")
        elif not directory.is_dir():
            diagnostics.error(
                Position(display_path(directory)), f"`{LOG_DIR}` is not a folder; expected a folder of outage log .yaml files"
            )
        else:
            for path in sorted(directory.iterdir()):
                if path.suffix in (".yaml", ".yml"):
                    files.append(path)
                elif not path.name.startswith("."):
                    diagnostics.error(Position(display_path(path)), f"unexpected file in {LOG_DIR}/; expected outage log .yaml files")
    return files if files or os.path.lexists(directory) else None


def _document(path: Path, diagnostics: Diagnostics):
    return single_document(
        path, diagnostics, lambda documents, display: (Position(display), f"expected one YAML document; found {len(documents)}")
    )


def load_log(folder: Path, versions: Sequence[Version], diagnostics: Diagnostics, today: dt.date | None = None) -> tuple[Entry, ...] | None:
    """Every entry of the agreement's outage log, in UTC with its position; None without a log.
    With `today`, an entry with minutes in a period that has not ended is an error, as results of
    such a period are."""
    files = log_files(folder, diagnostics)
    if files is None:
        return None
    terms = versions[-1].terms
    timezone = terms.timezone
    known = sorted({m for v in versions for m in log_metrics(v.terms)})
    others = sorted({m.id for v in versions for m in v.terms.metrics} - set(known))
    first = versions[0].effective
    opening = dt.datetime.combine(first, dt.time(0), tzinfo=zone(versions[0].terms.timezone)).astimezone(dt.UTC)
    current = Period.containing(today, terms.period) if today is not None else None
    open_from = current.bounds(timezone)[0].astimezone(dt.UTC) if current is not None else None
    entries: list[Entry] = []
    for path in files:
        document = _document(path, diagnostics)
        if document is None:
            continue
        log = validate(OutageLog, document, diagnostics)
        if log is None:
            continue
        for index, outage in enumerate(log.outages):
            at = document.position(("outages", index))
            made = entry(outage, timezone, at, outage.metrics, logged=True)
            if made.end <= made.start:
                diagnostics.error(
                    document.position(("outages", index, "end")),
                    f"outage ends ({outage.end.isoformat()}) before it starts ({outage.start.isoformat()}); expected an end after the start",
                )
                continue
            for m_index, metric_id in enumerate(outage.metrics or ()):
                if metric_id not in known:
                    why = "does not count outages" if metric_id in others else "is not a metric of this agreement"
                    diagnostics.error(
                        document.position(("outages", index, "metrics", m_index)),
                        f"metric `{metric_id}` {why}; expected one of: {', '.join(f'`{k}`' for k in known) or 'none (no metric counts outages)'}",
                    )
            if made.end <= opening:
                diagnostics.error(
                    document.position(("outages", index, "start")),
                    f"outage from {outage.start.isoformat()} lies outside every period of the agreement, which took effect on {first}; "
                    "expected an outage from then on",
                )
            elif open_from is not None and made.end > open_from:
                diagnostics.error(
                    document.position(("outages", index, "end")),
                    f"outage to {outage.end.isoformat()} reaches period {current}, which has not ended (today is {today}); "
                    "expected outages of ended periods only",
                )
            elif made.start < opening:
                diagnostics.warning(
                    document.position(("outages", index, "start")),
                    f"outage from {outage.start.isoformat()} starts before the agreement took effect on {first}; only its part from then on counts",
                )
            entries.append(made)
    if not known and entries:
        diagnostics.error(
            Position(display_path(files[0])),
            "the agreement keeps an outage log but no metric counts outages; expected a `downtime` metric",
        )
    return tuple(entries)


def check_overlaps(log: Sequence[Entry], results: Sequence[PeriodResults], versions: Sequence[Version], diagnostics: Diagnostics) -> None:
    """The rule on duplicates (`core.outages.overlapping`): two log entries overlapping for one metric,
    or a log entry and a results file's outage, are an error naming both positions. Outages of
    the results files may overlap each other: they count once, as they always did."""
    if not log:
        return
    defaults = sorted({m for v in versions for m in log_metrics(v.terms)})
    items: list[tuple[str, Entry]] = []
    for e in log:
        items.extend((metric_id, e) for metric_id in (e.metrics if e.metrics is not None else defaults))
    timezone = versions[-1].terms.timezone
    for period in results:
        for metric_id, result in period.results.metrics.items():
            positions = period.outage_positions.get(metric_id, ())
            for n, outage in enumerate(result.outages or ()):
                items.append((metric_id, entry(outage, timezone, positions[n] if n < len(positions) else Position(period.file))))
    for (metric_id, a), (_same, b) in overlapping(items, lambda item: (item[0], item[1].start, item[1].end)):
        if not (a.logged or b.logged):
            continue
        later, earlier = (b, a) if b.logged else (a, b)
        same = a.start == b.start and a.end == b.end
        what = "is the same outage as" if same else "overlaps"
        where = "the outage log" if earlier.logged else "a results file"
        diagnostics.error(
            later.position,
            f"outage {later.start.isoformat()} to {later.end.isoformat()} of metric `{metric_id}` {what} the one in {where} at "
            f"{earlier.position} ({earlier.start.isoformat()} to {earlier.end.isoformat()}); expected each minute of downtime logged once",
        )


def load_maintenance(folder: Path, versions: Sequence[Version], diagnostics: Diagnostics) -> tuple[MaintenanceWindow, ...]:
    """The windows of `maintenance.yaml`, checked as those in the terms are."""
    path = folder / MAINTENANCE_FILE
    if not os.path.lexists(path):
        return ()
    document = _document(path, diagnostics)
    if document is None:
        return ()
    found = validate(MaintenanceFile, document, diagnostics)
    if found is None:
        return ()
    terms = versions[-1].terms
    known = sorted({m for v in versions for m in _outage_metrics(v.terms)})
    declared = {w.id for v in versions if v.terms.maintenance for w in v.terms.maintenance.windows}
    check_windows(found.windows, lambda loc: document.position(("windows", *loc)), terms.timezone, known, diagnostics, declared)
    return tuple(found.windows)


def _outage_metrics(terms: Terms) -> list[str]:
    return [m.id for m in terms.metrics if m.measure.counts_outages]


def check_terms_windows(terms: Terms, position: Callable[[tuple], Position], diagnostics: Diagnostics) -> None:
    """The windows declared in one version's terms (`maintenance.windows`)."""
    if terms.maintenance is None:
        return
    check_windows(
        terms.maintenance.windows,
        lambda loc: position(("maintenance", "windows", *loc)),
        terms.timezone,
        _outage_metrics(terms),
        diagnostics,
    )


def check_windows(
    windows: Sequence[MaintenanceWindow],
    position: Callable[[tuple], Position],
    timezone: str,
    metrics: Sequence[str],
    diagnostics: Diagnostics,
    taken: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Each window's rule parses and ends where it must, it was announced before it started, its
    metrics count outages, and its id is unique."""
    seen: set[str] = set(taken)
    for index, window in enumerate(windows):
        if window.id in seen:
            diagnostics.error(position((index, "id")), f"window id `{window.id}` is used twice; expected unique ids")
        seen.add(window.id)
        if window.rrule is not None:
            problem = rule_problem(window.rrule)
            if problem:
                diagnostics.error(position((index, "rrule")), f"rrule: {problem}")
        start = localize(window.start, timezone)
        if window.end is not None and localize(window.end, timezone) <= start:
            diagnostics.error(
                position((index, "end")),
                f"the window ends ({window.end.isoformat()}) before it starts ({window.start.isoformat()}); expected an end after the start",
            )
        announced = localize(window.announced, timezone)
        if announced > start:
            diagnostics.error(
                position((index, "announced")),
                f"window `{window.id}` was announced ({window.announced.isoformat()}) after it started ({window.start.isoformat()}); "
                "expected an announcement before the start",
            )
        for m_index, metric_id in enumerate(window.metrics or ()):
            if metric_id not in metrics:
                diagnostics.error(
                    position((index, "metrics", m_index)),
                    f"metric `{metric_id}` does not count outages here; expected one of: {', '.join(f'`{m}`' for m in metrics) or 'none'}",
                )
