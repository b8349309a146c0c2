"""render and markup without MkDocs: safe texts, links between pages, the pages' shape."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from helpers import REPO_ROOT
from mkdocs_sla.core.diagnostics import InvalidAgreements
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.present import markup
from mkdocs_sla.site.navigation import NavPage, NavSection, mkdocs_nav
from mkdocs_sla.site.paths import RenderOptions, page_url, relative_url
from mkdocs_sla.site.render import navigation, render_problem_page, render_site
from mkdocs_sla.site.templating import front_matter
from mkdocs_sla.source.load import load
from test_site_build import hostile_agreement, large_agreement

TODAY = dt.date(2026, 1, 31)


def rendered(root: Path, **options) -> dict[str, str]:
    catalog = load(root)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    return render_site(catalog, [evaluate(r) for r in catalog.agreements], today=TODAY, options=RenderOptions(**options))


# ---------------------------------------------------------------- texts from agreement files


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "jav&#97;script:alert(1)",
        "&#x6A;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>",
    ],
)
def test_a_link_with_a_script_scheme_is_unsafe(url):
    assert not markup.safe_url(url)


@pytest.mark.parametrize("url", ["https://example.com/a?b#c", "http://x", "mailto:sla@example.com", "../x/", "#metric-a", "/abs", "status"])
def test_web_mail_and_relative_links_are_safe(url):
    assert markup.safe_url(url)


def test_raw_html_in_a_text_shows_as_written():
    html = markup.block('<script>alert(1)</script> <img src=x onerror=alert(1)> <a href="javascript:x">a</a>')
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](jav&#97;script:alert(1))",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        "![click](javascript:alert(1))",
    ],
)
def test_a_script_link_in_markdown_keeps_its_text_and_loses_the_link(text):
    html = markup.block(text)
    assert "href" not in html and "src" not in html
    assert "click" in html


def test_markdown_in_a_text_is_rendered_with_safe_links():
    html = markup.block('Uptime *per month*, see [the policy](https://example.com/sla "SLA").\n\n- one\n- two')
    assert html == (
        '<p>Uptime <em>per month</em>, see <a href="https://example.com/sla" title="SLA">the policy</a>.</p> '
        "<ul> <li>one</li> <li>two</li> </ul>"
    )


def test_attribute_lists_and_headings_in_a_text_do_nothing():
    assert markup.block('Text\n{: onclick="alert(1)" }') == '<p>Text {: onclick="alert(1)" }</p>'
    assert "<h" not in markup.block("# Not a heading\n\nSetext\n======")


def test_a_rendered_text_is_one_line_even_with_code_blocks():
    html = markup.block("para\n\n    line one\n    line two\n\nend")
    assert "\n" not in html
    assert "<pre><code>line one&#10;line two&#10;</code></pre>" in html


def test_inline_drops_the_paragraph_of_a_one_paragraph_text():
    assert markup.inline("A *b*") == "A <em>b</em>"


def test_a_heading_keeps_no_markdown_syntax():
    text = "# [x](javascript:alert(1)) *y* <b>z</b> {: #id }"
    heading = markup.heading(text)
    assert not re.search(r"[\[\]()*<>{}#:!_`|\\-]", heading.replace("&#", "").replace(";", ""))
    assert markup.plain(text) == "# x y <b>z</b> {: #id }"


@pytest.mark.parametrize(
    "title", ['Quote " and \\ backslash', "</title><script>alert(1)</script>", "Ünïcödé 🚀", "C1 \x85 and \x9f", "tab\there"]
)
def test_front_matter_holds_any_title_as_escaped_text(title):
    block = str(front_matter(title))
    data = yaml.safe_load(block.strip().strip("-"))
    assert data["title"] == markup.title(title)
    assert "<" not in data["title"]


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "path, directory_urls, url",
    [
        ("agreements/index.md", True, "agreements/"),
        ("agreements/index.md", False, "agreements/index.html"),
        ("agreements/acme.md", True, "agreements/acme/"),
        ("agreements/acme.md", False, "agreements/acme.html"),
        ("agreements/acme/credits.json", True, "agreements/acme/credits.json"),
        ("index.md", True, ""),
    ],
)
def test_page_urls_follow_mkdocs(path, directory_urls, url):
    assert page_url(path, directory_urls) == url


@pytest.mark.parametrize(
    "target, source, link",
    [
        ("agreements/acme/", "agreements/", "acme/"),
        ("agreements/", "agreements/acme/", "../"),
        ("agreements/metrics/", "agreements/credits/2025-01/", "../../metrics/"),
        ("agreements/acme/credits.json", "agreements/acme/", "credits.json"),
        ("agreements/acme.html", "agreements/index.html", "acme.html"),
        ("agreements/acme/credits.json", "agreements/acme.html", "acme/credits.json"),
        ("agreements/", "agreements/", "./"),
    ],
)
def test_links_between_pages_are_relative(target, source, link):
    assert relative_url(target, source) == link


# ---------------------------------------------------------------- the pages


def test_the_pages_of_the_examples():
    pages = rendered(REPO_ROOT / "agreements")
    catalog = load(REPO_ROOT / "agreements")
    expected = {"agreements/index.md", "agreements/metrics/index.md", "agreements/credits/index.md"}
    expected |= {f"agreements/{r.id}.md" for r in catalog.agreements}
    expected |= {f"agreements/{r.id}/credits.json" for r in catalog.agreements}
    assert expected <= set(pages)
    for path, text in pages.items():
        if path.endswith(".md"):
            assert text.startswith('---\ntitle: "'), path


def test_no_text_from_an_agreement_file_starts_a_line_of_markdown(tmp_path):
    """Line-based Markdown extensions (fences, snippets, abbreviations) only act at the start
    of a line, and there every line is the template's own: a heading, an HTML block or blank."""
    hostile_agreement(tmp_path / "hostile")
    pages = rendered(tmp_path)
    for path, text in pages.items():
        if not path.endswith(".md"):
            continue
        body = text.split("---\n", 2)[2]
        for line in body.splitlines():
            assert line == "" or line.startswith(("# ", "## ", "### ", "<")), f"{path}: {line[:80]!r}"
            if line.startswith("#"):
                assert "<" not in line and "[" not in line, line


def test_an_agreement_id_that_names_a_site_page_is_an_error(tmp_path):
    # The loader refuses it, so `sla validate` reports it as well as the site build.
    large_agreement(tmp_path / "metrics", metrics=1, periods=1)
    catalog = load(tmp_path)
    with pytest.raises(InvalidAgreements) as raised:
        render_site(catalog, [evaluate(r) for r in catalog.agreements], today=TODAY)
    (diagnostic,) = raised.value.diagnostics
    assert re.match(r".*metrics/agreement\.yaml:\d+:\d+: error: id `metrics` is reserved for a page of the site", str(diagnostic))


def test_an_invalid_catalog_is_never_rendered(tmp_path):
    large_agreement(tmp_path / "broken", metrics=1, periods=1)
    (tmp_path / "broken" / "agreement.yaml").write_text("id: broken\n")
    catalog = load(tmp_path)
    with pytest.raises(InvalidAgreements):
        render_site(catalog, [], today=TODAY)


def test_navigation_groups_by_family_and_splits_large_groups(tmp_path):
    for n in range(5):
        large_agreement(tmp_path / f"a{n}", metrics=1, periods=2)
    catalog = load(tmp_path)
    agreements, glossary, credits = navigation(
        catalog, [evaluate(r) for r in catalog.agreements], today=TODAY, options=RenderOptions(nav_group_size=2)
    )
    assert agreements.children[0] == "agreements/index.md"
    (family,) = agreements.children[1:]
    assert family.title == "Large"
    assert [len(part.children) for part in family.children] == [2, 2, 1]
    assert glossary.children[0] == "agreements/metrics/index.md"
    (definitions,) = glossary.children[1:]
    (entry,) = definitions.children  # one definition shared by the five agreements
    assert entry.title == "Requests served within 1 seconds"
    assert credits.children[0] == "agreements/credits/index.md"
    (year,) = credits.children[1:]
    assert year == NavSection(
        "2024", (NavPage("agreements/credits/2024-02.md", "February 2024"), NavPage("agreements/credits/2024-01.md", "January 2024"))
    )


def test_the_navigation_as_mkdocs_nav_escapes_titles():
    nav = mkdocs_nav([NavSection("<b>Family</b>", ("a.md", NavPage("b.md", "B & <i>")))])
    assert nav == [{"&lt;b&gt;Family&lt;/b&gt;": ["a.md", {"B &amp; &lt;i&gt;": "b.md"}]}]


def test_a_preview_page_of_an_agreement_that_does_not_load_lists_its_errors_escaped():
    ((path, text),) = render_problem_page("broken", ["agreements/broken/agreement.yaml:3:1: error: <script>alert(1)</script>"]).items()
    assert path == "agreements/broken.md"
    assert "agreements/broken/agreement.yaml:3:1: error: &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>" not in text
