"""The reference pages are generated from the code: the format reference from the model,
the worked examples by the engine at build time, the JSON Schemas from the model."""

from __future__ import annotations

import html
import json
import re

import pytest

from helpers import BUILD_EPOCH, REPO_ROOT, build_site
from mkdocs_sla.core.model import Results, Terms
from mkdocs_sla.site import reference
from mkdocs_sla.source.schema import agreement_schema, results_schema

EPOCH = BUILD_EPOCH


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "site"
    result = build_site(REPO_ROOT / "mkdocs.yml", out, env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def text_of(path) -> str:
    """The page's article as text: tags dropped, entities decoded."""
    page = path.read_text(encoding="utf-8")
    body = page[page.index("<article") : page.index("</article>")]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_the_format_reference_names_every_key_of_every_part_of_the_format(site):
    text = text_of(site / "reference" / "format" / "index.html")
    for cls in reference._models(Terms) + reference._models(Results):
        assert cls.__name__ in text
        for name, info in cls.model_fields.items():
            assert name in text, f"{cls.__name__}.{name} is missing from the format reference"
            if info.description:
                # The description as the model has it (code spans lose their backticks in HTML).
                assert info.description.replace("`", "") in text, f"{cls.__name__}.{name}: description not shown"


def test_the_worked_examples_are_the_engines_own_results(site):
    text = text_of(site / "reference" / "credits" / "index.html")
    expected = html.unescape(re.sub(r"<[^>]+>", "", reference.worked_examples()))
    # Every computed figure line of the generated Markdown appears on the page.
    for line in expected.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")] if line.startswith("|") else []
        for cell in cells:
            if cell and not set(cell) <= set("- "):
                assert " ".join(cell.replace("`", "").split()) in " ".join(text.split()), cell
    assert "<!-- sla:worked-examples -->" not in (site / "reference" / "credits" / "index.html").read_text()
    # Exactly one percent of a 31-day month down lands on the 99.0% bound: tier 1, not tier 2.
    assert "446.4 of 44,640 minutes down: attainment 99%, shown as 99%; missed, tier 1, credit 10%" in " ".join(text.split())
    # A credit under the minimum amount is computed, and withheld in the words the pages use.
    assert "Computed: credit 10% = 0.50 USD, under the minimum of 1.00 USD: not issued." in " ".join(text.split())


def test_the_json_schemas_are_published_at_their_stable_paths(site):
    for name, schema in (("agreement", agreement_schema()), ("results", results_schema())):
        published = json.loads((site / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert published == schema
        assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert published["$id"].endswith(f"/latest/schema/{name}.schema.json")
