"""Safe YAML reading that keeps every value's source position.

Scalars stay text: the model parses `99.99` into an exact `Decimal` and
`2026-10-01` into a date, so YAML's float and timestamp guessing never touches
a number. Duplicate keys, anchors and aliases are errors (aliases allow
expansion attacks and hide what a reviewer reads). libyaml's C parser keeps
the marks and stops documents nested deeper than 1,000 levels by itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mkdocs_sla.core.diagnostics import Diagnostic, Diagnostics, Position, excerpt

try:  # the C loader is about ten times faster; fall back for exotic builds
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes without guessing scalar types: every scalar is text until the model
    parses it, and skipping YAML's regex-based resolver halves the time of a large catalog."""

    def resolve(self, kind, value, implicit):
        """Every scalar is text: pydantic parses numbers and dates exactly, never through float."""
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)

    # Path resolvers are never used: skip their bookkeeping on every node.
    def descend_resolver(self, current_node, current_index):
        """Path-based resolution is never used: nothing to track."""
        pass

    def ascend_resolver(self):
        """Path-based resolution is never used: nothing to track."""
        pass


MAX_BYTES = 5 * 1024 * 1024
# The format is a few levels deep; far deeper input is an attack or a mistake.
MAX_DEPTH = 64
NULLS = frozenset(("", "~", "null", "Null", "NULL"))
# Explicit core tags (`!!str 5`) are harmless and read as text; any other tag
# (`!!python/object`, `!custom`) is refused.
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))


@dataclass
class Document:
    """One YAML document: plain data (dict, list, str, None) and its node tree for positions."""

    file: str
    data: Any
    node: yaml.Node
    start_line: int
    end_line: int
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def position(self, loc: tuple = (), *, key: bool = False) -> Position:
        """The position of the value at `loc` (a path of keys and indexes), or of its key.

        A mapping's keys are looked up in an index built once per mapping, so that reporting
        every one of 200,000 unknown keys takes linear time, not a scan per key."""
        node, key_node = self.node, None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                found = self._keys(node).get(part)
                if found is None:
                    continue  # a union tag or a key that is missing: stay on the mapping
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node, key_node = node.value[part], None
            else:
                break
        target = key_node if key and key_node is not None else node
        mark = target.start_mark
        return Position(self.file, mark.line + 1, mark.column + 1)

    def _keys(self, node: yaml.MappingNode) -> dict:
        """{key text: (key node, value node)} of one mapping, the first of equal keys, built once."""
        index = self._index.get(id(node))
        if index is None:
            index = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    index.setdefault(k.value, (k, v))
            self._index[id(node)] = index
        return index


#: Set while a site is built (`names_for_site`): the project folder that names files, and the
#: agreements folder's parent, which names them when the agreements lie outside the project.
_site_bases: tuple[str, str] | None = None


@contextlib.contextmanager
def names_for_site(project: Path, agreements: Path) -> Iterator[None]:
    """Files named relative to `project` while loading for a site, never by an absolute path.

    Positions go onto pages and into credits.json: named from the working directory, a site
    built from elsewhere, or from an agreements folder outside the project, would publish the
    build machine's folders (`/home/ci/…/agreement.yaml`), and two machines would build
    different sites from the same commit. A module global rather than an argument, so that the
    worker processes forked while it is set (source/parallel.py) name files the same way."""
    global _site_bases
    before = _site_bases
    _site_bases = (os.path.abspath(project), os.path.dirname(os.path.abspath(agreements)))
    try:
        yield
    finally:
        _site_bases = before


def display_base() -> tuple[str, ...]:
    """What file names are relative to, for the keys of caches that keep names: the working
    directory, or while a site is built the project folder and the agreements folder's parent."""
    return _site_bases if _site_bases is not None else (os.getcwd(),)


def display_path(path) -> str:
    """Paths in messages are relative to the working directory when inside it, as editors and CI
    expect; while a site is built, relative to the project (`names_for_site`)."""
    text = os.fspath(path)
    if _site_bases is not None:
        return _site_name(text, *_site_bases)
    # The common cases without os.path.relpath, which makes both paths absolute and compares
    # them part by part: a tenth of loading a catalog's results files went into it.
    if text and ".." not in text.split(os.sep):
        if not os.path.isabs(text):
            return os.path.normpath(text)
        cwd = os.getcwd()
        if text.startswith(cwd.rstrip(os.sep) + os.sep):
            return os.path.normpath(text[len(cwd.rstrip(os.sep)) + 1 :])
        if os.path.normpath(text) != cwd:
            return str(path)  # outside the working directory: relpath would lead out with `..`
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def for_terminal(diagnostic: Diagnostic, project: Path, agreements: Path) -> Diagnostic:
    """`diagnostic` with its files named as the working directory names them, for the terminal
    and CI: a site names files from the project (`names_for_site`), which a person who ran the
    build from another folder could not open. `_site_name`'s rule undone: from the agreements
    folder's parent where that folder lies outside the project and the name begins with its
    name, else from the project. Another file of the agreements named in the message (`first in
    agreements/…`) is renamed as well. Called outside `names_for_site`."""
    base, folder = os.path.abspath(project), os.path.abspath(agreements)
    inside = (folder + os.sep).startswith(base.rstrip(os.sep) + os.sep)
    position, message = diagnostic.position, diagnostic.message
    name = position.file
    if name and not os.path.isabs(name):
        start = os.path.dirname(folder) if not inside and Path(name).parts[:1] == (os.path.basename(folder),) else base
        position = dataclasses.replace(position, file=display_path(os.path.normpath(os.path.join(start, name))))
    site, here = _site_name(folder, base, os.path.dirname(folder)), display_path(folder)
    if site != here and site != ".":
        # Only a path that begins with the folder's name (not inside another word or path, nor
        # quoted text from a file) and names a file there: `timezone: agreements/Berlin` quoted
        # back stays as written.
        def renamed(found: re.Match[str]) -> str:
            rest = found.group(1)
            return here.rstrip(os.sep) + "/" + rest if os.path.lexists(os.path.join(folder, rest)) else found.group(0)

        message = re.sub(rf"(?<![\w./'\"`-]){re.escape(site)}/([^\s()'\"`,;]+)", renamed, message)
    return dataclasses.replace(diagnostic, position=position, message=message)


def _site_name(text: str, project: str, outside: str) -> str:
    """`text` relative to `project`, or, outside it, to `outside` (the agreements folder's
    parent, so that the folder's own name leads); never absolute and never leading out with `..`."""
    full = os.path.abspath(text)
    for base in (project, outside):
        prefix = base.rstrip(os.sep) + os.sep
        if full.startswith(prefix):
            return full[len(prefix) :]
        if full == base:
            return "."
    return os.path.basename(full)  # not under the agreements folder: never the machine's folders


def read_text(path, display: str, diagnostics: Diagnostics, *, what: str = "YAML", max_bytes: int = MAX_BYTES) -> str | None:
    """The file's text, or None after reporting why it cannot be read.

    Only a regular file is read: a symbolic link is refused (see `link_problem`), a folder
    would fail to open and a named pipe would block the run forever, so what it is gets said
    before anything is opened. `what` names the expected content in the UTF-8 message."""
    problem = link_problem(path)
    if problem is not None:
        diagnostics.error(Position(display), problem)
        return None
    try:
        info = path.stat()
    except OSError as exc:
        diagnostics.error(Position(display), not_readable(path, exc))
        return None
    if not stat.S_ISREG(info.st_mode):
        diagnostics.error(Position(display), f"`{excerpt(path.name)}` is {file_kind(info.st_mode)}, not a file; expected a regular file")
        return None
    size = info.st_size
    if size > max_bytes:
        files = "agreement and results files" if max_bytes == MAX_BYTES else f"{what} files"
        diagnostics.error(
            Position(display),
            f"file is {size / 1024 / 1024:.1f} MB; {files} may be at most {max_bytes // 1024 // 1024} MB",
        )
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.error(Position(display), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        # Columns count characters, as YAML's marks do, not bytes.
        column = len(raw[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        diagnostics.error(
            Position(display, line, column),
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); expected UTF-8 encoded {what}",
        )
        return None


def file_kind(mode: int) -> str:
    """What a path is, in words, from its `st_mode`."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def link_problem(path) -> str | None:
    """Why a symbolic link in the agreements tree is refused, or None for anything else.

    Git stores a link as a link (mode 120000), not the file it points to: a review of the
    change (`sla diff`, the pull-request check) would compare the link's text while validation
    and the site read its target, anywhere on the machine. So the rule is one for every
    reader: a link is an error at its position, never followed."""
    if not os.path.islink(path):
        return None
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    name = excerpt(Path(path).name)
    if not os.path.exists(path):
        return f"`{name}` is a symbolic link to `{excerpt(target)}`, which does not exist; expected a regular file"
    return (
        f"`{name}` is a symbolic link to `{excerpt(target)}`; links are not followed (git stores the link, "
        "not its target, so a review would not see what it points to): expected the file or folder itself"
    )


def not_readable(path, exc: OSError) -> str:
    """Why `stat` failed, in words."""
    return link_problem(path) or f"cannot read the file: {exc.strerror or exc}"


def parse(text: str, display: str, diagnostics: Diagnostics) -> list[Document]:
    """Every document of the stream, or [] after reporting the problems."""
    if ("&" in text or "*" in text) and _report_anchors(text, display, diagnostics):
        return []
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Position(display, mark.line + 1, mark.column + 1) if mark else Position(display)
        problem = exc.problem or str(exc)
        if "maximum nesting depth" in problem:
            problem = "document is nested too deeply (libyaml stops at 1,000 levels); expected a flat agreement structure"
        elif mark is not None and _tab_at(text, mark):
            problem += "; YAML is indented with spaces, not tabs"
        diagnostics.error(where, f"invalid YAML: {problem}")
        return []
    except yaml.reader.ReaderError as exc:
        diagnostics.error(_reader_position(text, display, exc), f"invalid YAML: {_reader_problem(exc)}")
        return []
    except yaml.YAMLError as exc:
        diagnostics.error(Position(display), f"invalid YAML: {' '.join(str(exc).split())}")
        return []
    documents = []
    for node in nodes:
        if node is None:
            continue
        before = len(diagnostics.errors)
        data = _to_data(node, display, diagnostics)
        if len(diagnostics.errors) == before:
            documents.append(Document(display, data, node, node.start_mark.line + 1, node.end_mark.line + 1))
    return documents


def single_document(path, diagnostics: Diagnostics, misfit: Callable[[list[Document], str], tuple[Position, str]]) -> Document | None:
    """The one YAML document a file must hold, or None with the reason reported; `misfit` words
    the error (where, what) for a file holding none or several."""
    display = display_path(path)
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    documents = parse(text, display, diagnostics)
    if len(documents) != 1:
        # No documents after a reported parse error needs no second error.
        if documents or not diagnostics.errors:
            diagnostics.error(*misfit(documents, display))
        return None
    return documents[0]


def _reader_position(text: str, display: str, exc: yaml.reader.ReaderError) -> Position:
    """Line and column of a character the YAML reader refused. It gives only an index into the
    stream: libyaml's counts bytes of the UTF-8 text (a byte order mark too), the pure-Python
    reader's counts characters."""
    index = exc.position
    if _BaseLoader is not yaml.SafeLoader:
        index = len(text.encode("utf-8")[:index].decode("utf-8", errors="ignore"))
    index = min(max(index, 0), len(text))
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Position(display, line, column)


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    """One line: libyaml's message names the stream and its byte position on a second line."""
    character = exc.character if isinstance(exc.character, int) else ord(exc.character) if exc.character else None
    what = f"character U+{character:04X}" if character is not None else "a character"
    if "control" in str(exc.reason):
        return f"{what} is a control character, which YAML does not allow; expected printable text (tabs and line breaks are fine)"
    return f"{what} is not allowed in YAML ({' '.join(str(exc.reason).split())}); expected printable text"


def _tab_at(text: str, mark) -> bool:
    """Whether a tab stands on the error's line up to its column: libyaml's message does not say so."""
    lines = text.splitlines()
    return mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]


def _report_anchors(text: str, display: str, diagnostics: Diagnostics) -> bool:
    found = False
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            where = Position(display, mark.line + 1, mark.column + 1)
            if isinstance(event, yaml.AliasEvent):
                diagnostics.error(where, f"YAML alias `*{excerpt(event.anchor)}` is not allowed: write the value out in full")
                found = True
            elif getattr(event, "anchor", None):
                diagnostics.error(where, f"YAML anchor `&{excerpt(event.anchor)}` is not allowed: write the value out in full")
                found = True
    except yaml.YAMLError:
        return False  # the syntax error is reported by the regular parse
    return found


def _to_data(root: yaml.Node, display: str, diagnostics: Diagnostics) -> Any:
    def position(node: yaml.Node) -> Position:
        """Where a node starts in the file."""
        return Position(display, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(node: yaml.Node, depth: int = 0) -> Any:
        """A node to plain Python values (mappings keep their key positions), refusing what the format does not allow."""
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in PLAIN_TAGS:
                diagnostics.error(position(node), f"YAML tag `{excerpt(node.tag)}` is not allowed; expected a plain value")
                return None
            # libyaml's C composer marks plain scalars with style "", the Python one with None.
            if node.style in (None, "") and node.value in NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [convert(item, depth + 1) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            seen: dict[str, yaml.Node] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    diagnostics.error(position(key_node), "a key must be a plain word, not a list or a mapping")
                    continue
                key = key_node.value
                if key in seen:
                    first = seen[key].start_mark
                    diagnostics.error(
                        position(key_node),
                        f"duplicate key `{excerpt(key)}` (first at line {first.line + 1}, column {first.column + 1}); each key may appear once",
                    )
                    continue
                seen[key] = key_node
                result[key] = convert(value_node, depth + 1)
            return result
        diagnostics.error(position(node), "unsupported YAML node")  # pragma: no cover
        return None

    try:
        return convert(root)
    except _TooDeep as exc:
        diagnostics.error(
            position(exc.node), f"document is nested more than {MAX_DEPTH} levels deep; expected the agreement format's few levels"
        )
        return None


class _TooDeep(Exception):
    def __init__(self, node: yaml.Node):
        self.node = node
