"""load: the `agreements/` tree to typed, validated records, with every problem at once.

Layout of one agreement (documented in the format reference):

    agreements/<id>/agreement.yaml     one YAML document per version, oldest first
    agreements/<id>/results/<period>.yaml   one file per period (2026-10, 2026-Q4)
    agreements/<id>/results/<name>.csv      interval series named by a results file
    agreements/<id>/versions.lock      content hashes of published versions (written by `sla lock`)

The checks that span several values (tiers, versions, results against terms)
live here, beside the per-field checks of the model, so that `sla validate`,
`sla credits` and the MkDocs plugin share one validation path.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import itertools
import os
import re
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from mkdocs_sla.core import model
from mkdocs_sla.core.credits import misses_minimum
from mkdocs_sla.core.diagnostics import Diagnostics, Position, excerpt
from mkdocs_sla.core.measures import measured_window
from mkdocs_sla.core.model import Results, Terms
from mkdocs_sla.core.outages import measured_by_log
from mkdocs_sla.core.periods import Period, localize
from mkdocs_sla.core.records import Agreement, Catalog, Interval, PeriodResults, Version
from mkdocs_sla.source import outagelog, reviewlog, ticketload
from mkdocs_sla.source.audiences import (
    CUSTOMERS_FILE,
    check_tree_customers,
    check_version_key,
    check_versions_agree,
    fact_of,
    key_position,
)
from mkdocs_sla.source.calendars import CALENDARS_DIR, shared_calendars
from mkdocs_sla.source.checks import check_id, check_tiers
from mkdocs_sla.source.collect.config import load_collection
from mkdocs_sla.source.corrections import with_corrections
from mkdocs_sla.source.entries import RESULTS_DIR, check_entries
from mkdocs_sla.source.intervals import read_intervals
from mkdocs_sla.source.lock import AGREEMENT_FILE, LOCK_FILE, check_lock, digest, lock_text
from mkdocs_sla.source.pydantic_errors import unknown, validate
from mkdocs_sla.source.services import SERVICES_DIR
from mkdocs_sla.source.yamlsource import Document, display_path, link_problem, parse, read_text

# Names callers import from here (the CLI, the plugin, the site, the tests).
__all__ = [
    "AGREEMENT_FILE",
    "LOCK_FILE",
    "RESULTS_DIR",
    "Agreement",
    "Catalog",
    "PeriodResults",
    "Version",
    "agreement_folders",
    "digest",
    "display_path",
    "is_agreement_folder",
    "load",
    "load_agreement",
    "lock_text",
    "paused_gc",
    "validate",
]


def load(root: Path | str, today: dt.date | None = None) -> Catalog:
    """Load every agreement folder under `root`. Invalid agreements are left out of
    `agreements`, never silently: their problems are in `diagnostics`. With `today` (the
    adapter's clock), results of a period not ended by then are errors."""
    from mkdocs_sla.source.services import load_services

    diagnostics = Diagnostics()
    records = []
    with paused_gc():
        services = load_services(Path(root), diagnostics)
        for folder in agreement_folders(Path(root), diagnostics):
            record = load_agreement(folder, diagnostics, today, services)
            if record is not None:
                records.append(record)
    diagnostics.items.extend(check_tree_customers(Path(root), [fact_of(r) for r in records], diagnostics))
    return Catalog(tuple(records), tuple(diagnostics.sorted()), tuple(s.record for s in services.values() if s.valid))


@contextlib.contextmanager
def paused_gc():
    """Loading makes millions of small objects and no reference cycles, so the cyclic
    garbage collector only rescans them: pausing it saves 40% of a large catalog's load."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def agreement_folders(root: Path, diagnostics: Diagnostics) -> list[Path]:
    """The agreement folders of a tree, oldest name first; reports what is misplaced at the top."""
    if not root.is_dir():
        diagnostics.error(Position(display_path(root)), "no agreements folder here; expected a folder with one sub-folder per agreement")
        return []
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        diagnostics.error(Position(display_path(root)), f"cannot read the agreements folder: {exc.strerror or exc}")
        return []
    # `sla validate .`: Path(".").name is empty; the folder's own name is what a reader knows.
    name = root.resolve().name or str(root.resolve())
    links = {p for p in entries if p.is_symlink()}
    for link in sorted(links):
        diagnostics.error(Position(display_path(link)), link_problem(link) or "")
    # Shared business calendars live beside the agreements; their errors are the tree's, reported once.
    for problem in shared_calendars(root, validate)[1]:
        diagnostics.error(problem.position, problem.message)
    if (root / CALENDARS_DIR / AGREEMENT_FILE).exists():
        diagnostics.error(
            Position(display_path(root / CALENDARS_DIR / AGREEMENT_FILE)),
            f"`{CALENDARS_DIR}` is the folder of shared business calendars, not an agreement; expected the agreement in a folder with another id",
        )
    for stray in (p for p in entries if p not in links and p.is_file() and p.suffix in (".yaml", ".yml") and p.name != CUSTOMERS_FILE):
        diagnostics.error(
            Position(display_path(stray)),
            f"agreement files belong in a folder named by the agreement id: expected {excerpt(name)}/<id>/{AGREEMENT_FILE}",
        )
    return [p for p in entries if p not in links and is_agreement_folder(p)]


def is_agreement_folder(path: Path) -> bool:
    """Whether an entry at the top of a tree is an agreement's folder: a folder, not a link, not
    hidden, and not `services/` (the services agreements inherit from) or `calendars/` (shared
    business calendars)."""
    return not path.is_symlink() and path.is_dir() and not path.name.startswith(".") and path.name not in (SERVICES_DIR, CALENDARS_DIR)


def load_agreement(
    folder: Path, diagnostics: Diagnostics, today: dt.date | None = None, services: Mapping[str, Any] | None = None
) -> Agreement | None:
    """One agreement folder; None if any error was found in it (all of them reported).
    `services`: the tree's services (`source.services.load_services`), loaded from beside the
    folder when an agreement inherits and none are given."""
    local = Diagnostics()
    path = folder / AGREEMENT_FILE
    display = display_path(path)
    try:
        names = os.listdir(folder)  # an unreadable folder is not one without agreement.yaml
    except OSError as exc:
        diagnostics.error(Position(display_path(folder)), f"cannot read the agreement folder: {exc.strerror or exc}")
        return None
    if not os.path.lexists(path):  # a folder, a link to nothing or a pipe there: read_text says what it is
        others = sorted(p.name for p in folder.glob("*.y*ml"))
        hint = f" (found {', '.join(others)})" if others else ""
        local.error(Position(display_path(folder)), f"missing {AGREEMENT_FILE}{hint}; expected the agreement's terms there")
        diagnostics.extend(local)
        return None
    text = read_text(path, display, local)
    versions, complete, services = _load_versions(folder, text, display, local, services) if text is not None else ([], False, services)
    log = outagelog.load_log(folder, versions, local, today) if complete else None
    windows = outagelog.load_maintenance(folder, versions, local) if complete else ()
    inherited = versions[-1].inherited if versions else None
    service = services[inherited.service].record if inherited is not None and services else None
    shared = service is not None and service.outages is not None
    # The results are read even when the terms are not (all errors at once), but checked against the terms only when
    # every version was read: against a partial history they would give false errors ("before the agreement took effect").
    results = _load_results(folder, versions if complete else [], local, today, has_log=log is not None or shared)
    if complete:
        outagelog.check_overlaps(log or (), results, versions, local)
    if complete and shared:
        # The service's outage log reaches this agreement: its entries join the agreement's own log
        # (after the overlap check of its own entries, before corrections, which may name them).
        from mkdocs_sla.core.shared import service_outages

        log = (*(log or ()), *service_outages(service, versions[-1].terms))
    if complete:
        results, corrections = with_corrections(folder, versions, results, local, log)
    calendars = {}
    if versions and complete:
        results, calendars = ticketload.attach(folder, versions, results, text, local, validate, today)
    if versions and not local.errors:
        check_lock(folder, versions, local)
    record = (
        Agreement(
            folder.name,
            display_path(folder),
            display,
            tuple(versions),
            tuple(results),
            log,
            windows,
            corrections if complete else (),
            calendars,
            reviewlog.load_reviews(folder, versions, local, today) if complete else (),
        )
        if versions
        else None
    )
    collected = load_collection(folder, record, local) if record is not None and not local.errors else None  # with the agreement it names
    check_entries(folder, names, local, collected[0] if collected else None)
    diagnostics.extend(local)
    if local.errors or not versions:
        return None
    return record


# ---------------------------------------------------------------- versions


def _load_versions(
    folder: Path, text: str, display: str, diagnostics: Diagnostics, services: Mapping[str, Any] | None
) -> tuple[list[Version], bool, Mapping[str, Any] | None]:
    """The versions of `agreement.yaml`, whether every one was read without an error, and the
    services (loaded here when an inheriting document needs them and none were given)."""
    from mkdocs_sla.source import services as inheritance

    folder_name = folder.name
    before = len(diagnostics.errors)
    documents = parse(text, display, diagnostics)
    if not documents and not diagnostics.errors:
        diagnostics.error(Position(display), "the file holds no agreement; expected one YAML document per version")
    versions = []
    for document in documents:
        if inheritance.inherits(document):
            if services is None:  # the service's own errors are reported when the tree is loaded
                services = inheritance.load_services(folder.parent, Diagnostics())
            for index, version in enumerate(inheritance.inherited_versions(document, services, diagnostics)):
                check_id(version.terms, document, folder_name, diagnostics)
                if index == 0:  # the parties are the document's: one check of its customer key
                    check_version_key(version.terms, document, diagnostics)
                versions.append(dataclasses.replace(version, customer_at=key_position(document, version.terms)))
            continue
        terms = validate(Terms, document, diagnostics)
        if terms is None:
            continue
        check_id(terms, document, folder_name, diagnostics)
        _check_terms(terms, document, diagnostics)
        check_version_key(terms, document, diagnostics)
        versions.append(Version(terms, Position(display, document.start_line, 1), digest(terms), customer_at=key_position(document, terms)))
    versions = inheritance.drop_superseded(versions)
    _check_version_order(versions, documents, diagnostics)
    if versions:
        check_versions_agree(versions, diagnostics)
    return versions, bool(versions) and len(diagnostics.errors) == before, services


def _natural_key(label: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", label))


def _check_version_order(versions: list[Version], documents: list[Document], diagnostics: Diagnostics) -> None:
    by_label: dict[str, Version] = {}
    by_date: dict[dt.date, Version] = {}
    for version in versions:
        where = Position(version.position.file, version.position.line, 1)
        if version.label in by_label:
            diagnostics.error(
                where,
                f"version `{version.label}` appears twice (first at line {by_label[version.label].position.line}); each version needs its own label",
            )
        by_label.setdefault(version.label, version)
        if version.effective in by_date:
            diagnostics.error(
                where,
                f"versions `{by_date[version.effective].label}` and `{version.label}` take effect on the same day {version.effective}; expected distinct dates",
            )
        by_date.setdefault(version.effective, version)
    for earlier, later in itertools.pairwise(versions):
        if later.effective < earlier.effective:
            diagnostics.error(
                later.position,
                f"version `{later.label}` takes effect {later.effective}, before the version above it (`{earlier.label}`, {earlier.effective}); expected versions oldest first",
            )
        elif _natural_key(later.label) < _natural_key(earlier.label):
            diagnostics.error(
                later.position,
                f"version `{later.label}` takes effect after `{earlier.label}` but its label is lower; expected labels that increase with the effective date",
            )
    if len({v.terms.period for v in versions}) > 1:
        diagnostics.error(
            versions[-1].position, "all versions of an agreement must use the same `period` (month or quarter), so results stay comparable"
        )


def _check_terms(terms: Terms, document: Document, diagnostics: Diagnostics) -> None:
    """The rules that span several fields of one version."""
    outagelog.check_terms_windows(terms, document.position, diagnostics)
    seen: dict[str, int] = {}
    for index, metric in enumerate(terms.metrics):
        if metric.id in seen:
            diagnostics.error(
                document.position(("metrics", index, "id")), f"metric id `{metric.id}` is used twice in this version; expected unique ids"
            )
        seen[metric.id] = index
        if metric.is_percent and not 0 <= metric.objective <= 100:
            what = f"a `{metric.measure.kind}` metric" if metric.measure.percent else "a metric in `%`"
            diagnostics.error(
                document.position(("metrics", index, "objective")),
                f"metrics[{index}].objective: objective of {what} is a percentage: expected 0 to 100, got {metric.objective}",
            )
        credits = metric.credits
        if credits is None:
            continue
        if credits.tier_table:
            check_tiers(metric, lambda i, index=index: document.position(("metrics", index, "credits", "tiers", i)), diagnostics)
        if credits.pooled and (terms.credit_terms is None or terms.credit_terms.pool is None):
            diagnostics.error(
                document.position(("metrics", index, "credits", "model")),
                f"a `{credits.model}` credit needs `credit_terms.pool.at_risk`; expected the at-risk percentage there",
            )
        minimum = credits.minimum_service_level
        if minimum is not None and misses_minimum(metric, Fraction(metric.objective)):
            diagnostics.error(
                document.position(("metrics", index, "credits", "minimum")),
                f"the minimum service level {minimum} is stricter than the expected level (objective {metric.objective}); expected a minimum the objective meets",
            )
        # Every credit model is a share of the credit base, so every one needs `credit_terms`.
        if terms.credit_terms is None:
            diagnostics.error(
                document.position(("metrics", index, "credits")),
                "credits need `credit_terms` (at least `base`); expected a `credit_terms:` section",
            )
    remedies = terms.remedies
    if remedies and remedies.rolling_average and remedies.rolling_average.metric not in seen:
        diagnostics.error(
            document.position(("remedies", "rolling_average", "metric")), unknown("metric", remedies.rolling_average.metric, list(seen))
        )
    if remedies:
        for index, step in enumerate(remedies.escalation):
            if step.misses > step.within:
                diagnostics.error(
                    document.position(("remedies", "escalation", index, "misses")),
                    f"{step.misses} misses cannot happen within {step.within} periods; expected misses <= within",
                )
        if remedies.chronic and remedies.chronic.misses > remedies.chronic.within:
            diagnostics.error(
                document.position(("remedies", "chronic", "misses")),
                f"{remedies.chronic.misses} misses cannot happen within {remedies.chronic.within} periods; expected misses <= within",
            )


# ---------------------------------------------------------------- results


# Every key of a period's results that belongs to some measure (each measure names its own: `result_keys`).
RESULT_KEYS = frozenset().union(*(m.result_keys for m in model.MEASURES))


def _load_results(
    folder: Path, versions: list[Version], diagnostics: Diagnostics, today: dt.date | None = None, has_log: bool = False
) -> list[PeriodResults]:
    """The results files of one agreement. With `versions` empty (terms that could not be read),
    each file is still checked on its own, and nothing is checked against the terms. With
    `today`, a period that has not ended by then is an error. With `has_log`, outages may be in
    the agreement's outage log instead of the results."""
    directory = folder / RESULTS_DIR
    if not os.path.lexists(directory):
        return []
    if directory.is_symlink():
        diagnostics.error(Position(display_path(directory)), link_problem(directory) or "")
        return []
    try:
        entries = sorted(directory.iterdir())
    except NotADirectoryError:
        diagnostics.error(
            Position(display_path(directory)), f"`{RESULTS_DIR}` is a file, not a folder; expected a folder of <period>.yaml files"
        )
        return []
    except OSError as exc:
        diagnostics.error(Position(display_path(directory)), f"cannot read the folder: {exc.strerror or exc}")
        return []
    record_stub = Agreement(folder.name, "", "", tuple(versions), ())
    kind = versions[0].terms.period if versions else None
    by_period: dict[Period, PeriodResults] = {}
    named_csvs: set[str] = set()
    all_read = True  # whether every results file was parsed, so the CSVs it names are known
    csvs = [path for path in entries if path.suffix == ".csv"]
    metric_ids = sorted({m.id for v in versions for m in v.terms.metrics})
    for path in entries:
        display = display_path(path)
        if path.suffix == ".csv":
            continue  # read through the results file that names it
        if path.suffix not in (".yaml", ".yml"):
            diagnostics.error(Position(display), "unexpected file in results/; expected <period>.yaml files and the .csv series they name")
            continue
        text = read_text(path, display, diagnostics)
        if text is None:
            all_read = False
            continue
        documents = parse(text, display, diagnostics)
        if len(documents) != 1:
            all_read = False
            if documents or not diagnostics.errors:
                diagnostics.error(Position(display), f"a results file holds one YAML document; found {len(documents)}")
            continue
        document = documents[0]
        named_csvs |= _named_csvs(document.data)
        results = validate(Results, document, diagnostics, known_keys={("metrics",): ("metric", metric_ids)} if versions else None)
        if results is None:
            continue
        period = Period.parse(results.period)
        if kind is not None and period.kind != kind:
            diagnostics.error(
                document.position(("period",)),
                f"period `{results.period}` is a {period.kind}, but this agreement is measured per {kind}; expected {'`YYYY-MM`' if kind == 'month' else '`YYYY-Qn`'}",
            )
            continue
        if path.stem != results.period:
            diagnostics.error(
                document.position(("period",)),
                f"period `{results.period}` differs from the file name `{excerpt(path.name)}`; expected `{results.period}.yaml`",
            )
        if period in by_period:
            diagnostics.error(
                document.position(("period",)),
                f"a second result for period {period} (first in {by_period[period].file}); expected one results file per period",
            )
            continue
        if today is not None and not period.has_ended_by(today):
            diagnostics.error(
                document.position(("period",)),
                f"period {period} has not ended (it ends on {period.last_day}, after today, {today}); "
                "expected results only for periods that have ended",
            )
            continue
        if not versions:
            continue
        first = versions[0]
        if period.end <= first.effective:
            diagnostics.error(
                document.position(("period",)),
                f"period {period} ends before the agreement took effect ({first.effective}, version `{first.label}`); expected periods from {Period.containing(first.effective, kind)} on",
            )
            continue
        terms = record_stub.version_for(period).terms
        intervals = _check_results(terms, period, results, document, directory, first.effective, diagnostics, has_log)
        positions = {
            metric_id: tuple(document.position(("metrics", metric_id, "outages", n)) for n in range(len(result.outages)))
            for metric_id, result in results.metrics.items()
            if result.outages
        }
        by_period[period] = PeriodResults(period, results, display, intervals, positions)
    if all_read:
        _report_unnamed_csvs(csvs, named_csvs, diagnostics)
    return [by_period[p] for p in sorted(by_period)]


def _named_csvs(data: object) -> set[str]:
    """The interval CSVs a results file names (`metrics.<id>.intervals`), read from the plain data
    so that they are known even when the file has other errors."""
    metrics = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(metrics, dict):
        return set()
    return {m["intervals"] for m in metrics.values() if isinstance(m, dict) and isinstance(m.get("intervals"), str)}


def _report_unnamed_csvs(csvs: list[Path], named: set[str], diagnostics: Diagnostics) -> None:
    """A CSV in results/ that no results file names is read by nothing: an error, never skipped."""
    for path in csvs:
        if path.name in named:
            continue
        name = excerpt(path.name)
        if _period_named(path.stem) is not None:
            message = (
                f"`{name}` is not read: the results of period {path.stem} are `{path.stem}.yaml`, and a CSV is read only "
                "as the interval series a results file names (`intervals: <name>.csv`)"
            )
        else:
            message = f"`{name}` is named by no results file, so nothing reads it; expected `intervals: {name}` in a results file, or no such file"
        diagnostics.error(Position(display_path(path)), message)


def _period_named(label: str) -> Period | None:
    """The period a file stem names (`2026-03`), or None."""
    try:
        return Period.parse(label)
    except ValueError:
        return None


def _check_results(
    terms: Terms,
    period: Period,
    results: Results,
    document: Document,
    directory: Path,
    agreement_start: dt.date,
    diagnostics: Diagnostics,
    has_log: bool = False,
) -> dict[str, tuple[Interval, ...]]:
    intervals: dict[str, tuple[Interval, ...]] = {}
    known = [m.id for m in terms.metrics]
    start, end = period.bounds(terms.timezone)
    window = measured_window(period, terms, agreement_start)
    for metric_id, result in results.metrics.items():
        metric = terms.metric(metric_id)
        where = ("metrics", metric_id)
        if metric is None:
            diagnostics.error(
                document.position(where, key=True), unknown("metric", metric_id, known) + f" (the metrics of version `{terms.version}`)"
            )
            continue
        measure = metric.measure
        kind = measure.kind
        given = {k for k in RESULT_KEYS if getattr(result, k) is not None}
        expected = measure.result_keys
        # With an outage log, a metric's outages may all be in the log.
        required = measure.required_keys - {"outages"} if has_log and measure.reads_log else measure.required_keys
        for key in sorted(given - expected):
            diagnostics.error(
                document.position((*where, key), key=True),
                f"`{key}` does not apply to metric `{metric_id}`, measured by `{kind}`; expected {_keys(expected) or 'nothing here (its results come from the ticket export)'}",
            )
        for key in sorted(required - given):
            diagnostics.error(document.position(where, key=True), f"metric `{metric_id}` is measured by `{kind}`: missing {_keys({key})}")
        for index, span in enumerate(result.running or ()):
            r_start, r_end = (localize(moment, terms.timezone).astimezone(dt.UTC) for moment in (span.start, span.end))
            if r_end <= r_start:
                diagnostics.error(
                    document.position((*where, "running", index, "end")), "the span ends before it starts; expected an end after the start"
                )
            elif r_end <= start or r_start >= end:
                diagnostics.error(
                    document.position((*where, "running", index, "start")),
                    f"the span from {span.start.isoformat()} lies outside period {period}; expected it in the file of its own period",
                )
        if "value" in measure.result_keys and result.value is not None and metric.is_percent and not 0 <= result.value <= 100:
            diagnostics.error(document.position((*where, "value")), f"{result.value} is not a percentage; expected 0 to 100")
        if measure.reads_log and result.outages:
            for index, outage in enumerate(result.outages):
                o_start, o_end = (localize(moment, terms.timezone).astimezone(dt.UTC) for moment in (outage.start, outage.end))
                at = document.position((*where, "outages", index, "start"))
                if o_end == o_start:
                    diagnostics.error(
                        document.position((*where, "outages", index, "end")),
                        f"outage ends when it starts ({outage.end.isoformat()}), so it lasts no time; expected an end after the start",
                    )
                elif o_end < o_start:
                    diagnostics.error(
                        document.position((*where, "outages", index, "end")),
                        f"outage ends ({outage.end.isoformat()}) before it starts ({outage.start.isoformat()}); expected an end after the start",
                    )
                elif o_end <= start or o_start >= end:
                    diagnostics.error(
                        at,
                        f"outage from {outage.start.isoformat()} lies outside period {period}; expected it in the file of its own period",
                    )
                elif window[0] == start:
                    continue  # not a partial first period: an outage may start in the period before
                elif o_end <= window[0]:
                    diagnostics.warning(
                        at,
                        f"outage from {outage.start.isoformat()} lies before the agreement took effect on {agreement_start}; it does not count",
                    )
                elif o_start < window[0]:
                    diagnostics.warning(
                        at,
                        f"outage from {outage.start.isoformat()} starts before the agreement took effect on {agreement_start}; only its part from then on counts",
                    )
        if "intervals" in measure.result_keys and result.intervals:
            rows = read_intervals(
                directory / result.intervals,
                document.position((*where, "intervals")),
                (start, end),
                window,
                metric.measure.interval_minutes,
                terms.timezone,
                diagnostics,
            )
            if rows is not None:
                intervals[metric_id] = rows
    for metric in terms.metrics:
        if (
            metric.id not in results.metrics and metric.measure.required_keys and not measured_by_log(metric.measure, has_log)
        ):  # tickets: warned by ticketload
            diagnostics.warning(
                document.position(("metrics",), key=True),
                f"no result for metric `{metric.id}` in period {period}; it is shown as not reported and earns no credit",
            )
    return intervals


def _keys(keys: set[str]) -> str:
    return " and ".join(f"`{k}`" for k in sorted(keys))
