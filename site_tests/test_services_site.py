"""Service pages in a real build of this repository's site: the published standard, its versions,
the finance view across customers, and the negotiated differences on each agreement's page."""

from __future__ import annotations

import html
import re
from fractions import Fraction
from pathlib import Path

import pytest

from helpers import BUILD_DAY, BUILD_EPOCH, REPO_ROOT, build_site
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.present import billing, display
from mkdocs_sla.source.load import load

EPOCH = BUILD_EPOCH  # after the last example periods (2026-11, 2026-Q3)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    result = build_site(REPO_ROOT / "mkdocs.yml", folder, env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def page(site: Path, url: str) -> str:
    text = (site / url / "index.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", text[text.index("<article") : text.index("</article>")]))


def words(text: str) -> str:
    return " ".join(text.split())


def test_a_service_page_publishes_the_standard_in_force_its_components_and_every_version(site):
    text = words(page(site, "agreements/services/acme-compute"))
    assert "Acme Compute standard terms" in text
    assert "EU West (Dublin)" in text and "AP South (Mumbai)" in text
    assert "below 99.99% and at least 99.5%" in text  # the tiers of version 2.0, in force, in words
    assert "2.0" in text and "1.0" in text and "the first version" in text
    # What 2.0 changed for customers, found by comparing the two versions' terms.
    assert "at an attainment at least 99% and below 99.5% the credit rises from 10% to 30%" in text
    assert "outages tagged customer-caused" in text


def test_the_public_service_page_names_no_customer(site):
    text = page(site, "agreements/services/acme-compute")
    for customer in ("Contoso", "Fabrikam", "Tailspin"):
        assert customer not in text


def test_each_page_says_its_audience(site, tmp_path):

    from mkdocs_sla.core.evaluate import evaluate_catalog
    from mkdocs_sla.site.render import render_site

    catalog = load(REPO_ROOT / "agreements")
    pages = render_site(catalog, evaluate_catalog(catalog), today=BUILD_DAY)
    assert "sla_audience: public" in pages["agreements/services/acme-compute.md"]
    assert "sla_audience: public" in pages["agreements/services/acme-compute/standard/1.0.md"]
    assert "sla_audience: internal" in pages["agreements/services/acme-compute/agreements.md"]


def test_an_agreement_page_marks_each_negotiated_difference_against_the_standard(site):
    text = words(page(site, "agreements/fabrikam-compute"))
    assert "Standard terms with 2 negotiated differences" in text
    assert "the credit is 15% instead of the standard 10%" in text
    assert "credit cap is 50% instead of the standard 100%" in text
    plain = words(page(site, "agreements/contoso-storage"))
    assert "with nothing negotiated" in plain


def test_the_finance_view_totals_each_periods_credits_across_the_customers_on_the_service(site):
    catalog = load(REPO_ROOT / "agreements")
    text = words(page(site, "agreements/services/acme-compute/agreements"))
    issued: dict[str, Fraction] = {}
    for record in catalog.agreements:
        inherited = record.versions[-1].inherited
        if inherited is None or inherited.service != "acme-compute":
            continue
        assert record.versions[-1].terms.customer in text
        for outcome in evaluate(record).periods:
            if outcome.credit.issued:
                # Each customer's credit as its row shows it (cents, half up), added: the rows add up.
                shown = Fraction(billing.amount(outcome.credit.issued))
                issued[outcome.period.label] = issued.get(outcome.period.label, Fraction(0)) + shown
    assert issued, "the examples credit some period on acme-compute"
    for period, total in issued.items():
        row = text[text.index(f"({period})") :].split(" USD ")
        assert display.money(total, "USD") in text[text.index(f"({period})") : text.index(f"({period})") + 400], (period, row[:3])


def version_links(site: Path, agreement_id: str) -> dict[str, str]:
    """{version label: href} of the links to each version's terms in full, in the versions table
    of the agreement page (an agreement with a single version has its history there: its history
    page redirects to it), relative to that page."""
    text = (site / "agreements" / agreement_id / "index.html").read_text(encoding="utf-8")
    table = text[text.index('<div class="sla-table sla-table--wide sla-versions"') :]
    table = table[: table.index("</table>")]
    return {label: href for href, label in re.findall(r'<tr class="sla-version--[^"]*"><td><a href="([^"]+)">([^<]+)</a>', table)}


def test_a_version_inheriting_with_nothing_negotiated_reads_its_terms_on_the_standards_version_page(site):
    record = load(REPO_ROOT / "agreements").get("contoso-storage")
    version = record.versions[-1]
    assert version.inherited is not None and version.inherited.negotiated == ()
    assert len(record.versions) == 1  # its history is the agreement page's: its history page redirects there
    links = version_links(site, "contoso-storage")
    target = f"../services/{version.inherited.service}/standard/{version.inherited.standard_version}/"
    assert links[version.label] == target
    assert (site / "agreements" / "contoso-storage" / target / "index.html").resolve().is_file()
    # Its own address keeps answering: a redirect to the agreement page, which holds its history
    # (the versions table, linking the standard), not a second copy of the terms.
    stub = (site / "agreements" / "contoso-storage" / "versions" / version.label / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../../"' in stub
    assert "<article" not in stub and len(stub) < 1000
    history = (site / "agreements" / "contoso-storage" / "history" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../#versions"' in history
    assert "<article" not in history and len(history) < 1000


def test_a_version_with_negotiated_differences_keeps_its_page_of_effective_terms(site):
    record = load(REPO_ROOT / "agreements").get("fabrikam-compute")
    version = record.versions[-1]
    assert version.inherited.negotiated
    # Its only version: the agreement page is that page (its version's address redirects there).
    assert len(record.versions) == 1
    assert version_links(site, "fabrikam-compute")[version.label] == "./"
    stub = (site / "agreements" / "fabrikam-compute" / "versions" / version.label / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../../"' in stub
    text = words(page(site, "agreements/fabrikam-compute"))
    assert "15%" in text and version.terms.customer in text  # its negotiated first tier, its parties


def test_the_navigation_lists_the_services_index_and_each_service_page_links_its_own_pages(site):
    """Material renders the whole navigation into every page: a section per service (its terms,
    versions, finance view) cost each of the internal site's thousands of pages some 4 KB. Its
    navigation names the services index, which lists every service; each service's page links
    its versions and, on the internal site, its finance view."""
    full = (site / "agreements" / "index.html").read_text(encoding="utf-8")
    nav = full[full.index('<nav class="md-nav md-nav--primary"') : full.index('<div class="md-content"')]
    assert 'href="services/"' in nav
    assert "services/acme-compute/" not in nav
    index = (site / "agreements" / "services" / "index.html").read_text(encoding="utf-8")
    assert 'href="acme-compute/"' in index[index.index("<article") : index.index("</article>")]
    service = (site / "agreements" / "services" / "acme-compute" / "index.html").read_text(encoding="utf-8")
    article = service[service.index("<article") : service.index("</article>")]
    assert 'href="agreements/">Agreements and credits</a>' in article  # the internal site's finance view
    assert 'href="standard/1.0/"' in article and 'href="standard/2.0/"' in article


def test_the_public_navigation_lists_each_service_and_no_finance_view(tmp_path):
    """The public site's pages are the services': its navigation lists each one."""
    result = build_site(REPO_ROOT / "mkdocs.yml", tmp_path, env={**EPOCH, "SLA_AUDIENCE": "public"})
    assert result.returncode == 0, result.stdout + result.stderr
    service = (tmp_path / "agreements" / "services" / "acme-compute" / "index.html").read_text(encoding="utf-8")
    nav = service[service.index('<nav class="md-nav md-nav--primary"') : service.index('<div class="md-content"')]
    assert 'href="../"' in nav and 'href="../acme-storage/"' in nav  # the index, the other service
    assert "Agreements and credits" not in service
