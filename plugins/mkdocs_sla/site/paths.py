"""Where every generated page goes and how pages link to each other: source paths, URLs, anchors, slugs."""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from mkdocs_sla.core.audiences import INTERNAL, Audience
from mkdocs_sla.core.model import Metric
from mkdocs_sla.present import markup

TEMPLATES = Path(__file__).parent / "templates"
STYLESHEET = TEMPLATES / "assets" / "sla.css"
SCRIPT = TEMPLATES / "assets" / "sla.js"

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
    # Links relative to each page's Markdown file instead of its URL: Zensical rewrites every
    # relative URL in a page's HTML as MkDocs rewrites Markdown links (`sla render --zensical`).
    links_from_source: bool = False
    audience: Audience = INTERNAL  # who the site is for: what site/audiences.py lets through


# ---------------------------------------------------------------- paths and links


@dataclass(frozen=True)
class Paths:
    """The source path of every generated page, relative to the docs root."""

    prefix: str = "agreements"

    @property
    def catalog(self) -> str:
        """The catalog of every agreement."""
        return f"{self.prefix}/index.md"

    @property
    def glossary(self) -> str:
        """The glossary of metric definitions."""
        return f"{self.prefix}/metrics/index.md"

    @property
    def credits(self) -> str:
        """The index of credits by period."""
        return f"{self.prefix}/credits/index.md"

    def agreement(self, agreement_id: str) -> str:
        """An agreement's page."""
        # Not `<id>/index.md`: Material would take an index page for the index of its
        # navigation section (navigation.indexes). The URL is the same: `<prefix>/<id>/`.
        return f"{self.prefix}/{agreement_id}.md"

    def agreement_json(self, agreement_id: str) -> str:
        """An agreement's credits as JSON, for machines."""
        return f"{self.prefix}/{agreement_id}/credits.json"

    def badge(self, agreement_id: str) -> str:
        """An agreement's status badge (SVG), for embedding."""
        return f"{self.prefix}/{agreement_id}/badge.svg"

    def definition(self, anchor: str) -> str:
        """One metric definition's page in the glossary."""
        return f"{self.prefix}/metrics/{anchor}.md"

    def period(self, label: str) -> str:
        """One period's credits across the agreements."""
        return f"{self.prefix}/credits/{label}.md"

    def history(self, agreement_id: str) -> str:
        """An agreement's version history."""
        return f"{self.prefix}/{agreement_id}/history.md"

    def earlier_periods(self, agreement_id: str, year: int) -> str:
        """The results of one calendar year that the agreement's page no longer shows in full."""
        return f"{self.prefix}/{agreement_id}/periods/{year}.md"

    def period_results(self, agreement_id: str, earlier_year: int | None) -> str:
        """The page that shows a period's results: the agreement's, or that of an earlier year."""
        return self.agreement(agreement_id) if earlier_year is None else self.earlier_periods(agreement_id, earlier_year)

    def version(self, agreement_id: str, label: str) -> str:
        """A version's terms: a permanent URL, named by the label alone, so a newer version changes nothing here."""
        return f"{self.prefix}/{agreement_id}/versions/{version_slug(label)}.md"

    def service(self, service_id: str) -> str:
        """A service's page: its standard terms, as the public site publishes them."""
        return f"{self.prefix}/services/{service_id}.md"

    def service_finance(self, service_id: str) -> str:
        """A service's finance view: every agreement on it and their credits (internal only)."""
        return f"{self.prefix}/services/{service_id}/agreements.md"

    def service_version(self, service_id: str, label: str) -> str:
        """A version of a service's standard terms: a permanent URL."""
        return f"{self.prefix}/services/{service_id}/standard/{version_slug(label)}.md"

    @property
    def services(self) -> str:
        """The index of services."""
        return f"{self.prefix}/services/index.md"

    @property
    def statements(self) -> str:
        """The index of customers' credit statements."""
        return f"{self.prefix}/statements/index.md"

    def statement(self, customer: str, label: str, suffix: str = "md") -> str:
        """A customer's credit statement of one period: the page (`md`), `csv` or `json`."""
        return f"{self.prefix}/statements/{customer}/{label}.{suffix}"

    @property
    def feed(self) -> str:
        """The feed of new versions and periods."""
        # At the root, beside sitemap.xml: Material fetches `sitemap.xml` from the folder of every
        # `<link rel=alternate>` in a page's head (for its language selector); beside the feed it exists.
        return "feed.xml"


# Cached: the listings make some 100,000 links at 2,000 agreements, the same ones on every
# rebuild of a live preview, and posixpath.relpath is slow.
@lru_cache(maxsize=1 << 18)
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


@lru_cache(maxsize=1 << 18)
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
        self.links_from_source = options.links_from_source

    def __call__(self, source_path: str, target_path: str, anchor: str | None = None) -> str:
        # From the folder of the Markdown file (`a/b.md` -> `a/`) or from the page's URL (`a/b/`).
        base = posixpath.dirname(source_path) + "/" if self.links_from_source else page_url(source_path, self.use_directory_urls)
        href = relative_url(page_url(target_path, self.use_directory_urls), base if base != "/" else "")
        return f"{href}#{anchor}" if anchor else href


def glossary_anchor(metric: Metric) -> str:
    """A metric's glossary entry: the id its agreement gives (`glossary`), else the metric's own id,
    so the address stays when the definition is reworded. Every agreement finds it on its own."""
    anchor = metric.glossary or metric.id
    return f"{anchor}-metric" if anchor == "index" else anchor  # `index` is the glossary itself


def legacy_definition_anchor(definition: str) -> str:
    """The entry's address before glossary ids (the definition's first words and a hash of the
    whole text), still answered by a page pointing at the new address."""
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
