"""Live preview of a large catalog: under `mkdocs serve`, the generated files that did not
change since the last build are neither built nor written again.

`mkdocs serve` rebuilds the whole site after every edit: it empties the site
folder, then takes some 6,000 pages at 2,000 agreements through Markdown,
Material's templates and the search indexer, and writes them and 12,000 charts
and JSON files again. The plugin already keeps each agreement's rendered
Markdown across rebuilds (source.parallel.FolderCache); this keeps what the
last build made of it:

- Before MkDocs empties the site folder, the generated pages' folder is moved
  aside under a hidden name (MkDocs leaves hidden entries alone).
- A generated file whose text is unchanged is "reused": its page skips Markdown
  (its table of contents and anchor ids come back from the last build) and the
  theme (an empty template), it is left out of this build's search indexing
  (its search entries from the last build are added back), and it is written to
  the null device instead of the site.
- After the build, the files written this time are moved into the kept folder,
  files of the last build that this one no longer has are removed, and the kept
  folder takes its place again.

So an edit costs the files it changes (that agreement's, and the listings that
show it), not the whole site. What a preview shows differently from a full
build: a reused page keeps the navigation sidebar and previous/next links of its
last render (a renamed agreement's title in its unchanged siblings' sidebars
updates when they change, or on restarting the server). Pages, listings and
search are current. A change to mkdocs.yml or to the theme reuses nothing, nor
does a rebuild after a failed one. `mkdocs build` never reuses anything.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, DictLoader

#: The template of a reused page: empty, as its finished HTML stays in the site from the last build.
REUSED_TEMPLATE = "sla-reused-page.html"
#: Where the generated files wait, inside the site folder, while MkDocs empties it.
KEPT = ".sla-kept"


@dataclass
class _Built:
    text: str
    toc: Any = None
    anchors: set[str] | None = None
    url: str = ""
    search: list[dict] = field(default_factory=list)


class PageReuse:
    """What the last build of a preview server made of each generated file."""

    def __init__(self) -> None:
        self.built: dict[str, _Built] = {}
        self.key: object = None
        self.complete = False  # the last build ran to its end (its files are all in the site)
        self.kept = False  # this build moved the last one's files aside
        self.reused: set[str] = set()
        self.prefix = ""
        self.written: set[str] = set()  # site paths under the prefix of the last build
        self.current: set[str] = set()  # ... and of this one

    # ------------------------------------------------------------ around the build

    def keep(self, config, prefix: str) -> None:
        """Before MkDocs empties the site folder: move the generated folder aside, if the
        last build completed with the same configuration and theme."""
        site = Path(config.site_dir)
        shutil.rmtree(site / KEPT, ignore_errors=True)
        self.prefix = prefix
        key = _key(config)
        self.kept = self.complete and key == self.key and (site / prefix).is_dir()
        if key != self.key:
            self.key, self.built = key, {}
        if self.kept:
            os.rename(site / prefix, site / KEPT)
        self.complete = False

    def start(self, files, generated: dict[str, tuple[str, Any]]) -> None:
        """The files of this build: `generated` is {source path: (text, File)} of the files the
        plugin made. Those unchanged since the last build are reused and written nowhere."""
        if not self.kept:
            self.built = {}
        self.reused = {path for path, (text, _) in generated.items() if path in self.built and self.built[path].text == text}
        self.built = {path: self.built[path] if path in self.reused else _Built(text) for path, (text, _) in generated.items()}
        for path in self.reused:
            generated[path][1].abs_dest_path = os.devnull
        under = self.prefix + "/"
        self.current = {f.dest_uri for f in files if f.dest_uri.startswith(under) and f.src_uri not in self.reused}
        self.current |= {generated[path][1].dest_uri for path in self.reused}

    def finish(self, config) -> None:
        """After the build: this build's files into the kept folder, the last build's files
        that this one no longer has out of it, and the kept folder back in its place."""
        site = Path(config.site_dir)
        new, kept = site / self.prefix, site / KEPT
        if self.kept:
            for folder, _, names in os.walk(new):
                for name in names:
                    source = Path(folder) / name
                    target = kept / source.relative_to(new)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
            for gone in self.written - self.current:
                (site / gone.replace(self.prefix, KEPT, 1)).unlink(missing_ok=True)
            shutil.rmtree(new, ignore_errors=True)
            os.rename(kept, new)
            self.kept = False
        self.written = self.current
        self.complete = True

    # ------------------------------------------------------------ each page

    def is_reused(self, page) -> bool:
        return page.file.src_uri in self.reused

    def pre_page(self, page) -> None:
        """A reused page skips Markdown: its table of contents and anchors come back."""
        if page.file.src_uri not in self.reused:
            return
        built = self.built[page.file.src_uri]

        def render(config, files) -> None:
            page.content, page.toc, page.present_anchor_ids = "", built.toc, built.anchors

        page.render = render

    def page_markdown(self, page) -> None:
        """A reused page is laid out by the empty template and left out of this build's search
        indexing (its entries from the last build are added back: `add_reused_search_entries`)."""
        if page.file.src_uri in self.reused:
            page.meta = {**page.meta, "template": REUSED_TEMPLATE, "search": {**(page.meta.get("search") or {}), "exclude": True}}

    def post_page(self, page) -> None:
        built = self.built.get(page.file.src_uri)
        if built is not None and page.file.src_uri not in self.reused:
            built.toc, built.anchors, built.url = page.toc, page.present_anchor_ids, page.url

    def env(self, env) -> None:
        if not isinstance(env.loader, ChoiceLoader) or REUSED_TEMPLATE not in env.loader.list_templates():
            env.loader = ChoiceLoader([DictLoader({REUSED_TEMPLATE: ""}), env.loader])

    # ------------------------------------------------------------ search

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


def _key(config) -> tuple:
    """What every page depends on besides its own text: mkdocs.yml and the theme's overrides."""
    custom = config.theme.custom_dir
    theme = tuple(sorted((str(p), *_stamp(str(p))) for p in Path(custom).rglob("*") if p.is_file())) if custom else ()
    return (_stamp(config.config_file_path), theme)
