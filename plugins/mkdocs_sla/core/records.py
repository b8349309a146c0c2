"""The loaded agreements: every version of each agreement's terms, its results by period, and the catalog of them all.

Records are what `source.load` produces and what the engine, the comparison and
the site consume; they hold parsed values and their source positions, no text.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from mkdocs_sla.core.calendars import BusinessCalendar
from mkdocs_sla.core.corrections import CorrectionRecord
from mkdocs_sla.core.diagnostics import Diagnostic, Position, Severity
from mkdocs_sla.core.model import MaintenanceWindow, Results, ReviewHeld, Terms
from mkdocs_sla.core.outages import Entry, Timeline
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.servicemodel import ServiceDefinition, StandardTerms


class VersionStatus(enum.StrEnum):
    """Where a version stands on a given day; the values are the words the pages use."""

    SUPERSEDED = "superseded"
    """Took effect, and a later version has taken effect since."""
    IN_FORCE = "in force"
    """The version that governs the day (the first version also before it took effect)."""
    UPCOMING = "upcoming"
    """Takes effect after the day."""


@dataclass(frozen=True)
class Inheritance:
    """How an inheriting version's terms came about: the standard version followed, the
    standard as this agreement would have it with nothing negotiated (`baseline`), and the
    paths the agreement negotiated (`metrics.region-uptime.credits`, `credit_terms.cap`)."""

    service: str
    standard_version: str
    baseline: Terms
    negotiated: tuple[str, ...]
    follows_current: bool


@dataclass(frozen=True)
class DatedTerms:
    """What a version of an agreement's terms and a version of a service's standard share:
    the terms, where they stand in their file, and the label and day they take effect by."""

    terms: Terms | StandardTerms
    position: Position

    @property
    def label(self) -> str:
        """The version's label, such as `1.2`."""
        return self.terms.version

    @property
    def effective(self) -> dt.date:
        """The day the version takes effect."""
        return self.terms.effective

    def published_by(self, today: dt.date) -> bool:
        """Whether customers have seen this version (of an agreement or a standard) by `today`: in
        force, or published (`published:` date) ahead of taking effect. Such a version is never
        rewritten: the lock records it, the review calls an edit of it rewritten history."""
        published = self.terms.published
        return self.effective <= today or (published is not None and published <= today)


_V = TypeVar("_V", bound=DatedTerms)


def in_force_on(versions: Sequence[_V], day: dt.date) -> _V:
    """The rule of which version is in force on a day, for agreements and standards alike: the
    last to have taken effect by then, and the first one before any has."""
    current = versions[0]
    for version in versions:
        if version.effective <= day:
            current = version
    return current


@dataclass(frozen=True)
class Version(DatedTerms):
    """One version of an agreement's terms, where it stands in the file, and its content hash.

    An agreement that follows its service's `current` standard has one version per
    standard version in force during each of its own documents (labelled `1.0+2.1`:
    the agreement's version, then the standard's), so every period is governed by the
    plain terms it was evaluated under."""

    terms: Terms
    digest: str
    inherited: Inheritance | None = None
    customer_at: Position | None = None  # where `customer` (or `customer_id`) is written: the audience key's source


@dataclass(frozen=True)
class Interval:
    """One row of an interval series: requests and errors in the interval starting at `start`."""

    start: dt.datetime
    requests: int
    errors: int
    position: Position


@dataclass(frozen=True)
class PeriodResults:
    """The measured results of one period."""

    period: Period
    results: Results
    file: str
    intervals: dict[str, tuple[Interval, ...]] = field(default_factory=dict)
    # Where each of a metric's `outages:` stands in the results file, in order; for the evidence.
    outage_positions: dict[str, tuple[Position, ...]] = field(default_factory=dict)
    # Corrections of this (closed) period, oldest first: `corrections.yaml` (core.corrections).
    corrections: tuple[CorrectionRecord, ...] = ()
    tickets: tuple = ()  # the period's ticket export: `core.tickets.Ticket`s, in file order
    ticket_file: str | None = None  # where the export was read, for the evidence
    # The ticket metrics' tickets judged (`measures.ticket_summary`), by metric id: the loader
    # computes them while it reads the export (on several cores for a large one) and then keeps
    # these instead of the tickets.
    ticket_summaries: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Agreement:
    """Everything about one agreement: its versions, oldest first, its results by period, its
    outage log (None: the agreement keeps none) and the maintenance windows of `maintenance.yaml`."""

    id: str
    folder: str
    file: str
    versions: tuple[Version, ...]
    results: tuple[PeriodResults, ...]
    outage_log: tuple[Entry, ...] | None = None
    maintenance: tuple[MaintenanceWindow, ...] = ()
    corrections: tuple[CorrectionRecord, ...] = ()  # every correction of `corrections.yaml`, oldest first
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)  # by name: shared and the agreement's own
    reviews: tuple[ReviewHeld, ...] = ()  # the reviews held of `reviews.yaml`, oldest first

    def corrections_of(self, period: Period) -> tuple[CorrectionRecord, ...]:
        """The corrections of one period (also of a period only the outage log measures)."""
        return tuple(c for c in self.corrections if c.period == period)

    @functools.cached_property
    def timeline(self) -> Timeline:
        """The outage log sorted for look-ups by period, built once."""
        return Timeline(self.outage_log or ())

    def version_for(self, period: Period) -> Version:
        """The version that governs a period, by the agreement's `mid_period_change` rule."""
        rule = self.versions[-1].terms.mid_period_change
        # "start_governs": in force on the first day; "end_governs": in force on the last day.
        day = period.start if rule == "start_governs" else period.last_day
        return in_force_on(self.versions, day)

    def in_force(self, today: dt.date) -> Version:
        """The version in force on a day (the first version before it took effect)."""
        return in_force_on(self.versions, today)

    def status_of(self, version: Version, today: dt.date) -> VersionStatus:
        """Whether a version is superseded, in force or upcoming on `today`."""
        if version.effective > today:
            return VersionStatus.UPCOMING
        return VersionStatus.IN_FORCE if version is self.in_force(today) else VersionStatus.SUPERSEDED

    def upcoming(self, today: dt.date) -> tuple[Version, ...]:
        """The versions that take effect after `today`, oldest first."""
        return tuple(v for v in self.versions if v.effective > today)


@dataclass(frozen=True)
class StandardVersion(DatedTerms):
    """One version of a service's standard terms, where it stands in `standard.yaml`, and its
    content hash (of the keys written there, as `versions.lock` records it)."""

    terms: StandardTerms
    digest: str = ""


@dataclass(frozen=True)
class ServiceRecord:
    """A service: its definition, its standard terms (every version, oldest first) and its outage log."""

    definition: ServiceDefinition
    folder: str
    file: str
    standards: tuple[StandardVersion, ...]
    # The outage log, each entry in UTC with its position (its `outage` a `ServiceOutage`, with
    # its `component`); None: the service keeps no log.
    outages: tuple[Entry, ...] | None = None
    timezone: str = "UTC"  # of the outage log's times without an offset: the standard's time zone

    @property
    def id(self) -> str:
        return self.definition.id

    def standard(self, label: str) -> StandardVersion | None:
        return next((s for s in self.standards if s.label == label), None)

    def in_force(self, today: dt.date) -> StandardVersion:
        """The standard version in force on a day (the first version before it took effect)."""
        return in_force_on(self.standards, today)


@dataclass(frozen=True)
class Catalog:
    """All agreements of a tree, the services they inherit from, and every diagnostic found while loading them."""

    agreements: tuple[Agreement, ...]
    diagnostics: tuple[Diagnostic, ...]
    services: tuple[ServiceRecord, ...] = ()

    def service(self, service_id: str) -> ServiceRecord | None:
        return next((s for s in self.services if s.id == service_id), None)

    @property
    def errors(self) -> list[Diagnostic]:
        """The errors among the diagnostics: any makes the tree invalid."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def get(self, agreement_id: str) -> Agreement | None:
        """The agreement with that id, if the tree has one."""
        return next((a for a in self.agreements if a.id == agreement_id), None)


@dataclass(frozen=True)
class Snapshot:
    """The agreements as they stand at one git ref, in a working tree, or in a folder.

    `root` is the agreements folder as diagnostics name it (`agreements`), so
    the diagnostics of one agreement are those under `root/<id>/`; `folders`
    lists every agreement folder, valid or not; `date` is the commit's date
    (or today for a working tree).
    """

    name: str
    catalog: Catalog
    root: str
    folders: tuple[str, ...]
    date: dt.date
    commit: str | None = None

    def restricted(self, ids: set[str]) -> Snapshot:
        """The same snapshot with only the agreements in `ids` (those that changed)."""
        root = self.root.rstrip("/")
        keep = tuple(
            d
            for d in self.catalog.diagnostics
            if any(d.position.file == f"{root}/{i}" or d.position.file.startswith(f"{root}/{i}/") for i in ids)
        )
        catalog = Catalog(tuple(r for r in self.catalog.agreements if r.id in ids), keep)
        return Snapshot(self.name, catalog, self.root, tuple(f for f in self.folders if f in ids), self.date, self.commit)

    def problems(self, agreement_id: str) -> tuple[Diagnostic, ...]:
        """The diagnostics of one agreement of the snapshot."""
        prefix = f"{self.root.rstrip('/')}/{agreement_id}"
        return tuple(
            d
            for d in self.catalog.diagnostics
            if d.severity is Severity.ERROR and (d.position.file == prefix or d.position.file.startswith(prefix + "/"))
        )

    def stray_problems(self) -> tuple[Diagnostic, ...]:
        """Errors outside any agreement folder (a misplaced file, a missing folder)."""
        return tuple(
            d
            for d in self.catalog.errors
            if not any(
                d.position.file == f"{self.root.rstrip('/')}/{f}" or d.position.file.startswith(f"{self.root.rstrip('/')}/{f}/")
                for f in self.folders
            )
        )
