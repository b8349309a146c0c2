"""intervals: the interval CSV series a results file names (`start,requests,errors`), with positions.

Rows keep their source line, and each field its own column, even when a quoted field holds a
line break, so that every error names the place a reader finds it in an editor.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

from mkdocs_sla.core.diagnostics import Diagnostics, Position, excerpt
from mkdocs_sla.core.periods import localize
from mkdocs_sla.core.records import Interval
from mkdocs_sla.source.yamlsource import display_path, read_text

COUNT_RE = re.compile(r"[0-9]{1,30}")


class _RecordLines:
    """The lines of a CSV text as `csv.reader` takes them, keeping those of the current record:
    a quoted field may hold line breaks, so a record's first line and its fields' columns come
    from the source, not from the parsed fields."""

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text))
        self._read = 0  # lines handed to the reader so far
        self._current: list[str] = []
        self.first_line = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._read += 1
        self._current.append(line)
        return line

    def begin(self) -> None:
        """A new record starts on the next line."""
        self._current = []
        self.first_line = self._read + 1

    def field_position(self, display: str, index: int) -> Position:
        """Where field `index` of the current record starts (its first character inside any quotes)."""
        source = "".join(self._current)
        starts = _field_starts(source)
        offset = starts[index] if index < len(starts) else 0
        line = self.first_line + source.count("\n", 0, offset)
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        return Position(display, line, column)


def _field_starts(source: str) -> list[int]:
    """Offsets of each field of one CSV record (the csv module's default dialect: `,` and `"`,
    a doubled quote inside quotes is one quote); a quoted field's offset is its first character
    after the opening quote."""
    starts = [0]
    in_quotes, at_field_start = False, True
    i = 0
    while i < len(source):
        c = source[i]
        if in_quotes:
            if c == '"':
                if source.startswith('"', i + 1):
                    i += 2
                    continue
                in_quotes = False
        elif c == ",":
            starts.append(i + 1)
            at_field_start = True
            i += 1
            continue
        elif c == '"' and at_field_start:
            in_quotes = True
            starts[-1] = i + 1
        elif c in "\r\n":
            break
        at_field_start = False
        i += 1
    return starts


def read_intervals(
    path: Path,
    named_at: Position,
    bounds: tuple[dt.datetime, dt.datetime],
    window: tuple[dt.datetime, dt.datetime],
    minutes: int,
    timezone: str,
    diagnostics: Diagnostics,
) -> tuple[Interval, ...] | None:
    """The rows of an interval series. Intervals are consecutive spans of `minutes` of elapsed
    time from the start of the measured window, the last one possibly shorter: the rule by which
    `measures.interval_attainment` counts them. Times are compared in UTC, so a row's offset (or
    its absence) never changes which instant it names, and a month with a clock change has its
    real length."""
    display = display_path(path)
    if not os.path.lexists(path):
        diagnostics.error(named_at, f"interval file `{excerpt(path.name)}` not found beside the results file")
        return None
    text = read_text(path, display, diagnostics, what="CSV")
    if text is None:
        return None
    # Spreadsheets write UTF-8 CSV with a byte order mark; it is not part of the header.
    record = _RecordLines(text.removeprefix("\ufeff"))
    reader = csv.reader(record)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        diagnostics.error(Position(display, 1, 1), f"not a CSV file: {exc}")
        return None
    if header is None or [h.strip() for h in header] != ["start", "requests", "errors"]:
        diagnostics.error(Position(display, 1, 1), "expected the header `start,requests,errors`")
        return None
    rows: list[Interval] = []
    seen: set[dt.datetime] = set()
    step = dt.timedelta(minutes=minutes)
    start, end = (moment.astimezone(dt.UTC) for moment in bounds)
    grid = window[0].astimezone(dt.UTC)
    ok = True
    while True:
        record.begin()
        try:
            row = next(reader, None)
        except csv.Error as exc:
            diagnostics.error(Position(display, record.first_line, 1), f"not a CSV row: {exc}")
            return None
        if row is None:
            break
        if not row:
            continue
        line_no = record.first_line  # a quoted field may go on over several lines: the row's first
        where = Position(display, line_no, 1)
        if len(row) != 3:
            diagnostics.error(where, f"expected 3 fields (start, requests, errors), found {len(row)}")
            ok = False
            continue
        try:
            moment = localize(dt.datetime.fromisoformat(row[0].strip()), timezone).astimezone(dt.UTC)
        except (ValueError, OverflowError):
            diagnostics.error(where, f"`{excerpt(row[0])}` is not a date and time; expected ISO 8601 such as 2026-10-01T00:05:00Z")
            ok = False
            continue
        numbers = []
        for field_index in (1, 2):
            text_value = row[field_index]
            value = text_value.strip()
            # ASCII digits only: `str.isdigit` also admits `²` (which int() refuses) and
            # fullwidth or Arabic-Indic digits (which int() reads, unlike any other tool).
            is_count = COUNT_RE.fullmatch(value) is not None
            if not is_count:
                diagnostics.error(
                    record.field_position(display, field_index),
                    f"`{excerpt(text_value)}` is not a count; expected a whole number of 0 or more, in the digits 0-9 (at most 30)",
                )
                ok = False
            numbers.append(int(value) if is_count else 0)
        requests, errors = numbers
        if errors > requests:
            diagnostics.error(record.field_position(display, 2), f"{errors} errors out of {requests} requests; expected errors <= requests")
            ok = False
        if not (start <= moment < end):
            diagnostics.error(
                where,
                f"interval {excerpt(row[0])} lies outside the period; expected a start from {bounds[0].isoformat()} to before {bounds[1].isoformat()}",
            )
            ok = False
        elif moment < grid:
            diagnostics.warning(
                where, f"interval {excerpt(row[0])} lies before the agreement took effect on {window[0].date()}; it does not count"
            )
        elif (moment - grid) % step:
            diagnostics.error(
                where,
                f"interval {excerpt(row[0])} does not start on a {minutes}-minute boundary of the period; "
                f"intervals follow each other every {minutes} minutes of elapsed time from {grid.isoformat()} (UTC)",
            )
            ok = False
        if moment in seen:
            diagnostics.error(where, f"interval {excerpt(row[0])} appears twice; expected one row per interval")
            ok = False
        seen.add(moment)
        rows.append(Interval(moment, requests, errors, where))
    return tuple(rows) if ok else None
