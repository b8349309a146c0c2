"""`make bench`: the figures the issues ask for, measured in one run.

1. Core: `sla validate` and `sla credits --format json` on synthetic agreements
   (5 metrics, 24 periods) at each size of `--sizes` (default 500, 1,000, 2,000
   and 10,000): wall time and peak memory of the whole process tree. Targets:
   ≤ 10 s each at 2,000; at 10,000 validate ≤ 10 s, credits ≤ 15 s, < 2 GB.
2. Site: for the sizes up to 2,000, the plugin build against the floor, i.e. the
   same Markdown pages written by `sla render` and built by plain MkDocs with the
   same theme and navigation, without the plugin. Targets: plugin ≤ 1.10 × floor
   at 2,000; time at 2,000 ≤ 2.05 × time at 1,000; peak memory < 1.5 GB. Larger
   sizes build the plugin site only with `--large-sites` (target: within 24 GB).
3. Size: where the bytes of the largest site go, by page type and asset, per
   agreement, and how many mike versions fit in GitHub Pages' 1 GB (target:
   ≤ 150 MB at 2,000, so at least six versions fit). MB here is 10^6 bytes. Then
   the same catalog's public site and its largest customer's site (`sla sites`
   builds one per audience), each with the versions that fit.
4. Live preview (bench/preview.py): `mkdocs serve`, then `properdocs serve`, of the
   largest site on a free loopback port; an edit to an agreement's title, then to a
   results file; the time until the served pages (agreement page, catalog, credits by
   period) show each edit (target: ≤ 5 s). The server is stopped at the end, whatever
   happens.
5. Outage log (outage-log issue): one agreement with 10,000 outages over 24 months in its
   outage log and a weekly maintenance window, alone and among the 2,000 agreements of (1):
   `sla validate` and `sla credits --format json`, against the targets of (1) at 2,000.
6. Tickets (tickets issue): 1,000,000 tickets over a year through `sla validate` and
   `sla credits --format json`. Targets: ≤ 30 s each on 2 cores, < 2 GB.
7. Services (services issue): at each size of `--sizes`, the catalog of agreements that
   inherit the standards of 15 services (`bench/generate.py --services 15`) beside the one
   written in full of (1): `sla validate` and `sla credits --format json` (wall, CPU, peak
   memory) and, up to 2,000 agreements, the size of the plugin's site. Targets: inheriting
   at least as fast as written in full, and its site smaller.

Figures are printed as a table; nothing is asserted, the reader compares.
Options: `--sizes 500,1000,2000,10000`, `--large-sites`, `--skip-site`,
`--skip-core`, `--skip-serve`, `--skip-outages`, `--skip-tickets`, `--skip-services`, `--tickets N`,
`--keep` (leave bench/out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import preview  # noqa: E402
from generate import generate, make_busy  # noqa: E402
from measuring import BIN, ENV, LAST_CPU, cpu_seconds, mb, measure  # noqa: E402
from mkdocs_sla.core.audiences import agreement_reach, customer_key  # noqa: E402
from mkdocs_sla.source.load import load  # noqa: E402
from mkdocs_sla.source.parallel import RACY_SECONDS  # noqa: E402

#: The build date of every site and evaluation here (`--today`): the day after the last periods the
#: examples cover end, as the tests pin it (site_tests/helpers.py BUILD_DAY).
TODAY = "2026-12-01"

#: Site sizes built against the floor by default; larger ones only with --large-sites.
LARGEST_FLOOR = 2000


def catalog(out: Path, n: int) -> Path:
    """The synthetic agreements for size `n` (written once per run, shared by core and site), with
    the files dated an hour back, as a checkout is."""
    root = out / f"agreements-{n}"
    if not root.exists():
        generate(root, n, metrics=5, periods=24, seed=0)
        rewrite_times(root, time.time() - 3600)
    return root


def rewrite_times(root: Path, when: float) -> None:
    """Every file's modification time set to `when` (and so its change time to now), then a pause
    past `sla`'s race margin (source/parallel.py RACY_SECONDS): as a checkout leaves a tree some
    seconds before a check runs."""
    for path in root.rglob("*"):
        os.utime(path, (when, when))
    time.sleep(RACY_SECONDS + 0.5)


def core(out: Path, sizes: list[int]) -> None:
    print("\n## Core: 5 metrics, 24 periods (targets: ≤ 10 s at 2,000; at 10,000 validate ≤ 10 s, credits ≤ 15 s, < 2 GB)\n")
    # Each command three times. Cold: no cache yet (it loads every agreement and writes the cache).
    # Warm: as on the machine where it ran before, one results file edited since (that agreement
    # alone is loaded again). Checkout: every file written anew with the same bytes and one more
    # edit, as in a CI job that restores the cache of the branch it starts from (every folder's
    # times differ, so its bytes are compared; one agreement is loaded again).
    print("cold: no cache yet; warm: the cache of the run before, one results file edited since;")
    print("checkout: the same, with every file's times new (a fresh checkout, the cache restored)\n")
    # The load average beside each row: on a machine shared with other jobs, wall time above CPU
    # time says how busy the cores were, not how slow the command is.
    print(f"{'agreements':>10} {'command':32} {'run':>8} {'wall':>8} {'CPU':>8} {'peak memory':>12} {'load (1 min)':>13}")
    for n in sizes:
        root = catalog(out, n)
        cache = out / f"cache-{n}"
        shutil.rmtree(cache, ignore_errors=True)
        first = min(f for f in root.iterdir() if (f / "agreement.yaml").exists())
        edited = min((first / "results").glob("*.yaml"))
        for label, command in (
            ("sla validate", [str(BIN / "sla"), "validate", str(root)]),
            ("sla credits --format json", [str(BIN / "sla"), "credits", "--format", "json", str(root)]),
        ):
            for run in ("cold", "warm", "checkout"):
                if run != "cold":
                    with edited.open("a") as results:
                        results.write(f"# edited before the {run} {label}\n")
                if run == "checkout":
                    rewrite_times(root, time.time() - 1800)
                else:
                    time.sleep(RACY_SECONDS + 0.5)
                seconds, peak = measure(command, env={"SLA_CACHE_DIR": str(cache)})
                print(
                    f"{n:>10} {label:32} {run:>8} {seconds:7.2f}s {LAST_CPU[0]:7.2f}s {mb(peak):>12} {os.getloadavg()[0]:>13.2f}",
                    flush=True,
                )


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


def inheriting_catalog(out: Path, n: int) -> Path:
    """The synthetic agreements for size `n` inheriting the standards of 15 services (written once
    per run), through the generator's command line."""
    root = out / f"agreements-{n}-services"
    if not root.exists():
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                str(root),
                "--count",
                str(n),
                "--services",
                "15",
                "--metrics",
                "5",
                "--periods",
                "24",
            ],
            check=True,
            env=ENV,
            stderr=subprocess.DEVNULL,
        )
    return root


def written_in_full(out: Path, n: int) -> Path:
    """The inheriting catalog of size `n` with each agreement written in full: every version's
    effective terms (the standard in force plus the agreement's differences) as its own YAML
    document, without `standard:`, and the same results. The same agreements, the same pages to
    read: the fair baseline for what inheritance saves in the site."""
    root = out / f"agreements-{n}-services-in-full"
    if root.exists():
        return root
    source = inheriting_catalog(out, n)
    for record in load(source).agreements:
        folder = root / record.id
        shutil.copytree(source / record.id, folder, ignore=shutil.ignore_patterns("agreement.yaml"))
        documents = []
        for version in record.versions:
            document = version.terms.model_dump(mode="json", by_alias=True, exclude_none=True)
            document.pop("standard", None)
            documents.append(document)
        (folder / "agreement.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True))
    loaded = load(root)
    if loaded.errors:
        raise SystemExit(f"the catalog written in full does not load: {loaded.errors[0]}")
    return root


def site_bytes(site_dir: Path) -> int:
    """Bytes of every file of a built site."""
    return sum(f.stat().st_size for f in site_dir.rglob("*") if f.is_file())


def services_bench(out: Path, sizes: list[int]) -> None:
    """The catalog inheriting from 15 services beside the one written in full, measured in one run:
    validate and credits at each size, the plugin's site size up to LARGEST_FLOOR."""
    print("\n## Services: agreements inheriting 15 services' standards beside the same number written in full")
    print("(targets: inheriting at least as fast, and its site smaller)\n")
    print(f"load average {os.getloadavg()[0]:.1f}; ratio: inheriting / in full (below 1: inheriting is cheaper)\n")
    print(
        f"{'agreements':>10} {'command':26} {'full wall':>10} {'inh. wall':>10} {'full CPU':>9} {'inh. CPU':>9} {'ratio':>6} "
        f"{'full peak':>10} {'inh. peak':>10}"
    )
    for n in sizes:
        trees = (catalog(out, n), inheriting_catalog(out, n))
        for label, verb in (("sla validate", ["validate"]), ("sla credits --format json", ["credits", "--format", "json"])):
            figures = []
            for root in trees:
                seconds, peak = measure([str(BIN / "sla"), *verb, str(root)])
                figures.append((seconds, LAST_CPU[0], peak))
            (full_s, full_cpu, full_peak), (inh_s, inh_cpu, inh_peak) = figures
            print(
                f"{n:>10} {label:26} {full_s:9.2f}s {inh_s:9.2f}s {full_cpu:8.2f}s {inh_cpu:8.2f}s {inh_cpu / full_cpu:6.2f} "
                f"{mb(full_peak):>10} {mb(inh_peak):>10}",
                flush=True,
            )
    base = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    built = [n for n in sizes if n <= LARGEST_FLOOR]
    if not built:
        return
    print("\nsites: today's catalog written in full; the inheriting one; the same inheriting agreements written in full")
    print("(every version's effective terms in the agreement's own file: the same pages to read)\n")
    print(
        f"{'agreements':>10} {'site':12} {'full':>10} {'inheriting':>10} {'ratio':>6} {'same, full':>11} {'ratio':>6} "
        f"{'full build':>11} {'inh. build':>11} {'same build':>11}"
    )
    for n in built:
        row = []
        trees = (("full", catalog(out, n)), ("services", inheriting_catalog(out, n)), ("same", written_in_full(out, n)))
        for kind, root in trees:
            project = out / f"site-{n}-{kind}"
            if project.exists():
                shutil.rmtree(project)
            (project / "docs").mkdir(parents=True)
            (project / "docs" / "index.md").write_text("# Agreements\n")
            config = site_config(base, project, plugin=True, agreements=root)
            seconds, _ = measure([str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(project / "site")], cwd=project)
            row.append((site_bytes(project / "site"), seconds))
            shutil.rmtree(project)
        (full_size, full_s), (inh_size, inh_s), (same_size, same_s) = row
        print(
            f"{n:>10} {'whole site':12} {mb(full_size):>10} {mb(inh_size):>10} {inh_size / full_size:6.2f} {mb(same_size):>11} "
            f"{inh_size / same_size:6.2f} {full_s:10.1f}s {inh_s:10.1f}s {same_s:10.1f}s",
            flush=True,
        )


def site_config(base: dict, project: Path, plugin: bool, nav=None, agreements: Path | None = None) -> Path:
    """A mkdocs.yml for a generated catalog: this repository's theme and features."""
    config = dict(base)
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["theme"] = {**base["theme"], "custom_dir": str(REPO / "theme")}
    plugins = ["search"]
    if plugin:
        plugins.append({"sla": {"agreements": str(agreements or "agreements"), "today": TODAY}})
    config["plugins"] = plugins
    config.pop("nav", None)
    if nav is not None:
        config["nav"] = nav
    path = project / ("mkdocs.plugin.yml" if plugin else "mkdocs.floor.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def plugin_project(out: Path, n: int, base: dict) -> tuple[Path, Path]:
    """(project folder, plugin config) for size `n`: a home page and the shared catalog."""
    project = out / f"site-{n}"
    if project.exists():
        shutil.rmtree(project)
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Agreements\n")
    return project, site_config(base, project, plugin=True, agreements=catalog(out, n))


def site(out: Path, sizes: list[int], large: bool) -> Path | None:
    """Plugin against floor for each size up to LARGEST_FLOOR (the plugin alone above it, with
    `large`); returns the largest plugin site built against the floor, for `where_bytes_go`."""
    base = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    print("\n## Site: plugin build against the floor (plain MkDocs on the pages `sla render` writes)\n")
    print("wall time, then CPU seconds (user + system, all processes): the machine may be shared\n")
    print(
        f"{'agreements':>10} {'plugin':>9} {'floor':>9} {'ratio':>6} {'plugin CPU':>11} {'floor CPU':>10} {'ratio':>6} "
        f"{'plugin peak':>12} {'floor peak':>11} {'page':>9} {'site':>9}"
    )
    times: dict[int, float] = {}
    cpus: dict[int, float] = {}
    largest = None
    for n in sizes:
        if n > LARGEST_FLOOR and not large:
            continue
        project, plugin_cfg = plugin_project(out, n, base)
        plugin_time, plugin_peak = measure(
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(plugin_cfg), "-d", str(project / "site-plugin")], cwd=project
        )
        plugin_cpu = LAST_CPU[0]
        floor_time = floor_peak = floor_cpu = None
        if n <= LARGEST_FLOOR:
            # The floor: the same pages as files, the same navigation, no plugin.
            floor_docs = project / "floor-docs"
            subprocess.run(
                [
                    str(BIN / "sla"),
                    "render",
                    str(floor_docs),
                    "--path",
                    str(catalog(out, n)),
                    "--today",
                    TODAY,
                    "--nav",
                    str(project / "nav.yml"),
                ],
                check=True,
                env=ENV,
                cwd=project,
                stderr=subprocess.DEVNULL,
            )
            (floor_docs / "index.md").write_text("# Agreements\n")
            nav = yaml.safe_load((project / "nav.yml").read_text())
            floor_cfg = site_config(base, project, plugin=False, nav=[{"Home": "index.md"}, *nav, {"Reference": ["reference/format.md"]}])
            floor_cfg.write_text(floor_cfg.read_text().replace("docs_dir: docs", f"docs_dir: {floor_docs.name}"))
            floor_time, floor_peak = measure(
                [str(BIN / "mkdocs"), "build", "-q", "-f", str(floor_cfg), "-d", str(project / "site-floor")], cwd=project
            )
            floor_cpu = LAST_CPU[0]
            shutil.rmtree(project / "site-floor")
            shutil.rmtree(floor_docs)
        first = sorted(p.name for p in catalog(out, n).iterdir())[0]
        page = project / "site-plugin" / "agreements" / first / "index.html"
        page_size = page.stat().st_size
        site_size = site_bytes(project / "site-plugin")
        times[n], cpus[n] = plugin_time, plugin_cpu
        ratio = f"{plugin_time / floor_time:6.2f}" if floor_time else f"{'—':>6}"
        floor = f"{floor_time:8.1f}s" if floor_time else f"{'—':>9}"
        cpu_ratio = f"{plugin_cpu / floor_cpu:6.2f}" if floor_cpu else f"{'—':>6}"
        floor_cpu_text = f"{floor_cpu:9.1f}s" if floor_cpu else f"{'—':>10}"
        floor_mem = mb(floor_peak) if floor_peak else "—"
        print(
            f"{n:>10} {plugin_time:8.1f}s {floor} {ratio} {plugin_cpu:10.1f}s {floor_cpu_text} {cpu_ratio} {mb(plugin_peak):>12} "
            f"{floor_mem:>11} {page_size / 1000:7.0f}KB {site_size / 1_000_000:7.0f}MB",
            flush=True,
        )
        if n <= LARGEST_FLOOR:
            if largest is not None:
                shutil.rmtree(largest.parent / "site-plugin", ignore_errors=True)
            largest = project / "site-plugin"
        else:
            shutil.rmtree(project / "site-plugin")
    for n in sorted(times):
        if 2 * n in times:
            print(
                f"\ntime at {2 * n:,} / time at {n:,}: {times[2 * n] / times[n]:.2f} wall, {cpus[2 * n] / cpus[n]:.2f} CPU "
                "(target ≤ 2.05 for 2,000 / 1,000)"
            )
    return largest


# ---------------------------------------------------------------- where the bytes go

#: (kind, rule on the path relative to the site root), first match wins.
KINDS = [
    ("agreement pages", re.compile(r"agreements/[^/]+/index\.html$")),
    ("history pages", re.compile(r"agreements/[^/]+/history/index\.html$")),
    ("version pages", re.compile(r"agreements/[^/]+/versions/[^/]+/index\.html$")),
    ("earlier-year pages", re.compile(r"agreements/[^/]+/periods/[^/]+/index\.html$")),
    ("statement pages", re.compile(r"agreements/statements/.*\.html$")),
    ("statements (JSON, CSV)", re.compile(r"agreements/statements/.*\.(json|csv)$")),
    ("credits-by-period pages", re.compile(r"agreements/credits/.*\.html$")),
    ("glossary pages", re.compile(r"agreements/metrics/.*\.html$")),
    ("catalog page", re.compile(r"agreements/index\.html$")),
    ("other pages", re.compile(r"\.html$")),
    ("credits.json (one per agreement)", re.compile(r"agreements/[^/]+/credits\.json$")),
    ("charts (SVG)", re.compile(r"agreements/.*\.svg$")),
    ("search index", re.compile(r"^search/")),
    ("theme assets (CSS, JS, images)", re.compile(r"^assets/")),
    ("feed and sitemap", re.compile(r"^(feed\.xml|sitemap\.xml(\.gz)?)$")),
    ("JSON Schemas", re.compile(r"^schema/")),
    ("other files", re.compile(r"")),
]


def where_bytes_go(site_dir: Path, agreements: int) -> None:
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for file in site_dir.rglob("*"):
        if file.is_file():
            relative = file.relative_to(site_dir).as_posix()
            kind = next(name for name, rule in KINDS if rule.search(relative))
            sizes[kind] += file.stat().st_size
            counts[kind] += 1
    total = sum(sizes.values())
    print(f"\n## Size: where the bytes of the {agreements:,}-agreement site go (target: ≤ 150 MB)\n")
    print(f"{'':36} {'size':>9} {'share':>6} {'files':>7} {'per agreement':>14}")
    for kind, _ in KINDS:
        if counts[kind]:
            print(
                f"{kind:36} {mb(sizes[kind]):>9} {sizes[kind] / total:6.1%} {counts[kind]:>7,} {sizes[kind] / agreements / 1000:11.1f} KB"
            )
    print(f"{'whole site':36} {mb(total):>9} {'':6} {sum(counts.values()):>7,} {total / agreements / 1000:11.1f} KB")
    print(f"\nmike versions of this site that fit in GitHub Pages' 1 GB: {int(1_000_000_000 // total)} (target ≥ 6)")


def audience_sizes(internal_site: Path, n: int) -> None:
    """The size of each kind of site built from the same catalog: the internal one measured
    above (every customer's credits: the provider's own, not for a public host), the public one
    (what the publish workflow deploys) and the largest customer's (`sla sites` builds one per
    customer), each with the mike versions of it that fit in GitHub Pages' 1 GB."""
    project = internal_site.parent
    config = project / "mkdocs.plugin.yml"
    current = [record.versions[-1].terms for record in load(catalog(project.parent, n)).agreements]
    keys = Counter(key for terms in current if (key := customer_key(terms)))
    public = sum(1 for terms in current if agreement_reach(terms)[0].public)
    largest, agreements = keys.most_common(1)[0]
    print(f"\n## Size: each audience's site of the {n:,}-agreement catalog (target: ≤ 150 MB)\n")
    print(f"{'site':52} {'size':>9} {'agreements':>11} {'versions in 1 GB':>17}")
    rows = [("internal (every customer; the provider's own)", site_bytes(internal_site), n)]
    for label, audience, count in (
        ("public (what the publish workflow deploys)", "public", public),
        (f"customer {largest} (the largest customer)", f"customer:{largest}", agreements),
    ):
        target = project / f"site-{audience.replace(':', '-')}"
        measure([str(BIN / "mkdocs"), "build", "-q", "-f", str(config), "-d", str(target)], cwd=project, env={"SLA_AUDIENCE": audience})
        rows.append((label, site_bytes(target), count))
        shutil.rmtree(target)
    for label, size, count in rows:
        print(f"{label:52} {mb(size):>9} {count:>11,} {int(1_000_000_000 // size):>17}")


# ---------------------------------------------------------------- live preview


def serve(out: Path, n: int, tools: tuple[str, ...] = ("mkdocs", "properdocs")) -> None:
    """The live preview at `n` agreements under each tool (bench/preview.py)."""
    base = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    prefix = urlsplit(base["site_url"]).path.strip("/")
    for pick, tool in enumerate(tools):
        project, config = plugin_project(out, n, base)
        preview.serve(project, config, catalog(out, n), prefix, dt.date.fromisoformat(TODAY), tool, pick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000,10000", help="catalog sizes (core at each; sites up to 2,000)")
    parser.add_argument("--large-sites", action="store_true", help="also build the plugin site above 2,000 agreements")
    parser.add_argument("--skip-site", action="store_true")
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-outages", action="store_true", help="skip the busy outage log")
    parser.add_argument("--skip-tickets", action="store_true")
    parser.add_argument("--skip-services", action="store_true", help="skip the catalog inheriting from services")
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets in the ticket benchmark (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated trees in bench/out")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    out = HERE / "out" if args.keep else Path(tempfile.mkdtemp(prefix="sla-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"# mkdocs-sla benchmark ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
    try:
        if not args.skip_core:
            core(out, sizes)
        if not args.skip_outages:
            outage_log(out)
        if not args.skip_tickets:
            tickets_bench(out, args.tickets)
        if not args.skip_services:
            services_bench(out, sizes)
        if not args.skip_site:
            largest = site(out, sizes, args.large_sites)
            if largest is not None:
                n = int(largest.parent.name.split("-")[1])
                where_bytes_go(largest, n)
                audience_sizes(largest, n)
                shutil.rmtree(largest)
        served = [n for n in sizes if n <= LARGEST_FLOOR]
        if not args.skip_serve and served:
            serve(out, max(served))
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
