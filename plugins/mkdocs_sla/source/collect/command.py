"""The work of `sla collect` once the adapter has read the clock: load, check, plan, write, validate again."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics
from mkdocs_sla.source.collect.config import load_collection
from mkdocs_sla.source.collect.prometheus import CollectError
from mkdocs_sla.source.collect.run import collect
from mkdocs_sla.source.collect.statuspage import plan_statuspage
from mkdocs_sla.source.load import load


def _inside(agreement_id: str, file: str) -> bool:
    return f"/{agreement_id}/" in f"/{file}"


def run_collect(root: Path, now: dt.datetime, *, agreement: str | None, server: str | None, report: Callable, stream=None) -> int:
    """Collect every agreement of `root` with a collect.yaml (or only `agreement`), as of `now`.

    Exit status: 0 done (also when nothing changed), 1 on any error (nothing written unless every
    query succeeded). `report(diagnostics)` prints diagnostics; messages go to `stream` (stderr)."""
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
        print(f"sla collect: error: {exc}", file=err)
        return 1
    for note in plan.notes:
        print(note)
    for path in plan.write():
        print(f"wrote {path}")
    after = load(root)
    problems = [d for d in after.errors if any(_inside(record.id, d.position.file) for record, _f, _c in targets)]
    if problems:
        report(problems)
        print("sla collect: error: the files written do not validate (see above)", file=err)
        return 1
    return 0
