"""Hostile texts in an agreement file, read in a browser.

A copy of the project whose only agreement carries, in every text a reader sees
(title, summary, parties, owner, duties, service, metric name and definition,
credit terms, claim, exclusions, remedies, a results note), a `<script>`, an
`<img onerror>` and a Markdown link to `javascript:`. The site must build, and in
Chromium no script of theirs may run, on any page, by loading it, by clicking
the link's text or by searching; the texts show as written.

test_site_build.py checks the same threat in the HTML source; this checks it where
it matters, in the browser.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from helpers import BUILD_EPOCH, build_site, copy_project, hostile_terms, serve_directory

EPOCH = BUILD_EPOCH

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = "[click](javascript:window.__pwned=1)"
TEXT = f"{SCRIPT} {IMG} {LINK}"

#: Every element, attribute and URL that could run the payload, found in the live DOM.
DANGER_JS = """
() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on') && /pwned/.test(attr.value)) found.push(`<${el.localName} ${attr.name}=${attr.value}>`);
    }
    if ((el.localName === 'a' || el.localName === 'area') && el.hasAttribute('href') && el.protocol === 'javascript:')
      found.push(`<${el.localName} href=${el.getAttribute('href')}>`);
    if (el.localName === 'img' && el.getAttribute('src') === 'x') found.push('<img src=x>');
    if (el.localName === 'script' && /pwned/.test(el.textContent)) found.push('<script>' + el.textContent);
    if (el.localName === 'iframe' || el.localName === 'object' || el.localName === 'embed') found.push(el.outerHTML.slice(0, 80));
  }
  if (document.querySelector('a[href^="javascript:" i]')) found.push('a[href^="javascript:"]');
  if (document.querySelector('img[src="x"]')) found.push('img[src=x]');
  return {pwned: typeof window.__pwned, found};
}
"""


def hostile_agreement(folder: Path) -> None:
    """One agreement, valid for the loader, with the payloads in every text field."""
    terms = hostile_terms(folder.name, TEXT)
    terms["metrics"][0].update(name=f"Uptime {TEXT}", definition=f"{TEXT}\n\n{TEXT}")
    terms["credit_terms"]["claim"]["evidence"] = [TEXT, TEXT]
    terms["exclusions"] = [TEXT, TEXT]
    (folder / "results").mkdir(parents=True)
    (folder / "agreement.yaml").write_text(yaml.safe_dump(terms, sort_keys=False, allow_unicode=True), encoding="utf-8")
    results = {"period": "2025-01", "charges": "100", "metrics": {"uptime": {"good": 90, "total": 100, "note": TEXT}}}
    (folder / "results" / "2025-01.yaml").write_text(yaml.safe_dump(results, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """(site folder, base URL): the project with the hostile agreement only, built and
    served under site_url's path, as GitHub Pages would serve it."""
    project = tmp_path_factory.mktemp("hostile-project")
    copy_project(project, agreements=False)
    hostile_agreement(project / "agreements" / "hostile")
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    prefix = urlsplit(config["site_url"]).path.strip("/")
    root = tmp_path_factory.mktemp("hostile-www")
    site = root / prefix if prefix else root
    result = build_site(project / "mkdocs.yml", site, env=EPOCH)
    assert result.returncode == 0, f"the hostile agreement should build:\n{result.stdout}\n{result.stderr}"
    with serve_directory(root) as base:
        yield site, base + (prefix + "/" if prefix else "")


def page_urls(site: Path, base: str) -> list[str]:
    urls = []
    for file in sorted(site.rglob("*.html")):
        relative = file.relative_to(site).as_posix()
        urls.append(base + (relative[: -len("index.html")] if relative.endswith("index.html") else relative))
    return urls


def is_redirect(site: Path, base: str, url: str) -> bool:
    """A static page that sends the reader on (a single version's permanent address)."""
    file = site / url[len(base) :]
    file = file / "index.html" if url.endswith("/") else file
    return 'http-equiv="refresh"' in file.read_text(encoding="utf-8")


@contextlib.contextmanager
def held_on(page, url: str):
    """While inside, a redirect page at `url` is served without its refresh, so the page itself
    is what gets checked (its target is visited on its own)."""

    def hold(route) -> None:
        if route.request.url != url:
            route.continue_()
            return
        response = route.fetch()
        body, count = re.subn(r'<meta http-equiv="refresh"[^>]*>', "", response.text())
        assert count == 1, f"{url}: expected one refresh"
        route.fulfill(response=response, body=body)

    page.route("**/*", hold)
    try:
        yield
    finally:
        page.unroute("**/*", hold)


def check(page, where: str, problems: list[str]) -> None:
    state = page.evaluate(DANGER_JS)
    if state["pwned"] != "undefined":
        problems.append(f"{where}: window.__pwned is {state['pwned']}: a payload ran")
    problems.extend(f"{where}: {item}" for item in state["found"])


def test_no_payload_runs_on_any_page_and_the_texts_show_as_written(page, hostile_site):
    site, base = hostile_site
    urls = page_urls(site, base)
    agreement = base + "agreements/hostile/"
    assert agreement in urls, urls
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    problems: list[str] = []
    clicked = 0
    for url in urls:
        if is_redirect(site, base, url):
            with held_on(page, url):
                page.goto(url, wait_until="load")
                page.wait_for_timeout(50)
                check(page, f"{url} (a redirect page)", problems)
                assert page.locator("a").filter(has_text=re.compile(r"^\s*click\s*$")).count() == 0
            continue
        page.goto(url, wait_until="load")
        page.wait_for_timeout(50)  # an onerror fires after the failed load of src=x
        check(page, url, problems)
        # Every link whose text is the payload's "click": follow it, then look again.
        clicks = page.locator("a").filter(has_text=re.compile(r"^\s*click\s*$"))
        for i in range(clicks.count()):
            page.goto(url, wait_until="load")
            href = clicks.nth(i).get_attribute("href")
            clicks.nth(i).click()
            page.wait_for_load_state("load")
            page.wait_for_timeout(50)
            clicked += 1
            check(page, f"{url} after clicking link {i} 'click' (href={href!r})", problems)

    # The texts show as written, on the agreement page and where its texts are repeated.
    page.goto(agreement, wait_until="load")
    text = page.locator("article").inner_text()
    for payload in (SCRIPT, IMG):
        assert payload in text, f"{payload!r} is not shown as written on {agreement}"
    # The link shows its text, "click", as text (not as a link: asserted above).
    assert re.search(r"\bclick\b", text)
    assert SCRIPT in page.title(), page.title()
    for path in ("agreements/", "agreements/metrics/", "agreements/credits/2025-01/"):
        page.goto(base + path, wait_until="load")
        assert SCRIPT in page.locator("article").inner_text(), f"{SCRIPT!r} is not shown as written on {path}"

    assert not dialogs, dialogs
    assert not problems, "\n".join(problems)
    print(f"{len(urls)} pages, {clicked} 'click' links followed")


@pytest.mark.parametrize("query", ["Hostile", "Uptime"])
def test_searching_for_the_hostile_texts_runs_none_of_them(page, hostile_site, query):
    """Material renders search results from the search index as HTML: the payloads in the
    titles and texts it finds (the agreement's title, its metric's section) must stay text."""
    _site, base = hostile_site
    page.goto(base, wait_until="load")
    search = page.locator(".md-search__input")
    if not search.is_visible():
        page.locator("label.md-header__button[for=__search]").click()
    search.click()
    search.press_sequentially(query, delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible")
    page.wait_for_timeout(200)
    shown = page.locator(".md-search-result").inner_text()
    assert "pwned" in shown, f"the results for {query!r} should show the hostile texts:\n{shown}"
    problems: list[str] = []
    check(page, f"search results for {query!r}", problems)
    # Follow each result (the page then highlights the query) and look again.
    hrefs = page.locator(".md-search-result__item a.md-search-result__link").evaluate_all("links => links.map(a => a.href)")
    assert hrefs
    for href in hrefs:
        page.goto(href, wait_until="load")
        page.wait_for_timeout(50)
        check(page, href, problems)
    assert not problems, "\n".join(problems)
