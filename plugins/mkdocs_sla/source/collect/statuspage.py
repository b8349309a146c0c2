"""Importing an Atlassian Statuspage export into the outage log and the maintenance windows.

The export is the public API v2's two documents, kept in the agreement's folder
(`statuspage/` by default): `incidents.json` (`{"page": …, "incidents": [...]}`) and
`scheduled-maintenances.json` (`{"page": …, "scheduled_maintenances": [...]}`); a bare
list (the manage API v1) is read too.

Rules (documented in `collect.yaml`'s reference):
- An incident counts once it is `resolved` (or `postmortem`); an open one is left for a later run.
- Its timeline per component comes from its `incident_updates`: each update's
  `affected_components` (`code`, `old_status`, `new_status`) changes the component's status at
  the update's `display_at` (else `created_at`). A stretch in a status listed in `statuses` is an
  outage of the component's metrics, with that status's weight (100: down; less: a partial outage).
  The last stretch ends at the next change or at `resolved_at`.
- A mapped component in the incident's `components` with no status change in its updates is
  down from `started_at` (else `created_at`) to `resolved_at`, with the weight of the incident's
  `impact` in `impacts`.
- Per metric, overlapping stretches are merged (the larger weight wins where they overlap), so the
  outage log has no overlapping entries. Only closed periods are written: a stretch is cut at the end
  of the last closed period.
- A scheduled maintenance is a window `statuspage-<its id>` from `scheduled_for` to `scheduled_until`,
  announced at its `created_at`, for the metrics of its mapped components; its note names it and links it.

Written: `outages/statuspage.yaml` (`outages:`) and `maintenance.yaml` (`windows:`), the latter only
if it is absent or was itself written by this import (a hand-written file is never replaced).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path

from mkdocs_sla.core.collection import Collection, Statuspage
from mkdocs_sla.core.diagnostics import Position
from mkdocs_sla.core.model import LoggedOutage, MaintenanceWindow
from mkdocs_sla.core.outages import entry as outage_entry
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.source.collect import files
from mkdocs_sla.source.collect.prometheus import CollectError
from mkdocs_sla.source.collect.run import (
    Plan,
    add_corrections,
    add_results_entry,
    closed_periods,
    labels_between,
    metric_of,
    planned_entry,
)
from mkdocs_sla.source.yamlsource import display_path

INCIDENTS = "incidents.json"
MAINTENANCES = "scheduled-maintenances.json"
MAINTENANCE_FILE = "maintenance.yaml"
MARK = "# Written by `sla collect` from a Statuspage export."
HUNDRED = Decimal(100)
RESOLVED = ("resolved", "postmortem")


def plan_statuspage(agreement: Agreement, folder: Path, collection: Collection, now: dt.datetime, plan: Plan) -> None:
    """Add the outage log and the maintenance windows of the export to `plan`."""
    config = collection.statuspage
    if config is None:
        return
    periods = closed_periods(agreement, agreement.versions[0].effective, now)
    if not periods:
        plan.notes.append(f"{agreement.id} statuspage: no period has closed yet; nothing imported")
        return
    terms = agreement.versions[-1].terms
    horizon = periods[-1].bounds(terms.timezone)[1].astimezone(dt.UTC)
    export = folder / config.export
    incidents = _items(export / INCIDENTS, "incidents")
    stretches: dict[str, list[tuple[dt.datetime, dt.datetime, Decimal, str, str]]] = {}
    open_count = 0
    for index, incident in enumerate(incidents):
        where = f"{display_path(export / INCIDENTS)}: incidents[{index}]"
        if incident.get("status") not in RESOLVED:
            open_count += 1
            continue
        for metric_id, start, end, weight in _incident_stretches(incident, config, where):
            end = min(end, horizon)
            if end > start:
                label = str(incident.get("name") or incident.get("id"))
                link = str(incident.get("shortlink") or f"Statuspage incident {incident.get('id')}")
                stretches.setdefault(metric_id, []).append((start, end, weight, label, link))
    entries = []
    for metric_id in sorted(stretches):
        entries += _merged(metric_id, stretches[metric_id])
    outages_path = folder / files.OUTAGES_DIR / "statuspage.yaml"
    covered = (periods[0].label, periods[-1].label)
    head = f"{MARK}\n# Do not edit: the next import replaces this file, and records a changed closed period as a correction.\n# periods: {covered[0]} to {covered[1]}\n"
    before = _covered(outages_path, periods[0].kind)
    _plan_file(plan, outages_path, head + files.dump({"outages": entries}))
    mapped = sorted({m for ids in config.components.values() for m in ids})
    for period in periods:  # each closed period names the metrics, so a month without incidents counts too
        results = folder / "results" / f"{period.label}.yaml"
        for metric_id in mapped:
            if planned_entry(plan, results, metric_id) is None:
                note = f"Measured from the Statuspage export: the incidents are in outages/{outages_path.name}."
                add_results_entry(plan, results, period, metric_id, {"outages": [], "note": note})
    plan.notes.append(
        f"{agreement.id} statuspage: {len(entries)} outages from {len(incidents)} incidents"
        + (f" ({open_count} still open, left for a later run)" if open_count else "")
    )
    maintenances_path = export / MAINTENANCES
    if maintenances_path.exists():
        windows = _windows(_items(maintenances_path, "scheduled_maintenances"), config, horizon, display_path(maintenances_path))
        path = folder / MAINTENANCE_FILE
        if path.exists() and not path.read_text(encoding="utf-8").startswith(MARK):
            raise CollectError(
                f"{display_path(path)} is written by hand; the Statuspage import writes it only when absent or written by itself"
            )
        _plan_file(plan, path, head + files.dump({"windows": windows}))
        plan.notes.append(f"{agreement.id} statuspage: {len(windows)} maintenance windows")
    else:
        windows = None
    if before and (outages_path in plan.files or folder / MAINTENANCE_FILE in plan.files):
        _corrections(plan, folder, agreement, outages_path, entries, windows, [p for p in periods if p.label in before], mapped, export)


def _covered(path: Path, kind: str) -> set[str]:
    """The periods an earlier import wrote (its `# periods:` line), none for a new file."""
    if not path.exists():
        return set()
    match = files.COVERED_RE.search(path.read_text(encoding="utf-8")[:2000])
    return set(labels_between((match.group(1), match.group(2)), kind)) if match else set()


def _corrections(plan, folder, agreement, outages_path, entries, windows, periods, mapped, export) -> None:
    """Closed periods imported before whose attainment the new export changes: a correction each."""
    ours = display_path(outages_path)
    kept = tuple(e for e in agreement.outage_log or () if e.position is None or e.position.file != ours)
    new_log = kept + tuple(
        outage_entry(outage, "UTC", Position(ours), outage.metrics, logged=True)
        for outage in (LoggedOutage.model_validate(e) for e in entries)
    )
    maintenance = tuple(MaintenanceWindow.model_validate(w) for w in windows) if windows is not None else agreement.maintenance
    after = dataclasses.replace(agreement, outage_log=new_log, maintenance=maintenance)
    for metric_id in mapped:
        add_corrections(
            plan,
            folder,
            agreement,
            after,
            periods,
            metric_of(agreement, metric_id),
            f"Statuspage export in {display_path(export)}",
            source="the Statuspage export",
            only_changed=True,
        )


def _plan_file(plan: Plan, path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        plan.files[path] = text


def _items(path: Path, key: str) -> list[dict]:
    """The list of an export document (`{"incidents": [...]}` or a bare list)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CollectError(
            f"{display_path(path)} not found; expected the Statuspage export there (collect.yaml `statuspage.export`)"
        ) from None
    except json.JSONDecodeError as exc:
        raise CollectError(f"{display_path(path)}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    items = data.get(key) if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise CollectError(f"{display_path(path)}: expected a document with `{key}`: a list of objects, as the Statuspage API v2 returns")
    return items


def _moment(item: dict, keys: tuple[str, ...], where: str) -> dt.datetime:
    for key in keys:
        value = item.get(key)
        if value:
            try:
                moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError:
                raise CollectError(f"{where}.{key}: `{value}` is not an ISO 8601 time") from None
            if moment.tzinfo is None:
                raise CollectError(f"{where}.{key}: `{value}` has no offset; expected a time such as 2025-01-31T23:50:00Z")
            return moment.astimezone(dt.UTC)
    raise CollectError(f"{where}: missing `{keys[0]}`; expected an ISO 8601 time")


def _metrics_of(component: dict, config: Statuspage) -> list[str]:
    for key in (component.get("id"), component.get("code"), component.get("name")):
        if key is not None and str(key) in config.components:
            return config.components[str(key)]
    return []


def _incident_stretches(incident: dict, config: Statuspage, where: str):
    """(metric, start, end, weight) of one resolved incident, by the rules above."""
    resolved = _moment(incident, ("resolved_at",), where)
    updates = sorted(
        (_moment(u, ("display_at", "created_at"), f"{where}.incident_updates[{i}]"), u)
        for i, u in enumerate(incident.get("incident_updates") or [])
        if isinstance(u, dict)
    )
    changes: dict[str, list[tuple[dt.datetime, str, list[str]]]] = {}
    for moment, update in updates:
        for affected in update.get("affected_components") or []:
            metrics = _metrics_of(affected, config)
            if metrics:
                key = str(affected.get("code") or affected.get("name"))
                changes.setdefault(key, []).append((moment, str(affected.get("new_status")), metrics))
    for timeline in changes.values():
        for (moment, status, metrics), following in zip(timeline, [*timeline[1:], None], strict=True):
            weight = config.statuses.get(status)
            end = following[0] if following else resolved
            if weight and end > moment:
                for metric_id in metrics:
                    yield metric_id, moment, end, weight
    changed = set(changes)
    weight = config.impacts.get(str(incident.get("impact")))
    for component in incident.get("components") or []:
        if not isinstance(component, dict) or str(component.get("id")) in changed or str(component.get("name")) in changed:
            continue
        metrics = _metrics_of(component, config)
        if metrics and weight:
            start = _moment(incident, ("started_at", "created_at"), where)
            for metric_id in metrics:
                yield metric_id, start, resolved, weight


def _merged(metric_id: str, stretches: list) -> list[dict]:
    """Non-overlapping entries: cut at every boundary, the largest weight where stretches overlap."""
    cuts = sorted({t for s in stretches for t in (s[0], s[1])})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = [s for s in stretches if s[0] <= start and s[1] >= end]
        if covering:
            weight = max(s[2] for s in covering)
            names = tuple(dict.fromkeys(s[3] for s in covering))
            links = tuple(dict.fromkeys(s[4] for s in covering))
            if pieces and pieces[-1][1] == start and pieces[-1][2:] == (weight, names, links):
                pieces[-1] = (pieces[-1][0], end, weight, names, links)
            else:
                pieces.append((start, end, weight, names, links))
    entries = []
    for start, end, weight, names, links in pieces:
        entry: dict = {"start": _z(start), "end": _z(end), "metrics": [metric_id], "tags": ["statuspage"], "note": "; ".join(names)}
        entry["source"] = "; ".join(links)
        if weight < HUNDRED:
            entry["weight"] = str(weight)
        entries.append(entry)
    return entries


def _windows(items: list[dict], config: Statuspage, horizon: dt.datetime, where: str) -> list[dict]:
    windows = []
    for index, item in enumerate(items):
        at = f"{where}: scheduled_maintenances[{index}]"
        metrics = sorted({m for c in item.get("components") or [] if isinstance(c, dict) for m in _metrics_of(c, config)})
        if not metrics:
            continue
        start = _moment(item, ("scheduled_for",), at)
        if start >= horizon:
            continue
        link = str(item.get("shortlink") or f"Statuspage maintenance {item.get('id')}")
        window = {
            "id": "statuspage-" + (re.sub(r"[^a-z0-9]+", "-", str(item.get("id") or index).lower()).strip("-") or str(index)),
            "start": _z(start),
            "end": _z(_moment(item, ("scheduled_until",), at)),
            "announced": _z(_moment(item, ("created_at",), at)),
            "metrics": metrics,
            "note": f"{item.get('name') or item.get('id')} ({link})",
        }
        windows.append(window)
    return windows


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
