"""Phase 2: the pages that list every agreement: the catalog, the metrics glossary, credits by period, the feed."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from mkdocs_sla.core.diagnostics import Diagnostic, InvalidAgreements, Position, Severity
from mkdocs_sla.core.model import RESERVED_IDS
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present import billing, display, markup
from mkdocs_sla.present.feed import FeedEntry, atom, feed_title, version_title
from mkdocs_sla.present.markup import escape_line as _escape
from mkdocs_sla.present.words import (
    claim_status,
    period_name,
    plural,
)
from mkdocs_sla.site.audiences import with_statements
from mkdocs_sla.site.history import changes_address
from mkdocs_sla.site.navigation import NavPage, NavSection, _chunked
from mkdocs_sla.site.paths import OTHER_FAMILY, Links, RenderOptions, legacy_definition_anchor, page_url, relative_url, slug
from mkdocs_sla.site.previewcache import ListingCache, cached
from mkdocs_sla.site.statements import Statements
from mkdocs_sla.site.templating import _env
from mkdocs_sla.site.views import AgreementSummary, Mark, MetricUse, PeriodEntry, VersionEntry

# ---------------------------------------------------------------- phase 2: the listings


class Listings:
    """The catalog, the glossary and the credits by period, from the agreements' summaries."""

    def __init__(
        self,
        summaries: Iterable[AgreementSummary],
        today: dt.date,
        options: RenderOptions,
        problems: Iterable[str] = (),
        cache: ListingCache | None = None,
    ):
        self.today = today
        self.cache = cache  # a live preview's, kept across its rebuilds; None makes every row
        self.options = options
        self.problems = list(problems)  # error lines shown on the catalog (a preview with invalid agreements)
        self.link = Links(options)
        self.paths = self.link.paths
        self.summaries = sorted(summaries, key=lambda s: (markup.plain(s.title).casefold(), s.id))
        clashes = [s for s in self.summaries if s.id in RESERVED_IDS]
        if clashes:
            raise InvalidAgreements(
                [
                    Diagnostic(
                        Position(s.file, s.line, 1),
                        Severity.ERROR,
                        f"the id `{s.id}` is taken by the site's {s.id} page; expected another id (and folder name)",
                    )
                    for s in clashes
                ]
            )
        self.by_id = {s.id: s for s in self.summaries}
        # Started once the summaries are valid: a render refused above keeps the last one's rows.
        if cache is not None:
            cache.start(today, options)
        # Credit statements: on a customer's site (its own) and the internal one (all), never the public one.
        self.statements = Statements(self.summaries, today, options, cache) if with_statements(options.audience) else None

    def render(self) -> dict[str, str]:
        pages = {self.paths.catalog: self.catalog_page(), self.paths.glossary: self.glossary_page(), self.paths.feed: self.feed()}
        taken = {entry.anchor for entry in self.glossary}
        for entry in self.glossary:
            pages[self.paths.definition(entry.anchor)] = self.definition_page(entry)
            # The entry's old addresses (from its definition's words) keep answering.
            for legacy in sorted(entry.legacy_anchors - taken):  # sorted: a set's order changes from run to run
                pages[self.paths.definition(legacy)] = self.moved_page(entry, legacy)
        pages[self.paths.credits] = self.credits_page()
        for period, entries in self.by_period.items():
            pages[self.paths.period(period.label)] = self.period_page(period, entries)
        if self.statements is not None:
            pages.update(self.statements.render())
        return pages

    def _render(self, template: str, **context: Any) -> str:
        return _env().get_template(template).render(options=self.options, today=self.today, **context)

    # ------------------------------------------------------------ catalog

    def group_of(self, summary: AgreementSummary) -> str:
        if self.options.group_by == "provider":
            return summary.provider
        if self.options.group_by == "customer":
            return summary.customer
        return summary.family or OTHER_FAMILY

    # Computed once per render: each is read by several pages.
    @cached_property
    def groups(self) -> list[tuple[str, str, list[AgreementSummary]]]:
        """(name, anchor, summaries), by name; the summaries keep the catalog order."""
        members: dict[str, list[AgreementSummary]] = defaultdict(list)
        for summary in self.summaries:
            members[self.group_of(summary)].append(summary)
        last = OTHER_FAMILY if self.options.group_by == "family" else None
        names = sorted(members, key=lambda n: (n == last, markup.plain(n).casefold(), n))
        seen: Counter[str] = Counter()
        groups = []
        for name in names:
            anchor = "group-" + slug(markup.plain(name))
            seen[anchor] += 1
            if seen[anchor] > 1:
                anchor += f"-{seen[anchor]}"
            groups.append((name, anchor, members[name]))
        return groups

    def catalog_page(self) -> str:
        groups = [
            (name, anchor, Markup("\n".join(cached(self.cache, "catalog", (s,), lambda s=s: self._catalog_row(s)) for s in members)))
            for name, anchor, members in self.groups
        ]
        return self._render(
            "catalog.md.j2",
            groups=groups,
            count=len(self.summaries),
            problems=self.problems,
            group_counts=[(name, anchor, len(members)) for name, anchor, members in self.groups],
            periods_with_credits=sum(s.periods_with_credits for s in self.summaries),
            glossary_href=self.link(self.paths.catalog, self.paths.glossary),
            credits_href=self.link(self.paths.catalog, self.paths.credits),
        )

    def _catalog_row(self, s: AgreementSummary) -> str:
        e = _escape
        href = e(self.link(self.paths.catalog, self.paths.agreement(s.id)))
        cells = [f'<td><a href="{href}">{markup.inline(s.title)}</a></td>']
        if self.options.group_by != "provider":
            cells.append(f"<td>{markup.inline(s.provider)}</td>")
        if self.options.group_by != "customer":
            cells.append(f"<td>{markup.inline(s.customer)}</td>")
        cells.append(f"<td>{e(s.version)}</td>")
        last = s.last
        if last is None:
            cells.append('<td><span class="sla-muted">no results yet</span></td>')
        else:
            detail = ""
            if last.missed:
                detail = (
                    f"<br><small>{len(last.missed)} of {s.last_reported} {plural(s.last_reported, 'metric', 'metrics')} missed"
                    f"{', credit ' + e(last.total.text) if last.total.credited else ''}</small>"
                )
            cells.append(f"<td>{e(last.period.label)}: {Mark(last.mark).html}{detail}</td>")
        return "<tr>" + " ".join(cells) + "</tr>"

    # ------------------------------------------------------------ glossary

    @cached_property
    def glossary(self) -> list[GlossaryEntry]:
        """An entry per glossary id (`glossary_anchor`), with the metrics that use it."""
        entries: dict[str, GlossaryEntry] = {}
        for summary in self.summaries:
            for use in summary.metrics:
                entry = entries.get(use.anchor)
                if entry is None:
                    entry = entries[use.anchor] = GlossaryEntry(use.anchor)
                entry.uses.append(use)
        return sorted(entries.values(), key=lambda e: (markup.plain(e.name).casefold(), e.anchor))

    def glossary_page(self) -> str:
        entries = []
        for entry in self.glossary:
            # A definition few agreements use names them here too; a common one links to its page.
            inline = None
            if len(entry.uses) <= 3:
                inline = Markup(
                    ", ".join(
                        f'<a href="{_escape(self.link(self.paths.glossary, self.paths.agreement(u.agreement_id), f"metric-{u.metric_id}"))}">'
                        f"{markup.inline(self.by_id[u.agreement_id].title)}</a> ({_escape(u.objective)})"
                        for u in entry.uses
                    )
                )
            entries.append(
                {
                    "entry": entry,
                    "href": self.link(self.paths.glossary, self.paths.definition(entry.anchor)),
                    "agreements": len({use.agreement_id for use in entry.uses}),
                    "inline": inline,
                }
            )
        return self._render("glossary.md.j2", entries=entries, catalog_href=self.link(self.paths.glossary, self.paths.catalog))

    def moved_page(self, entry: GlossaryEntry, legacy: str) -> str:
        """The page at an entry's old address: where it is now, and the definition."""
        path = self.paths.definition(legacy)
        return self._render("moved.md.j2", entry=entry, href=self.link(path, self.paths.definition(entry.anchor)))

    def definition_page(self, entry: GlossaryEntry) -> str:
        path = self.paths.definition(entry.anchor)
        by_objective: dict[str, list[str]] = defaultdict(list)
        for use in sorted(
            entry.uses, key=lambda u: (markup.plain(self.by_id[u.agreement_id].title).casefold(), u.agreement_id, u.metric_id)
        ):
            summary = self.by_id[use.agreement_id]
            href = _escape(self.link(path, self.paths.agreement(use.agreement_id), f"metric-{use.metric_id}"))
            named = f" ({markup.inline(use.name)})" if use.name != entry.name else ""
            by_objective[use.objective].append(f'<li><a href="{href}">{markup.inline(summary.title)}</a>{named}</li>')
        objectives = [(words, Markup("".join(items))) for words, items in sorted(by_objective.items(), key=lambda item: -len(item[1]))]
        return self._render(
            "definition.md.j2",
            entry=entry,
            objectives=objectives,
            agreements=len({use.agreement_id for use in entry.uses}),
            glossary_href=self.link(path, self.paths.glossary),
        )

    # ------------------------------------------------------------ credits by period

    @cached_property
    def by_period(self) -> dict[Period, list[PeriodEntry]]:
        """Every period some agreement reported, newest first, with each agreement's entry."""
        periods: dict[Period, list[PeriodEntry]] = defaultdict(list)
        for summary in self.summaries:
            for entry in summary.periods:
                periods[entry.period].append(entry)
        return dict(sorted(periods.items(), key=lambda item: (item[0].start, item[0].kind), reverse=True))

    def totals(self, period: Period, entries: list[PeriodEntry]) -> list[str]:
        """`_totals` of one period, read by its page and by the credits index."""
        return cached(self.cache, "period-totals", tuple(entries), lambda: _totals(entries), key=(period,))

    def credits_page(self) -> str:
        years: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for period, entries in self.by_period.items():
            years[period.year].append(
                {
                    "period": period,
                    "name": period_name(period),
                    "href": self.link(self.paths.credits, self.paths.period(period.label)),
                    "reported": len(entries),
                    "credited": sum(1 for entry in entries if entry.issued),
                    "totals": self.totals(period, entries),
                }
            )
        statements_href = self.link(self.paths.credits, self.paths.statements) if self.statements and self.statements.by_customer else None
        return self._render(
            "credits_index.md.j2",
            years=dict(years),
            catalog_href=self.link(self.paths.credits, self.paths.catalog),
            statements_href=statements_href,
        )

    def period_page(self, period: Period, entries: list[PeriodEntry]) -> str:
        path = self.paths.period(period.label)
        rows = Markup(
            "\n".join(
                cached(
                    self.cache, "credit", (entry, self.by_id[entry.agreement_id]), lambda e=entry: self._credit_row(path, e), key=(path,)
                )
                for entry in entries
                if entry.due
            )
        )
        return self._render(
            "credits_period.md.j2",
            period=period,
            name=period_name(period),
            rows=rows,
            due=sum(1 for entry in entries if entry.due),
            earned_back=sum(1 for entry in entries if entry.due and entry.earned_back),
            reported=len(entries),
            totals=self.totals(period, entries),
            index_href=self.link(path, self.paths.credits),
        )

    def _credit_row(self, path: str, entry: PeriodEntry) -> str:
        e = _escape
        s = self.by_id[entry.agreement_id]
        total = entry.total
        href = e(self.link(path, self.paths.period_results(s.id, entry.earlier_year), f"period-{entry.period.label}"))
        notes = "".join(f'<br><small class="sla-note">{e(note)}</small>' for note in total.notes)
        notes += "".join(
            f'<br><small class="sla-note">{markup.inline(name)}: earned back in {e(when)}</small>' for name, when in entry.earned_back
        )
        return (
            f'<tr class="sla-row--missed"><td><a href="{href}">{markup.inline(s.title)}</a><br><small>{markup.inline(s.provider)}, '
            f"version {e(entry.version)}</small></td> <td>{markup.inline(s.customer)}</td> "
            f"<td>{'; '.join(markup.inline(name) for name in entry.missed)}</td> "
            f'<td class="sla-total{" sla-total--credited" if total.credited else ""}">{e(total.text)}{notes}</td> '
            f"<td>{e(total.claim_by or '—')}{self._claim_status(total.claim_by)}</td></tr>"
        )

    def _claim_status(self, claim_by: str | None) -> str:
        """` (12 days left)` or ` (passed)` after a claim deadline, on the build date."""
        if not claim_by:
            return ""
        return f" <small>({_escape(claim_status(dt.date.fromisoformat(claim_by), self.today))})</small>"

    # ------------------------------------------------------------ feed of versions

    def feed(self) -> str:
        """The Atom feed of every version of every agreement (`feed.atom`)."""
        # Made of the versions' values alone: an edit to results (a new summary, equal versions)
        # keeps the last render's feed.
        versions = tuple(tuple(summary.versions) for summary in self.summaries)
        return cached(self.cache, "feed", (), self._feed, key=(versions,))

    def _feed(self) -> str:
        site_url = self.options.site_url
        if site_url and not site_url.endswith("/"):
            site_url += "/"

        def address(path: str, anchor: str | None = None) -> str:
            url = page_url(path, self.options.use_directory_urls)
            href = site_url + url if site_url else relative_url(url, page_url(self.paths.feed))
            return f"{href}#{anchor}" if anchor else href

        entries = []
        for summary in self.summaries:
            for v in summary.versions:
                changes_page, anchor = changes_address(self.paths, v.agreement_id, v.label, v.first, len(summary.versions) == 1)
                entries.append(
                    FeedEntry(
                        agreement_id=v.agreement_id,
                        label=v.label,
                        author=markup.plain(v.provider),
                        title=version_title(v.title, v.label, v.status, v.effective),
                        effective=v.effective,
                        published=v.published,
                        summary=_version_summary(v),
                        href=address(self.paths.version(v.agreement_id, v.label)),
                        changes_href=address(changes_page, anchor),
                    )
                )
        return atom(
            entries,
            title=feed_title(self.options.site_name),
            author=self.options.site_author or self.options.site_name,
            feed_url=site_url + self.paths.feed if site_url else None,
            site_url=site_url,
            today=self.today,
        )

    # ------------------------------------------------------------ navigation

    def navigation(self) -> list[NavSection | NavPage | str]:
        """[agreements, glossary, credits], each a section: the agreements by group, large groups
        split so that no section holds more than `nav_group_size` pages (Material renders the
        whole navigation into every page)."""
        agreements: list[NavSection | NavPage | str] = [self.paths.catalog]
        for name, _anchor, members in self.groups:
            pages = [(self.paths.agreement(s.id), markup.plain(s.title)) for s in members]
            agreements.append(NavSection(markup.plain(name), tuple(_chunked(pages, self.options.nav_group_size, markup.plain(name)))))
        glossary: list[NavSection | NavPage | str] = [self.paths.glossary]
        definitions = [(self.paths.definition(e.anchor), markup.plain(e.name)) for e in self.glossary]
        if definitions:
            # One collapsed section: navigation.sections would otherwise list every definition on every page.
            glossary.append(
                NavSection("All definitions", tuple(_chunked(definitions, self.options.nav_group_size, "Metrics", titled=True)))
            )
        credits: list[NavSection | NavPage | str] = [self.paths.credits]
        years: dict[int, list[NavPage]] = defaultdict(list)
        for period in self.by_period:
            years[period.year].append(NavPage(self.paths.period(period.label), period_name(period)))
        credits.extend(NavSection(str(year), tuple(pages)) for year, pages in years.items())
        sections = [
            NavSection("Agreements", tuple(agreements)),
            NavSection("Metrics glossary", tuple(glossary)),
            NavSection("Credits by period", tuple(credits)),
        ]
        # A customer's own statements are its site's point: a section of their own. The internal
        # site's (every customer's, every period) would put thousands of entries in every page's
        # navigation; there the credits page links the statements' index.
        statements = self.statements.navigation() if self.statements is not None and self.options.audience.customer else None
        return [*sections, statements] if statements else sections


@dataclass
class GlossaryEntry:
    anchor: str
    uses: list[MetricUse] = field(default_factory=list)

    # Cached: read for every use while sorting an entry's uses, and counting them each time
    # made the definition pages quadratic in the number of agreements. Read after `uses` is complete.
    @cached_property
    def definition(self) -> str:
        """The wording most uses give (whitespace aside; ties: the first alphabetically)."""
        counts = Counter(" ".join(use.definition.split()) for use in self.uses)
        return min(counts, key=lambda d: (-counts[d], d))

    @property
    def other_definitions(self) -> list[str]:
        """Other wordings of the same entry, by agreements that share its glossary id."""
        return sorted({" ".join(use.definition.split()) for use in self.uses} - {self.definition})

    @cached_property
    def legacy_anchors(self) -> set[str]:
        """The addresses this entry had when entries were named by their definition's words (one
        per wording: 2,000 uses of a standard metric share a handful)."""
        return {legacy_definition_anchor(definition) for definition in {use.definition for use in self.uses}}

    @cached_property
    def name(self) -> str:
        """The name most uses give it (ties: the first alphabetically)."""
        counts = Counter(use.name for use in self.uses)
        return min(counts, key=lambda n: (-counts[n], markup.plain(n).casefold()))

    @property
    def other_names(self) -> list[str]:
        return sorted({use.name for use in self.uses} - {self.name}, key=lambda n: markup.plain(n).casefold())

    @property
    def units(self) -> list[str]:
        return sorted({use.unit for use in self.uses})


def _version_summary(v: VersionEntry) -> str:
    """A feed entry's summary: the version's own summary of its changes, and how many changes
    are adverse, favourable or neutral for the customer (plain text)."""
    parts = [markup.plain(v.changes)] if v.changes else []
    if v.first:
        parts.append("The first version of this agreement.")
    else:
        counts = [f"{n} {effect}" for n, effect in ((v.adverse, "adverse"), (v.favourable, "favourable"), (v.neutral, "neutral")) if n]
        total = v.adverse + v.favourable + v.neutral
        parts.append(
            f"{plural(total, 'Change', 'Changes')} for the customer: {', '.join(counts)}." if counts else "No change to the terms."
        )
    return " ".join(parts)


def _totals(entries: Iterable[PeriodEntry]) -> list[str]:
    """Issued credit amounts per currency, e.g. ["15,234.00 GBP", "1,200.00 USD"]: each row's
    amount as its row shows it, added (`billing.invoiced_totals`), so the rows add up."""
    totals = billing.invoiced_totals((entry.currency, entry.issued) for entry in entries if entry.issued)
    return [display.money(amount, currency) for currency, amount in totals.items() if amount]
