"""`sla validate` and `sla credits` keep each agreement folder's findings between runs
(source/diskcache.py): a warm run says exactly what a cold one says, loads only what changed,
and a cache that is broken, stale or unwritable never changes a result."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from core_helpers import SLA
from helpers import copy_project
from mkdocs_sla.source import diskcache, parallel
from mkdocs_sla.source.diskcache import KEPT_FILES, DiskCache
from mkdocs_sla.source.fingerprints import content_digest
from mkdocs_sla.source.parallel import FolderCache, for_each_agreement

TODAY = "2026-12-01"
AN_HOUR_AGO = time.time() - 3600
VERBS = (
    ("validate",),
    ("credits", "--format", "json"),
    ("credits", "--format", "table"),
    ("credits", "--format", "csv"),
    ("credits", "--period", "2026-10", "--format", "csv"),
)


def sla(cwd: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SLA_CACHE_DIR": str(cache)}
    return subprocess.run(
        [*SLA, *args, "--today", TODAY, "agreements"],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="surrogateescape",
        env=env,
        timeout=120,
    )


def age(root: Path, seconds: float = AN_HOUR_AGO) -> None:
    """Every file as if written an hour ago: older than the cache's racy margin."""
    for path in root.rglob("*"):
        os.utime(path, (seconds, seconds))


def same_size_edit(path: Path, old: str, new: str, keep_time: bool = True) -> None:
    """Rewrite `old` as `new` (as long) in `path`; with `keep_time`, its modification time stays."""
    assert len(old) == len(new)
    stat = path.stat()
    path.write_text(path.read_text().replace(old, new, 1))
    assert path.stat().st_size == stat.st_size
    if keep_time:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "project").mkdir()
    copy_project(tmp_path / "project")
    root = tmp_path / "project" / "agreements"
    # One invalid agreement, so that diagnostics go through the cache too.
    shutil.copytree(root / "acme-database", root / "broken-database")
    agreement = root / "broken-database" / "agreement.yaml"
    agreement.write_text(agreement.read_text().replace("id: acme-database", "id: broken-database").replace("objective:", "objective: x", 1))
    age(root)
    return tmp_path / "project"


def a_results_file(project: Path) -> Path:
    return sorted((project / "agreements" / "acme-database" / "results").glob("*.yaml"))[0]


@pytest.mark.parametrize("verb", VERBS, ids=" ".join)
def test_a_warm_run_says_what_a_cold_run_said(project: Path, tmp_path: Path, verb: tuple[str, ...]) -> None:
    cache = tmp_path / "cache"
    cold, warm = sla(project, cache, *verb), sla(project, cache, *verb)
    uncached = sla(project, tmp_path / "unused", *verb, "--no-cache")
    assert cold.returncode == 1, cold.stderr  # the broken agreement
    assert "broken-database/agreement.yaml" in cold.stdout + cold.stderr
    for run in (warm, uncached):
        assert (run.returncode, run.stdout, run.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    assert len(list(cache.glob("sla-*.sqlite"))) == 1
    assert not (tmp_path / "unused").exists(), "--no-cache wrote a cache"


def test_an_edit_is_seen_even_when_its_time_is_put_back(project: Path, tmp_path: Path) -> None:
    """`touch -r`, `cp -p` and `rsync -a` restore a file's modification time; the change time
    moves with the write all the same."""
    cache = tmp_path / "cache"
    sla(project, cache, "validate")
    results = a_results_file(project)
    same_size_edit(results, "period:", "perixd:")
    after = sla(project, cache, "validate")
    assert f"agreements/acme-database/results/{results.name}:" in after.stdout
    assert "perixd" in after.stdout


def test_a_removed_folder_leaves_the_report(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = sla(project, cache, "validate")
    shutil.rmtree(project / "agreements" / "broken-database")
    after = sla(project, cache, "validate")
    assert after.returncode == 0, after.stdout
    assert "broken-database" not in after.stdout + after.stderr
    assert int(before.stderr.split()[0]) == int(after.stderr.split()[0])  # the broken one was never valid
    assert "0 error(s)" in after.stderr


def test_a_broken_cache_is_said_and_replaced(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = sla(project, cache, "credits", "--format", "json")
    for file in cache.glob("*.sqlite"):
        file.write_bytes(b"not a database" * 100)
    broken = sla(project, cache, "credits", "--format", "json")
    assert broken.stdout == cold.stdout
    assert "sla: cache" in broken.stderr and "not read" in broken.stderr
    again = sla(project, cache, "credits", "--format", "json")
    assert again.stderr == cold.stderr and again.stdout == cold.stdout


def test_a_cache_that_cannot_be_written_is_said_and_the_run_goes_on(project: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    run = sla(project, blocked, "validate")
    uncached = sla(project, tmp_path / "unused", "validate", "--no-cache")
    assert (run.returncode, run.stdout) == (uncached.returncode, uncached.stdout)
    assert "not written" in run.stderr
    assert run.stderr.endswith(uncached.stderr)


def _dangling_link(folder: Path) -> None:
    (folder / "results" / "2019-06.yaml").symlink_to("/nonexistent")


def _folder_named_like_a_file(folder: Path) -> None:
    (folder / "results" / "2019-06.yaml").mkdir()


def _file_swapped_for_a_link(folder: Path) -> None:
    """The same bytes behind a link: the loader refuses links, whatever they point at."""
    reviews = folder / "reviews.yaml"
    kept = folder.parent.parent / "kept-reviews.yaml"
    shutil.copy2(reviews, kept)
    reviews.unlink()
    reviews.symlink_to(kept)


def _named_pipe(folder: Path) -> None:
    os.mkfifo(folder / "notes.txt")


def _undecodable_name(folder: Path) -> None:
    (folder / "results" / os.fsdecode(b"bad\xff.txt")).write_text("x")


def _link_loop(folder: Path) -> None:
    (folder / "loop").symlink_to(".")
    (folder / "loop2").symlink_to(".")


def _linked_folder(folder: Path) -> None:
    """A `tickets/` folder that is a link to a real folder: refused like any link."""
    (folder / "tickets").symlink_to(folder / "results")


def _linked_service(folder: Path) -> None:
    services = folder.parent / "services"
    service = sorted(p for p in services.iterdir() if p.is_dir())[0]
    moved = folder.parent.parent / "moved-service"
    service.rename(moved)
    service.symlink_to(moved)


@pytest.mark.parametrize(
    "change",
    [
        _dangling_link,
        _folder_named_like_a_file,
        _file_swapped_for_a_link,
        _named_pipe,
        _undecodable_name,
        _link_loop,
        _linked_folder,
        _linked_service,
    ],
    ids=lambda f: f.__name__.strip("_").replace("_", " "),
)
def test_what_the_loader_refuses_is_seen_on_a_warm_run(project: Path, tmp_path: Path, change) -> None:
    """Entries the loader reports without reading them (links, folders, pipes, odd names) are part
    of what the cache compares, and are never opened by it (a pipe would block the run)."""
    cache = tmp_path / "cache"
    sla(project, cache, "validate")
    change(project / "agreements" / "acme-compute")
    warm = sla(project, cache, "validate")
    uncached = sla(project, tmp_path / "unused", "validate", "--no-cache")
    assert (warm.returncode, warm.stdout, warm.stderr) == (uncached.returncode, uncached.stdout, uncached.stderr)


def test_a_link_whose_target_appears_is_looked_at_again(project: Path, tmp_path: Path) -> None:
    """The loader words a link to nothing otherwise than a link to a file."""
    cache = tmp_path / "cache"
    folder = project / "agreements" / "acme-compute"
    (folder / "results" / "2019-06.yaml").symlink_to(folder / "elsewhere.yaml")
    sla(project, cache, "validate")
    (folder / "elsewhere.yaml").write_text("x")
    warm = sla(project, cache, "validate")
    uncached = sla(project, tmp_path / "unused", "validate", "--no-cache")
    assert (warm.returncode, warm.stdout) == (uncached.returncode, uncached.stdout)


def test_a_large_file_is_compared_by_all_its_bytes() -> None:
    """A ticket export may run to a gigabyte: one byte changed in the middle of 6 MB is a change."""
    from mkdocs_sla.source.fingerprints import content_digest, fingerprint

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "2025-Q1.csv"
        data = bytearray(b"x" * 6_000_000)
        export.write_bytes(data)
        before = content_digest(folder, fingerprint(folder))
        data[3_000_000] = ord("y")
        export.write_bytes(data)
        assert content_digest(folder, fingerprint(folder)) != before


def test_a_root_that_is_a_link_loop_is_reported_as_without_a_cache(tmp_path: Path) -> None:
    (tmp_path / "agreements").symlink_to(tmp_path / "agreements")
    run = sla(tmp_path, tmp_path / "cache", "validate")
    uncached = sla(tmp_path, tmp_path / "unused", "validate", "--no-cache")
    assert (run.returncode, run.stdout, run.stderr) == (uncached.returncode, uncached.stdout, uncached.stderr)
    assert run.returncode == 1 and "Traceback" not in run.stderr


# In process: how many folders a run loaded, as the key changes.


def cached_run(root: Path, directory: Path, today: dt.date = dt.date(2026, 12, 1), workers: int = 1) -> FolderCache:
    disk = DiskCache(root, ("validate",), directory)
    cache = disk.load()
    for_each_agreement(root, None, today=today, cache=cache, key=disk.key, workers=workers)
    disk.save(cache)
    assert disk.warnings == []
    return cache


def test_what_beside_the_folders_changes_every_result_starts_afresh(project: Path, tmp_path: Path, monkeypatch) -> None:
    root, directory = project / "agreements", tmp_path / "cache"
    folders = cached_run(root, directory).loaded
    assert folders > 10
    assert cached_run(root, directory).loaded == 0
    assert cached_run(root, directory, today=dt.date(2026, 12, 2)).loaded == folders, "the date checked against"
    cached_run(root, directory)
    standard = next((root / "services").rglob("*.yaml"))
    os.utime(standard, (AN_HOUR_AGO + 5, AN_HOUR_AGO + 5))
    assert cached_run(root, directory).loaded == 0, "a service's standard touched, not changed"
    with standard.open("a") as file:
        file.write("# a comment changes the bytes\n")
    assert cached_run(root, directory).loaded == folders, "a service's standard"
    monkeypatch.setattr(diskcache, "code_version", lambda: "other code")
    assert cached_run(root, directory).loaded == folders, "the code"
    assert cached_run(root, directory).loaded == 0


def test_a_file_it_may_no_longer_read_is_loaded_again(project: Path, tmp_path: Path) -> None:
    """Permissions are part of what a folder holds (a file the loader cannot read is an error)."""
    root, directory = project / "agreements", tmp_path / "cache"
    cached_run(root, directory)
    (root / "acme-compute" / "reviews.yaml").chmod(0)
    assert cached_run(root, directory).loaded == 1


def test_two_runs_at_once_for_other_dates_leave_no_wrong_rows(project: Path, tmp_path: Path) -> None:
    """Run B reads the cache; run A, for another date, writes every row; then B writes: B's rows
    replace A's all, so that a later run for B's date finds B's results only."""
    root, directory = project / "agreements", tmp_path / "cache"
    cached_run(root, directory)  # B's date, the run before
    b = DiskCache(root, ("validate",), directory)
    b_cache = b.load()
    os.utime(a_results_file(project), (AN_HOUR_AGO + 60, AN_HOUR_AGO + 60))
    with a_results_file(project).open("a") as file:
        file.write("# B has one folder to write\n")
    os.utime(a_results_file(project), (AN_HOUR_AGO + 60, AN_HOUR_AGO + 60))
    for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=b_cache, key=b.key, workers=1)
    assert b_cache.loaded == 1
    # (B reads its stored rows during its run, `DiskCache.fetch`: A writes after that read; A
    # writing before it is the next test's case.)
    cached_run(root, directory, today=dt.date(2025, 3, 1))  # A: most periods not ended yet
    b.save(b_cache)
    later = DiskCache(root, ("validate",), directory)
    found = for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=later.load(), key=later.key, workers=1)
    assert found == for_each_agreement(root, None, today=dt.date(2026, 12, 1), workers=1)


def test_rows_another_run_rewrote_before_they_were_read_are_not_used(project: Path, tmp_path: Path) -> None:
    """Run B reads the digests; run A, for another date, writes every row; B then finds the rows
    it would read are A's: it loads its folders again rather than give A's results."""
    root, directory = project / "agreements", tmp_path / "cache"
    cached_run(root, directory)
    b = DiskCache(root, ("validate",), directory)
    b_cache = b.load()
    cached_run(root, directory, today=dt.date(2025, 3, 1))  # A: most periods not ended yet
    found = for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=b_cache, key=b.key, workers=1)
    assert found == for_each_agreement(root, None, today=dt.date(2026, 12, 1), workers=1)
    assert b_cache.loaded == len(b_cache.entries)
    b.save(b_cache)
    later = DiskCache(root, ("validate",), directory)
    found = for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=later.load(), key=later.key, workers=1)
    assert found == for_each_agreement(root, None, today=dt.date(2026, 12, 1), workers=1)


def test_a_folder_written_just_before_the_run_is_compared_by_bytes_next_time(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A file written within the clock's tick before a run may change again keeping its times:
    the run does not keep the fingerprint of its folder, and the next run reads its bytes."""
    root, directory = project / "agreements", tmp_path / "cache"
    monkeypatch.setattr(diskcache, "racy_time", lambda: time.time_ns() + 3600 * 10**9)  # every file is "just written"
    folders = cached_run(root, directory).loaded
    monkeypatch.undo()
    read = []
    real = parallel.content_digest
    monkeypatch.setattr(parallel, "content_digest", lambda folder, files: read.append(folder) or real(folder, files))
    assert cached_run(root, directory).loaded == 0
    assert len({f for f in read if f.parent == root}) == folders


def test_an_edit_during_the_load_undone_after_leaves_no_result_of_it(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A file edited while its folder loads, then put back (an editor's undo, a checkout and
    back): the results made of the edit are not kept under the bytes of before."""
    root, directory = project / "agreements", tmp_path / "cache"
    results = a_results_file(project)
    original = results.read_bytes()
    real = parallel.load_agreement

    def load_while_edited(folder, *args, **kwargs):
        if folder.name != "acme-database":
            return real(folder, *args, **kwargs)
        results.write_bytes(original.replace(b"period:", b"perixd:", 1))
        try:
            return real(folder, *args, **kwargs)
        finally:
            results.write_bytes(original)

    monkeypatch.setattr(parallel, "load_agreement", load_while_edited)
    cached_run(root, directory)
    monkeypatch.undo()
    later = DiskCache(root, ("validate",), directory)
    found = for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=later.load(), key=later.key, workers=1)
    assert found == for_each_agreement(root, None, today=dt.date(2026, 12, 1), workers=1)


def test_a_fresh_checkout_finds_its_results(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A checkout writes every file anew: new modification times, the same bytes. The bytes
    are compared, and nothing is loaded again (as a CI job with a restored cache finds it)."""
    root, directory = project / "agreements", tmp_path / "cache"
    assert cached_run(root, directory).loaded > 10
    age(root, AN_HOUR_AGO + 600)
    # (ageing sets every change time to now: the race margin is not what this test is about)
    monkeypatch.setattr(diskcache, "racy_time", lambda: time.time_ns())
    read = []
    real = parallel.content_digest
    monkeypatch.setattr(parallel, "content_digest", lambda folder, files: read.append(folder) or real(folder, files))
    assert cached_run(root, directory).loaded == 0
    assert root / "acme-database" in read
    # The new times are trusted from then on: the next run reads no agreement's bytes.
    read.clear()
    assert cached_run(root, directory).loaded == 0
    assert root / "acme-database" not in read


def test_old_cache_files_are_dropped(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "app.sqlite").write_text("another program's")
    os.utime(directory / "app.sqlite", (AN_HOUR_AGO, AN_HOUR_AGO))
    root = tmp_path / "agreements"
    root.mkdir()
    for period in range(KEPT_FILES + 5):
        disk = DiskCache(root, ("credits", f"2026-{period}"), directory)
        cache = disk.load()
        for_each_agreement(root, None, cache=cache, key=disk.key)
        disk.save(cache)
    assert len(list(directory.glob("sla-*.sqlite"))) == KEPT_FILES
    assert (directory / "app.sqlite").exists(), "a file not of the cache was dropped"


def fresh_checkout(root: Path) -> None:
    """The tree written anew, as `git clone` or `cp -a` leaves it: every file a new inode and
    change time (and modification time), the same bytes, at the same path."""
    copy = root.with_name(root.name + "-checkout")
    shutil.copytree(root, copy, symlinks=True)
    shutil.rmtree(root)
    copy.rename(root)
    age(root, AN_HOUR_AGO + 600)


def test_a_checkout_writes_the_fingerprints_of_unchanged_rows_not_their_results(project: Path, tmp_path: Path, monkeypatch) -> None:
    """Of a fresh checkout with one file edited, one row is encoded again; the others get their
    new fingerprint alone, which the run after trusts (it reads no bytes)."""
    root, directory = project / "agreements", tmp_path / "cache"
    cached_run(root, directory)
    fresh_checkout(root)
    with a_results_file(project).open("a") as file:
        file.write("# edited in the branch\n")
    age(root, AN_HOUR_AGO + 700)
    monkeypatch.setattr(diskcache, "racy_time", lambda: time.time_ns())
    encoded = []
    real = diskcache._encode
    monkeypatch.setattr(diskcache, "_encode", lambda *args: encoded.append(args) or real(*args))
    assert cached_run(root, directory).loaded == 1
    assert len(encoded) == 1
    read = []
    monkeypatch.setattr(parallel, "content_digest", lambda folder, files: read.append(folder) or content_digest(folder, files))
    assert cached_run(root, directory).loaded == 0
    assert [f for f in read if f.parent == root] == []
    later = DiskCache(root, ("validate",), directory)
    found = for_each_agreement(root, None, today=dt.date(2026, 12, 1), cache=later.load(), key=later.key, workers=1)
    assert found == for_each_agreement(root, None, today=dt.date(2026, 12, 1), workers=1)


def test_a_small_tree_is_compared_in_one_process(project: Path, tmp_path: Path, monkeypatch) -> None:
    """Below PARALLEL_FROM folders no worker is started, even with cores to spare."""

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for a small tree")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", no_pool)
    root, directory = project / "agreements", tmp_path / "cache"
    assert cached_run(root, directory, workers=2).loaded > 10
    fresh_checkout(root)
    monkeypatch.setattr(diskcache, "racy_time", lambda: time.time_ns())
    assert cached_run(root, directory, workers=2).loaded == 0


def test_a_fresh_checkout_of_a_large_tree_is_compared_by_the_workers(tmp_path: Path, monkeypatch) -> None:
    """From PARALLEL_FROM folders on, each worker lists and reads folders of its own (the parent
    reads no bytes): a checkout with one file edited loads that folder alone, and says what a run
    without the cache says."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import generate

    root, directory = tmp_path / "agreements", tmp_path / "cache"
    count = parallel.PARALLEL_FROM + 10
    generate(root, count, metrics=1, periods=2)
    age(root)
    today = dt.date(2026, 12, 1)
    assert cached_run(root, directory, today=today, workers=2).loaded == count
    fresh_checkout(root)
    edited = min((min(root.iterdir()) / "results").glob("*.yaml"))
    with edited.open("a") as file:
        file.write("# edited in the branch\n")
    age(root, AN_HOUR_AGO + 700)
    monkeypatch.setattr(diskcache, "racy_time", lambda: time.time_ns())
    readers = tmp_path / "readers"

    def recorded(folder, files):
        with readers.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return content_digest(folder, files)

    monkeypatch.setattr(parallel, "content_digest", recorded)
    assert cached_run(root, directory, today=today, workers=2).loaded == 1
    pids = readers.read_text().split()
    assert len(pids) == count and str(os.getpid()) not in pids
    later = DiskCache(root, ("validate",), directory)
    found = for_each_agreement(root, None, today=today, cache=later.load(), key=later.key, workers=2)
    assert found == for_each_agreement(root, None, today=today, workers=1)
