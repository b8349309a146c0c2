"""Beyond MkDocs 1.x: `sla render` builds under Zensical without the plugin; ProperDocs finds the plugin.

Zensical (Material's successor) reads `mkdocs.yml` but runs no MkDocs plugin, so
the site is `sla render OUT_DIR --config mkdocs.yml` (a complete docs tree and a
config naming it) built by `zensical build`. The pages are then read in Chromium
as the MkDocs browser tests read them (site_tests/test_browser_site.py): the
agreement page, the glossary and the credits by period. Expected texts come from
the core, not from copies of the example data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import etree

from helpers import BUILD_DAY, BUILD_EPOCH, REPO_ROOT, missed_period_with_credit, serve_directory, tool_env, venv_script
from mkdocs_sla.present import display
from mkdocs_sla.present.words import bounds_in_words, number
from mkdocs_sla.site.tree import FORMAT_PAGE, SCHEMAS, STYLESHEET_URI
from mkdocs_sla.source.load import load

TODAY = BUILD_DAY
EPOCH = BUILD_EPOCH


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=tool_env(EPOCH), capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def catalog():
    catalog = load(REPO_ROOT / "agreements")
    assert not catalog.errors, [str(d) for d in catalog.errors]
    return catalog


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """The examples through `sla render docs --config mkdocs.yml` (no MkDocs involved)."""
    project = tmp_path_factory.mktemp("render")
    run(
        [
            *venv_script("sla"),
            "render",
            "docs",
            "--path",
            str(REPO_ROOT / "agreements"),
            "--config",
            "mkdocs.yml",
            "--nav",
            "nav.yml",
            "--zensical",
        ],
        cwd=project,
    )
    return project


@pytest.fixture(scope="module")
def zensical_site(rendered) -> str:
    """The rendered tree built by `zensical build --strict`, served on loopback until the module ends."""
    result = run([*venv_script("zensical"), "build", "--strict", "-f", "mkdocs.yml"], cwd=rendered)
    assert "Build finished" in result.stdout + result.stderr
    with serve_directory(rendered / "site") as url:
        yield url


# ---------------------------------------------------------------- the tree is complete


def test_sla_render_writes_every_file_the_plugin_adds(rendered, catalog):
    docs = rendered / "docs"
    expected = {"index.md", STYLESHEET_URI, FORMAT_PAGE, *SCHEMAS.values(), "feed.xml"}
    expected |= {"agreements/index.md", "agreements/metrics/index.md", "agreements/credits/index.md"}
    for record in catalog.agreements:
        expected |= {f"agreements/{record.id}.md", f"agreements/{record.id}/credits.json"}
        # An agreement's only version has its history on the agreement page: its history address is a redirect.
        expected.add(f"agreements/{record.id}/history.md" if len(record.versions) > 1 else f"agreements/{record.id}/history/index.html")
    missing = sorted(path for path in expected if not (docs / path).is_file())
    assert not missing, f"sla render left out: {missing}"
    for name in SCHEMAS.values():
        assert json.loads((docs / name).read_text())["$schema"].startswith("https://json-schema.org/")
    assert "# File format reference" in (docs / FORMAT_PAGE).read_text()
    assert etree.fromstring((docs / "feed.xml").read_bytes()).tag == "{http://www.w3.org/2005/Atom}feed"
    assert any(docs.glob("agreements/*/*.svg")), "no charts in the tree"


def test_sla_render_config_names_every_generated_page_in_its_navigation(rendered):
    config = yaml.safe_load((rendered / "mkdocs.yml").read_text())
    named: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, str):
                named.append(item)
            else:
                for value in item.values():
                    walk(value) if isinstance(value, list) else named.append(value)

    walk(config["nav"])
    docs = rendered / config["docs_dir"]
    pages = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")}
    in_nav = {"index.md", FORMAT_PAGE, "agreements/index.md", "agreements/metrics/index.md", "agreements/credits/index.md"}
    in_nav |= {p for p in pages if p.count("/") == 1 and p.startswith("agreements/")}  # agreement pages
    assert in_nav <= set(named), sorted(in_nav - set(named))
    assert all((docs / path).is_file() for path in named), [p for p in named if not (docs / p).is_file()]
    assert STYLESHEET_URI in config["extra_css"]
    # the fragment for an existing mkdocs.yml holds the same generated sections
    fragment = yaml.safe_load((rendered / "nav.yml").read_text())
    assert fragment == config["nav"][1:-1]


# ---------------------------------------------------------------- Zensical in a browser


def goto(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else '?'}"


def test_zensical_agreement_page_shows_its_tiers_in_words_and_a_missed_period_with_its_credit(page, zensical_site, catalog):
    record, outcome = missed_period_with_credit(catalog)
    goto(page, f"{zensical_site}agreements/{record.id}/")
    rows = page.locator(".sla-tiers tbody tr")
    shown = {tuple(cell.strip() for cell in rows.nth(i).inner_text().split("\t")) for i in range(rows.count())}
    expected_rows = {
        (str(index), bounds_in_words(tier, metric.unit), number(tier.credit, "%"))
        for metric in record.in_force(TODAY).terms.metrics
        if metric.credits is not None and metric.credits.model == "tiers"
        for index, tier in enumerate(metric.credits.tiers, 1)
    }
    assert expected_rows and expected_rows <= shown, f"missing tier rows: {sorted(expected_rows - shown)}"
    period = page.locator(f"tbody#period-{outcome.period.label}")
    head = period.locator("tr").first.inner_text()
    assert "missed" in head.split() and display.percent(outcome.credit.percent) in head, head
    for metric in outcome.missed:
        row = period.locator("tr", has_text=metric.metric.name).first.inner_text()
        assert "missed" in row.split("\t")[2], row
        assert display.attainment(metric.attainment, metric.metric.unit, metric.metric.better) in row, row
    # the plugin's stylesheet is applied: a missed mark is coloured, not plain text
    colour = page.locator(".sla-mark--missed").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
    # the feed is linked from the head, as under MkDocs
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').count() == 1
    assert page.console_errors == []


def test_zensical_glossary_lists_every_metric_and_links_back_to_the_agreements(page, zensical_site, catalog):
    goto(page, f"{zensical_site}agreements/metrics/")
    text = page.locator("article").inner_text()
    metrics = {m.name for r in catalog.agreements for m in r.in_force(TODAY).terms.metrics}
    assert all(name in text for name in metrics), sorted(n for n in metrics if n not in text)
    record = catalog.agreements[0]
    metric = record.in_force(TODAY).terms.metrics[0]
    goto(page, f"{zensical_site}agreements/{record.id}/")
    page.locator(f"#metric-{metric.id} ~ * a.sla-glossary-link").first.click()
    page.wait_for_load_state("load")
    assert "/agreements/metrics/" in page.url
    back = page.locator(f'article a[href*="{record.id}/#metric-{metric.id}"]')
    assert back.count() >= 1, page.url
    assert page.console_errors == []


def test_zensical_credits_by_period_lists_the_credit_of_a_missed_period(page, zensical_site, catalog):
    record, outcome = missed_period_with_credit(catalog)
    goto(page, f"{zensical_site}agreements/credits/")
    page.locator(f'article a[href*="{outcome.period.label}/"]').first.click()
    page.wait_for_load_state("load")
    row = page.locator("article tr", has=page.locator(f'a[href*="{record.id}/#period-{outcome.period.label}"]')).first
    assert display.percent(outcome.credit.percent) in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/agreements/{record.id}/#period-{outcome.period.label}"), page.url
    assert page.console_errors == []


# ---------------------------------------------------------------- ProperDocs


def test_properdocs_finds_the_plugin_under_its_own_entry_point_group():
    from importlib.metadata import entry_points

    from properdocs.plugins import get_plugins

    assert [ep.value for ep in entry_points(group="properdocs.plugins", name="sla")] == ["mkdocs_sla.plugin:SlaPlugin"]
    assert get_plugins()["sla"].group == "properdocs.plugins"


def test_zensical_site_has_no_broken_internal_link(zensical_site, rendered):
    """Every relative href and src of the generated pages leads to a file (and anchor) Zensical wrote."""
    site = rendered / "site"
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
        return ids[path]

    broken = []
    for page in sorted((site / "agreements").rglob("*.html")):
        for href in re.findall(r'<(?:a|img)\b[^>]*?\b(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            parts = urlsplit(unescape(href))
            if parts.scheme or parts.netloc or not (parts.path or parts.fragment):
                continue
            target = Path(os.path.normpath(page.parent / unquote(parts.path))) if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href} (no file)")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in anchors(target):
                broken.append(f"{page.relative_to(site)}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:50])
