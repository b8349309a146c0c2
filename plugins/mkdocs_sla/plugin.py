"""The MkDocs adapter: agreements become virtual pages in sections of the navigation.

A thin shell around load, evaluate and render: it reads the clock (the core
never does), adds the rendered pages as generated files (nothing is written
into `docs_dir`), shapes the navigation, points "Edit this page" at the
agreement's YAML file and watches the agreements folder under `mkdocs serve`.

Invalid agreements fail the build with every error as `file:line:col: error:
message`. Under `mkdocs serve` they do not stop the preview: the errors are
printed, listed atop the catalog and on the page of each agreement that does not
load, the others are shown, and the next valid edit brings the full site back.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from decimal import Decimal
from pathlib import Path, PurePath

from markupsafe import escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from mkdocs_sla import clock
from mkdocs_sla.core.audiences import INTERNAL, Audience, AudienceKind
from mkdocs_sla.core.diagnostics import Diagnostics, InvalidAgreements, Severity
from mkdocs_sla.core.model import RESERVED_IDS, SLUG
from mkdocs_sla.options import SlaConfig
from mkdocs_sla.present.feed import feed_title
from mkdocs_sla.preview import PageReuse
from mkdocs_sla.site import reference
from mkdocs_sla.site.audiences import render_for
from mkdocs_sla.site.compact import compact_page
from mkdocs_sla.site.navigation import NavPage, NavSection
from mkdocs_sla.site.paths import SCRIPT, STYLESHEET, Paths, RenderOptions, page_url
from mkdocs_sla.site.previewcache import ListingCache
from mkdocs_sla.site.render import render_listings, render_problem_page
from mkdocs_sla.site.searchview import search_view
from mkdocs_sla.site.stash import Stash
from mkdocs_sla.site.tree import REFERENCE_FOLDERS, SCRIPT_URI, STYLESHEET_URI, reference_files
from mkdocs_sla.source.load import AGREEMENT_FILE
from mkdocs_sla.source.parallel import FolderCache, for_each_agreement, racy_time
from mkdocs_sla.source.services import load_services
from mkdocs_sla.source.yamlsource import display_path, for_terminal, names_for_site
from mkdocs_sla.watching import BLIND, EVENTS, FolderWatch

log = get_plugin_logger(__name__)

# A hand-written page that holds this marker gets the engine's worked examples in its place.
WORKED_EXAMPLES = "<!-- sla:worked-examples -->"
# Pages the plugin needs: headings carry `{ #id }` anchors, which attr_list reads.
MARKDOWN_EXTENSIONS = ("attr_list", "toc")


def build_date(configured: dt.date | None) -> dt.date:
    """The plugin reads the clock; the core never does."""
    try:
        return clock.build_date(configured)
    except ValueError as exc:
        raise PluginError(str(exc)) from None


#: Overrides the plugin's `audience` for one build.
AUDIENCE_VARIABLE = "SLA_AUDIENCE"


def audience_of(configured: str) -> Audience:
    """The build's audience: `SLA_AUDIENCE` when set, else the configured one."""
    text = os.environ.get(AUDIENCE_VARIABLE) or configured
    try:
        return Audience.parse(text)
    except ValueError as exc:
        source = f"the environment variable {AUDIENCE_VARIABLE}" if os.environ.get(AUDIENCE_VARIABLE) else "the plugin's `audience`"
        raise PluginError(f"sla: {exc} (from {source})") from None


#: A page's `search` meta before it was indexed from its search view, when it had none.
_ABSENT = object()
#: What Material's search plugin strips from every page after indexing it (`on_page_context`:
#: the same pattern, which site_tests/test_search_view.py checks against its source).
_SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


class SlaPlugin(BasePlugin[SlaConfig]):
    """Adds the agreement pages: catalog, one page per agreement, glossary, credits by period."""

    def __init__(self) -> None:
        self.command = "build"
        # Kept across the rebuilds of `mkdocs serve` (MkDocs reuses a plugin with on_startup):
        # each agreement's phase-1 render, keyed by its folder's files, so an edit re-renders one.
        self.rendered_cache = FolderCache()
        # ...and what MkDocs made of each generated page, reused where its Markdown is unchanged,
        # and the listings' rows and customers' statements of the last render.
        self.reuse = PageReuse()
        self.listing_cache = ListingCache()
        self.watch = FolderWatch()
        self._reset()

    def _reset(self) -> None:
        self.agreements_dir: Path | None = None
        self.project_dir: Path = Path.cwd()  # the folder of mkdocs.yml
        self.paths = Paths()
        self.today: dt.date | None = None
        self.audience: Audience = INTERNAL
        self.generated: dict[str, File] = {}
        self.stash = Stash()
        self.navigation: list[NavSection | NavPage | str] = []
        self._indexed: dict[str, object] = {}  # pages indexed from their search view: their own `search` meta
        self._stripped: dict[str, str] = {}  # pages held from the search plugin's stripping: their content
        self._search_alone: bool | None = None  # see `_search_alone_between`

    # ------------------------------------------------------------ events

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    def on_config(self, config):
        # A new build (`mkdocs serve` rebuilds with the same plugin instance): forget the last one.
        self._reset()
        if not self.config.enabled:
            return config
        root = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.project_dir = root.resolve()
        self.agreements_dir = (root / self.config.agreements).resolve()
        prefix = self.config.prefix.strip("/")
        if not prefix:
            raise PluginError("sla: `prefix` must name a folder, e.g. `agreements`")
        self.paths = Paths(prefix)
        self.today = build_date(self.config.today)
        self.audience = audience_of(self.config.audience)
        for name in MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions and f"markdown.extensions.{name}" not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if STYLESHEET_URI not in config.extra_css:
            config.extra_css.append(STYLESHEET_URI)
        if SCRIPT_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(SCRIPT_URI)
        return config

    def on_files(self, files: Files, config) -> Files:
        if not self.config.enabled:
            return files
        options = RenderOptions(
            prefix=self.paths.prefix,
            group_by=self.config.group_by,
            use_directory_urls=config.use_directory_urls,
            nav_group_size=self.config.nav_group_size,
            site_url=config.site_url,
            site_name=config.site_name,
            site_author=config.site_author,
            audience=self.audience,
        )
        serving = self.command == "serve"
        diagnostics, rendered = self._render_agreements(options, serving)
        for diagnostic in diagnostics:
            if diagnostic.severity is Severity.WARNING:
                log.warning(str(self._for_terminal(diagnostic)))
        rendered, listings, problem_pages = self._render_listings(options, serving, diagnostics, rendered)
        self._add_pages(files, config, rendered, listings, problem_pages, serving)
        return files

    def _render_agreements(self, options: RenderOptions, serving: bool) -> tuple[list, list]:
        """Every agreement the audience may see, rendered, and the problems of all of them.

        Each agreement is loaded, evaluated and rendered on its own; a large tree does that in
        worker processes. Not under `mkdocs serve`, whose server threads make forking unsafe;
        there the folders the watcher saw change are rendered again, the others reused."""
        # A folder edited in the last seconds may change again within the clock's tick: the next
        # rebuild compares its bytes (source/fingerprints.py RACY_SECONDS).
        self.rendered_cache.racy_before = racy_time()
        if serving:
            # Before the first build lists the folders, so what changes during it is known too;
            # again when a reloaded mkdocs.yml names another folder or way to watch.
            self.watch.follow(self.agreements_dir, self.config.watch)
        # The folders the watcher saw change (None: list them all).
        self.rendered_cache.changed = self.watch.changed() if serving else None
        news = self.watch.take_news()
        if news is not None:  # the watch began again (the folder replaced), and lost its events
            self._say_how_watched(news)
        try:
            with self._names():
                diagnostics, rendered = for_each_agreement(
                    self.agreements_dir,
                    functools.partial(render_for, today=self.today, options=options),
                    workers=None if self.command in ("build", "gh-deploy") else 1,
                    today=self.today,
                    cache=self.rendered_cache if serving else None,
                    key=(self.agreements_dir, self.today, options),
                )
        except BaseException:
            self.watch.relist()  # the folders named were not all listed: next time, every one
            raise
        if serving:
            log.info(
                f"sla: rendered {self.rendered_cache.loaded} of {len(self.rendered_cache.entries)} agreement folders (the others unchanged)"
            )
        # What the audience may not see was never rendered (site/audiences.py).
        rendered = [r for r in rendered if r is not None]
        if self.audience.kind is AudienceKind.CUSTOMER and not rendered and not any(d.severity is Severity.ERROR for d in diagnostics):
            raise PluginError(
                f"sla: no agreement has the customer `{self.audience.customer}`; expected the key of a customer "
                "(its `customer_id`, or the slug of its name), e.g. as `sla sites` lists them"
            )
        return diagnostics, rendered

    def _render_listings(self, options: RenderOptions, serving: bool, diagnostics: list, rendered: list):
        """The catalog, credits by period, glossary, statements and services pages, with the
        navigation; and, under `mkdocs serve`, a page per agreement that does not load. A build
        with errors stops here with all of them."""
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        summaries = [r.summary for r in rendered]
        # The services' own problems are among `diagnostics` already; the valid ones get their pages.
        with self._names():
            services = [s.record for s in load_services(self.agreements_dir, Diagnostics()).values() if s.valid]
        listing_cache = self.listing_cache if serving else None
        try:
            listings, self.navigation = render_listings(
                summaries, today=self.today, options=options, services=services, cache=listing_cache
            )
        except InvalidAgreements as error:
            errors += [d for d in error.diagnostics if d.severity is Severity.ERROR]
            taken = {Path(d.position.file).parent.name for d in error.diagnostics}
            rendered = [r for r in rendered if r.summary.id not in taken]
            summaries = [r.summary for r in rendered]
        problem_pages: dict[str, str] = {}
        if errors:
            if not serving:
                raise PluginError(_error_text([self._for_terminal(d) for d in errors]))
            # A preview keeps answering: the errors go to the terminal and onto the pages, and
            # the agreements that load are shown, until the next valid edit.
            for diagnostic in errors:
                log.error(str(self._for_terminal(diagnostic)))
            listings, self.navigation = render_listings(
                summaries,
                today=self.today,
                options=options,
                problems=[str(d) for d in errors],
                services=services,
                cache=listing_cache,
            )
            for agreement_id, lines in self._problems_by_agreement(errors).items():
                if agreement_id not in {s.id for s in summaries}:
                    problem_pages.update(render_problem_page(agreement_id, lines, options=options))
        return rendered, listings, problem_pages

    def _add_pages(self, files: Files, config, rendered: list, listings: dict, problem_pages: dict, serving: bool) -> None:
        """The generated pages as virtual files, with their edit links; the format reference, the
        schemas and the assets; under `mkdocs serve`, what the next rebuild may reuse."""
        # Resolved as agreements_dir is: through a linked folder, the relative path would lead out
        # of the link and name the real folder (a machine's folder, and a broken edit link).
        docs_dir = Path(config.docs_dir).resolve()
        for pages in [r.pages for r in rendered] + [listings, problem_pages]:
            for path, content in pages.items():
                # NOT_IN_NAV: on_nav places the pages; MkDocs need not list 2,000 of them as "not in nav".
                inclusion = InclusionLevel.NOT_IN_NAV if path.endswith(".md") else InclusionLevel.UNDEFINED
                self._add(files, File.generated(config, path, content=content, inclusion=inclusion))
        for agreement_id in [r.summary.id for r in rendered] + [Path(p).stem for p in problem_pages]:
            source = self.agreements_dir / agreement_id / AGREEMENT_FILE
            # `edit_uri` points at docs_dir in the repository, so the YAML file is found from there.
            self.generated[self.paths.agreement(agreement_id)].edit_uri = Path(os.path.relpath(source, docs_dir)).as_posix()
        # The format reference and the JSON Schemas, generated from the model so they cannot
        # drift: the same files `sla render` writes (site/tree.py), so both trees hold the same.
        reference = {}
        for path, content in reference_files(config.site_url).items():
            reference[path] = (content, File.generated(config, path, content=content))
            self._add(files, reference[path][1], in_sections=False)
        if not config.nav:
            # MkDocs' own navigation leaves excluded files out: a reused format page would drop
            # out of every rebuilt page's sidebar. With a `nav`, on_nav gives it its last title.
            reference = {path: made for path, made in reference.items() if not path.endswith(".md")}
        if serving:
            texts = {path: text for pages in [r.pages for r in rendered] + [listings, problem_pages] for path, text in pages.items()}
            made = {path: (text, self.generated[path]) for path, text in texts.items() if path in self.generated}
            self.reuse.start(files, {**made, **reference})
        self._add(files, File.generated(config, STYLESHEET_URI, abs_src_path=str(STYLESHEET)))
        self._add(files, File.generated(config, SCRIPT_URI, abs_src_path=str(SCRIPT)))

    def on_page_markdown(self, markdown: str, page: Page, config, files: Files) -> str:
        # Worked examples are computed by the engine at build time, never typed by hand.
        if self.config.enabled and WORKED_EXAMPLES in markdown:
            markdown = markdown.replace(WORKED_EXAMPLES, reference.worked_examples())
        if page.file.src_uri in self.generated:
            # Our HTML blocks skip the Markdown converter's HTML parsing (site/stash.py).
            markdown = self.stash.stash(page.file.src_uri, markdown)
        return markdown

    # ------------------------------------------------------------ live preview (preview.py)

    def _previewing(self) -> bool:
        return self.config.enabled and self.command == "serve"

    def on_page_content(self, html: str, page: Page, config, files: Files) -> str:
        html, anchors = self.stash.unstash(page.file.src_uri, html)
        if anchors:
            page.present_anchor_ids = (page.present_anchor_ids or set()) | anchors
        return html

    @event_priority(100)  # before the search plugin indexes the page
    def _index_search_view(self, context, page: Page, config, nav):
        # "Edit this page" is for the provider's own people: a customer or the public reading
        # the terms would be sent to an editor of the repository.
        if self.config.enabled and self.audience.kind is not AudienceKind.INTERNAL:
            page.edit_url = None
        # Material's indexer parses every tag of a page to skip the elements marked
        # data-search-exclude; a generated page is indexed here from its HTML without them
        # (site/searchview.py: the same entries), and the indexer's own turn is skipped.
        index = self._material_search_index(config)
        if index is None or page.file.src_uri not in self.generated:
            return context
        if not (page.meta.get("search") or {}).get("exclude"):
            content = page.content
            page.content = search_view(content)
            try:
                index.add_entry_from_context(page)
            finally:
                page.content = content
            self._indexed[page.file.src_uri] = page.meta.get("search", _ABSENT)
            page.meta["search"] = {"exclude": True}
        # The indexer then strips the data-search attributes with a pattern that tries every
        # character of the page (10 ms for a 330 KB statement): done here, where a page has
        # them, and the indexer is given nothing to strip, when nothing else reads the page
        # in between.
        if self._search_alone_between(config):
            content = page.content
            self._stripped[page.file.src_uri] = _SEARCH_ATTRIBUTES.sub("", content) if "data-search-" in content else content
            page.content = ""
        return context

    @event_priority(-100)  # after the search plugin
    def _restore_search_meta(self, context, page: Page, config, nav):
        kept = self._indexed.pop(page.file.src_uri, None)
        if kept is _ABSENT:
            del page.meta["search"]
        elif kept is not None:
            page.meta["search"] = kept
        stripped = self._stripped.pop(page.file.src_uri, None)
        if stripped is not None:
            page.content = stripped
        return context

    def _search_alone_between(self, config) -> bool:
        """Whether Material's search plugin is the only other handler of `page_context` that
        runs between this plugin's two (priorities 100 to -100). The same for every page of a
        build: found once."""
        if self._search_alone is None:
            search = _material_search(config)
            owners = {id(self)} | ({id(search)} if search is not None else set())
            self._search_alone = all(
                (hasattr(handler, "__self__") and id(handler.__self__) in owners)
                or not -100 <= getattr(handler, "mkdocs_priority", 0) <= 100
                for handler in config.plugins.events["page_context"]
            )
        return self._search_alone

    on_page_context = CombinedEvent(_index_search_view, _restore_search_meta)

    def _material_search_index(self, config):
        """The index of Material's search plugin (whose parser skips data-search-exclude), if it runs."""
        plugin = _material_search(config)
        if plugin is None or not getattr(plugin.config, "enabled", True):
            return None  # disabled: its index is that of an earlier build (a preview keeps the plugin)
        index = getattr(plugin, "search_index", None)
        return index if callable(getattr(index, "add_entry_from_context", None)) else None

    def on_post_page(self, output: str, page: Page, config) -> str:
        if not self.config.enabled:
            return output
        if self.config.compact_html:
            output = compact_page(output, page.content)
        if self._previewing():
            self.reuse.post_page(page)
        return output

    def on_pre_build(self, config) -> None:
        if self._previewing():
            self.reuse.keep(config, (self.paths.prefix, *REFERENCE_FOLDERS))

    # After every other plugin has written its files (the search index, the sitemap).
    @event_priority(-100)
    def on_post_build(self, config) -> None:
        if self._previewing():
            self.reuse.keep_search_entries(config.plugins)
            self.reuse.finish(config)
        elif self.config.enabled and self.config.size_budget_mb is not None:
            self._check_size(Path(config.site_dir), self.config.size_budget_mb)

    def _check_size(self, site_dir: Path, budget_mb: Decimal) -> None:
        """A warning (an error under --strict) when the built site passes the budget."""
        total = sum(f.stat().st_size for f in site_dir.rglob("*") if f.is_file())
        if total > budget_mb * 1_000_000:
            log.warning(
                f"sla: the built site is {total / 1_000_000:,.1f} MB, over the size budget of {budget_mb:g} MB "
                f"(`size_budget_mb`); GitHub Pages takes at most 1 GB for all versions together"
            )

    def _problems_by_agreement(self, errors) -> dict[str, list[str]]:
        """Error lines by the agreement folder they are in (errors outside one are left out)."""
        found: dict[str, list[str]] = {}
        with self._names():
            folder = display_path(self.agreements_dir)
        for diagnostic in errors:
            try:
                relative = PurePath(diagnostic.position.file).relative_to(folder)
            except ValueError:
                continue
            # A reserved id has no page of its own: its errors stay on the catalog.
            if len(relative.parts) > 1 and re.match(SLUG, relative.parts[0]) and relative.parts[0] not in RESERVED_IDS:
                found.setdefault(relative.parts[0], []).append(str(diagnostic))
        return found

    def _names(self):
        """Files named from the project folder while loading (yamlsource.names_for_site): what
        the pages show is the same on every machine, and never the builder's own folders."""
        return names_for_site(self.project_dir, self.agreements_dir)

    def _for_terminal(self, diagnostic):
        """A problem as the terminal shows it: its file named from the working directory, which
        the pages' names (from the project) are not when the build ran from another folder."""
        return for_terminal(diagnostic, self.project_dir, self.agreements_dir)

    def _add(self, files: Files, file: File, *, in_sections: bool = True) -> None:
        """Add a generated file; `in_sections`: on_nav places it in the generated sections
        (pages that are not, like the format reference, stay where the user's `nav` puts them)."""
        # src_uri is already a POSIX path: the mapping is read without get_file_from_path's
        # PurePath, a tenth of a second over a 2,000-agreement catalog's 12,769 files.
        existing = files.src_uris.get(file.src_uri)
        if existing is not None:
            raise PluginError(
                f"sla: {Path(existing.abs_src_path or existing.src_uri)} is in the way of the generated "
                f"page {file.src_uri}; move it, or set the plugin's `prefix` to another folder"
            )
        files.append(file)
        if in_sections:
            self.generated[file.src_uri] = file

    # After the other plugins' on_nav: they see MkDocs' own navigation, and ours is final.
    @event_priority(-50)
    def on_nav(self, nav: Navigation, config, files: Files) -> Navigation:
        if not self.config.enabled or not self.navigation:
            return nav
        # Each top entry by the page that stands for it: a section by its first child (its index).
        tops = {
            node if isinstance(node, str) else node.path if isinstance(node, NavPage) else node.children[0]: node
            for node in self.navigation
        }
        placed: set[str] = set()

        def page_of(path: str) -> Page:
            file = self.generated[path]
            # A page reused by the preview is not built, so MkDocs made no Page for it.
            return file.page if file.page is not None else self.reuse.page_for(file, config)

        def build(node: NavSection | NavPage | str, title: str | None = None):
            if isinstance(node, str):
                return page_of(node)
            if isinstance(node, NavPage):
                page = page_of(node.path)
                page.title = str(escape(node.title))  # the navigation's; <title> and the heading keep the page's own
                return page
            children = [build(child) for child in node.children]
            return Section(title or str(escape(node.title)), children)

        def rebuild(items: list) -> list:
            kept = []
            for item in items:
                if isinstance(item, Page) and item.file.src_uri in self.reuse.reused and item.file.src_uri not in self.generated:
                    # The format reference, reused: MkDocs made it a page without a render, whose
                    # title is the file's name when the `nav` entry gives none.
                    item = self.reuse.page_for(item.file, config)
                if isinstance(item, Page) and item.file.src_uri in self.generated:
                    # An explicit `nav` entry for a top page marks where its whole section goes.
                    top = tops.get(item.file.src_uri)
                    if top is not None and config.nav and item.file.src_uri not in placed:
                        placed.add(item.file.src_uri)
                        kept.append(build(top, title=item.title) if isinstance(top, NavSection) else item)
                    continue
                if isinstance(item, Section):
                    item.children = rebuild(item.children)
                    if not item.children:
                        continue
                kept.append(item)
            return kept

        items = rebuild(list(nav.items))
        items.extend(build(node) for key, node in tops.items() if key not in placed)
        pages: list[Page] = []
        _link(items, None, pages)
        for previous, page, following in zip([None, *pages[:-1]], pages, [*pages[1:], None], strict=False):
            page.previous_page, page.next_page = previous, following
        nav.items, nav.pages = items, pages
        return nav

    def on_env(self, env, config, files: Files):
        # theme/main.html links the feed of versions from the head of every page.
        if self.config.enabled:
            env.globals["sla_feed"] = {"url": self.paths.feed, "title": f"{feed_title(config.site_name)} (Atom)"}
            # theme/404.html links the catalog, wherever `prefix` puts it.
            env.globals["sla_catalog"] = page_url(self.paths.catalog, config.use_directory_urls)
            # Statuses ("in force", "overdue", "days left") hold on the build date: every page says which.
            env.globals["sla_as_of"] = self.today.isoformat() if self.today else None
        if self._previewing():
            self.reuse.env(env)
            self.reuse.add_reused_search_entries(config.plugins)
        return env

    def on_serve(self, server, config, builder):
        if self.config.enabled and self.agreements_dir is not None:
            if self.watch.folder is None:  # no build listed the folders (none under this server)
                self.watch.begin(self.agreements_dir, self.config.watch)
            how = self.watch.attach(server)
            shown = display_path(self.agreements_dir)
            if self.watch.untrusted is not None:
                self._say_how_watched(self.watch.untrusted)
            log.info(f"sla: watching '{shown}' " + ("by the file system's change events" if how == EVENTS else "by polling"))
            self.reuse.settle()  # after the first build, before any edit (preview.py)
        return server

    def on_shutdown(self) -> None:
        self.watch.stop()

    def _say_how_watched(self, news: str) -> None:
        """Why the agreements folder is not watched by trusted change events: `watch.refused`'s
        reason (the server polls it), or BLIND."""
        shown = display_path(self.agreements_dir)
        if news == BLIND:
            log.info(
                f"sla: not every folder under '{shown}' could be watched (the system's limit of inotify watches, "
                "fs.inotify.max_user_watches?): every rebuild lists every agreement folder"
            )
        else:
            log.warning(f"sla: the file system's change events of '{shown}' cannot be watched ({news}); polling")


def _material_search(config):
    """Material's search plugin, if the build has it (whether or not it is enabled)."""
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    return plugin if plugin is not None and type(plugin).__module__.startswith("material.plugins.search") else None


def _link(items: list, parent: Section | None, pages: list[Page]) -> None:
    """Parent links, and the pages in reading order (for previous/next)."""
    for item in items:
        item.parent = parent
        if isinstance(item, Page):
            pages.append(item)
        elif isinstance(item, Section):
            _link(item.children, item, pages)


def _error_text(errors) -> str:
    lines = [str(d) for d in errors]
    return f"sla: {len(lines)} error(s) in the agreements:\n" + "\n".join(lines)


__all__ = ["SlaConfig", "SlaPlugin", "build_date"]
