"""Extend the example agreements' results up to the last period closed before a date.

The example site should look current: its results run up to the last closed period, not
stop a year before the build. This script writes the missing periods of every example
(`EXAMPLES`), after the last results file already there, in the form each one reads them:

- results files (`results/<period>.yaml`): outages, good and total events, counts, sums;
- 5-minute error series (`results/<name>.csv`) for `intervals` metrics;
- outage log entries (`outages/<period>.yaml`) for an agreement that keeps its own log
  (acme-compute); one on a service (contoso-compute...) gets its charges only, the
  service's log (`services/<id>/outages.yaml`, written by hand) holding its incidents;
- ticket exports as the provider's tool writes them (`tickets/<period>.csv`, one row per
  ticket, and a Zendesk status log), made by bench/tickets.py.

It never touches an existing file: the hand-written ones hold the edge cases the README
lists (results exactly on a bound...). What it writes depends only on the agreement, the
period, its terms and the files before it (random generators seeded with the agreement and
the period), so running it again writes the same bytes.

The figures are made from each metric's objective: most periods meet it, some spend part
of the error budget, about one in ten misses it by up to six times the budget, so the
pages show credits, tiers and remedies. Outages avoid the days clocks change.

    python scripts/extend_examples.py [--today 2026-12-01] [--root agreements] [--check]

`--check` writes nothing and exits 1 when a period is missing (for CI).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO / "bench"))

# bench/tickets.py: ticket exports in the shape Zendesk and the CRM write them.
import tickets  # noqa: E402
from mkdocs_sla.core.model import Metric, Terms  # noqa: E402
from mkdocs_sla.core.periods import Period, minutes_between  # noqa: E402
from mkdocs_sla.source.load import load  # noqa: E402

SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/results.schema.json\n"
#: The example agreements this script extends: every one in `agreements/` (a test checks), and
#: only those, so that a provider who copies the repository and adds agreements of its own never
#: gets made-up results for them.
EXAMPLES = (
    "acme-compute",
    "acme-database",
    "code-hosting",
    "contoso-compute",
    "contoso-storage",
    "fabrikam-compute",
    "litware-storage",
    "marketing-sales",
    "object-store",
    "outsourced-ops",
    "support-desk",
    "tailspin-compute",
    "woodgrove-storage",
)
LOG_SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/outages.schema.json\n"
HEADER = "# Written by scripts/extend_examples.py (the same bytes on every run): change the script, not this file.\n"
RESULTS_NAME = re.compile(r"^(\d{4}-(?:\d{2}|Q[1-4]))\.yaml$")


def last_closed(today: dt.date, kind: str) -> Period:
    """The last period of `kind` that has ended by `today` (its last day is before today)."""
    return Period.containing(today, kind).previous()


def missing_periods(folder: Path, kind: str, today: dt.date) -> list[Period]:
    """The periods after the last results file, up to the last closed one."""
    labels = sorted(Period.parse(m.group(1)) for f in (folder / "results").iterdir() if (m := RESULTS_NAME.match(f.name)))
    if not labels:
        return []
    period, until, found = labels[-1].next(), last_closed(today, kind), []
    while period.start <= until.start:
        found.append(period)
        period = period.next()
    return found


def _share(rng: random.Random) -> Fraction:
    """How much of the error budget a metric spends: none, part of it, or a miss."""
    roll = rng.random()
    if roll < 0.35:
        return Fraction(0)
    if roll < 0.9:
        return Fraction(rng.randint(5, 90), 100)
    return Fraction(rng.randint(110, 600), 100)


def _moment(day: dt.date, minute: int, utc: bool) -> str:
    moment = dt.datetime.combine(day, dt.time(0)) + dt.timedelta(minutes=minute)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if utc else "")


def _outages(metric: Metric, terms: Terms, period: Period, rng: random.Random) -> list[tuple]:
    """(day, minute of the day, minutes, tag, note) of the outages one metric has in a period."""
    start, end = period.bounds(terms.timezone)
    minutes = minutes_between(start, end)
    down = int(minutes * (100 - Fraction(metric.objective)) / 100 * _share(rng))
    shortest = int(metric.measure.minimum_outage_minutes) + 1
    outages = []
    # Working hours of days 2 to 24: never in the night the clocks change (last Sundays).
    if down:
        parts = [down] if down < 2 * shortest or rng.random() < 0.5 else [down // 2, down - down // 2]
        for length in parts:
            day = period.start + dt.timedelta(days=rng.randint(1, 23))
            at = rng.randint(9 * 60, 17 * 60)
            outages.append((day, at, max(length, shortest), None, "Unplanned outage (generated example)."))
    if metric.measure.exclude_tags and rng.random() < 0.35:
        day = period.start + dt.timedelta(days=rng.randint(1, 23))
        outages.append((day, 2 * 60, 120, metric.measure.exclude_tags[0], "Announced maintenance (generated example)."))
    return sorted(outages)


def _downtime(metric: Metric, terms: Terms, period: Period, rng: random.Random) -> list[str]:
    """The `outages:` of one metric in a results file."""
    outages = _outages(metric, terms, period, rng)
    if not outages:
        return ["    outages: []"]
    utc = terms.timezone == "UTC"
    lines = ["    outages:"]
    for day, at, length, tag, note in outages:
        lines.append(f"      - start: {_moment(day, at, utc)}")
        lines.append(f"        end: {_moment(day, at + length, utc)}")
        if tag:
            lines.append(f"        tags: [{tag}]")
        lines.append(f'        note: "{note}"')
    return lines


def _log(agreement_id: str, terms: Terms, period: Period) -> str | None:
    """The outage log entries of one period (`outages/<period>.yaml`), as the provider's status page
    records them: an id, the real start and end, tags, a note and where it was recorded; None
    when the period had none."""
    rng = random.Random(f"{agreement_id}:{period.label}:log")
    entries = []
    for metric in terms.metrics:
        if metric.measure.reads_log:
            entries += _outages(metric, terms, period, rng)
    if not entries:
        return None
    utc = terms.timezone == "UTC"
    lines = [LOG_SCHEMA.rstrip("\n"), HEADER.rstrip("\n"), "outages:"]
    for day, at, length, tag, note in sorted(entries):
        lines.append(f"  - id: INC-{day.strftime('%Y-%m%d')}-{at // 60:02d}{at % 60:02d}")
        lines.append(f"    start: {_moment(day, at, utc)}")
        lines.append(f"    end: {_moment(day, at + length, utc)}")
        if tag:
            lines.append(f"    tags: [{tag}]")
        lines.append(f'    note: "{note}"')
        lines.append("    source: " + ("maintenance notice" if tag else "status page"))
    return "\n".join(lines) + "\n"


def _events(metric: Metric, previous: dict, rng: random.Random) -> list[str]:
    total = int(previous.get("total", 1000))
    total = max(1, total + rng.randint(-total // 20, total // 20))
    bad = int(total * (100 - Fraction(metric.objective)) / 100 * _share(rng))
    return [f"    good: {total - min(bad, total)}", f"    total: {total}"]


def _intervals(metric: Metric, terms: Terms, period: Period, rng: random.Random, name: str) -> tuple[list[str], str]:
    """A results line naming the CSV, and the CSV: a few 5-minute intervals with errors."""
    start, end = period.bounds(terms.timezone)
    step = metric.measure.interval_minutes
    slots = int(minutes_between(start, end)) // step
    budget = Fraction(slots) * (100 - Fraction(metric.objective)) / 100 * _share(rng)
    rows = ["start,requests,errors"]
    count = max(3, int(budget / Fraction(3, 4)) + 1) if budget else 0
    chosen = sorted(rng.sample(range(slots), min(count, slots))) if count else []
    for slot in chosen:
        requests = rng.randint(30_000, 50_000)
        errors = min(requests, int(requests * budget / count))
        moment = start.astimezone(dt.UTC) + dt.timedelta(minutes=slot * step)
        rows.append(f"{moment.strftime('%Y-%m-%dT%H:%M:%SZ')},{requests},{errors}")
    return [f"    intervals: {name}"], "\n".join(rows) + "\n"


def _near(metric: Metric, rng: random.Random) -> Fraction:
    """A figure near a `better: higher` objective: most periods a little above it, about one in
    six a little below."""
    return Fraction(metric.objective) * (1 + Fraction(rng.randint(-4, 20), 100))


def _tickets(agreement_id: str, terms: Terms, period: Period, count: int) -> dict[str, str]:
    """{file name: text} of the period's ticket export, in the shape the agreement reads it: a
    Zendesk export with its status log (bench/tickets.py's `write_period`), or the CRM's lead
    export with the columns the agreement maps (`write_leads`)."""
    rng = random.Random(f"{agreement_id}:{period.label}:tickets")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        exports = terms.tickets
        if exports is not None and exports.mapping == "zendesk":
            tickets.write_period(folder, period.label, 450, rng.randrange(2**32))
        elif exports is not None and exports.columns is not None and exports.columns.id == "Lead ID":
            # The median acceptance time wanders around the 24-hour objective: some months miss it.
            tickets.write_leads(folder, period.label, count, rng.randrange(2**32), round(rng.uniform(14, 24), 1))
        else:
            raise SystemExit(f"{agreement_id}: no generator for its ticket exports (`tickets:`)")
        return {p.name: p.read_text(encoding="utf-8") for p in sorted((folder / "tickets").iterdir())}


def results_files(agreement_id: str, terms: Terms, period: Period, previous: dict, logged: bool = False) -> dict[str, str]:
    """{path in the agreement's folder: text} of one period: the results file, any interval CSV
    it names and the ticket export. With `logged`, the outages of metrics that read a log are
    left out of the results file: they are in the log (the agreement's `outages/`, see `_log`,
    or its service's)."""
    rng = random.Random(f"{agreement_id}:{period.label}")
    files: dict[str, str] = {}
    lines = [SCHEMA.rstrip("\n"), HEADER.rstrip("\n"), f"period: {period.label}"]
    if previous.get("charges") is not None:
        lines.append(f"charges: {previous['charges']}")
    body: list[str] = []
    leads = None
    for metric in terms.metrics:
        kind = metric.measure.kind
        earlier = (previous.get("metrics") or {}).get(metric.id) or {}
        if kind == "tickets" or (kind == "downtime" and logged):
            continue  # in the ticket export or the outage log, written below
        body.append(f"  {metric.id}:")
        if kind == "downtime":
            body += _downtime(metric, terms, period, rng)
        elif kind == "events":
            body += _events(metric, earlier, rng)
        elif kind == "intervals":
            stem = Path(str(earlier.get("intervals", f"{metric.id}-x.csv"))).stem
            name = re.sub(r"\d{4}-(\d{2}|Q[1-4])$", period.label, stem) + ".csv"
            entry, csv = _intervals(metric, terms, period, rng, name)
            body += entry
            files[f"results/{name}"] = csv
        elif kind == "count":
            leads = int(_near(metric, rng))
            body.append(f"    count: {leads}")
        elif kind == "average":
            closed = rng.randint(350, 450)
            body += [f"    sum: {int(closed * _near(metric, rng))}", f"    count: {closed}"]
        else:
            raise SystemExit(f"{agreement_id}: no generator for the measure `{kind}` of `{metric.id}`")
    lines += ["metrics:", *body] if body else ["metrics: {}"]
    files[f"results/{period.label}.yaml"] = "\n".join(lines) + "\n"
    if any(m.measure.kind == "tickets" for m in terms.metrics):
        for name, text in _tickets(agreement_id, terms, period, leads or 400).items():
            files[f"tickets/{name}"] = text
    return files


def _previous(folder: Path) -> dict:
    """The last results file of the folder, its charges as written (YAML would read 253900.00
    as a float, 253900.0)."""
    last = sorted(p for p in (folder / "results").glob("*.yaml") if RESULTS_NAME.match(p.name))[-1]
    text = last.read_text(encoding="utf-8")
    previous = yaml.safe_load(text) or {}
    charges = re.search(r"^charges:\s*([0-9.]+)\s*$", text, re.M)
    previous["charges"] = charges.group(1) if charges else None
    return previous


def extend(root: Path, today: dt.date, write: bool = True) -> list[Path]:
    """Write (or with `write=False` only list) the missing files of every example agreement, up
    to the last period closed before `today`."""
    catalog = load(root)
    if catalog.errors:
        raise SystemExit("\n".join(str(d) for d in catalog.errors))
    written: list[Path] = []
    for record in catalog.agreements:
        if record.id not in EXAMPLES:
            continue
        folder = root / record.id
        kind = record.versions[-1].terms.period
        # An agreement keeping an outage log (its own, or its service's) gets its outages there.
        logged = record.outage_log is not None
        own_log = (folder / "outages.yaml").exists()
        for period in missing_periods(folder, kind, today):
            terms = record.version_for(period).terms
            files = results_files(record.id, terms, period, _previous(folder), logged)
            if own_log and (log := _log(record.id, terms, period)) is not None:
                files[f"outages/{period.label}.yaml"] = log
            for name, text in files.items():
                path = folder / name
                if path.exists():
                    raise SystemExit(f"{path} exists: this script never overwrites a file")
                if write:
                    path.parent.mkdir(exist_ok=True)
                    path.write_text(text, encoding="utf-8")
                written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(), help="the build date (default: today)")
    parser.add_argument("--root", type=Path, default=REPO / "agreements", help="the agreements folder")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a period is missing")
    args = parser.parse_args(argv)
    found = extend(args.root, args.today, write=not args.check)
    for path in found:
        print(("missing " if args.check else "wrote ") + str(path))
    return 1 if args.check and found else 0


if __name__ == "__main__":
    sys.exit(main())
