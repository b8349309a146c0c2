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
warning). Any warning or error from watchdog, the first rebuild after the start
(edits between the first build and the watch were not seen), and every other
emitter mean "anything may have changed": every folder is listed, as before.
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
    """Asks for a rebuild on each change, and keeps the names of the folder's top-level entries
    where the changes were since they were last taken (`take`)."""

    def __init__(self, request: Callable[[], None], folder: Path) -> None:
        self.request = request
        self.base = os.path.join(os.fspath(folder), "")
        self.lock = threading.Lock()
        self.names: set[str] | None = set()  # None: a change anywhere (the folder itself, or lost events)

    def on_any_event(self, event) -> None:
        # `CHANGES` already leaves these out where the emitter applies it (inotify); not all do.
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self.lock:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                self._note(os.fsdecode(path))
        self.request()

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
        self.request()

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
    """The agreements folder's watcher of one preview server."""

    def __init__(self) -> None:
        self.observer = None
        self.refused: str | None = None  # why the events could not be watched, if so
        self._changes: _Changes | None = None  # with the events trusted to name every change
        self._lost: _Lost | None = None
        self._taken = False

    def start(self, server, folder: Path, how: str) -> str:
        """Watch `folder` for `server`; returns how: EVENTS, else POLLING (by the server)."""
        self.stop()
        self.refused = None
        request = rebuild_request(server) if how == EVENTS else None
        if request is not None:
            observer = watchdog.observers.Observer()
            changes = _Changes(request, folder)
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
            else:
                self.observer, self._lost, self._taken = observer, lost, False
                self._changes = changes if reports_lost_events(observer) else None
                return EVENTS
        server.watch(str(folder))
        return POLLING

    def changed(self) -> set[str] | None:
        """The names of the folder's top-level entries changed since the last call, as the events
        tell; None when they cannot tell it for certain (see the module's docstring): polling, an
        emitter that may lose events unseen, events lost, the first call after the start."""
        if self._changes is None:
            return None
        names = self._changes.take()
        if not self._taken:
            self._taken = True
            return None
        return names

    def stop(self) -> None:
        if self._lost is not None:
            logging.getLogger("watchdog").removeHandler(self._lost)
            self._lost = None
        self._changes = None
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
