"""Phase 1: an agreement's version history, what changed between consecutive versions, and a page per version.

A version that inherits its service's standard with nothing negotiated reads as that standard
version does: its terms in full are the standard version's page (`services/<id>/standard/<v>`),
written once for every agreement on it, and its own address keeps answering with a small
redirect to its section of the history page (dates, status, what it changed). A version with
negotiated differences keeps its page of effective terms.

While an agreement has a single version, the agreement page shows everything its history page
and its version page would (the terms in force, and the versions table with its dates, status
and summary): both addresses keep answering with a small redirect to the agreement page, so a
large catalog of agreements that never changed does not carry each one's terms three times.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup

from mkdocs_sla.compare.agreements import version_history
from mkdocs_sla.compare.changes import WordDiff
from mkdocs_sla.core.records import Agreement, Version, VersionStatus
from mkdocs_sla.present.feed import feed_title
from mkdocs_sla.present.markup import escape_line as _escape
from mkdocs_sla.present.words import (
    credit_terms_lines,
    deadline_words,
    remedy_lines,
    responsibility_lines,
)
from mkdocs_sla.site.paths import Links, Paths, glossary_anchor, page_url, relative_url, version_slug
from mkdocs_sla.site.templating import _env
from mkdocs_sla.site.views import VersionEntry, _metric_view

# ---------------------------------------------------------------- phase 1: versions


#: The order in which counts of changes are given: what the customer loses first.
EFFECTS = ("adverse", "favourable", "neutral")


@dataclass(frozen=True)
class ChangeView:
    """One change from the version before, for a page: `summary` is compare's words around the
    agreement's own texts (Markdown: print it through `markup.inline`); `diff` is escaped HTML."""

    effect: str
    summary: str
    diff: Markup | None


@dataclass(frozen=True)
class VersionView:
    """A version as a page shows it, with links relative to that page."""

    version: Version
    status: VersionStatus  # on the build date
    previous: str | None  # the label of the version before
    until: dt.date | None  # its last day in force, when a later version has taken or will take over
    changes: tuple[ChangeView, ...]
    anchor: str  # its section on the history page
    changes_anchor: str  # its changes there (its section, for a first version)
    href: str  # its own page
    changes_href: str  # its changes on the history page

    @property
    def label(self) -> str:
        return self.version.label

    @property
    def counts(self) -> list[tuple[int, str]]:
        """[(2, "adverse"), (1, "favourable")]: the effects that occur, in `EFFECTS` order."""
        found = Counter(change.effect for change in self.changes)
        return [(found[effect], effect) for effect in EFFECTS if found[effect]]


def _word_diff_html(diff: WordDiff | None) -> Markup | None:
    """Kept words as text, removed words in <del>, added words in <ins>; everything escaped, on one line."""
    if not diff:
        return None
    parts = []
    for op, text in diff:
        text = _escape(re.sub(r"\s+", " ", text))
        parts.append(text if op == "=" else f"<del>{text}</del>" if op == "-" else f"<ins>{text}</ins>")
    return Markup("".join(parts))


class History:
    """An agreement's versions, their status on the build date, and what each changed for the
    customer (compare's engine): the history page, a page per version, the versions area of the
    agreement page and the entries of the feed."""

    def __init__(self, record: Agreement, today: dt.date, links: Links, site_name: str = "Service level agreements"):
        self.record = record
        self.site_name = site_name  # names the feed that every page, a redirect too, links from its head
        self.today = today
        self.links = links
        self.path = links.paths.history(record.id)
        self.agreement = links.paths.agreement(record.id)
        rows = version_history(record)
        #: A single version: its history and its terms are the agreement page's (see the module's docstring).
        self.single = len(rows) == 1
        self.versions: list[_VersionRow] = []
        for index, (previous, version, changes) in enumerate(rows):
            following = rows[index + 1][1] if index + 1 < len(rows) else None
            status = record.status_of(version, today)
            self.versions.append(
                _VersionRow(
                    version,
                    status,
                    previous.label if previous else None,
                    following.effective - dt.timedelta(days=1) if following else None,
                    tuple(ChangeView(c.effect, c.summary, _word_diff_html(c.word_diff)) for c in changes),
                    links.paths.version(record.id, version.label),
                    standard_page(version, links) or (self.agreement if self.single else links.paths.version(record.id, version.label)),
                )
            )

    def views(self, source: str) -> list[VersionView]:
        """The versions, newest first, with links from the page at `source`."""
        views = []
        for row in reversed(self.versions):
            anchor = f"version-{version_slug(row.version.label)}"
            changes_anchor = f"changes-{version_slug(row.version.label)}" if row.previous else anchor
            views.append(
                VersionView(
                    row.version,
                    row.status,
                    row.previous,
                    row.until,
                    row.changes,
                    anchor,
                    changes_anchor,
                    self.links(source, row.terms),
                    self.links(source, self.path, changes_anchor),
                )
            )
        return views

    def pages(self, in_glossary: set[str]) -> dict[str, str]:
        """The history page and the page of each version. `in_glossary`: the definitions the
        glossary holds (those in force), which a version page may link to."""
        record = self.record
        paths = self.links.paths
        env = _env()
        views = self.views(self.path)
        if self.single:
            # Everything both pages would say is on the agreement page: their addresses redirect there.
            (view,) = views
            title = record.in_force(self.today).terms.title
            return {
                **self._redirect(self.path, self.agreement, "versions", f"{title}: history", "its versions on the agreement page"),
                **self._redirect(
                    self.versions[0].path, self.agreement, "", f"{title}, version {view.label}", "its terms on the agreement page"
                ),
            }
        pages = {
            self.path: env.get_template("history.md.j2").render(
                record=record,
                terms=record.in_force(self.today).terms,
                versions=views,
                today=self.today,
                agreement_href=self.links(self.path, paths.agreement(record.id)),
                catalog_href=self.links(self.path, paths.catalog),
            )
        }
        for view, row in zip(views, reversed(self.versions), strict=False):
            if row.terms != row.path:  # the standard's page holds its terms: its own address redirects
                pages.update(self._redirect(row.path, self.path, view.anchor, f"Version {view.label}"))
                continue
            terms = view.version.terms
            metrics = []
            for metric in terms.metrics:
                metric_view = _metric_view(metric, terms)
                anchor = glossary_anchor(metric)
                if anchor in in_glossary:
                    metric_view["glossary_href"] = self.links(row.path, paths.definition(anchor))
                metrics.append(metric_view)
            pages[row.path] = env.get_template("version.md.j2").render(
                record=record,
                terms=terms,
                v=view,
                metrics=metrics,
                today=self.today,
                responsibilities=responsibility_lines(terms),
                credit_terms=credit_terms_lines(terms),
                remedies=remedy_lines(terms),
                deadline=deadline_words(terms),
                in_force=next((v for v in views if v.status is VersionStatus.IN_FORCE), None),
                agreement_href=self.links(row.path, paths.agreement(record.id)),
                history_href=self.links(row.path, self.path, view.anchor),
                changes_href=self.links(row.path, self.path, view.changes_anchor),
            )
        return pages

    def _redirect(self, path: str, target: str, anchor: str, title: str, where: str = "") -> dict[str, str]:
        """{file: text} of a static page at the address of the page `path` would be, sending the
        reader to `target#anchor` (`target` alone for no anchor): the page `title`, found `where`
        (words naming the target; the title alone links there without). A permanent address stays
        valid: the feed and old links use it."""
        url = page_url(path, self.links.use_directory_urls)
        href = _escape(relative_url(page_url(target, self.links.use_directory_urls), url) + (f"#{anchor}" if anchor else ""))
        file = url + "index.html" if url.endswith("/") else url
        title = _escape(title)
        feed = _escape(relative_url(self.links.paths.feed, url))
        feed_name = _escape(f"{feed_title(self.site_name)} (Atom)")
        link = f'{title}: <a href="{href}">{_escape(where)}</a>' if where else f'<a href="{href}">{title}</a>'
        return {
            file: (
                f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta name="robots" content="noindex"><link rel="canonical" href="{href}">'
                f'<meta http-equiv="refresh" content="0; url={href}">'
                f'<link rel="alternate" type="application/atom+xml" title="{feed_name}" href="{feed}"></head>'
                f"<body><p>{link}</p>"
                f'<p class="sla-as-of">As of {self.today.isoformat()}: statuses, deadlines and days left on this site hold on that day.</p>'
                "</body></html>\n"
            )
        }

    def entries(self) -> tuple[VersionEntry, ...]:
        """The versions, oldest first, as plain data for the feed."""
        entries = []
        for row in self.versions:
            terms = row.version.terms
            found = Counter(change.effect for change in row.changes)
            entries.append(
                VersionEntry(
                    agreement_id=self.record.id,
                    label=row.version.label,
                    title=terms.title,
                    provider=terms.provider,
                    effective=row.version.effective,
                    published=terms.published,
                    changes=terms.changes,
                    status=row.status,
                    favourable=found["favourable"],
                    adverse=found["adverse"],
                    neutral=found["neutral"],
                    first=row.previous is None,
                )
            )
        return tuple(entries)


@dataclass(frozen=True)
class _VersionRow:
    version: Version
    status: str
    previous: str | None
    until: dt.date | None
    changes: tuple[ChangeView, ...]
    path: str  # the version's page
    terms: str  # the page of its terms in full: its own, or its standard version's (`standard_page`)


def changes_address(paths: Paths, agreement_id: str, label: str, first: bool, single: bool) -> tuple[str, str]:
    """(page, anchor) where a version's dates and what it changed are read, for links from
    elsewhere (the feed): its section of the history page, or, for the only version of an
    agreement, the versions of the agreement page (its history page redirects there)."""
    if single:
        return paths.agreement(agreement_id), "versions"
    return paths.history(agreement_id), f"{'version' if first else 'changes'}-{version_slug(label)}"


def standard_page(version: Version, links: Links) -> str | None:
    """The service's standard version page, when it holds a version's terms in full: the version
    inherits with nothing negotiated (its terms are the standard's, its parties aside: those are the
    agreement page's, its dates and changes the history page's). None: the version's own page does."""
    inherited = version.inherited
    if inherited is not None and not inherited.negotiated:
        return links.paths.service_version(inherited.service, inherited.standard_version)
    return None
