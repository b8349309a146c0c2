"""Built pages without the indentation of their templates: the same page in fewer bytes.

Material's templates indent every line of the navigation and the header, and a
page of a large catalog carries that navigation: a third of its bytes can be
spaces and newlines. A browser reads any run of whitespace in running text as
one space, so each run becomes one space, or one newline where it held one,
except inside the elements where whitespace is shown as written (`pre`,
`textarea`, and `code` and `kbd`, which Material sets to `pre-wrap`) and in
scripts and stylesheets, which are left exactly as they are.
"""

from __future__ import annotations

import re

#: Elements copied as they are, with everything inside them.
_VERBATIM = re.compile(r"<(pre|textarea|script|style|code|kbd)\b.*?</\1\s*>", re.S | re.I)
#: A newline and the indentation after it; two spaces or more. (Simple patterns: at a few
#: megabytes a page set, a pattern that starts at every space costs more than the build.)
_LINES = re.compile(r"\n\s+")
_SPACES = re.compile(r"  +")


def _shorten(text: str) -> str:
    return _SPACES.sub(" ", _LINES.sub("\n", text))


def compact_html(html: str) -> str:
    """`html` with each run of whitespace outside verbatim elements shortened to one character."""
    out: list[str] = []
    position = 0
    for verbatim in _VERBATIM.finditer(html):
        out.append(_shorten(html[position : verbatim.start()]))
        out.append(verbatim.group(0))
        position = verbatim.end()
    out.append(_shorten(html[position:]))
    return "".join(out)


def compact_page(html: str, content: str | None) -> str:
    """A finished page compacted around its `content` (the page's own HTML, already written
    without indentation): only the theme's part is scanned, which is most of the whitespace."""
    at = html.find(content) if content else -1
    if at < 0:
        return compact_html(html)
    return compact_html(html[:at]) + content + compact_html(html[at + len(content) :])
