"""What changed in one agreement between two snapshots: versions, notice given, results of past periods."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.compare.changes import ADVERSE, FAVOURABLE, NEUTRAL, ZERO, Change, Effect, _more
from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.core.model import Terms
from mkdocs_sla.core.records import Agreement, PeriodResults, Version
from mkdocs_sla.present import display
from mkdocs_sla.present.words import withheld_words


def version_history(record: Agreement) -> list[tuple[Version | None, Version, list[Change]]]:
    """Each version of an agreement, oldest first, with the version before it and what it changed:
    what the versions pages show."""
    history: list[tuple[Version | None, Version, list[Change]]] = []
    previous: Version | None = None
    for version in record.versions:
        history.append((previous, version, compare_terms(previous.terms, version.terms) if previous else []))
        previous = version
    return history


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class NoticeViolation:
    """An adverse change taking effect sooner than the agreement's notice allows."""

    label: str
    effective: dt.date
    notice_days: int
    earliest: dt.date  # the first day it could take effect with full notice
    adverse: int  # how many adverse changes

    @property
    def message(self) -> str:
        """The violation in one line, for the review and the terminal."""
        return (
            f"version `{self.label}` makes {self.adverse} adverse change(s) effective {self.effective.isoformat()}, "
            f"sooner than the {self.notice_days} days of notice the agreement promises; "
            f"expected `effective` on or after {self.earliest.isoformat()}"
        )


class VersionStatus(enum.StrEnum):
    """What happened to one version between two snapshots."""

    NEW = "new"
    """Added: a version the base did not have."""
    REVISED = "revised"
    """Edited before customers saw it (not yet published nor in force): allowed."""
    REWRITTEN = "rewritten"
    """Edited after it was published or took effect: history rewritten."""
    REMOVED = "removed"
    """Deleted after it was published or took effect: history rewritten."""
    WITHDRAWN = "withdrawn"
    """Deleted before it was published: allowed."""


@dataclass(frozen=True)
class VersionDiff:
    """One version that is new, revised, rewritten or gone, and its changes.

    - `new`: a label not at BASE, compared with the version before it;
    - `revised`: an upcoming version (not yet published nor in force) edited;
    - `rewritten`: a version already published or in force edited: rewrites history;
    - `removed`: a version published or in force deleted: rewrites history;
    - `withdrawn`: an upcoming, unpublished version deleted.
    """

    label: str
    effective: dt.date
    status: VersionStatus
    compared_with: str | None  # the label the changes are measured from
    changes: tuple[Change, ...] = ()
    note: str | None = None  # the version's own `changes` text
    notice: NoticeViolation | None = None

    @property
    def rewrites_history(self) -> bool:
        """Whether this version's change rewrites history: a published or in-force version edited or removed."""
        return self.status in (VersionStatus.REWRITTEN, VersionStatus.REMOVED)


@dataclass(frozen=True)
class CreditView:
    """A period's credit as the evaluation gives it."""

    percent: Fraction
    amount: Fraction | None  # None without charges
    currency: str | None
    below_minimum: bool = False  # due but under `minimum_amount`: not issued
    withheld: str = withheld_words(None)  # why, as the terms word it

    @property
    def issued(self) -> Fraction | None:
        """The credit actually issued: none below the minimum amount."""
        return None if self.amount is None else ZERO if self.below_minimum else self.amount

    def words(self, *, worked: bool = False) -> str:
        """The credit in words, as the review shows it: the percentage as the pages show it
        (rounded down where its decimal goes on, `display.percent`), so that a review and the
        site it publishes never disagree on a credit; `worked`, unrounded (`display.worked`),
        for two credits that would read the same rounded."""
        text = display.worked(self.percent) if worked else display.percent(self.percent)
        if self.amount is not None and self.currency:
            money = display.money(self.amount, self.currency)
            text += f" ({money}, {self.withheld})" if self.below_minimum else f" ({money})"
        return text


class ResultsStatus(enum.StrEnum):
    """What happened to one period's results between two snapshots."""

    ADDED = "added"
    """A period with results for the first time."""
    REMOVED = "removed"
    """A period's results deleted."""
    EDITED = "edited"
    """The results file itself changed."""
    RECOMPUTED = "recomputed"
    """Same results, a different credit: the terms that govern the period changed."""
    CORRECTED = "corrected"
    """A past period's results changed with a correction recorded for it (compare.corrections):
    a correction, not rewritten history."""


@dataclass(frozen=True)
class ResultsDiff:
    """One period whose results or credit differ.

    `recomputed`: the results are unchanged but the credit changed, because
    the terms that govern the period did. `corrected`: the results of a past
    period changed and HEAD records a correction for it that BASE did not
    (compare.corrections): a correction, not rewritten history.
    """

    period: str
    status: ResultsStatus
    past: bool  # the period had ended by the comparison date
    before: CreditView | None
    after: CreditView | None
    attainments: tuple[tuple[str, str, str], ...] = ()  # (metric, before, after) that differ
    corrections: tuple[str, ...] = ()  # `corrected`: each new correction in words
    late: bool = False  # `corrected`: a correction made after the claim deadline
    correction_effect: Effect | None = None  # `corrected`: which way the figures moved, when the credit did not

    @property
    def rewrites_history(self) -> bool:
        """Whether this period's change rewrites history: results of a past period edited, removed or recomputed."""
        return self.past and self.status in (ResultsStatus.REMOVED, ResultsStatus.EDITED, ResultsStatus.RECOMPUTED)

    @property
    def effect(self) -> Effect:
        """Whether the change is favourable or adverse for the customer: a higher credit is favourable."""
        before = self.before.percent if self.before else ZERO
        after = self.after.percent if self.after else ZERO
        if self.before and self.after and self.before.issued is not None and self.after.issued is not None:
            # What the customer receives decides: 10% below the minimum is as much as 0%.
            before, after = self.before.issued, self.after.issued
        if self.status is ResultsStatus.ADDED or not self.past:
            return NEUTRAL  # a period still running is measured as it goes
        if self.status is ResultsStatus.CORRECTED and before == after and self.correction_effect is not None:
            return self.correction_effect  # the same credit: the corrected figures decide
        return _more(before, after, more_is=FAVOURABLE)

    @property
    def summary(self) -> str:
        """The change in one line: the credit before and after, or what happened to the results."""
        before = self.before.words() if self.before else "none"
        after = self.after.words() if self.after else "none"
        if before == after and self.before and self.after and self.before.percent != self.after.percent:
            # 4.8209% and 4.8201% both read 4.82%: a change that read as none.
            before, after = self.before.words(worked=True), self.after.words(worked=True)
        if self.status is ResultsStatus.ADDED:
            return f"results added for {self.period}: credit {after}"
        if self.status is ResultsStatus.REMOVED:
            return f"results of {self.period} removed: the credit was {before}"
        if self.status is ResultsStatus.CORRECTED:
            return f"{self.period} {'; '.join(self.corrections)}: credit before {before}, after {after}"
        what = "results edited" if self.status is ResultsStatus.EDITED else "credit recomputed under changed terms"
        return f"{self.period} {what}: credit before {before}, after {after}"


class AgreementStatus(enum.StrEnum):
    """What happened to one agreement between two snapshots."""

    ADDED = "added"
    """New at head."""
    REMOVED = "removed"
    """Gone at head."""
    CHANGED = "changed"
    """Valid on both sides, with changes."""
    FIXED = "fixed"
    """Invalid at base, valid at head."""
    INVALID = "invalid"
    """Invalid at head: the review says why."""
    UNCHANGED = "unchanged"
    """Nothing a customer would see changed."""


@dataclass(frozen=True)
class AgreementDiff:
    """Everything that changed in one agreement between BASE and HEAD.

    `status`: `added`, `removed`, `changed`, `unchanged`; `fixed` when it was
    invalid at BASE and is valid at HEAD (its versions are then listed as
    new, without changes, since BASE cannot be read); `invalid` when it is
    invalid at HEAD (`problems` holds the errors).
    """

    id: str
    title: str
    status: AgreementStatus
    versions: tuple[VersionDiff, ...] = ()
    results: tuple[ResultsDiff, ...] = ()
    changes: tuple[Change, ...] = ()  # changes to the agreement as a whole (added, removed)
    problems: tuple[str, ...] = ()  # errors that kept BASE or HEAD from loading
    # Removed with versions that were in force, or (invalid at HEAD) a version in versions.lock edited.
    history_removed: bool = False

    @property
    def all_changes(self) -> tuple[Change, ...]:
        """Every change of every version, in order."""
        return self.changes + tuple(c for v in self.versions for c in v.changes)

    @property
    def adverse(self) -> tuple[Change, ...]:
        """The changes that are adverse for the customer."""
        return tuple(c for c in self.all_changes if c.effect == ADVERSE)

    @property
    def rewrites_history(self) -> bool:
        """Whether any version or past period of this agreement was rewritten."""
        return self.history_removed or any(v.rewrites_history for v in self.versions) or any(r.rewrites_history for r in self.results)

    @property
    def notice_violations(self) -> tuple[NoticeViolation, ...]:
        """The versions whose adverse changes take effect with less notice than the agreement promises."""
        return tuple(v.notice for v in self.versions if v.notice is not None)

    @property
    def changed(self) -> bool:
        """Whether the review has anything to say about this agreement."""
        return self.status is not AgreementStatus.UNCHANGED or bool(self.versions or self.results or self.changes)


def notice_violation(previous: Terms | None, version: Version, changes: Iterable[Change], today: dt.date) -> NoticeViolation | None:
    """An adverse change effective sooner than `notice_days` after `today`.

    The notice that binds is the one promised by the terms being changed (the
    previous version); a version cannot shorten its own notice period.
    """
    adverse = sum(1 for c in changes if c.effect == ADVERSE)
    if not adverse:
        return None
    days = previous.notice_days if previous is not None and previous.notice_days is not None else version.terms.notice_days
    if days is None:
        return None
    earliest = today + dt.timedelta(days=days)
    if version.effective >= earliest:
        return None
    return NoticeViolation(version.label, version.effective, days, earliest, adverse)


def compare_records(base: Agreement | None, head: Agreement | None, *, today: dt.date) -> AgreementDiff:
    """Compare two states of one agreement. `today` decides what is in force and what is past:
    the HEAD commit's date, or today for a working tree."""
    if base is None and head is None:
        raise ValueError("compare_records needs a record on at least one side")
    if head is None:
        in_force = any(v.effective <= today for v in base.versions)
        words = "agreement removed" + (", with versions already in force: its history is lost" if in_force else "")
        return AgreementDiff(
            base.id,
            base.versions[-1].terms.title,
            AgreementStatus.REMOVED,
            changes=(Change("agreement", base.id, words, ADVERSE),),
            history_removed=in_force,
        )
    title = head.versions[-1].terms.title
    if base is None:
        versions = tuple(VersionDiff(v.label, v.effective, VersionStatus.NEW, None, note=v.terms.changes) for v in head.versions)
        return AgreementDiff(
            head.id,
            title,
            AgreementStatus.ADDED,
            versions=versions,
            changes=(Change("agreement", head.id, f"agreement added with {len(head.versions)} version(s)", NEUTRAL),),
        )
    versions = _version_diffs(base, head, today)
    results = _results_diffs(base, head, today)
    status = AgreementStatus.CHANGED if versions or results else AgreementStatus.UNCHANGED
    return AgreementDiff(head.id, title, status, versions=versions, results=results)


def _version_diffs(base: Agreement, head: Agreement, today: dt.date) -> tuple[VersionDiff, ...]:
    before = {v.label: v for v in base.versions}
    after = {v.label: v for v in head.versions}
    found: list[VersionDiff] = []
    for index, version in enumerate(head.versions):
        old = before.get(version.label)
        if old is None:
            previous = head.versions[index - 1] if index else None
            changes = tuple(compare_terms(previous.terms, version.terms)) if previous else ()
            notice = notice_violation(_in_force_terms(base, version.effective), version, changes, today) if previous else None
            found.append(
                VersionDiff(
                    version.label,
                    version.effective,
                    VersionStatus.NEW,
                    previous.label if previous else None,
                    changes,
                    version.terms.changes,
                    notice,
                )
            )
        elif old.digest != version.digest:
            changes = tuple(compare_terms(old.terms, version.terms))
            if old.published_by(today):
                found.append(
                    VersionDiff(version.label, version.effective, VersionStatus.REWRITTEN, old.label, changes, version.terms.changes)
                )
            else:
                notice = notice_violation(old.terms, version, changes, today)
                found.append(
                    VersionDiff(version.label, version.effective, VersionStatus.REVISED, old.label, changes, version.terms.changes, notice)
                )
    for version in base.versions:
        if version.label not in after:
            status = VersionStatus.REMOVED if version.published_by(today) else VersionStatus.WITHDRAWN
            found.append(VersionDiff(version.label, version.effective, status, None, note=version.terms.changes))
    return tuple(found)


def _in_force_terms(base: Agreement, day: dt.date) -> Terms:
    """The BASE terms that a version effective on `day` replaces: their notice binds."""
    return base.in_force(day).terms


def _credit_view(outcome) -> CreditView:
    terms = outcome.terms.credit_terms
    credit = outcome.credit
    return CreditView(credit.percent, credit.amount, terms.currency if terms else None, credit.below_minimum, withheld_words(terms))


def _results_key(results: PeriodResults) -> tuple:
    intervals = {k: tuple((r.start, r.requests, r.errors) for r in rows) for k, rows in results.intervals.items()}
    return results.results, sorted(intervals.items())


def _results_diffs(base: Agreement, head: Agreement, today: dt.date) -> tuple[ResultsDiff, ...]:
    from mkdocs_sla.compare.corrections import as_corrections
    from mkdocs_sla.core.evaluate import evaluate
    from mkdocs_sla.present.display import attainment as show

    old_results = {r.period: r for r in base.results}
    new_results = {r.period: r for r in head.results}
    if not old_results and not new_results:
        return ()
    same_terms = [v.digest for v in base.versions] == [v.digest for v in head.versions]
    if (
        same_terms
        and old_results.keys() == new_results.keys()
        and all(_results_key(old_results[p]) == _results_key(new_results[p]) for p in old_results)
    ):
        return ()  # nothing to evaluate: the same terms and the same results give the same credits
    old_outcomes = {p.period: p for p in evaluate(base).periods}
    new_outcomes = {p.period: p for p in evaluate(head).periods}
    found = []
    for period in sorted(set(old_results) | set(new_results)):
        past = period.has_ended_by(today)
        a, b = old_outcomes.get(period), new_outcomes.get(period)
        if a is None:
            found.append(ResultsDiff(period.label, ResultsStatus.ADDED, past, None, _credit_view(b)))
            continue
        if b is None:
            found.append(ResultsDiff(period.label, ResultsStatus.REMOVED, past, _credit_view(a), None))
            continue
        edited = _results_key(old_results[period]) != _results_key(new_results[period])
        before, after = _credit_view(a), _credit_view(b)
        if not edited and before == after:
            continue
        attainments = []
        old_metrics = {m.metric.id: m for m in a.metrics}
        for m in b.metrics:
            o = old_metrics.get(m.metric.id)
            if o is not None and o.attainment != m.attainment:
                attainments.append(
                    (m.metric.id, show(o.attainment, o.metric.unit, o.metric.better), show(m.attainment, m.metric.unit, m.metric.better))
                )
        found.append(
            ResultsDiff(period.label, ResultsStatus.EDITED if edited else ResultsStatus.RECOMPUTED, past, before, after, tuple(attainments))
        )
    return tuple(as_corrections(found, base, head, new_outcomes))
