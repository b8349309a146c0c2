"""`sla collect`: an agreement's measurements for its closed periods, from its `collect.yaml`.

A period is closed when its end (midnight after its last day, in the agreement's time
zone) is at or before "now", which the caller gives (the CLI reads the clock, or takes
`--until`); nothing here reads a clock. Every query is answered before any file is
written, so an unreachable server or a refused query leaves the tree as it was.

Re-running is idempotent: a file whose content would not change is not touched. A
closed period whose answer differs from the one written before keeps the new answer
and gets a correction in `corrections.yaml` (category `collector`) with the metric's
attainment before and after, never a silent overwrite.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from mkdocs_sla.core.collection import MEASURED_BY, CollectedMetric, Collection, WhenEmpty
from mkdocs_sla.core.corrections import CorrectionCategory, recorded_figure
from mkdocs_sla.core.diagnostics import Position
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.measures import measured_window
from mkdocs_sla.core.model import LoggedOutage, Metric
from mkdocs_sla.core.outages import entry as outage_entry
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import Agreement, Interval
from mkdocs_sla.source.collect import files
from mkdocs_sla.source.collect.progress import Progress
from mkdocs_sla.source.collect.prometheus import CollectError, PrometheusClient, credentials
from mkdocs_sla.source.collect.samples import Span, availability_spans, interval_counts, one_series, stamp
from mkdocs_sla.source.yamlsource import display_path


@dataclass
class Plan:
    """What a run writes (path to text, only files that change), and what it says."""

    files: dict[Path, str] = field(default_factory=dict)
    corrections: dict[Path, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    today: dt.date = dt.date(1970, 1, 1)  # the day of the run, dated on corrections

    def write(self) -> list[Path]:
        """Write every planned file; the paths written, in order."""
        written = []
        for path, text in self.files.items():
            files.write_atomically(path, text)
            written.append(path)
        for path, entries in self.corrections.items():
            existing = path.read_text(encoding="utf-8") if path.exists() else None
            files.write_atomically(path, files.corrections_text(existing, entries))
            written.append(path)
        return written


def closed_periods(agreement: Agreement, since: dt.date, now: dt.datetime) -> list[Period]:
    """The agreement's periods from the one holding `since` that ended by `now`."""
    terms = agreement.versions[-1].terms
    period = Period.containing(since, terms.period)
    periods = []
    while period.bounds(terms.timezone)[1] <= now:
        periods.append(period)
        period = period.next()
    return periods


def plan_agreement(
    agreement: Agreement,
    folder: Path,
    collection: Collection,
    now: dt.datetime,
    plan: Plan,
    server: str | None = None,
    stream=None,
) -> None:
    """Query every metric of one agreement and add what changes to `plan`."""
    if not collection.metrics:
        return
    source = collection.prometheus
    first = agreement.versions[0].effective
    since = max(source.since or first, first)
    periods = closed_periods(agreement, since, now)
    if not periods:
        plan.notes.append(f"{agreement.id}: no period has closed yet (the first ends {_end_of(agreement, since)}); nothing to collect")
        return
    url = server or source.url
    with PrometheusClient(url, source.timeout_seconds, credentials(source)) as client:
        for metric_id, queries in collection.metrics.items():
            metric = metric_of(agreement, metric_id)
            if queries.availability is not None:
                _plan_availability(agreement, folder, metric, queries, periods, client, url, plan, stream)
            else:
                _plan_counters(agreement, folder, metric, queries, periods, client, plan, stream)


def _end_of(agreement: Agreement, since: dt.date) -> str:
    terms = agreement.versions[-1].terms
    return Period.containing(since, terms.period).bounds(terms.timezone)[1].isoformat()


def metric_of(agreement: Agreement, metric_id: str) -> Metric:
    """The metric as the latest version that has it defines it."""
    return next(v.terms.metric(metric_id) for v in reversed(agreement.versions) if v.terms.metric(metric_id) is not None)


def _window(agreement: Agreement, period: Period) -> tuple[int, int]:
    terms = agreement.version_for(period).terms
    start, end = measured_window(period, terms, agreement.versions[0].effective)
    return int(start.timestamp()), int(end.timestamp())


def _query(client: PrometheusClient, query: str, start: int, end: int, step: int, label: str, stream) -> list:
    progress = Progress(label, (end - start) // step + 1, stream)
    try:
        return client.query_range(query, start, end, step, progress)
    finally:
        progress.close()


# ---------------------------------------------------------------- availability


def _plan_availability(agreement, folder, metric, queries: CollectedMetric, periods, client, url, plan: Plan, stream) -> None:
    step = queries.step_seconds
    start, end = _window(agreement, periods[0])[0], _window(agreement, periods[-1])[1]
    _check_grid(agreement, periods, start, step, metric.id)
    series = one_series(
        _query(client, queries.availability, start, end - step, step, f"{agreement.id} {metric.id}", stream),
        queries.availability,
        start,
        end,
    )
    spans = availability_spans(series, queries.availability, start, end, step, queries.empty_rule)
    path = files.outage_log_path(folder, metric.id)
    covered, old_spans = files.read_outage_log(path)
    source = f"{queries.availability} at a {queries.step} step"
    text = files.outage_log_text(metric.id, spans, source, (periods[0].label, periods[-1].label), url)
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    # Each closed period names the metric in its results file, so that a month without any outage
    # is evaluated too (at 100%: the monitoring answered every step), not left out as unreported.
    for period in periods:
        results = folder / "results" / f"{period.label}.yaml"
        if planned_entry(plan, results, metric.id) is None:
            note = f"Measured by `sla collect`: the outages are in outages/{path.name}."
            add_results_entry(plan, results, period, metric.id, {"outages": [], "note": note})
    if text == old_text:
        plan.notes.append(f"{agreement.id} {metric.id}: unchanged, {len(periods)} closed periods")
        return
    plan.files[path] = text
    written_before = set(labels_between(covered, periods[0].kind)) if covered else set()
    changed = [
        period
        for period in periods
        if period.label in written_before and _clipped(old_spans, _window(agreement, period)) != _clipped(spans, _window(agreement, period))
    ]
    if changed:
        ours = display_path(path)
        kept = tuple(e for e in agreement.outage_log or () if e.position is None or e.position.file != ours)
        new_log = kept + tuple(_entry_of(span, metric.id, source, ours) for span in spans)
        add_corrections(
            plan, folder, agreement, dataclasses.replace(agreement, outage_log=new_log), changed, metric, f"{source}, from {url}"
        )
    plan.notes.append(
        f"{agreement.id} {metric.id}: {len(spans)} outages in {len(periods)} closed periods ({periods[0]} to {periods[-1]}) -> {path}"
    )


def _check_grid(agreement: Agreement, periods: list[Period], start: int, step: int, metric_id: str) -> None:
    for period in periods:
        boundary = _window(agreement, period)[0]
        if (boundary - start) % step:
            raise CollectError(
                f"the step of `{metric_id}` ({step} s) does not fall on the start of period {period} ({stamp(boundary)}); expected a step that divides an hour"
            )


def labels_between(covered: tuple[str, str], kind: str) -> list[str]:
    """The labels of the periods of `kind` from the first covered period to the last, in order."""
    first, last = Period.parse(covered[0]), Period.parse(covered[1])
    labels, period = [], first
    while period <= last and period.kind == kind:
        labels.append(period.label)
        period = period.next()
    return labels


def _clipped(spans: list[Span], window: tuple[int, int]) -> list[tuple[int, int, bool]]:
    start, end = window
    return [(max(s.start, start), min(s.end, end), s.no_data) for s in spans if s.end > start and s.start < end]


def _entry_of(span: Span, metric_id: str, source: str, display: str):
    """A collected span as the loader would read it from the outage log."""
    outage = LoggedOutage(
        start=files.utc_moment(span.start),
        end=files.utc_moment(span.end),
        metrics=[metric_id],
        tags=[files.NO_DATA_TAG] if span.no_data else [],
        source=source,
    )
    return outage_entry(outage, "UTC", Position(display), [metric_id], logged=True)


# ---------------------------------------------------------------- counters


def _plan_counters(agreement, folder, metric, queries: CollectedMetric, periods, client, plan: Plan, stream) -> None:
    step = queries.step_seconds
    start, end = _window(agreement, periods[0])[0], _window(agreement, periods[-1])[1]
    label = f"{agreement.id} {metric.id}"
    requests = _query(client, queries.requests, start, end, step, label + " requests", stream)
    if not requests:
        raise CollectError(
            f"the query `{queries.requests}` returned no data from {stamp(start)} to {stamp(end)}; check the metric name and its labels"
        )
    errors = _query(client, queries.errors, start, end, step, label + " errors", stream)
    rule = queries.empty_rule
    written = 0
    for period in periods:
        terms = agreement.version_for(period).terms
        governing = terms.metric(metric.id)
        if governing is None or governing.measure.kind != MEASURED_BY[queries.query_key]:
            continue
        window = _window(agreement, period)
        counts = interval_counts(requests, errors, (queries.requests, queries.errors), window, governing.measure.interval_minutes * 60)
        empty = [slot for slot, c in counts.items() if not c.data]
        if empty and rule is WhenEmpty.ERROR:
            raise CollectError(
                f"no data from `{queries.requests}` in {len(empty)} intervals of {period}, the first from {stamp(empty[0])}; "
                "`when_empty: error` leaves such a period unwritten: fix the monitoring, or set `when_empty: no_requests`"
            )
        rows = [(slot, c.requests, c.errors) for slot, c in sorted(counts.items()) if c.errors]
        note = (
            f"{len(empty)} intervals without samples from the monitoring system are counted as intervals without requests (`when_empty: no_requests`)."
            if empty
            else None
        )
        written += _plan_period_counts(agreement, folder, governing, period, rows, note, queries, client.url, plan)
    plan.notes.append(
        f"{agreement.id} {metric.id}: {len(periods)} closed periods ({periods[0]} to {periods[-1]}), {written} files to write"
    )


def _plan_period_counts(agreement, folder, metric, period, rows, note, queries, url, plan: Plan) -> int:
    results = folder / "results" / f"{period.label}.yaml"
    csv_name = files.intervals_name(metric.id, period.label)
    text = files.intervals_text(rows)
    entry = planned_entry(plan, results, metric.id)
    named = entry.get("intervals") if entry is not None else None
    if named is None:
        entry = {"intervals": csv_name, "note": note} if note else {"intervals": csv_name}
        add_results_entry(plan, results, period, metric.id, entry)
        plan.files[results.parent / csv_name] = text
        return 2
    csv_path = results.parent / named
    old = csv_path.read_text(encoding="utf-8") if csv_path.exists() else None
    if old == text:
        return 0
    plan.files[csv_path] = text
    if old is not None:
        records = tuple(Interval(files.utc_moment(t), r, e, Position(str(csv_path))) for t, r, e in rows)
        results_after = tuple(
            dataclasses.replace(r, intervals={**r.intervals, metric.id: records}) if r.period == period else r for r in agreement.results
        )
        evidence = f"requests `{queries.requests}`, errors `{queries.errors}`, from {url}"
        add_corrections(plan, folder, agreement, dataclasses.replace(agreement, results=results_after), [period], metric, evidence)
    return 1


def planned_entry(plan: Plan, results: Path, metric_id: str) -> dict | None:
    """The metric's entry in a results file as this run will leave it (planned, else on disk)."""
    if results in plan.files:
        return files.results_metric(plan.files[results], results, metric_id)
    if results.exists():
        return files.results_metric(results.read_text(encoding="utf-8"), results, metric_id)
    return None


def add_results_entry(plan: Plan, results: Path, period: Period, metric_id: str, entry: dict) -> None:
    """Name the metric in the period's results file: a new file, or one more entry in the existing one."""
    if results in plan.files:
        plan.files[results] = files.with_metric(plan.files[results], results, metric_id, entry)
    elif results.exists():
        plan.files[results] = files.with_metric(results.read_text(encoding="utf-8"), results, metric_id, entry)
    else:
        plan.files[results] = files.new_results_text(period.label, metric_id, entry)


# ---------------------------------------------------------------- corrections


def _attainments(record: Agreement, metric_id: str) -> dict[Period, Fraction | None]:
    """The metric's attainment per period, by the engine itself: what the page shows."""
    return {o.period: next((m.attainment for m in o.metrics if m.metric.id == metric_id), None) for o in evaluate(record).periods}


def add_corrections(
    plan: Plan,
    folder: Path,
    before: Agreement,
    after: Agreement,
    periods: list[Period],
    metric: Metric,
    evidence: str,
    source: str = "the monitoring system",
    only_changed: bool = False,
) -> None:
    """Closed periods whose answer changed: a correction each, with the attainment the engine gives
    before (the files as they are) and after (the new answer). `only_changed`: a period whose
    attainment stays the same gets none (the evidence moved, the figure did not)."""
    shown, corrected = _attainments(before, metric.id), _attainments(after, metric.id)
    for period in periods:
        old, new = shown.get(period), corrected.get(period)
        if old is None or new is None:
            if not only_changed:
                plan.notes.append(f"{before.id} {metric.id}: {period} changed, but it has no attainment to compare; no correction recorded")
            continue
        if only_changed and old == new:
            continue
        _add_correction(plan, folder, period, metric, old, new, evidence, source)


def _add_correction(
    plan: Plan, folder: Path, period: Period, metric: Metric, before: Fraction, after: Fraction, evidence: str, source: str
) -> None:
    """A closed period's answer changed: the collector's correction, dated the day it ran."""
    today = plan.today
    entry = {
        "period": period.label,
        "date": today.isoformat(),
        "category": CorrectionCategory.COLLECTOR.value,
        "reason": f"sla collect read a different answer for `{metric.id}` from {source} than the one written before",
        "evidence": evidence,
        "metrics": {metric.id: {"before": str(recorded_figure(metric, before)), "after": str(recorded_figure(metric, after))}},
    }
    plan.corrections.setdefault(files.corrections_path(folder), []).append(entry)


def collect(targets: list[tuple[Agreement, Path, Collection]], now: dt.datetime, server: str | None = None, stream=None) -> Plan:
    """Plan the collection of every target agreement; nothing is written until `Plan.write`."""
    plan = Plan(today=now.astimezone(dt.UTC).date())
    for agreement, folder, collection in targets:
        plan_agreement(agreement, folder, collection, now, plan, server, stream)
    return plan


__all__ = ["CollectError", "Plan", "closed_periods", "collect"]
