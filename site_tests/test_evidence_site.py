"""The evidence on the agreement page of a real build (`mkdocs build --strict` into tmp_path): the
outage table per period, the maintenance windows and what each excluded, and figures from which
the page's own credit is recomputed."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import html as lxml_html

from helpers import BUILD_EPOCH, build_site, copy_project, results_page
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.source.load import load
from test_site_build import assert_built, read

pytestmark = pytest.mark.slow

#: The build date: after the last period of the examples (2026-11).
EPOCH = BUILD_EPOCH

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("evidence")
    config = copy_project(root)
    log = root / "agreements" / "acme-compute" / "outages.yaml"
    log.write_text(log.read_text().replace("note: Route flap; 45 seconds, not counted.", f'note: "Route flap {HOSTILE}"'))
    result = build_site(config, root / "site", env=EPOCH)
    assert_built(result)
    return root / "site"


def number(text: str) -> Fraction:
    return Fraction(Decimal(text.replace(",", "").lstrip("≈")))


def usd(value: Fraction) -> str:
    """An amount as the page writes it (two decimals; the amounts here are exact in cents)."""
    assert (value * 100).denominator == 1
    return f"{Decimal(value.numerator) / Decimal(value.denominator):,.2f} USD"


def page(site, agreement_id):
    # A line break reads as a space in the cells' text.
    return lxml_html.fromstring(read(site, f"agreements/{agreement_id}").replace("<br>", " <br>"))


@functools.cache
def _evaluation(agreements: Path, agreement_id: str):
    return evaluate(load(agreements).get(agreement_id))


def evidence(site, agreement_id, label):
    """The evidence of one period, on the page that shows it: the agreement's page for the latest
    12 periods, its year's page for an earlier one."""
    where = results_page(_evaluation(site.parent / "agreements", agreement_id), label)
    tree = lxml_html.fromstring(read(site, f"agreements/{where}").replace("<br>", " <br>"))
    (found,) = tree.xpath(f'//details[@id="evidence-{label}"]')
    return found


def test_the_agreement_page_shows_each_periods_outages_with_times_in_the_agreements_zone(site):
    november = evidence(site, "acme-compute", "2025-11")
    rows = [
        [" ".join(td.text_content().split()) for td in tr.xpath("td")] for tr in november.xpath('.//table[@class="sla-outages"]/tbody/tr')
    ]
    assert [r[0].split(" ")[0] for r in rows] == ["INC-2025-1112", "INC-2025-1130"]
    assert rows[1][1:4] == [
        "2025-11-30 23:52 +00:00",
        "2025-12-01 00:00 +00:00 outage 2025-11-30 23:52 +00:00 to 2025-12-01 00:07 +00:00, split at the period boundary",
        "8",
    ]
    december = evidence(site, "acme-compute", "2025-12")
    cells = [" ".join(td.text_content().split()) for td in december.xpath('.//table[@class="sla-outages"]/tbody/tr[1]/td')]
    assert cells[1:4] == [
        "2025-12-01 00:00 +00:00",
        "2025-12-01 00:07 +00:00 outage 2025-11-30 23:52 +00:00 to 2025-12-01 00:07 +00:00, split at the period boundary",
        "7",
    ]
    excluded = " ".join(december.xpath('.//table[@class="sla-outages"]/tbody/tr[2]/td')[4].text_content().split())
    assert excluded == "50: tagged customer-caused, which does not count"


def test_text_from_the_outage_log_is_escaped_on_the_page(site):
    # The route flap of 2025-10-14, on the page that shows October 2025.
    text = read(site, f"agreements/{results_page(_evaluation(site.parent / 'agreements', 'acme-compute'), '2025-10')}")
    assert HOSTILE not in text
    assert "Route flap &lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_credit_of_every_period_recomputes_from_the_figures_on_the_page(site):
    tree = page(site, "acme-compute")
    tiers = []
    for row in tree.xpath('//div[contains(@class, "sla-tiers")]//tbody/tr'):
        bounds, credit = row.xpath("td")[1].text_content(), row.xpath("td")[2].text_content()
        below = re.search(r"below ([\d.]+)%", bounds)
        at_least = re.search(r"at least ([\d.]+)%", bounds)
        tiers.append(
            (number(below.group(1)) if below else None, number(at_least.group(1)) if at_least else None, number(credit.rstrip("%")))
        )
    checked = 0
    for month in ("2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"):  # version 1.1, whose tiers the page shows
        details = evidence(site, "acme-compute", month)
        counted = [number(td.text_content()) for td in details.xpath('.//table[@class="sla-outages"]/tbody/tr/td[7]')]
        minutes = [number(td.text_content()) for td in details.xpath('.//table[@class="sla-outages"]/tbody/tr/td[4]')]
        excluded = [td.text_content() for td in details.xpath('.//table[@class="sla-outages"]/tbody/tr/td[5]')]
        for m, x, c in zip(minutes, excluded, counted, strict=True):
            parts = [number(p.split(":")[0]) for p in re.findall(r"(?:^| )([\d,.≈]+):", x)] if x != "—" else []
            assert sum(parts, Fraction(0)) == m - c  # every outage here has weight 100%
        formula = details.xpath('.//p[@class="sla-evidence__formula"]')[0].text_content()
        measured_text, down_text = re.match(r"\(([\d,]+) − ([\d,.]+)\)", formula).groups()
        measured, down = number(measured_text), number(down_text)
        assert down == sum(counted, Fraction(0))
        attainment = (measured - down) / measured * 100
        percent = next(
            (c for below, at_least, c in tiers if (below is None or attainment < below) and (at_least is None or attainment >= at_least)),
            Fraction(0),
        )
        charges = number(details.xpath('.//dt[text()="Charges"]/following-sibling::dd')[0].text_content().split(" USD")[0])
        # The credit worked out is the summary's last clause: what the closed evidence still shows.
        credit_text = details.xpath("./summary")[0].text_content().split(", credit ", 1)[1]
        if percent:
            amount = charges * percent / 100
            assert credit_text == f"{int(percent)}% of {usd(charges)} = {usd(amount)}"
            checked += 1
        else:
            assert credit_text == "none"
    assert checked == 4  # July, September, November, December


def test_the_page_lists_the_maintenance_windows_and_what_each_excluded(site):
    def windows(where: str) -> dict[str, str]:
        tree = lxml_html.fromstring(read(site, f"agreements/{where}").replace("<br>", " <br>"))
        return {tr.get("id"): " ".join(tr.text_content().split()) for tr in tree.xpath('//div[contains(@class, "sla-windows")]//tbody/tr')}

    # Each page counts what the windows excluded in the periods it shows: December 2025 (and later)
    # on the agreement's page, November 2025 on the page of 2025.
    evaluation = _evaluation(site.parent / "agreements", "outsourced-ops")
    rows, november_rows = windows(results_page(evaluation, "2025-12")), windows(results_page(evaluation, "2025-11"))
    assert set(rows) == set(november_rows) == {"window-sunday-window", "window-erp-upgrade-2025-11", "window-emergency-firmware-2025-11"}
    assert "repeating FREQ=WEEKLY;BYDAY=SU" in rows["window-sunday-window"]
    assert rows["window-sunday-window"].endswith("240 min")  # the year-end patching on 14 December
    assert november_rows["window-erp-upgrade-2025-11"].endswith("120 min")
    assert november_rows["window-emergency-firmware-2025-11"].endswith("0 min")
    november = evidence(site, "outsourced-ops", "2025-11")
    occurrences = {
        tr.xpath("td")[0].text_content(): " ".join(tr.text_content().split())
        for tr in november.xpath('.//table[@class="sla-window-occurrences"]/tbody/tr')
    }
    assert "not enough" in occurrences["emergency-firmware-2025-11"]
    assert "nothing: 60 min inside it counted" in occurrences["emergency-firmware-2025-11"]
    assert "120 min" in occurrences["erp-upgrade-2025-11"]
