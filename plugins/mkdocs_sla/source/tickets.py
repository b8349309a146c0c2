"""Ticket exports: `tickets/<period>.csv` (one row per ticket) and `tickets/<period>.status.csv`
(state changes, for pauses), read with the row and column of every problem.

Column names come from a mapping (`core.ticketformat.TicketMapping`): a ready one for a Zendesk
or a Jira Service Management export (`READY_MAPPINGS`), a mapping file, or the agreement's own.
Every problem of a file is reported, each at its row and column; a file with any error yields no
tickets. Time is linear in the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.periods import zone
from mkdocs_sla.core.ticketformat import TicketColumns, TicketExports, TicketMapping
from mkdocs_sla.core.tickets import Ticket

TICKETS_DIR = "tickets"
STATUS_SUFFIX = ".status"

#: Ready mappings. Zendesk: the ticket fields `id`, `priority`, `status`, `created_at`,
#: `solved_at` of its ticket data (Support API and JSON/CSV export), and the `previous_value` /
#: `value` of a status change in the ticket audits; the first reply time is no timestamp
#: column there, so the mapping expects it as `first_reply_at`. Jira Service Management: the
#: issue navigator's CSV export columns `Issue key`, `Priority`, `Created`, `Resolved`, with
#: its default date format; the first response as a column `First response`.
READY_MAPPINGS: dict[str, dict] = {
    "zendesk": {
        "columns": {
            "id": "id",
            "priority": "priority",
            "created": "created_at",
            "first_response": "first_reply_at",
            "resolved": "solved_at",
        },
        "status_log": {"ticket": "ticket_id", "at": "created_at", "from_state": "previous_value", "to_state": "value"},
        "priorities": ["urgent", "high", "normal", "low"],
        "states": ["new", "open", "pending", "hold", "solved", "closed"],
    },
    "jira": {
        "columns": {
            "id": "Issue key",
            "priority": "Priority",
            "created": "Created",
            "first_response": "First response",
            "resolved": "Resolved",
        },
        "status_log": {"ticket": "Issue key", "at": "Changed", "from_state": "From status", "to_state": "To status"},
        "timestamp_format": "%d/%b/%y %I:%M %p",
    },
}


def resolve_mapping(exports: TicketExports, folder: Path, at: Position, diagnostics: Diagnostics, validate) -> TicketMapping | None:
    """The mapping an agreement's `tickets:` names, with its own `timezone`, `priorities`… on top."""
    from mkdocs_sla.source.load import display_path
    from mkdocs_sla.source.yamlsource import parse, read_text

    if exports.mapping is not None:
        base = dict(READY_MAPPINGS[exports.mapping])
    elif exports.mapping_file is not None:
        path = folder / TICKETS_DIR / exports.mapping_file
        display = display_path(path)
        if not path.is_file():
            diagnostics.error(at, f"mapping file `{exports.mapping_file}` not found in {TICKETS_DIR}/; expected it beside the exports")
            return None
        text = read_text(path, display, diagnostics)
        documents = parse(text, display, diagnostics) if text is not None else []
        if len(documents) != 1:
            if text is not None:
                diagnostics.error(Position(display), f"a mapping file holds one YAML document; found {len(documents)}")
            return None
        mapping = validate(TicketMapping, documents[0], diagnostics)
        if mapping is None:
            return None
        base = mapping.model_dump(exclude_unset=True)
    else:
        base = {"columns": exports.columns.model_dump(exclude_unset=True)}
        if exports.status_log is not None:
            base["status_log"] = exports.status_log.model_dump()
    for key in ("status_log", "timezone", "timestamp_format"):
        value = getattr(exports, key)
        if value is not None:
            base[key] = value.model_dump() if hasattr(value, "model_dump") else value
    for key in ("priorities", "states"):
        if getattr(exports, key):
            base[key] = list(getattr(exports, key))
    return TicketMapping.model_validate(base)


def field_column(line: str, index: int) -> int:
    """The 1-based column where field `index` of a CSV line starts (inside its quotes, if quoted)."""
    in_quotes, field, i = False, 0, 0
    start = 0
    while i < len(line) and field < index:
        c = line[i]
        if c == '"':
            in_quotes = not in_quotes
        elif c == "," and not in_quotes:
            field += 1
            start = i + 1
        i += 1
    if start < len(line) and line[start] == '"':
        start += 1
    return start + 1


class _Csv:
    """One CSV file: its header checked against the mapped columns, then its rows with positions."""

    def __init__(self, path: Path, display: str, text: str, wanted: dict[str, str], diagnostics: Diagnostics):
        self.display, self.diagnostics = display, diagnostics
        self.text = text.removeprefix("\ufeff")  # spreadsheets write a byte order mark
        self.reader = csv.reader(io.StringIO(self.text))
        self.start = 1  # the first line of the current record (a quoted field may span lines)
        self._lines: list[str] | None = None  # the source lines, split when a problem needs a column
        self.index: dict[str, int] = {}
        self.ok = True
        try:
            header = next(self.reader, None)
        except csv.Error as exc:
            self.error_at(1, 1, f"not a CSV file: {exc}")
            return
        if header is None:
            self.error_at(1, 1, "the file is empty; expected a header row naming the columns")
            return
        names = [h.strip() for h in header]
        for role, column in wanted.items():
            if column in names:
                self.index[role] = names.index(column)
            else:
                close = difflib.get_close_matches(column, names, n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                self.error_at(
                    1, 1, f"the header lacks the column `{column}` (mapped as `{role}`){hint}; it has: {', '.join(f'`{n}`' for n in names)}"
                )

    def error_at(self, line: int, column: int, message: str) -> None:
        self.diagnostics.error(Position(self.display, line, column), message)
        self.ok = False

    def error(self, role: str, message: str) -> None:
        """An error in the current row's field `role`."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        line = self._lines[self.start - 1] if self.start <= len(self._lines) else ""
        self.error_at(self.start, field_column(line, self.index.get(role, 0)), message)

    def rows(self):
        """(line number, fields) of each row; a malformed row is reported and left out."""
        width = max(self.index.values(), default=0) + 1
        reader = self.reader
        while True:
            self.start = reader.line_num + 1
            try:
                row = next(reader, None)
            except csv.Error as exc:
                self.error_at(self.start, 1, f"not a CSV row: {exc}")
                return
            if row is None:
                return
            if len(row) < width:
                if row:
                    self.error_at(self.start, 1, f"the row has {len(row)} fields; expected at least {width}, as the header says")
                continue
            yield self.start, row


class _Times:
    """Timestamps of an export as epoch seconds: ISO 8601, or the mapping's `timestamp_format`; one
    without an offset is read in the mapping's zone, and is an error when it names none."""

    def __init__(self, mapping: TicketMapping):
        self.zone = zone(mapping.timezone) if mapping.timezone else None
        self.format = mapping.timestamp_format

    def parse(self, text: str) -> int | str:
        """Epoch seconds, or the message of what is wrong."""
        if self.format is None:
            # The common case first: ISO 8601 with an offset, as exports write it.
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                pass
            else:
                if moment.tzinfo is not None and 1900 <= moment.year <= 2999:
                    return int(moment.timestamp())
        text = text.strip()
        try:
            moment = dt.datetime.strptime(text, self.format) if self.format else dt.datetime.fromisoformat(text)
        except ValueError:
            shape = f"`{self.format}`" if self.format else "ISO 8601 such as 2025-01-02T09:30:00+01:00"
            return f"`{text}` is not a date and time; expected {shape}"
        if moment.tzinfo is None:
            if self.zone is None:
                return f"`{text}` has no offset and the mapping names no zone; expected an offset (`Z`, `+01:00`) or `timezone:` under `tickets:`"
            moment = moment.replace(tzinfo=self.zone)
        if not 1900 <= moment.year <= 2999:
            return f"`{text}` is out of range; expected a time in the years 1900 to 2999"
        return int(moment.timestamp())


def read_tickets(
    path: Path,
    display: str,
    text: str,
    mapping: TicketMapping,
    priorities: frozenset[str],
    diagnostics: Diagnostics,
) -> tuple[list[Ticket], dict[str, int]] | None:
    """The tickets of one export (without pauses from a status log), and the row of each id. None if any row is wrong."""
    columns: TicketColumns = mapping.columns
    wanted = {"id": columns.id, "priority": columns.priority, "created": columns.created}
    for role in ("first_response", "resolved", "pauses"):
        if getattr(columns, role) is not None:
            wanted[role] = getattr(columns, role)
    for name, column in columns.attributes.items():
        wanted[f"attributes.{name}"] = column
    table = _Csv(path, display, text, wanted, diagnostics)
    if not table.ok:
        return None
    times = _Times(mapping)
    at = table.index
    i_id, i_priority, i_created = at["id"], at["priority"], at["created"]
    i_first, i_resolved, i_pauses = at.get("first_response"), at.get("resolved"), at.get("pauses")
    extra = [(name, at[f"attributes.{name}"]) for name in columns.attributes]
    known = ", ".join(f"`{p}`" for p in sorted(priorities))
    tickets: list[Ticket] = []
    append = tickets.append
    seen: dict[str, int] = {}
    parse = times.parse
    for line, row in table.rows():
        ticket_id = row[i_id].strip()
        if not ticket_id:
            table.error("id", "the ticket id is empty; expected an id")
            continue
        if ticket_id in seen:
            table.error(
                "id", f"ticket `{ticket_id}` appears twice in the period (first at line {seen[ticket_id]}); expected one row per ticket"
            )
            continue
        seen[ticket_id] = line
        priority = row[i_priority].strip()
        if priority not in priorities:
            table.error("priority", f"unknown priority `{priority}` of ticket `{ticket_id}`; expected one of: {known}")
        created = parse(row[i_created])
        if created.__class__ is str:
            table.error("created", created)
            continue
        first = _stop(row, i_first, "first_response", created, parse, ticket_id, table)
        resolved = _stop(row, i_resolved, "resolved", created, parse, ticket_id, table)
        pauses: tuple = ()
        if i_pauses is not None and row[i_pauses].strip():
            pauses = _pause_column(row[i_pauses], created, times, ticket_id, table)
        attributes = {name: row[index].strip() for name, index in extra} if extra else None
        append(Ticket(ticket_id, priority, created, first, resolved, pauses, line, attributes))
    return (tickets, seen) if table.ok else None


def _stop(row: list[str], index: int | None, role: str, created: int, parse, ticket_id: str, table: _Csv) -> int | None:
    """A first-response or resolution time of a row: None if empty; an error if before creation."""
    if index is None:
        return None
    value = row[index]
    if not value or value.isspace():
        return None
    moment = parse(value)
    if moment.__class__ is str:
        table.error(role, moment)
        return None
    if moment < created:
        words = "first response" if role == "first_response" else "resolution"
        table.error(role, f"the {words} of ticket `{ticket_id}` ({value.strip()}) is before it was created; expected a later time")
        return None
    return moment


def _pause_column(text: str, created: int, times: _Times, ticket_id: str, table: _Csv) -> tuple:
    """`start/end;start/end` pauses of one ticket, checked: each ends after it starts, none before
    creation, none overlapping another."""
    pauses = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        start_text, _, end_text = part.partition("/")
        start = times.parse(start_text)
        end = times.parse(end_text) if end_text.strip() else None
        for moment in (start, end):
            if isinstance(moment, str):
                table.error("pauses", f"pause `{part}` of ticket `{ticket_id}`: {moment}")
                return ()
        if end is not None and end <= start:
            table.error("pauses", f"pause `{part}` of ticket `{ticket_id}` ends before it starts; expected `start/end` with the end later")
            return ()
        if start < created:
            table.error("pauses", f"pause `{part}` of ticket `{ticket_id}` starts before the ticket was created; expected a later start")
            return ()
        pauses.append((start, end))
    return _checked_pauses(pauses, ticket_id, lambda message: table.error("pauses", message))


def _checked_pauses(pauses: list, ticket_id: str, report) -> tuple:
    pauses.sort(key=lambda p: p[0])
    for (_s1, e1), (s2, _e2) in itertools.pairwise(pauses):
        if e1 is None or s2 < e1:
            report(f"two pauses of ticket `{ticket_id}` overlap; expected each pause to end before the next starts")
            return ()
    return tuple(pauses)


def read_status_log(
    path: Path,
    display: str,
    text: str,
    mapping: TicketMapping,
    tickets: dict[str, Ticket],
    pause_states: frozenset[str],
    diagnostics: Diagnostics,
) -> dict[str, tuple] | None:
    """Pauses per ticket id from a status log: a ticket is paused from a change into a pause state
    until the next change out of one. Rows are taken in time order, whatever their order in the file."""
    log = mapping.status_log
    assert log is not None
    table = _Csv(
        path, display, text, {"ticket": log.ticket, "at": log.at, "from_state": log.from_state, "to_state": log.to_state}, diagnostics
    )
    if not table.ok:
        return None
    times = _Times(mapping)
    states = frozenset(mapping.states)
    known = ", ".join(f"`{s}`" for s in sorted(states))
    at = table.index
    changes: dict[str, list[tuple[int, int, str]]] = {}
    for line, row in table.rows():
        ticket_id = row[at["ticket"]].strip()
        ticket = tickets.get(ticket_id)
        if ticket is None:
            table.error(
                "ticket",
                f"state change of ticket `{ticket_id}`, which is not in the period's ticket export; expected a ticket of the export",
            )
            continue
        moment = times.parse(row[at["at"]])
        if isinstance(moment, str):
            table.error("at", moment)
            continue
        if moment < ticket.created:
            table.error(
                "at", f"state change of ticket `{ticket_id}` at {row[at['at']].strip()}, before it was created; expected a later time"
            )
            continue
        for role in ("from_state", "to_state"):
            state = row[at[role]].strip()
            if states and state and state not in states:
                table.error(role, f"unknown state `{state}`; expected one of: {known}")
        changes.setdefault(ticket_id, []).append((moment, line, row[at["to_state"]].strip()))
    if not table.ok:
        return None
    pauses: dict[str, tuple] = {}
    for ticket_id, rows in changes.items():
        rows.sort()
        spans, started = [], None
        for moment, _line, state in rows:
            if state in pause_states and started is None:
                started = moment
            elif state not in pause_states and started is not None:
                if moment > started:
                    spans.append((started, moment))
                started = None
        if started is not None:
            spans.append((started, None))
        if spans:
            pauses[ticket_id] = tuple(spans)
    return pauses
