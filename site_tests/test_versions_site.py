"""Versions on the published site, built for real with `mkdocs build --strict`: the history
page of each agreement, a permanent page per version, the upcoming version announced on the
agreement page, and the Atom feed of versions linked from every page.

The build date is fixed (SOURCE_DATE_EPOCH, or the plugin's `today`), so "in force" and
"upcoming" do not move with the clock. Expected changes come from acme-compute's own file:
version 1.1 raises the credit of its first tier from 10% to 15% and excludes outages the
customer caused; the tests add a version 1.2 that takes effect after the build date.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from lxml import etree

from helpers import REPO_ROOT, build_site, copy_project, results_page
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.site.paths import version_slug
from mkdocs_sla.source.load import load
from test_site_build import Links, article, assert_built, elements, read

ATOM = "{http://www.w3.org/2005/Atom}"
CONFIG = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
SITE_URL = CONFIG["site_url"].rstrip("/") + "/"

#: The build date of these tests, 2027-01-31: after the last period of every example, and
#: before the upcoming version below (the dates of the earlier suite, a year on).
TODAY = dt.date(2027, 1, 31)
EPOCH = {"SOURCE_DATE_EPOCH": "1801353600"}

#: A version of acme-compute that takes effect after the build date (2027-01-31).
UPCOMING = dt.date(2027, 5, 1)


def add_upcoming_version(agreements: Path, effective: dt.date = UPCOMING, edit=None) -> None:
    """Append version 1.2 to acme-compute: the objective lowered, a definition reworded, a
    metric added, the cap and claim deadline cut, a customer duty added; then `edit(terms)`.
    The versions above stay as written (their hashes are locked)."""
    path = agreements / "acme-compute" / "agreement.yaml"
    terms = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))[-1]
    terms.update(
        version="1.2",
        effective=effective,
        published=dt.date(2027, 1, 15),
        changes="Objective lowered to 99.95%; a latency metric; claims within one billing cycle.",
    )
    uptime = terms["metrics"][0]
    uptime["objective"] = 99.95
    uptime["credits"]["tiers"][0]["below"] = 99.95
    uptime["definition"] = uptime["definition"].replace("shorter than one minute", "shorter than five minutes")
    terms["metrics"].append(
        {
            "id": "api-latency",
            "name": "API latency",
            "definition": "The 99th percentile of API response times in the month.",
            "unit": "ms",
            "better": "lower",
            "objective": 300,
            "measure": {"kind": "value"},
        }
    )
    terms["credit_terms"]["cap"] = 50
    terms["credit_terms"]["claim"]["deadline"] = {"billing_cycles_after": 1}
    terms["responsibilities"]["customer"].append("Report suspected outages within 24 hours.")
    if edit:
        edit(terms)
    with path.open("a", encoding="utf-8") as file:
        file.write("---\n# Version 1.2, added by the tests.\n" + yaml.safe_dump(terms, sort_keys=False, allow_unicode=True))


def between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def change_items(html: str, anchor: str) -> list[tuple[str, str]]:
    """(effect class, text) of each change listed under the heading with id `anchor`."""
    block = between(html, f'id="{anchor}"', "</ul>")
    return [
        (effect, re.sub(r"<[^>]+>", "", body)) for effect, body in re.findall(r'<li class="sla-change sla-change--(\w+)">(.*?)</li>', block)
    ]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """This repository's site as it is ("before"), and with acme-compute's version 1.2 added
    ("after"), both built on 2027-01-31; and their agreement trees."""
    built = {}
    for name in ("before", "after"):
        root = tmp_path_factory.mktemp(name)
        config = copy_project(root)
        if name == "after":
            add_upcoming_version(root / "agreements")
        assert_built(build_site(config, root / "site", env=EPOCH))
        built[name] = root
    return built


# ---------------------------------------------------------------- the history page


def test_the_history_page_lists_every_version_with_its_status_on_the_build_date(sites):
    root = sites["after"]
    record = load(root / "agreements").get("acme-compute")
    html = article(read(root / "site", "agreements/acme-compute/history"))
    table = between(html, 'class="sla-table sla-table--wide sla-versions"', "</table>")
    rows = re.findall(
        r'<tr class="sla-version--([\w-]+)"><td><a href="([^"]+)">([^<]+)</a></td> <td[^>]*>([\d-]+)</td> <td[^>]*>([\d-]+)</td> <td>([\w ]+)</td>',
        table,
    )
    expected = []
    for version in reversed(record.versions):  # newest first
        status = "upcoming" if version.effective > TODAY else "in force" if version is record.in_force(TODAY) else "superseded"
        expected.append(
            (
                status.replace(" ", "-"),
                f"../versions/{version_slug(version.label)}/",
                version.label,
                version.effective.isoformat(),
                version.terms.published.isoformat(),
                status,
            )
        )
    assert rows == expected
    assert [row[5] for row in rows] == ["upcoming", "in force", "superseded"]
    # Each version has its section with its dates, a link to its terms and its change summary.
    for version in record.versions:
        section = between(html, f'id="version-{version.label}"', "</dl>")
        assert f"from {version.effective.isoformat()}" in section
        assert f'href="../versions/{version.label}/"' in section
        if version.terms.changes:
            assert " ".join(version.terms.changes.split())[:40] in section


def test_the_credit_raised_by_version_1_1_is_a_favourable_change_at_its_attainment_levels(sites):
    html = read(sites["before"] / "site", "agreements/acme-compute/history")
    changes = change_items(html, "changes-1.1")
    credit = [(effect, text) for effect, text in changes if "credit rises" in text]
    assert len(credit) == 1, changes
    effect, text = credit[0]
    assert effect == "favourable" and text.startswith("favourable ")  # the word, not colour alone
    assert "at an attainment at least 99% and below 99.99% the credit rises from 10% to 15%" in text
    # Outages the customer caused no longer count, an exclusion is added: both adverse.
    assert ("adverse", "adverse Monthly uptime percentage: outages tagged customer-caused no longer count") in changes
    assert any(effect == "adverse" and text.startswith("adverse exclusion added:") for effect, text in changes)


def test_the_changes_of_a_new_version_cover_objectives_metrics_definitions_caps_claims_and_duties(sites):
    html = read(sites["after"] / "site", "agreements/acme-compute/history")
    changes = {text: effect for effect, text in change_items(html, "changes-1.2")}
    found = {text.split(" ", 1)[1]: effect for text, effect in changes.items()}
    assert found["Monthly uptime percentage: objective lowered from 99.99% to 99.95%"] == "adverse"
    assert found["metric API latency added, objective at or below 300 ms"] == "favourable"
    assert found["credit cap lowered from 100% to 50%"] == "adverse"
    assert any(text.startswith("claim deadline shortens") and effect == "adverse" for text, effect in found.items())
    assert found["customer duty added: “Report suspected outages within 24 hours.”"] == "adverse"
    # A reworded definition reads as a word diff: the words removed and the words added.
    diff = between(html, 'id="changes-1.2"', "</ul>")
    assert "shorter than <del>one</del><ins>five</ins> <del>minute</del><ins>minutes</ins> are not counted" in diff


# ---------------------------------------------------------------- the agreement page


def test_an_upcoming_version_is_announced_on_the_agreement_page_with_a_link_to_its_changes(sites):
    site = sites["after"] / "site"
    html = article(read(site, "agreements/acme-compute"))
    notice = between(html, 'class="admonition warning sla-alert sla-upcoming"', "</p></div>\n")
    assert "Version 1.2 takes effect on 2027-05-01" in notice
    assert "5 adverse, 1 favourable, 1 neutral" in notice
    link = re.search(r'<a href="([^"]+)">What will change</a>', notice)
    assert link, notice
    page, _, anchor = link.group(1).partition("#")
    assert page == "history/" and anchor == "changes-1.2"
    target = Links()
    target.feed(read(site, "agreements/acme-compute/history"))
    assert anchor in target.ids
    assert re.search(r'<a href="versions/1\.2/">the terms of version 1\.2 in full</a>', notice)
    # The version in force is still 1.1: the terms and the facts say so.
    assert "1.1, in force since 2025-07-01" in html
    # The site as it is announces nothing.
    assert "sla-upcoming" not in read(sites["before"] / "site", "agreements/acme-compute")


def test_on_the_day_a_version_takes_effect_it_is_in_force_and_no_longer_announced(tmp_path):
    config = copy_project(tmp_path)
    add_upcoming_version(tmp_path / "agreements")
    # The build date from the plugin's `today` option, which wins over SOURCE_DATE_EPOCH.
    text = config.read_text(encoding="utf-8").replace("      # today: 2026-01-31", "      today: 2027-05-01")
    assert "today: 2027-05-01" in text
    config.write_text(text, encoding="utf-8")
    assert_built(build_site(config, tmp_path / "site", env=EPOCH))
    html = article(read(tmp_path / "site", "agreements/acme-compute"))
    assert "sla-upcoming" not in html
    assert "1.2, in force since 2027-05-01" in html
    history = read(tmp_path / "site", "agreements/acme-compute/history")
    assert re.search(r'<tr class="sla-version--in-force"><td><a href="../versions/1.2/">1.2</a>', history)


def test_the_periods_table_names_the_version_of_each_period_and_links_its_terms(sites):
    root = sites["before"]
    record = load(root / "agreements").get("acme-compute")
    evaluation = evaluate(record)
    labels = set()
    for outcome in evaluation.periods:
        # The latest 12 periods on the agreement's page, earlier ones on their year's page.
        where = results_page(evaluation, outcome.period.label)
        html = read(root / "site", f"agreements/{where}")
        up = "" if where == "acme-compute/" else "../../"
        head = between(html, f'id="period-{outcome.period.label}"', "</tr>")
        assert f'version <a href="{up}versions/{outcome.version}/">{outcome.version}</a>' in head
        labels.add(outcome.version)
    assert labels == {"1.0", "1.1"}, "acme-compute's periods span both versions"


# ---------------------------------------------------------------- version pages


def test_each_version_has_a_page_with_its_terms_as_they_read_and_no_periods(sites):
    site = sites["before"] / "site"
    first = article(read(site, "agreements/acme-compute/versions/1.0"))
    second = article(read(site, "agreements/acme-compute/versions/1.1"))
    tier = "<td>below 99.99% and at least 99.0%</td> <td>{}</td>"
    assert tier.format("10%") in first and tier.format("15%") in second
    assert "Unavailability caused by the customer" not in first and "Unavailability caused by the customer" in second
    assert "Superseded: these terms applied from 2025-01-01 to 2025-06-30" in first
    assert "In force since 2025-07-01" in second
    for html in (first, second):
        for section in ("responsibilities", "service", "metric-region-uptime", "credit-terms", "exclusions", "claims"):
            assert f'id="{section}"' in html
        assert "sla-periods" not in html and 'id="periods"' not in html


def test_version_pages_keep_their_url_and_terms_when_a_newer_version_is_added(sites):
    def terms_of(root: Path, label: str) -> str:
        html = article(read(root / "site", f"agreements/acme-compute/versions/{label}"))
        return html[html.index('id="responsibilities"') :]

    for label in ("1.0", "1.1"):
        assert terms_of(sites["before"], label) == terms_of(sites["after"], label)
    assert (sites["after"] / "site" / "agreements" / "acme-compute" / "versions" / "1.2" / "index.html").is_file()
    assert not (sites["before"] / "site" / "agreements" / "acme-compute" / "versions" / "1.2").exists()


@pytest.mark.parametrize(
    "label, segment",
    [
        ("1.1", "1.1"),
        ("2023.1", "2023.1"),
        ("v2-rc", "v2-rc"),
        ("V2", None),
        ("2.0 final", None),
        ("../x", None),
        ("index", None),
        ("1.", None),
        ("<b>", None),
    ],
)
def test_a_version_label_becomes_a_url_segment_from_itself_alone(label, segment):
    slug = version_slug(label)
    assert slug == (segment or slug)
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?", slug) and ".." not in slug and slug != "index"
    if segment is None:
        assert re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{6}", slug), slug
    assert version_slug(label) == slug  # the same label, the same URL, whatever the other versions


def test_labels_that_read_alike_get_pages_of_their_own():
    assert len({version_slug(label) for label in ("2.0 final", "2.0-final", "2.0 Final", "2.0_final")}) == 4


# ---------------------------------------------------------------- hostile texts


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) {: onclick=alert(1) }"


def test_hostile_texts_in_a_new_version_stay_escaped_on_the_history_and_version_pages_and_in_the_feed(tmp_path):
    def hostile(terms: dict) -> None:
        terms["changes"] = f"{HOSTILE}\n\n```\n</div>{HOSTILE}\n```"
        terms["exclusions"].append(HOSTILE)
        terms["metrics"][0]["definition"] += " " + HOSTILE
        terms["metrics"][1]["name"] = f"Latency {HOSTILE}"
        terms["responsibilities"]["customer"].append(HOSTILE)

    config = copy_project(tmp_path)
    add_upcoming_version(tmp_path / "agreements", edit=hostile)
    result = build_site(config, tmp_path / "site", env=EPOCH)
    assert_built(result)
    site = tmp_path / "site" / "agreements" / "acme-compute"
    pages = [site / "index.html", site / "history" / "index.html", *sorted((site / "versions").glob("*/index.html"))]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        for tag, attributes in elements(html).tags:
            assert not any(name.startswith("on") for name in attributes), f"{page}: <{tag} {attributes}>"
            for name in ("href", "src"):
                assert not re.sub(r"[\x00-\x20]", "", attributes.get(name) or "").lower().startswith("javascript:"), (
                    f"{page}: <{tag} {attributes}>"
                )
    history = (site / "history" / "index.html").read_text(encoding="utf-8")
    # Shown as written: in the summary, in the listed changes and inside the word diff.
    assert history.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;" in history or "<ins> &lt;script&gt;alert(1)&lt;/script&gt;" in history
    feed = (tmp_path / "site" / "feed.xml").read_bytes()
    assert b"<script>" not in feed and b"<img" not in feed
    entry = next(e for e in etree.fromstring(feed).iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith("/acme-compute/versions/1.2/"))
    assert "<script>alert(1)</script>" in entry.findtext(f"{ATOM}summary")  # plain text, escaped by the XML


# ---------------------------------------------------------------- the feed


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def rfc3339(text: str | None) -> dt.datetime:
    assert text and RFC3339.fullmatch(text), f"not an RFC 3339 date: {text!r}"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def single(element, name: str):
    found = element.findall(f"{ATOM}{name}")
    assert len(found) == 1, f"<{element.tag}> needs exactly one <{name}>, has {len(found)}"
    return found[0]


def alternates_unique(element) -> None:
    """RFC 4287 4.1.1/4.1.2: at most one rel=alternate link per type and hreflang."""
    keys = [
        (link.get("type"), link.get("hreflang")) for link in element.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"
    ]
    assert len(keys) == len(set(keys)), keys


def test_the_feed_is_valid_atom_with_an_entry_per_version(sites):
    root = sites["after"]
    site = root / "site"
    catalog = load(root / "agreements")
    tree = etree.parse(str(site / "feed.xml"))
    feed = tree.getroot()
    assert feed.tag == f"{ATOM}feed"
    feed_url = SITE_URL + "feed.xml"
    # The feed: id, title, updated, author, link rel=self (RFC 4287 4.1.1).
    assert single(feed, "id").text == feed_url
    assert single(feed, "title").text == f"{CONFIG['site_name']}: versions of the agreements"
    updated = rfc3339(single(feed, "updated").text)
    assert [a.findtext(f"{ATOM}name") for a in feed.findall(f"{ATOM}author")] == [CONFIG["site_name"]]
    selves = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert [(link.get("href"), link.get("type")) for link in selves] == [(feed_url, "application/atom+xml")]
    alternates_unique(feed)

    entries = feed.findall(f"{ATOM}entry")
    versions = [(r, v) for r in catalog.agreements for v in r.versions]
    assert len(entries) == len(versions)
    ids = [single(entry, "id").text for entry in entries]
    assert len(set(ids)) == len(ids)
    newest = max(rfc3339(single(entry, "updated").text) for entry in entries)
    assert updated == newest  # the newest entry's date, not the clock
    for entry in entries:
        single(entry, "title")
        rfc3339(single(entry, "updated").text)
        for published in entry.findall(f"{ATOM}published"):
            rfc3339(published.text)
        alternates_unique(entry)
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert links["alternate"] == single(entry, "id").text  # the version's permanent page
        for href in links.values():  # every link leads to a page (and anchor) of the built site
            parts = urlsplit(href)
            assert href.startswith(SITE_URL), href
            page = site / unquote(parts.path[len(urlsplit(SITE_URL).path) :]) / "index.html"
            assert page.is_file(), href
            if parts.fragment:
                ids_of = Links()
                ids_of.feed(page.read_text(encoding="utf-8"))
                assert parts.fragment in ids_of.ids, href
        assert entry.findtext(f"{ATOM}summary")

    by_id = {single(e, "id").text: e for e in entries}
    upcoming = by_id[SITE_URL + "agreements/acme-compute/versions/1.2/"]
    assert upcoming.findtext(f"{ATOM}title") == "Acme Compute virtual machines 1.2: upcoming from 2027-05-01"
    assert upcoming.findtext(f"{ATOM}updated").startswith("2027-01-15")  # published
    assert upcoming.findtext(f"{ATOM}summary").endswith("Changes for the customer: 5 adverse, 1 favourable, 1 neutral.")
    assert [link.get("href") for link in upcoming.findall(f"{ATOM}link") if link.get("rel") == "related"] == [
        SITE_URL + "agreements/acme-compute/history/#changes-1.2"
    ]
    current = by_id[SITE_URL + "agreements/acme-compute/versions/1.1/"]
    assert current.findtext(f"{ATOM}title") == "Acme Compute virtual machines 1.1: in force from 2025-07-01"
    assert "2 adverse, 1 favourable, 1 neutral" in current.findtext(f"{ATOM}summary")


def test_every_page_links_the_feed_from_its_head(sites):
    site = sites["before"] / "site"
    feed = site / "feed.xml"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        html = page.read_text(encoding="utf-8")
        head = html[: html.index("</head>")]
        links = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', head)
        assert len(links) == 1, page
        if page.name == "404.html":  # from site_url's path: any depth of a missing page
            assert links[0] == urlsplit(SITE_URL).path + "feed.xml"
            continue
        relative = page.relative_to(site).as_posix()
        target = posixpath.normpath(posixpath.join(posixpath.dirname(relative), links[0]))
        assert site / target == feed, (page, links[0])
