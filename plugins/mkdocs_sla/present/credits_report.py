"""credits_report: the credits of agreements as plain data, a CSV file and a terminal table (`sla credits`).

Numbers are decimal strings in the data (see `present.documents`: never a fraction); the table
rounds for display only, towards the worse side. The CSV neutralises cells a spreadsheet would
read as formulas, since agreement text (a version label, a tier) reaches it.
"""

from __future__ import annotations

import csv
import re
from fractions import Fraction

from mkdocs_sla.core.diagnostics import one_line
from mkdocs_sla.core.evaluate import AgreementEvaluation
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present import display
from mkdocs_sla.present.documents import period_document


def credits_document(evaluations: list[AgreementEvaluation], period: Period | None = None) -> dict:
    """The credits as plain data: numbers as decimal strings (see `present.documents`)."""
    agreements = []
    for evaluation in evaluations:
        record = evaluation.record
        periods = [period_document(outcome) for outcome in evaluation.periods if period is None or outcome.period == period]
        agreements.append({"id": record.id, "title": record.versions[-1].terms.title, "periods": periods})
    return {"format": 1, "agreements": agreements}


CSV_COLUMNS = [
    "agreement",
    "period",
    "version",
    "metric",
    "attainment",
    "attainment_display",
    "status",
    "tier",
    "credit_percent",
    "period_credit_percent",
    "period_amount",
    "currency",
    "below_minimum",
    "misses_to_date",
    "chronic_failure",
    "termination_right",
]


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`,
# or a tab or carriage return before one. Numbers (`-2.5`, `99.89919354838709677419`) stay as they are.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?(/[0-9]+)?")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text from the agreements starting like a formula is
    prefixed with `'`, which spreadsheets show as text and do not evaluate."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(document: dict, stream) -> None:
    """The credits document as CSV, one row a metric and period (`sla credits --format csv`)."""
    # RFC 4180 line ends: the writer then quotes a cell holding a CR too, which with "\n" it
    # leaves bare, splitting the row for every reader.
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for agreement in document["agreements"]:
        for p in agreement["periods"]:
            for m in p["metrics"]:
                writer.writerow(
                    csv_cell(cell)
                    for cell in [
                        agreement["id"],
                        p["period"],
                        p["version"],
                        m["metric"],
                        m["attainment"],
                        m["attainment_display"],
                        m["status"],
                        m["tier"],
                        m["credit_percent"],
                        p["credit"]["percent"],
                        p["credit"]["issued"],
                        p["credit"]["currency"],
                        p["credit"]["below_minimum"],
                        p["misses_to_date"],
                        p["chronic_failure"],
                        p["termination_right"],
                    ]
                )


def write_table(document: dict, stream) -> None:
    """The credits document as a plain text table for people, one block an agreement."""
    for agreement in document["agreements"]:
        print(f"{agreement['id']} — {one_line(agreement['title'])}", file=stream)
        rows = [("period", "metric", "attainment", "status", "tier", "credit %")]
        for p in agreement["periods"]:
            for m in p["metrics"]:
                rows.append(
                    (
                        p["period"],
                        m["metric"],
                        m["attainment_display"] or "—",
                        m["status"],
                        str(m["tier"] or "—"),
                        display.percent(_fraction(m["credit_percent"])) + (" earned back" if m["earned_back_in"] else ""),
                    )
                )
            credit = p["credit"]
            total = display.percent(_fraction(credit["percent"]))
            notes = []
            if credit["capped"]:
                notes.append("capped")
            if credit["below_minimum"]:
                notes.append(credit["withheld"])
            if credit["amount_display"]:
                notes.insert(0, credit["amount_display"])
            notes.append(f"misses to date {p['misses_to_date']}")
            if p["chronic_failure"]:
                notes.append("CHRONIC FAILURE")
            if p["termination_right"]:
                notes.append("TERMINATION RIGHT")
            rows.append((p["period"], "= period total", "", "", "", f"{total} " + "; ".join(notes)))
            for remedy in p["remedies"]:
                rows.append((p["period"], f"! {remedy['kind'].replace('_', ' ')}", "", "", "", remedy["text"]))
        # Each cell on one line, control characters written as escapes (`one_line`): a line
        # break or a terminal escape in a remedy's text would forge rows or colour the terminal.
        rows = [tuple(one_line(cell) for cell in row) for row in rows]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5], file=stream)
        print(file=stream)


def _fraction(text: str | None):
    return Fraction(text) if text is not None else None
