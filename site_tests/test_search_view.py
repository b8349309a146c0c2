"""The search indexer reads a generated page without the elements it skips (site/searchview.py),
and indexes exactly what it indexed from the whole page."""

from __future__ import annotations

import json

import pytest
from material.plugins.search.plugin import Parser
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin, event_priority

from helpers import BUILD_EPOCH, copy_project
from mkdocs_sla.site.searchview import search_view


def sections(html: str) -> list[tuple]:
    """What Material's search parser makes of `html`: each section's heading, id, depth, title,
    text and whether it is excluded: all an index entry is made of."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.el.tag, s.id, s.depth, "".join(s.title), "".join(s.text), s.is_excluded()) for s in parser.data]


class _Contents(BasePlugin):
    """Keeps every page's HTML as the search plugin would have read it (before the sla plugin's turn)."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, str] = {}

    @event_priority(200)
    def on_page_context(self, context, page, config, nav):
        self.pages[page.file.src_uri] = page.content
        return context


@pytest.fixture(scope="module")
def example_build(tmp_path_factory):
    """The example site built in this process, with each page's HTML before indexing."""
    project = tmp_path_factory.mktemp("search-view")
    config_file = copy_project(project)
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"NO_MKDOCS_2_WARNING": "1", **BUILD_EPOCH}.items():
            env.setenv(name, value)
        config = load_config(str(config_file), site_dir=str(project / "site"), strict=True)
        contents = _Contents()
        config.plugins["contents"] = contents
        build(config)
    index = json.loads((project / "site" / "search" / "search_index.json").read_text())
    return contents.pages, index


def test_every_generated_page_gives_the_indexer_the_same_sections_without_what_it_skips(example_build):
    pages, _ = example_build
    generated = {path: html for path, html in pages.items() if path.startswith("agreements/")}
    assert len(generated) > 100
    cut = 0
    for path, html in generated.items():
        view = search_view(html)
        assert sections(view) == sections(html), path
        cut += len(html) - len(view)
    # Charts, tables of periods, the catalog's rows and the agreements under each definition.
    assert cut > sum(len(html) for html in generated.values()) / 3


def test_the_catalog_and_the_definitions_leave_their_agreement_lists_to_the_agreement_pages(example_build):
    pages, index = example_build
    catalog = pages["agreements/index.md"]
    assert len(search_view(catalog)) < len(catalog) / 2
    entries = {doc["location"]: doc for doc in index["docs"]}
    groups = [doc for location, doc in entries.items() if location.startswith("agreements/#group-")]
    assert groups and all("Acme" not in doc["text"] for doc in groups)
    # ...which the search still finds, each on its own page.
    assert any(location.startswith("agreements/acme-compute/") for location in entries)
    definition = next(path for path in pages if path.startswith("agreements/metrics/") and "sla-uses" in pages[path])
    assert "sla-uses" not in search_view(pages[definition])


@pytest.mark.parametrize(
    ("html", "view"),
    [
        # The element marked, its descendants and nothing around it.
        ('<p>a</p><div data-search-exclude="x"><table><tr><td>in</td></tr></table><p>z</p></div><p>b</p>', "<p>a</p><p>b</p>"),
        # The parser tells elements apart by name: the end of an inner <div> ends its skipping
        # (it indexes "z"), so such an element is left as it is.
        ('<p>a</p><div data-search-exclude="x"><div>in</div><p>z</p></div><p>b</p>', None),
        ('<p>a</p><section data-search-exclude="s"><section><p>in</p></section><p>z</p></section>', None),
        # ...and so is everything inside a marked element left in place.
        ('<p>a</p><details data-search-exclude="e"><h4 id="x">h</h4><div data-search-exclude="d">x</div></details>', None),
        # A heading with an id opens a section even inside a skipped element: left in place.
        ('<p>a</p><details data-search-exclude="e"><h4 id="x">h</h4></details><p>b</p>', None),
        ('<p>a</p><h4 id="x" data-search-exclude>h</h4><p>b</p>', None),
        # The page's first tag opens its first section: not cut.
        ('<div data-search-exclude="x"><p>a</p></div>', None),
        # The words inside another attribute's value are not the attribute.
        ('<p>a</p><p title="data-search-exclude">a</p><p>b</p>', None),
        # Nothing to cut for a void or a self-closed element, or one never closed.
        ('<p>a</p><img data-search-exclude src="x"><p>b</p>', None),
        ('<p>a</p><svg><rect data-search-exclude="r"/></svg><p>b</p>', None),
        ('<p>a</p><div data-search-exclude="x"><p>never closed</p>', None),
        # A self-closed element of the same name ends the parser's skipping too; so does a tag
        # left open (the parser never sees the end tag of the element).
        ('<p>a</p><div data-search-exclude="x"><div/>secret</div><p>b</p>', None),
        ('<p>a</p><div data-search-exclude="x"><p>left open</div><p>b</p>', None),
        # The text on both sides: cut where it reads the same as one run, kept where it would not.
        ('<p>foo <span data-search-exclude="s">x</span> bar</p>', "<p>foo  bar</p>"),
        ('<p>foo\n  <span data-search-exclude="s">x</span>  \n  <em>bar</em></p>', None),
        ('<p>a</p>\n\n<div data-search-exclude="d">x</div>\n\n<p>b</p>', "<p>a</p>\n\n\n\n<p>b</p>"),
        # A void element opens no section: the first element to open one is the marked one.
        ('<hr><div data-search-exclude="x">x</div><h1 id="t">T</h1>', None),
        # Bare and valued attributes alike, any position among the attributes.
        ('<p>a</p><div class="c" data-search-exclude role="region"><p>x</p></div>tail', "<p>a</p>tail"),
    ],
)
def test_the_view_cuts_exactly_the_elements_the_parser_skips(html, view):
    assert search_view(html) == (html if view is None else view)
    assert sections(search_view(html)) == sections(html)


def test_the_attributes_stripped_for_material_are_those_its_search_plugin_strips():
    """The plugin strips the data-search attributes itself where Material's search plugin would
    (plugin._SEARCH_ATTRIBUTES): the pattern must be the one in Material's source."""
    import inspect

    from material.plugins.search.plugin import SearchPlugin

    from mkdocs_sla.plugin import _SEARCH_ATTRIBUTES

    assert _SEARCH_ATTRIBUTES.pattern in inspect.getsource(SearchPlugin.on_page_context)


class _Reader(BasePlugin):
    """Reads each page between the sla plugin's two page_context handlers, as any plugin may."""

    def __init__(self) -> None:
        super().__init__()
        self.empty: list[str] = []

    def on_page_context(self, context, page, config, nav):
        if not page.content:
            self.empty.append(page.file.src_uri)
        return context


def test_a_plugin_that_reads_pages_beside_search_sees_them_whole_and_the_site_is_the_same(tmp_path, monkeypatch):
    """Material's search plugin is handed an empty page to strip only when no other plugin runs
    between the sla plugin's handlers; either way every page and the search index come out the same."""
    from material.plugins.search.plugin import SearchPlugin

    handed: dict[str, list[str]] = {"alone": [], "with a reader": []}
    strip = SearchPlugin.on_page_context

    def on_page_context(self, context, *, page, config, nav):
        if not page.content and page.file.src_uri.startswith("agreements/"):
            handed[current].append(page.file.src_uri)
        return strip(self, context, page=page, config=config, nav=nav)

    monkeypatch.setattr(SearchPlugin, "on_page_context", on_page_context)
    sites = {}
    readers = {}
    for name in ("alone", "with a reader"):
        current = name
        project = tmp_path / name.replace(" ", "-")
        project.mkdir()
        config_file = copy_project(project)
        with pytest.MonkeyPatch.context() as env:
            for key, value in {"NO_MKDOCS_2_WARNING": "1", **BUILD_EPOCH}.items():
                env.setenv(key, value)
            env.chdir(project)  # the evidence names files relative to the working folder
            config = load_config(str(config_file), site_dir=str(project / "site"), strict=True)
            if name == "with a reader":
                readers[name] = config.plugins["reader"] = _Reader()
            build(config)
        sites[name] = {
            p.relative_to(project / "site"): p.read_bytes()
            for pattern in ("*.html", "search_index.json")
            for p in (project / "site").rglob(pattern)
        }
    assert readers["with a reader"].empty == [] and handed["with a reader"] == []
    assert len(handed["alone"]) > 100, "the search plugin was given the generated pages to strip"
    assert len(sites["alone"]) > 100
    assert sites["alone"] == sites["with a reader"]
