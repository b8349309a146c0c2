"""Live preview of a large catalog: under `mkdocs serve`, the generated files that did not
change since the last build are neither built nor written again.

`mkdocs serve` rebuilds the whole site after every edit: it empties the site
folder, then takes some 6,000 pages at 2,000 agreements through Markdown,
Material's templates and the search indexer, and writes them and 12,000 charts
and JSON files again. The plugin already keeps each agreement's rendered
Markdown across rebuilds (source.parallel.FolderCache); this keeps what the
last build made of it:

- Before MkDocs empties the site folder, the folders of generated files (the
  pages' prefix, the format reference's and the schemas') are moved aside under
  a hidden name (MkDocs leaves hidden entries alone).
- A generated file whose text is unchanged is "reused": it is marked excluded
  (`InclusionLevel.EXCLUDED`), so MkDocs neither reads, renders nor writes it,
  and its finished file stays in the kept folder. The navigation still lists it
  (a `Page` made here, with the title, table of contents and anchors of its last
  build), links to it resolve as before, and its search entries from the last
  build are added back to the index.
- The theme's templates are compiled once per server, not once per rebuild
  (a bytecode cache kept here: MkDocs makes a new Jinja environment each time).
- After the build, the files written this time into those folders (hand-written
  pages beside the format reference too) are moved into the kept ones, files of
  the last build that this one no longer has are removed, and the kept folders
  take their places again.
- Once the first build has returned, what it keeps for the next ones (a million
  objects at 2,000 agreements) is moved out of the garbage collector's sight (`gc.freeze`):
  otherwise a full collection walks them all, 2 to 2.5 s of a 2,000-agreement
  rebuild (measured with `gc.callbacks`), once in most rebuilds.

So an edit costs the files it changes (that agreement's, and the listings that
show it), not the whole site. What a preview shows differently from a full
build: a reused page keeps the navigation sidebar and previous/next links of its
last render (a renamed agreement's title in its unchanged siblings' sidebars
updates when they change, or on restarting the server), and the preview's
sitemap lists only the pages built this time. Pages, listings and search are
current. A change to mkdocs.yml or to the theme reuses nothing, nor does a
rebuild after a failed one. `mkdocs build` never reuses anything.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache
from mkdocs.structure.files import InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

#: Where the generated files wait, inside the site folder, while MkDocs empties it.
KEPT = ".sla-kept"


@dataclass
class _Built:
    text: str
    title: str | None = None
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
        self.folders: tuple[str, ...] = ()  # the site's folders of generated files (the prefix first)
        self.written: set[str] = set()  # site paths under those folders of the last build
        self.current: set[str] = set()  # ... and of this one
        self.templates = _Templates()
        self.links = _LinksToReused(self)
        self.settled = False  # the first build's lasting objects are frozen (see `settle`)

    # ------------------------------------------------------------ around the build

    def keep(self, config, folders: tuple[str, ...]) -> None:
        """Before MkDocs empties the site folder: move the folders of generated files aside (the
        pages' prefix first), if the last build completed with the same configuration and theme."""
        site = Path(config.site_dir)
        shutil.rmtree(site / KEPT, ignore_errors=True)
        self.folders = _outermost(folders)
        self.prefix = folders[0]
        key = _key(config)
        self.kept = self.complete and key == self.key and (site / self.prefix).is_dir()
        if key != self.key:
            self.key, self.built, self.templates = key, {}, _Templates()
        if self.kept:
            for folder in self.folders:
                if (site / folder).is_dir():
                    (site / KEPT / folder).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(site / folder, site / KEPT / folder)
        self.complete = False

    def start(self, files, generated: dict[str, tuple[str, Any]]) -> None:
        """The files of this build: `generated` is {source path: (text, File)} of the files the
        plugin made. Those unchanged since the last build are reused and written nowhere."""
        if not self.kept:
            self.built = {}
        self.reused = {path for path, (text, _) in generated.items() if path in self.built and self.built[path].text == text}
        self.built = {path: self.built[path] if path in self.reused else _Built(text) for path, (text, _) in generated.items()}
        for path in self.reused:
            # Not read, rendered, indexed nor written: its file from the last build stays.
            generated[path][1].inclusion = InclusionLevel.EXCLUDED
        # MkDocs logs every link to an excluded file; a reused one is in the site all the same.
        for logger in (logging.getLogger(Page.__module__), logging.getLogger(Navigation.__module__)):
            if self.links not in logger.filters:
                logger.addFilter(self.links)
        under = tuple(folder + "/" for folder in self.folders)
        self.current = {f.dest_uri for f in files if f.dest_uri.startswith(under) and f.src_uri not in self.reused}
        self.current |= {generated[path][1].dest_uri for path in self.reused}

    def finish(self, config) -> None:
        """After the build: this build's files into the kept folders, the last build's files
        that this one no longer has out of them, and the kept folders back in their places."""
        site = Path(config.site_dir)
        kept = site / KEPT
        if self.kept:
            # The last build's files this one no longer has go first: a file may now stand
            # where a folder of them was (a page `foo.md` become a file `foo`), or the reverse.
            for gone in self.written - self.current:
                (kept / gone).unlink(missing_ok=True)
            for folder in self.folders:
                new = site / folder
                for parent, _, names in os.walk(new):
                    for name in names:
                        source = Path(parent) / name
                        target = kept / folder / source.relative_to(new)
                        _make_room(kept, target)
                        os.replace(source, target)
            for folder in self.folders:
                shutil.rmtree(site / folder, ignore_errors=True)
                if (kept / folder).is_dir():
                    (site / folder).parent.mkdir(parents=True, exist_ok=True)
                    os.rename(kept / folder, site / folder)
            shutil.rmtree(kept, ignore_errors=True)
            self.kept = False
        self.written = self.current
        self.complete = True

    def settle(self) -> None:
        """Once per server, after the first build has returned (`on_serve`: its pages, navigation
        and environment are garbage by now, while at its end MkDocs still held them): collect
        them, then freeze what lasts (every agreement's render), so that later full collections
        walk only newer objects. What a later rebuild drops is still freed by its reference
        count; only cycles among frozen objects would stay."""
        if not self.settled:
            gc.collect()
            gc.freeze()
            self.settled = True

    # ------------------------------------------------------------ each page

    def page_for(self, file, config) -> Page:
        """The navigation's page for a reused file, which MkDocs no longer makes: its title,
        table of contents and anchors are those of its last build."""
        built = self.built[file.src_uri]
        page = Page(built.title, file, config)
        page.toc, page.present_anchor_ids = built.toc, built.anchors
        return page

    def post_page(self, page) -> None:
        built = self.built.get(page.file.src_uri)
        if built is not None and page.file.src_uri not in self.reused:
            built.title, built.toc, built.anchors, built.url = page.title, page.toc, page.present_anchor_ids, page.url

    def env(self, env) -> None:
        """The theme's compiled templates, kept for the next rebuild."""
        env.bytecode_cache = self.templates

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


class _Templates(BytecodeCache):
    """Compiled templates in memory, checked against their source (Jinja compares a checksum),
    so an edited override in the theme's folder is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class _LinksToReused(logging.Filter):
    """Drops MkDocs' notes that a page links to an excluded file, or that `nav` names one, when
    that file is a reused one."""

    NOTE = re.compile(
        r"contains a link to '(.+)' which is excluded from the built site"
        r"|A reference to '(.+)' is included in the 'nav' configuration, but this file is excluded"
    )

    def __init__(self, reuse: PageReuse) -> None:
        super().__init__()
        self.reuse = reuse

    def filter(self, record: logging.LogRecord) -> bool:
        found = self.NOTE.search(record.getMessage())
        return found is None or (found.group(1) or found.group(2)) not in self.reuse.reused


def _search_index(plugins):
    for plugin in plugins.values():
        index = getattr(plugin, "search_index", None)
        if isinstance(getattr(index, "entries", None), list):
            return index
    return None


def _make_room(kept: Path, target: Path) -> None:
    """A place for the file `target` in `kept`: no folder where it goes (emptied by the removal
    of the last build's files), and a folder, not a file, at each of its parents."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    for parent in reversed(target.relative_to(kept).parents[:-1]):
        here = kept / parent
        if here.is_file() or here.is_symlink():
            here.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)


def _outermost(folders: tuple[str, ...]) -> tuple[str, ...]:
    """`folders` without those inside another (a prefix `reference/sla` is inside `reference`)."""
    return tuple(f for f in dict.fromkeys(folders) if not any(f.startswith(other + "/") for other in folders if other != f))


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
