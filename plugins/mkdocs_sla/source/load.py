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
import csv
import datetime as dt
import difflib
import gc
import hashlib
import io
import itertools
import json
import os
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from mkdocs_sla.core import model
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.measures import measured_window
from mkdocs_sla.core.model import RESERVED_IDS, Results, Terms
from mkdocs_sla.core.periods import Period, localize
from mkdocs_sla.core.records import Agreement, Catalog, Interval, PeriodResults, Version
from mkdocs_sla.source import outagelog
from mkdocs_sla.source.checks import check_tiers
from mkdocs_sla.source.yamlsource import Document, not_readable, parse, read_text

AGREEMENT_FILE = "agreement.yaml"
RESULTS_DIR = "results"
LOCK_FILE = "versions.lock"


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working directory when inside it, as editors and CI expect."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load(root: Path | str) -> Catalog:
    """Load every agreement folder under `root`. Invalid agreements are left out of
    `agreements`, never silently: their problems are in `diagnostics`."""
    from mkdocs_sla.source.services import load_services

    diagnostics = Diagnostics()
    records = []
    with paused_gc():
        services = load_services(Path(root), diagnostics)
        for folder in agreement_folders(Path(root), diagnostics):
            record = load_agreement(folder, diagnostics, services)
            if record is not None:
                records.append(record)
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
    for stray in (p for p in entries if p.is_file() and p.suffix in (".yaml", ".yml")):
        diagnostics.error(
            Position(display_path(stray)),
            f"agreement files belong in a folder named by the agreement id: expected {name}/<id>/{AGREEMENT_FILE}",
        )
    # `services/` holds the services the agreements inherit from (a reserved id, never an agreement).
    return [p for p in entries if p.is_dir() and not p.name.startswith(".") and p.name != "services"]


def load_agreement(folder: Path, diagnostics: Diagnostics, services: Mapping[str, Any] | None = None) -> Agreement | None:
    """One agreement folder; None if any error was found in it (all of them reported).
    `services`: the tree's services (`source.services.load_services`), loaded from beside the
    folder when an agreement inherits and none are given."""
    local = Diagnostics()
    path = folder / AGREEMENT_FILE
    display = display_path(path)
    if not os.path.lexists(path):  # a folder, a link to nothing or a pipe there: read_text says what it is
        others = sorted(p.name for p in folder.glob("*.y*ml"))
        hint = f" (found {', '.join(others)})" if others else ""
        local.error(Position(display_path(folder)), f"missing {AGREEMENT_FILE}{hint}; expected the agreement's terms there")
        diagnostics.extend(local)
        return None
    text = read_text(path, display, local)
    versions, services = _load_versions(folder, text, display, local, services) if text is not None else ([], services)
    log = outagelog.load_log(folder, versions, local) if versions else None
    windows = outagelog.load_maintenance(folder, versions, local) if versions else ()
    inherited = versions[-1].inherited if versions else None
    service = services[inherited.service].record if inherited is not None and services else None
    has_log = log is not None or (service is not None and service.outages is not None)
    results = _load_results(folder, versions, local, has_log=has_log) if versions else []
    if versions:
        outagelog.check_overlaps(log or (), results, versions, local)
    if service is not None and service.outages is not None:
        # The service's outage log reaches this agreement: its entries join the agreement's own log.
        from mkdocs_sla.core.shared import service_outages

        log = (*(log or ()), *service_outages(service, versions[-1].terms))
    if versions and not local.errors:
        _check_lock(folder, versions, local)
    diagnostics.extend(local)
    if local.errors or not versions:
        return None
    return Agreement(folder.name, display_path(folder), display, tuple(versions), tuple(results), log, windows)


# ---------------------------------------------------------------- versions


def _load_versions(
    folder: Path, text: str, display: str, diagnostics: Diagnostics, services: Mapping[str, Any] | None
) -> tuple[list[Version], Mapping[str, Any] | None]:
    """The versions of an agreement file, and the services (loaded here if an inheriting document needs them)."""
    from mkdocs_sla.source import services as inheritance

    folder_name = folder.name
    documents = parse(text, display, diagnostics)
    if not documents and not diagnostics.errors:
        diagnostics.error(Position(display), "the file holds no agreement; expected one YAML document per version")
    versions = []
    for document in documents:
        if inheritance.inherits(document):
            if services is None:  # the service's own errors are reported when the tree is loaded
                services = inheritance.load_services(folder.parent, Diagnostics())
            for version in inheritance.inherited_versions(document, services, diagnostics):
                _check_id(version.terms, document, folder_name, diagnostics)
                versions.append(version)
            continue
        terms = validate(Terms, document, diagnostics)
        if terms is None:
            continue
        _check_id(terms, document, folder_name, diagnostics)
        _check_terms(terms, document, diagnostics)
        versions.append(Version(terms, Position(display, document.start_line, 1), digest(terms)))
    versions = inheritance.drop_superseded(versions)
    _check_version_order(versions, documents, diagnostics)
    return versions, services


def _check_id(terms: Terms, document: Document, folder_name: str, diagnostics: Diagnostics) -> None:
    """The id is the folder's name, and no page of the site takes it."""
    if terms.id in RESERVED_IDS:
        diagnostics.error(
            document.position(("id",)),
            f"id `{terms.id}` is reserved for a page of the site ({', '.join(sorted(RESERVED_IDS))}); expected another id",
        )
    elif terms.id != folder_name and not re.fullmatch(model.SLUG, folder_name):
        diagnostics.error(
            document.position(("id",)),
            f"id `{terms.id}` differs from its folder `{folder_name}`, and the folder name is not a valid id "
            f"(lower-case letters, digits and hyphens); expected the folder named `{terms.id}`",
        )
    elif terms.id != folder_name:
        diagnostics.error(document.position(("id",)), f"id `{terms.id}` differs from its folder `{folder_name}`; expected `{folder_name}`")


def digest(terms: Terms) -> str:
    """A content hash of a version's terms, independent of formatting and comments.

    Only the keys written in the file count (`exclude_unset`): a later release of the format
    that adds an optional key with a default must not make every published version look
    rewritten."""
    canonical = json.dumps(terms.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


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
            what = f"a `{metric.measure.kind}` metric" if metric.measure.kind in model.PERCENT_MEASURES else "a metric in `%`"
            diagnostics.error(
                document.position(("metrics", index, "objective")),
                f"metrics[{index}].objective: objective of {what} is a percentage: expected 0 to 100, got {metric.objective}",
            )
        credits = metric.credits
        if credits is None:
            continue
        if credits.model == "tiers":
            check_tiers(metric, lambda i, index=index: document.position(("metrics", index, "credits", "tiers", i)), diagnostics)
        elif credits.model == "pool":
            if terms.credit_terms is None or terms.credit_terms.pool is None:
                diagnostics.error(
                    document.position(("metrics", index, "credits", "model")),
                    "a `pool` credit needs `credit_terms.pool.at_risk`; expected the at-risk percentage there",
                )
            better_min = credits.minimum <= metric.objective if metric.better == "higher" else credits.minimum >= metric.objective
            if not better_min:
                diagnostics.error(
                    document.position(("metrics", index, "credits", "minimum")),
                    f"the minimum service level {credits.minimum} is stricter than the expected level (objective {metric.objective}); expected a minimum the objective meets",
                )
        if credits.model in ("tiers", "linear", "pool") and terms.credit_terms is None:
            diagnostics.error(
                document.position(("metrics", index, "credits")),
                "credits need `credit_terms` (at least `base`); expected a `credit_terms:` section",
            )
    remedies = terms.remedies
    if remedies and remedies.rolling_average and remedies.rolling_average.metric not in seen:
        diagnostics.error(
            document.position(("remedies", "rolling_average", "metric")), _unknown("metric", remedies.rolling_average.metric, list(seen))
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


def _unknown(what: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown {what} `{name}`; {hint}expected one of: {', '.join(f'`{k}`' for k in known)}"


# ---------------------------------------------------------------- results


# Every key of a period's results that belongs to some measure (each measure names its own: `result_keys`).
RESULT_KEYS = frozenset().union(*(m.result_keys for m in model.MEASURES))


def _load_results(folder: Path, versions: list[Version], diagnostics: Diagnostics, has_log: bool = False) -> list[PeriodResults]:
    directory = folder / RESULTS_DIR
    if not os.path.lexists(directory):
        return []
    try:
        entries = sorted(directory.iterdir())
    except NotADirectoryError:
        diagnostics.error(
            Position(display_path(directory)), f"`{RESULTS_DIR}` is a file, not a folder; expected a folder of <period>.yaml files"
        )
        return []
    except OSError as exc:
        message = not_readable(directory, exc) if directory.is_symlink() else f"cannot read the folder: {exc.strerror or exc}"
        diagnostics.error(
            Position(display_path(directory)), message.replace("expected a regular file", "expected a folder of <period>.yaml files")
        )
        return []
    record_stub = Agreement(folder.name, "", "", tuple(versions), ())
    kind = versions[0].terms.period
    by_period: dict[Period, PeriodResults] = {}
    for path in entries:
        display = display_path(path)
        if path.suffix == ".csv":
            continue  # read through the results file that names it
        if path.suffix not in (".yaml", ".yml"):
            diagnostics.error(Position(display), "unexpected file in results/; expected <period>.yaml files and the .csv series they name")
            continue
        text = read_text(path, display, diagnostics)
        if text is None:
            continue
        documents = parse(text, display, diagnostics)
        if len(documents) != 1:
            if documents or not diagnostics.errors:
                diagnostics.error(Position(display), f"a results file holds one YAML document; found {len(documents)}")
            continue
        document = documents[0]
        results = validate(Results, document, diagnostics)
        if results is None:
            continue
        period = Period.parse(results.period)
        if period.kind != kind:
            diagnostics.error(
                document.position(("period",)),
                f"period `{results.period}` is a {period.kind}, but this agreement is measured per {kind}; expected {'`YYYY-MM`' if kind == 'month' else '`YYYY-Qn`'}",
            )
            continue
        if path.stem != results.period:
            diagnostics.error(
                document.position(("period",)),
                f"period `{results.period}` differs from the file name `{path.name}`; expected `{results.period}.yaml`",
            )
        if period in by_period:
            diagnostics.error(
                document.position(("period",)),
                f"a second result for period {period} (first in {by_period[period].file}); expected one results file per period",
            )
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
    return [by_period[p] for p in sorted(by_period)]


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
                document.position(where, key=True), _unknown("metric", metric_id, known) + f" (the metrics of version `{terms.version}`)"
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
                f"`{key}` does not apply to metric `{metric_id}`, measured by `{kind}`; expected {_keys(expected)}",
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
        if kind == "value" and result.value is not None and metric.is_percent and not 0 <= result.value <= 100:
            diagnostics.error(document.position((*where, "value")), f"{result.value} is not a percentage; expected 0 to 100")
        if measure.reads_log and result.outages:
            for index, outage in enumerate(result.outages):
                o_start, o_end = (localize(moment, terms.timezone).astimezone(dt.UTC) for moment in (outage.start, outage.end))
                at = document.position((*where, "outages", index, "start"))
                if o_end <= o_start:
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
            rows = _read_intervals(
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
        # A metric measured from outages alone is reported by the outage log (the agreement's or its service's).
        from_log = has_log and metric.measure.reads_log and metric.measure.required_keys <= {"outages"}
        if metric.id not in results.metrics and not from_log:
            diagnostics.warning(
                document.position(("metrics",), key=True),
                f"no result for metric `{metric.id}` in period {period}; it is shown as not reported and earns no credit",
            )
    return intervals


def _keys(keys: set[str]) -> str:
    return " and ".join(f"`{k}`" for k in sorted(keys))


COUNT_RE = re.compile(r"[0-9]{1,30}")


class _RecordLines:
    """The lines of a CSV text as `csv.reader` takes them, keeping those of the current record:
    a quoted field may hold line breaks, so a record's first line and its fields' columns come
    from the source, not from the parsed fields."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text))
        self._read = 0  # lines handed to the reader so far
        self._current: list[str] = []
        self.first_line = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._read += 1
        self._current.append(line)
        return line

    def begin(self) -> None:
        """A new record starts on the next line."""
        self._current = []
        self.first_line = self._read + 1

    def field_position(self, display: str, index: int) -> Position:
        """Where field `index` of the current record starts (its first character inside any quotes)."""
        source = "".join(self._current)
        starts = _field_starts(source)
        offset = starts[index] if index < len(starts) else 0
        line = self.first_line + source.count("\n", 0, offset)
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        return Position(display, line, column)


def _field_starts(source: str) -> list[int]:
    """Offsets of each field of one CSV record (the csv module's default dialect: `,` and `"`,
    a doubled quote inside quotes is one quote); a quoted field's offset is its first character
    after the opening quote."""
    starts = [0]
    in_quotes, at_field_start = False, True
    i = 0
    while i < len(source):
        c = source[i]
        if in_quotes:
            if c == '"':
                if source.startswith('"', i + 1):
                    i += 2
                    continue
                in_quotes = False
        elif c == ",":
            starts.append(i + 1)
            at_field_start = True
            i += 1
            continue
        elif c == '"' and at_field_start:
            in_quotes = True
            starts[-1] = i + 1
        elif c in "\r\n":
            break
        at_field_start = False
        i += 1
    return starts


def _read_intervals(
    path: Path,
    named_at: Position,
    bounds: tuple[dt.datetime, dt.datetime],
    window: tuple[dt.datetime, dt.datetime],
    minutes: int,
    timezone: str,
    diagnostics: Diagnostics,
) -> tuple[Interval, ...] | None:
    """The rows of an interval series. Intervals are consecutive spans of `minutes` of elapsed
    time from the start of the measured window, the last one possibly shorter: the rule by which
    `measures.interval_attainment` counts them. Times are compared in UTC, so a row's offset (or
    its absence) never changes which instant it names, and a month with a clock change has its
    real length."""
    display = display_path(path)
    if not os.path.lexists(path):
        diagnostics.error(named_at, f"interval file `{path.name}` not found beside the results file")
        return None
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    # Spreadsheets write UTF-8 CSV with a byte order mark; it is not part of the header.
    record = _RecordLines(text.removeprefix("\ufeff"))
    reader = csv.reader(record)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        diagnostics.error(Position(display, 1, 1), f"not a CSV file: {exc}")
        return None
    if header is None or [h.strip() for h in header] != ["start", "requests", "errors"]:
        diagnostics.error(Position(display, 1, 1), "expected the header `start,requests,errors`")
        return None
    rows: list[Interval] = []
    seen: set[dt.datetime] = set()
    step = dt.timedelta(minutes=minutes)
    start, end = (moment.astimezone(dt.UTC) for moment in bounds)
    grid = window[0].astimezone(dt.UTC)
    ok = True
    while True:
        record.begin()
        try:
            row = next(reader, None)
        except csv.Error as exc:
            diagnostics.error(Position(display, record.first_line, 1), f"not a CSV row: {exc}")
            return None
        if row is None:
            break
        if not row:
            continue
        line_no = record.first_line  # a quoted field may go on over several lines: the row's first
        where = Position(display, line_no, 1)
        if len(row) != 3:
            diagnostics.error(where, f"expected 3 fields (start, requests, errors), found {len(row)}")
            ok = False
            continue
        try:
            moment = localize(dt.datetime.fromisoformat(row[0].strip()), timezone).astimezone(dt.UTC)
        except (ValueError, OverflowError):
            diagnostics.error(where, f"`{row[0]}` is not a date and time; expected ISO 8601 such as 2026-10-01T00:05:00Z")
            ok = False
            continue
        numbers = []
        for field_index in (1, 2):
            text_value = row[field_index]
            value = text_value.strip()
            # ASCII digits only: `str.isdigit` also admits `²` (which int() refuses) and
            # fullwidth or Arabic-Indic digits (which int() reads, unlike any other tool).
            is_count = COUNT_RE.fullmatch(value) is not None
            if not is_count:
                diagnostics.error(
                    record.field_position(display, field_index),
                    f"`{text_value}` is not a count; expected a whole number of 0 or more, in the digits 0-9 (at most 30)",
                )
                ok = False
            numbers.append(int(value) if is_count else 0)
        requests, errors = numbers
        if errors > requests:
            diagnostics.error(record.field_position(display, 2), f"{errors} errors out of {requests} requests; expected errors <= requests")
            ok = False
        if not (start <= moment < end):
            diagnostics.error(
                where,
                f"interval {row[0]} lies outside the period; expected a start from {bounds[0].isoformat()} to before {bounds[1].isoformat()}",
            )
            ok = False
        elif moment < grid:
            diagnostics.warning(where, f"interval {row[0]} lies before the agreement took effect on {window[0].date()}; it does not count")
        elif (moment - grid) % step:
            diagnostics.error(
                where,
                f"interval {row[0]} does not start on a {minutes}-minute boundary of the period; "
                f"intervals follow each other every {minutes} minutes of elapsed time from {grid.isoformat()} (UTC)",
            )
            ok = False
        if moment in seen:
            diagnostics.error(where, f"interval {row[0]} appears twice; expected one row per interval")
            ok = False
        seen.add(moment)
        rows.append(Interval(moment, requests, errors, where))
    return tuple(rows) if ok else None


# ---------------------------------------------------------------- locks


def _check_lock(folder: Path, versions: list[Version], diagnostics: Diagnostics) -> None:
    """A version once published is never rewritten: its hash must match `versions.lock`."""
    path = folder / LOCK_FILE
    if not os.path.lexists(path):
        return
    display = display_path(path)
    text = read_text(path, display, diagnostics)
    if text is None:
        return
    documents = parse(text, display, diagnostics)
    if not documents:
        return
    locked = documents[0].data
    if not isinstance(locked, dict) or not all(isinstance(v, str) for v in locked.values()):
        diagnostics.error(Position(display), "expected `version: sha256:…` lines, as written by `sla lock`")
        return
    labels = {v.label: v for v in versions}
    for label, expected in locked.items():
        version = labels.get(label)
        where = documents[0].position((label,), key=True)
        if version is None:
            diagnostics.error(
                where, f"version `{label}` was published but is no longer in {AGREEMENT_FILE}; published versions stay in the history"
            )
        elif version.digest != expected:
            diagnostics.error(
                version.position,
                f"version `{label}` differs from the version published (hash in {display} line {where.line}); a version in force is never rewritten: add a new version instead",
            )


def lock_text(versions: typing.Iterable[Version], today: dt.date) -> str:
    """The content of `versions.lock`: hashes of every version published or in force by `today`."""
    lines = [
        "# Content hashes of published versions, written by `sla lock`. Do not edit by hand:",
        "# a version that no longer matches its hash was rewritten after publication.",
        "",
    ]
    for version in versions:
        if version.effective <= today or (version.terms.published and version.terms.published <= today):
            lines.append(f'"{version.label}": {version.digest}')
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- model validation


def validate(cls: type[pydantic.BaseModel], document: Document, diagnostics: Diagnostics) -> Any:
    """Validate a document against a model; report each error at its position."""
    if not isinstance(document.data, dict):
        diagnostics.error(
            document.position(), f"expected a mapping of keys to values at the top of the document, found {_kind_of(document.data)}"
        )
        return None
    try:
        return cls.model_validate(document.data)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report(cls, error, document, diagnostics)
        return None


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {"list": "a list", "str": f"the text `{value}`", "dict": "a mapping"}.get(type(value).__name__, type(value).__name__)


def _report(cls: type, error: dict, document: Document, diagnostics: Diagnostics) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    # An error on a mapping's key (a results metric id that is not a slug): pydantic ends the
    # location with `[key]`; the position is the key's, not its value's.
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
    path = _path_text(cls, loc)
    where = _source_loc(cls, loc)  # the location in the YAML: pydantic's union tags left out
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = sorted(_fields_at(cls, loc[:-1]))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        section = ".".join(str(p) for p in _path_parts(cls, loc[:-1])) or "the top level"
        diagnostics.error(
            document.position(where, key=True),
            f"unknown key `{name}` in {section}; {hint}expected one of: {', '.join(f'`{a}`' for a in allowed)}",
        )
        return
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        # `kind:` of a measure, `model:` of credits: pydantic's message names the union, not the value.
        ctx = error.get("ctx", {})
        tag_field = str(ctx.get("discriminator", "")).strip("'")
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        if not expected:
            expected = _tags_at(cls, loc, tag_field)
        what = {"kind": "measure", "model": "credit model"}.get(tag_field, tag_field)
        section = _path_text(cls, loc)
        if kind == "union_tag_not_found":
            choices = ", ".join(f"`{e}`" for e in expected)
            diagnostics.error(
                document.position(where),
                f"missing key `{tag_field}` in {section}; expected one of: {choices}"
                if choices
                else f"missing key `{tag_field}` in {section}",
            )
        else:
            diagnostics.error(
                document.position((*where, tag_field)), f"{section}.{tag_field}: " + _unknown(what, str(ctx.get("tag", "")), expected)
            )
        return
    if kind == "missing":
        diagnostics.error(
            document.position(where[:-1]),
            f"missing key `{loc[-1]}`" + (f" in {_path_text(cls, loc[:-1])}" if loc[:-1] else "") + _description(cls, loc),
        )
        return
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Input should be"):
        message = "expected a value that should be" + message[len("Input should be") :]
        given = error.get("input")
        if isinstance(given, (str, int)) or given is None:
            message = f"`{given if given is not None else 'nothing'}` is not valid: {message}"
    if kind == "string_pattern_mismatch":
        given = error.get("input")
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern == model.SLUG:
            message = f"`{given}` is not a slug; expected lower-case letters, digits and hyphens, starting with a letter or digit"
        elif pattern == model.PERIOD_RE.pattern:
            message = (
                f"`{given}` is not a period; expected a month `YYYY-MM` (01 to 12) or a quarter `YYYY-Qn` (1 to 4), years 1900 to 2999"
            )
        elif loc and loc[-1] == "intervals":
            message = f"`{given}` is not a CSV file name; expected a name like `errors-2026-10.csv` beside the results file"
    if on_key:  # the path names the mapping; the key itself is quoted by the message or the position
        path = _path_text(cls, loc[:-1])
        if not str(loc[-1]).strip():
            message = "a key is empty; expected a name"
    diagnostics.error(document.position(where, key=on_key), f"{path}: {message}" if path else message)


def _tags_at(cls: type, loc: tuple, tag_field: str) -> list[str]:
    """The tags a discriminated union at `loc` admits (`downtime`, `intervals`…), in model order."""
    info = _field_info(cls, loc)
    tp = _unwrap(info.annotation) if info is not None else None
    tags: list[str] = []
    for member in typing.get_args(tp):
        member = _unwrap(member)
        if isinstance(member, type) and issubclass(member, pydantic.BaseModel) and tag_field in member.model_fields:
            tags.extend(typing.get_args(member.model_fields[tag_field].annotation))
    return tags


def _description(cls: type, loc: tuple) -> str:
    info = _field_info(cls, loc)
    return f"; expected {info.description[0].lower()}{info.description[1:]}" if info is not None and info.description else ""


def _path_parts(cls: type, loc: tuple) -> list[str]:
    """A readable path: union tags that pydantic puts into locations are left out."""
    parts: list[str] = []
    for item in _walk(cls, loc):
        part, _tp, skipped = item
        if skipped:
            continue
        if isinstance(part, int):
            if parts:
                parts[-1] = f"{parts[-1]}[{part}]"
            else:
                parts.append(f"[{part}]")
        else:
            parts.append(str(part))
    return parts


def _source_loc(cls: type, loc: tuple) -> tuple:
    """The error location as keys and indexes of the document. A discriminated union puts its
    tag into the location (`credits.tiers.tiers[1]`); the tag `tiers` is also a key there,
    so left in, it would stop the walk on the wrong node."""
    tags = {index for index, (_part, _tp, skipped) in enumerate(_walk(cls, loc)) if skipped}
    return tuple(part for index, part in enumerate(loc) if index not in tags)


def _path_text(cls: type, loc: tuple) -> str:
    return ".".join(_path_parts(cls, loc))


def _walk(cls: type, loc: tuple):
    """Follow a pydantic error location through the model's types, yielding (part, type, is_union_tag)."""
    tp: Any = cls
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            field_info = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field_info.annotation if field_info else Any
            yield part, tp, False
        elif origin is list:
            tp = typing.get_args(tp)[0]
            yield part, tp, False
        elif origin is dict:
            tp = typing.get_args(tp)[1]
            yield part, tp, False
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            members = [_unwrap(m) for m in typing.get_args(tp) if m is not type(None)]
            match = None
            for member in members:
                if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
                    tag_field = next((f for f in ("model", "kind") if f in member.model_fields), None)
                    if tag_field and part in typing.get_args(member.model_fields[tag_field].annotation):
                        match = member
            if match is not None:
                tp = match
                yield part, tp, True
            elif len(members) == 1:
                # `X | None`: the location continues inside X
                tp = members[0]
                yield from _walk(tp, (part,))
                return
            else:
                yield part, Any, True
                tp = Any
        else:
            yield part, Any, False
            tp = Any


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    args = (
        [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None))
        else None
    )
    if args is not None and len(args) == 1:
        return _unwrap(args[0])
    return tp


def _fields_at(cls: type, loc: tuple) -> list[str]:
    tp: Any = cls
    for step in _walk(cls, loc):
        tp = step[1]  # the type at the end of the path
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return list(tp.model_fields)
    return []


def _field_info(cls: type, loc: tuple):
    parent: Any = cls
    for _part, tp, _tag in _walk(cls, loc[:-1]):
        parent = tp
    parent = _unwrap(parent)
    if isinstance(parent, type) and issubclass(parent, pydantic.BaseModel):
        return parent.model_fields.get(loc[-1])
    return None
