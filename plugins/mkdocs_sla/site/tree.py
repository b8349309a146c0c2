"""The complete docs tree for any static site generator: what the MkDocs plugin adds, as files.

`sla render OUT_DIR` writes it so that a generator that runs no MkDocs plugin
(Zensical, plain MkDocs, ProperDocs) builds the same site: the generated pages,
the stylesheet their classes need, the format reference and the JSON Schemas
(generated from the model, as the plugin generates them), and the navigation,
as a `nav:` list or as a whole `mkdocs.yml` that Zensical reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from mkdocs_sla.core.evaluate import AgreementEvaluation
from mkdocs_sla.core.records import Catalog
from mkdocs_sla.present.feed import feed_title
from mkdocs_sla.site import reference
from mkdocs_sla.site.navigation import NavPage, NavSection, mkdocs_nav
from mkdocs_sla.site.paths import SCRIPT, STYLESHEET, TEMPLATES, Paths, RenderOptions
from mkdocs_sla.site.render import render
from mkdocs_sla.source.schema import all_schemas, schema_base, schema_text

#: Where the plugin puts the stylesheet, the calculator's script, the format reference and the schemas; the same here.
STYLESHEET_URI = "assets/stylesheets/sla.css"
# The credit calculator of the agreement pages (exact arithmetic in the page, no request).
SCRIPT_URI = "assets/javascripts/sla.js"
FORMAT_PAGE = "reference/format.md"
SCHEMAS = {name: f"schema/{name}.schema.json" for name, _ in all_schemas()}
#: The site's folders that hold them (a live preview keeps these folders between rebuilds).
REFERENCE_FOLDERS = tuple(dict.fromkeys(path.split("/", 1)[0] for path in (FORMAT_PAGE, *SCHEMAS.values())))
#: Theme overrides written beside the generated mkdocs.yml (`theme.custom_dir`): the feed link in every head.
OVERRIDES_DIR = "overrides"
OVERRIDES = {"main.html": TEMPLATES / "overrides" / "main.html"}
#: Markdown extensions the generated pages need: `{ #id }` anchors (attr_list), permalinks (toc).
MARKDOWN_EXTENSIONS: list[Any] = ["tables", "attr_list", "admonition", {"toc": {"permalink": True}}]
#: Material features that keep a large catalog's navigation small on every page.
THEME_FEATURES = ["navigation.sections", "navigation.prune", "navigation.indexes", "navigation.top", "search.suggest", "search.highlight"]


def reference_files(site_url: str | None = None) -> dict[str, str]:
    """The format reference page and the JSON Schemas, generated from the model so they cannot
    drift; the schemas' `$id`s on the site at `site_url` (`schema_base`)."""
    return dict(_reference_files(site_url))


# Made once per process: they depend on the model alone, and pydantic's schema generation took
# a second of every rebuild of a live preview.
@lru_cache(maxsize=8)
def _reference_files(site_url: str | None) -> dict[str, str]:
    files = {FORMAT_PAGE: reference.format_page()}
    for name, schema in all_schemas(schema_base(site_url)):
        files[SCHEMAS[name]] = schema_text(schema)
    return files


def docs_tree(
    catalog: Catalog, evaluations: Iterable[AgreementEvaluation], *, today: dt.date, options: RenderOptions | None = None
) -> tuple[dict[str, str], list[NavSection | NavPage | str]]:
    """Every file of a self-contained docs folder ({path: text}) and the navigation of its
    generated sections. Raises `InvalidAgreements` as `render` does."""
    pages, navigation = render(catalog, evaluations, today=today, options=options)
    files = dict(pages)
    files[STYLESHEET_URI] = STYLESHEET.read_text(encoding="utf-8")
    files[SCRIPT_URI] = SCRIPT.read_text(encoding="utf-8")
    files.update(reference_files((options or RenderOptions()).site_url))
    return files, navigation


def site_nav(navigation: Iterable[NavSection | NavPage | str], *, home: str | None = "index.md") -> list:
    """The `nav:` of the whole tree: the home page, the generated sections, the format reference."""
    nav: list = [{"Home": home}] if home else []
    nav += mkdocs_nav(navigation)
    nav.append({"Reference": [{"File format": FORMAT_PAGE}]})
    return nav


def site_config(
    navigation: Iterable[NavSection | NavPage | str], *, docs_dir: str, options: RenderOptions, overrides: str | None = OVERRIDES_DIR
) -> dict:
    """A whole `mkdocs.yml` for the tree: Material with the features a large catalog needs,
    the stylesheet, the extensions the pages use, the feed link (`overrides`: the folder of
    `override_files`, relative to the config) and the navigation. Zensical reads it as it is."""
    config: dict[str, Any] = {"site_name": options.site_name}
    if options.site_url:
        config["site_url"] = options.site_url
    theme: dict[str, Any] = {"name": "material", "features": list(THEME_FEATURES)}
    if overrides:
        theme["custom_dir"] = overrides
    config |= {
        "docs_dir": docs_dir,
        "theme": theme,
        "extra_css": [STYLESHEET_URI],
        "extra_javascript": [SCRIPT_URI],
        "markdown_extensions": list(MARKDOWN_EXTENSIONS),
        "extra": {"sla_feed": {"url": Paths(options.prefix).feed, "title": f"{feed_title(options.site_name)} (Atom)"}},
        "nav": site_nav(navigation),
    }
    return config


def override_files() -> dict[str, str]:
    """The theme overrides `site_config` names, {file name: text}."""
    return {name: path.read_text(encoding="utf-8") for name, path in OVERRIDES.items()}


def home_page(options: RenderOptions) -> str:
    """A home page for a tree that has none: the site's name and where the agreements are."""
    return f"# {options.site_name}\n\n[The agreements]({options.prefix}/index.md), [the metrics glossary]({options.prefix}/metrics/index.md) and [the credits by period]({options.prefix}/credits/index.md).\n"
