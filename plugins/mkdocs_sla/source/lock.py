"""lock: `versions.lock`, the content hashes of published versions (written by `sla lock`).

A version once published is never rewritten; its hash, taken over the keys written in the
file, is what `sla validate` checks it against. The same lock keeps an agreement's versions
(`agreements/<id>/versions.lock`) and a service's standard versions
(`agreements/services/<id>/versions.lock`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import typing
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position, Rule, excerpt
from mkdocs_sla.core.model import Terms
from mkdocs_sla.core.records import StandardVersion, Version
from mkdocs_sla.source.yamlsource import display_path, parse, read_text

AGREEMENT_FILE = "agreement.yaml"
LOCK_FILE = "versions.lock"


#: Keys of a version that are not agreed terms: left out of its content hash.
NOT_TERMS = frozenset({"publish", "customer_id"})


def digest(terms: Terms) -> str:
    """A content hash of a version's terms, independent of formatting and comments.

    Only the keys written in the file count (`exclude_unset`): a later release of the format
    that adds an optional key with a default must not make every published version look
    rewritten. Nor do `publish` and `customer_id`: where the provider shows an agreement and
    which site it goes to are the provider's bookkeeping, not terms the customer agreed to."""
    return digest_of(terms_data(terms))


def terms_data(terms, exclude: frozenset[str] = frozenset()) -> dict:
    """The plain data that a version's content hash is taken over (`digest`): the keys written,
    without `NOT_TERMS` and `exclude`. Parts of one version's terms dumped apart and joined hash
    as the whole does (an inheriting agreement joins its standard's, dumped once, to its parties)."""
    return terms.model_dump(mode="json", exclude_unset=True, exclude=NOT_TERMS | exclude)


def digest_of(data: dict) -> str:
    """The content hash of a version's plain data (`terms_data`)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def check_lock(
    folder: Path, versions: typing.Sequence[Version | StandardVersion], diagnostics: Diagnostics, file: str = AGREEMENT_FILE
) -> None:
    """A version once published is never rewritten: its hash must match `versions.lock`. The
    versions of an agreement (in `agreement.yaml`) or of a service's standard (`file`: `standard.yaml`)."""
    path = folder / LOCK_FILE
    if not os.path.lexists(path):
        return
    display = display_path(path)
    text = read_text(path, display, diagnostics)
    if text is None:
        return
    documents = parse(text, display, diagnostics)
    if not documents:
        return
    locked = documents[0].data
    if not isinstance(locked, dict) or not all(isinstance(v, str) for v in locked.values()):
        diagnostics.error(Position(display), "expected `version: sha256:…` lines, as written by `sla lock`")
        return
    labels = {v.label: v for v in versions}
    for label, expected in locked.items():
        version = labels.get(label)
        where = documents[0].position((label,), key=True)
        if version is None:
            diagnostics.error(
                where,
                f"version `{excerpt(label)}` was published but is no longer in {file}; published versions stay in the history",
                Rule.PUBLISHED_VERSION_CHANGED,
            )
        elif version.digest != expected:
            diagnostics.error(
                version.position,
                f"version `{label}` differs from the version published (hash in {display} line {where.line}); a version in force is never rewritten: add a new version instead",
                Rule.PUBLISHED_VERSION_CHANGED,
            )


def lock_text(versions: typing.Iterable[Version | StandardVersion], today: dt.date) -> str:
    """The content of `versions.lock`: hashes of every version published or in force by `today`."""
    lines = [
        "# Content hashes of published versions, written by `sla lock`. Do not edit by hand:",
        "# a version that no longer matches its hash was rewritten after publication.",
        "",
    ]
    for version in versions:
        if version.published_by(today):
            lines.append(f'"{version.label}": {version.digest}')
    return "\n".join(lines) + "\n"
