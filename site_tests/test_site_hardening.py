"""The MkDocs build applies the hardening rules of `sla validate` (issue 13): a link in the
agreements tree, results of a period not yet ended (the build date from SOURCE_DATE_EPOCH),
and an intentional tier gap that a strict build accepts and the page words."""

from __future__ import annotations

import re

from helpers import BUILD_DAY, build_site, copy_project
from test_site_build import EPOCH


def test_a_results_file_that_is_a_link_fails_the_build_at_the_link(tmp_path):
    config = copy_project(tmp_path)
    results = tmp_path / "agreements" / "acme-compute" / "results"
    (tmp_path / "outside.yaml").write_bytes((results / "2025-03.yaml").read_bytes())
    (results / "2025-03.yaml").unlink()
    (results / "2025-03.yaml").symlink_to(tmp_path / "outside.yaml")
    result = build_site(config, tmp_path / "site", env=EPOCH)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "agreements/acme-compute/results/2025-03.yaml:1:1: error: `2025-03.yaml` is a symbolic link to" in output, output


def test_results_of_a_period_not_ended_on_the_build_date_fail_the_build_at_the_period(tmp_path):
    config = copy_project(tmp_path)
    results = tmp_path / "agreements" / "acme-compute" / "results"
    # December 2026 has begun on the build date (2026-12-01) and not ended.
    text = (results / "2025-03.yaml").read_text().replace("2025-03", "2026-12")
    (results / "2026-12.yaml").write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("period:"))
    result = build_site(config, tmp_path / "site", env=EPOCH)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(
        rf"agreements/acme-compute/results/2026-12\.yaml:{line}:\d+: error: period 2026-12 has not ended "
        rf"\(it ends on 2026-12-31, after today, {BUILD_DAY.isoformat()}\)",
        output,
    ), output


def test_an_intentional_tier_gap_passes_a_strict_build_and_the_tier_table_shows_it(tmp_path):
    config = copy_project(tmp_path)
    terms = tmp_path / "agreements" / "acme-compute" / "agreement.yaml"
    text, count = re.subn(r"at_or_above: 95\.0\b", "at_or_above: 96.0", terms.read_text())
    assert count == 2
    text = text.replace("      model: tiers\n", "      model: tiers\n      gaps: intentional\n")
    terms.write_text(text)
    (terms.parent / "versions.lock").unlink()  # the edit rewrites locked versions; not what this test is about
    result = build_site(config, tmp_path / "site", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp_path / "site" / "agreements" / "acme-compute" / "index.html").read_text()
    assert "<td>—</td> <td>an attainment at least 95% and below 96%</td> <td>no credit (no tier, as the agreement says)</td>" in page
    assert "An attainment in no tier earns no credit; the agreement leaves those gaps on purpose." in page
