"""Under `mkdocs serve`, the agreements folder is watched with the file system's change events.

MkDocs 1.6 (and ProperDocs) watch every path with watchdog's `PollingObserver`:
every half second, a thread of the server lists and stats every file under the
path and compares the listing with the last one. At 2,000 agreements that is
54,000 files and 0.9 s a listing (measured), so the thread runs about two thirds
of the time; it holds the interpreter's lock while the rebuild wants it, which
then takes up to twice as long, and it sees an edit up to 1.4 s after it is
saved. Change events (inotify on Linux, FSEvents on macOS, ReadDirectoryChanges
on Windows: watchdog's `Observer`) cost nothing while nothing changes, and
arrive at once.

An event asks the server for a rebuild as MkDocs' own watcher does (the same two
fields of the server, under its lock). Where they are missing (another version of
the server) or the file system gives no events (`watch: polling` in mkdocs.yml,
for a network share or a folder mounted into a container, where the events of
edits made outside do not arrive), the folder is left to the server's polling.

The events also say which agreement folders changed (`FolderWatch.changed`), so
that a rebuild lists those alone rather than all 2,000 (0.6 s). That is trusted
only where a lost event is known to be lost: under inotify, whose queue can
overflow, from the watchdog release that reports an overflow (7.1, with a
warning). The watch begins as the first build is about to list the folders, so
even the first rebuild after the server starts knows what changed since. Any
warning or error from watchdog, and every other emitter, mean "anything may
have changed": every folder is listed, as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import watchdog.events
import watchdog.observers

try:  # Linux only
    from watchdog.observers.inotify import InotifyObserver
    from watchdog.observers.inotify_c import WatchCallback
except ImportError:  # pragma: no cover - other systems
    InotifyObserver = WatchCallback = None

#: The two ways `watch` in mkdocs.yml can name.
EVENTS, POLLING = "events", "polling"


def rebuild_request(server) -> Callable[[], None] | None:
    """What MkDocs' watcher does on a change (`LiveReloadServer.watch`'s callback): set
    `_want_rebuild` under `_rebuild_cond`. None when this server has no such fields."""
    condition = getattr(server, "_rebuild_cond", None)
    if not isinstance(condition, threading.Condition) or not isinstance(getattr(server, "_want_rebuild", None), bool):
        return None

    def request() -> None:
        with condition:
            server._want_rebuild = True
            condition.notify_all()

    return request


#: What changes the folder. Not a file's being opened or read: the build itself reads them.
#: With the folders' own events, unlike MkDocs' watcher: a folder moved out of the tree comes
#: as its own event alone.
CHANGES = [
    watchdog.events.FileCreatedEvent,
    watchdog.events.FileModifiedEvent,
    watchdog.events.FileDeletedEvent,
    watchdog.events.FileMovedEvent,
    watchdog.events.FileClosedEvent,  # closed after writing
    watchdog.events.DirCreatedEvent,
    watchdog.events.DirDeletedEvent,
    watchdog.events.DirMovedEvent,
]


def reports_lost_events(observer) -> bool:
    """Whether events this observer loses are known to be lost: inotify's, from the watchdog
    release on that tells of a queue overflow (its callbacks gained `on_queue_overflow`, and it
    logs a warning). Before it, an overflow was dropped without a word."""
    return InotifyObserver is not None and isinstance(observer, InotifyObserver) and hasattr(WatchCallback, "on_queue_overflow")


class _Changes(watchdog.events.FileSystemEventHandler):
    """Keeps the names of the folder's top-level entries where changes were since they were
    last taken (`take`), and asks for a rebuild on each change once a server is attached."""

    def __init__(self, folder: Path) -> None:
        self.base = os.path.join(os.fspath(folder), "")
        self.lock = threading.Lock()
        self.names: set[str] | None = set()  # None: a change anywhere (the folder itself, or lost events)
        self.request: Callable[[], None] | None = None

    def attach(self, request: Callable[[], None]) -> None:
        """From now on each change asks for a rebuild; at once if one came since the last take
        (during the first build, before the server started)."""
        with self.lock:
            self.request = request
            pending = self.names is None or bool(self.names)
        if pending:
            request()

    def on_any_event(self, event) -> None:
        # `CHANGES` already leaves these out where the emitter applies it (inotify); not all do.
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self.lock:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                self._note(os.fsdecode(path))
            request = self.request
        if request is not None:
            request()

    def _note(self, path: str) -> None:
        if self.names is None or not path:
            return
        if path.startswith(self.base):
            self.names.add(path[len(self.base) :].split(os.sep, 1)[0])
        elif os.path.join(path, "") == self.base:
            self.names = None  # the folder itself (deleted)
        # else: outside the folder (where a file moved out of it went)

    def lose(self) -> None:
        """Events may have been lost: the next rebuild lists every folder."""
        with self.lock:
            self.names = None
            request = self.request
        if request is not None:
            request()

    def take(self) -> set[str] | None:
        with self.lock:
            names, self.names = self.names, set()
        return names


class _Lost(logging.Handler):
    """watchdog's warnings and errors (an inotify queue overflowed, watches could not be
    rebuilt): from then on, events may be missing."""

    def __init__(self, changes: _Changes) -> None:
        super().__init__(logging.WARNING)
        self.changes = changes

    def emit(self, record: logging.LogRecord) -> None:
        self.changes.lose()


class FolderWatch:
    """The agreements folder's watcher of one preview server. It starts (`begin`) as the first
    build is about to list the folders, so that every change from then on is known, and asks
    the server for rebuilds once the server is there (`attach`, after that build)."""

    def __init__(self) -> None:
        self.observer = None
        self.folder: Path | None = None  # the folder watched, once begun
        self.refused: str | None = None  # why the events could not be watched, if so
        self._changes: _Changes | None = None
        self._trusted = False  # whether the events are known to name every change
        self._lost: _Lost | None = None
        self._taken = False

    def begin(self, folder: Path, how: str) -> None:
        """Watch `folder` by its change events when `how` is EVENTS (else `attach` leaves it to
        the server's polling)."""
        self.stop()
        self.folder, self.refused = folder, None
        if how != EVENTS:
            return
        observer = watchdog.observers.Observer()
        changes = _Changes(folder)
        lost = _Lost(changes)
        # Before the start: a watch that cannot be set up while starting logs too.
        logging.getLogger("watchdog").addHandler(lost)
        try:
            observer.schedule(changes, str(folder), recursive=True, event_filter=CHANGES)
            observer.start()
        except Exception as error:  # any emitter's failure: the server polls instead
            # No events here, e.g. the system's limit of inotify watches is reached.
            self.refused = f"{type(error).__name__}: {error}"
            observer.stop()
            logging.getLogger("watchdog").removeHandler(lost)
            return
        self.observer, self._changes, self._lost, self._taken = observer, changes, lost, False
        self._trusted = reports_lost_events(observer)

    def attach(self, server) -> str:
        """Each change asks `server` for a rebuild; returns how the folder is watched: EVENTS,
        else POLLING (by the server: no events, or a server without the fields they set)."""
        request = rebuild_request(server) if self._changes is not None else None
        if request is None:
            self._halt()
            server.watch(str(self.folder))
            return POLLING
        self._changes.attach(request)
        return EVENTS

    def start(self, server, folder: Path, how: str) -> str:
        """`begin` and `attach` at once."""
        self.begin(folder, how)
        return self.attach(server)

    def changed(self) -> set[str] | None:
        """The names of the folder's top-level entries changed since the last call, as the events
        tell; None when they cannot tell it for certain (see the module's docstring): polling, an
        emitter that may lose events unseen, events lost, the first call after `begin`."""
        if self._changes is None or not self._trusted:
            return None
        names = self._changes.take()
        if not self._taken:
            self._taken = True
            return None
        return names

    def stop(self) -> None:
        self._halt()
        self.folder = None

    def _halt(self) -> None:
        if self._lost is not None:
            logging.getLogger("watchdog").removeHandler(self._lost)
            self._lost = None
        self._changes = None
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
