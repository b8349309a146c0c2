"""The published site, built for real: `mkdocs build --strict` (and ProperDocs) on this
repository's mkdocs.yml, with assertions on the HTML a reader gets.

Expected figures come from the core (load + evaluate + display), not from
copies of the example data, so the tests hold while the examples grow.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
import yaml

from helpers import BUILD_DAY, BUILD_EPOCH, REPO_ROOT, build_site, copy_project, hostile_terms, results_page, tool_env, venv_script
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.present import display
from mkdocs_sla.present.words import bounds_in_words
from mkdocs_sla.source.load import load

# A fixed build date (helpers.BUILD_DAY, after the last period of every example), so "in force" and "review overdue" do not move with the clock.
EPOCH = BUILD_EPOCH
TODAY = BUILD_DAY


# ---------------------------------------------------------------- helpers


class Links(HTMLParser):
    """The ids of a page and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    """The page's content, without the navigation."""
    return html[html.index("<article") : html.index("</article>")]


def section(html: str, element_id: str) -> str:
    """The HTML from the element with this id to the end of that element's block (good
    enough for the one-line blocks the renderer writes)."""
    start = html.index(f'id="{element_id}"')
    end = html.find("</tbody>", start)
    return html[start : end if end != -1 else None]


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))}


def assert_built(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr}"


# ---------------------------------------------------------------- the real site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """This repository's site, built once for the module: (site folder, docs listing before, after)."""
    site = tmp_path_factory.mktemp("site")
    docs = REPO_ROOT / "docs"
    before = listing(docs)
    result = build_site(REPO_ROOT / "mkdocs.yml", site, env=EPOCH)
    assert_built(result)
    return site, before, listing(docs)


@pytest.fixture(scope="module")
def catalog():
    catalog = load(REPO_ROOT / "agreements")
    assert not catalog.errors, [str(d) for d in catalog.errors]
    return catalog


def test_the_build_writes_nothing_into_docs(built):
    _site, before, after = built
    assert before == after


def test_an_agreement_page_shows_each_credit_tier_with_its_bounds_in_words(built, catalog):
    site = built[0]
    for record in catalog.agreements:
        html = read(site, f"agreements/{record.id}")
        terms = record.in_force(TODAY).terms
        for metric in terms.metrics:
            assert f'id="metric-{metric.id}"' in html
            if metric.credits is not None and metric.credits.model == "tiers":
                for tier in metric.credits.tiers:
                    words = bounds_in_words(tier, metric.unit)
                    assert f"<td>{words}</td>" in html, f"{record.id}/{metric.id}: tier {words!r} missing"


def test_a_missed_period_shows_its_mark_tier_and_credit(built, catalog):
    site = built[0]
    found = 0
    for record in catalog.agreements:
        evaluation = evaluate(record)
        for outcome in evaluation.periods:
            if not (outcome.missed and outcome.credit.percent > 0 and outcome.credit.amount is not None):
                continue
            found += 1
            html = read(site, f"agreements/{results_page(evaluation, outcome.period.label)}")
            block = section(html, f"period-{outcome.period.label}")
            assert 'class="sla-mark sla-mark--missed"' in block and "missed</span>" in block
            currency = outcome.terms.credit_terms.currency
            assert f"{display.percent(outcome.credit.percent)} · {display.money(outcome.credit.amount, currency)}" in block
            for metric in outcome.missed:
                if metric.tier is not None:
                    assert f"tier {metric.tier} · {display.percent(metric.credit_percent)}" in block
                # The display form, with the exact value on hover.
                assert display.attainment(metric.attainment, metric.metric.unit, metric.metric.better) in block
                assert f'title="{display.exactly(metric.attainment, metric.metric.unit)}"' in block
            if outcome.credit.below_minimum:
                assert "under the minimum amount: not issued" in block
    assert found, "the examples should hold at least one missed period with a credit"


def test_the_catalog_lists_every_agreement(built, catalog):
    html = read(built[0], "agreements")
    # `agreements/calendars/` holds the shared business calendars and `agreements/services/` the
    # services and their standard terms: neither is an agreement.
    folders = sorted(
        p.name
        for p in (REPO_ROOT / "agreements").iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in ("calendars", "services")
    )
    assert folders == sorted(r.id for r in catalog.agreements)
    for agreement_id in folders:
        assert f'href="{agreement_id}/"' in html, f"{agreement_id} is not in the catalog"
    assert f"{len(folders)} agreements" in html or len(folders) == 1


def test_the_glossary_and_the_agreements_link_both_ways(built, catalog):
    site = built[0]
    glossary = article(read(site, "agreements/metrics"))
    for record in catalog.agreements:
        html = read(site, f"agreements/{record.id}")
        for metric in record.in_force(TODAY).terms.metrics:
            # agreement -> the definition's glossary entry
            block = html[html.index(f'id="metric-{metric.id}"') :]
            link = re.search(r'<a class="sla-glossary-link" href="\.\./metrics/([^"/]+)/"', block)
            assert link, f"{record.id}/{metric.id} has no glossary link"
            anchor = link.group(1)
            # the glossary lists the entry once, with its definition
            assert glossary.count(f'href="{anchor}/"') == 1
            entry = read(site, f"agreements/metrics/{anchor}")
            assert " ".join(metric.definition.split())[:40].replace("'", "&#39;") in " ".join(entry.split()).replace("&#x27;", "&#39;")
            # entry -> this agreement's metric
            assert f'href="../../{record.id}/#metric-{metric.id}"' in entry


def test_edit_this_page_opens_the_agreement_file(built, catalog):
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text())
    repo_url = config["repo_url"].rstrip("/")
    for record in catalog.agreements:
        html = read(built[0], f"agreements/{record.id}")
        edits = [a.get("href") for tag, a in elements(html).tags if tag == "a" and "md-content__button" in (a.get("class") or "")]
        assert edits == [f"{repo_url}/edit/main/agreements/{record.id}/agreement.yaml"]


def test_the_navigation_groups_agreements_into_sections(built, catalog):
    html = read(built[0], "agreements")
    families = {r.in_force(TODAY).terms.service.family or "Other services" for r in catalog.agreements}
    nav = html[html.index('class="md-nav md-nav--primary"') : html.index('class="md-sidebar md-sidebar--secondary"')]
    for family in families:
        assert family in nav
    # navigation.prune: a collapsed section is one link (to its first page), not the list of its pages
    assert sum(f'href="{r.id}/"' in nav for r in catalog.agreements) <= len(families)


def test_credits_by_period_has_one_page_per_period(built, catalog):
    site = built[0]
    periods = {o.period.label for r in catalog.agreements for o in evaluate(r).periods}
    index = read(site, "agreements/credits")
    for label in periods:
        assert f'href="{label}/"' in index
        page = read(site, f"agreements/credits/{label}")
        for record in catalog.agreements:
            evaluation = evaluate(record)
            outcome = next((o for o in evaluation.periods if o.period.label == label), None)
            if outcome is not None and outcome.credit.percent > 0:
                assert f'href="../../{results_page(evaluation, label)}#period-{label}"' in page


def test_every_link_between_pages_leads_to_a_page_and_anchor(built):
    site = built[0]
    pages: dict[Path, Links] = {}

    def parsed(path: Path) -> Links:
        if path not in pages:
            pages[path] = Links()
            pages[path].feed(path.read_text(encoding="utf-8"))
        return pages[path]

    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # links from site_url, for any depth of a missing page
        for href in parsed(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = page if not parts.path else page.parent / unquote(parts.path)
            target = Path(os.path.normpath(target))
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href} (no page)")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parsed(target).ids:
                broken.append(f"{page.relative_to(site)}: {href} (no anchor)")
    assert not broken, "\n".join(broken)


def test_properdocs_builds_the_same_site(tmp_path):
    result = subprocess.run(
        [*venv_script("properdocs"), "build", "--strict", "-f", str(REPO_ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        env=tool_env(EPOCH),
        capture_output=True,
        text=True,
        check=False,
    )
    assert_built(result)
    html = read(tmp_path / "site", "agreements/acme-compute")
    assert "below 99.99% and at least 99.0%" in html
    assert "sla-mark--missed" in html


def test_search_finds_the_terms_but_not_the_figures_of_every_period(built, catalog):
    """The search index is one file every reader downloads: it holds the terms (titles,
    definitions, credit terms), not the charts, evidence, statements and credit tables, whose
    figures nobody searches for and which made it most of the index at 2,000 agreements (and
    cost a live preview the parsing of every statement again on each rebuild)."""
    index = json.loads((built[0] / "search" / "search_index.json").read_text())
    located = {doc["location"]: doc for doc in index["docs"]}
    texts = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"] if doc["location"].startswith("agreements/"))
    record = next(r for r in catalog.agreements if r.id == "acme-compute")
    terms = record.versions[-1].terms
    assert any(loc.startswith("agreements/acme-compute/") for loc in located)
    assert terms.metrics[0].name in texts  # a metric's section, with its definition
    assert "agreements/acme-compute/#evidence" in located  # the evidence section's heading and lead
    assert not any(loc.split("#")[-1].startswith("evidence-") for loc in located), "one period's evidence"
    assert "attainment per period" not in texts  # a chart's title
    assert "The figures as a table" not in texts
    # A statement and a period's credits are found through their index pages.
    assert "agreements/statements/" in located and "agreements/credits/" in located
    assert not [loc for loc in located if re.match(r"agreements/(statements/[^/]+|credits)/\d{4}", loc)]
    assert built[0].joinpath("agreements", "credits", "2025-06", "index.html").exists()


# ---------------------------------------------------------------- broken and hostile agreements


def test_an_invalid_agreement_fails_the_build_with_file_line_and_column(tmp_path):
    config = copy_project(tmp_path)
    broken = tmp_path / "agreements" / "acme-compute" / "agreement.yaml"
    text = broken.read_text()
    text, count = re.subn(r"(?m)^(\s+objective:) 99\.99$", r"\1 high", text, count=1)
    assert count == 1
    broken.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == "objective: high")
    other = tmp_path / "agreements" / "object-store" / "agreement.yaml"
    other.write_text(other.read_text().replace("\nprovider:", "\nprovidr:", 1))
    docs_before = listing(tmp_path / "docs")

    result = build_site(config, tmp_path / "site", env=EPOCH)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"agreements/acme-compute/agreement.yaml:{line}:" in output
    assert re.search(r"agreements/acme-compute/agreement\.yaml:\d+:\d+: error: .*objective", output), output
    # every error of the tree, not the first only
    assert re.search(r"agreements/object-store/agreement\.yaml:\d+:\d+: error: .*providr", output), output
    assert listing(tmp_path / "docs") == docs_before


def test_a_loader_warning_fails_a_strict_build_with_its_position(tmp_path):
    config = copy_project(tmp_path)
    terms = tmp_path / "agreements" / "acme-compute" / "agreement.yaml"
    text, count = re.subn(r"at_or_above: 95\.0\b", "at_or_above: 96.0", terms.read_text(), count=1)
    assert count == 1
    terms.write_text(text)
    result = build_site(config, tmp_path / "site", env=EPOCH)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(r"WARNING .*agreements/acme-compute/agreement\.yaml:\d+:\d+: warning: .*falls in no credit tier", output), output


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "link": "[click](javascript:alert(1))",
    # A blank line would end an HTML block of the page: what follows, read as Markdown, would
    # make a heading with an attribute of its own (attr_list).
    "break": "x\n\n# Injected heading { onmouseover=alert(3) }\n\ny",
}


def hostile_agreement(folder: Path) -> None:
    text = " ".join(HOSTILE.values())
    terms = hostile_terms("hostile", text)
    terms.update(
        title=f"Hostile {text} </title><script>alert(2)</script>",
        customer=HOSTILE["img"],
        owner=HOSTILE["link"],
        responsibilities={HOSTILE["script"]: [text]},
    )
    terms["service"].update(
        family=f"</a>{HOSTILE['script']}",
        scope=f"[x](JaVaScRiPt:alert(1)) ![i](javascript:alert(1)) [y](jav&#97;script:alert(1)) {text}",
    )
    terms["metrics"][0]["definition"] = f"{text}\n\n```\n</div>{HOSTILE['script']}\n```\n\n{{: onclick=alert(1) }}"
    (folder / "results").mkdir(parents=True)
    (folder / "agreement.yaml").write_text(yaml.safe_dump(terms, sort_keys=False, allow_unicode=True))
    for period, good in (("2025-01", 90), ("2025-02", 99)):
        results = {"period": period, "charges": "100", "metrics": {"uptime": {"good": good, "total": 100, "note": text}}}
        (folder / "results" / f"{period}.yaml").write_text(yaml.safe_dump(results, sort_keys=False))


def test_texts_from_agreement_files_cannot_inject_html_or_script(tmp_path):
    config = copy_project(tmp_path, agreements=False)
    hostile_agreement(tmp_path / "agreements" / "hostile")
    result = build_site(config, tmp_path / "site", env=EPOCH)
    assert_built(result)
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        parsed = elements(html)
        for tag, attributes in parsed.tags:
            for name, value in attributes.items():
                assert not name.startswith("on"), f"{page}: <{tag} {name}=...>"
                if name in ("href", "src", "action", "formaction") and value:
                    scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                    assert not scheme.startswith(("javascript:", "vbscript:", "data:text/html")), f"{page}: <{tag} {name}={value!r}>"
        assert not any("alert" in script for script in parsed.scripts), page
        assert not re.search(r'href\s*=\s*["\']?\s*javascript:', html, re.I), page
    images = sorted((tmp_path / "site" / "agreements").rglob("*.svg"))
    assert images, "two periods of results make a sparkline"
    for image in images:
        for element in ElementTree.parse(image).iter():
            assert not element.tag.endswith("script"), image
            assert not any(name.startswith("on") or "href" in name for name in element.attrib), image
    # The texts show as written: escaped, not dropped.
    html = read(tmp_path / "site", "agreements/hostile")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<span>click</span>" in html  # the link's text, without the link
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in title
    search_index = (tmp_path / "site" / "search" / "search_index.json").read_text()
    assert "<script>alert" not in search_index and "<img src=x" not in search_index


# ---------------------------------------------------------------- size


def large_agreement(folder: Path, metrics: int = 5, periods: int = 24) -> None:
    """An agreement with `metrics` metrics and `periods` months of results, most of them missed."""
    terms = {
        "id": folder.name,
        "version": "1.0",
        "effective": "2024-01-01",
        "title": "A large agreement",
        "summary": "Five metrics and two years of monthly results.",
        "provider": "Provider Ltd",
        "customer": "Customer plc",
        "owner": "Service manager",
        "service": {"name": "Service", "family": "Large"},
        "metrics": [
            {
                "id": f"metric-{i}",
                "name": f"Requests served within {i + 1} seconds",
                "definition": f"Requests answered within {i + 1} seconds, as a share of all requests in the month.",
                "unit": "%",
                "better": "higher",
                "objective": "99.9",
                "measure": {"kind": "events"},
                "credits": {
                    "model": "tiers",
                    "tiers": [
                        {"below": "99.9", "at_or_above": "99.0", "credit": "10"},
                        {"below": "99.0", "credit": "25"},
                    ],
                },
            }
            for i in range(metrics)
        ],
        "credit_terms": {
            "base": "the month's charges",
            "cap": "50",
            "minimum_amount": "1",
            "claim": {"how": "Open a ticket.", "deadline": {"days_after_period": 30}},
        },
        "remedies": {"escalation": [{"misses": 2, "within": 3, "action": "Review meeting."}], "chronic": {"misses": 4, "within": 12}},
    }
    (folder / "results").mkdir(parents=True)
    (folder / "agreement.yaml").write_text(yaml.safe_dump(terms, sort_keys=False))
    for n in range(periods):
        label = f"{2024 + n // 12}-{n % 12 + 1:02d}"
        results = {
            "period": label,
            "charges": "12345.67",
            "metrics": {f"metric-{i}": {"good": 1_000_000 - (n * 7919 + i * 104729) % 15_000, "total": 1_000_000} for i in range(metrics)},
        }
        (folder / "results" / f"{label}.yaml").write_text(yaml.safe_dump(results, sort_keys=False))


def test_an_agreement_page_with_5_metrics_and_24_periods_stays_under_150_kb(tmp_path):
    config = copy_project(tmp_path, agreements=False)
    large_agreement(tmp_path / "agreements" / "large")
    result = build_site(config, tmp_path / "site", env=EPOCH)
    assert_built(result)
    page = tmp_path / "site" / "agreements" / "large" / "index.html"
    html = page.read_text()
    # The latest 12 periods in full on the page; the 12 of 2024 on that year's page, linked from it.
    assert html.count('class="sla-period ') == 12
    assert 'href="periods/2024/"' in html
    earlier = tmp_path / "site" / "agreements" / "large" / "periods" / "2024" / "index.html"
    assert earlier.read_text().count('class="sla-period ') == 12
    for built_page in (page, earlier):
        assert built_page.stat().st_size <= 150_000, f"{built_page}: {built_page.stat().st_size} bytes"


def test_a_large_family_is_split_into_navigation_sections(tmp_path):
    config = copy_project(tmp_path, agreements=False)
    for n in range(7):
        large_agreement(tmp_path / "agreements" / f"large-{n}", metrics=1, periods=1)
    text = config.read_text()
    assert "      nav_group_size: 40\n" in text
    config.write_text(text.replace("      nav_group_size: 40\n", "      nav_group_size: 3\n"))
    result = build_site(config, tmp_path / "site", env=EPOCH)
    assert_built(result)
    html = read(tmp_path / "site", "agreements/large-0")
    nav = html[html.index('class="md-nav md-nav--primary"') : html.index('class="md-sidebar md-sidebar--secondary"')]
    # Sections of at most 3: its own (large-0..2) is expanded; the pruned ones (large-3..5,
    # large-6) show as one link each, to their first page.
    assert all(f'href="../large-{n}/"' in nav for n in (1, 2, 3, 6)), nav
    assert not any(f'href="../large-{n}/"' in nav for n in (4, 5)), nav
    assert all(f"Large {n}" in nav for n in (1, 2, 3))
