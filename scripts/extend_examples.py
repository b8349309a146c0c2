"""Extend the example agreements' results up to the last period closed before a date.

The example site should look current: its results run up to the last closed period, not
stop a year before the build. This script writes the missing periods' results files of the
agreements it owns (`EXTENDED`), after the last file already there, and never touches an
existing file: the hand-written ones hold the edge cases the README lists (results exactly
on a bound...). What it writes depends only on the agreement, the period and its terms
(a random generator seeded with both), so running it again writes the same bytes.

The figures are made from each metric's objective: most periods meet it, some spend part
of the error budget, about one in ten misses it by up to six times the budget, so the
pages show credits, tiers and remedies. Outages avoid the days clocks change.

    python scripts/extend_examples.py [--today 2026-11-26] [--root agreements] [--check]

`--check` writes nothing and exits 1 when a period is missing (for CI).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from fractions import Fraction
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))

from mkdocs_sla.core.model import Metric, Terms  # noqa: E402
from mkdocs_sla.core.periods import Period, minutes_between  # noqa: E402
from mkdocs_sla.source.load import load  # noqa: E402

#: The examples this script extends; the others' results are written by hand (or by other tools).
EXTENDED = ("code-hosting", "object-store", "outsourced-ops")
SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/results.schema.json\n"
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


def _downtime(metric: Metric, terms: Terms, period: Period, rng: random.Random) -> list[str]:
    start, end = period.bounds(terms.timezone)
    minutes = minutes_between(start, end)
    down = int(minutes * (100 - Fraction(metric.objective)) / 100 * _share(rng))
    utc = terms.timezone == "UTC"
    shortest = int(metric.measure.minimum_outage_minutes) + 1
    lines = ["    outages:"]
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
    if not outages:
        return ["    outages: []"]
    for day, at, length, tag, note in sorted(outages):
        lines.append(f"      - start: {_moment(day, at, utc)}")
        lines.append(f"        end: {_moment(day, at + length, utc)}")
        if tag:
            lines.append(f"        tags: [{tag}]")
        lines.append(f'        note: "{note}"')
    return lines


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


def results_files(agreement_id: str, terms: Terms, period: Period, previous: dict) -> dict[str, str]:
    """{file name: text} of one period: the results file and any interval CSV it names."""
    rng = random.Random(f"{agreement_id}:{period.label}")
    files: dict[str, str] = {}
    lines = [SCHEMA.rstrip("\n"), HEADER.rstrip("\n"), f"period: {period.label}"]
    if previous.get("charges") is not None:
        lines.append(f"charges: {previous['charges']}")
    lines.append("metrics:")
    for metric in terms.metrics:
        kind = metric.measure.kind
        lines.append(f"  {metric.id}:")
        earlier = (previous.get("metrics") or {}).get(metric.id) or {}
        if kind == "downtime":
            lines += _downtime(metric, terms, period, rng)
        elif kind == "events":
            lines += _events(metric, earlier, rng)
        elif kind == "intervals":
            stem = Path(str(earlier.get("intervals", f"{metric.id}-x.csv"))).stem
            name = re.sub(r"\d{4}-(\d{2}|Q[1-4])$", period.label, stem) + ".csv"
            entry, csv = _intervals(metric, terms, period, rng, name)
            lines += entry
            files[name] = csv
        else:
            raise SystemExit(f"{agreement_id}: no generator for the measure `{kind}` of `{metric.id}`")
    files[f"{period.label}.yaml"] = "\n".join(lines) + "\n"
    return files


def extend(root: Path, today: dt.date, write: bool = True) -> list[Path]:
    """Write (or with `write=False` only list) the missing results files of `EXTENDED`."""
    catalog = load(root)
    if catalog.errors:
        raise SystemExit("\n".join(str(d) for d in catalog.errors))
    written: list[Path] = []
    for record in catalog.agreements:
        if record.id not in EXTENDED:
            continue
        folder = root / record.id
        kind = record.versions[-1].terms.period
        for period in missing_periods(folder, kind, today):
            last = sorted((folder / "results").glob("*.yaml"))[-1]
            text = last.read_text(encoding="utf-8")
            previous = yaml.safe_load(text) or {}
            # The charges as written (YAML would read 253900.00 as a float, 253900.0).
            charges = re.search(r"^charges:\s*([0-9.]+)\s*$", text, re.M)
            previous["charges"] = charges.group(1) if charges else None
            for name, text in results_files(record.id, record.version_for(period).terms, period, previous).items():
                path = folder / "results" / name
                if path.exists():
                    raise SystemExit(f"{path} exists: this script never overwrites a file")
                if write:
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
