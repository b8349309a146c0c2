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
import re
from decimal import Decimal
from pathlib import Path

from mkdocs_sla.core.collection import Collection, Statuspage
from mkdocs_sla.core.diagnostics import Position, excerpt, one_line
from mkdocs_sla.core.model import LoggedOutage, MaintenanceWindow
from mkdocs_sla.core.outages import entry as outage_entry
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.source.collect import files
from mkdocs_sla.source.collect.jsondoc import JsonProblem, parse
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
#: The most characters of an incident's name in a note; the most incidents a note names (an
#: outage log entry's note is at most 20,000 characters, `core.fields.Text`).
NAME_LENGTH = 300
NAMES_PER_NOTE = 10


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
    problems: list[str] = []
    for index, incident in enumerate(incidents):
        where = f"{display_path(export / INCIDENTS)}: incidents[{index}]"
        if incident.get("status") not in RESOLVED:
            open_count += 1
            continue
        where += f" ({_text(incident.get('name') or incident.get('id'))})"
        try:
            found = list(_incident_stretches(incident, config, where))
        except CollectError as exc:  # every incident's problem at once, not only the first
            problems.extend(exc.messages)
            continue
        label = literal(excerpt(str(incident.get("name") or incident.get("id")), NAME_LENGTH))
        link = _text(incident.get("shortlink") or f"Statuspage incident {incident.get('id')}")
        for metric_id, start, end, weight in found:
            end = min(end, horizon)
            if end > start:
                stretches.setdefault(metric_id, []).append((start, end, weight, label, link))
    if problems:
        raise CollectError(*problems)
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
        data = parse(path.read_bytes())
    except FileNotFoundError:
        raise CollectError(
            f"{display_path(path)} not found; expected the Statuspage export there (collect.yaml `statuspage.export`)"
        ) from None
    except OSError as exc:
        raise CollectError(f"{display_path(path)}: cannot read the file: {exc.strerror or exc}") from None
    except JsonProblem as problem:
        raise CollectError(f"{problem.where(display_path(path))}: {problem.message}") from None
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


def _objects(item: dict, key: str, where: str) -> list[dict]:
    """The list of objects under `key` (none when absent or null); anything else is an error, not skipped."""
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CollectError(f"{where}.{key} is {_kind(value)}; expected a list of objects, as the Statuspage API v2 returns")
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise CollectError(f"{where}.{key}[{index}] is {_kind(entry)}; expected an object, as the Statuspage API v2 returns")
    return value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return f"a string ({_text(value)})"
    return {dict: "an object", list: "a list", int: "a number", Decimal: "a number"}.get(type(value), "null")


def _text(value: object) -> str:
    """Text from the export as a message or an entry quotes it: one line, cut short."""
    return one_line(excerpt(str(value), NAME_LENGTH))


def _incident_stretches(incident: dict, config: Statuspage, where: str):
    """(metric, start, end, weight) of one resolved incident, by the rules above."""
    resolved = _moment(incident, ("resolved_at",), where)
    started = _moment(incident, ("started_at", "created_at"), where)
    if started > resolved:
        key = "started_at" if incident.get("started_at") else "created_at"
        raise CollectError(
            f"{where}: {key} {_z(started)} is after resolved_at {_z(resolved)}; expected an incident resolved after it started"
        )
    updates = sorted(
        (
            (_moment(u, ("display_at", "created_at"), f"{where}.incident_updates[{i}]"), i, u)
            for i, u in enumerate(_objects(incident, "incident_updates", where))
        ),
        key=lambda x: x[:2],
    )
    components = _objects(incident, "components", where)
    changes: dict[str, list[tuple[dt.datetime, str, list[str]]]] = {}
    for moment, i, update in updates:
        for affected in _objects(update, "affected_components", f"{where}.incident_updates[{i}]"):
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
    for component in components:
        if str(component.get("id")) in changed or str(component.get("name")) in changed:
            continue
        metrics = _metrics_of(component, config)
        if metrics and weight:
            for metric_id in metrics:
                yield metric_id, started, resolved, weight


def _merged(metric_id: str, stretches: list) -> list[dict]:
    """Non-overlapping entries: cut at every boundary, the largest weight where stretches overlap.

    One sweep over the boundaries in time order (n log n): the stretches in force are kept in the
    order they began, and their weights counted, so each piece costs the few weights configured
    and the first NAMES_PER_NOTE names, not a scan of every stretch (which made 16,000 incidents
    take 19 seconds)."""
    events = sorted(
        [(s[1], 0, index) for index, s in enumerate(stretches)] + [(s[0], 1, index) for index, s in enumerate(stretches)]
    )  # at one moment, ends before starts: a stretch ending where another begins does not cover it
    active: dict[int, tuple] = {}
    weights: dict[Decimal, int] = {}
    pieces: list = []
    previous = None
    for moment, kind, index in events:
        if previous is not None and moment > previous and active:
            piece = _piece(previous, moment, active, weights)
            if pieces and pieces[-1][1] == previous and pieces[-1][2:] == piece[2:]:
                pieces[-1] = (pieces[-1][0], *piece[1:])
            else:
                pieces.append(piece)
        stretch = stretches[index]
        if kind:
            active[index] = stretch
            weights[stretch[2]] = weights.get(stretch[2], 0) + 1
        else:
            del active[index]
            weights[stretch[2]] -= 1
            if not weights[stretch[2]]:
                del weights[stretch[2]]
        previous = moment
    entries = []
    for start, end, weight, names, links in pieces:
        entry: dict = {"start": _z(start), "end": _z(end), "metrics": [metric_id], "tags": ["statuspage"], "note": names}
        entry["source"] = links
        if weight < HUNDRED:
            entry["weight"] = str(weight)
        entries.append(entry)
    return entries


def _piece(start: dt.datetime, end: dt.datetime, active: dict[int, tuple], weights: dict[Decimal, int]) -> tuple:
    """One piece of the sweep: its largest weight, and the names and links of its first incidents."""
    shown = list(itertools.islice(active.values(), NAMES_PER_NOTE))  # in the order they began
    names = "; ".join(dict.fromkeys(s[3] for s in shown))
    links = "; ".join(dict.fromkeys(s[4] for s in shown))
    if len(active) > NAMES_PER_NOTE:
        more = f"; and {len(active) - NAMES_PER_NOTE} more incidents"
        names, links = names + more, links + more
    return (start, end, max(weights), names, links)


def _windows(items: list[dict], config: Statuspage, horizon: dt.datetime, where: str) -> list[dict]:
    windows = []
    for index, item in enumerate(items):
        at = f"{where}: scheduled_maintenances[{index}]"
        metrics = sorted({m for c in _objects(item, "components", at) for m in _metrics_of(c, config)})
        if not metrics:
            continue
        start = _moment(item, ("scheduled_for",), at)
        if start >= horizon:
            continue
        link = _text(item.get("shortlink") or f"Statuspage maintenance {item.get('id')}")
        window = {
            "id": "statuspage-" + (re.sub(r"[^a-z0-9]+", "-", str(item.get("id") or index).lower()).strip("-") or str(index)),
            "start": _z(start),
            "end": _z(_moment(item, ("scheduled_until",), at)),
            "announced": _z(_moment(item, ("created_at",), at)),
            "metrics": metrics,
            "note": literal(f"{excerpt(str(item.get('name') or item.get('id')), NAME_LENGTH)} ({link})"),
        }
        windows.append(window)
    return windows


# Characters that make Markdown inline (escaped with a backslash, which Python-Markdown, the
# site's converter in `present.markup`, restores as the character itself), and `<` and `&`,
# which start an autolink or an entity, and are written as entities.
_INLINE = re.compile(r"[\\`*_\[\]]")
_ENTITIES = {"&": "&amp;", "<": "&lt;"}
# What a line's start makes a block: a heading, a quote, a list item (`-`, `+`, `*`, `1.`, `1)`).
_BLOCK_START = re.compile(r"^([#>+\-]|\d+(?=[.)](\s|$)))")
# What Markdown would read as an entity or a tag: `&amp;` `&#38;` and `<` (the rest of `&` stays,
# so the note in the YAML file reads as the name does: `API & DB`).
_MARKUP = re.compile(r"&(?=#?\w+;)|<")


def literal(text: str) -> str:
    """Text from the export as a note, which the site renders as Markdown: escaped, so it reads
    as written (a name `![x](https://…)` is no image, `[x](…)` no link, `*x*` no emphasis). One
    line: line breaks and runs of spaces become one space (no paragraph, no code block), and
    another control character its escape (`\\x1b`)."""
    text = one_line(" ".join(text.split()))  # a control character left is written as its escape, readable
    text = _MARKUP.sub(lambda m: _ENTITIES[m.group()], text)
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group(1)[0].isdigit():  # `1.` and `1)`: the punctuation after the number
        cut = match.end()
        return text[:cut] + "\\" + text[cut:]
    return "\\" + text


def _z(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
