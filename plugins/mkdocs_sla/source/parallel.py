"""Load and evaluate a large tree on every core.

Each agreement folder is independent, so folders are split into chunks that
worker processes load (and, through `task`, evaluate) on their own. Workers
send back plain results and diagnostics, not the model objects, because
pickling thousands of models costs more than the work itself. Small trees
stay in one process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from mkdocs_sla.core.diagnostics import Diagnostic, Diagnostics
from mkdocs_sla.source.audiences import fact_of
from mkdocs_sla.source.load import agreement_folders, check_tree_customers, load_agreement, paused_gc
from mkdocs_sla.source.services import load_services

#: What every worker needs from the parent (the services), set before the fork.
_SHARED: dict[str, Any] = {}

# Below this many agreements one process is faster than starting workers.
PARALLEL_FROM = 200


def for_each_agreement(
    root: Path | str, task: Callable[[Any], Any] | None = None, workers: int | None = None, today: dt.date | None = None
) -> tuple[list[Diagnostic], list[Any]]:
    """Load every agreement under `root`, apply `task` (a module-level function) to each valid
    record, and return every diagnostic (sorted) and the task's results in folder order.
    `today` is the adapter's date, as `load` takes it."""
    diagnostics = Diagnostics()
    # The services are loaded once, before the workers fork: each worker inherits them.
    _SHARED["services"] = load_services(Path(root), diagnostics)
    folders = agreement_folders(Path(root), diagnostics)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers <= 1 or len(folders) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        items, payloads, facts = _run_chunk(folders, task, today)
    else:
        size = max(1, len(folders) // (workers * 4))
        chunks = [folders[i : i + size] for i in range(0, len(folders), size)]
        items, payloads, facts = [], [], []
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk_items, chunk_payloads, chunk_facts in pool.map(_run_chunk, chunks, [task] * len(chunks), [today] * len(chunks)):
                items.extend(chunk_items)
                payloads.extend(chunk_payloads)
                facts.extend(chunk_facts)
    diagnostics.items.extend(items)
    # The customers across agreements: one key, one spelling, declared where customers.yaml is.
    diagnostics.items.extend(check_tree_customers(Path(root), facts, diagnostics))
    return diagnostics.sorted(), payloads


def _run_chunk(folders: list[Path], task, today: dt.date | None = None) -> tuple[list[Diagnostic], list[Any], list[Any]]:
    diagnostics = Diagnostics()
    payloads, facts = [], []
    with paused_gc():
        for folder in folders:
            record = load_agreement(folder, diagnostics, today, _SHARED.get("services"))
            if record is not None:
                facts.append(fact_of(record))
                if task is not None:
                    payloads.append(task(record))
    return diagnostics.items, payloads, facts
