"""compare: what changed between two versions of an agreement, in the agreement's own words.

One engine, shared by the versions pages of the site and by `sla diff`:

- `compare_terms(old, new)` compares two versions of an agreement's terms and
  returns `Change`s ("objective lowered from 99.99% to 99.9%", "at 99.5% the
  credit falls from 25% to 10%"), each classed favourable, adverse or neutral
  *for the customer*, with `better: higher|lower` taken into account.
- `compare_records(base, head, today=...)` compares two states of one
  agreement (its versions and its results): new versions, revised upcoming
  versions, versions in force that were rewritten, results of past periods
  edited (with the credit before and after), and adverse changes that take
  effect sooner than the agreement's `notice_days` allow.
- `compare_catalogs(base, head)` does the same for two whole trees
  (`Snapshot`s), including agreements added, removed, or invalid on one side.

Pure: no I/O and no clock. The date that decides what is "in force" and
"past" is passed in (the HEAD commit's date, or today for a working tree).

Credit tables are compared by sampling, not by matching rows: the credit of
both versions is computed at every bound of both tables, at both objectives,
and between each two consecutive bounds. Between those points both credit
functions are constant (tiers) or linear (linear credits, whose crossing
points are added), so the samples are exact, not a heuristic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from mkdocs_sla.compare.agreements import AgreementDiff, AgreementStatus, NoticeViolation, compare_records
from mkdocs_sla.compare.changes import ADVERSE, NEUTRAL, Change
from mkdocs_sla.compare.standards import StandardDiff, compare_standards
from mkdocs_sla.core.diagnostics import Diagnostic, Rule
from mkdocs_sla.core.records import Snapshot

# ---------------------------------------------------------------- whole trees


@dataclass(frozen=True)
class CatalogDiff:
    """Every agreement that changed between two snapshots."""

    base: str
    head: str
    today: dt.date
    agreements: tuple[AgreementDiff, ...]
    problems: tuple[str, ...] = field(default=())  # HEAD errors outside any agreement folder
    standards: tuple[StandardDiff, ...] = field(default=())  # services whose standard changed, with every agreement on them

    @property
    def changed(self) -> tuple[AgreementDiff, ...]:
        """The agreements that changed, in the order of their ids."""
        return tuple(a for a in self.agreements if a.changed)

    @property
    def adverse(self) -> tuple[Change, ...]:
        """Every adverse change of every agreement."""
        return tuple(c for a in self.agreements for c in a.adverse)

    @property
    def adverse_count(self) -> int:
        """Adverse changes to terms, and past periods whose credit fell."""
        return len(self.adverse) + sum(1 for a in self.agreements for r in a.results if r.effect == ADVERSE)

    @property
    def rewrites_history(self) -> bool:
        """Whether any agreement's history was rewritten."""
        return any(a.rewrites_history for a in self.agreements)

    @property
    def notice_violations(self) -> tuple[tuple[str, NoticeViolation], ...]:
        """Every notice violation, with the id of its agreement."""
        return tuple((a.id, n) for a in self.agreements for n in a.notice_violations)

    @property
    def invalid_head(self) -> tuple[str, ...]:
        """The agreements (and `(tree)` for problems outside them) that are invalid at head."""
        return tuple(a.id for a in self.agreements if a.status is AgreementStatus.INVALID) + (("(tree)",) if self.problems else ())


def _problem_lines(diagnostics: Iterable[Diagnostic]) -> tuple[str, ...]:
    return tuple(str(d) for d in diagnostics)


def compare_catalogs(base: Snapshot, head: Snapshot, *, today: dt.date | None = None) -> CatalogDiff:
    """Compare two trees agreement by agreement. `today` defaults to HEAD's date."""
    today = today or head.date
    ids = sorted(set(base.folders) | set(head.folders) | {r.id for r in base.catalog.agreements} | {r.id for r in head.catalog.agreements})
    found = []
    for agreement_id in ids:
        old = base.catalog.get(agreement_id)
        new = head.catalog.get(agreement_id)
        old_invalid = old is None and agreement_id in base.folders
        new_invalid = new is None and agreement_id in head.folders
        if new_invalid:
            errors = head.problems(agreement_id)
            problems = _problem_lines(errors) or ("invalid at HEAD",)
            title = old.versions[-1].terms.title if old else agreement_id
            # A published version edited or removed is known from versions.lock even though
            # HEAD cannot be loaded: the summary says history was rewritten, as the errors do.
            rewritten = any(d.rule is Rule.PUBLISHED_VERSION_CHANGED for d in errors)
            found.append(AgreementDiff(agreement_id, title, AgreementStatus.INVALID, problems=problems, history_removed=rewritten))
            continue
        if old_invalid and new is not None:
            diff = compare_records(None, new, today=today)
            problems = _problem_lines(base.problems(agreement_id))
            found.append(
                AgreementDiff(
                    agreement_id,
                    diff.title,
                    AgreementStatus.FIXED,
                    versions=diff.versions,
                    changes=(
                        Change(
                            "agreement", agreement_id, "invalid at BASE, valid at HEAD: its versions cannot be compared with BASE", NEUTRAL
                        ),
                    ),
                    problems=problems,
                )
            )
            continue
        if old is None and new is None:
            continue  # invalid at BASE and gone at HEAD
        diff = compare_records(old, new, today=today)
        if diff.changed:
            found.append(diff)
    standards = compare_standards(
        base.catalog, head.catalog, {a.id: a for a in found}, invalid=(a.id for a in found if a.status is AgreementStatus.INVALID)
    )
    return CatalogDiff(base.name, head.name, today, tuple(found), _problem_lines(head.stray_problems()), standards)
