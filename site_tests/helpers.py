"""Plain helpers shared by the tests (no pytest fixtures here, see conftest.py).

Import them as ``from helpers import build_site, serve_directory``: site_tests/
has no __init__.py, so pytest puts this folder on sys.path (rootdir-style
tests; keep test file names unique).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: The repository root (the folder holding mkdocs.yml).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The build date the tests of the example site pin, never the real clock: the day after the last
#: periods the committed examples cover end (2026-11 and 2026-Q3), so no result is of a period
#: not ended and no review is overdue. Move it with the data: `make examples TODAY=<it>`.
BUILD_DAY = dt.date(2026, 12, 1)
#: The same date as the builds read it (`SOURCE_DATE_EPOCH`, midnight UTC).
BUILD_EPOCH = {"SOURCE_DATE_EPOCH": str(int(dt.datetime.combine(BUILD_DAY, dt.time(), dt.UTC).timestamp()))}

#: What a copy of this project's site needs besides the agreements.
SITE_FILES = ("mkdocs.yml", "docs", "theme")


def copy_project(destination: Path, agreements: bool = True, *, ignore: Sequence[str] = ("__pycache__",)) -> Path:
    """Copy this project's site (mkdocs.yml, docs, theme and, unless `agreements=False`, the example
    agreements) into `destination`, leaving out `ignore`d names; returns the copy's mkdocs.yml."""
    for name in [*SITE_FILES, *(["agreements"] if agreements else [])]:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns(*ignore))
        else:
            shutil.copy2(source, destination / name)
    return destination / "mkdocs.yml"


def hostile_terms(agreement_id: str, text: str) -> dict:
    """An agreement's terms, valid for the loader, with `text` in every field that takes text:
    title, parties, service, duties, the metric, credit terms, claims, remedies, exclusions and
    changes. The hostile-input tests write their payloads this way, then aim sharper ones at the
    fields they are about."""
    return {
        "id": agreement_id,
        "version": "1.0",
        "effective": "2025-01-01",
        "title": f"Hostile {text}",
        "summary": text,
        "provider": text,
        "customer": text,
        # A hostile name cannot become a folder name: the agreement names its customer's site.
        "customer_id": "hostile-customer",
        "owner": text,
        "service": {"name": text, "family": text, "scope": text},
        "responsibilities": {"provider": [text], "customer": [text]},
        "metrics": [
            {
                "id": "uptime",
                "name": text,
                "definition": text,
                "target": text,
                "unit": "%",
                "better": "higher",
                "objective": "99.9",
                "measure": {"kind": "events"},
                "credits": {"model": "tiers", "tiers": [{"below": "99.9", "credit": "10"}]},
            }
        ],
        "credit_terms": {"base": text, "claim": {"how": text, "deadline": {"days_after_period": 30}, "evidence": [text]}},
        "remedies": {"chronic": {"misses": 1, "within": 2, "consequence": text}},
        "exclusions": [text],
        "changes": text,
    }


def missed_period_with_credit(catalog):
    """(record, outcome): the newest missed period that earned a credit %, of the first example
    agreement that has one."""
    import pytest

    from mkdocs_sla.core.evaluate import evaluate

    for record in catalog.agreements:
        for outcome in reversed(evaluate(record).periods):
            if outcome.missed and outcome.credit.percent > 0:
                return record, outcome
    pytest.fail("the examples should hold at least one missed period with a credit")


#: Debian's chromium; Playwright cannot download its own browser here.
#: CHROMIUM_PATH overrides it on machines that keep the browser elsewhere.
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

#: --no-sandbox: we run as root (and in containers); --disable-dev-shm-usage:
#: docker's default 64 MB /dev/shm makes chromium crash on larger pages.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
]


def venv_script(name: str) -> list[str]:
    """The command for a console script installed next to the running Python.

    Tests must use the tools of the environment that runs them, not whatever
    ``mkdocs`` happens to be first on PATH. Falls back to ``python -m name``.
    """
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", name]


def tool_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ for a child tool: the venv's bin first on PATH (mike runs
    ``mkdocs`` by name), Material's MkDocs 2 warning off, plus ``env``."""
    merged = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    merged["PATH"] = bindir + os.pathsep + merged.get("PATH", "")
    merged["NO_MKDOCS_2_WARNING"] = "1"
    if env:
        merged.update(env)
    return merged


def build_site(
    config_file: str | os.PathLike[str],
    site_dir: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict -f config_file -d site_dir``.

    Runs in the config file's folder, with :func:`tool_env` (``env`` added on
    top). Never raises on a failed build: assert on ``.returncode`` and read
    ``.stdout`` / ``.stderr`` (text) so tests can check failures too.
    """
    config_file = Path(config_file).resolve()
    return subprocess.run(
        [*venv_script("mkdocs"), "build", "--strict", "-f", str(config_file), "-d", str(Path(site_dir).resolve())],
        cwd=config_file.parent,
        env=tool_env(env),
        capture_output=True,
        text=True,
        check=False,
    )


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files without one log line per request on stderr."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    """A browser that navigates on, or closes, while a file is still being sent breaks the
    connection: that is the browser's choice, not a failure, so no traceback on stderr for it."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(path: str | os.PathLike[str]) -> Iterator[str]:
    """Serve ``path`` over HTTP on 127.0.0.1 (a free port) in a thread.

    Yields the base URL with a trailing slash, e.g. ``http://127.0.0.1:43121/``;
    the server is shut down on exit. Symlinks are followed, as GitHub Pages
    does for mike's ``latest`` alias.
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"cannot serve {root}: not a directory")
    handler = functools.partial(_QuietHandler, directory=str(root))
    # Port 0: the kernel picks a free port, so parallel xdist workers never clash.
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"http {root}", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


#: The periods an agreement's page shows in full; the earlier ones are on a page per year.
RECENT_PERIODS = 12


def results_page(evaluation, label: str) -> str:
    """The page (relative to `agreements/`, with a trailing slash) that shows period `label` of an
    evaluated agreement, as the site promises it: the latest 12 periods on the agreement's own
    page, every earlier one on the page of the year it starts in."""
    periods = [o.period for o in evaluation.periods]
    index = next(i for i, p in enumerate(periods) if p.label == label)
    agreement = evaluation.record.id
    if index >= len(periods) - RECENT_PERIODS:
        return f"{agreement}/"
    return f"{agreement}/periods/{periods[index].start.year}/"
