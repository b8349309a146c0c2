"""Load and evaluate a large tree on every core.

Each agreement folder is independent, so folders are split into chunks that
worker processes load (and, through `task`, evaluate) on their own. Workers
send back plain results and diagnostics, not the model objects, because
pickling thousands of models costs more than the work itself. Small trees
stay in one process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs_sla.core.diagnostics import Diagnostic, Diagnostics
from mkdocs_sla.source.audiences import check_tree_customers, fact_of
from mkdocs_sla.source.fingerprints import RACY_SECONDS, content_digest, digest, fingerprint, fingerprint_top
from mkdocs_sla.source.load import agreement_folders, is_agreement_folder, load_agreement, paused_gc
from mkdocs_sla.source.services import load_services

#: What every worker needs from the parent (the services), set before the fork.
_SHARED: dict[str, Any] = {}

# Below this many agreements one process is faster than starting workers.
PARALLEL_FROM = 200


@dataclass
class FolderCache:
    """Each agreement folder's diagnostics and results, keyed by what the folder holds.

    `key` is what every result depends on besides its folder: the caller's (build date,
    render options) and what the files at the top of the tree hold; when it changes, all is
    redone. A folder is unchanged when its listing is (`fingerprints.fingerprint`: types,
    permissions, sizes, times, link targets), or else when what it holds is (`content_digest`:
    a fresh checkout gives every file new times and the same bytes). All are kept as digests, so that a cache read
    back from disk (`source.diskcache`) compares as one kept in memory."""

    key: str | None = None
    #: folder -> (digest of its fingerprint or None, digest of its content, diagnostics,
    #: results, customer facts); the last three None while not read yet (see `fetch`).
    entries: dict[Path, tuple[str | None, str | None, list[Diagnostic] | None, list[Any] | None, list[Any] | None]] = field(
        default_factory=dict
    )
    #: How many folders the last call loaded (the others came from the cache).
    loaded: int = 0
    #: With a time (ns since the epoch; see `racy_time`): the fingerprint of a folder holding a
    #: file modified or changed at or after it is not kept, since the file may change again
    #: within the same tick of the file system's clock and keep its times (git's "racy clean"
    #: files); its content is compared instead.
    racy_before: int | None = None
    #: For entries held as digests alone (a cache on disk: `source.diskcache`): reads the
    #: diagnostics, results and facts of the given folders, once they are known to be unchanged;
    #: a folder it leaves out is loaded again. Until then the process stays small, so that the
    #: workers forked to compare the folders do not start as copies of every stored result.
    fetch: Callable[[list[Path]], dict[Path, tuple[list[Diagnostic], list[Any], list[Any]]]] | None = None
    #: For the next call alone: the names of the tree's top-level entries where something changed
    #: since the last call, as a watcher of the tree's change events tells them (`mkdocs serve`:
    #: `watching.FolderWatch.changed`). A folder outside it whose kept fingerprint holds (not racy)
    #: is taken as unchanged without being listed. None: every folder is listed.
    changed: set[str] | None = None


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
    # What lies beside the folders is fingerprinted before anything is read: an edit in between
    # changes the next run's key rather than hiding under this one's.
    top = fingerprint_top(root, _agreement_names(root)) if cache is not None else None
    # The services are loaded once, before the workers fork: each worker inherits them.
    _SHARED["services"] = load_services(Path(root), diagnostics)
    folders = agreement_folders(root, diagnostics)
    states: dict[Path, tuple[str | None, str | None, str]] = {}  # folder -> (fingerprint kept, content, fingerprint now)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    many = workers > 1 and len(folders) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods()
    with contextlib.ExitStack() as stack:
        # One pool for comparing and loading, forked before any stored result is read.
        pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))) if many else None
        todo = folders
        if cache is not None:
            shared = digest((key, today, top))
            if cache.key != shared:
                cache.key, cache.entries = shared, {}
            todo = _changed(cache, folders, states, pool, workers)
        if pool is None or len(todo) < PARALLEL_FROM:
            done = _run_chunk(todo, task, today)
        else:
            done = []
            parts = _slices(len(todo), workers)
            for chunk_done in pool.map(_run_chunk, [todo[p] for p in parts], [task] * len(parts), [today] * len(parts)):
                done.extend(chunk_done)
    results = dict(zip(todo, done, strict=True))
    payloads: list[Any] = []
    facts: list[Any] = []
    for folder in folders:
        if folder in results:
            items, folder_payloads, folder_facts = results[folder]
            # Kept only if the folder is as it was before the load: an edit during the load, later
            # undone, would otherwise leave results of the edited files under the original ones.
            if cache is not None and digest(fingerprint(folder)) == states[folder][2]:
                cache.entries[folder] = (*states[folder][:2], items, folder_payloads, folder_facts)
            elif cache is not None:
                cache.entries.pop(folder, None)
        else:
            _, _, items, folder_payloads, folder_facts = cache.entries[folder]
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


def racy_time() -> int:
    """The `racy_before` of a run starting now."""
    return time.time_ns() - RACY_SECONDS * 1_000_000_000


def _changed(cache: FolderCache, folders: list[Path], states: dict, pool: ProcessPoolExecutor | None, workers: int) -> list[Path]:
    """The folders whose cached entry no longer holds, in order (their new state goes into
    `states`); the others' stored results read (`FolderCache.fetch`). With `pool`, each worker lists
    and reads folders of its own: only paths and digests cross between the processes."""
    changed, cache.changed = cache.changed, None
    if changed is not None:
        # Listing 2,000 folders costs more than the rest of a preview's rebuild with no edit.
        folders = [f for f in folders if f.name in changed or f not in cache.entries or None in (cache.entries[f][0], cache.entries[f][2])]
    kept = [cache.entries[f][0] if f in cache.entries else None for f in folders]
    if pool is None:
        found = _compare_chunk(folders, kept, cache.racy_before)
    else:
        found = []
        parts = _slices(len(folders), workers)
        for chunk_found in pool.map(
            _compare_chunk, [folders[p] for p in parts], [kept[p] for p in parts], [cache.racy_before] * len(parts)
        ):
            found.extend(chunk_found)
    compared = dict(zip(folders, found, strict=True))
    for folder, (stat, content, now) in compared.items():
        entry = cache.entries.get(folder)
        if entry is not None and stat is not None and entry[0] == stat:
            continue
        if entry is not None and content is not None and entry[1] == content:
            cache.entries[folder] = (stat, *entry[1:])  # the same bytes, newer times: trusted from now on
            continue
        states[folder] = (stat, content, now)
    pending = [f for f in folders if f not in states and cache.entries[f][2] is None]
    if pending:
        stored = cache.fetch(pending) if cache.fetch is not None else {}
        for folder in pending:
            if folder in stored:
                cache.entries[folder] = (*cache.entries[folder][:2], *stored[folder])
            else:  # not as it was when compared (another run wrote it since): loaded again
                states[folder] = compared[folder]
    return [f for f in folders if f in states]


def _compare_chunk(folders: list[Path], kept: list[str | None], racy_before: int | None) -> list[tuple[str | None, str | None, str]]:
    """Each folder's (fingerprint to keep, content, fingerprint now), as digests: the fingerprint
    to keep is None when a file in the folder is racy (`FolderCache.racy_before`); the content is
    read only when that fingerprint is not the one `kept`, and is None when it is not read or a
    file cannot be."""
    found = []
    for folder, kept_stat in zip(folders, kept, strict=True):
        files = fingerprint(folder)
        racy = racy_before is not None and any(entry[3] >= racy_before or entry[5] >= racy_before for entry in files)
        now = digest(files)
        stat = None if racy else now
        content = None if stat is not None and stat == kept_stat else content_digest(folder, files)
        found.append((stat, content, now))
    return found


def _slices(count: int, workers: int) -> list[slice]:
    """`count` items in about four chunks a worker: a slow chunk does not keep the others waiting."""
    size = max(1, count // (workers * 4))
    return [slice(i, i + size) for i in range(0, count, size)]


def _agreement_names(root: Path) -> set[str]:
    """The names `agreement_folders` takes for agreements, without reporting anything: what
    `fingerprint_top` leaves out."""
    try:
        return {p.name for p in root.iterdir() if is_agreement_folder(p)}
    except OSError:
        return set()


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
