"""The `sla` command: a thin shell over load, evaluate and render.

Exit status: 0 success; 1 invalid agreements or bad arguments (argparse uses 2
for usage errors). Verbs that compare refs document their own statuses.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import json
import sys
from pathlib import Path

from . import display
from .diagnostics import Diagnostic
from .evaluate import AgreementEvaluation, evaluate
from .parallel import for_each_agreement
from .model import SLUG
from .periods import Period

DEFAULT_ROOT = "agreements"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # `sla credits | head`
        return 0
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sla", description="Service level agreements as code.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    validate = verbs.add_parser("validate", help="check every agreement; errors as file:line:col")
    validate.add_argument("path", nargs="?", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    validate.add_argument("--format", choices=("text", "github"), default="text",
                          help="`github` prints workflow annotations (::error file=…)")
    validate.set_defaults(run=cmd_validate)

    credits = verbs.add_parser("credits", help="attainment, tiers and credits per agreement and period")
    credits.add_argument("path", nargs="?", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    credits.add_argument("--period", help="only this period, e.g. 2026-10 or 2026-Q4")
    credits.add_argument("--agreement", help="only this agreement id")
    credits.add_argument("--format", choices=("table", "json", "csv"), default="table")
    credits.set_defaults(run=cmd_credits)

    new = verbs.add_parser("new", help="write a new agreement from a commented template")
    new.add_argument("id", help="the agreement id: lower-case letters, digits and hyphens")
    new.add_argument("--path", default=DEFAULT_ROOT, help="agreements folder (default: agreements)")
    new.add_argument("--effective", help="first day the terms apply (default: the first day of next month)")
    new.set_defaults(run=cmd_new)
    return parser


# ---------------------------------------------------------------- validate


def print_diagnostics(diagnostics, fmt: str = "text", stream=None) -> None:
    stream = stream or sys.stdout
    for diagnostic in diagnostics:
        print(diagnostic.github() if fmt == "github" else str(diagnostic), file=stream)


def summary(valid: int, diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    return f"{valid} valid agreement(s), {errors} error(s), {len(diagnostics) - errors} warning(s)"


def _agreement_id(record) -> str:
    return record.id


def cmd_validate(args) -> int:
    diagnostics, valid = for_each_agreement(args.path, _agreement_id)
    print_diagnostics(diagnostics, args.format)
    print(summary(len(valid), diagnostics), file=sys.stderr)
    return 1 if any(d.severity == "error" for d in diagnostics) else 0


# ---------------------------------------------------------------- credits


def cmd_credits(args) -> int:
    if args.period:
        try:
            wanted_period = Period.parse(args.period)
        except ValueError as exc:
            print(f"sla credits: {exc}", file=sys.stderr)
            return 1
    task = functools.partial(_credits_of, period=wanted_period if args.period else None, only=args.agreement)
    diagnostics, entries = for_each_agreement(args.path, task)
    if any(d.severity == "error" for d in diagnostics):
        print_diagnostics(diagnostics, stream=sys.stderr)
        print(summary(len(entries), diagnostics), file=sys.stderr)
        return 1
    entries = [e for e in entries if e is not None]
    if args.agreement and not entries:
        print(f"sla credits: no agreement `{args.agreement}` in {args.path}", file=sys.stderr)
        return 1
    document = {"format": 1, "agreements": entries}
    if args.format == "json":
        json.dump(document, sys.stdout, indent=1, ensure_ascii=False)
        print()
    elif args.format == "csv":
        write_csv(document, sys.stdout)
    else:
        write_table(document, sys.stdout)
    return 0


def _credits_of(record, period: Period | None, only: str | None) -> dict | None:
    """Runs in a worker: evaluate one agreement and return its plain-data credits."""
    if only is not None and record.id != only:
        return None
    return credits_document([evaluate(record)], period)["agreements"][0]


def credits_document(evaluations: list[AgreementEvaluation], period: Period | None = None) -> dict:
    """The credits as plain data: exact values as strings (`"24775/248"` where a decimal would not end)."""
    agreements = []
    for evaluation in evaluations:
        record = evaluation.record
        periods = []
        for outcome in evaluation.periods:
            if period is not None and outcome.period != period:
                continue
            terms = outcome.terms
            currency = terms.credit_terms.currency if terms.credit_terms else None
            credit = outcome.credit
            periods.append({
                "period": outcome.period.label,
                "version": outcome.version,
                "charges": str(outcome.results.results.charges) if outcome.results.results.charges is not None else None,
                "metrics": [
                    {
                        "metric": m.metric.id,
                        "attainment": display.exact(m.attainment),
                        "attainment_display": display.attainment(m.attainment, m.metric.unit, m.metric.better) if m.attainment is not None else None,
                        "unit": m.metric.unit,
                        "objective": str(m.metric.objective),
                        "status": "not reported" if m.met is None else ("met" if m.met else "missed"),
                        "measured": m.detail,
                        "tier": m.tier,
                        "credit_percent": display.exact(m.credit_percent),
                        "default": m.default,
                        "earned_back_in": m.earned_back.label if m.earned_back else None,
                    }
                    for m in outcome.metrics
                ],
                "credit": {
                    "combined_percent": display.exact(credit.combined_percent),
                    "percent": display.exact(credit.percent),
                    "capped": credit.capped,
                    "amount": display.exact(credit.amount),
                    "amount_display": display.money(credit.amount, currency) if credit.amount is not None and currency else None,
                    "below_minimum": credit.below_minimum,
                    "issued": display.exact(credit.issued),
                    "currency": currency,
                },
                "claim_deadline": outcome.claim_deadline.isoformat() if outcome.claim_deadline else None,
                "misses_to_date": outcome.misses_to_date,
                "chronic_failure": outcome.chronic,
                "termination_right": outcome.termination_right,
                "remedies": [{"kind": r.kind, "metric": r.metric_id, "text": r.text, "termination_right": r.termination_right} for r in outcome.remedies],
            })
        agreements.append({"id": record.id, "title": record.versions[-1].terms.title, "periods": periods})
    return {"format": 1, "agreements": agreements}


CSV_COLUMNS = ["agreement", "period", "version", "metric", "attainment", "attainment_display", "status", "tier",
               "credit_percent", "period_credit_percent", "period_amount", "currency", "below_minimum", "misses_to_date",
               "chronic_failure", "termination_right"]


def write_csv(document: dict, stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for agreement in document["agreements"]:
        for p in agreement["periods"]:
            for m in p["metrics"]:
                writer.writerow([agreement["id"], p["period"], p["version"], m["metric"], m["attainment"], m["attainment_display"],
                                 m["status"], m["tier"], m["credit_percent"], p["credit"]["percent"], p["credit"]["issued"],
                                 p["credit"]["currency"], p["credit"]["below_minimum"], p["misses_to_date"],
                                 p["chronic_failure"], p["termination_right"]])


def write_table(document: dict, stream) -> None:
    for agreement in document["agreements"]:
        print(f"{agreement['id']} — {agreement['title']}", file=stream)
        rows = [("period", "metric", "attainment", "status", "tier", "credit %")]
        for p in agreement["periods"]:
            for m in p["metrics"]:
                rows.append((p["period"], m["metric"], m["attainment_display"] or "—", m["status"],
                             str(m["tier"] or "—"), display.percent(_fraction(m["credit_percent"])) + (" earned back" if m["earned_back_in"] else "")))
            credit = p["credit"]
            total = display.percent(_fraction(credit["percent"]))
            notes = []
            if credit["capped"]:
                notes.append("capped")
            if credit["below_minimum"]:
                notes.append("below minimum: not issued")
            if credit["amount_display"]:
                notes.insert(0, credit["amount_display"])
            notes.append(f"misses to date {p['misses_to_date']}")
            if p["chronic_failure"]:
                notes.append("CHRONIC FAILURE")
            if p["termination_right"]:
                notes.append("TERMINATION RIGHT")
            rows.append((p["period"], "= period total", "", "", "", f"{total} " + "; ".join(notes)))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for row in rows:
            print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5], file=stream)
        print(file=stream)


def _fraction(text: str | None):
    from fractions import Fraction

    return Fraction(text) if text is not None else None


# ---------------------------------------------------------------- new


def cmd_new(args) -> int:
    import re

    if not re.match(SLUG, args.id):
        print(f"sla new: `{args.id}` is not a valid id; expected lower-case letters, digits and hyphens, starting with a letter or digit", file=sys.stderr)
        return 1
    folder = Path(args.path) / args.id
    if folder.exists():
        print(f"sla new: {folder} already exists; choose another id or edit it", file=sys.stderr)
        return 1
    if args.effective:
        try:
            effective = dt.date.fromisoformat(args.effective)
        except ValueError:
            print(f"sla new: `{args.effective}` is not a date; expected YYYY-MM-DD", file=sys.stderr)
            return 1
    else:
        today = dt.date.today()
        effective = Period.containing(today, "month").end
    template = (Path(__file__).parent / "scaffold" / "agreement.yaml").read_text(encoding="utf-8")
    folder.mkdir(parents=True)
    (folder / "results").mkdir()
    (folder / "agreement.yaml").write_text(template.replace("{id}", args.id).replace("{effective}", effective.isoformat()), encoding="utf-8")
    print(f"wrote {folder / 'agreement.yaml'}; add one results/<period>.yaml per period, then run `sla validate`")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
