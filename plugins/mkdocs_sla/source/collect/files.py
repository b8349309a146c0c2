"""The files `sla collect` writes, in the formats the loader reads, and reading back what it wrote.

- `outages/collected-<metric>.yaml`: the outage log of one `downtime` metric, a document
  `outages:` with entries `start`, `end` (UTC, `Z`), `metrics`, `tags`, `note`, `source`. Its
  first lines say which periods it covers, so a later run knows what was written before.
- `results/<period>.yaml` naming `collected-<metric>-<period>.csv` (`start,requests,errors`)
  for an `intervals` metric.
- `corrections.yaml`: a correction appended for each closed period whose answer changed.

Every file is written whole to a temporary name and renamed, so a reader never sees half.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import yaml

from mkdocs_sla.core.corrections import CORRECTIONS_FILE
from mkdocs_sla.core.diagnostics import Diagnostics
from mkdocs_sla.source.collect.prometheus import CollectError
from mkdocs_sla.source.collect.samples import Span, stamp
from mkdocs_sla.source.yamlsource import parse

OUTAGES_DIR = "outages"
COVERED_RE = re.compile(r"^# periods: (\S+) to (\S+)$", re.MULTILINE)
NO_DATA_TAG = "no-data"


def outage_log_path(folder: Path, metric_id: str) -> Path:
    """Where `sla collect` writes a metric's outage log in the agreement's folder."""
    return folder / OUTAGES_DIR / f"collected-{metric_id}.yaml"


def intervals_name(metric_id: str, period: str) -> str:
    """The file name of a metric's collected intervals for one period."""
    return f"collected-{metric_id}-{period}.csv"


def utc_moment(seconds: int) -> dt.datetime:
    """A Unix time in seconds as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def dump(data) -> str:
    """YAML as people read it: block style, keys in the order given, text quoted where YAML would guess."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)


def outage_log_text(metric_id: str, spans: list[Span], source: str, covered: tuple[str, str], origin: str) -> str:
    """The outage log of one metric, with the periods it covers in its first lines."""
    entries = []
    for span in spans:
        entry: dict = {"start": stamp(span.start), "end": stamp(span.end), "metrics": [metric_id]}
        if span.no_data:
            entry["tags"] = [NO_DATA_TAG]
            entry["note"] = "No samples from the monitoring system: no data counts as down (`when_empty: down`)."
        entry["source"] = source
        entries.append(entry)
    head = (
        f"# Written by `sla collect` from {origin}. Do not edit: the next run compares its answer\n"
        "# with this file, and a closed period whose answer changed is recorded in corrections.yaml.\n"
        f"# periods: {covered[0]} to {covered[1]}\n"
    )
    return head + dump({"outages": entries})


def read_outage_log(path: Path) -> tuple[tuple[str, str] | None, list[Span]]:
    """What an earlier run wrote: the periods covered and the spans (empty if there is no file)."""
    if not path.exists():
        return None, []
    text = path.read_text(encoding="utf-8")
    match = COVERED_RE.search(text)
    if match is None:
        raise CollectError(f"{path} was not written by `sla collect` (no `# periods:` line); move it aside or delete it")
    diagnostics = Diagnostics()
    documents = parse(text, str(path), diagnostics)
    if diagnostics.errors or len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise CollectError(f"{path} is not a valid outage log any more ({'; '.join(map(str, diagnostics.errors)) or 'not one mapping'})")
    spans = []
    for entry in documents[0].data.get("outages") or []:
        start, end = (int(dt.datetime.fromisoformat(entry[k]).timestamp()) for k in ("start", "end"))
        spans.append(Span(start, end, NO_DATA_TAG in (entry.get("tags") or [])))
    return (match.group(1), match.group(2)), spans


def intervals_text(rows: list[tuple[int, int, int]]) -> str:
    """Collected intervals as CSV: a header, then one `start,requests,errors` row an interval."""
    return "start,requests,errors\n" + "".join(f"{stamp(t)},{r},{e}\n" for t, r, e in rows)


def read_intervals(path: Path) -> list[tuple[int, int, int]]:
    """The (start, requests, errors) rows of an intervals CSV an earlier run wrote."""
    rows = []
    for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines()[1:]:
        if line.strip():
            start, requests, errors = (part.strip() for part in line.split(","))
            rows.append((int(dt.datetime.fromisoformat(start).timestamp()), int(requests), int(errors)))
    return rows


def results_metric(text: str, path: Path, metric_id: str) -> dict | None:
    """A metric's entry in a results file's text (None if it has none)."""
    diagnostics = Diagnostics()
    documents = parse(text, str(path), diagnostics)
    if diagnostics.errors or len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise CollectError(f"{path} is not a valid results file; run `sla validate` first")
    metrics = documents[0].data.get("metrics") or {}
    entry = metrics.get(metric_id) if isinstance(metrics, dict) else None
    return entry if isinstance(entry, dict) else None


def new_results_text(period: str, metric_id: str, entry: dict) -> str:
    """A results file holding one metric's entry."""
    return "# Written by `sla collect`; add `charges:` and other metrics' results by hand.\n" + dump(
        {"period": period, "metrics": {metric_id: entry}}
    )


def with_metric(text: str, path: Path, metric_id: str, entry: dict) -> str:
    """A results file with one more metric under its block-style `metrics:` key, comments kept."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if re.match(r"^metrics:\s*(#.*)?$", line):
            following = next((ln for ln in lines[index + 1 :] if ln.strip() and not ln.lstrip().startswith("#")), "  x")
            indent = " " * (len(following) - len(following.lstrip(" "))) or "  "
            block = _indented(dump({metric_id: entry}), indent)
            return "".join(lines[: index + 1]) + block + "".join(lines[index + 1 :])
    raise CollectError(
        f"{path} has no block-style `metrics:` key to add `{metric_id}` to; add it by hand: {dump({metric_id: entry}).strip()}"
    )


def corrections_text(existing: str | None, entries: list[dict]) -> str:
    """`corrections.yaml` with the new entries appended (the existing text, comments and all, kept)."""
    block = dump(entries)
    if existing is None:
        head = "# Corrections of closed periods: what changed, when, why. `sla collect` appends to this file.\n"
        return head + "corrections:\n" + _indented(block, "  ")
    indent = re.search(r"^(\s*)- ", existing, re.MULTILINE)
    text = existing if existing.endswith("\n") else existing + "\n"
    return text + _indented(block, indent.group(1) if indent else "  ")


def _indented(block: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in block.splitlines(keepends=True))


def corrections_path(folder: Path) -> Path:
    """Where the agreement's `corrections.yaml` lives."""
    return folder / CORRECTIONS_FILE


def write_atomically(path: Path, text: str) -> None:
    """Writes the file whole or not at all: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
