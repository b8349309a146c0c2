"""The ticket evidence on the site: calendars in words with their own page, breached tickets per
period and metric with everything a customer needs to check them, and the same in the JSON."""

from __future__ import annotations

import datetime as dt
import json

from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.site.paths import RenderOptions
from mkdocs_sla.site.render import render_site
from mkdocs_sla.source.load import load
from test_tickets_load import GOOD_ROWS, tree

TODAY = dt.date(2026, 3, 1)


def pages(root) -> dict[str, str]:
    catalog = load(root)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    return render_site(catalog, [evaluate(r) for r in catalog.agreements], today=TODAY, options=RenderOptions())


def test_a_breached_ticket_is_listed_with_its_deadline_and_business_time(tmp_path):
    page = pages(tree(tmp_path))["agreements/svc.md"]
    row = next(line for line in page.split("<tr>") if "T-2" in line)
    # Created Friday 17:00, due Monday 09:00 (two business hours), answered 10:00: 3 business hours taken.
    for cell in ("T-2", "P3", "2026-01-09 17:00:00 +0100", "2026-01-12 09:00:00 +0100", "2026-01-12 10:00:00 +0100", "3 h 00 min"):
        assert f"<td>{cell}</td>" in row, (cell, row)
    assert "2 of 3 tickets met" in page
    assert "T-1" not in page.split("## Tickets")[1] and "T-3" not in page.split("## Tickets")[1]  # met tickets are counted, not listed


def test_the_calendar_is_in_words_on_the_agreement_page_and_has_its_own_page(tmp_path):
    site = pages(tree(tmp_path))
    page = site["agreements/svc.md"]
    assert "## Business calendars" in page
    assert "Working hours in Europe/Berlin time: Monday to Friday: 08:00–18:00; Saturday to Sunday: closed." in page
    calendar = site["agreements/svc/calendars/office.md"]
    assert "# Office hours" in calendar
    assert "<td>2026-04-03</td><td>Friday</td><td>Good Friday</td>" in calendar
    assert "<td>2026-03-08</td><td>Sunday</td><td>International Women&#x27;s Day</td>" in calendar or "2026-03-08" in calendar


def test_the_json_has_the_same_breached_tickets_exactly(tmp_path):
    document = json.loads(pages(tree(tmp_path))["agreements/svc/credits.json"])
    (metric,) = document["periods"][0]["metrics"]
    tickets = metric["tickets"]
    assert (tickets["met"], tickets["counted"], tickets["breached"]) == (2, 3, 1)
    (breach,) = tickets["breaches"]
    assert breach["id"] == "T-2" and breach["taken_seconds"] == 3 * 3600 and breach["paused_seconds"] == 0
    assert breach["deadline"] == "2026-01-12 09:00:00 +0100"


def test_a_ticket_id_from_the_export_is_escaped(tmp_path):
    rows = GOOD_ROWS.replace("T-2,", "<script>x</script>,")
    log = "Key,At,From,To\nT-3,2026-01-06T10:30:00+01:00,pending,open\nT-3,2026-01-06T09:30:00+01:00,open,pending\n"
    page = pages(tree(tmp_path, rows=rows, log=log))["agreements/svc.md"]
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
