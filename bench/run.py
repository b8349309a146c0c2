"""`make bench`: the figures the issues ask for, measured in one run.

1. Core (agreement-format issue): `sla validate` and `sla credits --format json`
   on 2,000 synthetic agreements (5 metrics, 24 periods): wall time and peak
   memory of the whole process tree. Targets: ≤ 10 s each, < 1 GB.
2. Site (published-site issue): for 500, 1,000 and 2,000 agreements, the plugin
   build against the floor, i.e. the same Markdown pages written by `sla render`
   and built by plain MkDocs with the same theme and navigation, without the
   plugin. Targets: plugin ≤ 1.25 × floor at 2,000; time at 2,000 ≤ 2.2 × time
   at 1,000; one agreement page ≤ 150 KB; peak memory < 1.5 GB.

3. Outage log (outage-log issue): one agreement with 10,000 outages over 24 months in its
   outage log and a weekly maintenance window, alone and among the 2,000 agreements of (1):
   `sla validate` and `sla credits --format json`, against the targets of (1).
4. Tickets (tickets issue): 1,000,000 tickets over a year through `sla validate` and
   `sla credits --format json`. Targets: ≤ 30 s each on 2 cores, < 2 GB.

Figures are printed as a table; nothing is asserted, the reader compares.
Options: `--sizes 500,1000,2000`, `--skip-site`, `--skip-core`, `--skip-outages`, `--keep` (leave bench/out).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate, make_busy  # noqa: E402

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


def cpu_seconds() -> float:
    """User and system CPU time of the finished child processes of this process, and theirs:
    on a machine shared with other work, the figure that wall time hides."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak resident bytes of the process tree), sampling every 20 ms."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{stderr.decode()[-3000:]}")
    return elapsed, peak


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def core(out: Path) -> None:
    root = out / "core" / "agreements"
    if root.exists():
        shutil.rmtree(root)
    generate(root, 2000, metrics=5, periods=24, seed=0)
    print("\n## Core: 2,000 agreements, 5 metrics, 24 periods (targets: ≤ 10 s, < 1 GB)\n")
    print(f"{'command':40} {'wall':>8} {'peak memory':>12}")
    for label, command in (
        ("sla validate", [str(BIN / "sla"), "validate", str(root)]),
        ("sla credits --format json", [str(BIN / "sla"), "credits", "--format", "json", str(root)]),
    ):
        seconds, peak = measure(command)
        print(f"{label:40} {seconds:7.2f}s {mb(peak):>12}", flush=True)


def outage_log(out: Path) -> None:
    """A busy service: 10,000 outages over 24 months in one agreement's outage log, with a weekly
    maintenance window; alone, and as one of the 2,000 agreements of the core figures."""
    print("\n## Outage log: 10,000 outages over 24 months (targets: those of the 2,000 agreements)\n")
    print(f"{'command':52} {'wall':>8} {'CPU':>8} {'peak memory':>12}")
    alone = out / "busy" / "agreements"
    if alone.exists():
        shutil.rmtree(alone)
    generate(alone, 1, metrics=5, periods=24, seed=0)
    make_busy(alone / "sla-0001")
    tree = out / "core" / "agreements"
    if not tree.exists():
        generate(tree, 2000, metrics=5, periods=24, seed=0)
    busy = tree / "sla-0001"
    shutil.rmtree(busy)
    shutil.copytree(alone / "sla-0001", busy)
    for label, root in (("one busy agreement", alone), ("2,000 agreements, one of them busy", tree)):
        for verb, command in (
            ("sla validate", [str(BIN / "sla"), "validate", str(root)]),
            ("sla credits --format json", [str(BIN / "sla"), "credits", "--format", "json", str(root)]),
        ):
            before = cpu_seconds()
            seconds, peak = measure(command)
            print(f"{verb + ', ' + label:52} {seconds:7.2f}s {cpu_seconds() - before:7.2f}s {mb(peak):>12}", flush=True)


def tickets_bench(out: Path, count: int = 1_000_000) -> None:
    """Tickets issue: `count` tickets over a year (four quarterly Zendesk-shaped exports with
    status logs) on the Berlin office calendar, through `sla validate` and `sla credits --format json`."""
    from tickets import write_period

    root = out / "tickets" / "agreements"
    if root.exists():
        shutil.rmtree(root)
    (root / "calendars").mkdir(parents=True)
    shutil.copyfile(REPO / "agreements" / "calendars" / "berlin-office.yaml", root / "calendars" / "berlin-office.yaml")
    folder = root / "support-bench"
    folder.mkdir()
    # The ticket version of the support-desk example, alone: the last document of its agreement.yaml.
    text = (REPO / "agreements" / "support-desk" / "agreement.yaml").read_text(encoding="utf-8").split("\n---\n")[-1]
    (folder / "agreement.yaml").write_text(text.replace("id: support-desk", "id: support-bench"), encoding="utf-8")
    started = time.perf_counter()
    for index, label in enumerate(("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")):
        write_period(folder, label, count // 4, seed=index)
    print(f"\n## Tickets: {count:,} tickets over a year, 5 ticket metrics, status logs (targets: ≤ 30 s each, < 2 GB)")
    print(f"(exports written in {time.perf_counter() - started:.0f} s)\n")
    # CPU seconds beside the wall time: on a shared machine the wall time also counts the waiting.
    print(f"{'command':40} {'wall':>8} {'CPU':>8} {'peak memory':>12}  (load average {os.getloadavg()[0]:.1f})")
    for label, command in (
        ("sla validate", [str(BIN / "sla"), "validate", str(root)]),
        ("sla credits --format json", [str(BIN / "sla"), "credits", "--format", "json", str(root)]),
    ):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, peak = measure(command)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"{label:40} {seconds:7.2f}s {cpu:7.2f}s {mb(peak):>12}", flush=True)


def site_config(base: dict, project: Path, plugin: bool, nav=None) -> Path:
    """A mkdocs.yml for a generated catalog: this repository's theme and features."""
    config = dict(base)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["theme"] = {**base["theme"], "custom_dir": str(REPO / "theme")}
    plugins = ["search"]
    if plugin:
        plugins.append({"sla": {"agreements": "agreements", "today": "2026-11-26"}})
    config["plugins"] = plugins
    config.pop("nav", None)
    if nav is not None:
        config["nav"] = nav
    path = project / ("mkdocs.plugin.yml" if plugin else "mkdocs.floor.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def site(out: Path, sizes: list[int]) -> None:
    base = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    print("\n## Site: plugin build against the floor (plain MkDocs on the pages `sla render` writes)\n")
    print(f"{'agreements':>10} {'plugin':>9} {'floor':>9} {'ratio':>6} {'plugin peak':>12} {'floor peak':>11} {'page':>9} {'site':>9}")
    times = {}
    for n in sizes:
        project = out / f"site-{n}"
        if project.exists():
            shutil.rmtree(project)
        (project / "docs").mkdir(parents=True)
        (project / "docs" / "index.md").write_text("# Agreements\n")
        generate(project / "agreements", n, metrics=5, periods=24, seed=0)
        plugin_cfg = site_config(base, project, plugin=True)
        plugin_time, plugin_peak = measure(
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(plugin_cfg), "-d", str(project / "site-plugin")], cwd=project
        )

        # The floor: the same pages as files, the same navigation, no plugin.
        floor_docs = project / "floor-docs"
        subprocess.run(
            [
                str(BIN / "sla"),
                "render",
                str(floor_docs),
                "--path",
                str(project / "agreements"),
                "--today",
                "2026-11-26",
                "--nav",
                str(project / "nav.yml"),
            ],
            check=True,
            env=ENV,
            cwd=project,
        )
        (floor_docs / "index.md").write_text("# Agreements\n")
        nav = yaml.safe_load((project / "nav.yml").read_text())
        floor_cfg = site_config(base, project, plugin=False, nav=[{"Home": "index.md"}, *nav])
        floor_cfg.write_text(floor_cfg.read_text().replace("docs_dir: docs", f"docs_dir: {floor_docs.name}"))
        floor_time, floor_peak = measure(
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(floor_cfg), "-d", str(project / "site-floor")], cwd=project
        )

        first = sorted((project / "agreements").iterdir())[0].name
        page = project / "site-plugin" / "agreements" / first / "index.html"
        page_size = page.stat().st_size
        site_size = sum(f.stat().st_size for f in (project / "site-plugin").rglob("*") if f.is_file())
        times[n] = plugin_time
        print(
            f"{n:>10} {plugin_time:8.1f}s {floor_time:8.1f}s {plugin_time / floor_time:6.2f} {mb(plugin_peak):>12} "
            f"{mb(floor_peak):>11} {page_size / 1024:7.0f}KB {site_size / 1024 / 1024:7.0f}MB",
            flush=True,
        )
        shutil.rmtree(project / "site-floor")
    if 1000 in times and 2000 in times:
        print(f"\ntime at 2,000 / time at 1,000: {times[2000] / times[1000]:.2f} (target ≤ 2.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--skip-site", action="store_true")
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--skip-outages", action="store_true", help="skip the busy outage log")
    parser.add_argument("--skip-tickets", action="store_true")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets in the ticket benchmark (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees in bench/out")
    args = parser.parse_args()
    out = HERE / "out" if args.keep else Path(tempfile.mkdtemp(prefix="sla-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"# mkdocs-sla benchmark ({os.cpu_count()} cores)")
    try:
        if not args.skip_core:
            core(out)
        if not args.skip_outages:
            outage_log(out)
        if not args.skip_tickets:
            tickets_bench(out, args.tickets)
        if not args.skip_site:
            site(out, [int(s) for s in args.sizes.split(",")])
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
