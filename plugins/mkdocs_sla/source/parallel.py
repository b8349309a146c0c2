"""Load and evaluate a large tree on every core.

Each agreement folder is independent, so folders are split into chunks that
worker processes load (and, through `task`, evaluate) on their own. Workers
send back plain results and diagnostics, not the model objects, because
pickling thousands of models costs more than the work itself. Small trees
stay in one process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
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


@dataclass
class FolderCache:
    """Each agreement folder's diagnostics and results, keyed by what the folder holds.

    `key` is what every result depends on besides its folder: the caller's (build date,
    render options) and the files at the top of the tree; when it changes, all is redone.
    Both it and a folder's fingerprint are kept as digests (`digest`), so that a cache read
    back from disk (`source.diskcache`) compares as one kept in memory."""

    key: str | None = None
    #: folder -> (digest of its fingerprint, diagnostics, results, customer facts)
    entries: dict[Path, tuple[str, list[Diagnostic], list[Any], list[Any]]] = field(default_factory=dict)
    #: How many folders the last call loaded (the others came from the cache).
    loaded: int = 0
    #: With a time (ns since the epoch): a folder holding a file modified at or after it is
    #: loaded but not kept, since it may change again within the file system clock's tick.
    racy_before: int | None = None


def digest(value: object) -> str:
    """A short digest of plain data (tuples, strings, numbers, dates) by its `repr`."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def fingerprint(folder: Path) -> tuple:
    """Every file under `folder`: (relative path, size, modification time in ns), sorted.
    An edit, a new file or a removed one changes it; reading no file's content keeps it cheap."""
    found = []
    # Paths relative to `folder` by slicing: os.path.relpath costs more than the stat itself.
    skip = len(os.fspath(folder)) + 1
    stack = [os.fspath(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=True):
                        stack.append(entry.path)
                    else:
                        try:
                            stat = entry.stat()
                        except OSError:
                            continue  # a dangling link: the loader reports it
                        found.append((entry.path[skip:], stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(found))


def for_each_agreement(
    root: Path | str,
    task: Callable[[Any], Any] | None = None,
    workers: int | None = None,
    *,
    today: dt.date | None = None,
    cache: FolderCache | None = None,
    key: object = None,
) -> tuple[list[Diagnostic], list[Any]]:
    """Load every agreement under `root`, apply `task` (a module-level function) to each valid
    record, and return every diagnostic (sorted) and the task's results in folder order.
    `today` is the adapter's date, as `load` takes it. With `cache`, unchanged folders are not
    loaded again (`key`: see `FolderCache`; it must hold `today` when the results depend on it)."""
    root = Path(root)
    diagnostics = Diagnostics()
    # The services are loaded once, before the workers fork: each worker inherits them.
    _SHARED["services"] = load_services(Path(root), diagnostics)
    folders = agreement_folders(root, diagnostics)
    prints: dict[Path, str] = {}
    newest: dict[Path, int] = {}
    todo = folders
    if cache is not None:
        names = {f.name for f in folders}
        shared = digest((key, today, fingerprint_top(root, names)))
        if cache.key != shared:
            cache.key, cache.entries = shared, {}
        for f in folders:
            files = fingerprint(f)
            prints[f] = digest(files)
            newest[f] = max((mtime for _path, _size, mtime in files), default=0)
        todo = [f for f in folders if f not in cache.entries or cache.entries[f][0] != prints[f]]
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        done = _run_chunk(todo, task, today)
    else:
        size = max(1, len(todo) // (workers * 4))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        done = []
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk_done in pool.map(_run_chunk, chunks, [task] * len(chunks), [today] * len(chunks)):
                done.extend(chunk_done)
    results = dict(zip(todo, done, strict=True))
    payloads: list[Any] = []
    facts: list[Any] = []
    for folder in folders:
        if folder in results:
            items, folder_payloads, folder_facts = results[folder]
            if cache is not None:
                if cache.racy_before is None or newest[folder] < cache.racy_before:
                    cache.entries[folder] = (prints[folder], items, folder_payloads, folder_facts)
                else:
                    cache.entries.pop(folder, None)
        else:
            _, items, folder_payloads, folder_facts = cache.entries[folder]
        diagnostics.items.extend(items)
        payloads.extend(folder_payloads)
        facts.extend(folder_facts)
    if cache is not None:
        for gone in set(cache.entries) - set(folders):
            del cache.entries[gone]
        cache.loaded = len(todo)
    # The customers across agreements: one key, one spelling, declared where customers.yaml is.
    diagnostics.items.extend(check_tree_customers(root, facts, diagnostics))
    return diagnostics.sorted(), payloads


def fingerprint_top(root: Path, folders: set[str]) -> tuple:
    """The files and hidden folders at the top of the tree, beside the agreement folders."""
    found = []
    try:
        for entry in sorted(os.scandir(root), key=lambda e: e.name):
            if entry.name in folders:
                continue
            stat = entry.stat()
            found.append((entry.name, stat.st_size, stat.st_mtime_ns, fingerprint(Path(entry.path)) if entry.is_dir() else ()))
    except OSError:
        pass
    return tuple(found)


def _run_chunk(folders: list[Path], task, today: dt.date | None = None) -> list[tuple[list[Diagnostic], list[Any], list[Any]]]:
    """Each folder's (diagnostics, results, customer facts), in order."""
    done = []
    with paused_gc():
        for folder in folders:
            diagnostics = Diagnostics()
            record = load_agreement(folder, diagnostics, today, _SHARED.get("services"))
            payloads, facts = [], []
            if record is not None:
                facts.append(fact_of(record))
                if task is not None:
                    payloads.append(task(record))
            done.append((diagnostics.items, payloads, facts))
    return done
