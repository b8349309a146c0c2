"""The loader's ticket step: an agreement's business calendars and its ticket exports, checked and
attached to its records. `source.load` calls `attach` once per agreement.

Layout beside `agreement.yaml`:

    tickets/<period>.csv          one row per ticket (columns by the agreement's `tickets:` mapping)
    tickets/<period>.status.csv   optional: the state changes, for pauses
    tickets/<name>.yaml           optional: a mapping file named by `tickets.mapping_file`

A status log's pauses use the pause states of all the agreement's ticket metrics together.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from mkdocs_sla.core.calendars import ALWAYS_OPEN, BusinessCalendar
from mkdocs_sla.core.diagnostics import Diagnostics, Position, excerpt
from mkdocs_sla.core.measures import measured_window, ticket_summary
from mkdocs_sla.core.model import MetricResult, Results, Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, PeriodResults, Version
from mkdocs_sla.source.calendars import CALENDARS_DIR, build_calendar, shared_calendars
from mkdocs_sla.source.tickets import TICKETS_DIR, read_status_log, read_tickets, resolve_mapping
from mkdocs_sla.source.yamlsource import link_problem, parse, read_text

# Ticket exports are large (a year of a busy desk is a million rows, some 100 MB): their own cap.
EXPORT_MAX_BYTES = 1024 * 1024 * 1024
TICKET_FILE = re.compile(r"^(?P<period>[^.]+)(?P<status>\.status)?\.csv$")
# A ticket's times lie within this many years of its period (a backlog ticket may be old, a
# resolution exported late): one beyond is an error, not decades of calendar to compute.
TICKET_YEARS = 10


def attach(
    folder: Path, versions: list[Version], results: list[PeriodResults], text: str, diagnostics: Diagnostics, validate, today=None
) -> tuple[list[PeriodResults], dict[str, BusinessCalendar]]:
    """The results with each period's ticket export attached, and the calendars the metrics name.
    With `today`, an export of a period that has not ended by then is an error, as results are."""
    from mkdocs_sla.source.load import display_path

    uses = any(getattr(m.measure, "calendar", None) is not None or m.measure.reads_tickets for v in versions for m in v.terms.metrics)
    if not uses and not (folder / TICKETS_DIR).exists():
        return results, {}  # the common case: nothing to read, and the terms are not parsed again
    documents = parse(text, display_path(folder / "agreement.yaml"), Diagnostics())
    shared, _problems = shared_calendars(folder.parent, validate)  # their errors are the tree's, reported once
    exports = _ticket_files(folder, versions, diagnostics, today)
    years = _years(versions, results, exports)
    calendars = _calendars(folder, versions, documents, shared, years, diagnostics)
    stub = Agreement(folder.name, "", "", tuple(versions), ())
    by_period = {r.period: r for r in results}
    jobs = [
        _Job(folder, period, path, status_path, stub, documents, versions, calendars, validate)
        for period, (path, status_path) in sorted(exports.items())
    ]
    reported = set(diagnostics.items)
    for job, (items, summaries) in zip(jobs, _run_jobs(jobs), strict=True):
        # A problem of the terms (a pause state, a selected value) is found by each period's job
        # alike: said once.
        for item in items:
            if item not in reported:
                reported.add(item)
                diagnostics.items.append(item)
        if summaries is None:
            continue
        period, path, terms = job.period, job.path, job.terms
        ticket_metrics = {m.id: MetricResult() for m in terms.metrics if m.measure.reads_tickets}
        found = by_period.get(period)
        if found is None:
            found = PeriodResults(period, Results(period=period.label, metrics=ticket_metrics), display_path(path))
        else:
            merged = {**ticket_metrics, **found.results.metrics}
            found = dataclasses.replace(found, results=found.results.model_copy(update={"metrics": merged}))
        by_period[period] = dataclasses.replace(found, ticket_file=display_path(path), ticket_summaries=summaries)
    merged = [by_period[p] for p in sorted(by_period)]
    _warn_without_exports(versions, merged, set(exports), diagnostics)
    return merged, calendars


class _Job:
    """One period's export to read and judge."""

    def __init__(self, folder, period, path, status_path, stub, documents, versions, calendars, validate):
        self.folder, self.period, self.path, self.status_path = folder, period, path, status_path
        version = stub.version_for(period)
        self.terms = version.terms
        self.document = documents[versions.index(version)] if len(documents) == len(versions) else None
        self.window = measured_window(period, self.terms, versions[0].effective)
        self.calendars, self.validate = calendars, validate

    def run(self):
        """(diagnostics, {metric id: TicketSummary} or None)."""
        from mkdocs_sla.source.load import paused_gc  # at call time: the loader imports this module

        local = Diagnostics()
        with paused_gc():
            tickets = _read_period(
                self.folder, self.path, self.status_path, self.terms, self.document, local, self.validate, _window(self.period)
            )
            if tickets is None:
                return local.items, None
            summaries = {
                m.id: ticket_summary(m, tickets, self.window, self.calendars.get(m.measure.calendar))
                for m in self.terms.metrics
                if m.measure.reads_tickets
            }
        return local.items, summaries


# Exports larger than this in all are read and judged by several processes, one period each.
PARALLEL_BYTES = 16 * 1024 * 1024
_JOBS: list[_Job] = []  # the jobs of the current parallel run, inherited by the forked workers


def _run_jobs(jobs: list[_Job]) -> list:
    """Each job's result, in order: in worker processes for large exports on a machine with several
    cores (only from the main process: a loader already in a worker does not start more)."""
    size = sum(j.path.stat().st_size + (j.status_path.stat().st_size if j.status_path else 0) for j in jobs)
    workers = min(len(jobs), len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    if (
        size < PARALLEL_BYTES
        or workers < 2
        or multiprocessing.parent_process() is not None
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [job.run() for job in jobs]
    _JOBS[:] = jobs
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_run_job, range(len(jobs))))
    finally:
        _JOBS.clear()


def _run_job(index: int):
    return _JOBS[index].run()


def _window(period: Period) -> tuple[int, int, str]:
    """The first and last instant a ticket time of `period`'s export may be, and how to say so."""
    first = dt.datetime(max(period.start.year - TICKET_YEARS, 1900), period.start.month, 1, tzinfo=dt.UTC)
    last = dt.datetime(min(period.end.year + TICKET_YEARS, 2999), period.end.month, 1, tzinfo=dt.UTC)
    words = f"within {TICKET_YEARS} years of period {period} (from {first.date()} to {last.date()}, UTC)"
    return int(first.timestamp()), int(last.timestamp()), words


def _ticket_files(folder: Path, versions: list[Version], diagnostics: Diagnostics, today=None) -> dict[Period, tuple[Path, Path | None]]:
    """The ticket exports by period; a file for a period the agreement does not have is an error."""
    from mkdocs_sla.source.load import display_path

    directory = folder / TICKETS_DIR
    problem = link_problem(directory)
    if problem is not None:
        diagnostics.error(Position(display_path(directory)), problem)
        return {}
    if not directory.is_dir():
        return {}
    kind = versions[0].terms.period
    first = versions[0]
    found: dict[Period, list] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix in (".yaml", ".yml"):
            continue  # a mapping file, read when named
        match = TICKET_FILE.match(path.name)
        label = match["period"] if match else ""
        try:
            period = Period.parse(label)
        except ValueError:
            diagnostics.error(
                Position(display_path(path)),
                f"unexpected file in {TICKETS_DIR}/; expected <period>.csv exports (and <period>.status.csv logs) named by a {kind} such as "
                + ("`2025-01`" if kind == "month" else "`2025-Q1`"),
            )
            continue
        if period.kind != kind:
            diagnostics.error(
                Position(display_path(path)),
                f"ticket file for period `{label}`, a {period.kind}, but this agreement is measured per {kind}; the agreement has no such period",
            )
            continue
        if period.end <= first.effective:
            diagnostics.error(
                Position(display_path(path)),
                f"ticket file for period {period}, which ends before the agreement took effect ({first.effective}); the agreement has no such period",
            )
            continue
        if today is not None and not period.has_ended_by(today):
            diagnostics.error(
                Position(display_path(path)),
                f"ticket file for period {period}, which has not ended (it ends on {period.last_day}, after today, {today}); "
                "expected the export of a closed period",
            )
            continue
        slot = found.setdefault(period, [None, None])
        slot[1 if match["status"] else 0] = path
    exports = {}
    for period, (main, status) in found.items():
        if main is None:
            diagnostics.error(Position(display_path(status)), f"a status log without its ticket export; expected {period}.csv beside it")
            continue
        exports[period] = (main, status)
    return exports


def _years(versions, results, exports) -> range:
    """The years whose public holidays the calendars need: the agreement's, with a year on either side."""
    first = versions[0].effective.year
    periods = [r.period for r in results] + list(exports)
    last = max([p.end.year for p in periods] + [v.effective.year for v in versions])
    return range(first - 1, last + 2)


def _calendars(folder, versions, documents, shared, years, diagnostics) -> dict[str, BusinessCalendar]:
    """The calendars the metrics of every version name, built; an unknown name is an error at the metric."""
    own = {}
    for index, version in enumerate(versions):
        for name, definition in version.terms.calendars.items():
            own[name] = (definition, documents[index] if index < len(documents) else None)
    built: dict[str, BusinessCalendar] = {}
    broken: set[str] = set()
    for index, version in enumerate(versions):
        document = documents[index] if index < len(documents) else None
        for m_index, metric in enumerate(version.terms.metrics):
            name = getattr(metric.measure, "calendar", None)
            if name is None or name in built or name in broken:
                continue
            where = document.position(("metrics", m_index, "measure", "calendar")) if document else version.position
            if name in own:
                definition, doc = own[name]
                at = doc.position(("calendars", name, "holidays")) if doc else where
                closures_at = doc.position(("calendars", name, "closures")) if doc else where
                calendar = build_calendar(name, definition, years, folder, at, diagnostics, closures_at)
            elif name in shared:
                entry = shared[name]
                if entry is None:
                    diagnostics.error(where, f"calendar `{name}` has errors (in {CALENDARS_DIR}/{name}.yaml); expected a valid calendar")
                    broken.add(name)
                    continue
                position = entry.document.position
                calendar = build_calendar(
                    name, entry.definition, years, entry.folder, position(("holidays",)), diagnostics, position(("closures",))
                )
            elif name == ALWAYS_OPEN:
                continue  # the measures know 24×7
            else:
                known = sorted({*own, *(n for n, c in shared.items() if c is not None), ALWAYS_OPEN})
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
                diagnostics.error(
                    where,
                    f"unknown calendar `{name}`; {hint}expected one of: {', '.join(f'`{k}`' for k in known)} "
                    f"(the agreement's `calendars:` or {CALENDARS_DIR}/<name>.yaml)",
                )
                broken.add(name)
                continue
            if calendar is None:
                broken.add(name)
            else:
                built[name] = calendar
    return built


def _read_period(folder, path, status_path, terms: Terms, document, diagnostics, validate, window=None):
    """One period's tickets, with their pauses; None if anything is wrong (all of it reported).
    `window`: the instants its times may be (`_window`)."""
    from mkdocs_sla.source.load import display_path

    display = display_path(path)
    metrics = [(i, m) for i, m in enumerate(terms.metrics) if m.measure.reads_tickets]
    if not metrics:
        diagnostics.error(Position(display), f"a ticket export, but version `{terms.version}` has no `tickets` metric to count it")
        return None
    if terms.tickets is None:
        diagnostics.error(
            Position(display),
            f"a ticket export, but version `{terms.version}` has no `tickets:` mapping; expected `tickets: {{mapping: zendesk}}` or its columns",
        )
        return None
    at = document.position(("tickets",)) if document else Position(display)
    mapping = resolve_mapping(terms.tickets, folder, at, diagnostics, validate)
    if mapping is None:
        return None
    priorities = frozenset(mapping.priorities) or frozenset(
        v for _, m in metrics if m.measure.select.column == "priority" for v in m.measure.select.values
    )
    pause_states = frozenset(s for _, m in metrics for s in m.measure.pause_states)
    ok = True
    if mapping.states:
        for index, metric in metrics:
            for s_index, state in enumerate(metric.measure.pause_states):
                if state not in mapping.states:
                    where = document.position(("metrics", index, "measure", "pause_states", s_index)) if document else at
                    diagnostics.error(
                        where,
                        f"unknown state `{state}`; expected one of the export's states: {', '.join(f'`{s}`' for s in mapping.states)}",
                    )
                    ok = False
    for index, metric in metrics:
        column = metric.measure.select.column
        if column != "priority" and column not in mapping.columns.attributes:
            where = document.position(("metrics", index, "measure", "select", "column")) if document else at
            diagnostics.error(where, f"`{column}` is not a mapped column; expected `priority` or one of `tickets.columns.attributes`")
            ok = False
        elif column == "priority" and mapping.priorities:
            # A value no ticket may hold selects nothing: the metric would be empty, and "met", forever.
            for v_index, value in enumerate(metric.measure.select.values):
                if value not in mapping.priorities:
                    where = document.position(("metrics", index, "measure", "select", "values", v_index)) if document else at
                    close = difflib.get_close_matches(value, mapping.priorities, n=1)
                    hint = f"did you mean `{close[0]}`? " if close else ""
                    diagnostics.error(
                        where,
                        f"unknown priority `{excerpt(value)}`: no ticket may have it, so the metric would count none; {hint}"
                        f"expected one of the export's priorities: {', '.join(f'`{p}`' for p in mapping.priorities)}",
                    )
                    ok = False
    text = read_text(path, display, diagnostics, what="ticket export", max_bytes=EXPORT_MAX_BYTES)
    if text is None or not ok:
        return None
    read = read_tickets(path, display, text, mapping, priorities, diagnostics, window)
    if read is None:
        return None
    tickets, _rows = read
    if status_path is not None:
        status_display = display_path(status_path)
        if mapping.status_log is None:
            diagnostics.error(
                Position(status_display), "a status log, but the mapping has no `status_log` columns; expected them under `tickets:`"
            )
            return None
        status_text = read_text(status_path, status_display, diagnostics, what="status log", max_bytes=EXPORT_MAX_BYTES)
        if status_text is None:
            return None
        by_id = {t.id: t for t in tickets}
        pauses = read_status_log(status_path, status_display, status_text, mapping, by_id, pause_states, diagnostics, window)
        if pauses is None:
            return None
        tickets = [t._replace(pauses=pauses[t.id]) if t.id in pauses else t for t in tickets]
    return tickets


def _warn_without_exports(versions, results, exports, diagnostics) -> None:
    """A period with results but no ticket export: its ticket metrics are not reported. One whose
    export has errors is not warned of as well: its errors say why."""
    stub = Agreement("", "", "", tuple(versions), ())
    for period_results in results:
        if period_results.period in exports:
            continue
        terms = stub.version_for(period_results.period).terms
        for metric in terms.metrics:
            if metric.measure.reads_tickets and period_results.ticket_file is None:
                diagnostics.warning(
                    Position(period_results.file),
                    f"no ticket export for period {period_results.period} ({TICKETS_DIR}/{period_results.period}.csv): "
                    f"metric `{metric.id}` is shown as not reported",
                )
