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
escaped text, because MkDocs and Material print page titles unescaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from mkdocs_sla.core.diagnostics import InvalidAgreements
from mkdocs_sla.core.evaluate import AgreementEvaluation
from mkdocs_sla.core.records import Catalog, ServiceRecord
from mkdocs_sla.site.agreement_page import render_agreement
from mkdocs_sla.site.audiences import shown
from mkdocs_sla.site.listings import Listings
from mkdocs_sla.site.navigation import NavPage, NavSection, mkdocs_nav  # noqa: F401  (mkdocs_nav: `sla render --nav`)
from mkdocs_sla.site.paths import STYLESHEET, Links, RenderOptions  # noqa: F401  (STYLESHEET: `sla render` copies it)
from mkdocs_sla.site.previewcache import ListingCache
from mkdocs_sla.site.services import ServicePages
from mkdocs_sla.site.templating import _env
from mkdocs_sla.site.views import AgreementSummary

# ---------------------------------------------------------------- entry points


def render_listings(
    summaries: Iterable[AgreementSummary],
    *,
    today: dt.date,
    options: RenderOptions | None = None,
    problems: Iterable[str] = (),
    services: Iterable[ServiceRecord] = (),
    cache: ListingCache | None = None,
) -> tuple[dict[str, str], list[NavSection | NavPage | str]]:
    """The catalog, glossary and credits pages, the service pages, and the navigation, from the
    agreements' summaries (and the services' records). `problems`: error lines to show atop the
    catalog (a preview of a tree with errors). `cache`: a live preview's, kept across its
    rebuilds, so that only the rows and statements an edit changed are made again.
    Raises `InvalidAgreements` when an agreement id takes a reserved page name."""
    summaries = list(summaries)
    options = options or RenderOptions()
    listings = Listings(summaries, today, options, problems, cache)
    service_pages = ServicePages(services, summaries, today, options)
    pages = listings.render()
    pages.update(service_pages.render())
    return pages, [*listings.navigation(), *service_pages.navigation()]


def render_problem_page(agreement_id: str, problems: Iterable[str], *, options: RenderOptions | None = None) -> dict[str, str]:
    """The page of an agreement that does not load, listing its errors: what a preview server
    (`mkdocs serve`) shows until the next valid edit. A published build never has one."""
    options = options or RenderOptions()
    links = Links(options)
    path = links.paths.agreement(agreement_id)
    text = (
        _env()
        .get_template("problem.md.j2")
        .render(agreement_id=agreement_id, problems=list(problems), catalog_href=links(path, links.paths.catalog))
    )
    return {path: text}


def render(
    catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date, options: RenderOptions | None = None
) -> tuple[dict[str, str], list[NavSection | NavPage | str]]:
    """Every generated file ({path relative to the docs root: text}) and the navigation.

    Only what `options.audience` may see is rendered (site/audiences.py). Raises
    `InvalidAgreements` when the catalog has errors (an invalid tree is never
    published) or an agreement id takes a reserved page name.
    """
    if catalog.errors:
        raise InvalidAgreements(list(catalog.diagnostics))
    options = options or RenderOptions()
    by_id = {e.record.id: e for e in evaluations}
    pages: dict[str, str] = {}
    summaries = []
    for record in catalog.agreements:
        # The audience's cut, before anything is rendered (site/audiences.py).
        found = shown(record, options.audience)
        if found is None:
            continue
        visible, results_shown = found
        evaluation = (by_id.get(record.id) if results_shown else None) or AgreementEvaluation(visible, ())
        done = render_agreement(visible, evaluation, today=today, options=options, results_shown=results_shown)
        pages.update(done.pages)
        summaries.append(done.summary)
    listing_pages, nav = render_listings(summaries, today=today, options=options, services=catalog.services)
    pages.update(listing_pages)
    return pages, nav


def render_site(
    catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date, options: RenderOptions | None = None
) -> dict[str, str]:
    """Every generated file, {path relative to the docs root: text}: see `render`."""
    return render(catalog, evaluations, today=today, options=options)[0]


def navigation(
    catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date, options: RenderOptions | None = None
) -> list[NavSection | NavPage | str]:
    """How the pages of `render_site` nest: see `Listings.navigation`."""
    return render(catalog, evaluations, today=today, options=options)[1]
