"""The work of `sla collect` once the adapter has read the clock: load, check, plan, validate what
would be written, write."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostic, Diagnostics, excerpt, one_line
from mkdocs_sla.source.collect.config import load_collection
from mkdocs_sla.source.collect.files import corrections_text
from mkdocs_sla.source.collect.prometheus import CollectError
from mkdocs_sla.source.collect.run import Plan, collect
from mkdocs_sla.source.collect.statuspage import plan_statuspage
from mkdocs_sla.source.load import is_agreement_folder, load
from mkdocs_sla.source.yamlsource import display_path


def _inside(agreement_id: str, file: str) -> bool:
    return f"/{agreement_id}/" in f"/{file}"


def run_collect(root: Path, now: dt.datetime, *, agreement: str | None, server: str | None, report: Callable, stream=None) -> int:
    """Collect every agreement of `root` with a collect.yaml (or only `agreement`), as of `now`.

    Exit status: 0 done (also when nothing changed), 1 on any error (nothing written unless every
    query succeeded and the files written would validate). `report(diagnostics)` prints diagnostics; messages go to `stream` (stderr)."""
    err = stream or sys.stderr
    if server is not None and not server.startswith(("http://", "https://")):
        print(f"sla collect: error: --server `{server}` is not an http:// or https:// URL", file=err)
        return 1
    catalog = load(root)
    if agreement is not None and catalog.get(agreement) is None:
        report(catalog.errors)
        print(f"sla collect: error: no valid agreement `{agreement}` in {root}", file=err)
        return 1
    wanted = [a for a in catalog.agreements if agreement in (None, a.id)]
    broken = [d for d in catalog.errors if agreement is None or _inside(agreement, d.position.file)]
    diagnostics = Diagnostics()
    targets = []
    for record in wanted:
        found = load_collection(root / record.id, record, diagnostics)
        if found is not None:
            targets.append((record, root / record.id, found[0]))
    if broken or diagnostics.errors:
        report([*broken, *diagnostics.errors])
        print("sla collect: error: fix the errors above first; nothing was written", file=err)
        return 1
    if not targets:
        where = f"agreement `{agreement}`" if agreement else f"any agreement in {root}"
        print(f"sla collect: error: no collect.yaml in {where}; nothing to collect", file=err)
        return 1
    try:
        plan = collect(targets, now, server)
        for record, folder, collection in targets:
            plan_statuspage(record, folder, collection, now, plan)
    except CollectError as exc:
        for message in exc.messages:  # text from a server or an export: escaped, one line each
            print(f"sla collect: error: {one_line(message)}", file=err)
        return 1
    for note in plan.notes:
        print(one_line(note))
    try:
        problems = planned_problems(root, [record.id for record, _f, _c in targets], plan)
    except (OSError, shutil.Error) as exc:  # a file the copy cannot read, a full disk, a named pipe
        print(
            f"sla collect: error: could not check the collected files in a copy of the tree: {excerpt(one_line(str(exc)))}; "
            "expected readable regular files and room in the temporary folder; nothing was written",
            file=err,
        )
        return 1
    if problems:
        report(problems)
        print("sla collect: error: the files collected would not validate (see above); nothing was written", file=err)
        return 1
    for path in plan.write():
        print(f"wrote {one_line(str(path))}")
    return 0


def planned_problems(root: Path, ids: list[str], plan: Plan) -> list[Diagnostic]:
    """The errors the agreements `ids` would have with the planned files written, named as in `root`.

    Checked in a copy of the tree (the agreements collected, and what they share at its top:
    services, calendars, customers), so that a failed collect leaves the tree as it was. Nothing
    in the tree leads out of it (a link is refused), so the copy validates as the tree would."""
    with tempfile.TemporaryDirectory(prefix="sla-collect-") as temporary:
        copy = Path(temporary) / (root.resolve().name or "agreements")
        wanted = set(ids)

        def others(folder: str, names: list[str]) -> set[str]:
            # The agreements not collected: their files cannot make these agreements invalid.
            if Path(folder) != root:
                return set()
            return {n for n in names if n not in wanted and is_agreement_folder(root / n)}

        # copyfile, not copy2: a read-only file (a Perforce checkout) stays writable in the copy,
        # as the real write replaces files rather than writing into them.
        shutil.copytree(root, copy, symlinks=True, ignore=others, copy_function=shutil.copyfile)
        for path, text in [*plan.files.items(), *((p, None) for p in plan.corrections)]:
            target = copy / path.relative_to(root)
            if text is None:
                existing = path.read_text(encoding="utf-8") if path.exists() else None
                text = corrections_text(existing, plan.corrections[path])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        found = load(copy).errors
        shown, real = display_path(copy), display_path(root)
    return [_renamed(d, shown, real) for d in found if any(_inside(i, d.position.file) for i in ids)]


def _renamed(diagnostic: Diagnostic, copy: str, real: str) -> Diagnostic:
    """A diagnostic of the copy naming the tree's files: the copy is gone once checked."""

    def name(text: str) -> str:
        for separator in {os.sep, "/"}:
            text = text.replace(copy + separator, real + separator)
        return text

    position = dataclasses.replace(diagnostic.position, file=name(diagnostic.position.file))
    return dataclasses.replace(diagnostic, position=position, message=name(diagnostic.message))
