"""The one builder of example agreements (`source.builder`): the text it writes loads from a
folder and from memory alike, and an example with a mistake says every mistake."""

from __future__ import annotations

import pytest
from site_tests.core_helpers import agreement, metric_text, outages_result, position_of, value_result, write_agreement

from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.source.builder import agreement_from_text
from mkdocs_sla.source.load import load


def test_an_agreement_read_from_memory_earns_what_the_same_files_in_a_folder_earn(tmp_path):
    text = agreement()
    results = [outages_result("2026-01", [("2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z")]), outages_result("2026-02", [])]
    write_agreement(tmp_path, "svc", text, {"2026-01.yaml": results[0], "2026-02.yaml": results[1]})
    (from_folder,) = load(tmp_path).agreements
    from_memory = agreement_from_text(text, results)
    assert from_memory.id == "svc" and [v.terms for v in from_memory.versions] == [v.terms for v in from_folder.versions]
    credits = [[(p.period, p.credit.percent) for p in evaluate(record).periods] for record in (from_folder, from_memory)]
    assert credits[0] == credits[1] and credits[0][0][1] == 10


@pytest.mark.parametrize(
    ("terms", "results", "needles"),
    [
        (agreement(metrics=metric_text(objective="high", better="sideways")), [], ["high\n", "sideways"]),
        (agreement(), [value_result("2026-13", {"uptime": "99"})], ['"2026-13"']),
    ],
    ids=["terms", "results"],
)
def test_an_example_that_does_not_load_raises_with_every_error_at_its_position(terms, results, needles):
    with pytest.raises(ValueError) as raised:
        agreement_from_text(terms, results, name="example.yaml")
    text = results[0] if results else terms
    where = [line.split(": error:")[0] for line in str(raised.value).splitlines()]
    assert sorted(where) == sorted("example.yaml:{}:{}".format(*position_of(text, needle)) for needle in needles), str(raised.value)
