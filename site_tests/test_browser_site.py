"""This repository's site in a browser: built once per session (per xdist worker) with
`mkdocs build --strict`, served on loopback as the publish workflow lays it out on
GitHub Pages (mike's `<site_url path>/dev/` beside `versions.json`), and read by
Chromium as a person would, through Playwright.

Expected texts and figures come from the core (load, evaluate, display, tiers), not
from copies of the example data, so the tests hold while the examples change.

The crawl for broken links needs no browser: it parses the built HTML files.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from lxml import etree
from mike.versions import Versions
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from helpers import BUILD_DAY, BUILD_EPOCH, REPO_ROOT, build_site, missed_period_with_credit, serve_directory
from mkdocs_sla.present import display
from mkdocs_sla.present.words import bounds_in_words, number
from mkdocs_sla.site.paths import version_slug
from mkdocs_sla.source.load import load

# A fixed build date, so "in force" and "review overdue" do not move with the clock.
TODAY = BUILD_DAY
EPOCH = BUILD_EPOCH
assert dt.datetime.fromtimestamp(int(EPOCH["SOURCE_DATE_EPOCH"]), dt.UTC).date() == TODAY

CONFIG = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SITE_URL = CONFIG["site_url"] if CONFIG["site_url"].endswith("/") else CONFIG["site_url"] + "/"
#: "/mkdocs-sla/": the path GitHub Pages serves the site under.
PREFIX = urlsplit(SITE_URL).path or "/"

#: The version the publish workflow deploys for a push to main.
VERSION = "dev"

#: WCAG 2 AA for normal text.
MIN_CONTRAST = 4.5


# ---------------------------------------------------------------- the built site


@dataclass(frozen=True)
class Site:
    folder: Path  # the built site
    url: str  # where it is served, e.g. http://127.0.0.1:4321/mkdocs-sla/dev/

    def page_url(self, path: str) -> str:
        return self.url + path.lstrip("/")

    def html_pages(self) -> list[Path]:
        return sorted(self.folder.rglob("*.html"))

    def url_of(self, file: Path) -> str:
        relative = file.relative_to(self.folder).as_posix()
        if relative == "index.html":
            return self.url
        if relative.endswith("/index.html"):
            return self.page_url(relative[: -len("index.html")])
        return self.page_url(relative)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The real site, built once per worker, served until the end of the session.

    Laid out as .github/workflows/publish.yml publishes it with mike on GitHub Pages:
    the build in `<site_url path>/dev/`, beside mike's `versions.json` (written by
    mike's own code), which Material's version selector (`extra.version.provider:
    mike`) fetches from the folder above the version.
    """
    root = tmp_path_factory.mktemp("browser-site")
    published = root / PREFIX.strip("/")
    folder = published / VERSION
    result = build_site(REPO_ROOT / "mkdocs.yml", folder, env=EPOCH)
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    versions = Versions()
    versions.add(VERSION)
    (published / "versions.json").write_text(versions.dumps(), encoding="utf-8")
    with serve_directory(root) as base:
        yield Site(folder, base.rstrip("/") + PREFIX + VERSION + "/")


@pytest.fixture(scope="session")
def catalog():
    catalog = load(REPO_ROOT / "agreements")
    assert not catalog.errors, [str(d) for d in catalog.errors]
    assert catalog.agreements, "the repository should hold example agreements"
    return catalog


def goto(page, url: str):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"
    return response


def same_page(href: str, expected: str) -> bool:
    """Whether an absolute link leads to the page `expected` (any fragment, no query)."""
    parts, want = urlsplit(href), urlsplit(expected)
    return (parts.scheme, parts.netloc, parts.path) == (want.scheme, want.netloc, want.path)


# ---------------------------------------------------------------- catalog, search, agreement page


def test_the_catalog_lists_every_example_agreement(page, site, catalog):
    ids = sorted(p.parent.name for p in (REPO_ROOT / "agreements").glob("*/agreement.yaml"))
    assert ids == sorted(r.id for r in catalog.agreements)
    goto(page, site.page_url("agreements/"))
    found: dict[str, list[str]] = {}
    for href, text in page.locator("article a[href]").evaluate_all("links => links.map(a => [a.href, a.innerText.trim()])"):
        found.setdefault(href, []).append(text)
    missing = []
    for record in catalog.agreements:
        title = record.in_force(TODAY).terms.title
        texts = found.get(site.page_url(f"agreements/{record.id}/"), [])
        if title not in texts:
            missing.append(f"{record.id}: no link titled {title!r} (links to it: {texts})")
    assert not missing, "\n".join(missing)
    body = page.locator("article").inner_text()
    assert f"{len(ids)} agreements" in body or len(ids) == 1
    assert page.console_errors == []


def test_the_search_box_finds_an_agreement_by_a_metric_name(page, site, catalog):
    record = catalog.get("object-store") or catalog.agreements[0]
    metric = record.in_force(TODAY).terms.metrics[0]
    goto(page, site.page_url(""))
    search = page.locator(".md-search__input")
    if not search.is_visible():  # narrow screens: the header's search button opens the dialog
        page.locator("label.md-header__button[for=__search]").click()
    search.click()
    search.press_sequentially(metric.name, delay=20)
    results = page.locator(".md-search-result__item a.md-search-result__link")
    results.first.wait_for(state="visible")
    # The index may still be answering as the last keys arrive: wait until the wanted result shows.
    expected = site.page_url(f"agreements/{record.id}/")
    page.wait_for_function(
        """expected => [...document.querySelectorAll('.md-search-result__item a.md-search-result__link')]
             .some(a => { const u = new URL(a.href); return u.origin + u.pathname === expected; })""",
        arg=expected,
    )
    hrefs = [results.nth(i).evaluate("a => a.href") for i in range(results.count())]
    assert any(same_page(href, expected) for href in hrefs), (metric.name, hrefs)
    # The result is a link a person can follow: it opens the agreement page.
    hit = next(i for i, href in enumerate(hrefs) if same_page(href, expected))
    results.nth(hit).click()
    page.wait_for_url(lambda url: same_page(url, expected))
    assert metric.name in page.locator("article").inner_text()
    assert page.console_errors == []


def test_an_agreement_page_shows_its_tiers_in_words_and_a_missed_period_with_its_credit(page, site, catalog):
    record, outcome = missed_period_with_credit(catalog)
    goto(page, site.page_url(f"agreements/{record.id}/"))

    # The tier tables, as a person reads them: tier number, bounds in words, credit.
    rows = page.locator(".sla-tiers tbody tr")
    shown = {tuple(cell.strip() for cell in rows.nth(i).inner_text().split("\t")) for i in range(rows.count())}
    expected_rows = set()
    for metric in record.in_force(TODAY).terms.metrics:
        if metric.credits is not None and metric.credits.model == "tiers":
            for index, tier in enumerate(metric.credits.tiers, 1):
                expected_rows.add((str(index), bounds_in_words(tier, metric.unit), number(tier.credit, "%")))
    assert expected_rows, f"{record.id} should have tiered credits"
    assert expected_rows <= shown, f"missing tier rows: {sorted(expected_rows - shown)}; shown: {sorted(shown)}"
    assert any(words.startswith("below ") and " and at least " in words for _, words, _ in expected_rows)

    # The missed period: its head row says "missed" and shows the period's credit.
    period = page.locator(f"tbody#period-{outcome.period.label}")
    head = period.locator("tr").first.inner_text()
    assert outcome.period.label in head
    assert "missed" in head.split(), head
    credit = display.percent(outcome.credit.percent)
    assert credit in head, (credit, head)
    if outcome.credit.amount is not None and not outcome.credit.below_minimum:
        assert display.money(outcome.credit.amount, outcome.terms.credit_terms.currency) in head, head
    # Each missed metric's row: missed, its attainment as displayed, its tier and credit %.
    body = period.inner_text()
    for metric in outcome.missed:
        row = period.locator("tr", has_text=metric.metric.name).first.inner_text()
        assert "missed" in row.split("\t")[2], row
        assert display.attainment(metric.attainment, metric.metric.unit, metric.metric.better) in row, row
        if metric.credit_percent > 0:
            assert display.percent(metric.credit_percent) in row, row
    assert "missed" in body
    assert page.console_errors == []


# ---------------------------------------------------------------- dark mode and contrast


# Effective colours as painted: every CSS colour is drawn on a 1x1 canvas and read back, so
# any notation (hex, hsl, color-mix, oklch...) compares alike. Translucent backgrounds are
# composited over their ancestors' down to the first opaque one (else the white canvas).
CONTRAST_JS = """
(selectors) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = 'rgba(0, 0, 0, 0)';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => {  // source-over onto an opaque colour
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ownText = (el) => [...el.childNodes]
    .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim();
  const out = [];
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      const candidates = [el, ...el.querySelectorAll('*')];
      for (const node of candidates) {
        const text = ownText(node);
        const style = getComputedStyle(node);
        if (!text || style.visibility === 'hidden' || style.display === 'none') continue;
        const bg = background(node);
        const fg = over(rgba(style.color), bg);
        const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
        out.push({
          selector, tag: node.tagName.toLowerCase(), cls: node.className || '',
          text: text.slice(0, 40), color: style.color, fg: fg.slice(0, 3).map(Math.round),
          bg: bg.slice(0, 3).map(Math.round), ratio: (l1 + 0.05) / (l2 + 0.05),
        });
      }
    }
  }
  return out;
}
"""

#: Everything in the agreement tables (tiers, periods, versions, catalog), and the marks
#: wherever they stand (catalog, "Last period", period rows).
CONTRAST_SELECTORS = [".sla-table table", ".sla-mark--met", ".sla-mark--missed"]


def contrast_failures(page, mode: str) -> tuple[list[str], set[str]]:
    """(failures as text, the selectors that matched any text) on the current page."""
    measured = page.evaluate(CONTRAST_JS, CONTRAST_SELECTORS)
    seen = {m["selector"] for m in measured}
    path = urlsplit(page.url).path
    groups: dict[str, list[str]] = {}
    for m in measured:
        if m["ratio"] < MIN_CONTRAST:
            key = (
                f"{mode} {path} {m['selector']} <{m['tag']} class={m['cls']!r}>: {m['ratio']:.2f}:1 "
                f"(color {m['color']} -> rgb{tuple(m['fg'])} on rgb{tuple(m['bg'])})"
            )
            groups.setdefault(key, []).append(m["text"])
    failures = [f"{key}, {len(texts)}x, e.g. {texts[0]!r}" for key, texts in sorted(groups.items())]
    return failures, seen


def test_dark_mode_toggle_keeps_the_tables_and_marks_readable(page, site, catalog):
    """WCAG AA (4.5:1) for every text in the tier, periods, versions and catalog tables and
    for the met/missed marks, in the light scheme and after the toggle to the dark one."""
    record, _ = missed_period_with_credit(catalog)  # a page with met and missed marks
    pages = [site.page_url(f"agreements/{record.id}/"), site.page_url("agreements/")]
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    problems: list[str] = []
    for url in pages:
        goto(page, url)
        assert page.locator("body").get_attribute("data-md-color-scheme") == "default"
        failures, seen = contrast_failures(page, "light")
        assert seen == set(CONTRAST_SELECTORS), f"{url} should show all of {CONTRAST_SELECTORS}, saw {seen}"
        assert page.locator(".sla-tiers table").count() or url != pages[0], "no tier table"
        problems += failures

    # The palette toggle in the header (a label for the next palette's radio button).
    page.locator("form[data-md-component=palette] label[for=__palette_1]").click()
    page.wait_for_selector("body[data-md-color-scheme=slate]")
    page.wait_for_timeout(300)  # let any colour transition finish
    problems += contrast_failures(page, "dark")[0]
    # The choice is remembered: the next page opens dark, too.
    goto(page, pages[0])
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    problems += contrast_failures(page, "dark")[0]

    assert not problems, f"text below {MIN_CONTRAST}:1 contrast:\n" + "\n".join(problems)
    assert page.console_errors == []


# ---------------------------------------------------------------- versions and the feed


FEED_LINKS_JS = """() => [...document.head.querySelectorAll('link[rel=alternate][type="application/atom+xml"]')]
  .map(link => [link.href, link.title])"""


def test_every_kind_of_page_links_the_feed_from_its_head_and_the_link_answers(page, site, catalog):
    record = catalog.get("acme-compute") or catalog.agreements[0]
    first = lambda folder: next(p.parent for p in sorted((site.folder / folder).glob("*/index.html")))  # noqa: E731
    kinds = {
        "home": "",
        "catalog": "agreements/",
        "agreement": f"agreements/{record.id}/",
        "history": f"agreements/{record.id}/history/",
        "version": f"agreements/{record.id}/versions/{version_slug(record.versions[0].label)}/",
        "glossary": "agreements/metrics/",
        "definition": first("agreements/metrics").relative_to(site.folder).as_posix() + "/",
        "credits": "agreements/credits/",
        "period": first("agreements/credits").relative_to(site.folder).as_posix() + "/",
    }
    feed = site.page_url("feed.xml")
    answered: dict[str, int] = {}
    for kind, path in kinds.items():
        goto(page, site.page_url(path))
        links = page.evaluate(FEED_LINKS_JS)
        assert [href for href, _title in links] == [feed], f"{kind} page {path!r}: {links}"
        assert all(title for _href, title in links), f"{kind}: the feed link needs a title"
        if feed not in answered:
            response = page.request.get(feed)
            answered[feed] = response.status
            assert response.ok, f"{feed}: HTTP {response.status}"
            root = etree.fromstring(response.body())
            assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert answered == {feed: 200}
    assert page.console_errors == []


def test_the_history_page_shows_each_version_and_its_changes_without_console_errors(page, site, catalog):
    record = max(catalog.agreements, key=lambda r: len(r.versions))
    assert len(record.versions) > 1, "the examples should hold an agreement with two versions"
    goto(page, site.page_url(f"agreements/{record.id}/history/"))
    page.wait_for_function(SETTLED_JS, timeout=10_000)
    rows = page.locator(".sla-versions tbody tr")
    assert rows.count() == len(record.versions)
    in_force = record.in_force(TODAY)
    for i, version in enumerate(reversed(record.versions)):
        cells = rows.nth(i).inner_text().split("\t")
        status = "upcoming" if version.effective > TODAY else "in force" if version is in_force else "superseded"
        assert cells[0].strip() == version.label and cells[3].strip() == status, cells
    # Each change is marked by a word (and a symbol), not by colour alone.
    badges = page.locator(".sla-changes .sla-effect")
    assert badges.count() > 0
    assert {badges.nth(i).inner_text().strip() for i in range(badges.count())} <= {"favourable", "adverse", "neutral"}
    # The link to a version's terms opens its page.
    page.locator(".sla-versions tbody tr").last.locator("a").first.click()
    page.wait_for_url(lambda url: "/versions/" in url)
    assert page.locator("article h1").inner_text().rstrip("¶").endswith(f"version {record.versions[0].label}")
    assert page.console_errors == []


# ---------------------------------------------------------------- every page


SETTLED_JS = """() => {
  const meta = document.querySelector('.md-search-result__meta');
  return meta && !/Initializing/i.test(meta.textContent) && document.querySelector('.md-version') !== null;
}"""


SHARDS = 2  # the pages split between the xdist workers


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_page_logs_a_console_error(page, site, catalog, shard):
    files = site.html_pages()
    # 404.html is left out: GitHub Pages shows only the 404.html at the root of the
    # published branch, which mike does not fill; its site_url links are crawled below.
    urls = [site.url_of(f) for f in files if f.name != "404.html" or f.parent != site.folder]
    musts = ["", "agreements/", "agreements/metrics/", "agreements/credits/"]
    musts += [f"agreements/{record.id}/" for record in catalog.agreements]
    for must in musts:
        assert site.page_url(must) in urls, f"the site has no page {must!r}"
    by_page: dict[str, list[str]] = {}
    for url in urls[shard::SHARDS]:
        before = len(page.console_errors)
        goto(page, url)
        # Wait for Material's asynchronous start: the search worker has loaded the index, and
        # the version selector has been filled from mike's versions.json.
        try:
            page.wait_for_function(SETTLED_JS, timeout=10_000)
        except PlaywrightTimeoutError:
            page.console_errors.append("the page did not settle: search not ready or no version selector")
        if len(page.console_errors) > before:
            by_page[url] = page.console_errors[before:]
    assert not by_page, "\n".join(f"{url}:\n  " + "\n  ".join(errors) for url, errors in by_page.items())
    assert page.console_errors == []


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.refs.append((tag, name, value))


def test_a_crawl_of_the_built_site_finds_no_broken_internal_link(site):
    """Every href and src of every page, resolved as the browser would on GitHub Pages
    (against the page's address under site_url), leads to a file of the site, and every
    #fragment to an element with that id. Links to site_url itself count as internal."""
    parsed: dict[Path, _Refs] = {}

    def refs(file: Path) -> _Refs:
        if file not in parsed:
            parser = _Refs()
            parser.feed(file.read_text(encoding="utf-8"))
            parser.close()
            parsed[file] = parser
        return parsed[file]

    site_parts = urlsplit(SITE_URL)
    broken: list[str] = []
    checked = 0
    for file in site.html_pages():
        relative = file.relative_to(site.folder).as_posix()
        page_url = urljoin(SITE_URL, relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        for tag, attribute, value in refs(file).refs:
            where = f"{relative}: <{tag} {attribute}={value!r}>"
            target = urlsplit(urljoin(page_url, value.strip()))
            if target.scheme not in ("http", "https") or target.netloc != site_parts.netloc:
                continue  # external, mailto:, data: ...
            checked += 1
            path = unquote(target.path)
            if not (path + "/").startswith(PREFIX):
                broken.append(f"{where} (outside the site's path {PREFIX})")
                continue
            inside = posixpath.normpath("/" + path[len(PREFIX) :]).lstrip("/")
            destination = site.folder / inside if inside not in ("", ".") else site.folder
            if destination.is_dir():  # GitHub Pages serves a folder's index.html
                destination = destination / "index.html"
            if not destination.is_file():
                broken.append(f"{where} (no file {os.path.relpath(destination, site.folder)})")
                continue
            fragment = unquote(target.fragment)
            if fragment and destination.suffix == ".html" and fragment not in refs(destination).ids:
                broken.append(f"{where} (no element with id {fragment!r} in {os.path.relpath(destination, site.folder)})")
    assert checked > 100, f"only {checked} internal links checked: is the crawl reading the site?"
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken)
