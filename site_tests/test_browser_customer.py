"""The site as a customer uses it, in Chromium: every page type on a phone (390 px), with
axe-core in the light and the dark scheme, with no request to another host, and the credit
calculator against `sla credits --format json`.

The site is built once per session (per xdist worker) and served as the publish workflow
lays it out (mike's `<site_url path>/dev/` beside `versions.json`). Expected figures come
from the engine, never from copies of the example data.
"""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from mike.versions import Versions

from helpers import BUILD_EPOCH, REPO_ROOT, build_site, serve_directory, tool_env, venv_script
from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.evaluate import credit_pairs, evaluate
from mkdocs_sla.present import display
from mkdocs_sla.site.paths import version_slug
from mkdocs_sla.source.load import load

EPOCH = BUILD_EPOCH
CONFIG = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
PREFIX = urlsplit(CONFIG["site_url"]).path.rstrip("/") + "/"
PHONE = {"width": 390, "height": 844}
#: The narrowest a table cell with text may be on a phone.
MIN_CELL = 40


@pytest.fixture(scope="session")
def customer_site(tmp_path_factory) -> tuple[Path, str]:
    """(the built folder, its URL), laid out as mike publishes it."""
    root = tmp_path_factory.mktemp("customer-browser")
    published = root / PREFIX.strip("/")
    folder = published / "dev"
    result = build_site(REPO_ROOT / "mkdocs.yml", folder, env=EPOCH)
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"
    versions = Versions()
    versions.add("dev")
    (published / "versions.json").write_text(versions.dumps(), encoding="utf-8")
    # The root 404.html, as the publish workflow puts it there (its step is run by
    # test_publish.py): this build's links are absolute from site_url, pointed into dev/.
    text = (folder / "404.html").read_text(encoding="utf-8")
    (published / "404.html").write_text(text.replace(f'"{PREFIX}', f'"{PREFIX}dev/'), encoding="utf-8")
    with serve_directory(root) as base:
        yield folder, base.rstrip("/") + PREFIX + "dev/"


def _first(folder: Path, under: str) -> str:
    found = sorted(p.parent for p in (folder / under).glob("*/index.html"))
    return found[0].relative_to(folder).as_posix() + "/"


def page_types(folder: Path) -> dict[str, str]:
    """A page of every type, relative to the site's root."""
    catalog = load(REPO_ROOT / "agreements")
    record = max(catalog.agreements, key=lambda r: (len(r.versions), len(r.results)))
    return {
        "home": "",
        "catalog": "agreements/",
        "agreement": f"agreements/{record.id}/",
        "history": f"agreements/{record.id}/history/",
        "earlier periods": _first(folder, f"agreements/{record.id}/periods"),
        "version": f"agreements/{record.id}/versions/{version_slug(record.versions[0].label)}/",
        "glossary": "agreements/metrics/",
        "definition": "agreements/metrics/" + sorted(p.name for p in (folder / "agreements/metrics").iterdir() if p.is_dir())[0] + "/",
        "credits index": "agreements/credits/",
        "credits period": _first(folder, "agreements/credits"),
        "format reference": "reference/format/",
        "worked examples": "reference/credits/",
        # The pages of other shapes: a customer's statement, ticket tables, a service.
        "statement": sorted(p.parent for p in (folder / "agreements/statements").glob("*/*/index.html"))[0].relative_to(folder).as_posix()
        + "/",
        "tickets": "agreements/support-desk/",
        "service": _first(folder, "agreements/services"),
        "404": "404.html",
    }


KINDS = [
    "home",
    "catalog",
    "agreement",
    "history",
    "earlier periods",
    "version",
    "glossary",
    "definition",
    "credits index",
    "credits period",
    "format reference",
    "worked examples",
    "statement",
    "tickets",
    "service",
    "404",
]

SETTLED_JS = """() => {
  const meta = document.querySelector('.md-search-result__meta');
  return meta && !/Initializing/i.test(meta.textContent);
}"""


def open_page(page, customer_site, kind: str):
    folder, url = customer_site
    # 404: the one at the site's root, the only one GitHub Pages shows.
    address = url.removesuffix("dev/") + "404.html" if kind == "404" else url + page_types(folder)[kind]
    response = page.goto(address, wait_until="load")
    assert response is not None and (response.ok or kind == "404"), f"{kind}: HTTP {response.status if response else '?'}"
    page.wait_for_function(SETTLED_JS, timeout=10_000)


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_asks_another_host_for_anything(page, customer_site, kind):
    """No font, script, image or API call leaves the site (the `page` fixture aborts and lists them)."""
    open_page(page, customer_site, kind)
    page.wait_for_timeout(300)
    assert page.external_requests == []
    assert page.console_errors == []


# ---------------------------------------------------------------- phone layout

AXE = Axe()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in AXE.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


LAYOUT_JS = """(minCell) => {
  const root = document.scrollingElement;
  const problems = [];
  // A chart's labels stay legible: the chart scrolls rather than shrinking them (sla.css).
  for (const svg of document.querySelectorAll('article svg.sla-chart__svg')) {
    const px = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width * 12;
    if (px < 10) problems.push(`chart labels ${px.toFixed(1)} px high: ${svg.querySelector('title').textContent}`);
  }
  for (const box of document.querySelectorAll('article .sla-chart__frame, article .md-typeset__scrollwrap')) {
    if (box.closest('.sla-table') || box.scrollWidth <= box.clientWidth + 1) continue;
    if (box.tabIndex < 0) problems.push(`a box that scrolls sideways and the keyboard cannot reach: ${box.className}`);
  }
  if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  for (const cell of document.querySelectorAll('article td, article th')) {
    const text = cell.innerText.trim();
    if (!text || cell.closest('details:not([open])')) continue;
    const width = cell.getBoundingClientRect().width;
    if (width < minCell) problems.push(`a cell ${Math.round(width)} px wide: ${JSON.stringify(text.slice(0, 30))}`);
    // A column narrower than its longest word would overflow its cell.
    if (cell.scrollWidth > cell.clientWidth + 1) problems.push(`a word wider than its cell: ${JSON.stringify(text.slice(0, 30))}`);
  }
  for (const box of document.querySelectorAll('article .sla-table')) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const style = getComputedStyle(box);
      if (!['auto', 'scroll'].includes(style.overflowX)) problems.push(`a wide table that does not scroll: ${box.className}`);
      if (box.tabIndex < 0) problems.push(`a scrolling table that the keyboard cannot reach: ${box.className}`);
    }
  }
  return problems;
}"""


OPEN_ALL_JS = "() => document.querySelectorAll('article details').forEach(d => { d.open = true; })"


@pytest.mark.parametrize("kind", KINDS)
def test_on_a_phone_no_column_is_squashed_and_the_page_never_scrolls_sideways(page, customer_site, kind):
    """With every evidence and figures table opened: the page never scrolls sideways, a box that
    does can be reached from the keyboard (axe's scrollable-region-focusable too), charts stay legible."""
    page.set_viewport_size(PHONE)
    open_page(page, customer_site, kind)
    page.evaluate(OPEN_ALL_JS)
    page.wait_for_timeout(250)  # sla.js looks again after a resize; opening details is none
    page.evaluate("() => window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(250)
    assert page.evaluate(LAYOUT_JS, MIN_CELL) == []
    found = serious_violations(page)
    assert found == [], "\n".join(found)
    assert page.console_errors == []


# ---------------------------------------------------------------- accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_or_critical_violation(page, customer_site, kind, scheme):
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    open_page(page, customer_site, kind)
    assert page.locator("body").get_attribute("data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    page.wait_for_timeout(200)
    found = serious_violations(page)
    assert found == [], "\n".join(found)


# ---------------------------------------------------------------- the credit calculator


@pytest.fixture(scope="session")
def engine_credits() -> dict[str, dict[str, dict]]:
    """`sla credits --format json` of the examples: {agreement: {period: document}}."""
    done = subprocess.run(
        [*venv_script("sla"), "credits", "agreements", "--format", "json"], cwd=REPO_ROOT, env=tool_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return {a["id"]: {p["period"]: p for p in a["periods"]} for a in json.loads(done.stdout)["agreements"]}


def calculator_readout(page) -> dict[str, str]:
    return dict(
        page.locator(".sla-calculator output [data-sla-calc]").evaluate_all(
            "nodes => nodes.map(n => [n.getAttribute('data-sla-calc'), n.textContent])"
        )
    )


def test_the_calculator_gives_the_engines_credit_for_every_example_period(page, customer_site, engine_credits):
    """Each period with its reported charges as the fee: the engine's amount (`sla credits`),
    its minimum and its claim deadline; and with typed fees (a small one under the minimums),
    against the engine's own rule for that fee (core.credits.period_credit)."""
    _folder, url = customer_site
    catalog = load(REPO_ROOT / "agreements")
    checked = typed = 0
    for record in catalog.agreements:
        evaluation = evaluate(record)
        periods = [o for o in reversed(evaluation.periods) if o.terms.credit_terms is not None]
        if not periods:
            continue
        page.goto(url + f"agreements/{record.id}/", wait_until="load")
        select = page.locator("#sla-calc-period")
        select.wait_for(state="visible")
        fee = page.locator("#sla-calc-fee")
        for index, outcome in enumerate(periods):
            select.select_option(str(index))
            document = engine_credits[record.id][outcome.period.label]
            terms = outcome.terms.credit_terms
            credited = credit_pairs(outcome.metrics)
            cases = []
            if document["charges"] is not None:
                # The period's own charges, as the page starts: the engine's figures, from `sla credits`.
                assert fee.input_value() == document["charges"]
                shown_amount = display.credit_amount(outcome.credit.amount, terms.currency, withheld=outcome.credit.below_minimum)
                assert shown_amount == document["credit"]["amount_display"]
                cases.append((None, outcome.credit.amount, document["credit"]["below_minimum"]))
            # Any fee the customer types: the engine's own rule for that fee.
            # 6.66: at 15% 0.999, under a minimum of 1.00, which half up would read as reached.
            for typed_fee in ("1234.56", "7.5", "6.66"):
                credit = rules.period_credit(terms, credited, Decimal(typed_fee))
                cases.append((typed_fee, credit.amount, credit.below_minimum))
            for typed_fee, amount, below in cases:
                if typed_fee is not None:
                    fee.fill(typed_fee)
                    typed += 1
                shown = calculator_readout(page)
                where = f"{record.id} {outcome.period.label} fee {typed_fee or document['charges']}: {shown}"
                assert shown["percent"].startswith(display.percent(outcome.credit.percent) + " of the fee"), where
                assert shown["amount"].startswith(display.credit_amount(amount, terms.currency, withheld=below)), where
                assert ("not issued" in shown["amount"]) == below, where
                deadline = rules.claim_deadline(terms, outcome.period)
                if amount and not below and deadline is not None:
                    assert shown.get("claim-by") == deadline.isoformat(), where
                    assert document["claim_deadline"] in (None, deadline.isoformat()), where
                else:
                    assert "claim-by" not in shown, where
                checked += 1
    assert checked > 10 and typed > 10, (checked, typed)
    assert page.console_errors == []


def test_the_calculator_reads_a_fee_with_separators_and_says_when_it_is_not_a_number(page, customer_site):
    _folder, url = customer_site
    catalog = load(REPO_ROOT / "agreements")
    record, outcome = next(
        (r, o) for r in catalog.agreements for o in reversed(evaluate(r).periods) if o.credit.percent > 0 and o.terms.credit_terms
    )
    page.goto(url + f"agreements/{record.id}/", wait_until="load")
    periods = [o for o in reversed(evaluate(record).periods) if o.terms.credit_terms is not None]
    page.locator("#sla-calc-period").select_option(str(periods.index(outcome)))
    page.locator("#sla-calc-fee").fill("1,000,000.10")
    credited = credit_pairs(outcome.metrics)
    expected = rules.period_credit(outcome.terms.credit_terms, credited, Decimal("1000000.10"))
    assert calculator_readout(page)["amount"].startswith(display.money(expected.amount, outcome.terms.credit_terms.currency))
    page.locator("#sla-calc-fee").fill("ten euros")
    assert "error" in calculator_readout(page)
    assert page.console_errors == []


GRAPHICS_JS = """() => {
  // The painted colour of a CSS colour, and WCAG's contrast ratio of two.
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgb = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1); return [...ctx.getImageData(0, 0, 1, 1).data].slice(0, 3); };
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  const out = {};
  for (const [name, selector, property] of [
    ['credit bar', '.sla-chart__bar--credit rect', 'fill'],
    ['withheld bar', '.sla-chart__bar--withheld rect', 'fill'],
    ['axis', '.sla-chart__axis', 'stroke'],
  ]) {
    const el = document.querySelector(selector);
    if (el) out[name] = ratio(rgb(getComputedStyle(el)[property]), page);
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_charts_lines_and_bars_and_the_calculators_focus_can_be_seen(page, customer_site, scheme):
    """WCAG 1.4.11: the bars and axes that carry a chart's meaning keep 3:1 against the page in
    both schemes (axe does not look inside an SVG with role img); WCAG 2.4.7: the fee field
    shows the keyboard's focus."""
    _folder, url = customer_site
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    catalog = load(REPO_ROOT / "agreements")
    credited = next(r for r in catalog.agreements if any(o.credit.percent and o.credit.percent < 100 for o in evaluate(r).periods[-12:]))
    page.goto(url + f"agreements/{credited.id}/", wait_until="load")
    ratios = page.evaluate(GRAPHICS_JS)
    assert {"credit bar", "axis"} <= set(ratios), ratios
    assert all(value >= 3 for value in ratios.values()), (scheme, ratios)
    page.locator("#sla-calc-period").focus()
    page.keyboard.press("Tab")
    fee = page.locator("#sla-calc-fee")
    assert fee.evaluate("el => el === document.activeElement")
    style = fee.evaluate("el => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert style[0] != "none" and style[1] >= 2, style
