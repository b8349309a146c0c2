"""The live preview of `make bench`: a server of the largest site on a free loopback port, an
agreement file and a results file edited while it runs, and the time until the served pages
(the agreement page, the catalog, credits by period) show each edit. The server is stopped at
the end, whatever happens."""

from __future__ import annotations

import datetime as dt
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from html import unescape
from pathlib import Path

from measuring import BIN, ENV
from mkdocs_sla.present import display


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace") if response.status == 200 else None
    except (OSError, urllib.error.URLError):
        return None


def until(what: str, check, proc: subprocess.Popen, timeout: float, output: list[str] | None = None) -> float:
    """Seconds until `check()` holds, polling every 0.1 s. When the server stops, the end of
    its `output` says why."""
    start = time.perf_counter()
    while not check():
        if proc.poll() is not None:
            tail = "".join((output or [])[-20:])
            raise SystemExit(
                f"the server exited ({proc.returncode}) while waiting for {what}" + (f"; its last lines:\n{tail}" if tail else "")
            )
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"no {what} within {timeout:.0f} s")
        time.sleep(0.1)
    return time.perf_counter() - start


def period_outcome(folder: Path, label: str, today: dt.date):
    """The engine's outcome of one period of one agreement folder (what the pages must show)."""
    from mkdocs_sla.core.diagnostics import Diagnostics
    from mkdocs_sla.core.evaluate import evaluate
    from mkdocs_sla.source.load import load_agreement

    record = load_agreement(folder, Diagnostics(), today)
    return next(o for o in evaluate(record).periods if o.period.label == label)


def serve(project: Path, config: Path, root: Path, prefix: str, today: dt.date, tool: str = "mkdocs", pick: int = 0) -> None:
    """`<tool> serve` of `config` (the catalog `root`): first build, then an agreement edit and a
    results edit of the agreement `pick` places after the middle one (each tool edits its own,
    so that one run's edits are not already on the pages the next one polls)."""
    n = sum(1 for p in root.iterdir() if p.is_dir())
    port = free_port()
    url = f"http://127.0.0.1:{port}/" + (prefix + "/" if prefix else "")
    lines: list[str] = []
    proc = subprocess.Popen(
        [str(BIN / tool), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={**ENV, "TMPDIR": str(project)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    print(f"\n## Live preview: `{tool} serve` at {n:,} agreements (target: an edit shows within 5 s)\n")
    try:
        agreement = sorted(p.name for p in root.iterdir() if p.is_dir())[n // 2 + pick]
        page = f"{url}agreements/{agreement}/"
        first = until("first build", lambda: get(page) is not None, proc, 3600, lines)
        print(f"{'first build (until the agreement page answers)':58} {first:7.1f}s", flush=True)

        # An agreement file: a new title, on its page and in the catalog.
        terms = root / agreement / "agreement.yaml"
        text = terms.read_text(encoding="utf-8")
        title = f"Edited while serving ({tool})"
        terms.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1), encoding="utf-8")
        shown = until("the new title", lambda: title in unescape(get(page) or ""), proc, 600, lines)
        listed = until("the new title in the catalog", lambda: title in unescape(get(url + "agreements/") or ""), proc, 600, lines)
        print(f"{'agreement edit: its page shows the new title':58} {shown:7.1f}s")
        print(f"{'agreement edit: the catalog too (after the page)':58} {listed:7.1f}s", flush=True)

        # A results file: the newest period's first reported value made a clear miss (1.234).
        results = sorted((root / agreement / "results").glob("*.yaml"))[-1]
        label = results.stem
        before = period_outcome(root / agreement, label, today)
        text = results.read_text(encoding="utf-8")
        found = re.search(r"(?m)^  ([a-z0-9-]+):\n    value: [0-9.]+$", text)
        if found is None:
            print("results edit: no reported value in the newest results file; not measured")
            return
        metric_id = found.group(1)
        results.write_text(text[: found.start()] + f"  {metric_id}:\n    value: 1.234" + text[found.end() :], encoding="utf-8")
        after = period_outcome(root / agreement, label, today)
        metric = next(m for m in after.metrics if m.metric.id == metric_id)
        figure = display.attainment(metric.attainment, metric.metric.unit, metric.metric.better)
        shown = until("the edited results", lambda: f">{figure}<" in (get(page) or ""), proc, 600, lines)
        print(f"{'results edit: the agreement page shows the new attainment':58} {shown:7.1f}s")
        currency = after.terms.credit_terms.currency if after.terms.credit_terms else None
        if after.credit.amount and currency and after.credit.amount != before.credit.amount:
            amount = display.money(after.credit.amount, currency)
            listed = until(
                "the new credit on the credits-by-period page",
                lambda: amount in unescape(get(f"{url}agreements/credits/{label}/") or ""),
                proc,
                600,
                lines,
            )
            print(f"{'results edit: the credits-by-period page too (after the page)':58} {listed:7.1f}s")
        rendered = [line.strip() for line in lines if "sla: rendered" in line]
        if rendered:
            print(f"\nlast rebuild: {rendered[-1]}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        reader.join(timeout=5)
