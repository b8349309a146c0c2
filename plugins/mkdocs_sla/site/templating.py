"""The Jinja2 environment of the pages (autoescaped), front matter, and compact JSON."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from mkdocs_sla.compare.changes import Effect
from mkdocs_sla.core.records import VersionStatus
from mkdocs_sla.present import markup
from mkdocs_sla.present.words import (
    plural,
)
from mkdocs_sla.site.paths import TEMPLATES
from mkdocs_sla.site.views import Mark

# ---------------------------------------------------------------- JSON


def _json(document: Any) -> str:
    # Compact: Python's C encoder only runs without `indent`, and these files are for machines.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- templates


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar; characters YAML may not hold raw are escaped."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def front_matter(title: str, search: bool = True, audience: str | None = None) -> Markup:
    """Front matter with the page title as escaped plain text (`title` is Markdown from YAML).
    `search=False` keeps the page out of Material's search index; `audience` (`public`,
    `internal`) says who the page is for, as `sla_audience:`."""
    hidden = "search:\n  exclude: true\n" if not search else ""
    who = f"sla_audience: {audience}\n" if audience else ""
    return Markup(f"---\ntitle: {_yaml_string(markup.title(title))}\n{hidden}{who}---\n")


def _finalize(value: Any) -> Any:
    """Every value printed by a template stays on one line, so no text from an agreement
    starts a line of Markdown; `None` prints nothing."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return " ".join(value.splitlines())
    return value


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters.update(block=markup.block, inline=markup.inline, heading=markup.heading, plain=markup.plain, plural=plural)
    # The enums the templates compare with, so that a status is never spelled as a string there.
    env.globals.update(front_matter=front_matter, mark=lambda state: Mark(state).html, VersionStatus=VersionStatus, Effect=Effect)
    return env
