"""The size of the built site: compact pages, and a warning past `size_budget_mb`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from helpers import BUILD_EPOCH, REPO_ROOT, build_site, copy_project

EPOCH = BUILD_EPOCH


def project(tmp_path: Path, **options) -> Path:
    copy_project(tmp_path)  # its mkdocs.yml is written again below, with the options
    config = yaml.load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "sla" in plugin:
            plugin["sla"].update(options)
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# "0.5" as text: what `!ENV [SLA_SIZE_BUDGET, 150]` gives when the variable is set.
@pytest.mark.parametrize(("budget", "warns"), [(0.5, True), ("0.5", True), (1000, False)])
def test_a_site_over_its_size_budget_fails_a_strict_build_with_a_warning_that_names_both_sizes(tmp_path, budget, warns):
    result = build_site(project(tmp_path, size_budget_mb=budget), tmp_path / "site", env=EPOCH)
    output = result.stdout + result.stderr
    assert ("over the size budget" in output) is warns, output
    assert (result.returncode != 0) is warns, output
    if warns:
        megabytes = size(tmp_path / "site") / 1_000_000
        assert f"the built site is {megabytes:,.1f} MB, over the size budget of {Decimal(str(budget)):g} MB" in output, output


def test_compacted_pages_are_smaller_and_hold_the_same_text(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    compact = build_site(project(tmp_path / "a"), tmp_path / "a" / "site", env=EPOCH)
    plain = build_site(project(tmp_path / "b", compact_html=False), tmp_path / "b" / "site", env=EPOCH)
    assert compact.returncode == 0 and plain.returncode == 0, compact.stderr + plain.stderr
    page = "agreements/acme-compute/index.html"
    small = (tmp_path / "a" / "site" / page).read_text(encoding="utf-8")
    large = (tmp_path / "b" / "site" / page).read_text(encoding="utf-8")
    assert len(small) < 0.9 * len(large), (len(small), len(large))
    # the same words in the same order: only the runs of whitespace between them differ
    assert small.split() == large.split()
    assert size(tmp_path / "a" / "site") < size(tmp_path / "b" / "site")


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("size_budget_mb", True, "a number of megabytes above 0"),
        ("size_budget_mb", 0, "a number of megabytes above 0"),
        ("size_budget_mb", "lots", "a number of megabytes above 0"),
        ("size_budget_mb", float("inf"), "a number of megabytes above 0"),
        ("nav_group_size", 0, "a whole number above 0"),
        ("nav_group_size", -5, "a whole number above 0"),
        ("nav_group_size", 2.5, "a whole number above 0"),
        ("nav_group_size", True, "a whole number above 0"),
        # Refused at once, not after int() has built a million-digit number.
        ("nav_group_size", "1e1000000", "a whole number above 0"),
        ("size_budget_mb", "1e1000000", "a number of megabytes above 0"),
    ],
)
def test_a_size_option_that_is_not_a_positive_number_stops_the_build_naming_the_option(tmp_path, option, value, expected):
    # `true` is not 1 and 0 is not "no limit": a clamped or coerced value would pass unseen.
    result = build_site(project(tmp_path, **{option: value}), tmp_path / "site", env=EPOCH)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"option '{option}': expected {expected}" in output, output
    assert "Traceback" not in output, output
    assert not (tmp_path / "site" / "index.html").exists()
