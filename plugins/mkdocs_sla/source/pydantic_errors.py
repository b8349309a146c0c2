"""pydantic_errors: pydantic's validation errors as positioned diagnostics in the format's words.

pydantic reports a location as model field names with union tags mixed in, and messages in
its own wording; this module walks the location through the model's types to find the key in
the YAML document, and says what was expected in the terms of the format reference.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

import pydantic

from mkdocs_sla.core import model
from mkdocs_sla.core.diagnostics import Diagnostics, excerpt
from mkdocs_sla.source.yamlsource import Document


def unknown(what: str, name: str, known: list[str]) -> str:
    """The message for a name that is not among `known`, with the closest one suggested."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown {what} `{excerpt(name)}`; {hint}expected one of: {', '.join(f'`{k}`' for k in known)}"


#: The most errors listed one by one for one document; the rest are counted in one line. A file
#: of 200,000 unknown keys is a mistake or an attack, and its report stays readable and fast.
MAX_LISTED = 100


def validate(
    cls: type[pydantic.BaseModel],
    document: Document,
    diagnostics: Diagnostics,
    *,
    known_keys: dict[tuple, tuple[str, list[str]]] | None = None,
) -> Any:
    """Validate a document against a model; report each error at its position.

    `known_keys` maps the location of a mapping whose keys name something defined elsewhere
    (`("metrics",)` of a results file) to what they name and the names (`"metric"`, the
    agreement's metric ids), so that a key that is not even a slug is still answered with
    the closest name."""
    if not isinstance(document.data, dict):
        diagnostics.error(
            document.position(), f"expected a mapping of keys to values at the top of the document, found {_kind_of(document.data)}"
        )
        return None
    try:
        return cls.model_validate(document.data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors[:MAX_LISTED]:
            _report(cls, error, document, diagnostics, known_keys or {})
        if len(errors) > MAX_LISTED:
            first = tuple(errors[MAX_LISTED]["loc"])
            where = _source_loc(cls, first[:-1] if first and first[-1] == "[key]" else first)
            diagnostics.error(
                document.position(where, key=True),
                f"{len(errors) - MAX_LISTED:,} more errors in this document from here on, not listed (the first {MAX_LISTED} are); "
                "fix those and validate again",
            )
        return None


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {"list": "a list", "str": f"the text `{excerpt(value)}`", "dict": "a mapping"}.get(type(value).__name__, type(value).__name__)


def _report(cls: type, error: dict, document: Document, diagnostics: Diagnostics, known_keys: dict[tuple, tuple[str, list[str]]]) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    # An error on a mapping's key (a results metric id that is not a slug): pydantic ends the
    # location with `[key]`; the position is the key's, not its value's.
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
    path = _path_text(cls, loc)
    where = _source_loc(cls, loc)  # the location in the YAML: pydantic's union tags left out
    if kind == "extra_forbidden":
        name = excerpt(loc[-1])
        allowed = sorted(_fields_at(cls, loc[:-1]))
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        section = ".".join(str(p) for p in _path_parts(cls, loc[:-1])) or "the top level"
        diagnostics.error(
            document.position(where, key=True),
            f"unknown key `{name}` in {section}; {hint}expected one of: {', '.join(f'`{a}`' for a in allowed)}",
        )
        return
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        # `kind:` of a measure, `model:` of credits: pydantic's message names the union, not the value.
        ctx = error.get("ctx", {})
        tag_field = str(ctx.get("discriminator", "")).strip("'")
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        if not expected:
            expected = _tags_at(cls, loc, tag_field)
        what = {"kind": "measure", "model": "credit model"}.get(tag_field, tag_field)
        section = _path_text(cls, loc)
        if kind == "union_tag_not_found":
            choices = ", ".join(f"`{e}`" for e in expected)
            diagnostics.error(
                document.position(where),
                f"missing key `{tag_field}` in {section}; expected one of: {choices}"
                if choices
                else f"missing key `{tag_field}` in {section}",
            )
        else:
            diagnostics.error(
                document.position((*where, tag_field)), f"{section}.{tag_field}: " + unknown(what, str(ctx.get("tag", "")), expected)
            )
        return
    if kind == "missing":
        diagnostics.error(
            document.position(where[:-1]),
            f"missing key `{loc[-1]}`" + (f" in {_path_text(cls, loc[:-1])}" if loc[:-1] else "") + _description(cls, loc),
        )
        return
    message = error["msg"]
    given = error.get("input")
    shown = excerpt(given) if isinstance(given, (str, int)) else given
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Input should be"):
        # pydantic's "Input should be a valid decimal" in the format's words: what was expected.
        message = "expected " + _EXPECTED.get(kind, message[len("Input should be ") :])
        if isinstance(given, (str, int)) or given is None:
            message = f"`{shown if given is not None else 'nothing'}` is not valid: {message}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern == model.SLUG:
            message = f"`{shown}` is not a slug; expected lower-case letters, digits and hyphens, starting with a letter or digit"
            named = known_keys.get(tuple(loc[:-1])) if on_key else None
            if named is not None:
                what, names = named
                message = f"`{shown}` is not a slug: " + unknown(what, str(given), names)
        elif pattern == model.PERIOD_RE.pattern:
            message = (
                f"`{shown}` is not a period; expected a month `YYYY-MM` (01 to 12) or a quarter `YYYY-Qn` (1 to 4), years 1900 to 2999"
            )
        elif loc and loc[-1] == "intervals":
            message = f"`{shown}` is not a CSV file name; expected a name like `errors-2026-10.csv` beside the results file"
    if on_key:  # the path names the mapping; the key itself is quoted by the message or the position
        path = _path_text(cls, loc[:-1])
        if not str(loc[-1]).strip():
            message = "a key is empty; expected a name"
    diagnostics.error(document.position(where, key=on_key), f"{path}: {message}" if path else message)


# pydantic's "Input should be …" by error type, as the format reference words it.
_EXPECTED = {
    "decimal_parsing": "a valid decimal number, such as 99.95",
    "decimal_type": "a valid decimal number, such as 99.95",
    "int_parsing": "a valid integer (a whole number such as 30)",
    "int_from_float": "a valid integer (a whole number such as 30)",
    "int_type": "a valid integer (a whole number such as 30)",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "date_from_datetime_parsing": "a valid date, YYYY-MM-DD",
    "date_parsing": "a valid date, YYYY-MM-DD",
    "date_type": "a valid date, YYYY-MM-DD",
    "datetime_from_date_parsing": "a valid datetime, ISO 8601 such as 2026-10-01T00:05:00Z",
    "datetime_parsing": "a valid datetime, ISO 8601 such as 2026-10-01T00:05:00Z",
    "datetime_type": "a valid datetime, ISO 8601 such as 2026-10-01T00:05:00Z",
    "string_type": "a valid string (text)",
    "list_type": "a valid list",
    "dict_type": "a valid dictionary (a mapping of keys to values)",
    "model_type": "a valid dictionary (a mapping of keys to values)",
    "model_attributes_type": "a valid dictionary (a mapping of keys to values)",
}


def _tags_at(cls: type, loc: tuple, tag_field: str) -> list[str]:
    """The tags a discriminated union at `loc` admits (`downtime`, `intervals`…), in model order."""
    info = _field_info(cls, loc)
    tp = _unwrap(info.annotation) if info is not None else None
    tags: list[str] = []
    for member in typing.get_args(tp):
        member = _unwrap(member)
        if isinstance(member, type) and issubclass(member, pydantic.BaseModel) and tag_field in member.model_fields:
            tags.extend(typing.get_args(member.model_fields[tag_field].annotation))
    return tags


def _description(cls: type, loc: tuple) -> str:
    info = _field_info(cls, loc)
    return f"; expected {info.description[0].lower()}{info.description[1:]}" if info is not None and info.description else ""


def _path_parts(cls: type, loc: tuple) -> list[str]:
    """A readable path: union tags that pydantic puts into locations are left out."""
    parts: list[str] = []
    for item in _walk(cls, loc):
        part, _tp, skipped = item
        if skipped:
            continue
        if isinstance(part, int):
            if parts:
                parts[-1] = f"{parts[-1]}[{part}]"
            else:
                parts.append(f"[{part}]")
        else:
            parts.append(str(part))
    return parts


def _source_loc(cls: type, loc: tuple) -> tuple:
    """The error location as keys and indexes of the document. A discriminated union puts its
    tag into the location (`credits.tiers.tiers[1]`); the tag `tiers` is also a key there,
    so left in, it would stop the walk on the wrong node."""
    tags = {index for index, (_part, _tp, skipped) in enumerate(_walk(cls, loc)) if skipped}
    return tuple(part for index, part in enumerate(loc) if index not in tags)


def _path_text(cls: type, loc: tuple) -> str:
    return ".".join(_path_parts(cls, loc))


def _walk(cls: type, loc: tuple):
    """Follow a pydantic error location through the model's types, yielding (part, type, is_union_tag)."""
    tp: Any = cls
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            field_info = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field_info.annotation if field_info else Any
            yield part, tp, False
        elif origin is list:
            tp = typing.get_args(tp)[0]
            yield part, tp, False
        elif origin is dict:
            tp = typing.get_args(tp)[1]
            yield part, tp, False
        elif origin in (typing.Union, types.UnionType):
            members = [_unwrap(m) for m in typing.get_args(tp) if m is not type(None)]
            match = None
            for member in members:
                if isinstance(member, type) and issubclass(member, pydantic.BaseModel):
                    tag_field = next((f for f in ("model", "kind") if f in member.model_fields), None)
                    if tag_field and part in typing.get_args(member.model_fields[tag_field].annotation):
                        match = member
            if match is not None:
                tp = match
                yield part, tp, True
            elif len(members) == 1:
                # `X | None`: the location continues inside X
                tp = members[0]
                yield from _walk(tp, (part,))
                return
            else:
                yield part, Any, True
                tp = Any
        else:
            yield part, Any, False
            tp = Any


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    args = [a for a in typing.get_args(tp) if a is not type(None)] if typing.get_origin(tp) in (typing.Union, types.UnionType) else None
    if args is not None and len(args) == 1:
        return _unwrap(args[0])
    return tp


def _fields_at(cls: type, loc: tuple) -> list[str]:
    tp: Any = cls
    for step in _walk(cls, loc):
        tp = step[1]  # the type at the end of the path
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return list(tp.model_fields)
    return []


def _field_info(cls: type, loc: tuple):
    parent: Any = cls
    for _part, tp, _tag in _walk(cls, loc[:-1]):
        parent = tp
    parent = _unwrap(parent)
    if isinstance(parent, type) and issubclass(parent, pydantic.BaseModel):
        return parent.model_fields.get(loc[-1])
    return None
