"""The generated pages' HTML blocks skip the Markdown converter (site/stash.py) and come out the same."""

from __future__ import annotations

import markdown
import pytest

from helpers import BUILD_DAY, REPO_ROOT
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.site.render import render_site
from mkdocs_sla.site.stash import Stash
from mkdocs_sla.source.load import load

#: The extensions the site's mkdocs.yml enables (and the plugin adds).
EXTENSIONS = ["tables", "attr_list", "admonition", "toc"]


def body(text: str) -> str:
    """A page without its front matter, as MkDocs hands it to the converter."""
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    catalog = load(REPO_ROOT / "agreements")
    assert not catalog.errors
    rendered = render_site(catalog, [evaluate(r) for r in catalog.agreements], today=BUILD_DAY)
    return {path: body(text) for path, text in rendered.items() if path.endswith(".md")}


def test_every_generated_page_converts_to_the_same_html_with_its_blocks_stashed(pages):
    differ = []
    stashed_any = False
    for path, text in pages.items():
        plain = markdown.Markdown(extensions=EXTENSIONS).convert(text)
        stash = Stash()
        short = stash.stash(path, text)
        stashed_any |= short != text
        restored, _ = stash.unstash(path, markdown.Markdown(extensions=EXTENSIONS).convert(short))
        if restored != plain:
            differ.append(path)
    assert stashed_any, "no page had a block to stash"
    assert not differ, differ


def test_the_anchor_ids_of_stashed_blocks_are_given_back():
    stash = Stash()
    text = '## Periods\n\n<div class="t"><table><tbody id="period-2025-01">\n<tr><td><a name="x">1</a></td></tr>\n</tbody></table></div>\n'
    short = stash.stash("p.md", text)
    assert "period-2025-01" not in short
    html, ids = stash.unstash("p.md", markdown.Markdown().convert(short))
    assert ids == {"period-2025-01", "x"}
    assert 'id="period-2025-01"' in html


@pytest.mark.parametrize(
    "text",
    [
        "Some text\n<div>right after a paragraph line: Markdown's, not ours</div>\n",
        "<small>an inline tag starts a paragraph</small>\n",
        "```\n\n<div>inside a fence</div>\n```\n",
    ],
)
def test_what_markdown_would_not_copy_as_it_is_is_left_to_markdown(text):
    assert Stash().stash("p.md", text) == text
