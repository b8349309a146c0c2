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
- it holds an element of its own name, even a self-closed one: the parser tells
  elements apart by their names only, so it stops skipping at the first end tag
  of that name;
- a tag inside it is left open: the parser then never sees the element end;
- the text just before and just after it would read differently as one run of
  text (the parser writes a run of white space alone as one space, and none after
  another);
- it lies inside a marked element left in place, or no element opens before it
  (the page's first element opens its first section).

That is found without a parser because in a generated page every `<` begins a
tag: the text from YAML and every attribute value is escaped (the sanitiser of
`present/markup.py` escapes `<` and `>` in attributes too), and the calculator's
JSON writes `<` as `\u003c`. So it is used on generated pages only.
`site_tests/test_search_view.py` checks the sections are the same on every page
of the example site.
"""

from __future__ import annotations

import re
from html import unescape

#: A start or end tag, whole: (the slash of an end tag, the name, the attributes).
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""[\s/]*([^\s/>"'=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
MARK = "data-search-exclude"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: The elements the parser never opens (Material's list, material/plugins/search/plugin.py).
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})


def _names(attributes: str) -> set[str]:
    return {a.group(1).lower() for a in _ATTRIBUTE.finditer(attributes)}


def _excluded_tag(html: str, mark: int) -> re.Match[str] | None:
    """The start tag around the text `data-search-exclude` found at `mark`, if that text is one of
    its attributes' names (not a word inside another attribute's value)."""
    lt = html.rfind("<", 0, mark)
    found = _TAG.match(html, lt) if lt >= 0 else None
    if found is None or found.group(1) or found.end() <= mark or MARK not in _names(found.group(3)):
        return None
    return found


def _opens(tag: re.Match[str]) -> bool:
    """Whether the parser keeps this start tag open until an end tag (not void, not self-closed)."""
    return tag.group(2).lower() not in _VOID and not tag.group(3).endswith("/")


def _end_of(html: str, start: re.Match[str]) -> int | None:
    """Where the marked element whose start tag is `start` ends (after its end tag), if the
    parser's skipping ends exactly there and opens no section on the way; else None."""
    name = start.group(2).lower()
    if not _opens(start) or (name in _HEADINGS and "id" in _names(start.group(3))):
        return None
    open_tags: list[str] = []
    for tag in _TAG.finditer(html, start.end()):
        found = tag.group(2).lower()
        if tag.group(1):
            if open_tags and open_tags[-1] == found:
                open_tags.pop()
            elif not open_tags and found == name:
                return tag.end()
            # Any other end tag the parser ignores, as it is not the innermost element's.
            continue
        if found == name or (found in _HEADINGS and "id" in _names(tag.group(3))):
            return None
        if _opens(tag):
            open_tags.append(found)
    return None


def _joins_the_same(html: str, start: int, end: int) -> bool:
    """Whether the text before `start` and after `end`, one run once the element between them is
    cut, is indexed as the two runs were. The parser writes a run of white space alone as one
    space, and not at all after another (it collapses them); it keeps the white space inside a
    run of words, with its line breaks as spaces."""
    before = unescape(html[html.rfind(">", 0, start) + 1 : start])
    after_end = html.find("<", end)
    after = unescape(html[end : len(html) if after_end < 0 else after_end])
    if not before or not after or before.isspace() == after.isspace():
        return True
    # Words, then white space alone: the parser adds one space, so one run reads the same only if
    # that white space is one character; white space alone, then words: it depends on what came
    # before, left in place.
    return not before.isspace() and after in (" ", "\n")


def _an_element_opens_before(html: str, start: int) -> bool:
    return any(not tag.group(1) and _opens(tag) for tag in _TAG.finditer(html, 0, start))


def search_view(html: str) -> str:
    """`html` without the elements the search indexer skips (see the module's docstring)."""
    out: list[str] = []
    at = 0  # the end of the last element cut
    kept = 0  # the end of the last marked element left in place: nothing inside it is cut
    mark = html.find(MARK)
    while mark >= 0:
        tag = _excluded_tag(html, mark)
        if tag is not None and tag.start() >= max(at, kept):
            end = _end_of(html, tag)
            if end is not None and _joins_the_same(html, tag.start(), end) and _an_element_opens_before(html, tag.start()):
                out.append(html[at : tag.start()])
                at = end
            elif _opens(tag):
                # Left in place; its own extent, for the marks inside it (to the page's end if the
                # parser never sees it closed).
                close = _close_of(html, tag)
                kept = len(html) if close is None else close
        mark = html.find(MARK, max(mark + len(MARK), at))
    if not out:
        return html
    out.append(html[at:])
    return "".join(out)


def _close_of(html: str, start: re.Match[str]) -> int | None:
    """The end of the element opened by `start`, counting nested elements of its name."""
    name, depth = start.group(2).lower(), 1
    for tag in _TAG.finditer(html, start.end()):
        if tag.group(2).lower() != name:
            continue
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.end()
        elif _opens(tag):
            depth += 1
    return None
