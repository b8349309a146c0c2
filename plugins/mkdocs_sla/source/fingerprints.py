"""What a folder holds, cheaply: whether an agreement folder changed since a run kept its results.

Two views of the same entries, neither of which follows a link or opens anything but a
regular file (the loader refuses links, and a named pipe would block the run forever):

- `fingerprint`: every entry's path, type and permissions, size, modification and change
  times, inode and link target (and whether it leads anywhere), from the directory listing
  alone. Equal fingerprints mean an unchanged folder, within the file system clock's tick
  (see `FolderCache.racy_before`): the change time moves with every write, even when a tool
  puts the modification time back (`touch -r`, `cp -p`, `rsync -a`).
- `content_digest`: the same paths, types and permissions, with the bytes of the regular files
  instead of their times. A fresh checkout (every time new, the same files) has the same one.

Both cover what the loader looks at besides the bytes: a folder where a file was, a dangling
link, a file it may no longer read.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

#: A file modified this close before the run may still change within the same tick of the file
#: system's clock and keep its times (git's "racy clean" entries): its bytes are compared instead
#: (`file_state`, and for agreement folders `parallel.FolderCache.racy_before`).
RACY_SECONDS = 2

#: Files larger than this are digested by size: every reader refuses them unread (the largest
#: limit is a ticket export's, source/ticketload.py EXPORT_MAX_BYTES).
CONTENT_LIMIT = 2**30
_CHUNK = 1 << 20


def digest(value: object) -> str:
    """A short digest of plain data (tuples, strings, numbers, dates) by its `repr`."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def file_state(path: Path) -> tuple:
    """What tells one state of a small regular file from another: its size, times and inode, and
    the digest of its bytes while it is racy (modified less than `RACY_SECONDS` ago), since a
    second write within the clock's tick can leave all the others as they were."""
    status = path.stat()
    racy = time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) < RACY_SECONDS * 1_000_000_000
    content = None
    if racy:
        try:
            content = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError as exc:  # unreadable: the loader reads it again and reports why
            content = f"unreadable: {exc.errno}"
    return (path.name, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, content)


def fingerprint(folder: Path | str) -> tuple[tuple[str, int, int, int, str, int, int], ...]:
    """Every entry under `folder`, sorted: (relative path, mode, size, modification time in ns,
    link target, change time in ns, inode). A sub-folder that cannot be listed is an entry of
    mode -1; a link's target ends in NUL when it leads nowhere (the loader says which)."""
    found = []
    # Paths relative to `folder` by slicing: os.path.relpath costs more than the stat itself.
    skip = len(os.fspath(folder)) + 1
    stack = [os.fspath(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    try:
                        status = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue  # gone since the listing
                    target = ""
                    if stat.S_ISLNK(status.st_mode):
                        target = _link_target(entry.path)
                    elif stat.S_ISDIR(status.st_mode):
                        stack.append(entry.path)
                    found.append(
                        (entry.path[skip:], status.st_mode, status.st_size, status.st_mtime_ns, target, status.st_ctime_ns, status.st_ino)
                    )
        except OSError:
            found.append((current[skip:], -1, 0, 0, "", 0, 0))
    return tuple(sorted(found))


def _link_target(path: str) -> str:
    """A link's text, and NUL at its end if it leads nowhere."""
    try:
        target = os.readlink(path)
    except OSError:
        return "\0unreadable"
    return target if os.path.exists(path) else target + "\0"


def content_digest(folder: Path | str, entries: tuple) -> str | None:
    """A digest of `entries` (as `fingerprint(folder)` lists them) by what they hold: path, mode
    and link target of each, and the bytes of each regular file; None if one cannot be read."""
    found = hashlib.blake2b(digest_size=16)
    base = os.path.join(os.fspath(folder), "")
    for relative, mode, size, _mtime, target, *_ in entries:
        found.update(os.fsencode(relative) + b"\0" + f"{mode}:{target!r}:".encode(errors="surrogateescape"))
        if mode == -1 or not stat.S_ISREG(mode):
            continue
        if size > CONTENT_LIMIT:
            found.update(f"size {size}".encode())
            continue
        try:
            # Not following a link, not blocking on a pipe: the entry may have been swapped since.
            descriptor = os.open(base + relative, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        # Raw reads on the descriptor: a buffered file object per file cost more than the reading.
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return None
            read = 0
            want = min(status.st_size + 1, _CHUNK)  # most files in one read
            while chunk := os.read(descriptor, want):
                found.update(chunk)
                read += len(chunk)
                want = _CHUNK
        finally:
            os.close(descriptor)
        found.update(f":{read}:".encode())
    return found.hexdigest()


def fingerprint_top(root: Path, folders: set[str]) -> tuple:
    """What lies at the top of the tree beside the agreement folders (services, calendars,
    customers.yaml, any stray file the loader reports), by content, as a checkout leaves it.
    Hidden folders are there by name only: the loader reads nothing in them."""
    found = []
    try:
        listing = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return ()
    for entry in listing:
        if entry.name in folders:
            continue
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(status.st_mode) and not entry.name.startswith("."):
            found.append((entry.name, content_digest(entry.path, fingerprint(entry.path))))
        elif stat.S_ISDIR(status.st_mode):
            found.append((entry.name, status.st_mode))
        else:
            target = _link_target(entry.path) if stat.S_ISLNK(status.st_mode) else ""
            found.append((entry.name, content_digest(root, ((entry.name, status.st_mode, status.st_size, 0, target),))))
    return tuple(found)
