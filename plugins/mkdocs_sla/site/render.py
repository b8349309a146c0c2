"""render: loaded agreements and their evaluation to Markdown pages, JSON and SVG.

Two phases, like a tags plugin: each agreement is rendered on its own
(`render_agreement`: its page, its history page and a page per version, its
credits as JSON, a sparkline per metric, and a small `AgreementSummary`), then
the listings are rendered from the summaries (`render_listings`: the catalog,
the metrics glossary, the credits by period, the Atom feed of versions).
The first phase needs nothing from other agreements, so a large tree can run it
in worker processes; the second handles plain data only.

`render_site()` does both and returns {path: text} for a docs folder; it does
not depend on MkDocs, so `sla render OUT_DIR` can feed any static site
generator. `navigation()` says how the pages nest, for the MkDocs plugin.

How the pages stay safe: the page skeleton is Markdown (headings, so the table
of contents and permalinks work), and everything else is one-line HTML blocks
that Markdown passes through untouched. Texts from agreement files reach a page
only through `markup` (Markdown converted with raw HTML disabled and unsafe
links removed), through `markup.heading` (punctuation as character references,
so no Markdown syntax survives in a heading), or escaped (Jinja's autoescape in
the templates, `html.escape` in the row builders below, which render the long
tables without Jinja's per-value cost). Titles are set in front matter as
escaped text, because MkDocs and Material print page titles unescaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from html import escape as _escape
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mkdocs_sla.present import display
from mkdocs_sla.present import markup
from mkdocs_sla.core.diagnostics import Diagnostic, InvalidAgreements, Position
from mkdocs_sla.present.feed import FeedEntry, atom, feed_title, version_title
from mkdocs_sla.core.evaluate import AgreementEvaluation, MetricOutcome, PeriodOutcome, evaluate
from mkdocs_sla.present.documents import period_document
from mkdocs_sla.compare.compare import WordDiff, version_history
from mkdocs_sla.core.records import Agreement, Catalog, Version
from mkdocs_sla.source.load import RESERVED_IDS
from mkdocs_sla.core.model import Terms, Metric
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present.sparkline import sparkline
from mkdocs_sla.present.words import bounds_in_words, measured_words, number, remedy_words
from mkdocs_sla.present.words import (add_months, credit_model_words, credit_terms_lines, deadline_words, measure_words,
                    objective_words, period_name, plural, remedy_lines, responsibility_lines)

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = TEMPLATES / "assets" / "sla.css"

GroupBy = Literal["family", "provider", "customer"]
GROUP_BY: tuple[str, ...] = ("family", "provider", "customer")
OTHER_FAMILY = "Other services"

#: Page names beside the agreement pages; an agreement with such an id would share their URL.


@dataclass(frozen=True)
class RenderOptions:
    """Where the pages go and how they are arranged."""

    prefix: str = "agreements"  # folder of every generated page, relative to the docs root
    group_by: GroupBy = "family"  # what groups the catalog and the navigation
    use_directory_urls: bool = True  # `a/b.md` is served as `a/b/` (MkDocs' default) or `a/b.html`
    nav_group_size: int = 40  # a navigation section holds at most this many pages
    site_url: str | None = None  # the site's address: the feed's ids and links are absolute with it
    site_name: str = "Service level agreements"  # names the feed
    site_author: str | None = None  # the feed's author (default: site_name)


# ---------------------------------------------------------------- paths and links


@dataclass(frozen=True)
class Paths:
    """The source path of every generated page, relative to the docs root."""

    prefix: str = "agreements"

    @property
    def catalog(self) -> str:
        return f"{self.prefix}/index.md"

    @property
    def glossary(self) -> str:
        return f"{self.prefix}/metrics/index.md"

    @property
    def credits(self) -> str:
        return f"{self.prefix}/credits/index.md"

    def agreement(self, agreement_id: str) -> str:
        # Not `<id>/index.md`: Material would take an index page for the index of its
        # navigation section (navigation.indexes). The URL is the same: `<prefix>/<id>/`.
        return f"{self.prefix}/{agreement_id}.md"

    def agreement_json(self, agreement_id: str) -> str:
        return f"{self.prefix}/{agreement_id}/credits.json"

    def sparkline(self, agreement_id: str, metric_id: str) -> str:
        return f"{self.prefix}/{agreement_id}/{metric_id}.svg"

    def definition(self, anchor: str) -> str:
        return f"{self.prefix}/metrics/{anchor}.md"

    def period(self, label: str) -> str:
        return f"{self.prefix}/credits/{label}.md"

    def history(self, agreement_id: str) -> str:
        return f"{self.prefix}/{agreement_id}/history.md"

    def version(self, agreement_id: str, label: str) -> str:
        """A version's terms: a permanent URL, named by the label alone, so a newer version changes nothing here."""
        return f"{self.prefix}/{agreement_id}/versions/{version_slug(label)}.md"

    @property
    def feed(self) -> str:
        # At the root, beside sitemap.xml: Material fetches `sitemap.xml` from the folder of every
        # `<link rel=alternate>` in a page's head (for its language selector); beside the feed it exists.
        return "feed.xml"


def page_url(path: str, use_directory_urls: bool = True) -> str:
    """The URL of a source path, relative to the site root, as MkDocs serves it."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        if use_directory_urls:
            return f"{folder}/" if folder else ""
        return f"{folder}/index.html" if folder else "index.html"
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def relative_url(target: str, source: str) -> str:
    """A link from the page at URL `source` to URL `target`, both relative to the site root."""
    base = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    rel = posixpath.relpath("/" + target, "/" + base)
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel == "." else rel


class Links:
    """Relative links between the generated pages."""

    def __init__(self, options: RenderOptions):
        self.paths = Paths(options.prefix.strip("/"))
        self.use_directory_urls = options.use_directory_urls

    def __call__(self, source_path: str, target_path: str, anchor: str | None = None) -> str:
        href = relative_url(page_url(target_path, self.use_directory_urls), page_url(source_path, self.use_directory_urls))
        return f"{href}#{anchor}" if anchor else href


def definition_anchor(definition: str) -> str:
    """The glossary entry of a definition, from its words alone, so every agreement finds it on
    its own: the first words as a slug, and a hash of the whole text (whitespace aside)."""
    text = " ".join(definition.split())
    words = "-".join(slug(markup.plain(text)).split("-")[:5])[:40].strip("-")
    return f"{words}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-_") or "x"


_PLAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")


def version_slug(label: str) -> str:
    """A version label as a URL segment, from the label alone (never from the other versions, so
    it stays put as versions are added): `1.1` as is; any other label as lower-case ASCII
    words and a hash of the label, so two labels never share a page (`V 2` -> `v-2-3f1c9a`)."""
    if _PLAIN_LABEL.fullmatch(label) and label != "index" and ".." not in label:
        return label
    words = re.sub(r"[^a-z0-9]+", "-", label.casefold()).strip("-")[:30].strip("-") or "version"
    return f"{words}-{hashlib.sha256(label.encode()).hexdigest()[:6]}"


# ---------------------------------------------------------------- small views


@dataclass(frozen=True)
class Mark:
    """A met / missed / not reported mark: a word, and a symbol from the stylesheet; never colour alone."""

    state: str  # "met", "missed", "none"

    @classmethod
    def of(cls, met: bool | None) -> "Mark":
        return cls("none" if met is None else "met" if met else "missed")

    @property
    def html(self) -> Markup:
        return _MARKS[self.state]


# Few tags: a large site has 100,000 marks, and MkDocs, Markdown and the search index each parse every tag.
_MARKS = {state: Markup(f'<span class="sla-mark sla-mark--{state}">{text}</span>')
          for state, text in (("met", "met"), ("missed", "missed"), ("none", "not reported"))}


@lru_cache(maxsize=65_536)
def percent(value: Fraction) -> str:
    return display.percent(value)


@dataclass(frozen=True)
class PeriodTotal:
    """A period's credit in words: "15% · 2,130.00 USD", with what capped or withheld it."""

    text: str  # "—" when no credit is due
    notes: tuple[str, ...]
    credited: bool
    claim_by: str | None

    @classmethod
    def of(cls, outcome: PeriodOutcome) -> "PeriodTotal":
        credit = outcome.credit
        terms = outcome.terms
        currency = terms.credit_terms.currency if terms.credit_terms else ""
        notes = []
        if credit.percent or credit.combined_percent:
            text = percent(credit.percent)
            if credit.amount is not None:
                text += f" · {display.money(credit.amount, currency)}"
            if credit.capped:
                cap = terms.credit_terms.cap if terms.credit_terms else None
                limit = f"the {number(cap, '%')} cap" if cap is not None and credit.percent == cap else "the at-risk amount"
                notes.append(f"capped from {percent(credit.combined_percent)} to {limit}")
            if credit.below_minimum:
                notes.append("below minimum — not issued")
            if credit.amount is None:
                notes.append("no charges reported: percentage of the base")
        else:
            text = "—"
        earned = sorted({m.earned_back.label for m in outcome.metrics if m.earned_back})
        if earned:
            when = " and ".join(earned)
            if text == "—":
                text = f"0% — earned back in {when}"
            else:
                notes.append(f"a further credit earned back in {when}")
        claim_by = None
        if outcome.claim_deadline and credit.percent > 0 and not credit.below_minimum:
            claim_by = outcome.claim_deadline.isoformat()
        return cls(text, tuple(notes), credit.percent > 0, claim_by)


def _metric_credit(m: MetricOutcome) -> str:
    if m.met is not False:
        return "—"
    credits = m.metric.credits
    if credits is None:
        return "no credit"
    if credits.model == "tiers":
        return f"tier {m.tier} · {percent(m.credit_percent)}" if m.tier else "no tier · 0%"
    if credits.model == "pool":
        return f"default · {percent(m.credit_percent)}" if m.default else "no default"
    return percent(m.credit_percent)


def _period_mark(outcome: PeriodOutcome) -> Mark:
    return Mark.of(not outcome.missed if any(m.reported for m in outcome.metrics) else None)


# ---------------------------------------------------------------- summaries (phase 1 -> phase 2)


@dataclass(frozen=True)
class MetricUse:
    """A metric of an agreement's terms in force, for the glossary."""

    agreement_id: str
    metric_id: str
    name: str
    definition: str
    unit: str
    objective: str  # in words
    anchor: str  # the glossary entry


@dataclass(frozen=True)
class PeriodEntry:
    """One agreement's outcome in one period, for the credits pages."""

    period: Period
    agreement_id: str
    version: str
    mark: str
    total: PeriodTotal
    due: bool  # a credit was due, or cancelled by earn-back: the billing team wants to see it
    issued: Fraction | None
    currency: str | None
    missed: tuple[str, ...]  # metric names
    earned_back: tuple[tuple[str, str], ...]  # (metric name, period)


@dataclass(frozen=True)
class VersionEntry:
    """One version of an agreement, for the feed of versions."""

    agreement_id: str
    label: str
    title: str  # the agreement's title in this version (Markdown)
    provider: str
    effective: dt.date
    published: dt.date | None
    changes: str | None  # the version's own summary of its changes (Markdown)
    status: str  # "superseded", "in force" or "upcoming" on the build date
    favourable: int  # changes for the customer, from the version before
    adverse: int
    neutral: int
    first: bool  # the agreement's first version: nothing to compare with


@dataclass(frozen=True)
class AgreementSummary:
    """What the listings need to know about an agreement: plain data, cheap to send between processes."""

    id: str
    file: str
    line: int
    title: str
    provider: str
    customer: str
    family: str | None
    version: str
    last: PeriodEntry | None
    last_reported: int
    periods_with_credits: int
    metrics: tuple[MetricUse, ...]
    periods: tuple[PeriodEntry, ...]
    versions: tuple[VersionEntry, ...] = ()  # oldest first


@dataclass(frozen=True)
class RenderedAgreement:
    pages: dict[str, str]
    summary: AgreementSummary


# ---------------------------------------------------------------- phase 1: one agreement


def render_agreement(record: Agreement, evaluation: AgreementEvaluation, *, today: dt.date,
                     options: RenderOptions | None = None) -> RenderedAgreement:
    """An agreement's page, its history page, a page per version, credits JSON and sparklines,
    and its summary for the listings."""
    options = options or RenderOptions()
    links = Links(options)
    paths = links.paths
    path = paths.agreement(record.id)
    version = record.in_force(today)
    terms = version.terms
    pages: dict[str, str] = {}
    history = History(record, today, links)

    periods = [(outcome, _period_entry(record.id, outcome)) for outcome in evaluation.periods]
    pages[paths.agreement_json(record.id)] = _json({
        "agreement": record.id,
        "file": record.file,
        "periods": [period_document(outcome) for outcome in evaluation.periods],
    }) + "\n"

    metrics = []
    for metric in terms.metrics:
        view = _metric_view(metric, terms)
        view["glossary_href"] = links(path, paths.definition(definition_anchor(metric.definition)))
        found = _sparkline(metric, evaluation)
        if found:
            pages[paths.sparkline(record.id, metric.id)] = found[0]
            view["sparkline"] = {"src": links(path, paths.sparkline(record.id, metric.id)), "alt": found[1]}
        metrics.append(view)

    review = _review(terms, today)
    last = periods[-1] if periods else None
    versions = history.views(path)
    version_hrefs = {v.label: v.href for v in versions}
    pages[path] = _env().get_template("agreement.md.j2").render(
        record=record, terms=terms, version=version, review=review, metrics=metrics, today=today,
        versions=versions, upcoming=[v for v in reversed(versions) if v.status == "upcoming"],
        history_href=links(path, history.path),
        responsibilities=responsibility_lines(terms), credit_terms=credit_terms_lines(terms),
        remedies=remedy_lines(terms), deadline=deadline_words(terms),
        periods=len(periods), misses=evaluation.periods[-1].misses_to_date if periods else 0,
        periods_html=Markup("\n".join(_period_rows(outcome, entry, terms, version_hrefs) for outcome, entry in reversed(periods))),
        last=last[1] if last else None, last_name=period_name(last[0].period) if last else None,
        termination_since=evaluation.termination_right_since,
        catalog_href=links(path, paths.catalog),
        json_href=links(path, paths.agreement_json(record.id)),
    )
    in_glossary = {definition_anchor(m.definition) for m in terms.metrics}
    pages.update(history.pages(in_glossary))

    summary = AgreementSummary(
        id=record.id,
        file=record.file,
        line=record.versions[0].position.line,
        title=terms.title,
        provider=terms.provider,
        customer=terms.customer,
        family=terms.service.family,
        version=terms.version,
        last=last[1] if last else None,
        last_reported=sum(m.reported for m in last[0].metrics) if last else 0,
        periods_with_credits=sum(1 for outcome, _entry in periods if outcome.credit.percent > 0),
        metrics=tuple(MetricUse(record.id, m.id, m.name, m.definition, m.unit, objective_words(m), definition_anchor(m.definition))
                      for m in terms.metrics),
        periods=tuple(entry for _outcome, entry in periods),
        versions=history.entries(),
    )
    return RenderedAgreement(pages, summary)


def _review(terms: Terms, today: dt.date) -> dict[str, Any] | None:
    if not terms.review:
        return None
    due = add_months(terms.review.last, terms.review.every_months)
    return {"due": due, "overdue": due < today, "last": terms.review.last, "every": terms.review.every_months}


def render_record(record: Agreement, today: dt.date, options: RenderOptions) -> RenderedAgreement:
    """Evaluate and render one agreement: the task a worker process runs for a large tree."""
    return render_agreement(record, evaluate(record), today=today, options=options)


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
    status: str  # "superseded", "in force", "upcoming" on the build date
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

    def __init__(self, record: Agreement, today: dt.date, links: Links):
        self.record = record
        self.today = today
        self.links = links
        self.path = links.paths.history(record.id)
        in_force = record.in_force(today)
        rows = version_history(record)
        self.versions: list[_VersionRow] = []
        for index, (previous, version, changes) in enumerate(rows):
            following = rows[index + 1][1] if index + 1 < len(rows) else None
            status = "upcoming" if version.effective > today else "in force" if version is in_force else "superseded"
            self.versions.append(_VersionRow(
                version, status, previous.label if previous else None,
                following.effective - dt.timedelta(days=1) if following else None,
                tuple(ChangeView(c.effect, c.summary, _word_diff_html(c.word_diff)) for c in changes),
                links.paths.version(record.id, version.label)))

    def views(self, source: str) -> list[VersionView]:
        """The versions, newest first, with links from the page at `source`."""
        views = []
        for row in reversed(self.versions):
            anchor = f"version-{version_slug(row.version.label)}"
            changes_anchor = f"changes-{version_slug(row.version.label)}" if row.previous else anchor
            views.append(VersionView(row.version, row.status, row.previous, row.until, row.changes, anchor, changes_anchor,
                                     self.links(source, row.path), self.links(source, self.path, changes_anchor)))
        return views

    def pages(self, in_glossary: set[str]) -> dict[str, str]:
        """The history page and the page of each version. `in_glossary`: the definitions the
        glossary holds (those in force), which a version page may link to."""
        record = self.record
        paths = self.links.paths
        env = _env()
        views = self.views(self.path)
        pages = {self.path: env.get_template("history.md.j2").render(
            record=record, terms=record.in_force(self.today).terms, versions=views, today=self.today,
            agreement_href=self.links(self.path, paths.agreement(record.id)),
            catalog_href=self.links(self.path, paths.catalog),
        )}
        for view, row in zip(views, reversed(self.versions)):
            terms = view.version.terms
            metrics = []
            for metric in terms.metrics:
                metric_view = _metric_view(metric, terms)
                anchor = definition_anchor(metric.definition)
                if anchor in in_glossary:
                    metric_view["glossary_href"] = self.links(row.path, paths.definition(anchor))
                metrics.append(metric_view)
            pages[row.path] = env.get_template("version.md.j2").render(
                record=record, terms=terms, v=view, metrics=metrics, today=self.today,
                responsibilities=responsibility_lines(terms), credit_terms=credit_terms_lines(terms),
                remedies=remedy_lines(terms), deadline=deadline_words(terms),
                in_force=next((v for v in views if v.status == "in force"), None),
                agreement_href=self.links(row.path, paths.agreement(record.id)),
                history_href=self.links(row.path, self.path, view.anchor),
                changes_href=self.links(row.path, self.path, view.changes_anchor),
            )
        return pages

    def entries(self) -> tuple[VersionEntry, ...]:
        """The versions, oldest first, as plain data for the feed."""
        entries = []
        for row in self.versions:
            terms = row.version.terms
            found = Counter(change.effect for change in row.changes)
            entries.append(VersionEntry(
                agreement_id=self.record.id, label=row.version.label, title=terms.title, provider=terms.provider,
                effective=row.version.effective, published=terms.published, changes=terms.changes, status=row.status,
                favourable=found["favourable"], adverse=found["adverse"], neutral=found["neutral"], first=row.previous is None,
            ))
        return tuple(entries)


@dataclass(frozen=True)
class _VersionRow:
    version: Version
    status: str
    previous: str | None
    until: dt.date | None
    changes: tuple[ChangeView, ...]
    path: str  # the version's page


def _metric_view(metric: Metric, terms: Terms) -> dict[str, Any]:
    credits = metric.credits
    tiers = []
    if credits is not None and credits.model == "tiers":
        tiers = [(index, bounds_in_words(tier, metric.unit), number(tier.credit, "%")) for index, tier in enumerate(credits.tiers, 1)]
    return {
        "metric": metric,
        "anchor": f"metric-{metric.id}",
        "objective": objective_words(metric),
        "measure": measure_words(metric),
        "credit_words": credit_model_words(metric, terms),
        "tiers": tiers,
        "sparkline": None,
        "glossary_href": None,
    }


def _sparkline(metric: Metric, evaluation: AgreementEvaluation) -> tuple[str, str] | None:
    """(SVG, its text alternative) of a metric's attainment over the periods, or None."""
    points = []
    for outcome in evaluation.periods:
        m = next((m for m in outcome.metrics if m.metric.id == metric.id), None)
        points.append((outcome.period.label, m.attainment if m else None, m.met if m else None))
    measured = [p for p in points if p[1] is not None]
    if len(measured) < 2:
        return None
    missed = sum(1 for p in measured if p[2] is False)
    alt = (f"{markup.plain(metric.name)}: attainment in {len(measured)} periods from {measured[0][0]} to "
           f"{measured[-1][0]}, {missed} missed; the dashed line is the objective, {objective_words(metric)}")
    svg = sparkline(points, Fraction(metric.objective), alt)
    return (svg, alt) if svg else None


def _period_entry(agreement_id: str, outcome: PeriodOutcome) -> PeriodEntry:
    terms = outcome.terms
    return PeriodEntry(
        period=outcome.period,
        agreement_id=agreement_id,
        version=outcome.version,
        mark=_period_mark(outcome).state,
        total=PeriodTotal.of(outcome),
        due=outcome.credit.combined_percent > 0 or any(m.earned_back for m in outcome.metrics),
        issued=outcome.credit.issued,
        currency=terms.credit_terms.currency if terms.credit_terms else None,
        missed=tuple(m.metric.name for m in outcome.missed),
        earned_back=tuple((m.metric.name, m.earned_back.label) for m in outcome.metrics if m.earned_back),
    )


def _period_rows(outcome: PeriodOutcome, entry: PeriodEntry, current: Terms, version_hrefs: Mapping[str, str]) -> str:
    """One period of the periods table: a heading row with the period's total and the version
    that governed it (a link to its terms), a row per metric, and the remedies reached. Built
    without Jinja: 24 periods × 5 metrics per page."""
    e = _escape
    total = entry.total
    label = e(outcome.period.label)
    version = e(outcome.version)
    if outcome.version in version_hrefs:
        version = f'<a href="{e(version_hrefs[outcome.version])}">{version}</a>'
    head = (f'<tr class="sla-period__head"><th colspan="4" scope="rowgroup"><span class="sla-period__label">{label}</span> '
            f'<span class="sla-period__meta">{e(period_name(outcome.period))} · version {version}</span> '
            f'{Mark(entry.mark).html} <span class="sla-period__total{" sla-total--credited" if total.credited else ""}">'
            f'{"Period total: " + e(total.text) if total.text != "—" else "No credit"}</span>'
            + "".join(f' <span class="sla-note">({e(note)})</span>' for note in total.notes)
            + (f' <span class="sla-note">claim by {e(total.claim_by)}</span>' if total.claim_by else "")
            + "</th></tr>")
    rows = [f'<tbody id="period-{label}" class="sla-period sla-period--{entry.mark}">', head]
    for m in outcome.metrics:
        metric = m.metric
        name = markup.inline(metric.name)
        if current.metric(metric.id) is not None:
            name = f'<a href="#metric-{e(metric.id)}">{name}</a>'
        exact = display.exact(m.attainment)
        title = f' title="exactly {e(display.with_unit(exact, metric.unit))}"' if exact else ""
        detail = f" <small>{e(measured_words(m))}</small>"
        mark = Mark.of(m.met)
        note = f'<br><small class="sla-note">earned back in {e(m.earned_back.label)}</small>' if m.earned_back else ""
        rows.append(
            f'<tr class="sla-row--{mark.state}"><td>{name}</td> '
            f'<td class="sla-att"{title}><strong>{e(display.attainment(m.attainment, metric.unit, metric.better))}</strong>{detail}</td> '
            f"<td>{mark.html}</td> <td>{e(_metric_credit(m))}{note}</td></tr>")
    if outcome.remedies:
        items = "".join(f"<li>{markup.inline(remedy_words(r) + (' — termination right' if r.termination_right else ''))}</li>" for r in outcome.remedies)
        rows.append(f'<tr class="sla-row--remedies"><td colspan="4"><strong>Remedies reached</strong><ul>{items}</ul></td></tr>')
    rows.append("</tbody>")
    return "\n".join(rows)


# ---------------------------------------------------------------- phase 2: the listings


class Listings:
    """The catalog, the glossary and the credits by period, from the agreements' summaries."""

    def __init__(self, summaries: Iterable[AgreementSummary], today: dt.date, options: RenderOptions,
                 problems: Iterable[str] = ()):
        self.today = today
        self.options = options
        self.problems = list(problems)  # error lines shown on the catalog (a preview with invalid agreements)
        self.link = Links(options)
        self.paths = self.link.paths
        self.summaries = sorted(summaries, key=lambda s: (markup.plain(s.title).casefold(), s.id))
        clashes = [s for s in self.summaries if s.id in RESERVED_IDS]
        if clashes:
            raise InvalidAgreements([
                Diagnostic(Position(s.file, s.line, 1), "error",
                           f"the id `{s.id}` is taken by the site's {s.id} page; expected another id (and folder name)")
                for s in clashes
            ])
        self.by_id = {s.id: s for s in self.summaries}

    def render(self) -> dict[str, str]:
        pages = {self.paths.catalog: self.catalog_page(), self.paths.glossary: self.glossary_page(), self.paths.feed: self.feed()}
        for entry in self.glossary:
            pages[self.paths.definition(entry.anchor)] = self.definition_page(entry)
        pages[self.paths.credits] = self.credits_page()
        for period, entries in self.by_period.items():
            pages[self.paths.period(period.label)] = self.period_page(period, entries)
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

    @property
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
        groups = [(name, anchor, Markup("\n".join(self._catalog_row(s) for s in members)))
                  for name, anchor, members in self.groups]
        return self._render(
            "catalog.md.j2", groups=groups, count=len(self.summaries), problems=self.problems,
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
                detail = (f"<br><small>{len(last.missed)} of {s.last_reported} {plural(s.last_reported, 'metric', 'metrics')} missed"
                          f"{', credit ' + e(last.total.text) if last.total.credited else ''}</small>")
            cells.append(f"<td>{e(last.period.label)}: {Mark(last.mark).html}{detail}</td>")
        return "<tr>" + " ".join(cells) + "</tr>"

    # ------------------------------------------------------------ glossary

    @property
    def glossary(self) -> list["GlossaryEntry"]:
        """Each distinct definition once (whitespace aside), with the metrics that use it."""
        entries: dict[str, GlossaryEntry] = {}
        for summary in self.summaries:
            for use in summary.metrics:
                entry = entries.get(use.anchor)
                if entry is None:
                    entry = entries[use.anchor] = GlossaryEntry(use.anchor, use.definition)
                entry.uses.append(use)
        return sorted(entries.values(), key=lambda e: (markup.plain(e.name).casefold(), e.anchor))

    def glossary_page(self) -> str:
        entries = []
        for entry in self.glossary:
            # A definition few agreements use names them here too; a common one links to its page.
            inline = None
            if len(entry.uses) <= 3:
                inline = Markup(", ".join(
                    f'<a href="{_escape(self.link(self.paths.glossary, self.paths.agreement(u.agreement_id), f"metric-{u.metric_id}"))}">'
                    f"{markup.inline(self.by_id[u.agreement_id].title)}</a> ({_escape(u.objective)})" for u in entry.uses))
            entries.append({"entry": entry, "href": self.link(self.paths.glossary, self.paths.definition(entry.anchor)),
                            "agreements": len({use.agreement_id for use in entry.uses}), "inline": inline})
        return self._render("glossary.md.j2", entries=entries, catalog_href=self.link(self.paths.glossary, self.paths.catalog))

    def definition_page(self, entry: "GlossaryEntry") -> str:
        path = self.paths.definition(entry.anchor)
        e = _escape
        by_objective: dict[str, list[str]] = defaultdict(list)
        for use in sorted(entry.uses, key=lambda u: (markup.plain(self.by_id[u.agreement_id].title).casefold(), u.agreement_id, u.metric_id)):
            summary = self.by_id[use.agreement_id]
            href = e(self.link(path, self.paths.agreement(use.agreement_id), f"metric-{use.metric_id}"))
            named = f" ({markup.inline(use.name)})" if use.name != entry.name else ""
            by_objective[use.objective].append(f'<li><a href="{href}">{markup.inline(summary.title)}</a>{named}</li>')
        objectives = [(words, Markup("".join(items))) for words, items in sorted(by_objective.items(), key=lambda item: -len(item[1]))]
        return self._render(
            "definition.md.j2", entry=entry, objectives=objectives,
            agreements=len({use.agreement_id for use in entry.uses}),
            glossary_href=self.link(path, self.paths.glossary),
        )

    # ------------------------------------------------------------ credits by period

    @property
    def by_period(self) -> dict[Period, list[PeriodEntry]]:
        """Every period some agreement reported, newest first, with each agreement's entry."""
        periods: dict[Period, list[PeriodEntry]] = defaultdict(list)
        for summary in self.summaries:
            for entry in summary.periods:
                periods[entry.period].append(entry)
        return dict(sorted(periods.items(), key=lambda item: (item[0].start, item[0].kind), reverse=True))

    def credits_page(self) -> str:
        years: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for period, entries in self.by_period.items():
            years[period.year].append({
                "period": period,
                "name": period_name(period),
                "href": self.link(self.paths.credits, self.paths.period(period.label)),
                "reported": len(entries),
                "credited": sum(1 for entry in entries if entry.issued),
                "totals": _totals(entries),
            })
        return self._render("credits_index.md.j2", years=dict(years), catalog_href=self.link(self.paths.credits, self.paths.catalog))

    def period_page(self, period: Period, entries: list[PeriodEntry]) -> str:
        path = self.paths.period(period.label)
        rows = Markup("\n".join(self._credit_row(path, entry) for entry in entries if entry.due))
        return self._render(
            "credits_period.md.j2", period=period, name=period_name(period), rows=rows,
            due=sum(1 for entry in entries if entry.due), reported=len(entries), totals=_totals(entries),
            index_href=self.link(path, self.paths.credits),
        )

    def _credit_row(self, path: str, entry: PeriodEntry) -> str:
        e = _escape
        s = self.by_id[entry.agreement_id]
        total = entry.total
        href = e(self.link(path, self.paths.agreement(s.id), f"period-{entry.period.label}"))
        notes = "".join(f'<br><small class="sla-note">{e(note)}</small>' for note in total.notes)
        notes += "".join(f'<br><small class="sla-note">{markup.inline(name)}: earned back in {e(when)}</small>' for name, when in entry.earned_back)
        return (f'<tr class="sla-row--missed"><td><a href="{href}">{markup.inline(s.title)}</a><br><small>{markup.inline(s.provider)}, '
                f"version {e(entry.version)}</small></td> <td>{markup.inline(s.customer)}</td> "
                f"<td>{'; '.join(markup.inline(name) for name in entry.missed)}</td> "
                f'<td class="sla-total{" sla-total--credited" if total.credited else ""}">{e(total.text)}{notes}</td> '
                f"<td>{e(total.claim_by or '—')}</td></tr>")

    # ------------------------------------------------------------ feed of versions

    def feed(self) -> str:
        """The Atom feed of every version of every agreement (`feed.atom`)."""
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
                anchor = f"{'version' if v.first else 'changes'}-{version_slug(v.label)}"
                entries.append(FeedEntry(
                    agreement_id=v.agreement_id, label=v.label, author=markup.plain(v.provider),
                    title=version_title(v.title, v.label, v.status, v.effective),
                    effective=v.effective, published=v.published, summary=_version_summary(v),
                    href=address(self.paths.version(v.agreement_id, v.label)),
                    changes_href=address(self.paths.history(v.agreement_id), anchor),
                ))
        return atom(entries, title=feed_title(self.options.site_name),
                    author=self.options.site_author or self.options.site_name,
                    feed_url=site_url + self.paths.feed if site_url else None, site_url=site_url, today=self.today)

    # ------------------------------------------------------------ navigation

    def navigation(self) -> list["NavSection | NavPage | str"]:
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
            glossary.append(NavSection("All definitions", tuple(_chunked(definitions, self.options.nav_group_size, "Metrics", titled=True))))
        credits: list[NavSection | NavPage | str] = [self.paths.credits]
        years: dict[int, list[NavPage]] = defaultdict(list)
        for period in self.by_period:
            years[period.year].append(NavPage(self.paths.period(period.label), period_name(period)))
        credits.extend(NavSection(str(year), tuple(pages)) for year, pages in years.items())
        return [
            NavSection("Agreements", tuple(agreements)),
            NavSection("Metrics glossary", tuple(glossary)),
            NavSection("Credits by period", tuple(credits)),
        ]


@dataclass
class GlossaryEntry:
    anchor: str
    definition: str
    uses: list[MetricUse] = field(default_factory=list)

    @property
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
        parts.append(f"{plural(total, 'Change', 'Changes')} for the customer: {', '.join(counts)}." if counts else "No change to the terms.")
    return " ".join(parts)


def _totals(entries: Iterable[PeriodEntry]) -> list[str]:
    """Issued credit amounts per currency, e.g. ["1,200.00 USD", "15,234.00 GBP"]."""
    sums: dict[str, Fraction] = defaultdict(Fraction)
    for entry in entries:
        if entry.issued and entry.currency:
            sums[entry.currency] += entry.issued
    return [display.money(amount, currency) for currency, amount in sorted(sums.items()) if amount]


# ---------------------------------------------------------------- navigation


@dataclass(frozen=True)
class NavPage:
    """A page whose navigation entry is shorter than its title (plain text)."""

    path: str
    title: str


@dataclass(frozen=True)
class NavSection:
    """A navigation section: a plain-text title (escape it for HTML) and its children,
    each a nested section, a page with a navigation title, or the source path of a page."""

    title: str
    children: tuple["NavSection | NavPage | str", ...]


def _chunked(pages: list[tuple[str, str]], size: int, name: str, titled: bool = False) -> list["NavSection | NavPage | str"]:
    """The pages, or sections of at most `size` pages named by their alphabetical range
    ("Acme Compute – Contoso ERP"; numbers where titles repeat)."""
    size = max(1, size)
    entries = [NavPage(path, title) if titled else path for path, title in pages]
    if len(pages) <= size:
        return entries
    parts = [range(start, min(start + size, len(pages))) for start in range(0, len(pages), size)]
    labels = [f"{_short(pages[part[0]][1])} – {_short(pages[part[-1]][1])}" for part in parts]
    if len(set(labels)) < len(labels):
        labels = [f"{name} {number}" for number in range(1, len(parts) + 1)]
    return [NavSection(label, tuple(entries[i] for i in part)) for label, part in zip(labels, parts)]


def _short(text: str, length: int = 18) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def mkdocs_nav(entries: Iterable[NavSection | NavPage | str]) -> list:
    """The navigation as MkDocs' `nav:` configuration, titles HTML-escaped (MkDocs and
    Material print navigation titles unescaped)."""
    result: list = []
    for entry in entries:
        if isinstance(entry, NavSection):
            result.append({str(_escape(entry.title)): mkdocs_nav(entry.children)})
        elif isinstance(entry, NavPage):
            result.append({str(_escape(entry.title)): entry.path})
        else:
            result.append(entry)
    return result


# ---------------------------------------------------------------- JSON


def _json(document: Any) -> str:
    # Compact: Python's C encoder only runs without `indent`, and these files are for machines.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- templates


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar; characters YAML may not hold raw are escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def front_matter(title: str, search: bool = True) -> Markup:
    """Front matter with the page title as escaped plain text (`title` is Markdown from YAML).
    `search=False` keeps the page out of Material's search index."""
    hidden = "search:\n  exclude: true\n" if not search else ""
    return Markup(f"---\ntitle: {_yaml_string(markup.title(title))}\n{hidden}---\n")


def _finalize(value: Any) -> Any:
    """Every value printed by a template stays on one line, so no text from an agreement
    starts a line of Markdown; `None` prints nothing."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return " ".join(value.splitlines())
    return value


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(block=markup.block, inline=markup.inline, heading=markup.heading, plain=markup.plain, plural=plural)
    env.globals.update(front_matter=front_matter, mark=lambda state: Mark(state).html)
    return env


# ---------------------------------------------------------------- entry points


def render_listings(summaries: Iterable[AgreementSummary], *, today: dt.date, options: RenderOptions | None = None,
                    problems: Iterable[str] = ()) -> tuple[dict[str, str], list[NavSection | NavPage | str]]:
    """The catalog, glossary and credits pages and the navigation, from the agreements' summaries.
    `problems`: error lines to show atop the catalog (a preview of a tree with errors).
    Raises `InvalidAgreements` when an agreement id takes a reserved page name."""
    listings = Listings(summaries, today, options or RenderOptions(), problems)
    return listings.render(), listings.navigation()


def render_problem_page(agreement_id: str, problems: Iterable[str], *, options: RenderOptions | None = None) -> dict[str, str]:
    """The page of an agreement that does not load, listing its errors: what a preview server
    (`mkdocs serve`) shows until the next valid edit. A published build never has one."""
    options = options or RenderOptions()
    links = Links(options)
    path = links.paths.agreement(agreement_id)
    text = _env().get_template("problem.md.j2").render(
        agreement_id=agreement_id, problems=list(problems), catalog_href=links(path, links.paths.catalog))
    return {path: text}


def render(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
           options: RenderOptions | None = None) -> tuple[dict[str, str], list[NavSection | NavPage | str]]:
    """Every generated file ({path relative to the docs root: text}) and the navigation.

    Raises `InvalidAgreements` when the catalog has errors (an invalid tree is
    never published) or an agreement id takes a reserved page name.
    """
    if catalog.errors:
        raise InvalidAgreements(list(catalog.diagnostics))
    options = options or RenderOptions()
    by_id = {e.record.id: e for e in evaluations}
    pages: dict[str, str] = {}
    summaries = []
    for record in catalog.agreements:
        done = render_agreement(record, by_id.get(record.id) or AgreementEvaluation(record, ()), today=today, options=options)
        pages.update(done.pages)
        summaries.append(done.summary)
    listing_pages, nav = render_listings(summaries, today=today, options=options)
    pages.update(listing_pages)
    return pages, nav


def render_site(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
                options: RenderOptions | None = None) -> dict[str, str]:
    """Every generated file, {path relative to the docs root: text}: see `render`."""
    return render(catalog, evaluations, today=today, options=options)[0]


def navigation(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
               options: RenderOptions | None = None) -> list[NavSection | NavPage | str]:
    """How the pages of `render_site` nest: see `Listings.navigation`."""
    return render(catalog, evaluations, today=today, options=options)[1]
