"""Ticket exports that look valid but are not: a misspelt pause state, a column named twice, a
selected priority no ticket may have, a local time the clocks skip or repeat, a time decades
away, a CSV broken by a quote. Each is one clear error (or warning) at its file:line:column."""

from __future__ import annotations

import shutil
from pathlib import Path

from site_tests.core_helpers import agreement, diagnostics_text, evaluated, loaded, position_of
from site_tests.test_tickets_load import GOOD_ROWS, HEADER, TICKET_METRIC, TICKETS, tree

REPO = Path(__file__).resolve().parent.parent
NO_STATES = TICKETS.replace("  states: [open, pending, closed]\n", "")
BERLIN_TICKETS = TICKETS.replace("  states:", "  timezone: Europe/Berlin\n  states:")


def errors(root: Path, file: str) -> list[str]:
    return [d for d in diagnostics_text(loaded(root)) if file in d and ": error: " in d]


# ---------------------------------------------------------------- pause states without `states`


def _waiting_tree(tmp_path: Path, log_state: str) -> Path:
    metric = TICKET_METRIC.replace("pause_states: [pending]", "pause_states: [Waiting for customer]")
    log = f"Key,At,From,To\nT-3,2026-01-06T10:30:00+01:00,{log_state},open\nT-3,2026-01-06T09:30:00+01:00,open,{log_state}\n"
    return tree(tmp_path, log=log, extra=NO_STATES, metric=metric)


def test_a_pause_state_spelt_with_other_case_in_the_log_is_an_error(tmp_path):
    # "T-3," and the 25-character time and "," put From at column 31; "open," puts To at 36.
    found = errors(_waiting_tree(tmp_path, "Waiting for Customer"), "2026-01.status.csv")
    assert len(found) == 2, found
    assert "2026-01.status.csv:2:31:" in found[0] and "2026-01.status.csv:3:36:" in found[1], found
    assert all("state `Waiting for Customer` differs from the pause state `Waiting for customer` only in case" in d for d in found)


def test_the_pause_state_spelt_as_the_log_does_pauses_the_ticket(tmp_path):
    summary = evaluated(_waiting_tree(tmp_path, "Waiting for customer"))["svc"].periods[0].metrics[0].measured.tickets
    assert (summary.met, summary.counted) == (2, 3)  # as with `pending` in test_tickets_load: T-3 paused, met
    assert [o.ticket.id for o in summary.breaches] == ["T-2"]


def test_a_pause_state_the_log_never_holds_beside_a_similar_one_is_warned(tmp_path):
    log = "Key,At,From,To\nT-3,2026-01-06T09:30:00+01:00,open,pendng\nT-3,2026-01-06T10:30:00+01:00,pendng,open\n"
    found = diagnostics_text(loaded(tree(tmp_path, log=log, extra=NO_STATES)))
    warnings = [d for d in found if ": warning: " in d and "status.csv" in d]
    assert len(warnings) == 1, found
    assert "2026-01.status.csv:2:36: warning: the pause state `pending` never occurs in the status log, but `pendng` does" in warnings[0]


def test_two_alike_pause_states_of_which_one_occurs_are_no_warning(tmp_path):
    # Jira Service Management's defaults: a month may hold `Waiting for customer` alone.
    metric = TICKET_METRIC.replace("pause_states: [pending]", "pause_states: [Waiting for customer, Waiting for support]")
    log = (
        "Key,At,From,To\nT-3,2026-01-06T09:30:00+01:00,open,Waiting for customer\nT-3,2026-01-06T10:30:00+01:00,Waiting for customer,open\n"
    )
    found = diagnostics_text(loaded(tree(tmp_path, log=log, extra=NO_STATES, metric=metric)))
    assert [d for d in found if "status.csv" in d] == []


# ---------------------------------------------------------------- the header


def test_a_mapped_column_named_twice_is_an_error_at_the_second(tmp_path):
    rows = "Key,Priority,Created,Responded,Resolved,Priority\nT-1,P3,2026-01-05T09:00:00+01:00,,,P4\n"
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    # "Key,Priority,Created,Responded,Resolved," is 40 characters: the second `Priority` at 41.
    assert len(found) == 1, found
    assert found[0].endswith(
        "2026-01.csv:1:41: error: the header names the column `Priority` twice (fields 2 and 6); expected each mapped column once"
    ), found


def test_an_unmapped_column_named_twice_is_no_error(tmp_path):
    rows = "Key,Priority,Created,Responded,Resolved,Note,Note\n" + "".join(line + ",a,b\n" for line in GOOD_ROWS.splitlines())
    summary = evaluated(tree(tmp_path, rows=rows))["svc"].periods[0].metrics[0].measured.tickets
    assert (summary.met, summary.counted) == (2, 3)


# ---------------------------------------------------------------- selected values


def test_a_selected_priority_outside_the_priorities_is_an_error_at_the_value(tmp_path):
    extra = TICKETS.replace("  states:", "  priorities: [P3, P4]\n  states:")
    metric = TICKET_METRIC.replace("select: {values: [P3]}", "select: {values: [P33]}")
    root = tree(tmp_path, extra=extra, metric=metric, log=None)
    (root / "svc" / "tickets" / "2026-02.csv").write_text(HEADER, encoding="utf-8")  # a second period: still one error
    text = agreement(metrics=metric, extra=extra, credit_terms="", head="timezone: Europe/Berlin\n")
    line, column = position_of(text, "P33")
    found = errors(root, "agreement.yaml")
    assert len(found) == 1, found
    assert f"agreement.yaml:{line}:{column}: error: unknown priority `P33`: no ticket may have it" in found[0], found
    assert "did you mean `P3`?" in found[0] and "expected one of the export's priorities: `P3`, `P4`" in found[0]


# ---------------------------------------------------------------- clock changes


def test_a_local_time_the_clocks_skip_is_an_error(tmp_path):
    rows = (
        "T-1,P3,2026-03-29T02:30:00,,\n"  # 29 March 2026: 02:00 to 03:00 does not exist in Berlin
        "T-3,P3,2026-01-05T09:00:00,2026-01-05T10:00:00,\n"  # an ordinary winter time: read in the zone
    )
    found = errors(tree(tmp_path, rows=rows, log=None, extra=BERLIN_TICKETS), "2026-01.csv")
    assert len(found) == 1, found
    assert "2026-01.csv:2:8: error: `2026-03-29T02:30:00` does not exist in Europe/Berlin: the clocks went forward over it" in found[0]


def test_a_local_time_the_clocks_repeat_is_read_as_the_first_with_a_warning(tmp_path):
    # 25 October 2026: 02:00 to 03:00 happens twice in Berlin. An export without offsets cannot say
    # which: the first (+02:00, 00:30 UTC) is read, as zoneinfo reads it, and the row is kept.
    # "T-2,P3,2025-10-25T02:30:00," is 27 characters: the first response at column 28.
    from site_tests.core_helpers import loaded as load_tree

    rows = "T-1,P3,2026-01-05T09:00:00,2026-01-05T10:00:00,\nT-2,P3,2025-10-25T02:30:00,2025-10-26T02:30:00,\n"
    root = tree(tmp_path, rows=rows, log=None, extra=BERLIN_TICKETS)
    found = [d for d in diagnostics_text(load_tree(root)) if "2026-01.csv" in d]
    assert found == [
        f"{found[0].split(':')[0]}:3:28: warning: `2025-10-26T02:30:00` occurred twice in Europe/Berlin (the clocks went back): "
        "read as the first, at +02:00, not the second at +01:00; expected a time with its offset to say which, "
        "or an export in UTC (the exporting user's zone, with `timezone: UTC`)"
    ], found


def test_a_local_time_without_offset_reads_as_with_its_offset(tmp_path):
    rows = "T-1,P3,2026-01-05T09:00:00,2026-01-05T10:00:00,\nT-2,P3,2026-07-06T09:00:00,2026-07-06T12:00:00,\n"
    summary = evaluated(tree(tmp_path, rows=rows, log=None, extra=BERLIN_TICKETS))["svc"].periods[0].metrics[0].measured.tickets
    # T-1 answered after 1 of 2 business hours: met. T-2 (July, created after the period) is not counted.
    assert (summary.met, summary.counted) == (1, 1)


# ---------------------------------------------------------------- times far from the period


def test_a_time_decades_from_the_period_is_an_error(tmp_path):
    rows = (
        "T-1,P3,1900-01-05T09:00:00+01:00,,\n"
        "T-2,P3,2026-01-05T09:00:00+01:00,,2999-01-05T09:00:00+01:00\n"
        "T-3,P3,2016-01-05T09:00:00+01:00,,2036-01-05T09:00:00+01:00\n"  # within 10 years either side: fine
    )
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    window = "expected a time within 10 years of period 2026-01 (from 2016-01-01 to 2036-02-01, UTC)"
    assert len(found) == 2, found
    assert "2026-01.csv:2:8: error: `1900-01-05T09:00:00+01:00` is far from the period; " + window in found[0]
    # "T-2,P3," (7), the created time and "," (26), the empty first response and "," (1): column 35.
    assert "2026-01.csv:3:35: error: `2999-01-05T09:00:00+01:00` is far from the period; " + window in found[1]


# ---------------------------------------------------------------- broken CSV


def test_an_unclosed_quote_is_one_short_error_at_the_quote(tmp_path):
    rows = 'T-1,"P3,2026-01-05T09:00:00+01:00,,\n' + "".join(f"T-{n},P3,2026-01-05T09:00:00+01:00,,\n" for n in range(2, 100))
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert len(found) == 1, [d[:200] for d in found]
    assert found[0].endswith(
        '2026-01.csv:2:5: error: unclosed quote: the quoted field that starts here runs to the end of the file; expected a closing `"`'
    ), found[0][:300]


def test_a_quote_left_open_in_a_large_export_is_one_error_and_the_rows_after_are_read(tmp_path):
    # Rows of 38 characters with the line break, after 32 on line 2 from the open quote on: the
    # field passes 131,072 characters in the 3,449th row after it ((131,072 - 32) / 38 = 3,448.4),
    # line 3,451, so it runs over lines 2 to 3,451; the reader goes on at the next line.
    rows = (
        'T-1,"P3,2026-01-05T09:00:00+01:00,,\n'
        + "".join(f"T-{n:04d},P3,2026-01-05T09:00:00+01:00,,\n" for n in range(2, 4002))
        + "T-9999,P9,2026-01-05T09:00:00+01:00,,\n"  # line 4,003: still checked
    )
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert len(found) == 2, [d[:200] for d in found]
    assert "2026-01.csv:2:5: error: unclosed quote? the quoted field that starts here runs over 3450 lines and past 131,072" in found[0]
    assert "2026-01.csv:4003:8: error: unknown priority `P9`" in found[1]


def test_a_field_over_the_limit_is_reported_and_the_rows_after_it_still_checked(tmp_path):
    rows = (
        "Key,Priority,Created,Responded,Resolved,Note\n"
        f"T-1,P3,2026-01-05T09:00:00+01:00,,,{'x' * 140_000}\n"
        "T-2,P9,2026-01-05T09:00:00+01:00,,,\n"
    )
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert len(found) == 2, [d[:200] for d in found]
    assert "2026-01.csv:2:1: error: the row has a field longer than 131,072 characters, the most a field may hold" in found[0]
    assert "expected shorter fields" in found[0] and len(found[0]) < 300
    assert "2026-01.csv:3:5: error: unknown priority `P9`" in found[1]


def test_text_after_a_closing_quote_is_an_error_and_reading_goes_on(tmp_path):
    rows = 'T-1,"P3"x,2026-01-05T09:00:00+01:00,,\nT-2,P9,2026-01-05T09:00:00+01:00,,\n'
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert len(found) == 2, found
    assert "2026-01.csv:2:9: error: text after a closing quote; expected `,` or the end of the row after a quoted field" in found[0]
    assert "2026-01.csv:3:5: error: unknown priority `P9`" in found[1]


def test_a_quote_left_open_that_a_later_line_closes_is_named_where_it_opened(tmp_path):
    # Line 2 opens a quote at column 8 and never closes it; line 3's first quote closes it, and
    # the `x` after it (column 35: "T-2,P3,2026-01-05T10:00:00+01:00," is 33 characters) breaks the row.
    rows = 'T-1,P3,"2026-01-05T09:00:00+01:00,,\nT-2,P3,2026-01-05T10:00:00+01:00,"x"y,\n'
    found = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert len(found) == 1, found
    assert "2026-01.csv:3:35: error: text after a closing quote;" in found[0]
    assert found[0].endswith("; the quoted field opened at line 2, column 8, may be missing its closing quote")


def test_a_long_value_is_quoted_as_an_excerpt(tmp_path):
    rows = f"T-1,P3,{'9' * 5000},,\n"
    (found,) = errors(tree(tmp_path, rows=rows, log=None), "2026-01.csv")
    assert "2026-01.csv:2:8: error: `" + "9" * 59 + "…` is not a date and time" in found, found[:200]


# ---------------------------------------------------------------- an export with errors


def test_an_export_with_errors_is_not_also_warned_as_missing(tmp_path):
    root = tmp_path / "agreements"
    shutil.copytree(REPO / "agreements" / "support-desk", root / "support-desk")
    shutil.copytree(REPO / "agreements" / "calendars", root / "calendars")
    export = root / "support-desk" / "tickets" / "2025-Q1.csv"
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    export.write_text(lines[0] + lines[1].replace(",normal,", ",P9,", 1) + "".join(lines[2:]), encoding="utf-8")
    found = diagnostics_text(loaded(root))
    assert [d for d in found if ": error: " in d] == [d for d in found if "2025-Q1.csv:2:" in d and "unknown priority `P9`" in d], found
    assert not [d for d in found if "no ticket export for period 2025-Q1" in d], found
