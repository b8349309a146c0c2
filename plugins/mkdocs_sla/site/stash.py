"""The generated pages' HTML blocks kept out of the Markdown converter, and put back after it.

A generated page is a Markdown skeleton (headings, for the table of contents and
permalinks) around HTML blocks written by the renderer: tables of periods,
tiers, facts. Python-Markdown copies such a block as it is, but only after
reading it with an HTML parser, twice (its own block parser and MkDocs' search
for anchor ids): at 2,000 agreements that is most of the build. `stash` swaps
each block for an HTML comment naming it, which the converter copies in no
time; `unstash` puts the blocks back into the converted HTML, and `anchor_ids`
gives MkDocs the ids they hold, so links to them are still checked.

Only blocks that Python-Markdown would copy as they are: a block starts on a
line of its own with a block-level tag (`<div`, `<p`, `<table`, `<dl`...), after
a blank line, and runs to the next blank line.
"""

from __future__ import annotations

import re
import secrets

#: Block-level tags a generated block starts with (Python-Markdown's own list holds them all).
_BLOCK_START = re.compile(r"<(?:div|p|table|dl|ul|ol|details|figure|section|aside|nav|blockquote|form|hr|h[1-6])\b")
_ANCHOR = re.compile(r'<[a-zA-Z][^>]*?\s(?:id|name)="([^"]*)"')


class Stash:
    """The HTML blocks of one page, by their place holders."""

    def __init__(self) -> None:
        # A new nonce per build: no text of an agreement (always escaped) can name a block.
        self.nonce = secrets.token_hex(4)
        self.blocks: dict[str, list[str]] = {}

    def stash(self, key: str, markdown: str) -> str:
        """`markdown` with each HTML block replaced by a comment; the blocks kept under `key`."""
        lines = markdown.split("\n")
        out: list[str] = []
        blocks: list[str] = []
        index, count = 0, len(lines)
        fenced = False
        while index < count:
            line = lines[index]
            if line.startswith(("```", "~~~")):
                fenced = not fenced
            starts = not fenced and (index == 0 or not lines[index - 1].strip()) and _BLOCK_START.match(line)
            if not starts:
                out.append(line)
                index += 1
                continue
            end = index
            while end < count and lines[end].strip():
                end += 1
            out.append(f"<!--sla-{self.nonce}-{len(blocks)}-->")
            blocks.append("\n".join(lines[index:end]))
            index = end
        if not blocks:
            return markdown
        self.blocks[key] = blocks
        return "\n".join(out)

    def unstash(self, key: str, html: str) -> tuple[str, set[str]]:
        """The converted page with its blocks back in place, and the anchor ids the blocks hold
        (ids and `<a name>`s, as MkDocs collects them from raw HTML to check links to them)."""
        blocks = self.blocks.pop(key, None)
        if not blocks:
            return html, set()
        marker = re.compile(rf"<!--sla-{self.nonce}-(\d+)-->")
        return marker.sub(lambda m: blocks[int(m.group(1))], html), set(_ANCHOR.findall("\n".join(blocks)))
