"""What `sla validate` and `sla credits` found in each agreement folder, kept between runs.

A catalog of 10,000 agreements is a quarter of a million YAML files; reading them all is
minutes of work, while a pull request changes a few. So each folder's diagnostics and
results are stored with its fingerprint (every entry's path, type, permissions, size, times
and link target: `fingerprints.fingerprint`) and a digest of what it holds, and a later run loads again
only the folders that changed, as the live preview does in memory (`parallel.FolderCache`):
where the fingerprint differs, the files are read and their bytes compared, so a fresh
checkout (new times, the same bytes) still finds its results here.

Everything else a result depends on is the cache's key, and a new key starts afresh: the
verb and its options, the date checked against, what the files beside the agreement
folders hold (services, calendars, customers), the working directory (diagnostics name files
relative to it), and the code: what this package's files hold, the versions of Python and
of the libraries that read the input, and the system's time zone data. The key is compared as
a digest, so nothing is trusted that was not written for exactly this run's inputs.

One SQLite file per agreements folder and verb, under `SLA_CACHE_DIR`, else `$XDG_CACHE_HOME/mkdocs-sla`,
else `~/.cache/mkdocs-sla`. Rows hold JSON, never pickles: a cache restored from elsewhere
(a CI cache, say) can hold wrong results at worst, never run code. A cache that cannot be
read or written is passed over with a warning: the run itself is never lost to it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import sqlite3
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mkdocs_sla.core.diagnostics import Diagnostic, Position, Rule, Severity
from mkdocs_sla.source.audiences import CustomerFact
from mkdocs_sla.source.fingerprints import content_digest, digest
from mkdocs_sla.source.parallel import FolderCache, for_each_agreement, racy_time
from mkdocs_sla.source.yamlsource import display_base

CACHE_DIR_ENV = "SLA_CACHE_DIR"
#: The cache files' names start so: only these are ever dropped from the folder.
PREFIX = "sla-"
#: Bump when the rows' layout changes: older files are then started afresh.
LAYOUT = 1
#: The cache files kept, the most recently used: a file per agreements folder and set of
#: options (`sla credits --period P` for each P), so old ones are dropped rather than piling up.
KEPT_FILES = 16
#: The libraries whose version changes what a run reads or reports.
_LIBRARIES = ("pydantic", "pydantic-core", "PyYAML", "python-dateutil", "holidays", "icalendar", "tzdata")
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where the cache files live: `SLA_CACHE_DIR`, else the XDG cache folder."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mkdocs-sla"


def code_version() -> str:
    """A digest of the code that makes a result: what this package's Python files hold and the
    libraries' versions, so that an upgrade or an edit of the loader never serves results of
    the code before (by content: a checkout in CI gives the files new times)."""
    files = tuple(sorted((str(p.relative_to(_PACKAGE)), p.stat().st_mode, p.stat().st_size, 0, "") for p in _PACKAGE.rglob("*.py")))
    versions = []
    for name in _LIBRARIES:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, None))
    return digest((LAYOUT, sys.version, content_digest(_PACKAGE, files), versions, _system_time_zones()))


def _system_time_zones() -> tuple:
    """The version of the system's time zone data, which `zoneinfo` reads before the tzdata
    package: a new release moves the periods of the zones it changes."""
    found = []
    for folder in zoneinfo.TZPATH:
        with contextlib.suppress(OSError), open(os.path.join(folder, "tzdata.zi"), encoding="utf-8", errors="replace") as file:
            found.append((folder, file.readline().strip()))
    return tuple(found)


class DiskCache:
    """One agreements folder's cache file: `load` gives a `FolderCache` to run with, `save`
    writes back what the run changed."""

    def __init__(self, root: Path | str, verb: tuple, directory: Path | None = None):
        # The absolute path as given, links not resolved (a link loop must reach the loader,
        # which reports it); diagnostics name files relative to the working directory (or the
        # project's, while a site is built: yamlsource.names_for_site).
        # And who reads: a file another user cannot read is an error for that user, which a
        # cache filled by one who can (a shared SLA_CACHE_DIR) would hide.
        where = (os.path.abspath(root), display_base(), os.geteuid() if hasattr(os, "geteuid") else None)
        # A file per verb and options: `validate` and `credits` in turn keep both warm.
        self.path = (directory or cache_dir()) / f"{PREFIX}{digest((where, verb))}.sqlite"
        #: What the caller passes to `for_each_agreement` as `key`.
        self.key = digest((code_version(), verb, where))
        self.warnings: list[str] = []
        self._stored: dict[str, tuple] = {}  # folder -> the (fingerprint, content) digests stored
        self._stored_key: str | None = None
        self._read: dict[str, list] = {}  # folder -> the diagnostics `fetch` read from its row
        self._unreadable = False

    def load(self) -> FolderCache:
        """The stored entries, as digests until `fetch` reads their rows (none if the file is
        missing, unreadable or of other code)."""
        cache = FolderCache(racy_before=racy_time())
        if not self.path.exists():
            return cache
        try:
            with self._connect() as db:
                stored = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
                # The digests alone: the rows are read once their folders are known to be
                # unchanged (`fetch`), and not at all under another key.
                for name, stat, content in db.execute("SELECT folder, stat, content FROM folders"):
                    folder = os.fsdecode(name)
                    cache.entries[Path(folder)] = (stat, content, None, None, None)
                    self._stored[folder] = (stat, content)
        except (sqlite3.Error, OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            self.warnings.append(f"sla: cache {self.path} not read ({exc}); every agreement is loaded, and the cache written anew")
            cache.entries.clear()
            self._stored, self._unreadable = {}, True
            return cache
        cache.key = self._stored_key = stored[0] if stored else None
        cache.fetch = self.fetch
        with contextlib.suppress(OSError):
            os.utime(self.path)  # used: among the last to be dropped (KEPT_FILES)
        return cache

    def fetch(self, folders: list[Path]) -> dict[Path, tuple]:
        """The stored (diagnostics, results, facts) of `folders` (`FolderCache.fetch`), of the
        rows still as `load` found them: one another run rewrote since, or for other inputs, is
        left out (its folder is loaded again), as is every row of a file that cannot be read."""
        wanted = {os.fsencode(f) for f in folders}
        found: dict[Path, tuple] = {}
        try:
            with self._connect() as db:
                now = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
                if (now[0] if now else None) != self._stored_key:
                    return {}
                for name, stat, content, row, texts in db.execute("SELECT folder, stat, content, entry, texts FROM folders"):
                    folder = os.fsdecode(name)
                    if name in wanted and self._stored.get(folder) == (stat, content):
                        found[Path(folder)] = _decode(row, texts)
                        self._read[folder] = found[Path(folder)][0]
        except (sqlite3.Error, OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            self.warnings.append(f"sla: cache {self.path} not read ({exc}); its agreements are loaded again")
            self._read.clear()
            return {}
        return found

    def save(self, cache: FolderCache) -> None:
        """Write the entries that are new or changed, and drop the folders that are gone."""
        fresh = self._stored_key != cache.key  # other inputs: every row is written again
        changed = {str(f): e for f, e in cache.entries.items() if fresh or self._stored.get(str(f)) != e[:2]}
        # A row read as it was, whose folder has the same bytes and new times (a checkout): only
        # its fingerprint is written, not its results encoded again.
        touched = {} if fresh else {f: e[0] for f, e in changed.items() if self._read.get(f) is e[2] and self._stored[f][1] == e[1]}
        gone = set() if fresh else set(self._stored) - {str(f) for f in cache.entries}
        if not fresh and not changed and not gone:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._unreadable:
                self.path.unlink(missing_ok=True)
            with self._connect(write=True) as db:
                # Another run may have written the file since it was read, for other inputs (another
                # --today): then its rows are not this run's, and all of this run's are written instead.
                now = db.execute("SELECT value FROM meta WHERE name = 'key'").fetchone()
                if (now[0] if now else None) != self._stored_key:
                    fresh, gone, touched = True, set(), {}
                    changed = {str(f): e for f, e in cache.entries.items()}
                if fresh:
                    db.execute("DELETE FROM folders")
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('key', ?)", (cache.key,))
                db.executemany("DELETE FROM folders WHERE folder = ?", ((os.fsencode(f),) for f in gone))
                # Only if the row is still the one read (another run with the same key may have
                # written the folder's newer results since): else it stays, compared next time.
                db.executemany(
                    "UPDATE folders SET stat = ? WHERE folder = ? AND stat IS ? AND content = ?",
                    ((stat, os.fsencode(f), *self._stored[f]) for f, stat in touched.items()),
                )
                db.executemany(
                    "INSERT OR REPLACE INTO folders (folder, stat, content, entry, texts) VALUES (?, ?, ?, ?, ?)",
                    ((os.fsencode(f), e[0], e[1], *_encode(*e[2:])) for f, e in changed.items() if f not in touched),
                )
        except (sqlite3.Error, OSError, TypeError, ValueError) as exc:
            self.warnings.append(f"sla: cache {self.path} not written ({exc}); the next run loads every agreement again")
            return
        self._drop_old()

    def _drop_old(self) -> None:
        """Remove all but the KEPT_FILES most recently used cache files of the folder."""
        try:
            files = sorted(self.path.parent.glob(f"{PREFIX}*.sqlite"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in files[KEPT_FILES:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # another run dropped it first: what matters is that the files do not pile up

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The file in one transaction: a run that stops halfway leaves the last good file. To
        write, the lock is taken at once (BEGIN IMMEDIATE), so that what `save` checks of the file
        still holds when it writes."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
                db.execute("CREATE TABLE IF NOT EXISTS folders (folder BLOB PRIMARY KEY, stat TEXT, content TEXT, entry BLOB, texts BLOB)")
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()


def for_each_cached(
    root: Path | str, task: Callable[[Any], Any] | None, verb: tuple, *, today, use_cache: bool = True, warn: Callable[[str], None]
) -> tuple[list[Diagnostic], list[Any]]:
    """`parallel.for_each_agreement` through the cache of `root` for `verb` (the verb and every
    option its results depend on); `warn` says why a cache was passed over."""
    if not use_cache:
        return for_each_agreement(root, task, today=today)
    disk = DiskCache(root, verb)
    cache = disk.load()
    found = for_each_agreement(root, task, today=today, cache=cache, key=disk.key)
    disk.save(cache)
    for warning in disk.warnings:
        warn(warning)
    return found


# A row: the diagnostics, the task's results (JSON data; a tuple comes back as a tuple) and
# the customer facts, as JSON. A long string inside a result tuple (an agreement's credits
# already encoded as JSON) is kept apart in `texts`, as it is: escaped inside the row, it
# would cost more to read back than the rest of the cache together.

#: Strings at least this long go into `texts`.
_APART = 256


# File names that are not UTF-8 reach the rows as lone surrogates (os.fsdecode): kept as they
# are, in bytes (`surrogatepass`), and the folder names as the file system's bytes.


def _encode(items: list[Diagnostic], payloads: list[Any], facts: list[CustomerFact | None]) -> tuple[bytes, bytes]:
    texts: list[str] = []
    spans = []  # [result, element, start, end] of each string kept apart
    at = 0
    rows = []
    for i, payload in enumerate(payloads):
        if isinstance(payload, tuple):
            payload = list(payload)
            for j, element in enumerate(payload):
                if isinstance(element, str) and len(element) >= _APART:
                    spans.append([i, j, at, at + len(element)])
                    texts.append(element)
                    at += len(element)
                    payload[j] = None
        rows.append(payload)
    entry = [
        [[*_position(d.position), d.severity, d.message, d.rule.value if d.rule else None] for d in items],
        rows,
        [None if f is None else [f.agreement_id, f.name, f.key, f.explicit, _position(f.position)] for f in facts],
        spans,
    ]
    row = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return row.encode("utf-8", "surrogatepass"), "".join(texts).encode("utf-8", "surrogatepass")


def _decode(row: bytes, raw_texts: bytes) -> tuple[list[Diagnostic], list[Any], list[CustomerFact | None]]:
    items, payloads, facts, spans = json.loads(row.decode("utf-8", "surrogatepass"))
    texts = raw_texts.decode("utf-8", "surrogatepass")
    for i, j, start, end in spans:
        payloads[i][j] = texts[start:end]
    return (
        [Diagnostic(Position(*d[:3]), Severity(d[3]), d[4], Rule(d[5]) if d[5] else None) for d in items],
        [tuple(p) if isinstance(p, list) else p for p in payloads],
        [None if f is None else CustomerFact(f[0], f[1], f[2], f[3], Position(*f[4])) for f in facts],
    )


def _position(position: Position) -> list:
    return [position.file, position.line, position.column]
