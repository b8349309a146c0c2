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
warning), and while every folder of the tree is known to be watched. The watch
begins as the first build is about to list the folders, so even the first
rebuild after the server starts knows what changed since. Every other emitter,
and a tree whose folders are not all watched (the system's limit of inotify
watches reached: watchdog up to 7.1.0 leaves a sub-folder it cannot watch
unwatched without a word; from 7.1.1 it refuses to start, or warns once started),
mean "anything may have changed" on every rebuild: every folder is
listed, as before. A warning or error from watchdog, the folder itself deleted,
moved or replaced, or a watcher thread ended, mean it for one rebuild, and the
watch begins again (once the folder is back, if it is gone).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Container
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
#: `FolderWatch.take_news` when some folder of the tree could not be watched.
BLIND = "blind"


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
    watchdog.events.FileAttribEvent,  # a file made unreadable, or readable again
    watchdog.events.DirAttribEvent,
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
        self.renew = False  # the watch must begin again: the folder itself changed, or events were lost
        self.watched: Container[bytes] | None = None  # the folders inotify watches (see `_watched_folders`)

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
            if event.is_directory and event.event_type in ("created", "moved"):
                self._check_watched(os.fsdecode(getattr(event, "dest_path", "") or event.src_path))
            request = self.request
        if request is not None:
            request()

    def _note(self, path: str) -> None:
        if self.names is None or not path:
            return
        if path.startswith(self.base):
            self.names.add(path[len(self.base) :].split(os.sep, 1)[0])
        elif os.path.join(path, "") == self.base:
            # The folder itself (deleted): its watches are gone. Made again, it may have the same
            # inode number, so `FolderWatch._healthy` alone might not tell.
            self.names, self.renew = None, True
        # else: outside the folder (where a file moved out of it went)

    def _check_watched(self, path: str) -> None:
        """A folder created or moved in is watched by now (watchdog adds the watch before it
        passes the event on), unless it could not be, or is gone again; either way, begin again."""
        if path.startswith(self.base) and self.watched is not None and os.fsencode(path) not in self.watched:
            self.names, self.renew = None, True

    def lose(self) -> None:
        """Events may have been lost: the next rebuild lists every folder, and begins the watch
        again."""
        with self.lock:
            self.names, self.renew = None, True
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


class _WatchedNodes(Container[bytes]):
    """The folders the inotify watch group of watchdog 7.1.1 and later watches: a tree of nodes
    by name, kept up to date by its thread, where a folder is watched when its node has a watch
    descriptor (a node without one only leads to its sub-folders). Asked one folder at a time,
    by its path: the group's `_active_callbacks_by_path` is now built afresh on each call, from
    every node, and a copy taken once would go stale."""

    def __init__(self, group) -> None:
        self._group = group

    def __contains__(self, path: object) -> bool:
        node = self._group._find_node_by_path(path) if isinstance(path, bytes) else None
        return node is not None and getattr(node, "wd", -1) != -1


def _watched_folders(observer) -> Container[bytes] | None:
    """The folders (as bytes) the inotify emitter of `observer` watches, kept up to date by its
    thread; None where that cannot be seen (another emitter, or another watchdog release).
    watchdog keeps them privately, and has changed how between releases: a node tree from 7.1.1
    (`_WatchedNodes`), a dictionary by path before. An unknown shape is None: every rebuild
    lists every folder, as under polling, never a watch trusted without proof."""
    emitters = list(getattr(observer, "emitters", ()))
    group = getattr(emitters[0], "_inotify", None) if len(emitters) == 1 else None
    if callable(getattr(group, "_find_node_by_path", None)) and isinstance(getattr(group, "_nodes_by_wd", None), dict):
        return _WatchedNodes(group)
    paths = getattr(type(group), "_active_callbacks_by_path", None) if group is not None else None
    if isinstance(paths, property):
        return None  # built afresh on each call from a structure this does not know
    paths = getattr(group, "_active_callbacks_by_path", None)
    return paths if isinstance(paths, dict) else None


def _all_watched(folder: Path, watched: Container[bytes]) -> bool:
    """Whether every folder of the tree is watched, as watchdog walks it (links to folders not
    followed). A folder made while this walks is watched by its own event a moment later: asked
    again once before the answer is no."""
    missing = []
    for parent, names, _ in os.walk(folder):
        folders = [os.path.join(parent, name) for name in names]
        for path in [parent] + [f for f in folders if not os.path.islink(f)]:
            if os.fsencode(path) not in watched:
                missing.append(path)
    if missing:
        time.sleep(0.1)
    return all(os.fsencode(path) in watched or not os.path.isdir(path) for path in missing)


def _hears_watchdog() -> bool:
    """Whether watchdog's warnings reach `_Lost`: a logging set-up that silences them (a level
    above WARNING, `logging.disable`) would hide lost events."""
    return all(
        logging.getLogger(name).isEnabledFor(logging.WARNING) for name in ("watchdog.observers.inotify", "watchdog.observers.inotify_c")
    )


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(folder)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


class FolderWatch:
    """The agreements folder's watcher of one preview server. It starts (`begin`) as the first
    build is about to list the folders, so that every change from then on is known, and asks
    the server for rebuilds once the server is there (`attach`, after that build)."""

    def __init__(self) -> None:
        self.observer = None
        self.folder: Path | None = None  # the folder watched, once begun
        self.how: str | None = None  # EVENTS or POLLING, as asked for
        self.refused: str | None = None  # why the events could not be watched, if so
        self.blind = False  # some folder of the tree could not be watched (see `_all_watched`)
        self._server = None  # the server attached, if any
        self._changes: _Changes | None = None
        self._trusted = False  # whether the events are known to name every change
        self._lost: _Lost | None = None
        self._taken = False
        self._identity: tuple[int, int] | None = None
        self._real: Path | None = None  # the folder a link names, as watchdog watches it
        self.news: str | None = None  # see `take_news`

    def begin(self, folder: Path, how: str) -> None:
        """Watch `folder` by its change events when `how` is EVENTS (else `attach` leaves it to
        the server's polling)."""
        self.stop()
        self.folder, self.how, self.refused, self.blind = folder, how, None, False
        if how != EVENTS:
            return
        observer = watchdog.observers.Observer()
        # The folder a link names: watchdog would watch the link itself (it follows no links),
        # and the events of the folder's own entries would never come.
        real = Path(os.path.realpath(folder))
        changes = _Changes(real)
        lost = _Lost(changes)
        # Before the start: a watch that cannot be set up while starting logs too.
        logging.getLogger("watchdog").addHandler(lost)
        try:
            observer.schedule(changes, str(real), recursive=True, event_filter=CHANGES)
            observer.start()
        except Exception as error:  # any emitter's failure: the server polls instead
            # No events here, e.g. the system's limit of inotify watches is reached.
            self.refused = f"{type(error).__name__}: {error}"
            observer.stop()
            logging.getLogger("watchdog").removeHandler(lost)
            return
        self.observer, self._changes, self._lost, self._taken = observer, changes, lost, False
        self._identity, self._real = _identity(folder), real
        watched = _watched_folders(observer) if reports_lost_events(observer) else None
        self._trusted = watched is not None and _all_watched(real, watched)
        self.blind = watched is not None and not self._trusted
        changes.watched = watched

    def attach(self, server) -> str:
        """Each change asks `server` for a rebuild; returns how the folder is watched: EVENTS,
        else POLLING (by the server: no events, or a server without the fields they set)."""
        self._server = server
        request = rebuild_request(server) if self._changes is not None else None
        if request is None:
            self._halt()
            server.watch(str(self.folder))
            return POLLING
        self._changes.attach(request)
        return EVENTS

    def follow(self, folder: Path, how: str) -> None:
        """Watch `folder` as `how` says from now on, if not so already (a first build, or a
        reloaded mkdocs.yml that names another folder or way), attached to the same server."""
        if folder != self.folder or how != self.how:
            self._begin_again(folder, how)

    @property
    def untrusted(self) -> str | None:
        """Why the events are not trusted though asked for: `refused`'s reason, or BLIND."""
        return self.refused or (BLIND if self.blind else None)

    def _begin_again(self, folder: Path, how: str) -> None:
        """`begin`, attached to the server of the last watch if there is one, with news of it
        when the events are not trusted (see `take_news`)."""
        self.begin(folder, how)
        if self._server is not None:
            self.attach(self._server)
            self.news = self.untrusted

    def changed(self) -> set[str] | None:
        """The names of the folder's top-level entries changed since the last call, as the events
        tell; None when they cannot tell it for certain (see the module's docstring): polling, an
        emitter that may lose events unseen, a folder unwatched, the first call after `begin`, and
        the call after events were lost or the folder itself changed, which begins the watch
        again."""
        if self._changes is None or not self._trusted or not _hears_watchdog():
            return None
        if self._changes.renew or not self._healthy():
            self._renew()
            return None
        names = self._changes.take()
        if not self._taken:
            self._taken = True
            return None
        return names

    def relist(self) -> None:
        """The names taken were not used (the rebuild failed): the next rebuild lists every
        folder."""
        if self._changes is not None:
            with self._changes.lock:
                self._changes.names = None

    def _healthy(self) -> bool:
        """The folder is the one watched, still watched itself, and the watcher's threads run."""
        observer, watched = self.observer, self._changes.watched
        alive = observer is not None and observer.is_alive() and all(e.is_alive() for e in observer.emitters)
        return alive and os.fsencode(self._real) in watched and _identity(self.folder) == self._identity

    def _renew(self) -> None:
        """Begin the watch again, once the folder is there (a checkout may remove it a moment),
        attached to the same server; until then every rebuild lists every folder."""
        if _identity(self.folder) is None:
            with self._changes.lock:
                # Seen gone: begun again once back, whatever its events said (the folder's own
                # deletion does not always come, and a folder made again may reuse its inode).
                self._changes.names, self._changes.renew = None, True
            return
        self._begin_again(self.folder, EVENTS)
        self._taken = True  # this call's None stands for the first

    def take_news(self) -> str | None:
        """Once, why beginning again under a running server (the folder replaced, or another one
        named) left the folder without trusted events: `refused`'s reason, or BLIND; for the
        server's log (the server's start says it for the first watch)."""
        news, self.news = self.news, None
        return news

    def start(self, server, folder: Path, how: str) -> str:
        """`begin` and `attach` at once."""
        self.begin(folder, how)
        return self.attach(server)

    def stop(self) -> None:
        self._halt()
        self.folder = self.how = None

    def _halt(self) -> None:
        if self._lost is not None:
            logging.getLogger("watchdog").removeHandler(self._lost)
            self._lost = None
        self._changes = None
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
