"""What a customer gets from the built site, read from the HTML and SVG (no browser): the charts
carry the engine's figures, the badge says how the last period went, and setting `site_url`
and `repo_url` is the whole rebranding.

Expected figures come from the core (load, evaluate, display, measures), never from copies
of the example data, so the tests hold as the examples change.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree, html

from helpers import BUILD_DAY, BUILD_EPOCH, REPO_ROOT, build_site, copy_project, results_page, tool_env, venv_script
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.measures import error_budget
from mkdocs_sla.present import display
from mkdocs_sla.site.paths import glossary_anchor, legacy_definition_anchor
from mkdocs_sla.source.load import load

EPOCH = BUILD_EPOCH


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("customer-site") / "site"
    result = build_site(REPO_ROOT / "mkdocs.yml", folder, env=EPOCH)
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    return folder


@pytest.fixture(scope="module")
def catalog():
    catalog = load(REPO_ROOT / "agreements")
    assert not catalog.errors
    return catalog


def page(site: Path, path: str):
    return html.fromstring((site / path / "index.html").read_text(encoding="utf-8"))


def tiered_misses(catalog):
    """(record, outcome, metric outcome) of every missed metric that fell in a credit tier."""
    for record in catalog.agreements:
        for outcome in evaluate(record).periods:
            for m in outcome.missed:
                if m.tier is not None and outcome.terms.metric(m.metric.id) is not None:
                    yield record, outcome, m


def charted_metric(record, evaluation, outcome, metric_id):
    """The metric whose chart shows `outcome`, on the page that shows the period: the terms in
    force on the agreement's page, the year's last period's terms on an earlier year's page.
    None where no chart draws the period: the metric is not in those terms, or the period was
    measured under another objective or other tiers (the caption says so)."""
    where = results_page(evaluation, outcome.period.label)
    if where == f"{record.id}/":
        terms = record.in_force(BUILD_DAY).terms
    else:
        year = [o for o in evaluation.periods if results_page(evaluation, o.period.label) == where]
        terms = year[-1].terms
    chart = terms.metric(metric_id)
    measured = outcome.terms.metric(metric_id)
    if chart is None or measured is None or (chart.objective, chart.credits) != (measured.objective, measured.credits):
        return None
    return chart


def test_a_missed_period_is_drawn_inside_the_band_of_its_credit_tier(built, catalog):
    """For every missed period in a tier: the chart's point has the exact attainment, is marked
    missed, and its height lies inside the band of that tier, whose bounds are the tier's."""
    checked = 0
    for record, outcome, m in tiered_misses(catalog):
        evaluation = evaluate(record)
        if charted_metric(record, evaluation, outcome, m.metric.id) is None:
            continue
        doc = page(built, f"agreements/{results_page(evaluation, outcome.period.label)}")
        (svg,) = doc.xpath(f'//svg[.//title[@id="sla-chart-attainment-{m.metric.id}-t"]]')
        (point,) = svg.xpath(f'.//g[@class="sla-chart__point"][@data-period="{outcome.period.label}"]')
        assert point.get("data-value") == display.decimal(m.attainment)
        assert point.get("data-met") == "false" and point.get("data-tier") == str(m.tier)
        assert point.xpath("./path"), "a miss is crossed, not told by colour alone"
        cy = float(point.xpath("./circle")[0].get("cy"))
        (band,) = svg.xpath(f'.//rect[contains(@class, "sla-chart__band")][@data-tier="{m.tier}"]')
        top, height = float(band.get("y")), float(band.get("height"))
        assert top - 0.01 <= cy <= top + height + 0.01, (record.id, outcome.period.label, cy, top, height)
        tier = m.metric.credits.tiers[m.tier - 1]
        assert band.get("data-low") == (display.exact(tier.span.low) if tier.span.low is not None else "")
        assert band.get("data-high") == (display.exact(tier.span.high) if tier.span.high is not None else "")
        # The same figures without the picture, for screen readers: the caption sends the reader to
        # the page's periods table, whose row for the period shows the attainment, the miss and the tier.
        (figure,) = svg.xpath("ancestor::figure[1]")
        assert figure.xpath('./figcaption/a[@href="#periods"]') and doc.xpath('//h2[@id="periods"]')
        # The chart draws only metrics of the page's terms, so the row's name links to the metric.
        (row,) = [
            tr
            for tr in doc.xpath(f'//tbody[@id="period-{outcome.period.label}"]/tr')
            if any(a.get("href", "").endswith(f"#metric-{m.metric.id}") for a in tr.xpath("./td[1]/a"))
        ]
        cells = [c.text_content() for c in row.xpath("./td")]
        shown = display.attainment(m.attainment, m.metric.unit, m.metric.better)
        assert cells[1].startswith(shown) and cells[2] == "missed" and cells[3].startswith(f"tier {m.tier}"), cells
        checked += 1
    assert checked, "the examples should hold a missed period in a credit tier"


def test_the_error_budget_chart_shows_what_the_objective_allows_and_what_was_used(built, catalog):
    checked = 0
    for record in catalog.agreements:
        evaluation = evaluate(record)
        for outcome in evaluation.periods:
            for m in outcome.metrics:
                if charted_metric(record, evaluation, outcome, m.metric.id) is None or m.measured is None:
                    continue
                budget = error_budget(m.metric, m.measured)
                if budget is None:
                    continue
                doc = page(built, f"agreements/{results_page(evaluation, outcome.period.label)}")
                (bar,) = doc.xpath(f'//svg[.//title[@id="sla-chart-budget-{m.metric.id}-t"]]//g[@data-period="{outcome.period.label}"]')
                assert (Fraction(bar.get("data-allowed")), Fraction(bar.get("data-used"))) == tuple(
                    Fraction(display.decimal(v)) for v in budget
                )
                # Over the budget exactly when the objective was missed (at the objective: met, unless strict).
                if not m.metric.objective_strict:
                    assert ("over" in bar.get("class")) == (m.met is False), (record.id, outcome.period.label)
                checked += 1
    assert checked, "the examples should hold a downtime or events metric"


def test_an_objective_of_100_percent_allows_no_budget_and_the_chart_says_so():
    """Any downtime against an objective of 100% is over a budget of nothing: the chart and its
    table say so, never a made-up share (it read 200%), and the bar is drawn cut at the top."""
    from mkdocs_sla.present.charts import Spend, budget_chart

    figure = budget_chart(
        "x",
        "Uptime",
        [Spend("2026-01", Fraction(0), Fraction(3), "minutes"), Spend("2026-02", Fraction(0), Fraction(0), "minutes")],
    )
    doc = html.fromstring(figure)
    assert "200%" not in figure and "400%" not in figure
    assert [t.text_content() for t in doc.xpath("//g[@data-period]/title")] == [
        "2026-01: 3 of 0 minutes (over: none allowed)",
        "2026-02: 0 of 0 minutes (0%)",
    ]
    assert [row.xpath("./td")[-1].text_content() for row in doc.xpath("//tbody/tr")] == ["over: none allowed", "0%"]
    assert "sla-chart__bar--over" in doc.xpath('//g[@data-period="2026-01"]')[0].get("class")
    assert doc.xpath("//text()[.='↑']"), "the bar over the plot is marked cut"
    # The plot's height comes from the other bars: the budget line sits where it would without it.
    alone = html.fromstring(budget_chart("x", "Uptime", [Spend("2026-02", Fraction(0), Fraction(0), "minutes")]))
    line = '//line[@class="sla-chart__objective"]/@y1'
    assert doc.xpath(line) == alone.xpath(line)


def test_the_credits_chart_has_a_bar_per_period_with_its_credit(built, catalog):
    record = next(r for r in catalog.agreements if any(o.credit.percent for o in evaluate(r).periods))
    evaluation = evaluate(record)
    expected = [(o.period.label, display.decimal(o.credit.percent)) for o in evaluation.periods]
    # Each page charts the periods it shows: the agreement's page the latest, each year's page its own.
    # A page whose periods earned no credit has no such chart.
    for where in {results_page(evaluation, label) for label, _ in expected}:
        doc = page(built, f"agreements/{where}")
        bars = doc.xpath('//svg[.//title[@id="sla-chart-credits-periods-t"]]//g[@data-period]')
        shown = [(label, percent) for label, percent in expected if results_page(evaluation, label) == where]
        if all(Fraction(percent) == 0 for _label, percent in shown):
            shown = []
        assert [(b.get("data-period"), b.get("data-percent")) for b in bars] == shown, where


def test_the_badge_names_the_last_period_and_whether_it_met_its_objectives(built, catalog):
    for record in catalog.agreements:
        last = evaluate(record).last
        if last is None:
            continue
        svg = etree.parse(str(built / "agreements" / record.id / "badge.svg")).getroot()
        words = svg.get("aria-label")
        assert words.startswith(f"SLA {last.period.label}: "), words
        assert ("missed" in words) == bool(last.missed) or len(last.metrics) > 1, words
        first = next(m for m in last.metrics if m.reported)
        assert display.attainment(first.attainment, first.metric.unit, first.metric.better) in words
        # The page shows it from the site itself, and gives the snippet with the site's address.
        doc = page(built, f"agreements/{record.id}")
        assert doc.xpath('//div[@class="sla-badge"]//img[@src="badge.svg"]')
        snippet = doc.xpath('//div[@class="sla-badge"]//code')[0].text_content()
        assert f"https://example.github.io/mkdocs-sla/agreements/{record.id}/badge.svg" in snippet


def test_without_javascript_the_agreement_page_says_how_the_credit_is_computed(built, catalog):
    for record in catalog.agreements:
        if record.in_force(BUILD_DAY).terms.credit_terms is None or not evaluate(record).periods:
            continue
        doc = page(built, f"agreements/{record.id}")
        (calculator,) = doc.xpath('//div[@class="sla-calculator"]')
        assert calculator.xpath(".//form[@hidden]"), "the form shows only once the script runs"
        words = calculator.xpath('.//p[@class="sla-calculator__formula"]')[0].text_content()
        assert "percentage of the period's fee" in words, words


# ---------------------------------------------------------------- one URL to change


def test_setting_site_url_and_repo_url_is_the_whole_rebranding(tmp_path):
    """A copy of the repository with only `site_url` and `repo_url` changed builds a site in which
    nothing names the example's addresses: not the schemas, the badges' snippets or the header;
    `sla new` and `sla schema` in the copy use the new address too."""
    copy = tmp_path / "repo"
    copy.mkdir()
    copy_project(copy)
    config = (copy / "mkdocs.yml").read_text(encoding="utf-8")
    config, sites = re.subn(r"(?m)^site_url: .*$", "site_url: https://sla.acme.test/agreements-site/", config)
    config, repos = re.subn(r"(?m)^repo_url: .*$", "repo_url: https://git.acme.test/legal/agreements", config)
    assert (sites, repos) == (1, 1)
    (copy / "mkdocs.yml").write_text(config, encoding="utf-8")

    result = build_site(copy / "mkdocs.yml", tmp_path / "site", env=EPOCH)
    assert result.returncode == 0, result.stderr
    leftovers = []
    for file in sorted((tmp_path / "site").rglob("*")):
        if file.is_file() and file.suffix in (".html", ".json", ".xml", ".svg", ".js", ".css", ".txt"):
            text = file.read_text(encoding="utf-8", errors="replace")
            for old in ("example.github.io", "github.com/example"):
                if old in text:
                    leftovers.append(f"{file.relative_to(tmp_path / 'site')}: {old}")
    assert not leftovers, "\n".join(leftovers[:20])
    schema = (tmp_path / "site" / "schema" / "agreement.schema.json").read_text(encoding="utf-8")
    assert '"$id": "https://sla.acme.test/agreements-site/latest/schema/agreement.schema.json"' in schema

    import subprocess

    done = subprocess.run(
        [*venv_script("sla"), "new", "edge-cache", "--path", "agreements"], cwd=copy, env=tool_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    first = (copy / "agreements" / "edge-cache" / "agreement.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://sla.acme.test/agreements-site/latest/schema/agreement.schema.json"
    printed = subprocess.run([*venv_script("sla"), "schema"], cwd=copy, env=tool_env(), capture_output=True, text=True)
    assert '"$id": "https://sla.acme.test/agreements-site/latest/schema/agreement.schema.json"' in printed.stdout


# ---------------------------------------------------------------- stable glossary addresses


def test_a_glossary_entry_is_named_by_the_metric_id_and_its_old_address_still_answers(built, catalog):
    """The entry's address comes from the metric (its `glossary` id, else its id), so rewording
    the definition keeps it; the address made from the definition's words before still answers,
    with a link to the new one, and the glossary keeps the old #anchor."""
    glossary = page(built, "agreements/metrics")
    checked = 0
    for record in catalog.agreements:
        for metric in record.in_force(BUILD_DAY).terms.metrics:
            anchor = glossary_anchor(metric)
            assert anchor == (metric.glossary or metric.id)
            assert (built / "agreements" / "metrics" / anchor / "index.html").is_file()
            old = legacy_definition_anchor(metric.definition)
            moved = page(built, f"agreements/metrics/{old}")
            assert moved.xpath(f'//article//a[@href="../{anchor}/"]'), f"{old} should link to {anchor}"
            assert glossary.xpath(f'//*[@id="{old}"]'), f"the glossary lost the anchor #{old}"
            reworded = metric.model_copy(update={"definition": metric.definition + " Reworded."})
            assert glossary_anchor(reworded) == anchor
            checked += 1
    assert checked
