"""The page frame's icons come from one shared sprite (theme/partials/sla-icon.html,
theme/assets/images/sla-icons.svg) and look exactly as Material's own inline drawings."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import material
import pytest
import yaml
from site_tests.helpers import REPO_ROOT, build_site, copy_project

ICONS = Path(material.__file__).parent / "templates" / ".icons"
SPRITE = REPO_ROOT / "theme" / "assets" / "images" / "sla-icons.svg"
PARTIAL = REPO_ROOT / "theme" / "partials" / "sla-icon.html"
USE = re.compile(r'<svg viewBox="([^"]*)"><use href="([^"#]*)#([^"]*)"/></svg>')
#: Pages with the whole frame: an agreement (header, navigation, table of contents) and the 404 page.
PAGES = ("agreements/acme-compute/index.html", "404.html")
#: The folder the site is served from (the 404 page links from there, wherever it is shown).
SERVED_FROM = urlsplit(yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path


def material_icon(name: str) -> tuple[str, str]:
    """(viewBox, drawing without its comment) of Material's icon `name`."""
    text = (ICONS / f"{name}.svg").read_text(encoding="utf-8").strip()
    view_box = re.search(r'viewBox="([^"]*)"', text).group(1)
    drawing = re.sub(r"<!--.*?-->", "", re.sub(r"^<svg[^>]*>|</svg>$", "", text), flags=re.S)
    return view_box, drawing


def sprite_icons() -> dict[str, str]:
    """{id: drawing} of the sprite."""
    return dict(re.findall(r'<g id="([^"]*)">(.*?)</g>', SPRITE.read_text(encoding="utf-8")))


def partial_view_boxes() -> dict[str, str]:
    """{icon name: viewBox} the partial draws from the sprite."""
    return dict(re.findall(r'"([\w/-]+)": "([\d ]+)"', PARTIAL.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("icons")
    result = build_site(copy_project(project), project / "site")
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_each_icon_of_the_sprite_is_materials_own_drawing_with_its_own_view_box():
    drawings = sprite_icons()
    boxes = partial_view_boxes()
    assert boxes and set(drawings) == {name.replace("/", "-") for name in boxes}
    for name, box in boxes.items():
        assert (box, drawings[name.replace("/", "-")]) == material_icon(name), name


@pytest.mark.parametrize("page", PAGES)
def test_the_frame_inlines_no_icon_and_each_one_it_uses_is_in_the_sprite(site, page):
    html = (site / page).read_text(encoding="utf-8")
    frame = html[: html.find("<article")]
    uses = USE.findall(frame)
    assert len(uses) >= 10  # logo twice, menu, two palette toggles, search (4), repository twice
    assert "<path" not in frame  # nothing drawn inline any more
    drawings = sprite_icons()
    page_url = f"http://site{SERVED_FROM.rstrip('/')}/{page}"
    for _, href, icon in uses:
        target = urlsplit(urljoin(page_url, href)).path.removeprefix(SERVED_FROM.rstrip("/") + "/")
        assert (site / target).read_bytes() == SPRITE.read_bytes(), href
        assert icon in drawings


def test_an_icon_from_the_sprite_looks_exactly_as_materials_inline_drawing(site, page, serve_dir):
    """The same page twice, once as built and once with each icon written inline as Material
    writes it: light and dark, wide and on a phone with the navigation drawer open, the
    screenshots are the same to the pixel."""
    built = site / PAGES[0]
    names = {name.replace("/", "-"): name for name in partial_view_boxes()}

    def inline(match: re.Match[str]) -> str:
        return (ICONS / f"{names[match.group(3)]}.svg").read_text(encoding="utf-8").strip()

    copy = built.with_name("inline.html")
    copy.write_text(USE.sub(inline, built.read_text(encoding="utf-8")), encoding="utf-8")
    assert "<use" not in copy.read_text(encoding="utf-8")
    base = serve_dir(site)
    for scheme in ("light", "dark"):
        for width, drawer in ((1280, False), (390, False), (390, True)):
            shots = []
            for name in (built.name, copy.name):
                page.emulate_media(color_scheme=scheme)
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}agreements/acme-compute/{name}")
                page.wait_for_load_state("networkidle")
                if drawer:
                    page.click("label.md-header__button[for=__drawer]")
                    page.wait_for_timeout(600)  # the drawer slides in
                shots.append(page.screenshot())
            assert shots[0] == shots[1], (scheme, width, drawer)
    # mkdocs.yml's mike version selector asks for ../versions.json, which only gh-pages has.
    assert [e for e in page.console_errors if "/versions.json" not in e] == []
