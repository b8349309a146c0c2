"""Ticket exports and calendars through the loader: a valid tree evaluates, every bad input of the
tickets issue is one clear error at its file:line:column, all at once, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from site_tests.core_helpers import agreement, diagnostics_text, evaluated, loaded, metric_text, run_sla, write_agreement

TICKET_METRIC = metric_text(
    "p3",
    name="Priority 3 first response",
    definition="Share of priority 3 tickets answered within 2 business hours.",
    objective="90",
    measure="kind: tickets\nselect: {values: [P3]}\ntarget: first_response\nwithin: {hours: 2}\ncalendar: office\npause_states: [pending]\n",
    credits=None,
)

TICKETS = """\
tickets:
  columns: {id: Key, priority: Priority, created: Created, first_response: Responded, resolved: Resolved}
  status_log: {ticket: Key, at: At, from_state: From, to_state: To}
  states: [open, pending, closed]
calendars:
  office:
    name: Office hours
    timezone: Europe/Berlin
    hours: {monday: ["08:00-18:00"], tuesday: ["08:00-18:00"], wednesday: ["08:00-18:00"], thursday: ["08:00-18:00"], friday: ["08:00-18:00"]}
    holidays: {country: DE, subdivision: BE}
"""

HEADER = "Key,Priority,Created,Responded,Resolved\n"
GOOD_ROWS = (
    "T-1,P3,2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00,\n"  # met
    "T-2,P3,2026-01-09T17:00:00+01:00,2026-01-12T10:00:00+01:00,\n"  # Friday 17:00: due Monday 09:00, answered 10:00: breached
    "T-3,P3,2026-01-06T09:00:00+01:00,2026-01-06T11:30:00+01:00,\n"  # paused 09:30-10:30: due 12:00, met
)
GOOD_LOG = "Key,At,From,To\nT-3,2026-01-06T10:30:00+01:00,pending,open\nT-3,2026-01-06T09:30:00+01:00,open,pending\n"


def tree(
    tmp_path: Path,
    rows: str = GOOD_ROWS,
    log: str | None = GOOD_LOG,
    name: str = "2026-01",
    extra: str = TICKETS,
    metric: str = TICKET_METRIC,
) -> Path:
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(metrics=metric, extra=extra, credit_terms="", head="timezone: Europe/Berlin\n"))
    (folder / "tickets").mkdir()
    (folder / "tickets" / f"{name}.csv").write_text(HEADER + rows if not rows.startswith("Key") else rows, encoding="utf-8")
    if log is not None:
        (folder / "tickets" / f"{name}.status.csv").write_text(log, encoding="utf-8")
    return root


def test_a_valid_export_is_judged_with_calendar_and_pauses(tmp_path):
    root = tree(tmp_path)
    outcome = evaluated(root)["svc"].periods[0].metrics[0]
    summary = outcome.measured.tickets
    assert (summary.met, summary.counted) == (2, 3)
    assert [o.ticket.id for o in summary.breaches] == ["T-2"]
    assert summary.breaches[0].taken == 3 * 3600  # Friday 17:00-18:00 and Monday 08:00-10:00
    assert outcome.met is False


def test_the_breached_tickets_are_in_the_json(tmp_path):
    root = tree(tmp_path)
    result = run_sla("credits", "--format", "json", str(root), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"id": "T-2"' in result.stdout or '"id":"T-2"' in result.stdout


BAD = [
    (
        "a response before the ticket was created",
        "T-1,P3,2026-01-05T09:00:00+01:00,2026-01-05T08:00:00+01:00,\n",
        None,
        "2026-01.csv:2:34",
        "before it was created",
    ),
    (
        "a timestamp without an offset in a file that names no zone",
        "T-1,P3,2026-01-05T09:00:00,,\n",
        None,
        "2026-01.csv:2:8",
        "has no offset",
    ),
    ("an unknown priority", "T-1,P9,2026-01-05T09:00:00+01:00,,\n", None, "2026-01.csv:2:5", "unknown priority `P9`"),
    (
        "a duplicate ticket id in a period",
        "T-1,P3,2026-01-05T09:00:00+01:00,,\nT-1,P3,2026-01-05T09:00:00+01:00,,\n",
        None,
        "2026-01.csv:3:1",
        "appears twice",
    ),
    (
        "a header that lacks a mapped column",
        "Key,Priority,Opened,Responded,Resolved\n",
        None,
        "2026-01.csv:1:1",
        "lacks the column `Created`",
    ),
    (
        "an unknown state in the status log",
        GOOD_ROWS,
        "Key,At,From,To\nT-3,2026-01-06T09:30:00+01:00,open,waiting\n",
        "2026-01.status.csv:2:36",
        "unknown state `waiting`",
    ),
    (
        "a state change before the ticket was created",
        GOOD_ROWS,
        "Key,At,From,To\nT-3,2026-01-06T08:30:00+01:00,open,pending\n",
        "2026-01.status.csv:2:5",
        "before it was created",
    ),
]


@pytest.mark.parametrize(("rule", "rows", "log", "where", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_ticket_input_is_one_clear_error(tmp_path, rule, rows, log, where, words):
    root = tree(tmp_path, rows=rows, log=log)
    found = diagnostics_text(loaded(root))
    assert any(where in line and words in line for line in found), (rule, found)


def test_the_header_error_names_the_columns_it_has(tmp_path):
    root = tree(tmp_path, rows="Key,Priority,Opened,Responded,Resolved\n", log=None)
    (line,) = [d for d in diagnostics_text(loaded(root)) if "lacks" in d]
    assert "it has: `Key`, `Priority`, `Opened`, `Responded`, `Resolved`" in line


def test_pause_columns_that_overlap_or_end_before_they_start(tmp_path):
    extra = TICKETS.replace("resolved: Resolved}", "resolved: Resolved, pauses: Pauses}")
    rows = (
        "Key,Priority,Created,Responded,Resolved,Pauses\n"
        "T-1,P3,2026-01-05T09:00:00+01:00,,,2026-01-05T10:00:00+01:00/2026-01-05T09:30:00+01:00\n"
        "T-2,P3,2026-01-05T09:00:00+01:00,,,2026-01-05T10:00:00+01:00/2026-01-05T11:00:00+01:00;2026-01-05T10:30:00+01:00/2026-01-05T12:00:00+01:00\n"
    )
    found = diagnostics_text(loaded(tree(tmp_path, rows=rows, log=None, extra=extra)))
    assert any("2026-01.csv:2:36" in d and "ends before it starts" in d for d in found), found
    assert any("2026-01.csv:3:36" in d and "overlap" in d for d in found), found


def test_all_errors_of_an_export_at_once(tmp_path):
    rows = "T-1,P9,2026-01-05T09:00:00+01:00,,\nT-2,P3,2026-01-05T09:00:00,,\nT-1,P3,2026-01-05T09:00:00+01:00,,\n"
    found = [d for d in diagnostics_text(loaded(tree(tmp_path, rows=rows, log=None))) if "2026-01.csv" in d]
    assert len(found) == 3, found


@pytest.mark.parametrize(
    ("rule", "name", "words"),
    [
        (
            "a ticket file for a period the agreement does not have (before it took effect)",
            "2025-12",
            "ends before the agreement took effect",
        ),
        ("a ticket file for a quarter in a monthly agreement", "2026-Q1", "measured per month"),
        ("a ticket file whose name is no period", "january", "unexpected file"),
    ],
)
def test_a_ticket_file_for_a_period_the_agreement_does_not_have(tmp_path, rule, name, words):
    found = diagnostics_text(loaded(tree(tmp_path, name=name, log=None)))
    assert any(f"tickets/{name}.csv" in d and words in d for d in found), (rule, found)


@pytest.mark.parametrize(
    ("rule", "old", "new", "words"),
    [
        ("a calendar with an hour 24:30", '["08:00-18:00"], tuesday', '["08:00-24:30"], tuesday', "`24:30` is not a time of day"),
        ("a calendar with overlapping hours", 'monday: ["08:00-18:00"]', 'monday: ["08:00-12:00", "11:00-18:00"]', "overlap"),
        ("an unknown country for holidays", "country: DE, subdivision: BE", "country: QQ", "unknown country `QQ`"),
        ("an unknown subdivision", "subdivision: BE", "subdivision: XX", "unknown subdivision `XX` of `DE`"),
        ("an unknown calendar", "calendar: office", "calendar: ofice", "unknown calendar `ofice`; did you mean `office`?"),
    ],
)
def test_bad_calendars_are_clear_errors(tmp_path, rule, old, new, words):
    extra, metric = TICKETS.replace(old, new), TICKET_METRIC.replace(old, new)
    found = diagnostics_text(loaded(tree(tmp_path, extra=extra, metric=metric, log=None)))
    assert any("agreement.yaml:" in d and words in d for d in found), (rule, found)


def test_a_shared_calendar_file_and_downtime_in_service_hours(tmp_path):
    root = tmp_path / "agreements"
    (root / "calendars").mkdir(parents=True)
    (root / "calendars" / "office.yaml").write_text(
        'timezone: Europe/Berlin\nhours: {monday: ["08:00-18:00"], tuesday: ["08:00-18:00"], wednesday: ["08:00-18:00"], thursday: ["08:00-18:00"], friday: ["08:00-18:00"]}\n',
        encoding="utf-8",
    )
    metric = """\
  - id: uptime
    name: Uptime in service hours
    definition: Service-hour minutes available as a share of all service-hour minutes.
    unit: "%"
    better: higher
    objective: 99
    measure:
      kind: downtime
      calendar: office
"""
    results = (
        'period: "2026-01"\nmetrics:\n  uptime:\n    outages:\n'
        '      - {start: "2026-01-05T17:00:00+01:00", end: "2026-01-05T20:00:00+01:00"}\n'  # one hour inside service hours
        '      - {start: "2026-01-10T10:00:00+01:00", end: "2026-01-10T12:00:00+01:00"}\n'  # a Saturday: none
    )
    write_agreement(root, "svc", agreement(metrics=metric, credit_terms=""), {"2026-01.yaml": results})
    measured = evaluated(root)["svc"].periods[0].metrics[0].measured
    assert measured.down_minutes == 60
    assert measured.window_minutes == 22 * 10 * 60  # 22 working days in January 2026 (no holidays without `holidays:`)

    # The same calendar edited in place, its size and modification time as they were (an editor
    # or tool writing twice within the clock's tick, `touch -r`): the next load reads the new hours.
    office = root / "calendars" / "office.yaml"
    before = office.stat()
    office.write_text(office.read_text(encoding="utf-8").replace('friday: ["08:00-18:00"]', 'friday: ["08:00-13:00"]'), encoding="utf-8")
    os.utime(office, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert office.stat().st_size == before.st_size
    measured = evaluated(root)["svc"].periods[0].metrics[0].measured
    assert measured.window_minutes == 22 * 10 * 60 - 5 * 5 * 60  # five Fridays of five hours less


def _terms(metric: str, extra: str = TICKETS):
    from mkdocs_sla.source.builder import agreement_from_text

    return agreement_from_text(agreement(metrics=metric, extra=extra, credit_terms=""), name="a.yaml").versions[0].terms


@pytest.mark.parametrize(
    ("rule", "old", "new", "words", "effect"),
    [
        ("a longer target is adverse", "within: {hours: 2}", "within: {hours: 4}", "due within 4 business hours", "adverse"),
        ("a shorter target is favourable", "within: {hours: 2}", "within: {hours: 1}", "due within 1 business hour", "favourable"),
        (
            "a new pause state is adverse",
            "pause_states: [pending]",
            "pause_states: [pending, hold]",
            "stops while a ticket is `hold`",
            "adverse",
        ),
        (
            "an empty period judged missed instead of met is favourable",
            "pause_states: [pending]",
            "pause_states: [pending]\n      when_empty: missed",
            "a period with nothing measured is now judged missed (was met)",
            "favourable",
        ),
        (
            "a pause state dropped is favourable",
            "pause_states: [pending]",
            "pause_states: []",
            "no longer stops while a ticket is `pending`",
            "favourable",
        ),
    ],
)
def test_sla_diff_names_what_changed_in_a_ticket_measure(rule, old, new, words, effect):
    from mkdocs_sla.compare.terms import compare_terms

    changes = compare_terms(_terms(TICKET_METRIC), _terms(TICKET_METRIC.replace(old, new)))
    found = [c for c in changes if c.kind == "measure"]
    assert any(words in c.summary and c.effect.value == effect for c in found), (rule, [(c.summary, c.effect) for c in found])


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//closures//EN
BEGIN:VEVENT
UID:1
SUMMARY:Company offsite
DTSTART;VALUE=DATE:20260107
DTEND;VALUE=DATE:20260108
END:VEVENT
BEGIN:VEVENT
UID:2
SUMMARY:Office move
DTSTART;TZID=Europe/Berlin:20260105T120000
DTEND;TZID=Europe/Berlin:20260105T140000
END:VEVENT
END:VCALENDAR
"""


def _shared_office(root: Path, ics: str | None) -> None:
    (root / "calendars").mkdir(parents=True, exist_ok=True)
    text = (
        "name: Office hours\ntimezone: Europe/Berlin\n"
        'hours: {monday: ["08:00-18:00"], tuesday: ["08:00-18:00"], wednesday: ["08:00-18:00"], thursday: ["08:00-18:00"], friday: ["08:00-18:00"]}\n'
    )
    if ics is not None:
        text += "closures: closures.ics\n"
        (root / "calendars" / "closures.ics").write_text(ics, encoding="utf-8")
    (root / "calendars" / "office.yaml").write_text(text, encoding="utf-8")


def test_closures_from_an_icalendar_file_close_days_and_spans(tmp_path):
    root = tree(tmp_path, extra=TICKETS[: TICKETS.index("calendars:")], log=None)
    _shared_office(root, ICS)
    calendar = evaluated(root)["svc"].record.calendars["office"]
    wednesday = calendar.business_seconds(int(dt_at("2026-01-07T00:00:00+01:00")), int(dt_at("2026-01-08T00:00:00+01:00")))
    monday = calendar.business_seconds(int(dt_at("2026-01-05T00:00:00+01:00")), int(dt_at("2026-01-06T00:00:00+01:00")))
    assert (wednesday, monday) == (0, 8 * 3600)
    assert (dt_date(2026, 1, 7), "Company offsite") in calendar.closed


def test_a_repeating_closure_is_an_error_not_a_silent_skip(tmp_path):
    root = tree(tmp_path, extra=TICKETS[: TICKETS.index("calendars:")], log=None)
    _shared_office(root, ICS.replace("UID:1\n", "UID:1\nRRULE:FREQ=WEEKLY\n"))
    found = diagnostics_text(loaded(root))
    assert any("closures.ics" in d and "repeats (RRULE)" in d for d in found), found


def test_an_unreadable_closure_time_is_an_error_not_a_traceback(tmp_path):
    root = tree(tmp_path, extra=TICKETS[: TICKETS.index("calendars:")], log=None)
    _shared_office(root, ICS.replace("20260105T120000", "20260105T12:00:00"))
    found = diagnostics_text(loaded(root))
    assert any("closures.ics" in d and "no readable DTSTART" in d for d in found), found


def test_a_metric_may_select_tickets_by_another_column(tmp_path):
    extra = TICKETS.replace("resolved: Resolved}", "resolved: Resolved, attributes: {product: Product}}")
    metric = TICKET_METRIC.replace("select: {values: [P3]}", "select: {column: product, values: [ERP]}")
    rows = (
        "Key,Priority,Created,Responded,Resolved,Product\n"
        "T-1,P3,2026-01-05T09:00:00+01:00,2026-01-05T09:30:00+01:00,,ERP\n"
        "T-2,P3,2026-01-05T09:00:00+01:00,2026-01-05T16:00:00+01:00,,CRM\n"
    )
    extra = extra.replace("  states: [open, pending, closed]\n", "  states: [open, pending, closed]\n  priorities: [P3]\n")
    summary = evaluated(tree(tmp_path, rows=rows, log=None, extra=extra, metric=metric))["svc"].periods[0].metrics[0].measured.tickets
    assert (summary.met, summary.counted) == (1, 1)


def dt_at(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def dt_date(*parts: int) -> dt.date:
    return dt.date(*parts)


def test_an_agreement_in_the_calendars_folder_is_an_error_not_skipped(tmp_path):
    root = tree(tmp_path, log=None)
    (root / "calendars").mkdir()
    (root / "calendars" / "agreement.yaml").write_text(agreement("calendars"), encoding="utf-8")
    found = diagnostics_text(loaded(root))
    assert any("calendars/agreement.yaml" in d and "folder of shared business calendars" in d for d in found), found


def test_a_file_that_cannot_be_read_just_after_an_edit_has_a_state_not_a_traceback(tmp_path):
    # A calendar edited a moment ago is told apart by its bytes; one that cannot be read (here a
    # folder, as a file made unreadable would be to another user) gets a state of its own, and
    # the loader, reading it again, reports why.
    from mkdocs_sla.source.fingerprints import file_state

    folder = tmp_path / "berlin-office.yaml"
    folder.mkdir()
    state = file_state(folder)
    assert state[0] == "berlin-office.yaml" and str(state[-1]).startswith("unreadable")
