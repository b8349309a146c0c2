"""services: the services under `agreements/services/`, and the versions of agreements that inherit them.

Layout of one service (documented in the format reference):

    agreements/services/<id>/service.yaml    the service: name, description, family, components
    agreements/services/<id>/standard.yaml   its standard terms, one YAML document per version, oldest first
    agreements/services/<id>/outages.yaml    its outage log (optional): every agreement on the service counts it
    agreements/services/<id>/versions.lock   content hashes of its published standard versions (written by `sla lock`)

`services` is a reserved agreement id, so the folder never collides with an agreement's.

An agreement document with `standard:` is expanded here into plain versions: the
standard version(s) it follows merged with what it writes (`core.inheritance`). An
error in the effective terms is reported where it was written: at the agreement's
line, or, when the standard wrote it, at the standard's line and again at the
agreement's `standard:` line ("standard `2.0` leaves this agreement invalid").
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from mkdocs_sla.core.diagnostics import Diagnostics, Position, Severity
from mkdocs_sla.core.fields import Model
from mkdocs_sla.core.inheritance import PARTY_KEYS, MetricWithoutId, Side, UnknownMetric, merge_terms, standard_baseline
from mkdocs_sla.core.model import CURRENT_STANDARD, Service, StandardRef, Terms
from mkdocs_sla.core.outages import Entry, entry, log_metrics
from mkdocs_sla.core.records import Inheritance, ServiceRecord, StandardVersion, Version
from mkdocs_sla.core.servicemodel import ServiceDefinition, ServiceOutageLog, StandardTerms
from mkdocs_sla.source.lock import check_lock, digest, digest_of, terms_data
from mkdocs_sla.source.pydantic_errors import _report, validate
from mkdocs_sla.source.pydantic_errors import unknown as _unknown
from mkdocs_sla.source.yamlsource import Document, display_path, link_problem, parse, read_text

SERVICES_DIR = "services"
SERVICE_FILE = "service.yaml"
STANDARD_FILE = "standard.yaml"
OUTAGES_FILE = "outages.yaml"


@dataclass(frozen=True)
class LoadedStandard:
    """A standard version, with its document (plain data and positions) for merging, and the
    effective terms already validated on it, by what the agreements negotiated (`_effective_terms`)."""

    version: StandardVersion
    data: dict
    document: Document
    validated: dict[str, tuple[Terms, dict]] = field(default_factory=dict, compare=False)

    @functools.cached_property
    def plain(self) -> Terms:
        """The standard version's terms as plain `Terms` (made once: every agreement's baseline copies it)."""
        return Terms.model_construct(**dict(self.version.terms))


@dataclass(frozen=True)
class LoadedService:
    """A service as loaded: its record, its standard documents, and whether it loaded without errors."""

    record: ServiceRecord
    standards: tuple[LoadedStandard, ...]
    valid: bool


def load_services(root: Path, diagnostics: Diagnostics) -> dict[str, LoadedService]:
    """Every service under `root/services/`, by id (those with errors too, marked invalid, so that an
    agreement on one says so rather than "unknown service")."""
    folder = root / SERVICES_DIR
    if os.path.islink(folder) or not folder.is_dir():
        return {}  # a link is reported with the tree's top (load.agreement_folders), never read
    found: dict[str, LoadedService] = {}
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        problem = link_problem(path)
        if problem is not None:
            diagnostics.error(Position(display_path(path)), problem)
            continue
        if not path.is_dir():
            diagnostics.error(
                Position(display_path(path)), f"expected one folder per service in {SERVICES_DIR}/: {SERVICES_DIR}/<id>/{SERVICE_FILE}"
            )
            continue
        loaded = _load_service(path, diagnostics)
        if loaded is not None:
            found[loaded.record.id] = loaded
    return found


def _load_service(folder: Path, diagnostics: Diagnostics) -> LoadedService | None:
    from mkdocs_sla.source.load import _check_terms, _check_version_order

    local = Diagnostics()
    definition_path = folder / SERVICE_FILE
    if not os.path.lexists(definition_path):
        diagnostics.error(Position(display_path(folder)), f"missing {SERVICE_FILE}; expected the service's name and components there")
        return None
    display = display_path(definition_path)
    definition = None
    text = read_text(definition_path, display, local)
    documents = parse(text, display, local) if text is not None else []
    if len(documents) != 1 and text is not None and not local.errors:
        local.error(Position(display), f"{SERVICE_FILE} holds one YAML document; found {len(documents)}")
    elif documents:
        definition = validate(ServiceDefinition, documents[0], local)
    if definition is not None:
        if definition.id != folder.name:
            local.error(
                documents[0].position(("id",)),
                f"service id `{definition.id}` differs from its folder `{folder.name}`; expected `{folder.name}`",
            )
        seen: set[str] = set()
        for index, component in enumerate(definition.components):
            if component.id in seen:
                local.error(
                    documents[0].position(("components", index, "id")), f"component `{component.id}` is listed twice; expected unique ids"
                )
            seen.add(component.id)
    standards = _load_standards(folder, definition, local, _check_terms, _check_version_order, validate)
    if definition is None or not standards:
        diagnostics.extend(local)
        return None
    if not local.errors:  # a standard version once published is never rewritten, as an agreement's
        check_lock(folder, [s.version for s in standards], local, STANDARD_FILE)
    timezone = standards[-1].version.terms.timezone
    record = ServiceRecord(definition, display_path(folder), display, tuple(s.version for s in standards), timezone=timezone)
    outages = _load_outages(folder, record, local, _unknown, validate)
    record = ServiceRecord(definition, record.folder, display, record.standards, outages, timezone)
    diagnostics.extend(local)
    return LoadedService(record, tuple(standards), not local.errors)


def _load_standards(folder, definition, diagnostics, check_terms, check_version_order, validate) -> list[LoadedStandard]:
    path = folder / STANDARD_FILE
    display = display_path(path)
    if not os.path.lexists(path):
        diagnostics.error(
            Position(display_path(folder)), f"missing {STANDARD_FILE}; expected the service's standard terms, one YAML document per version"
        )
        return []
    text = read_text(path, display, diagnostics)
    documents = parse(text, display, diagnostics) if text is not None else []
    if text is not None and not documents and not diagnostics.errors:
        diagnostics.error(Position(display), "the file holds no standard terms; expected one YAML document per version")
    loaded = []
    for document in documents:
        terms = validate(StandardTerms, document, diagnostics)
        if terms is None:
            continue
        if terms.standard is not None:
            # A standard is written in full: standards never inherit one another, so no chain or loop of them.
            diagnostics.error(
                document.position(("standard",), key=True),
                "a standard cannot inherit another standard; expected its terms written in full (only agreements name a `standard:`)",
            )
            continue
        data = dict(document.data)
        written = digest(terms)  # of the keys written in standard.yaml, before the service fills in its own
        if definition is not None and "service" not in data:
            service = {"name": definition.name}
            if definition.family:
                service["family"] = definition.family
            if definition.description:
                service["scope"] = definition.description
            data["service"] = service
            terms = terms.model_copy(update={"service": Service.model_validate(service)})
        check_terms(terms, document, diagnostics)
        loaded.append(LoadedStandard(StandardVersion(terms, Position(display, document.start_line, 1), written), data, document))
    check_version_order([Version(s.version.terms, s.version.position, "") for s in loaded], documents, diagnostics)
    return loaded


def _load_outages(folder: Path, record: ServiceRecord, diagnostics: Diagnostics, unknown, validate) -> tuple[Entry, ...] | None:
    """The service's outage log as entries in UTC with their positions; None if it keeps none."""
    path = folder / OUTAGES_FILE
    if not os.path.lexists(path):
        return None
    display = display_path(path)
    text = read_text(path, display, diagnostics)
    documents = parse(text, display, diagnostics) if text is not None else []
    if not documents:
        return ()
    log = validate(ServiceOutageLog, documents[0], diagnostics)
    if log is None:
        return ()
    document = documents[0]
    components = [c.id for c in record.definition.components]
    metrics = sorted({m for s in record.standards for m in log_metrics(s.terms)})
    entries = []
    for index, outage in enumerate(log.outages):
        at = ("outages", index)
        made = entry(outage, record.timezone, document.position(at), outage.metrics, logged=True)
        if made.end <= made.start:
            diagnostics.error(
                document.position((*at, "end")),
                f"outage ends ({outage.end.isoformat()}) before it starts ({outage.start.isoformat()}); expected an end after the start",
            )
            continue
        if outage.component is not None and outage.component not in components:
            message = (
                unknown("component", outage.component, components) + f" (the components of service `{record.id}`)"
                if components
                else f"service `{record.id}` has no components; expected no `component` (the whole service) or components in {SERVICE_FILE}"
            )
            diagnostics.error(document.position((*at, "component")), message)
        for m_index, metric_id in enumerate(outage.metrics or ()):
            if metric_id not in metrics:
                diagnostics.error(
                    document.position((*at, "metrics", m_index)),
                    unknown("metric", metric_id, metrics) + f" (the metrics of the standard of `{record.id}` that count outages)",
                )
        entries.append(made)
    return tuple(entries)


# ---------------------------------------------------------------- inheriting agreements


class _MergedDocument:
    """The effective terms as a document: positions of each value in the file that wrote it."""

    def __init__(self, merged, agreement: Document, standard: Document):
        self.data = merged.data
        self._merged = merged
        self._documents = {Side.AGREEMENT: agreement, Side.STANDARD: standard}
        self.file = agreement.file
        self.start_line = agreement.start_line

    def position(self, loc: tuple = (), *, key: bool = False) -> Position:
        side, source = self._merged.locate(tuple(loc))
        return self._documents[side].position(source, key=key)


def inherits(document: Document) -> bool:
    """Whether an agreement document inherits a service standard (it has `standard:`)."""
    return isinstance(document.data, dict) and "standard" in document.data


def inherited_versions(document: Document, services: Mapping[str, LoadedService], diagnostics: Diagnostics) -> list[Version]:
    """The plain versions of one inheriting agreement document: one for a pinned standard version,
    one per standard version in force from the document's date for `current` (those after a later
    document of the agreement are dropped by `drop_superseded`)."""

    data = document.data
    try:
        ref = StandardRef.model_validate(data["standard"])
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report(Terms, {**error, "loc": ("standard", *error["loc"])}, document, diagnostics, {})
        return []
    service = services.get(ref.service)
    if service is None:
        diagnostics.error(
            document.position(("standard", "service")),
            _unknown("service", ref.service, sorted(services))
            if services
            else f"unknown service `{ref.service}`; expected a folder {SERVICES_DIR}/{ref.service}/ with {SERVICE_FILE} and {STANDARD_FILE}",
        )
        return []
    if not service.valid:
        diagnostics.error(
            document.position(("standard", "service")),
            f"service `{ref.service}` has errors ({service.record.folder}); this agreement cannot be checked until they are fixed",
        )
        return []
    components = [c.id for c in service.record.definition.components]
    for index, component in enumerate(ref.components or ()):
        if component not in components:
            diagnostics.error(
                document.position(("standard", "components", index)),
                _unknown("component", component, components) + f" (the components of service `{ref.service}`)"
                if components
                else f"service `{ref.service}` has no components; expected no `components`",
            )
    own_effective = _date(data.get("effective"))
    own_label = str(data.get("version", ""))
    if ref.version == CURRENT_STANDARD:
        first = service.standards[0]
        for candidate in service.standards:
            if own_effective is None or candidate.version.effective <= own_effective:
                first = candidate
        segments = [first, *(s for s in service.standards if own_effective is not None and s.version.effective > own_effective)]
    else:
        chosen = next((s for s in service.standards if s.version.label == ref.version), None)
        if chosen is None:
            labels = [s.version.label for s in service.standards]
            diagnostics.error(
                document.position(("standard", "version")),
                _unknown("standard version", ref.version, [*labels, CURRENT_STANDARD])
                + f" (the versions of {service.record.folder}/{STANDARD_FILE})",
            )
            return []
        segments = [chosen]
    versions = []
    for standard in segments:
        over = dict(data)
        if ref.version == CURRENT_STANDARD:
            over["version"] = f"{own_label}+{standard.version.label}"
            if own_effective is not None and standard.version.effective > own_effective:
                over["effective"] = standard.version.effective.isoformat()
                over.pop("published", None)
                if standard.version.terms.published is not None:
                    over["published"] = standard.version.terms.published.isoformat()
                over["changes"] = standard.data.get("changes") or f"Follows version {standard.version.label} of the standard."
        merged = merge_terms(standard.data, over)
        newer = ref.version == CURRENT_STANDARD and standard is not segments[0]
        problems = Diagnostics()
        for problem in merged.problems:
            if isinstance(problem, UnknownMetric):
                problems.error(
                    document.position(("metrics", problem.index, "id")),
                    _unknown("metric", problem.metric_id, list(problem.known))
                    + f" (the metrics of standard `{ref.service}` `{standard.version.label}`: an agreement changes the standard's metrics, it cannot add one)",
                )
            elif isinstance(problem, MetricWithoutId):
                problems.error(
                    document.position(("metrics", problem.index)),
                    "a metric of an inheriting agreement needs the `id` of the standard's metric it changes",
                )
        _attribute(problems, document, standard, ref, diagnostics, newer=newer)
        if merged.problems:
            continue
        proxy = _MergedDocument(merged, document, standard.document)
        local = Diagnostics()
        effective = _effective_terms(merged, proxy, standard, over, local)
        terms, terms_digest = effective if effective is not None else (None, "")
        if terms is not None and ref.version == CURRENT_STANDARD and terms.notice_days is None:
            local.error(
                document.position(("standard", "version")),
                "following the `current` standard needs `notice_days`: the notice this agreement gives before an adverse change of the standard takes effect",
            )
        _attribute(local, document, standard, ref, diagnostics, newer=newer)
        if terms is None or local.errors:
            continue
        inheritance = Inheritance(
            ref.service,
            standard.version.label,
            standard_baseline(standard.plain, terms),
            merged.negotiated,
            ref.version == CURRENT_STANDARD,
        )
        versions.append(Version(terms, Position(document.file, document.start_line, 1), terms_digest, inheritance))
    return versions


#: The keys of the terms that say who and when (`core.inheritance.PARTY_KEYS`), validated on their own.
_PARTY_FIELDS = tuple(name for name in Terms.model_fields if name in PARTY_KEYS)
_PARTY_SET = frozenset(_PARTY_FIELDS)
_Parties = pydantic.create_model(
    "Parties", __base__=Model, **{name: (Terms.model_fields[name].annotation, Terms.model_fields[name]) for name in _PARTY_FIELDS}
)


class _Subset:
    """A document's data cut to some keys, with the positions of the whole."""

    def __init__(self, document: _MergedDocument, keys: tuple[str, ...]):
        self.data = {key: value for key, value in document.data.items() if key in keys}
        self.position = document.position


def _effective_terms(
    merged, proxy: _MergedDocument, standard: LoadedStandard, over: dict, diagnostics: Diagnostics
) -> tuple[Terms, str] | None:
    """The effective terms, validated, and their content hash. Many agreements follow one standard
    version with the same negotiated keys (most with none): their terms differ only in the parties.
    The first is validated, checked and dumped for its hash in full; the others validate their
    parties alone and take the rest from it (terms and dumped data), which is what makes a catalog
    of inheriting agreements cheaper than one written in full."""
    from mkdocs_sla.source.load import _check_terms

    key = json.dumps({k: v for k, v in over.items() if k not in PARTY_KEYS}, sort_keys=True, default=str)
    cached = standard.validated.get(key)
    if cached is None:
        before = len(diagnostics.items)
        terms = validate(Terms, proxy, diagnostics)
        if terms is None:
            return None
        _check_terms(terms, proxy, diagnostics)
        if len(diagnostics.items) == before:
            # Only terms without a warning: a warning is reported for each agreement.
            standard.validated[key] = (terms, terms_data(terms, exclude=_PARTY_SET))
        return terms, digest(terms)
    base, base_data = cached
    parties = validate(_Parties, _Subset(proxy, _PARTY_FIELDS), diagnostics)
    if parties is None:
        return None
    terms = base.model_copy(update={name: getattr(parties, name) for name in _PARTY_FIELDS})
    # The keys written are the base's terms and this agreement's parties, as if validated whole.
    object.__setattr__(terms, "__pydantic_fields_set__", (base.model_fields_set - _PARTY_SET) | parties.model_fields_set)
    return terms, digest_of({**base_data, **terms_data(parties)})


def _attribute(
    local: Diagnostics, document: Document, standard: LoadedStandard, ref: StandardRef, diagnostics: Diagnostics, *, newer: bool
) -> None:
    """Errors of the effective terms, where they were written. A value the standard wrote is
    reported at the standard's line and at the agreement's `standard:` line; an error that a newer
    standard version brings to a `current` follower (`newer`) at the agreement's line and at that
    standard version's first line: the standard's change left the agreement invalid."""
    agreement_id = document.data.get("id")
    for item in local.items:
        in_standard = item.position.file == standard.document.file
        if not in_standard and not newer:
            diagnostics.items.append(item)
            continue
        where = f" (in the terms of agreement `{agreement_id}` ({document.file}), which inherits this version)"
        if in_standard:
            diagnostics.items.append(type(item)(item.position, item.severity, item.message + where))
            agreement_at = document.position(("standard", "version"))
        else:
            diagnostics.items.append(type(item)(standard.version.position, item.severity, item.message + where))
            agreement_at = item.position
        diagnostics.items.append(
            type(item)(
                agreement_at,
                item.severity,
                f"standard `{ref.service}` version `{standard.version.label}` "
                + ("leaves this agreement invalid" if item.severity is Severity.ERROR else "brings this agreement a warning")
                + f": {item.message}"
                + (f" (at {item.position})" if in_standard else f" ({standard.version.position})"),
            )
        )


def drop_superseded(versions: list[Version]) -> list[Version]:
    """Versions that a `current` standard adds after a later document of the agreement took effect
    are not the agreement's: from that date its later document governs."""
    kept: list[Version] = []
    first_of_document: set[Position] = set()
    for version in versions:
        first = version.position not in first_of_document
        first_of_document.add(version.position)
        later = [v.effective for v in versions if v.position.line > version.position.line]
        if not first and later and min(later) <= version.effective:
            continue
        kept.append(version)
    return kept


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
