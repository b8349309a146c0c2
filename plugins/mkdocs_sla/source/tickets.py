"""Ticket exports: `tickets/<period>.csv` (one row per ticket) and `tickets/<period>.status.csv`
(state changes, for pauses), read with the row and column of every problem.

Column names come from a mapping (`core.ticketformat.TicketMapping`): a ready one for a Zendesk
or a Jira Service Management export (`READY_MAPPINGS`), a mapping file, or the agreement's own.
Every problem of a file is reported, each at its row and column; a file with any error yields no
tickets. Time is linear in the rows.

A time without an offset is read in the mapping's `timezone`; one the clocks skip (02:30 on the
night they go forward) or pass twice (02:30 on the night they go back) is an error: the export
cannot say which instant it means, and a guessed hour moves deadlines.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position, excerpt
from mkdocs_sla.core.periods import zone
from mkdocs_sla.core.ticketformat import TicketColumns, TicketExports, TicketMapping
from mkdocs_sla.core.tickets import Ticket

TICKETS_DIR = "tickets"
STATUS_SUFFIX = ".status"
# The most characters a CSV field may hold: the `csv` module's limit, process-wide (not raised:
# a longer field is almost always a quote left open, swallowing the rows after it).
FIELD_LIMIT = csv.field_size_limit()
# A state name of a log is compared with the pause states' spellings only while there are this
# few distinct ones (a hint, and `difflib` is quadratic in the names).
HINT_STATES = 1000

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


def _open_quote(lines: list[str], start: int, stop: int) -> tuple[int, int]:
    """The line and column of the quote left open in the record of lines `start` to `stop`."""
    at = (start, 1)
    in_quotes = False
    for number in range(start, min(stop, len(lines)) + 1):
        previous = ""
        for column, c in enumerate(lines[number - 1], start=1):
            if c == '"':
                in_quotes = not in_quotes
                if in_quotes and previous != '"':  # `""` inside a quoted field is a quote, not a new field
                    at = (number, column)
            previous = c
    return at


def _after_quote(lines: list[str]) -> tuple[int, int, tuple[int, int]]:
    """Where a record's first character after a closing quote that is no `,` stands, and where
    that quoted field opened: (line offset in the record, 1-based column, (line offset, column)).
    A quoted field may span lines, so the whole record is read, its quotes counted across them."""
    in_quotes, opened = False, (0, 1)
    for number, line in enumerate(lines):
        for i, c in enumerate(line):
            if c != '"':
                continue
            if in_quotes and i + 1 < len(line) and line[i + 1] not in ',"':
                return number, i + 2, opened
            if not in_quotes:
                opened = (number, i + 1)
            in_quotes = not in_quotes
    return 0, 1, opened


class _Csv:
    """One CSV file: its header checked against the mapped columns, then its rows with positions."""

    def __init__(self, path: Path, display: str, text: str, wanted: dict[str, str], diagnostics: Diagnostics):
        self.display, self.diagnostics = display, diagnostics
        self.text = text.removeprefix("\ufeff")  # spreadsheets write a byte order mark
        # Strict: text after a closing quote and a quote left open at the end are errors, not
        # read into the field as they are by default.
        self.reader = csv.reader(io.StringIO(self.text), strict=True)
        self.start = 1  # the first line of the current record (a quoted field may span lines)
        self._lines: list[str] | None = None  # the source lines, split when a problem needs a column
        self.index: dict[str, int] = {}
        self.ok = True
        try:
            header = next(self.reader, None)
        except csv.Error as exc:
            self.csv_error(exc, "the header")
            return
        if header is None:
            self.error_at(1, 1, "the file is empty; expected a header row naming the columns")
            return
        names = [h.strip() for h in header]
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            first.setdefault(name, index)
        mapped = set(wanted.values())
        reported: set[str] = set()
        for index, name in enumerate(names):
            if first[name] != index and name in mapped and name not in reported:
                # Which of the two is meant cannot be told: reading either would be a guess.
                reported.add(name)
                self.error_at(
                    1,
                    field_column(self.line(1), index),
                    f"the header names the column `{excerpt(name)}` twice (fields {first[name] + 1} and {index + 1}); "
                    "expected each mapped column once",
                )
        for role, column in wanted.items():
            if column in first:
                self.index[role] = first[column]
            else:
                close = difflib.get_close_matches(column, names, n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                self.error_at(
                    1, 1, f"the header lacks the column `{column}` (mapped as `{role}`){hint}; it has: {', '.join(f'`{n}`' for n in names)}"
                )

    def error_at(self, line: int, column: int, message: str) -> None:
        self.diagnostics.error(Position(self.display, line, column), message)
        self.ok = False

    def line(self, number: int) -> str:
        """The text of a source line (1-based); the lines are split once, when a problem needs one."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines[number - 1].removesuffix("\r") if number <= len(self._lines) else ""

    def error(self, role: str, message: str) -> None:
        """An error in the current row's field `role`."""
        self.error_at(self.start, field_column(self.line(self.start), self.index.get(role, 0)), message)

    def warning(self, role: str, message: str) -> None:
        """A warning on the current row's field `role`: read, but worth a look."""
        self.diagnostics.warning(Position(self.display, self.start, field_column(self.line(self.start), self.index.get(role, 0))), message)

    def csv_error(self, exc: csv.Error, what: str) -> None:
        """A record the `csv` module refuses (from line `self.start`), said as what was expected."""
        text = str(exc)
        if "field larger than field limit" in text or "unexpected end of data" in text:
            self.line(1)  # the lines, split
            stop = self.reader.line_num
            line, column = _open_quote(self._lines, self.start, stop)
            if "unexpected end of data" in text:
                self.error_at(
                    line, column, 'unclosed quote: the quoted field that starts here runs to the end of the file; expected a closing `"`'
                )
            elif stop > line:
                self.error_at(
                    line,
                    column,
                    f"unclosed quote? the quoted field that starts here runs over {stop - line + 1} lines and past "
                    f'{FIELD_LIMIT:,} characters, the most a field may hold; expected a closing `"`',
                )
            else:
                self.error_at(
                    self.start,
                    1,
                    f"{what} has a field longer than {FIELD_LIMIT:,} characters, the most a field may hold; expected shorter fields",
                )
        elif "expected after" in text:
            record = [self.line(n) for n in range(self.start, max(self.reader.line_num, self.start) + 1)]
            offset, column, (open_offset, open_column) = _after_quote(record)
            # Past the record's first line, the quote that closed there most likely opened a field
            # left unclosed further up: say where, as that is what to fix.
            hint = (
                f"; the quoted field opened at line {self.start + open_offset}, column {open_column}, may be missing its closing quote"
                if offset > open_offset
                else ""
            )
            self.error_at(
                self.start + offset,
                column,
                "text after a closing quote; expected `,` or the end of the row after a quoted field "
                f'(a quote inside a quoted field is written `""`){hint}',
            )
        else:
            self.error_at(self.start, 1, f"{what} is not a CSV row ({excerpt(text)}); expected fields separated by `,`")

    def rows(self):
        """(line number, fields) of each row; a malformed row is reported and left out."""
        width = max(self.index.values(), default=0) + 1
        reader = self.reader
        while True:
            self.start = reader.line_num + 1
            try:
                row = next(reader, None)
            except csv.Error as exc:
                # The reader goes on at the next line: the rows after a broken one are still checked.
                self.csv_error(exc, "the row")
                continue
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

    def __init__(self, mapping: TicketMapping, window: tuple[int, int, str] | None = None, table: _Csv | None = None):
        self.table = table  # where a time read with a warning is said
        self.zone = zone(mapping.timezone) if mapping.timezone else None
        self.zone_name = mapping.timezone
        self.format = mapping.timestamp_format
        # (first, last instant, what they are): a ticket's times lie near its period; one decades
        # away is a typing or export error, and would make the calendar cover every year between.
        self.window = window

    def parse(self, text: str, role: str = "") -> int | str:
        """Epoch seconds, or the message of what is wrong; `role`: the field, for a warning."""
        if self.format is None:
            # The common case first: ISO 8601 with an offset, as exports write it.
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                pass
            else:
                if moment.tzinfo is not None and 1900 <= moment.year <= 2999:
                    return self._within(int(moment.timestamp()), text)
        text = text.strip()
        try:
            moment = dt.datetime.strptime(text, self.format) if self.format else dt.datetime.fromisoformat(text)
        except ValueError:
            shape = f"`{self.format}`" if self.format else "ISO 8601 such as 2025-01-02T09:30:00+01:00"
            return f"`{excerpt(text)}` is not a date and time; expected {shape}"
        if moment.tzinfo is None:
            if self.zone is None:
                return f"`{excerpt(text)}` has no offset and the mapping names no zone; expected an offset (`Z`, `+01:00`) or `timezone:` under `tickets:`"
            moment = moment.replace(tzinfo=self.zone)
            problem = self._clock_change(moment, text, role)
            if problem is not None:
                return problem
        if not 1900 <= moment.year <= 2999:
            return f"`{excerpt(text)}` is out of range; expected a time in the years 1900 to 2999"
        return self._within(int(moment.timestamp()), text)

    def _clock_change(self, moment: dt.datetime, text: str, role: str) -> str | None:
        """What is wrong with a local time the clocks skip; None for one that is an instant. One the
        clocks pass twice is read as the first (as `zoneinfo` does) with a warning: an export
        without offsets cannot say which is meant, and refusing it would lose the whole period."""
        back = moment.astimezone(dt.UTC).astimezone(self.zone)
        if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
            return (
                f"`{excerpt(text)}` does not exist in {self.zone_name}: the clocks went forward over it; "
                "expected a time that exists, or one with its offset"
            )
        earlier, later = moment.replace(fold=0).utcoffset(), moment.replace(fold=1).utcoffset()
        if earlier != later and self.table is not None:
            self.table.warning(
                role,
                f"`{excerpt(text)}` occurred twice in {self.zone_name} (the clocks went back): read as the first, "
                f"at {_offset(earlier)}, not the second at {_offset(later)}; expected a time with its offset to say which, "
                "or an export in UTC (the exporting user's zone, with `timezone: UTC`)",
            )
        return None

    def _within(self, moment: int, text: str) -> int | str:
        if self.window is None or self.window[0] <= moment <= self.window[1]:
            return moment
        return f"`{excerpt(text)}` is far from the period; expected a time {self.window[2]}"


def _offset(delta: dt.timedelta | None) -> str:
    minutes = int(delta.total_seconds()) // 60 if delta is not None else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def read_tickets(
    path: Path,
    display: str,
    text: str,
    mapping: TicketMapping,
    priorities: frozenset[str],
    diagnostics: Diagnostics,
    window: tuple[int, int, str] | None = None,
) -> tuple[list[Ticket], dict[str, int]] | None:
    """The tickets of one export (without pauses from a status log), and the row of each id. None
    if any row is wrong. `window`: the first and last instant a time may be, and how to say so."""
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
    times = _Times(mapping, window, table)
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
                "id",
                f"ticket `{excerpt(ticket_id)}` appears twice in the period (first at line {seen[ticket_id]}); expected one row per ticket",
            )
            continue
        seen[ticket_id] = line
        priority = row[i_priority].strip()
        if priority not in priorities:
            table.error("priority", f"unknown priority `{excerpt(priority)}` of ticket `{excerpt(ticket_id)}`; expected one of: {known}")
        created = parse(row[i_created], "created")
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
    moment = parse(value, role)
    if moment.__class__ is str:
        table.error(role, moment)
        return None
    if moment < created:
        words = "first response" if role == "first_response" else "resolution"
        table.error(
            role, f"the {words} of ticket `{excerpt(ticket_id)}` ({excerpt(value.strip())}) is before it was created; expected a later time"
        )
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
        start = times.parse(start_text, "pauses")
        end = times.parse(end_text, "pauses") if end_text.strip() else None
        for moment in (start, end):
            if isinstance(moment, str):
                table.error("pauses", f"pause `{excerpt(part)}` of ticket `{excerpt(ticket_id)}`: {moment}")
                return ()
        if end is not None and end <= start:
            table.error(
                "pauses",
                f"pause `{excerpt(part)}` of ticket `{excerpt(ticket_id)}` ends before it starts; expected `start/end` with the end later",
            )
            return ()
        if start < created:
            table.error(
                "pauses",
                f"pause `{excerpt(part)}` of ticket `{excerpt(ticket_id)}` starts before the ticket was created; expected a later start",
            )
            return ()
        pauses.append((start, end))
    return _checked_pauses(pauses, ticket_id, lambda message: table.error("pauses", message))


def _checked_pauses(pauses: list, ticket_id: str, report) -> tuple:
    pauses.sort(key=lambda p: p[0])
    for (_s1, e1), (s2, _e2) in itertools.pairwise(pauses):
        if e1 is None or s2 < e1:
            report(f"two pauses of ticket `{excerpt(ticket_id)}` overlap; expected each pause to end before the next starts")
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
    window: tuple[int, int, str] | None = None,
) -> dict[str, tuple] | None:
    """Pauses per ticket id from a status log: a ticket is paused from a change into a pause state
    until the next change out of one. Rows are taken in time order, whatever their order in the file.

    States are compared exactly. Without the mapping's `states`, any state may occur, but one that
    differs from a pause state only in case or spacing is an error (the pause would be lost without
    a word), and a pause state the log never holds, while a similar name occurs, is warned of."""
    log = mapping.status_log
    assert log is not None
    table = _Csv(
        path, display, text, {"ticket": log.ticket, "at": log.at, "from_state": log.from_state, "to_state": log.to_state}, diagnostics
    )
    if not table.ok:
        return None
    times = _Times(mapping, window, table)
    states = frozenset(mapping.states)
    known = ", ".join(f"`{s}`" for s in sorted(states))
    near = {} if states else {_folded(s): s for s in pause_states}
    occurs: dict[str, tuple[int, str]] = {}  # each state of the log: where it first occurs
    at = table.index
    changes: dict[str, list[tuple[int, int, str]]] = {}
    for line, row in table.rows():
        ticket_id = row[at["ticket"]].strip()
        for role in ("from_state", "to_state"):
            state = row[at[role]].strip()
            if states and state and state not in states:
                table.error(role, f"unknown state `{excerpt(state)}`; expected one of: {known}")
            elif near and state and state not in pause_states:
                meant = near.get(_folded(state))
                if meant is not None:
                    table.error(
                        role,
                        f"state `{excerpt(state)}` differs from the pause state `{meant}` only in case or spacing; states are "
                        "compared exactly: expected the log's spelling in `pause_states` (or the states under `tickets.states`)",
                    )
            if state and state not in occurs:
                occurs[state] = (line, role)
        ticket = tickets.get(ticket_id)
        if ticket is None:
            table.error(
                "ticket",
                f"state change of ticket `{excerpt(ticket_id)}`, which is not in the period's ticket export; expected a ticket of the export",
            )
            continue
        moment = times.parse(row[at["at"]], "at")
        if isinstance(moment, str):
            table.error("at", moment)
            continue
        if moment < ticket.created:
            table.error(
                "at",
                f"state change of ticket `{excerpt(ticket_id)}` at {excerpt(row[at['at']].strip())}, before it was created; "
                "expected a later time",
            )
            continue
        changes.setdefault(ticket_id, []).append((moment, line, row[at["to_state"]].strip()))
    if not table.ok:
        return None
    if not states and occurs:
        _warn_unused_pause_states(pause_states, occurs, table)
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


def _folded(state: str) -> str:
    return " ".join(state.casefold().split())


def _warn_unused_pause_states(pause_states: frozenset[str], occurs: dict[str, tuple[int, str]], table: _Csv) -> None:
    """No pause state in the log, while a state much like one occurs: most likely a misspelling.
    Only when none occurs: Jira's `Waiting for customer` and `Waiting for support` are alike, and
    a month may well hold one of them alone."""
    if len(occurs) > HINT_STATES or pause_states & occurs.keys():
        return  # a hint only; the states themselves were all checked above
    names = list(occurs)
    for state in sorted(pause_states):
        close = difflib.get_close_matches(state, names, n=1, cutoff=0.8)
        if close:
            line, role = occurs[close[0]]
            column = field_column(table.line(line), table.index[role])
            table.diagnostics.warning(
                Position(table.display, line, column),
                f"the pause state `{state}` never occurs in the status log, but `{excerpt(close[0])}` does; "
                "expected the log's spelling in `pause_states` (no time of this log is paused as `" + state + "`)",
            )
