"""What the search indexer needs of a generated page: its HTML without the elements it skips.

Material's search plugin reads every page's HTML with Python's `HTMLParser` and
skips, tag by tag, each element marked `data-search-exclude` (charts, tables of
periods, the catalog's rows). Skipping still costs the parsing: at 2,000
agreements the catalog and the metric definitions are half a megabyte each,
and a live preview parses them again after every edit. `search_view` cuts those
elements out before the indexer sees the page, so it parses only what it keeps.

The index stays the same, because the cut is exactly what the parser skips: an
element whose start tag carries the attribute, up to its own end tag, nothing
around it. Where the parser would do otherwise, the element is left in place:
- it holds a heading with an id (or is one): the parser opens a section there,
  even inside a skipped element;
- it holds an element of its own name: the parser tells elements apart by their
  names only, so it stops skipping at the first end tag of that name;
- it lies inside a marked element left in place, or it is the page's first tag.

That is found without a parser because in a generated page every `<`
begins a tag: the text from YAML and every attribute value is escaped (the
sanitiser of `present/markup.py` escapes `<` and `>` in attributes too), and the
calculator's JSON writes `<` as `\u003c`. So it is used on generated pages only.
`site_tests/test_search_view.py` checks the sections are the same on every page
of the example site.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: A start tag's name, and then each attribute's name (values in quotes or bare).
_TAG_NAME = re.compile(r"<([a-zA-Z][^\s/>]*)")
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>"'=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
MARK = "data-search-exclude"
_HEADING_WITH_ID = re.compile(r"<h[1-6]\b[^>]*?\sid=")
_ANY_TAG = re.compile(r"<[a-zA-Z]")
#: Elements without an end tag: nothing to cut (the parser skips only what it opens).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})


@lru_cache(maxsize=64)
def _tags(tag: str) -> re.Pattern[str]:
    """A start or end tag of `tag` (the case as written: the renderer writes lower case)."""
    return re.compile(rf"<(/?){re.escape(tag)}(?=[\s>/])")


def _end_of(html: str, tag: str, start: int) -> tuple[int | None, bool]:
    """(where the element of `tag` opened just before `start` ends, after its end tag, or None when
    it is not closed; whether an element of the same name lies inside it)."""
    depth, nested = 1, False
    for found in _tags(tag).finditer(html, start):
        if found.group(1):
            depth -= 1
            if depth == 0:
                close = html.find(">", found.end())
                return (None if close < 0 else close + 1), nested
        else:
            close = html.find(">", found.end())
            if close > 0 and html[close - 1] != "/":
                depth += 1
                nested = True
    return None, nested


def _excluded_tag(html: str, mark: int) -> tuple[int, int, str] | None:
    """(start, end, name) of the start tag around the text `data-search-exclude` found at `mark`,
    if that text is one of its attributes' names; None for a void or self-closed element."""
    lt = html.rfind("<", 0, mark)
    gt = html.find(">", mark)
    name = _TAG_NAME.match(html, lt) if lt >= 0 and gt > 0 else None
    if name is None or html[name.end() : mark].find(">") >= 0:
        return None
    names = {a.group(1).lower() for a in _ATTRIBUTE.finditer(html, name.end(), gt)}
    if MARK not in names or name.group(1).lower() in _VOID or html[gt - 1] == "/":
        return None
    return lt, gt + 1, name.group(1)


def search_view(html: str) -> str:
    """`html` without the elements the search indexer skips (see the module's docstring)."""
    out: list[str] = []
    at = 0  # the end of the last element cut
    kept = 0  # the end of the last marked element left in place: nothing inside it is cut
    mark = html.find(MARK)
    while mark >= 0:
        found = _excluded_tag(html, mark)
        if found is not None and found[0] >= max(at, kept):
            start, opened, tag = found
            end, nested = _end_of(html, tag, opened)
            if end is None:
                kept = len(html)
            elif (
                nested  # the parser stops skipping at the first end tag of the same name
                or _HEADING_WITH_ID.search(html, start, end)  # a section opens all the same
                or not _ANY_TAG.search(html, 0, start)  # the page's first tag opens its first section
            ):
                kept = end
            else:
                out.append(html[at:start])
                at = end
        mark = html.find(MARK, max(mark + len(MARK), at))
    if not out:
        return html
    out.append(html[at:])
    return "".join(out)
