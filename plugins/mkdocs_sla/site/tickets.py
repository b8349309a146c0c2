"""The ticket evidence of an agreement page: its business calendars in words (each with its own
page listing every closed day), and per period and ticket metric the tickets met and counted and
every breached ticket (id, priority, created, deadline, answered or resolved, business time
taken, paused time), so that a customer can check each and claim.

Rows are built here with `html.escape` (a period may list many tickets); the structure is in
`templates/tickets.md.j2` and `templates/calendar.md.j2`.
"""

from __future__ import annotations

from markupsafe import Markup

from mkdocs_sla.core.evaluate import AgreementEvaluation
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.present import ticketwords
from mkdocs_sla.present.markup import escape_line as escape
from mkdocs_sla.present.words import measured_words
from mkdocs_sla.site.paths import Links
from mkdocs_sla.site.templating import _env

HEAD = ("Ticket", "Priority", "Created", "Deadline", "{stop}", "Business time taken", "Paused")


def calendar_path(links: Links, agreement_id: str, name: str) -> str:
    """The page of one of an agreement's calendars."""
    return f"{links.paths.prefix}/{agreement_id}/calendars/{name}.md"


def _calendars_used(record: Agreement) -> list[str]:
    """The calendars the metrics of any version name, in order, that the agreement has (24x7 has no page)."""
    names = []
    for version in record.versions:
        for metric in version.terms.metrics:
            name = getattr(metric.measure, "calendar", None)
            if name and name in record.calendars and name not in names:
                names.append(name)
    return names


def _title(record: Agreement, name: str) -> str:
    return record.calendars[name].title or name


def ticket_section(record: Agreement, evaluation: AgreementEvaluation, links: Links, path: str, json_href: str) -> Markup:
    """The calendars and tickets sections of an agreement page (empty without either)."""
    calendars = [
        {
            "name": name,
            "title": _title(record, name),
            "words": ticketwords.calendar_words(record.calendars[name]),
            "href": links(path, calendar_path(links, record.id, name)),
        }
        for name in _calendars_used(record)
    ]
    timezone = record.versions[-1].terms.timezone
    periods = []
    for outcome in reversed(evaluation.periods):
        metrics = []
        for m in outcome.metrics:
            if m.measured is None or m.measured.tickets is None:
                continue
            summary = m.measured.tickets
            stop = "Answered" if m.metric.measure.target == "first_response" else "Resolved"
            metrics.append(
                {
                    "name": m.metric.name,
                    "measured": measured_words(m),
                    "breached": summary.breached,
                    "rows": Markup(_rows(ticketwords.breach_rows(m.measured, timezone), stop)) if summary.breaches else None,
                }
            )
        if metrics:
            periods.append({"label": outcome.period.label, "file": outcome.results.ticket_file, "metrics": metrics})
    if not calendars and not periods:
        return Markup("")
    return Markup(_env().get_template("tickets.md.j2").render(calendars=calendars, periods=periods, timezone=timezone, json_href=json_href))


def _rows(rows: list[dict], stop: str) -> str:
    head = "".join(f"<th>{escape(h.format(stop=stop))}</th>" for h in HEAD)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape(str(r[k]))}</td>" for k in ("id", "priority", "created", "deadline", "stopped", "taken", "paused"))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def calendar_pages(record: Agreement, evaluation: AgreementEvaluation, links: Links, agreement_path: str) -> dict[str, str]:
    """One glossary-style page per calendar the agreement's metrics use: hours in words and every closed day."""
    pages = {}
    title_of_agreement = record.versions[-1].terms.title
    for name in _calendars_used(record):
        calendar = record.calendars[name]
        page = calendar_path(links, record.id, name)
        days = ticketwords.closed_days(calendar)
        closed = (
            "<table><thead><tr><th>Date</th><th>Day</th><th>Why</th></tr></thead><tbody>"
            + "".join(f"<tr><td>{escape(d)}</td><td>{escape(w)}</td><td>{escape(r)}</td></tr>" for d, w, r in days)
            + "</tbody></table>"
            if days
            else ""
        )
        pages[page] = (
            _env()
            .get_template("calendar.md.j2")
            .render(
                title=_title(record, name),
                name=name,
                words=ticketwords.calendar_words(calendar),
                closed=Markup(closed) if closed else None,
                agreement_href=links(page, agreement_path),
                agreement_title=title_of_agreement,
            )
        )
    return pages
