"""Phase 2: a credit statement per customer and period, as a printable page, CSV and JSON.

A statement lists every agreement of one customer with results in the period:
each metric's attainment, the credit, the base it applies to, the amount, the
claim deadline (with the days left on the build date) and how to claim, then the
total per currency. The CSV (one row per agreement) and the JSON are for billing
systems: decimal strings, never fractions, no cell a spreadsheet reads as a formula
or a date (present/billing.py). Built from the summaries the audience's cut let
through (site/audiences.py), so a customer's site holds its own statements only.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from mkdocs_sla.core.evaluate import Status
from mkdocs_sla.core.periods import Period
from mkdocs_sla.present import billing, display, markup
from mkdocs_sla.present.markup import escape_line as _escape
from mkdocs_sla.present.words import claim_status, period_name
from mkdocs_sla.site.navigation import NavPage, NavSection
from mkdocs_sla.site.paths import Links, RenderOptions
from mkdocs_sla.site.previewcache import ListingCache, cached
from mkdocs_sla.site.templating import _env, _json
from mkdocs_sla.site.views import AgreementSummary, Mark, StatementLine

CSV_COLUMNS = (
    "customer_id",
    "customer",
    "period",
    "agreement",
    "agreement_title",
    "version",
    "missed_metrics",
    "base",
    "charges",
    "currency",
    "credit_percent",
    "amount",
    "below_minimum",
    "issued",
    "claim_deadline",
    "claim_status",
)


def issued_total(lines: Iterable[StatementLine]) -> dict[str, str]:
    """The statement's total per currency: the sum of the lines' issued amounts as invoiced
    (each rounded to cents, half up), so the lines a customer sees add up to the total."""
    totals = billing.invoiced_totals((line.currency, line.issued) for line in lines)
    return {currency: billing.amount(total) for currency, total in totals.items()}


class Statements:
    """Every customer's statements of every period, from the summaries of its agreements."""

    def __init__(self, summaries: Iterable[AgreementSummary], today: dt.date, options: RenderOptions, cache: ListingCache | None = None):
        self.today = today
        self.options = options
        self.cache = cache  # a live preview's (started by the listings); None renders every statement
        self.link = Links(options)
        self.paths = self.link.paths
        names: dict[str, str] = {}
        found: dict[tuple[str, Period], list[StatementLine]] = defaultdict(list)
        for summary in summaries:
            if not summary.customer_key or not summary.statements:
                continue
            names.setdefault(summary.customer_key, summary.customer)
            for line in summary.statements:
                found[(summary.customer_key, line.period)].append(line)
        self.names = names
        # Customers by key; each customer's periods newest first; lines by agreement title.
        self.by_customer: dict[str, list[tuple[Period, list[StatementLine]]]] = defaultdict(list)
        for (key, period), lines in sorted(found.items(), key=lambda item: (item[0][0], -item[0][1].start.toordinal(), item[0][1].kind)):
            self.by_customer[key].append((period, sorted(lines, key=lambda line: (markup.plain(line.title).casefold(), line.agreement_id))))

    def render(self) -> dict[str, str]:
        if not self.by_customer:
            return {}
        pages = {self.paths.statements: self.index_page()}
        for key, periods in self.by_customer.items():
            for period, lines in periods:
                # A preview rebuild renders again only the statements an edit changed.
                made = functools.partial(self.files, key, period, lines)
                page, csv, document = cached(self.cache, "statement", tuple(lines), made, key=(key, self.names[key], period))
                pages[self.paths.statement(key, period.label)] = page
                pages[self.paths.statement(key, period.label, "csv")] = csv
                pages[self.paths.statement(key, period.label, "json")] = document
        return pages

    def files(self, key: str, period: Period, lines: list[StatementLine]) -> tuple[str, str, str]:
        """One statement's page, CSV and JSON."""
        return self.page(key, period, lines), self.csv(key, period, lines), self.json(key, period, lines) + "\n"

    def totals(self, key: str, period: Period, lines: list[StatementLine]) -> dict[str, str]:
        """`issued_total` of one statement, read by its page and by the index."""
        return cached(self.cache, "statement-total", tuple(lines), functools.partial(issued_total, lines), key=(key, period))

    def title(self, key: str, period: Period) -> str:
        return f"Credit statement: {self.names[key]}, {period_name(period)}"

    # ------------------------------------------------------------ the page

    def index_page(self) -> str:
        customers = []
        for key, periods in sorted(self.by_customer.items(), key=lambda item: markup.plain(self.names[item[0]]).casefold()):
            rows = [
                {
                    "name": period_name(period),
                    "label": period.label,
                    "href": self.link(self.paths.statements, self.paths.statement(key, period.label)),
                    "agreements": len(lines),
                    "totals": [display.money(Fraction(v), c) for c, v in self.totals(key, period, lines).items() if Fraction(v)],
                }
                for period, lines in periods
            ]
            customers.append({"key": key, "name": self.names[key], "rows": rows})
        return _env().get_template("statements_index.md.j2").render(customers=customers, today=self.today)

    def page(self, key: str, period: Period, lines: list[StatementLine]) -> str:
        path = self.paths.statement(key, period.label)
        totals = self.totals(key, period, lines)
        return (
            _env()
            .get_template("statement.md.j2")
            .render(
                title=self.title(key, period),
                customer=self.names[key],
                key=key,
                period=period,
                name=period_name(period),
                today=self.today,
                agreements=lines,
                sections=[
                    cached(self.cache, "statement-section", (line,), functools.partial(self.section, path, line), key=(path,))
                    for line in lines
                ],
                totals=[display.money(Fraction(v), c) for c, v in totals.items()],
                csv_href=self.link(path, self.paths.statement(key, period.label, "csv")),
                json_href=self.link(path, self.paths.statement(key, period.label, "json")),
                index_href=self.link(path, self.paths.statements),
            )
        )

    def section(self, path: str, line: StatementLine) -> Markup:
        """One agreement's part of the statement page at `path`."""
        text = _env().get_template("statement_agreement.md.j2").render(a=self._agreement_view(path, line))
        return Markup(text.removesuffix("\n"))

    def _agreement_view(self, path: str, line: StatementLine) -> dict[str, Any]:
        e = _escape
        rows = []
        for m in line.metrics:
            title = f' title="{e(m.exact)}"' if m.exact else ""
            rows.append(
                f"<tr><td>{markup.inline(m.name)}</td> <td{title}>{e(m.attainment)}</td> <td>{Mark(m.status).html}</td> <td>{e(m.credit)}</td></tr>"
            )
        currency = line.currency or ""
        notes = []
        if line.capped:
            notes.append("capped")
        if line.withheld:
            notes.append(line.withheld)
        due = bool(line.issued)
        deadline = None
        if line.claim_deadline and due:
            deadline = f"{line.claim_deadline.isoformat()} ({claim_status(line.claim_deadline, self.today)})"
        return {
            "line": line,
            "anchor": f"agreement-{line.agreement_id}",
            "href": self.link(path, self.paths.period_results(line.agreement_id, line.earlier_year), f"period-{line.period.label}"),
            "metrics_html": Markup("\n".join(rows)),
            "charges": display.money(line.charges, currency) if line.charges is not None else "not reported",
            "percent": display.percent(line.percent),
            "amount": display.credit_amount(line.amount, currency, withheld=line.below_minimum) if line.amount is not None else "—",
            "issued": display.money(line.issued, currency) if line.issued is not None else "—",
            "notes": notes,
            "deadline": deadline,
            "due": due,
        }

    # ------------------------------------------------------------ for billing systems

    def json(self, key: str, period: Period, lines: list[StatementLine]) -> str:
        """The statement as JSON: every figure a decimal string (amounts with two places).

        Written as `_json` writes the whole document, from each agreement's part as the preview
        cache keeps it: a rebuild after an edit encodes again only the agreement edited."""
        head = _json(
            {
                "format": 1,
                "customer": {"id": key, "name": markup.plain(self.names[key])},
                "period": period.label,
                "as_of": self.today.isoformat(),
            }
        )
        parts = [cached(self.cache, "statement-json", (line,), functools.partial(self._line_json, line)) for line in lines]
        return f'{head[:-1]},"agreements":[{",".join(parts)}],"total":{_json(self.totals(key, period, lines))}}}'

    def _line_json(self, line: StatementLine) -> str:
        return _json(
            {
                "agreement": line.agreement_id,
                "title": markup.plain(line.title),
                "version": line.version,
                "metrics": [
                    {
                        "metric": m.metric_id,
                        "attainment": m.attainment,
                        "status": m.status.value,
                        "credit": m.credit,
                    }
                    for m in line.metrics
                ],
                "base": markup.plain(line.base) if line.base else None,
                "charges": billing.amount(line.charges),
                "currency": line.currency,
                "credit_percent": billing.percent(line.percent),
                "amount": billing.amount(line.amount),
                "below_minimum": line.below_minimum,
                "issued": billing.amount(line.issued),
                "claim_deadline": line.claim_deadline.isoformat() if line.claim_deadline else None,
                "claim_days_left": billing.days_left(line.claim_deadline, self.today) if line.claim_deadline else None,
                "how_to_claim": markup.plain(line.claim_how) if line.claim_how else None,
            }
        )

    def csv(self, key: str, period: Period, lines: list[StatementLine]) -> str:
        """One row per agreement: its credit line (a billing import sums `issued`; no totals row to
        double count). Each row as the preview cache keeps it, as `_json` above."""
        rows = [
            cached(self.cache, "statement-csv", (line,), functools.partial(self._line_csv, key, line), key=(key, self.names[key]))
            for line in lines
        ]
        return billing.csv_text(CSV_COLUMNS, []) + "".join(rows)

    def _line_csv(self, key: str, line: StatementLine) -> str:
        row = [
            ("text", key),
            ("text", markup.plain(self.names[key])),
            ("text", line.period.label),
            ("text", line.agreement_id),
            ("text", markup.plain(line.title)),
            ("text", line.version),
            ("text", "; ".join(markup.plain(m.name) for m in line.metrics if m.status is Status.MISSED)),
            ("text", markup.plain(line.base) if line.base else ""),
            ("number", billing.amount(line.charges)),
            ("text", line.currency or ""),
            ("number", billing.percent(line.percent)),
            ("number", billing.amount(line.amount)),
            ("text", "yes" if line.below_minimum else "no"),
            ("number", billing.amount(line.issued)),
            ("text", line.claim_deadline.isoformat() if line.claim_deadline else ""),
            ("text", claim_status(line.claim_deadline, self.today) if line.claim_deadline else ""),
        ]
        return billing.csv_rows([row])

    # ------------------------------------------------------------ navigation

    def navigation(self) -> NavSection | None:
        if not self.by_customer:
            return None
        sections = []
        for key, periods in sorted(self.by_customer.items(), key=lambda item: markup.plain(self.names[item[0]]).casefold()):
            pages = tuple(NavPage(self.paths.statement(key, period.label), period_name(period)) for period, _lines in periods)
            sections.append(NavSection(markup.plain(self.names[key]), pages))
        if len(sections) == 1:
            return NavSection("Credit statements", (self.paths.statements, *sections[0].children))
        return NavSection("Credit statements", (self.paths.statements, *sections))
