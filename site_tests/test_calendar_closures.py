"""Closures from an iCalendar file read as the file says, or refused at the event's line; and
the calendar table, which must stay fast and exact however far apart the instants it is asked about."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from site_tests.core_helpers import diagnostics_text, loaded, position_of
from site_tests.test_tickets_load import TICKETS, _shared_office, tree

from mkdocs_sla.core import calendars as core
from mkdocs_sla.core.calendars import BusinessCalendar, Hours
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.source.calendars import read_closures

BERLIN = ZoneInfo("Europe/Berlin")
YEARS = range(2025, 2028)


def ics(*events: str) -> str:
    """A calendar of events, each given by its properties; the first BEGIN:VEVENT is line 4."""
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//closures//EN\r\n"
    body = "".join("BEGIN:VEVENT\r\n" + "".join(p + "\r\n" for p in e.strip().split("\n")) + "END:VEVENT\r\n" for e in events)
    return head + body + "END:VCALENDAR\r\n"


def read(tmp_path: Path, text: str | bytes, years: range | None = YEARS):
    path = tmp_path / "closures.ics"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    diagnostics = Diagnostics()
    result = read_closures(path, "Europe/Berlin", Position("office.yaml", 9, 11), diagnostics, years)
    return result, [str(d) for d in diagnostics.items]


def epoch(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN).timestamp())


OK = "UID:ok\nSUMMARY:Offsite\nDTSTART;VALUE=DATE:20260107\nDTEND;VALUE=DATE:20260108"


# ---------------------------------------------------------------- read as the file says


def test_a_duration_is_the_length_of_the_closure(tmp_path):
    (days, spans), problems = read(
        tmp_path,
        ics(
            "UID:1\nSUMMARY:Move\nDTSTART;TZID=Europe/Berlin:20260105T080000\nDURATION:PT10H",
            "UID:2\nSUMMARY:Inventory\nDTSTART;VALUE=DATE:20260112\nDURATION:P5D",
        ),
    )
    assert problems == []
    assert spans == ((epoch("2026-01-05T08:00:00"), epoch("2026-01-05T18:00:00")),)
    assert sorted(days) == [dt.date(2026, 1, 12) + dt.timedelta(days=n) for n in range(5)]
    assert set(days.values()) == {"Inventory"}


@pytest.mark.parametrize(
    ("rule", "event", "words"),
    [
        ("further dates are refused, not ignored", OK + "\nRDATE;VALUE=DATE:20260114", "has further dates (RDATE)"),
        ("excluded dates are refused, not ignored", OK + "\nEXDATE;VALUE=DATE:20260107", "excludes dates (EXDATE)"),
        ("a repetition is refused", OK + "\nRRULE:FREQ=WEEKLY", "repeats (RRULE)"),
        (
            "a timed event without an end closes nothing in RFC 5545: an error, not a guessed hour",
            "UID:9\nSUMMARY:Outage\nDTSTART:20260105T120000Z",
            "is timed but has neither DTEND nor DURATION",
        ),
        (
            "an unknown zone is not read as the calendar's",
            "UID:3\nSUMMARY:Launch\nDTSTART;TZID=Mars/Olympus:20260105T120000\nDTEND;TZID=Mars/Olympus:20260105T130000",
            "has an unknown time zone `Mars/Olympus` (DTSTART;TZID); expected an IANA zone",
        ),
        (
            "an all-day event ending before it starts is an error, as a timed one is",
            "UID:4\nSUMMARY:Back\nDTSTART;VALUE=DATE:20260110\nDTEND;VALUE=DATE:20260105",
            "ends before it starts",
        ),
        (
            "a date start with a date-time end",
            "UID:5\nSUMMARY:Mixed\nDTSTART;VALUE=DATE:20260110\nDTEND;TZID=Europe/Berlin:20260112T120000",
            "mixes a date and a date-time",
        ),
        (
            "whole days with a duration in hours",
            "UID:6\nSUMMARY:Half\nDTSTART;VALUE=DATE:20260110\nDURATION:PT12H",
            "lasts whole days but has the DURATION PT12H; expected whole days",
        ),
        (
            "both an end and a duration",
            "UID:7\nSUMMARY:Both\nDTSTART;VALUE=DATE:20260110\nDTEND;VALUE=DATE:20260111\nDURATION:P1D",
            "has both DTEND and DURATION",
        ),
        (
            "a closure over all of the calendar's years",
            "UID:8\nSUMMARY:Forever\nDTSTART;VALUE=DATE:00010101\nDTEND;VALUE=DATE:99991231",
            "is outside the years 1900 to 2999",
        ),
        (
            "a duration past the year 9999",
            "UID:9\nSUMMARY:Long\nDTSTART;VALUE=DATE:29990101\nDURATION:P3000000D",
            "is outside the years 1900 to 2999",
        ),
    ],
)
def test_a_misread_closure_is_an_error_at_its_event(tmp_path, rule, event, words):
    # The bad event is the second: its BEGIN:VEVENT is line 4 + the first event's 6 lines = 10.
    result, problems = read(tmp_path, ics(OK, event))
    assert result is None, rule
    assert len(problems) == 1, (rule, problems)
    assert problems[0].startswith(f"{tmp_path}/closures.ics:10:1: error: event 2 (`") and words in problems[0], (rule, problems)


def test_an_event_is_named_by_its_uid_without_a_summary(tmp_path):
    _, problems = read(tmp_path, ics("UID:launch-42\nDTSTART;VALUE=DATE:20260110\nDTEND;VALUE=DATE:20260105"))
    assert problems == [
        f"{tmp_path}/closures.ics:4:1: error: event 1 (`launch-42`) ends before it starts" + problems[0].split("starts", 1)[1]
    ]


def test_invalid_utf8_says_icalendar(tmp_path):
    text = ics(OK).encode().replace(b"Offsite", b"Off\xffsite")
    _, problems = read(tmp_path, text)
    # Line 6 is SUMMARY:Offsite; "SUMMARY:Off" is 11 characters, the bad byte the 12th.
    assert problems == [f"{tmp_path}/closures.ics:6:12: error: file is not UTF-8 text (byte 0xff); expected UTF-8 encoded iCalendar"]


def test_a_long_all_day_closure_lists_only_the_years_needed(tmp_path):
    started = time.process_time()
    (days, spans), problems = read(tmp_path, ics("UID:1\nSUMMARY:Closed\nDTSTART;VALUE=DATE:19000101\nDTEND;VALUE=DATE:30000101"))
    assert problems == [] and spans == ()
    assert len(days) == (dt.date(2028, 1, 1) - dt.date(2025, 1, 1)).days  # 2025 to 2027, as YEARS
    assert time.process_time() - started < 4  # 6.5 s and 1 GB before: every day from year 1 listed


def test_a_missing_closures_file_is_reported_at_the_closures_key(tmp_path):
    root = tree(tmp_path, extra=TICKETS[: TICKETS.index("calendars:")], log=None)
    _shared_office(root, "")
    (root / "calendars" / "closures.ics").unlink()
    text = (root / "calendars" / "office.yaml").read_text(encoding="utf-8")
    line, column = position_of(text, "closures.ics")
    found = [d for d in diagnostics_text(loaded(root)) if "not found" in d]
    assert len(found) == 1 and f"calendars/office.yaml:{line}:{column}: error: closures file `closures.ics` not found" in found[0], found


# ---------------------------------------------------------------- the calendar table


OFFICE = ((Hours(480, 1080),),) * 5 + ((), ())


def test_instants_years_apart_build_the_table_a_few_times_and_answer_the_same(monkeypatch):
    builds = []
    original = core._Table._build

    def counted(self, first, last):
        builds.append((first, last))
        original(self, first, last)

    monkeypatch.setattr(core._Table, "_build", counted)
    grown = BusinessCalendar("office", "Europe/Berlin", OFFICE)
    instants = [int(dt.datetime(year, 3, 2, 9, tzinfo=BERLIN).timestamp()) for year in range(2025, 2300, 3)]
    answers = [grown.business_seconds(instants[0], moment) for moment in instants]
    # Each growth at least doubles the years: 275 years from 3 take a handful of builds, not 92.
    assert len(builds) <= 8, builds
    for moment, answer in zip(instants[::10], answers[::10], strict=True):
        fresh = BusinessCalendar("office", "Europe/Berlin", OFFICE)
        assert fresh.business_seconds(instants[0], moment) == answer


def test_a_deadline_far_out_in_a_calendar_that_never_opens_is_none_without_a_build_per_year(monkeypatch):
    builds = []
    original = core._Table._build
    monkeypatch.setattr(core._Table, "_build", lambda self, first, last: (builds.append(1), original(self, first, last)))
    closed = BusinessCalendar("closed", "Europe/Berlin", ((),) * 7)
    assert closed.deadline(int(dt.datetime(2025, 1, 6, tzinfo=BERLIN).timestamp()), 60) is None
    assert len(builds) <= 5, builds  # 3 years, then doubling to the 12 years searched


def _subtract_one_by_one(spans, closures):
    """The subtraction as a look at every closure for every span: the reference."""
    out = []
    for s, e in spans:
        pieces = [(s, e)]
        for cs, ce in closures:
            pieces = [p for ps, pe in pieces for p in ((ps, min(pe, cs)), (max(ps, ce), pe)) if p[1] > p[0]]
        out.extend(pieces)
    return out


def test_many_overlapping_closures_take_out_what_one_by_one_would():
    import random

    rnd = random.Random(7)
    base = int(dt.datetime(2026, 1, 5, tzinfo=BERLIN).timestamp())
    closures = tuple((base + a, base + a + rnd.randrange(1, 20_000)) for a in (rnd.randrange(0, 86_400 * 14) for _ in range(300)))
    calendar = BusinessCalendar("office", "Europe/Berlin", OFFICE, closures=closures)
    for day in range(14):
        date = dt.date(2026, 1, 5) + dt.timedelta(days=day)
        hours = [
            (core.local_instant(date, h.start, "Europe/Berlin"), core.local_instant(date, h.end, "Europe/Berlin"))
            for h in calendar.hours_on(date)
        ]
        assert list(calendar.open_spans(date)) == _subtract_one_by_one(hours, sorted(closures)), date


def test_thirty_thousand_closures_are_quick():
    base = int(dt.datetime(2026, 1, 5, tzinfo=BERLIN).timestamp())
    closures = tuple((base + n * 3600, base + n * 3600 + 600) for n in range(30_000))  # ten minutes every hour, 3.4 years
    calendar = BusinessCalendar("office", "Europe/Berlin", OFFICE, closures=closures)
    started = time.process_time()
    taken = calendar.business_seconds(base, base + 86_400 * 365 * 3)
    assert time.process_time() - started < 5
    # Monday 5 January 2026, 08:00 to 18:00: ten hours, each without its first ten minutes.
    assert calendar.business_seconds(base, base + 86_400) == 10 * 50 * 60
    assert taken > 0
