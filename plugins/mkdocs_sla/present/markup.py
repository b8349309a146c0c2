"""Texts from agreement files to safe HTML.

The format allows Markdown in `title`, `summary`, definitions, duties and the
other prose fields, but never raw HTML, and a link must never run script. So
the texts are not handed to the site's Markdown (whose extensions and raw-HTML
pass-through we do not control); they are converted here, by a Python-Markdown
instance stripped to plain CommonMark-like features:

- raw HTML is not recognised at all: `<script>` stays text and is escaped;
- no `attr_list`, so `{ onclick=... }` cannot add attributes;
- a tree processor that runs last (after Python-Markdown restores backslash
  escapes) keeps only known tags and attributes and drops links and images
  whose URL, once entities are decoded, has a scheme other than http, https
  or mailto (`javascript:`, `data:`, `vbscript:` ...);
- the converter's HTML then goes through `nh3` (the ammonia sanitiser) with the same
  allow-list of tags, attributes and URL schemes: what the tree processor shapes for
  the reader (an unsafe link kept as text), nh3 guarantees, whatever the converter did;
- the result is one line: newlines become spaces, or `&#10;` inside `<pre>`,
  so the site's line-based Markdown preprocessors (fences, snippets) never see
  a line that came from an agreement file when the HTML is embedded in a page.

`heading()` and `title()` give the plain text for the places that are not
HTML blocks: Markdown headings, the page title and the navigation.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from functools import lru_cache

import markdown
import nh3
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

#: Tags the converter may produce, each with the attributes it may keep.
ALLOWED = {
    "p": (),
    "em": (),
    "strong": (),
    "code": (),
    "pre": (),
    "blockquote": (),
    "ul": (),
    "ol": ("start",),
    "li": (),
    "br": (),
    "hr": (),
    "a": ("href", "title"),
    "img": ("src", "alt", "title"),
}
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


def safe_url(url: str) -> bool:
    """Whether a link target is harmless: relative, a fragment, or http(s)/mailto."""
    decoded = _IGNORED_IN_URL.sub("", html.unescape(url)).lower()
    match = _SCHEME.match(decoded)
    return match is None or match.group(1) in SAFE_SCHEMES


class _Sanitize(Treeprocessor):
    """Keep known tags and attributes; turn unsafe links into plain text."""

    def run(self, root: etree.Element) -> None:
        """Sanitise the converted tree in place."""
        for element in root.iter():
            if element is root:
                continue
            allowed = ALLOWED.get(element.tag)
            if allowed is None:
                element.tag, allowed = "span", ()
            for name in list(element.attrib):
                if name not in allowed:
                    del element.attrib[name]
            if element.tag == "a" and not safe_url(element.get("href", "")):
                element.tag = "span"
                element.attrib.clear()
            elif element.tag == "img":
                alt = element.get("alt", "")
                if not safe_url(element.get("src", "")):
                    element.tag = "span"
                    element.attrib.clear()
                    element.text = alt
                else:
                    element.set("loading", "lazy")


class _Extension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        """Strip the converter to the features the format allows."""
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # A heading inside a definition would break the page's outline; keep it as text.
        md.parser.blockprocessors.deregister("hashheader")
        md.parser.blockprocessors.deregister("setextheader")
        # Priority below `unescape` (0): check URLs after backslash escapes are restored.
        md.treeprocessors.register(_Sanitize(md), "sla_sanitize", -10)


_md = markdown.Markdown(extensions=[_Extension(), "sane_lists"], output_format="html")

_NH3 = nh3.Cleaner(
    tags=set(ALLOWED) | {"span"},
    attributes={tag: set(names) | ({"loading"} if tag == "img" else set()) for tag, names in ALLOWED.items()},
    url_schemes=set(SAFE_SCHEMES),
    link_rel=None,  # keep links as written: the site adds no rel, and neither does the sanitiser
    strip_comments=True,
)

# Prose without Markdown syntax skips the converter: most texts are plain sentences.
_MARKDOWN_CHARS = re.compile(r"[\\`*_\[\]<>&!#|~\n\r]|^\s*(?:\d+[.)]\s|[-+*>=]|\s{4})")
_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)
_TAG = re.compile(r"<[^>]*>")


def escape_line(text: object) -> str:
    """HTML-escaped text (quotes too) on one line, for the HTML the site builds into its Markdown
    pages: every line break becomes a space. A line break would let text from an agreement end
    the HTML block with a blank line, and what follows would be read as Markdown, attr_list
    included (`# x {onclick=…}`): every escape of text into a page is this one."""
    text = str(text)
    if not text.isprintable():  # fast: most texts hold no line break, nor any other control
        text = " ".join(text.splitlines())
    return html.escape(text, quote=True)


def _one_line(fragment: str) -> str:
    parts = _PRE.split(fragment)
    return "".join(part.replace("\n", "&#10;") if index % 2 else part.replace("\n", " ") for index, part in enumerate(parts)).strip()


@lru_cache(maxsize=20_000)
def _convert(text: str) -> str:
    if not _MARKDOWN_CHARS.search(text):
        return f"<p>{escape(text.strip())}</p>"
    _md.reset()
    return _one_line(_NH3.clean(_md.convert(text)))


def block(text: str | None) -> Markup:
    """A Markdown text as safe, one-line block HTML (paragraphs, lists...)."""
    if not text:
        return Markup("")
    return Markup(_convert(text))


def inline(text: str | None) -> Markup:
    """A Markdown text as safe inline HTML: a single paragraph loses its `<p>`."""
    if not text:
        return Markup("")
    converted = _convert(text)
    if converted.startswith("<p>") and converted.endswith("</p>") and converted.count("<p>") == 1:
        converted = converted[3:-4]
    return Markup(converted)


@lru_cache(maxsize=20_000)
def plain(text: str | None) -> str:
    """The text a reader sees, without markup (not escaped: escape it where it is used)."""
    if not text:
        return ""
    return " ".join(html.unescape(_TAG.sub("", _convert(text))).split())


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def heading(text: str | None) -> Markup:
    """Plain text for a Markdown heading line: every ASCII punctuation character becomes a
    numeric character reference, so no Markdown or attr_list syntax survives."""
    return Markup(_PUNCTUATION.sub(lambda m: f"&#{ord(m.group())};", plain(text)))


def title(text: str | None) -> str:
    """HTML-escaped plain text, for page titles and navigation entries (MkDocs and
    Material output titles without escaping)."""
    return str(escape(plain(text)))
