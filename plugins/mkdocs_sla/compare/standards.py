"""standards: a change to a service's standard terms, reviewed against every agreement it reaches.

An inheriting agreement's versions are plain versions (the standard merged with what it
negotiated), so the comparison of each agreement already says what changed *for that
customer*, and whether it took the notice that agreement gives. This module puts those
answers side by side for each standard that changed:

- the standard's own versions that are new, revised or withdrawn, with their changes;
- for every agreement on the service, how the change reaches it (`Reach`): adverse for
  it, reaching it with no adverse change, shielded by what it negotiated (the standard
  changed what the agreement overrides, so its terms do not change), or not reached (it
  follows another version of the standard); and any notice violation, by its own notice.

Pure: records in, plain data out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mkdocs_sla.compare.agreements import AgreementDiff
from mkdocs_sla.compare.changes import ADVERSE, Change
from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.core.records import Agreement, Catalog, ServiceRecord


class Reach(enum.StrEnum):
    """How a change to a standard reaches one agreement on the service; the values are the report's words."""

    ADVERSE = "adverse"
    """Its terms change, at least one change adverse for its customer."""
    CHANGED = "changed"
    """Its terms change, none of the changes adverse for its customer."""
    SHIELDED = "shielded"
    """It follows the changed standard version, but what it negotiated overrides every change: its terms stay."""
    NOT_REACHED = "not reached"
    """It follows another version of the standard."""
    INVALID = "invalid"
    """The change leaves the agreement invalid (its errors are reported at its file and at the standard's)."""


class StandardVersionStatus(enum.StrEnum):
    """What happened to one version of a standard between two snapshots; the values are the report's words."""

    NEW = "new"
    """A version the base did not have, compared with the version before it."""
    REVISED = "revised"
    """A version whose terms differ from the base's: every agreement that follows it is reviewed."""
    WITHDRAWN = "withdrawn"
    """A version the base had and the head has not."""


@dataclass(frozen=True)
class StandardVersionChange:
    """A version of a standard that is new, revised or withdrawn, and its changes (from the version before, or from BASE)."""

    label: str
    status: StandardVersionStatus
    effective: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class AgreementReach:
    """One agreement on a changed standard: how the change reaches it."""

    id: str
    title: str
    customer: str
    follows: str  # "2.0" or "current"
    reach: Reach
    adverse: int
    notice: str | None  # the notice violation, in words


@dataclass(frozen=True)
class StandardDiff:
    """A service whose standard changed, and every agreement on it."""

    service: str
    name: str
    versions: tuple[StandardVersionChange, ...]
    agreements: tuple[AgreementReach, ...]

    def count(self, reach: Reach) -> int:
        return sum(1 for a in self.agreements if a.reach is reach)

    @property
    def notice_violations(self) -> int:
        return sum(1 for a in self.agreements if a.notice)


def _version_changes(base: ServiceRecord | None, head: ServiceRecord) -> list[StandardVersionChange]:
    before = {v.label: v for v in base.standards} if base else {}
    after = {v.label: v for v in head.standards}
    found = []
    previous = None
    for version in head.standards:
        old = before.get(version.label)
        if old is None:
            changes = compare_terms(previous.terms, version.terms) if previous is not None else []
            found.append(StandardVersionChange(version.label, StandardVersionStatus.NEW, version.effective.isoformat(), tuple(changes)))
        elif old.terms != version.terms:
            found.append(
                StandardVersionChange(
                    version.label,
                    StandardVersionStatus.REVISED,
                    version.effective.isoformat(),
                    tuple(compare_terms(old.terms, version.terms)),
                )
            )
        previous = version
    for label, version in before.items():
        if label not in after:
            found.append(StandardVersionChange(label, StandardVersionStatus.WITHDRAWN, version.effective.isoformat(), ()))
    return found


def _on(catalog: Catalog, service_id: str) -> list[Agreement]:
    return [a for a in catalog.agreements if a.versions[-1].inherited is not None and a.versions[-1].inherited.service == service_id]


def compare_standards(
    base: Catalog, head: Catalog, diffs: Mapping[str, AgreementDiff], invalid: Iterable[str] = ()
) -> tuple[StandardDiff, ...]:
    """Every service whose standard changed between two catalogs, with how it reaches each agreement on it.
    `diffs`: the agreements' own comparisons by id (those that changed); `invalid`: agreements invalid at HEAD."""
    invalid = set(invalid)
    found = []
    for service in head.services:
        old = base.service(service.id)
        versions = _version_changes(old, service)
        if not versions:
            continue
        touched = {v.label for v in versions}
        ids = {a.id for a in _on(head, service.id)} | ({a.id for a in _on(base, service.id)} & invalid)
        reaches = []
        for agreement_id in sorted(ids):
            record = head.get(agreement_id) or base.get(agreement_id)
            terms = record.versions[-1].terms
            diff = diffs.get(agreement_id)
            follows = terms.standard.version if terms.standard else "?"
            notice = next((v.notice.message for v in diff.versions if v.notice is not None), None) if diff else None
            adverse = sum(1 for c in diff.all_changes if c.effect == ADVERSE) if diff else 0
            if agreement_id in invalid:
                reach = Reach.INVALID
            elif diff is not None and any(v.changes for v in diff.versions):
                reach = Reach.ADVERSE if adverse else Reach.CHANGED
            elif follows == "current" or follows in touched:
                reach = Reach.SHIELDED
            else:
                reach = Reach.NOT_REACHED
            reaches.append(AgreementReach(agreement_id, terms.title, terms.customer, follows, reach, adverse, notice))
        found.append(StandardDiff(service.id, service.definition.name, tuple(versions), tuple(reaches)))
    return tuple(found)
