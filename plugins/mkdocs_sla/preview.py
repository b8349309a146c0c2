"""Live preview of a large catalog: under `mkdocs serve`, pages whose Markdown did not change
since the last build are not converted or laid out again.

`mkdocs serve` rebuilds the whole site after every edit: at 2,000 agreements
that is some 6,000 pages through Markdown, Material's templates and the search
indexer. The plugin already keeps each agreement's rendered Markdown across
rebuilds (source.parallel.FolderCache); this keeps, for every generated page,
what MkDocs made of it (its HTML content, table of contents, anchors, the
finished page and its search entries). A page whose Markdown is unchanged gets
them back instead of being built again, so an edit costs the pages it changes
(that agreement's, and the listings that show it) plus writing the files.

What a preview shows differently from a full build: a reused page keeps the
navigation sidebar of its last render (a renamed agreement's title in the
sidebar of its unchanged siblings updates on the next full build, or on
restarting the server). Pages, listings and search are current. A change to
mkdocs.yml or the theme reuses nothing. `mkdocs build` never reuses anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader

#: The template of a reused page: empty, as its finished HTML comes from the last build.
REUSED_TEMPLATE = "sla-reused-page.html"


@dataclass
class _Built:
    markdown: str
    content: str | None = None
    toc: Any = None
    anchors: set[str] | None = None
    output: str | None = None
    url: str = ""
    search: list[dict] = field(default_factory=list)


class PageReuse:
    """What MkDocs made of each generated page in the last build of a preview server."""

    def __init__(self) -> None:
        self.built: dict[str, _Built] = {}
        self.key: object = None
        self.reused: set[str] = set()

    def start(self, config, pages: dict[str, str]) -> None:
        """A new build with these generated pages ({source path: Markdown}): decide which to reuse."""
        key = (_stamp(config.config_file_path), _theme_stamp(config))
        if key != self.key:
            self.key, self.built = key, {}
        self.reused = {
            path for path, text in pages.items() if path in self.built and self.built[path].markdown == text and self.built[path].output
        }
        self.built = {path: self.built[path] if path in self.reused else _Built(text) for path, text in pages.items()}

    def pre_page(self, page) -> None:
        """A reused page skips Markdown: its HTML, table of contents and anchors come back."""
        built = self.built.get(page.file.src_uri)
        if built is None or page.file.src_uri not in self.reused:
            return

        def render(config, files) -> None:
            page.content, page.toc, page.present_anchor_ids = built.content, built.toc, built.anchors

        page.render = render

    def page_markdown(self, page) -> None:
        """A reused page is laid out by the empty template and left out of this build's search
        indexing (its entries from the last build are added back: `add_reused_search_entries`)."""
        if page.file.src_uri in self.reused:
            page.meta = {**page.meta, "template": REUSED_TEMPLATE, "search": {**(page.meta.get("search") or {}), "exclude": True}}

    def page_content(self, page, html: str) -> None:
        built = self.built.get(page.file.src_uri)
        if built is not None and page.file.src_uri not in self.reused:
            built.content = html

    def post_page(self, page, output: str) -> str:
        built = self.built.get(page.file.src_uri)
        if built is None:
            return output
        if page.file.src_uri in self.reused:
            return built.output or output
        built.toc, built.anchors, built.output, built.url = page.toc, page.present_anchor_ids, output, page.url
        return output

    def env(self, env) -> None:
        if not isinstance(env.loader, ChoiceLoader) or REUSED_TEMPLATE not in env.loader.list_templates():
            env.loader = ChoiceLoader([DictLoader({REUSED_TEMPLATE: ""}), env.loader])

    def is_reused(self, page) -> bool:
        return page.file.src_uri in self.reused

    def add_reused_search_entries(self, plugins) -> None:
        """Before the pages are built: the reused pages' search entries from the last build
        (each reused page is left out of this build's indexing, see `page_markdown`)."""
        index = _search_index(plugins)
        if index is not None:
            for path in sorted(self.reused):
                index.entries.extend(self.built[path].search)

    def keep_search_entries(self, plugins) -> None:
        """After the build: every rebuilt page's search entries, for the next build. Without a
        search plugin that keeps `search_index.entries` (MkDocs' and Material's both do), a
        reused page has no entries to give back, and its search stays as the plugin makes it."""
        index = _search_index(plugins)
        if index is None:
            return
        urls = {built.url: path for path, built in self.built.items() if path not in self.reused and built.url}
        for entry in index.entries:
            path = urls.get(str(entry.get("location", "")).split("#", 1)[0])
            if path is not None:
                self.built[path].search.append(entry)


def _search_index(plugins):
    for plugin in plugins.values():
        index = getattr(plugin, "search_index", None)
        if isinstance(getattr(index, "entries", None), list):
            return index
    return None


def _stamp(path: str | None) -> tuple:
    try:
        stat = os.stat(path) if path else None
    except OSError:
        return ()
    return (stat.st_size, stat.st_mtime_ns) if stat else ()


def _theme_stamp(config) -> tuple:
    custom = config.theme.custom_dir
    if not custom:
        return ()
    return tuple(sorted((str(p), *_stamp(str(p))) for p in Path(custom).rglob("*") if p.is_file()))
