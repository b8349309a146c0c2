"""The navigation tree of the generated pages, in sections small enough for `navigation.prune`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mkdocs_sla.present.markup import escape_line as _escape

# ---------------------------------------------------------------- navigation


@dataclass(frozen=True)
class NavPage:
    """A page whose navigation entry is shorter than its title (plain text)."""

    path: str
    title: str


@dataclass(frozen=True)
class NavSection:
    """A navigation section: a plain-text title (escape it for HTML) and its children,
    each a nested section, a page with a navigation title, or the source path of a page."""

    title: str
    children: tuple[NavSection | NavPage | str, ...]


def _chunked(pages: list[tuple[str, str]], size: int, name: str, titled: bool = False) -> list[NavSection | NavPage | str]:
    """The pages, or sections of at most `size` pages named by their alphabetical range
    ("Acme Compute – Contoso ERP"; numbers where titles repeat)."""
    size = max(1, size)
    entries = [NavPage(path, title) if titled else path for path, title in pages]
    if len(pages) <= size:
        return entries
    parts = [range(start, min(start + size, len(pages))) for start in range(0, len(pages), size)]
    labels = [f"{_short(pages[part[0]][1])} – {_short(pages[part[-1]][1])}" for part in parts]
    if len(set(labels)) < len(labels):
        labels = [f"{name} {number}" for number in range(1, len(parts) + 1)]
    return [NavSection(label, tuple(entries[i] for i in part)) for label, part in zip(labels, parts, strict=False)]


def _short(text: str, length: int = 18) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def mkdocs_nav(entries: Iterable[NavSection | NavPage | str]) -> list:
    """The navigation as MkDocs' `nav:` configuration, titles HTML-escaped (MkDocs and
    Material print navigation titles unescaped)."""
    result: list = []
    for entry in entries:
        if isinstance(entry, NavSection):
            result.append({str(_escape(entry.title)): mkdocs_nav(entry.children)})
        elif isinstance(entry, NavPage):
            result.append({str(_escape(entry.title)): entry.path})
        else:
            result.append(entry)
    return result
