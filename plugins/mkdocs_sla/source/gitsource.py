"""gitsource: the agreements tree as it stands at a git ref, read without touching the checkout.

`snapshot_at_ref("origin/main")` lists the files under `agreements/` at that
commit (`git ls-tree`), copies their contents (`git cat-file --batch`) into a
temporary folder, loads it with the regular loader, and names every position
as the repository does (`agreements/acme/agreement.yaml:12:3`), not by the
temporary path. The index, the working tree and HEAD are never changed.

`snapshot_of_folder(path)` is the same for a working tree or any folder.

Both take `only`, a set of agreement ids: `changed_agreements` asks git which
agreement folders differ between two refs (or a ref and the working tree), so
that a diff of a thousand agreements reads and loads the few that changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.records import Agreement, Catalog, Snapshot
from mkdocs_sla.source.calendars import CALENDARS_DIR
from mkdocs_sla.source.load import display_path, is_agreement_folder, load, load_agreement
from mkdocs_sla.source.services import SERVICES_DIR


class GitSourceError(Exception):
    """A ref or repository that cannot be read; the message says what was expected."""


def _git(args: list[str], cwd: Path, *, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    env.setdefault("GIT_TERMINAL_PROMPT", "0")
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise GitSourceError("git is not installed; expected the `git` command on PATH") from None


def repository_root(cwd: Path | str = ".") -> Path:
    """The top folder of the git repository that holds `cwd`."""
    proc = _git(["rev-parse", "--show-toplevel"], Path(cwd))
    if proc.returncode != 0:
        raise GitSourceError(f"{Path(cwd).resolve()} is not inside a git repository; expected a git checkout to read refs from")
    return Path(proc.stdout.decode().strip())


def resolve(ref: str, repo: Path) -> tuple[str, dt.date]:
    """(commit id, committer date) of a ref, or GitSourceError naming the ref."""
    if not ref or ref.startswith("-"):
        raise GitSourceError(f"`{ref}` is not a git ref; expected a branch, tag or commit such as origin/main")
    proc = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo)
    if proc.returncode != 0:
        raise GitSourceError(
            f"`{ref}` is not a commit in {repo}: no branch, tag or commit of that name "
            "(with actions/checkout, fetch the base branch: fetch-depth: 0)"
        )
    commit = proc.stdout.decode().strip()
    proc = _git(["show", "-s", "--format=%cI", commit], repo)
    date = dt.datetime.fromisoformat(proc.stdout.decode().strip()).date()
    return commit, date


def changed_agreements(
    base_ref: str, head_ref: str | None, path: str | os.PathLike[str] = "agreements", *, repo: Path | str = "."
) -> set[str] | None:
    """The ids of agreement folders whose files differ between two refs, or between a ref and
    the working tree (`head_ref` None, untracked files included); None when a file directly in
    the agreements folder changed, so that the whole tree must be compared."""
    top = repository_root(repo)
    rel = _repo_relative(Path(path), top)
    base, _ = resolve(base_ref, top)
    if head_ref is None:
        commands = [
            ["diff", "--name-only", "--no-renames", "-z", base, "--", rel],
            ["ls-files", "--others", "--exclude-standard", "-z", "--", rel],
        ]
    else:
        head, _ = resolve(head_ref, top)
        commands = [["diff", "--name-only", "--no-renames", "-z", base, head, "--", rel]]
    names: list[str] = []
    for command in commands:
        proc = _git(command, top)
        if proc.returncode != 0:
            raise GitSourceError(f"git {command[0]} failed: {proc.stderr.decode(errors='replace').strip()}")
        names += [n.decode("utf-8", errors="surrogateescape") for n in proc.stdout.split(b"\0") if n]
    ids = set()
    for name in names:
        parts = PurePosixPath(name).relative_to(rel).parts
        if len(parts) < 2 or parts[0] in (SERVICES_DIR, CALENDARS_DIR):
            return None  # a file of the tree itself, a service or a calendar agreements share: compare them all
        ids.add(parts[0])
    return ids


def snapshot_at_ref(
    ref: str, path: str | os.PathLike[str] = "agreements", *, repo: Path | str = ".", only: set[str] | None = None
) -> Snapshot:
    """The agreements folder `path` (relative to the current folder) at `ref`, loaded
    (only the agreement folders named in `only`, if given)."""
    top = repository_root(repo)
    rel = _repo_relative(Path(path), top)
    commit, date = resolve(ref, top)
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", rel], top)
    if listing.returncode != 0:
        raise GitSourceError(f"cannot list {rel}/ at `{ref}`: {listing.stderr.decode(errors='replace').strip()}")
    entries = []
    for line in listing.stdout.split(b"\0"):
        if not line:
            continue
        meta, _, name = line.partition(b"\t")
        mode, kind, obj = meta.split()
        entries.append((mode.decode(), kind.decode(), obj.decode(), name.decode("utf-8", errors="surrogateescape")))
    # Symbolic links (mode 120000) are kept as links: the loader refuses them at their position,
    # as it does in a working tree, so a link that validation reports is never silently
    # missing from the comparison ("no changes").
    blobs = [e for e in entries if e[1] == "blob"]
    if not blobs:
        raise GitSourceError(
            f"`{ref}` ({commit[:7]}) has no `{rel}/` folder; expected the agreements there (use --path if they live elsewhere)"
        )
    if only is not None:
        depth = len(PurePosixPath(rel).parts)
        blobs = [b for b in blobs if len(PurePosixPath(b[3]).parts) > depth + 1 and PurePosixPath(b[3]).parts[depth] in only]
    with tempfile.TemporaryDirectory(prefix="sla-ref-") as tmp:
        tmp_root = Path(tmp)
        (tmp_root / rel).mkdir(parents=True)
        _write_blobs(blobs, tmp_root, top)
        catalog = load(tmp_root / rel)
        folders = tuple(sorted(p.name for p in (tmp_root / rel).iterdir() if is_agreement_folder(p)))
        catalog = _renamed(catalog, display_path(tmp_root / rel), rel)
    name = ref if commit.startswith(ref.lower()) else f"{ref} ({commit[:7]})"
    return Snapshot(name, catalog, rel, folders, date, commit)


def snapshot_of_folder(path: str | os.PathLike[str], *, today: dt.date, name: str | None = None, only: set[str] | None = None) -> Snapshot:
    """A folder as it is on disk (a working tree), dated `today`; only the agreements in `only`, if given."""
    root = Path(path)
    if only is None:
        catalog = load(root)
        folders = tuple(sorted(p.name for p in root.iterdir() if is_agreement_folder(p))) if root.is_dir() else ()
    else:
        diagnostics = Diagnostics()
        folders = tuple(sorted(i for i in only if (root / i).is_dir()))
        records = [r for r in (load_agreement(root / i, diagnostics) for i in folders) if r is not None]
        catalog = Catalog(tuple(records), tuple(diagnostics.sorted()))
    return Snapshot(name or str(path), catalog, display_path(root), folders, today)


def _repo_relative(path: Path, top: Path) -> str:
    absolute = (Path.cwd() / path).resolve() if not path.is_absolute() else path.resolve()
    try:
        rel = absolute.relative_to(top.resolve())
    except ValueError:
        raise GitSourceError(f"{path} is outside the repository {top}; expected the agreements folder inside it") from None
    text = rel.as_posix()
    if text in ("", "."):
        raise GitSourceError("the agreements folder cannot be the repository root; expected a folder such as agreements/")
    return text


def _write_blobs(blobs: list[tuple[str, str, str, str]], tmp_root: Path, top: Path) -> None:
    """Every blob's content through one `git cat-file --batch`, written under tmp_root; a link's
    blob (its target's name) becomes a link again, never followed here."""
    request = "".join(f"{obj}\n" for _mode, _kind, obj, _name in blobs).encode()
    links: list[tuple[Path, bytes]] = []
    proc = _git(["cat-file", "--batch"], top, input=request)
    if proc.returncode != 0:
        raise GitSourceError(f"git cat-file failed: {proc.stderr.decode(errors='replace').strip()}")
    data = proc.stdout
    offset = 0
    resolved_root = tmp_root.resolve()
    for mode, _kind, _obj, name in blobs:
        end = data.index(b"\n", offset)
        header = data[offset:end].split()
        size = int(header[2])
        content = data[end + 1 : end + 1 + size]
        offset = end + 1 + size + 1  # the content is followed by a newline
        parts = PurePosixPath(name).parts
        if ".." in parts or PurePosixPath(name).is_absolute():
            continue  # git never stores such paths; refuse rather than write outside
        target = tmp_root.joinpath(*parts)
        if not target.resolve().is_relative_to(resolved_root):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            links.append((target, content))  # made last, so no file is written through one
        else:
            target.write_bytes(content)
    for target, content in links:
        os.symlink(os.fsdecode(content), target)


def _renamed(catalog: Catalog, tmp_display: str, rel: str) -> Catalog:
    """Positions named as in the repository: `agreements/...`, not the temporary folder."""

    def name(file: str) -> str:
        """A file name of the snapshot as the working tree would name it."""
        if file == tmp_display:
            return rel
        if file.startswith(tmp_display + os.sep) or file.startswith(tmp_display + "/"):
            return rel + "/" + file[len(tmp_display) + 1 :].replace(os.sep, "/")
        return file

    def position(p: Position) -> Position:
        """A position in the snapshot's files as the working tree would name it."""
        return dataclasses.replace(p, file=name(p.file))

    def record(r: Agreement) -> Agreement:
        """An agreement of the snapshot with its files named as the working tree would name them."""
        return dataclasses.replace(
            r,
            folder=name(r.folder),
            file=name(r.file),
            versions=tuple(dataclasses.replace(v, position=position(v.position)) for v in r.versions),
            results=tuple(dataclasses.replace(p, file=name(p.file)) for p in r.results),
        )

    def message(text: str) -> str:
        """A message naming another file of the snapshot (`first in …`) names it as the working
        tree would: the temporary folder is gone once the comparison ends, and differs each run."""
        for prefix in {tmp_display + os.sep, tmp_display + "/"}:
            text = text.replace(prefix, rel + "/")
        return text

    diagnostics = tuple(dataclasses.replace(d, position=position(d.position), message=message(d.message)) for d in catalog.diagnostics)
    services = tuple(
        dataclasses.replace(
            s,
            folder=name(s.folder),
            file=name(s.file),
            standards=tuple(dataclasses.replace(v, position=position(v.position)) for v in s.standards),
        )
        for s in catalog.services
    )
    return Catalog(tuple(record(r) for r in catalog.agreements), diagnostics, services)
