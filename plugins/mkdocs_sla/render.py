"""render: loaded agreements and their evaluation to Markdown pages and JSON documents.

`render_site()` returns {path: text} for a docs folder: the catalog, one page
per agreement (with its credits as JSON), the metrics glossary and one credits
page per period. It does not depend on MkDocs, so `sla render OUT_DIR` can feed
any static site generator; `navigation()` describes how the pages nest, for the
MkDocs plugin to turn into sections.

How the pages stay safe: the page skeleton is Markdown (headings, so the table
of contents and permalinks work), and everything else is one-line HTML blocks
that Markdown passes through untouched. Texts from agreement files reach a page
only through `markup` (Markdown converted with raw HTML disabled and unsafe
links removed), through `markup.heading` (punctuation as character references,
so no Markdown syntax survives in a heading), or through Jinja's autoescape.
Titles are set in front matter as escaped text, because MkDocs and Material
print page titles unescaped.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from . import display, markup
from .diagnostics import Diagnostic, InvalidAgreements, Position
from .evaluate import AgreementEvaluation, MetricOutcome, PeriodOutcome
from .load import AgreementRecord, Catalog, Version
from .model import Agreement, Metric
from .periods import Period
from .sparkline import sparkline
from .tiers import bounds_in_words, number

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = TEMPLATES / "assets" / "sla.css"

GroupBy = Literal["family", "provider", "customer"]
GROUP_BY: tuple[str, ...] = ("family", "provider", "customer")

#: Page names beside the agreement folders; an agreement with such an id would share their URL.
RESERVED_IDS = frozenset({"index", "metrics", "credits"})


@dataclass(frozen=True)
class RenderOptions:
    """Where the pages go and how they are arranged."""

    prefix: str = "agreements"  # folder of every generated page, relative to the docs root
    group_by: GroupBy = "family"  # what groups the catalog and the navigation
    use_directory_urls: bool = True  # `a/b.md` is served as `a/b/` (MkDocs' default) or `a/b.html`
    nav_group_size: int = 40  # a navigation section holds at most this many agreements


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
        return f"{self.prefix}/metrics.md"

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

    def period(self, label: str) -> str:
        return f"{self.prefix}/credits/{label}.md"

    def period_json(self, label: str) -> str:
        return f"{self.prefix}/credits/{label}.json"


def page_url(path: str, use_directory_urls: bool = True) -> str:
    """The URL of a source path, relative to the site root, as MkDocs serves it."""
    if not path.endswith(".md"):
        return path
    stem = path[:-3]
    if posixpath.basename(stem) in ("index", "README"):
        folder = posixpath.dirname(stem)
        return f"{folder}/" if use_directory_urls and folder else (f"{folder}/index.html" if folder else ("" if use_directory_urls else "index.html"))
    return f"{stem}/" if use_directory_urls else f"{stem}.html"


def relative_url(target: str, source: str) -> str:
    """A link from the page at URL `source` to URL `target`, both relative to the site root."""
    base = source if source.endswith("/") or not source else posixpath.dirname(source) + "/"
    rel = posixpath.relpath("/" + target, "/" + base)
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return "./" if rel == "./" or rel == "." else rel


# ---------------------------------------------------------------- words


def objective_words(metric: Metric) -> str:
    """"at or above 99.99%", "strictly above 99.9%", "at or below 4 hours"."""
    side = "above" if metric.better == "higher" else "below"
    how = "strictly" if metric.objective_strict else "at or"
    return f"{how} {side} {number(metric.objective, metric.unit)}"


def measure_words(metric: Metric) -> list[str]:
    """How the raw results become the attainment, in sentences."""
    measure = metric.measure
    kind = measure.kind
    if kind == "value":
        return ["The figure reported for the period."]
    if kind == "count":
        return ["The count reported for the period."]
    if kind == "average":
        empty = "met" if measure.when_empty == "met" else "missed"
        return [f"The sum reported divided by the count: an average per item. A period with nothing to average counts as {empty}."]
    if kind == "events":
        empty = "met" if measure.when_empty == "met" else "missed"
        return [f"Events that met the target as a share of all events in the period (good ÷ total × 100). A period without events counts as {empty}."]
    if kind == "downtime":
        words = ["(Minutes in the period − minutes of downtime) ÷ minutes in the period × 100; overlapping outages count once."]
        if measure.minimum_outage_minutes:
            minutes = measure.minimum_outage_minutes
            words.append(f"Outages shorter than {display.plain(minutes)} {_plural(minutes, 'minute', 'minutes')} do not count.")
        if measure.exclude_tags:
            tags = " or ".join(f"`{tag}`" for tag in measure.exclude_tags)
            words.append(f"Outages tagged {tags} do not count.")
        return words
    if kind == "intervals":
        return [f"100% − the mean error rate over the {measure.interval_minutes}-minute intervals of the period; an interval without requests counts as 0% errors."]
    return []


def credit_model_words(metric: Metric, terms: Agreement) -> list[str]:
    credits = metric.credits
    if credits is None:
        return ["No service credit: a miss of this metric is handled by the remedies below."]
    if credits.model == "tiers":
        return ["A missed period earns the credit of the tier its attainment falls in."]
    if credits.model == "linear":
        side = "objective − attainment" if metric.better == "higher" else "attainment − objective"
        words = [f"Credit = ({side}) × {display.plain(credits.per_point)}% of the base per point of shortfall."]
        if credits.max is not None:
            words.append(f"At most {number(credits.max, '%')} for this metric.")
        return words
    at_risk = terms.credit_terms.pool.at_risk if terms.credit_terms and terms.credit_terms.pool else None
    share = f" ({number(Fraction(at_risk) * Fraction(credits.allocation) / 100, '%')} of the charges)" if at_risk is not None else ""
    below = "below" if metric.better == "higher" else "above"
    runs = "" if credits.expected_misses == 1 else f" or {credits.expected_misses} consecutive periods {below} the objective"
    return [
        f"A service level default earns {number(credits.allocation, '%')} of the at-risk amount{share}.",
        f"A default is a period {below} the minimum service level of {number(credits.minimum, metric.unit)}{runs}.",
    ]


def deadline_words(terms: Agreement) -> str | None:
    claim = terms.credit_terms.claim if terms.credit_terms else None
    if claim is None:
        return None
    deadline = claim.deadline
    if deadline.days_after_period is not None:
        return f"within {deadline.days_after_period} days after the end of the period"
    nth = _ordinal(deadline.billing_cycles_after)
    return f"by the end of the {nth} billing cycle after the period"


def _ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
    if n in words:
        return words[n]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def period_name(period: Period) -> str:
    """"January 2025", "Q1 2025"."""
    if period.kind == "month":
        return f"{calendar.month_name[period.index]} {period.year}"
    return f"Q{period.index} {period.year}"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def percent(value: Fraction) -> str:
    return display.percent(value)


def exact_title(value: Fraction | None, unit: str) -> str | None:
    exact = _exact(value)
    if exact is None:
        return None
    return f"exactly {display.with_unit(exact, unit)}"


def slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-_") or "x"


# ---------------------------------------------------------------- views
#
# Plain objects that the templates lay out: every number already in its display
# form, every text from the agreement still raw (the templates pass it through
# `block`, `inline` or autoescape).


@dataclass(frozen=True)
class Mark:
    """A met / missed / not reported mark: a word and a symbol, never colour alone."""

    state: str  # "met", "missed", "none"
    text: str

    @classmethod
    def of(cls, met: bool | None) -> "Mark":
        if met is None:
            return cls("none", "not reported")
        return cls("met", "met") if met else cls("missed", "missed")

    @property
    def symbol(self) -> str:
        return {"met": "✓", "missed": "✗", "none": "–"}[self.state]

    @property
    def html(self) -> Markup:
        return _MARKS[self.state]


# The symbol (✓ ✗ –) comes from the stylesheet; the word is in the page. Few tags: a large
# site has 100,000 marks, and MkDocs, Markdown and the search index each parse every tag.
_MARKS = {state: Markup(f'<span class="sla-mark sla-mark--{state}">{text}</span>')
          for state, text in (("met", "met"), ("missed", "missed"), ("none", "not reported"))}


@dataclass
class MetricRow:
    """One metric in one period, for a periods table."""

    name: str
    anchor: str | None
    attainment: str
    exact: str | None
    detail: str
    mark: Mark
    credit: str
    note: str | None

    @property
    def attainment_cell(self) -> Markup:
        """A table cell: the display form, the exact value on hover, and how it was measured."""
        # Plain concatenation of escaped parts: Markup.format costs too much on 100,000 rows.
        title = f' title="{escape(self.exact)}"' if self.exact else ""
        detail = f' <small>{escape(self.detail)}</small>' if self.detail else ""
        return Markup(f'<td class="sla-att"{title}><strong>{escape(self.attainment)}</strong>{detail}</td>')


@dataclass
class PeriodView:
    outcome: PeriodOutcome
    label: str
    name: str
    version: str
    rows: list[MetricRow]
    total: str
    total_notes: list[str]
    credited: bool
    claim_by: str | None
    remedies: list[str]
    termination_right: bool
    mark: Mark


@dataclass
class GlossaryUse:
    record: AgreementRecord
    terms: Agreement
    metric: Metric


@dataclass
class GlossaryEntry:
    anchor: str
    definition: str
    uses: list[GlossaryUse] = field(default_factory=list)

    @cached_property
    def name(self) -> str:
        """The name most uses give it (ties: the first alphabetically)."""
        counts = Counter(use.metric.name for use in self.uses)
        return min(counts, key=lambda n: (-counts[n], markup.plain(n).casefold()))

    @cached_property
    def other_names(self) -> list[str]:
        return sorted({use.metric.name for use in self.uses} - {self.name}, key=lambda n: markup.plain(n).casefold())

    @cached_property
    def units(self) -> list[str]:
        return sorted({use.metric.unit for use in self.uses})


@dataclass(frozen=True)
class NavPage:
    """A page whose navigation entry is shorter than its title (plain text)."""

    path: str
    title: str


@dataclass(frozen=True)
class NavSection:
    """A navigation section: a plain-text title (escape it for HTML) and its children,
    each a nested section or the source path of a page."""

    title: str
    children: tuple["NavSection | NavPage | str", ...]


# ---------------------------------------------------------------- the site


class Site:
    """One rendering of a catalog: the shared lookups the pages need."""

    def __init__(self, catalog: Catalog, evaluations: Iterable[AgreementEvaluation], today: dt.date, options: RenderOptions):
        self.catalog = catalog
        self.today = today
        self.options = options
        self.paths = Paths(options.prefix.strip("/"))
        by_id = {e.record.id: e for e in evaluations}
        self.records = sorted(catalog.agreements, key=lambda r: (markup.plain(self.current(r).title).casefold(), r.id))
        self.evaluations = {r.id: by_id.get(r.id) or AgreementEvaluation(r, ()) for r in self.records}
        self._check_reserved()
        self.glossary = self._glossary()
        self.glossary_anchor = {(use.record.id, use.metric.id): entry.anchor for entry in self.glossary for use in entry.uses}
        self.env = _environment()
        self._period_views: dict[tuple[int, int], PeriodView] = {}
        self._documents: dict[int, dict[str, Any]] = {}

    def _check_reserved(self) -> None:
        clashes = [r for r in self.records if r.id in RESERVED_IDS]
        if clashes:
            raise InvalidAgreements([
                Diagnostic(Position(r.file, r.versions[0].position.line, 1), "error",
                           f"the id `{r.id}` is taken by the site's {r.id} page; expected another id (and folder name)")
                for r in clashes
            ])

    def current(self, record: AgreementRecord) -> Agreement:
        return record.in_force(self.today).terms

    def url(self, path: str) -> str:
        return page_url(path, self.options.use_directory_urls)

    def link(self, source_path: str, target_path: str, anchor: str | None = None) -> str:
        href = relative_url(self.url(target_path), self.url(source_path))
        return f"{href}#{anchor}" if anchor else href

    # ------------------------------------------------------------ grouping

    def group_of(self, record: AgreementRecord) -> str:
        terms = self.current(record)
        if self.options.group_by == "provider":
            return terms.provider
        if self.options.group_by == "customer":
            return terms.customer
        return terms.service.family or "Other services"

    @cached_property
    def groups(self) -> list[tuple[str, str, list[AgreementRecord]]]:
        """(name, anchor, records), by name; the records keep the catalog order."""
        members: dict[str, list[AgreementRecord]] = defaultdict(list)
        for record in self.records:
            members[self.group_of(record)].append(record)
        names = sorted(members, key=lambda n: (n == "Other services" and self.options.group_by == "family", markup.plain(n).casefold(), n))
        seen: Counter[str] = Counter()
        groups = []
        for name in names:
            anchor = "group-" + slug(markup.plain(name))
            seen[anchor] += 1
            if seen[anchor] > 1:
                anchor += f"-{seen[anchor]}"
            groups.append((name, anchor, members[name]))
        return groups

    # ------------------------------------------------------------ glossary

    def _glossary(self) -> list[GlossaryEntry]:
        """Each distinct definition once (whitespace aside), with the metrics that use it
        in the terms in force."""
        entries: dict[str, GlossaryEntry] = {}
        for record in self.records:
            terms = self.current(record)
            for metric in terms.metrics:
                key = " ".join(metric.definition.split())
                entry = entries.get(key)
                if entry is None:
                    digest = hashlib.sha256(key.encode()).hexdigest()[:6]
                    entry = entries[key] = GlossaryEntry(f"{metric.id}-{digest}", metric.definition)
                entry.uses.append(GlossaryUse(record, terms, metric))
        return sorted(entries.values(), key=lambda e: (markup.plain(e.name).casefold(), e.anchor))

    # ------------------------------------------------------------ pages

    def render(self) -> dict[str, str]:
        pages: dict[str, str] = {}
        pages[self.paths.catalog] = self.catalog_page()
        for record in self.records:
            evaluation = self.evaluations[record.id]
            sparklines = self._sparklines(record, evaluation)
            for metric_id, (svg, _alt) in sparklines.items():
                pages[self.paths.sparkline(record.id, metric_id)] = svg
            pages[self.paths.agreement(record.id)] = self.agreement_page(record, evaluation, sparklines)
            pages[self.paths.agreement_json(record.id)] = _json(agreement_document(evaluation, self._documents))
        pages[self.paths.glossary] = self.glossary_page()
        pages[self.paths.credits] = self.credits_index_page()
        for period, entries in self.by_period.items():
            pages[self.paths.period(period.label)] = self.period_page(period, entries)
            pages[self.paths.period_json(period.label)] = _json(period_document(period, entries, self._documents))
        return pages

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(site=self, options=self.options, paths=self.paths, today=self.today, **context)

    def catalog_page(self) -> str:
        rows = {}
        for record in self.records:
            evaluation = self.evaluations[record.id]
            last = evaluation.last
            rows[record.id] = {
                "record": record,
                "terms": self.current(record),
                "href": self.link(self.paths.catalog, self.paths.agreement(record.id)),
                "last": last,
                "mark": Mark.of(not last.missed if any(m.reported for m in last.metrics) else None) if last else None,
                "missed": len(last.missed) if last else 0,
                "reported": sum(m.reported for m in last.metrics) if last else 0,
                "credit": percent(last.credit.percent) if last and last.credit.percent else None,
            }
        periods_with_credits = sum(1 for e in self.evaluations.values() for p in e.periods if p.credit.percent > 0)
        return self._render(
            "catalog.md.j2", rows=rows, periods_with_credits=periods_with_credits,
            glossary_href=self.link(self.paths.catalog, self.paths.glossary),
            credits_href=self.link(self.paths.catalog, self.paths.credits),
        )

    def _sparklines(self, record: AgreementRecord, evaluation: AgreementEvaluation) -> dict[str, tuple[str, str]]:
        """{metric id: (SVG, its text alternative)} for the metrics of the terms in force."""
        found = {}
        for metric in self.current(record).metrics:
            points = []
            for outcome in evaluation.periods:
                m = next((m for m in outcome.metrics if m.metric.id == metric.id), None)
                points.append((outcome.period.label, m.attainment if m else None, m.met if m else None))
            measured = [p for p in points if p[1] is not None]
            if len(measured) < 2:
                continue
            missed = sum(1 for p in measured if p[2] is False)
            alt = (f"{markup.plain(metric.name)}: attainment in {len(measured)} periods from {measured[0][0]} to "
                   f"{measured[-1][0]}, {missed} missed; the dashed line is the objective, {objective_words(metric)}")
            svg = sparkline(points, Fraction(metric.objective), alt)
            if svg:
                found[metric.id] = (svg, alt)
        return found

    def agreement_page(self, record: AgreementRecord, evaluation: AgreementEvaluation,
                       sparklines: Mapping[str, tuple[str, str]] | None = None) -> str:
        path = self.paths.agreement(record.id)
        version = record.in_force(self.today)
        terms = version.terms
        review = None
        if terms.review:
            due = add_months(terms.review.last, terms.review.every_months)
            review = {"due": due, "overdue": due < self.today, "last": terms.review.last, "every": terms.review.every_months}
        sparklines = sparklines or {}
        metrics = [self._metric_view(path, record, terms, metric) for metric in terms.metrics]
        for view in metrics:
            found = sparklines.get(view["metric"].id)
            view["sparkline"] = {"src": self.link(path, self.paths.sparkline(record.id, view["metric"].id)), "alt": found[1]} if found else None
        periods = [self._period_view(terms, outcome) for outcome in reversed(evaluation.periods)]
        return self._render(
            "agreement.md.j2",
            record=record, terms=terms, version=version, review=review, metrics=metrics, periods=periods,
            versions=self._versions(record, version), responsibilities=self._responsibilities(terms),
            credit_terms=self._credit_terms(terms), remedies=self._remedies(terms),
            deadline=deadline_words(terms), evaluation=evaluation, last=periods[0] if periods else None,
            catalog_href=self.link(path, self.paths.catalog),
            json_href=self.link(path, self.paths.agreement_json(record.id)),
            termination_since=evaluation.termination_right_since,
        )

    def _metric_view(self, path: str, record: AgreementRecord, terms: Agreement, metric: Metric) -> dict[str, Any]:
        credits = metric.credits
        tiers = []
        if credits is not None and credits.model == "tiers":
            tiers = [(index, bounds_in_words(tier, metric.unit), number(tier.credit, "%")) for index, tier in enumerate(credits.tiers, 1)]
        anchor = self.glossary_anchor.get((record.id, metric.id))
        return {
            "metric": metric,
            "anchor": f"metric-{metric.id}",
            "objective": objective_words(metric),
            "measure": measure_words(metric),
            "credit_words": credit_model_words(metric, terms),
            "tiers": tiers,
            "glossary_href": self.link(path, self.paths.glossary, anchor) if anchor else None,
        }

    def _versions(self, record: AgreementRecord, current: Version) -> list[dict[str, Any]]:
        rows = []
        for version in reversed(record.versions):
            if version is current:
                state = "in force"
            elif version.effective > self.today:
                state = "upcoming"
            else:
                state = "superseded"
            rows.append({"version": version, "state": state})
        return rows

    def _responsibilities(self, terms: Agreement) -> list[tuple[str, str | None, list[str]]]:
        """(party, who, duties): `provider` and `customer` are named after the parties."""
        named = {"provider": terms.provider, "customer": terms.customer}
        return [(party.capitalize() if party in named else party, named.get(party), duties)
                for party, duties in terms.responsibilities.items()]

    def _credit_terms(self, terms: Agreement) -> list[tuple[str, str, bool]]:
        """(label, text, text is Markdown) lines describing how credits are based and bounded."""
        ct = terms.credit_terms
        if ct is None:
            return []
        lines = [("Base", ct.base, True), ("Currency", ct.currency, False)]
        lines.append(("Several metrics missed", "their credits are added up" if ct.combine == "sum" else "the largest credit applies", False))
        if ct.pool is not None:
            lines.append(("At risk", f"{number(ct.pool.at_risk, '%')} of the period's charges; all pool credits of a period together never exceed it", False))
        lines.append(("Cap", f"at most {number(ct.cap, '%')} of the base in a period" if ct.cap is not None else "none", False))
        if ct.minimum_amount is not None:
            lines.append(("Minimum", f"a period's credit under {display.plain(ct.minimum_amount)} {ct.currency} is not issued", False))
        if ct.round_to is not None:
            lines.append(("Rounding", f"amounts are rounded half up to {display.plain(ct.round_to)} {ct.currency}", False))
        else:
            lines.append(("Rounding", "amounts stay exact; shown rounded to cents", False))
        return lines

    def _remedies(self, terms: Agreement) -> list[tuple[str, str, bool]]:
        """(what, text, termination right)."""
        remedies = terms.remedies
        if remedies is None:
            return []
        found = []
        for step in remedies.escalation:
            found.append((f"{step.misses} {_plural(step.misses, 'miss', 'misses')} of a metric within {step.within} {_plural(step.within, 'period', 'periods')}", step.action, False))
        if remedies.chronic:
            c = remedies.chronic
            text = c.consequence or "chronic failure"
            found.append((f"Chronic failure: a metric missed {c.misses} times in any {c.within} consecutive periods", text, c.termination_right))
        if remedies.rolling_average:
            r = remedies.rolling_average
            metric = terms.metric(r.metric)
            name = markup.plain(metric.name) if metric else r.metric
            found.append((f"Average of {name} over {r.periods} periods below {number(r.below, metric.unit if metric else '')}",
                          "the customer may terminate" if r.termination_right else "a review of the agreement", r.termination_right))
        if remedies.earn_back:
            n = remedies.earn_back.met_periods
            found.append(("Earn-back", f"a metric's credit is cancelled when the metric meets its objective in each of the next {n} {_plural(n, 'period', 'periods')}", False))
        return found

    def _period_view(self, current: Agreement, outcome: PeriodOutcome) -> PeriodView:
        # The agreement page and the period's credits page show the same view of an outcome.
        key = (id(current), id(outcome))
        view = self._period_views.get(key)
        if view is None:
            view = self._period_views[key] = self._make_period_view(current, outcome)
        return view

    def _make_period_view(self, current: Agreement, outcome: PeriodOutcome) -> PeriodView:
        terms = outcome.terms
        currency = terms.credit_terms.currency if terms.credit_terms else ""
        rows = []
        for m in outcome.metrics:
            metric = m.metric
            rows.append(MetricRow(
                name=metric.name,
                anchor=f"metric-{metric.id}" if current.metric(metric.id) else None,
                attainment=display.attainment(m.attainment, metric.unit, metric.better),
                exact=exact_title(m.attainment, metric.unit),
                detail=m.detail,
                mark=Mark.of(m.met),
                credit=_metric_credit(m),
                note=(m.earned_back and f"earned back in {m.earned_back.label}") or None,
            ))
        credit = outcome.credit
        notes = []
        if credit.percent or credit.combined_percent:
            total = percent(credit.percent)
            if credit.amount is not None:
                total += f" · {display.money(credit.amount, currency)}"
            if credit.capped:
                cap = terms.credit_terms.cap if terms.credit_terms else None
                limit = f"the {number(cap, '%')} cap" if cap is not None and credit.percent == cap else "the at-risk amount"
                notes.append(f"capped from {percent(credit.combined_percent)} to {limit}")
            if credit.below_minimum:
                notes.append("below minimum — not issued")
            if credit.amount is None:
                notes.append("no charges reported: percentage of the base")
        else:
            total = "—"
        earned = sorted({m.earned_back.label for m in outcome.metrics if m.earned_back})
        if earned:
            when = " and ".join(earned)
            if total == "—":
                total = f"0% — earned back in {when}"
            else:
                notes.append(f"a further credit earned back in {when}")
        return PeriodView(
            outcome=outcome,
            label=outcome.period.label,
            name=period_name(outcome.period),
            version=outcome.version,
            rows=rows,
            total=total,
            total_notes=notes,
            credited=credit.percent > 0,
            claim_by=outcome.claim_deadline.isoformat() if outcome.claim_deadline and credit.percent > 0 and not credit.below_minimum else None,
            remedies=[r.text + (" — termination right" if r.termination_right else "") for r in outcome.remedies],
            termination_right=outcome.termination_right,
            mark=Mark.of(None if not any(m.reported for m in outcome.metrics) else not outcome.missed),
        )

    def glossary_page(self) -> str:
        entries = []
        for entry in self.glossary:
            uses = []
            for use in sorted(entry.uses, key=lambda u: (markup.plain(u.terms.title).casefold(), u.record.id, u.metric.id)):
                uses.append({
                    "use": use,
                    "href": self.link(self.paths.glossary, self.paths.agreement(use.record.id), f"metric-{use.metric.id}"),
                    "objective": objective_words(use.metric),
                })
            entries.append({"entry": entry, "uses": uses})
        return self._render("glossary.md.j2", entries=entries, catalog_href=self.link(self.paths.glossary, self.paths.catalog))

    # ------------------------------------------------------------ credits by period

    @cached_property
    def by_period(self) -> dict[Period, list[tuple[AgreementRecord, PeriodOutcome]]]:
        """Every period some agreement reported, newest first, with each agreement's outcome."""
        periods: dict[Period, list[tuple[AgreementRecord, PeriodOutcome]]] = defaultdict(list)
        for record in self.records:
            for outcome in self.evaluations[record.id].periods:
                periods[outcome.period].append((record, outcome))
        return dict(sorted(periods.items(), key=lambda item: (item[0].start, item[0].kind), reverse=True))

    def credits_index_page(self) -> str:
        rows = []
        for period, entries in self.by_period.items():
            credited = [(r, o) for r, o in entries if o.credit.issued]
            rows.append({
                "period": period,
                "name": period_name(period),
                "href": self.link(self.paths.credits, self.paths.period(period.label)),
                "reported": len(entries),
                "credited": len(credited),
                "totals": _totals(credited),
            })
        years = defaultdict(list)
        for row in rows:
            years[row["period"].year].append(row)
        return self._render("credits_index.md.j2", years=dict(years), catalog_href=self.link(self.paths.credits, self.paths.catalog))

    def period_page(self, period: Period, entries: list[tuple[AgreementRecord, PeriodOutcome]]) -> str:
        path = self.paths.period(period.label)
        due = [(r, o) for r, o in entries if o.credit.combined_percent > 0 or any(m.earned_back for m in o.metrics)]
        rows = []
        for record, outcome in due:
            view = self._period_view(outcome.terms, outcome)
            rows.append({
                "record": record,
                "terms": outcome.terms,
                "href": self.link(path, self.paths.agreement(record.id)),
                "view": view,
                "missed": [m.metric.name for m in outcome.missed],
            })
        return self._render(
            "credits_period.md.j2", period=period, name=period_name(period), rows=rows,
            reported=len(entries), totals=_totals([(r, o) for r, o in entries if o.credit.percent > 0]),
            index_href=self.link(path, self.paths.credits), json_href=self.link(path, self.paths.period_json(period.label)),
        )

    # ------------------------------------------------------------ navigation

    def navigation(self) -> list[NavSection | str]:
        """[agreements section, glossary page, credits section]: agreements in sections by group,
        large groups split so that no section holds more than `nav_group_size` pages (Material
        renders the whole navigation into every page)."""
        size = max(1, self.options.nav_group_size)
        agreements: list[NavSection | str] = [self.paths.catalog]
        for name, _anchor, records in self.groups:
            paths = [self.paths.agreement(r.id) for r in records]
            if len(paths) <= size:
                agreements.append(NavSection(markup.plain(name), tuple(paths)))
                continue
            parts = [records[start:start + size] for start in range(0, len(records), size)]
            # Alphabetical ranges ("Acme Compute – Contoso ERP"), or numbers where titles repeat.
            labels = [f"{_short(markup.plain(self.current(part[0]).title))} – {_short(markup.plain(self.current(part[-1]).title))}" for part in parts]
            if len(set(labels)) < len(labels):
                labels = [f"{markup.plain(name)} {number}" for number in range(1, len(parts) + 1)]
            chunks = [NavSection(label, tuple(self.paths.agreement(r.id) for r in part)) for label, part in zip(labels, parts)]
            agreements.append(NavSection(markup.plain(name), tuple(chunks)))
        credits: list[NavSection | str] = [self.paths.credits]
        years: dict[int, list[NavPage]] = defaultdict(list)
        for period in self.by_period:
            years[period.year].append(NavPage(self.paths.period(period.label), period_name(period)))
        credits.extend(NavSection(str(year), tuple(paths)) for year, paths in years.items())
        return [
            NavSection("Agreements", tuple(agreements)),
            self.paths.glossary,
            NavSection("Credits by period", tuple(credits)),
        ]


def _short(text: str, length: int = 18) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


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


def _totals(entries: list[tuple[AgreementRecord, PeriodOutcome]]) -> list[str]:
    """Issued credit amounts per currency, e.g. ["1,200.00 USD", "15,234.00 GBP"]."""
    sums: dict[str, Fraction] = defaultdict(Fraction)
    for _record, outcome in entries:
        issued = outcome.credit.issued
        if issued is not None and outcome.terms.credit_terms:
            sums[outcome.terms.credit_terms.currency] += issued
    return [display.money(amount, currency) for currency, amount in sorted(sums.items()) if amount]


# ---------------------------------------------------------------- JSON


@lru_cache(maxsize=65_536)
def _exact(value: Fraction | None) -> str | None:
    # Credit percentages and amounts repeat across thousands of periods.
    return display.exact(value)


def period_outcome_document(outcome: PeriodOutcome, cache: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One period of one agreement; `cache` (by outcome) spares the work when both the
    agreement's and the period's document hold it."""
    if cache is not None:
        document = cache.get(id(outcome))
        if document is None:
            document = cache[id(outcome)] = period_outcome_document(outcome)
        return document
    credit = outcome.credit
    terms = outcome.terms
    return {
        "period": outcome.period.label,
        "version": outcome.version,
        "metrics": [
            {
                "id": m.metric.id,
                "attainment": _exact(m.attainment),
                "attainment_display": display.attainment(m.attainment, m.metric.unit, m.metric.better),
                "unit": m.metric.unit,
                "detail": m.detail,
                "met": m.met,
                "tier": m.tier,
                "default": m.default,
                "credit_percent": _exact(m.credit_percent),
                "earned_back_in": m.earned_back.label if m.earned_back else None,
            }
            for m in outcome.metrics
        ],
        "credit": {
            "combined_percent": _exact(credit.combined_percent),
            "percent": _exact(credit.percent),
            "capped": credit.capped,
            "amount": _exact(credit.amount),
            "issued": _exact(credit.issued),
            "below_minimum": credit.below_minimum,
            "currency": terms.credit_terms.currency if terms.credit_terms else None,
        },
        "claim_deadline": outcome.claim_deadline.isoformat() if outcome.claim_deadline else None,
        "remedies": [{"kind": r.kind, "metric": r.metric_id, "text": r.text, "termination_right": r.termination_right} for r in outcome.remedies],
    }


def agreement_document(evaluation: AgreementEvaluation, cache: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An agreement's periods as JSON: exact numbers as strings (`"24775/248"` where the
    decimal does not terminate), so nothing is lost to floating point."""
    record = evaluation.record
    return {
        "agreement": record.id,
        "file": record.file,
        "periods": [period_outcome_document(o, cache) for o in evaluation.periods],
    }


def period_document(period: Period, entries: list[tuple[AgreementRecord, PeriodOutcome]],
                    cache: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "period": period.label,
        "agreements": [{"agreement": record.id, **period_outcome_document(outcome, cache)} for record, outcome in entries],
    }


def _json(document: Any) -> str:
    # Compact: Python's C encoder only runs without `indent`, and these files are for machines.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------- templates


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar; characters YAML may not hold raw are escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def front_matter(title: str) -> Markup:
    """Front matter with the page title as escaped plain text (`title` is Markdown from YAML)."""
    return Markup(f"---\ntitle: {_yaml_string(markup.title(title))}\n---\n")


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


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(
        block=markup.block,
        inline=markup.inline,
        heading=markup.heading,
        plain=markup.plain,
        number=number,
        plural=_plural,
    )
    env.globals.update(front_matter=front_matter, Mark=Mark)
    return env


# ---------------------------------------------------------------- entry points


def render_site(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
                options: RenderOptions | None = None) -> dict[str, str]:
    """Every generated page and document, {path relative to the docs root: text}.

    Raises `InvalidAgreements` when the catalog has errors (an invalid tree is
    never published) or an agreement id takes a reserved page name.
    """
    if catalog.errors:
        raise InvalidAgreements(list(catalog.diagnostics))
    return Site(catalog, evaluations, today, options or RenderOptions()).render()


def navigation(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
               options: RenderOptions | None = None) -> list[NavSection | str]:
    """How the pages of `render_site` nest: see `Site.navigation`."""
    return Site(catalog, evaluations, today, options or RenderOptions()).navigation()


def render(catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date,
           options: RenderOptions | None = None) -> tuple[dict[str, str], list[NavSection | str]]:
    """Pages and navigation from one pass (the plugin needs both)."""
    if catalog.errors:
        raise InvalidAgreements(list(catalog.diagnostics))
    site = Site(catalog, evaluations, today, options or RenderOptions())
    return site.render(), site.navigation()
