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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchdog.events
import watchdog.observers

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


class _Changes(watchdog.events.FileSystemEventHandler):
    def __init__(self, request: Callable[[], None]) -> None:
        self.request = request

    def on_any_event(self, event) -> None:
        # `CHANGES` already leaves these out where the emitter applies it (inotify); not all do.
        if event.event_type not in ("opened", "closed_no_write"):
            self.request()


class FolderWatch:
    """The agreements folder's watcher of one preview server."""

    def __init__(self) -> None:
        self.observer = None
        self.refused: str | None = None  # why the events could not be watched, if so

    def start(self, server, folder: Path, how: str) -> str:
        """Watch `folder` for `server`; returns how: EVENTS, else POLLING (by the server)."""
        self.stop()
        self.refused = None
        request = rebuild_request(server) if how == EVENTS else None
        if request is not None:
            observer = watchdog.observers.Observer()
            try:
                observer.schedule(_Changes(request), str(folder), recursive=True, event_filter=CHANGES)
                observer.start()
            except Exception as error:  # any emitter's failure: the server polls instead
                # No events here, e.g. the system's limit of inotify watches is reached.
                self.refused = f"{type(error).__name__}: {error}"
                observer.stop()
            else:
                self.observer = observer
                return EVENTS
        server.watch(str(folder))
        return POLLING

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
