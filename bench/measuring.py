"""Measuring a command for the benchmark: wall time, CPU seconds and peak memory of its process tree."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1790000000"}


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


#: CPU seconds (user + system) of the last `measure`d command and the processes it waited for:
#: on a machine shared with other jobs, wall time says more about them than about us.
LAST_CPU = [0.0]


def cpu_seconds() -> float:
    """User and system CPU time of the finished child processes of this process, and theirs:
    on a machine shared with other work, the figure that wall time hides."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall seconds, peak resident bytes of the process tree), sampling every 20 ms; the CPU
    seconds go to LAST_CPU. `env`: variables added to ENV for this command. `sla`'s cache is an
    empty folder of this command's own unless `env` names one (SLA_CACHE_DIR): a figure is of a
    cold run unless the caller asks for a warm one."""
    if "SLA_CACHE_DIR" not in (env or {}):
        with tempfile.TemporaryDirectory(prefix="sla-bench-cache-") as cache:
            return measure(command, cwd, {**(env or {}), "SLA_CACHE_DIR": cache})
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env={**ENV, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{stderr.decode()[-3000:]}")
    return elapsed, peak


def mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB"
