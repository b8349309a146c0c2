"""A preview's rebuild lists only the agreement folders its watcher saw change.

`watching.FolderWatch` keeps the names of the folders its change events came
from; `source.parallel` lists those alone (and every folder it does not trust
yet) instead of all of them. Here with a real inotify observer on `tmp_path`,
the real loader, and the example agreements.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from helpers import copy_project
from mkdocs_sla.source.parallel import FolderCache, for_each_agreement, racy_time
from mkdocs_sla.watching import EVENTS, POLLING, FolderWatch, reports_lost_events

AN_HOUR_AGO = time.time() - 3600


def _aged(root: Path) -> None:
    for path in root.rglob("*"):
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "project").mkdir()
    copy_project(tmp_path / "project")
    root = tmp_path / "project" / "agreements"
    _aged(root)
    return root


def _run(root: Path, cache: FolderCache, changed: set[str] | None, racy: bool = False) -> list:
    # Without `racy`, no file counts as within the clock's tick: every change time here is new.
    cache.racy_before = racy_time() if racy else None
    cache.changed = changed
    diagnostics, _ = for_each_agreement(root, None, workers=1, cache=cache, key="k")
    assert cache.changed is None, "the names hold for one call"
    return diagnostics


def _break(folder: Path) -> None:
    """An edit the loader reports: the objective no number."""
    terms = folder / "agreement.yaml"
    terms.write_text(terms.read_text(encoding="utf-8").replace("objective:", "objective: x", 1), encoding="utf-8")


def _errors_in(diagnostics: list, folder: Path) -> int:
    return sum(1 for d in diagnostics if d.severity == "error" and f"/{folder.name}/" in d.position.file)


def test_a_rebuild_lists_the_folders_named_and_those_it_does_not_trust_yet(tree: Path) -> None:
    cache = FolderCache()
    assert _errors_in(_run(tree, cache, None), tree / "acme-database") == 0
    everyone = cache.loaded
    assert everyone > 5

    # Named: loaded again, and its new error is said.
    _break(tree / "acme-database")
    diagnostics = _run(tree, cache, {"acme-database"})
    assert cache.loaded == 1 and _errors_in(diagnostics, tree / "acme-database") > 0

    # Not named, kept fingerprint trusted: not listed, so the edit is not seen (the watcher's
    # word is taken; `FolderWatch.changed` says None whenever it cannot be sure).
    other = next(f for f in sorted(tree.iterdir()) if f.is_dir() and f.name not in ("acme-database", "services", "calendars"))
    _break(other)
    assert _errors_in(_run(tree, cache, set()), other) == 0 and cache.loaded == 0
    # None: every folder listed, the edit found.
    assert _errors_in(_run(tree, cache, None), other) > 0 and cache.loaded == 1

    # A folder edited within the clock's tick keeps no fingerprint: listed again next time though
    # no event names it, so its later edit (within the same tick, times unchanged) is seen.
    racy = tree / "acme-database"
    shutil.copy2(other / "agreement.yaml", racy / "agreement.yaml")  # broken as `other`, id aside
    terms = racy / "agreement.yaml"
    terms.write_text(terms.read_text(encoding="utf-8").replace(f"id: {other.name}", "id: acme-database"), encoding="utf-8")
    _run(tree, cache, {"acme-database"}, racy=True)
    assert cache.entries[racy][0] is None, "racy: no fingerprint kept"
    stamp = terms.stat()
    terms.write_text(terms.read_text(encoding="utf-8").replace("objective: x", "objective: y", 1), encoding="utf-8")
    os.utime(terms, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    _run(tree, cache, set(), racy=True)
    assert cache.loaded == 1


class _Server:
    """The two fields of MkDocs' LiveReloadServer that a change sets, and its polling."""

    def __init__(self) -> None:
        self._rebuild_cond = threading.Condition()
        self._want_rebuild = False
        self.polled: list[str] = []

    def watch(self, path: str) -> None:
        self.polled.append(path)

    def wait(self) -> None:
        with self._rebuild_cond:
            assert self._rebuild_cond.wait_for(lambda: self._want_rebuild, timeout=10), "no rebuild asked for"
            self._want_rebuild = False


def _tree(root: Path, *names: str) -> None:
    for name in names:
        (root / name / "results").mkdir(parents=True)
        (root / name / "agreement.yaml").write_text(f"id: {name}\n")


def _settled(watch: FolderWatch, server: _Server, expected: set[str] | None) -> set[str] | None:
    """The names the watcher gives once the events of an edit have arrived (inotify gives one per
    write, open and close, and holds a move out of the folder back a moment for its other half),
    taken as a rebuild takes them, each time it is asked for one: all it names until `expected`
    is among them or it says None, within 10 s."""
    server.wait()
    seen: set[str] = set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        names = watch.changed()
        if names is None:
            return None
        seen |= names
        if expected is not None and expected <= seen:
            time.sleep(0.3)  # nothing else is to come
            return seen | (watch.changed() or set())
        time.sleep(0.05)
    return seen


def test_the_watcher_names_the_folders_changed_and_says_when_it_cannot(tmp_path: Path) -> None:
    root = tmp_path / "agreements"
    _tree(root, "a", "b", "c")
    server, watch = _Server(), FolderWatch()
    try:
        assert watch.start(server, root, EVENTS) == EVENTS and server.polled == []
        handler = watch._lost
        assert reports_lost_events(watch.observer), "this machine's watchdog reports an inotify overflow"
        assert watch.changed() is None, "the first rebuild: what changed before the watch is unknown"
        assert watch.changed() == set()

        (root / "a" / "results" / "2026-11.yaml").write_text("period: 2026-11\n")
        assert _settled(watch, server, {"a"}) == {"a"}
        (root / "b").rename(tmp_path / "b-moved-out")
        (root / "c" / "agreement.yaml").unlink()
        assert _settled(watch, server, {"b", "c"}) == {"b", "c"}
        (root / "services.yaml").write_text("{}\n")
        assert _settled(watch, server, {"services.yaml"}) == {"services.yaml"}

        # Events lost (watchdog warns: "Inotify queue overflowed; filesystem events were lost"):
        # anything may have changed, and a rebuild is asked for.
        logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
        assert _settled(watch, server, None) is None
        assert watch.changed() == set()
    finally:
        watch.stop()
    assert handler is not None and handler not in logging.getLogger("watchdog").handlers, "stop removes its handler"
    assert watch.observer is None

    # Polled by the server: it never names anything.
    server = _Server()
    assert watch.start(server, root, POLLING) == POLLING and server.polled == [str(root)]
    assert watch.changed() is None and watch.changed() is None
    watch.stop()


def test_the_tree_itself_deleted_means_anything_changed(tmp_path: Path) -> None:
    root = tmp_path / "agreements"
    (root / "a").mkdir(parents=True)
    server, watch = _Server(), FolderWatch()
    try:
        watch.start(server, root, EVENTS)
        watch.changed()
        (root / "a" / "agreement.yaml").write_text("id: a\n")
        assert _settled(watch, server, {"a"}) == {"a"}
        shutil.rmtree(root)
        assert _settled(watch, server, None) is None
    finally:
        watch.stop()


def test_an_edit_during_the_first_build_is_known_to_the_first_rebuild(tmp_path: Path) -> None:
    """The watch begins as the first build lists the folders, before the server exists: an edit
    made during that build asks the server for a rebuild as soon as it is attached, and the
    rebuild after it is told which folder changed."""
    root = tmp_path / "agreements"
    (root / "a").mkdir(parents=True)
    watch = FolderWatch()
    try:
        watch.begin(root, EVENTS)
        assert watch.changed() is None, "the first build lists every folder"
        (root / "a" / "agreement.yaml").write_text("id: a\n")
        time.sleep(0.3)
        server = _Server()
        assert watch.attach(server) == EVENTS and server.polled == []
        assert _settled(watch, server, {"a"}) == {"a"}
    finally:
        watch.stop()

    server = _Server()
    watch.begin(root, POLLING)
    assert watch.changed() is None
    assert watch.attach(server) == POLLING and server.polled == [str(root)]
    watch.stop()

    class Other:  # a server without the fields MkDocs 1.6's has: it polls
        def __init__(self) -> None:
            self.polled: list[str] = []

        def watch(self, path: str) -> None:
            self.polled.append(path)

    other = Other()
    watch.begin(root, EVENTS)
    assert watch.attach(other) == POLLING and other.polled == [str(root)] and watch.observer is None
    assert watch.changed() is None


def test_a_file_made_unreadable_is_a_change(tmp_path: Path) -> None:
    root = tmp_path / "agreements"
    _tree(root, "a", "b")
    server, watch = _Server(), FolderWatch()
    try:
        watch.start(server, root, EVENTS)
        assert watch.changed() is None and watch.changed() == set()
        (root / "b" / "agreement.yaml").chmod(0o000)
        assert _settled(watch, server, {"b"}) == {"b"}
    finally:
        watch.stop()


def test_the_tree_deleted_and_made_again_or_replaced_is_watched_again(tmp_path: Path) -> None:
    """A checkout may remove the agreements folder and make it again, or put another tree in
    its place: each time the next rebuild lists every folder and the watch begins again, so
    that later edits are named and ask for rebuilds (watchdog's own watch ends with the folder,
    or follows the old one)."""
    root = tmp_path / "agreements"
    _tree(root, "a")
    server, watch = _Server(), FolderWatch()
    try:
        watch.start(server, root, EVENTS)
        assert watch.changed() is None and watch.changed() == set()

        shutil.rmtree(root)
        assert _settled(watch, server, None) is None
        assert watch.changed() is None, "gone: every folder listed (the loader says it is missing)"
        _tree(root, "a")  # perhaps with the same inode number
        assert watch.changed() is None, "back: listed whole once, and watched again"
        (root / "a" / "agreement.yaml").write_text("id: a\ntitle: again\n")
        assert _settled(watch, server, {"a"}) == {"a"}

        other = tmp_path / "other"
        _tree(other, "b")
        root.rename(tmp_path / "old")
        other.rename(root)  # no event of the folder itself: only its identity tells
        assert watch.changed() is None
        (root / "b" / "agreement.yaml").write_text("id: b\ntitle: new tree\n")
        (tmp_path / "old" / "a" / "agreement.yaml").write_text("id: a\ntitle: old tree\n")
        assert _settled(watch, server, {"b"}) == {"b"}
    finally:
        watch.stop()


def test_a_folder_inotify_cannot_watch_means_every_folder_is_listed(tmp_path: Path, monkeypatch) -> None:
    """watchdog leaves a sub-folder it cannot watch (the system's limit of inotify watches
    reached) unwatched, at most with a warning; the watch sees the gap, at the start or when the
    folder comes, and from then on says None: every rebuild lists every folder."""
    from watchdog.observers.inotify_c import InotifyFD

    add = InotifyFD.add_callback

    def add_callback(self, path: bytes, *args, **kwargs):
        if path.endswith(b"/c/results"):
            raise OSError(28, "inotify watch limit reached")  # ENOSPC
        return add(self, path, *args, **kwargs)

    monkeypatch.setattr(InotifyFD, "add_callback", add_callback)
    root = tmp_path / "agreements"
    _tree(root, "a", "c")
    watch = FolderWatch()
    try:
        watch.begin(root, EVENTS)
        # Up to watchdog 7.1.0 the folder is left unwatched without a word, and the watch sees
        # the gap (blind); from 7.1.1 watchdog refuses to start instead (refused, as when the
        # folder itself cannot be watched). Either way nothing is trusted.
        assert watch.blind or (watch.refused or "").startswith("OSError"), watch.untrusted
        assert watch.untrusted is not None and watch.changed() is None and watch.changed() is None
    finally:
        watch.stop()

    shutil.rmtree(root / "c")
    server = _Server()
    try:
        watch.start(server, root, EVENTS)
        assert not watch.blind and watch.changed() is None and watch.changed() == set()
        _tree(root, "c")  # its results folder cannot be watched
        assert _settled(watch, server, None) is None
        # Seen by the walk after the folder came (up to 7.1.0), or by watchdog's warning, after
        # which the watch begins again and watchdog refuses the tree (7.1.1).
        assert watch.untrusted is not None and watch.changed() is None and watch.changed() is None
        assert watch.take_news() == watch.untrusted and watch.take_news() is None, "for the server's log, once"
    finally:
        watch.stop()


def test_another_folder_from_a_reloaded_configuration_and_a_failed_rebuild(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _tree(first, "a")
    _tree(second, "b")
    server, watch = _Server(), FolderWatch()
    try:
        watch.start(server, first, EVENTS)
        watch.follow(first, EVENTS)
        assert watch.changed() is None and watch.changed() == set(), "the same folder: the same watch"
        watch.follow(second, EVENTS)
        assert watch.folder == second and watch.changed() is None
        (first / "a" / "agreement.yaml").write_text("id: a\ntitle: not watched\n")
        (second / "b" / "agreement.yaml").write_text("id: b\ntitle: watched\n")
        assert _settled(watch, server, {"b"}) == {"b"}

        # A rebuild that failed did not list what it was told: the next one lists everything.
        (second / "b" / "agreement.yaml").write_text("id: b\ntitle: again\n")
        assert _settled(watch, server, {"b"}) == {"b"}
        watch.relist()
        assert watch.changed() is None and watch.changed() == set()

        watch.follow(second, POLLING)
        assert watch.observer is None and server.polled == [str(second)] and watch.changed() is None
    finally:
        watch.stop()


def test_watchdog_silenced_means_every_folder_is_listed(tmp_path: Path) -> None:
    """A logging set-up that drops watchdog's warnings would hide an overflow: untrusted."""
    root = tmp_path / "agreements"
    _tree(root, "a")
    server, watch = _Server(), FolderWatch()
    quiet = logging.getLogger("watchdog")
    level = quiet.level
    try:
        watch.start(server, root, EVENTS)
        assert watch.changed() is None and watch.changed() == set()
        quiet.setLevel(logging.ERROR)
        assert watch.changed() is None
        quiet.setLevel(level)
        assert watch.changed() == set()
    finally:
        quiet.setLevel(level)
        watch.stop()


def test_an_agreements_folder_that_is_a_link_is_watched_where_it_leads(tmp_path: Path) -> None:
    """`agreements` may be a link to a folder elsewhere (a monorepo): its own entries' events
    come, a new folder and a top-level file among them; a link that leads elsewhere later is
    another folder."""
    real, link = tmp_path / "real", tmp_path / "agreements"
    _tree(real, "a")
    link.symlink_to(real)
    server, watch = _Server(), FolderWatch()
    try:
        watch.start(server, link, EVENTS)
        assert watch.changed() is None and watch.changed() == set()
        (real / "services.yaml").write_text("{}\n")
        (real / "new").mkdir()
        assert _settled(watch, server, {"services.yaml", "new"}) == {"services.yaml", "new"}

        elsewhere = tmp_path / "elsewhere"
        _tree(elsewhere, "b")
        link.unlink()
        link.symlink_to(elsewhere)
        assert watch.changed() is None
        (elsewhere / "b" / "agreement.yaml").write_text("id: b\ntitle: elsewhere\n")
        assert _settled(watch, server, {"b"}) == {"b"}
    finally:
        watch.stop()
