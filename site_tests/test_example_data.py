"""The example data is current: scripts/extend_examples.py extends the examples' results up to
the last period closed before the build date, the same bytes on every run, never touching a
file already there."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from mkdocs_sla.core.periods import Period
from mkdocs_sla.source.load import load

#: The build date the site tests pin (SOURCE_DATE_EPOCH of test_browser_site.py).
TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("extend_examples", REPO_ROOT / "scripts" / "extend_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_examples_results_run_up_to_the_last_period_closed_before_the_build_date(generator):
    catalog = load(REPO_ROOT / "agreements", TODAY)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    for agreement_id in generator.EXTENDED:
        record = catalog.get(agreement_id)
        kind = record.versions[-1].terms.period
        assert record.results[-1].period == Period.containing(TODAY, kind).previous(), agreement_id
    assert generator.extend(REPO_ROOT / "agreements", TODAY, write=False) == []


def test_the_generator_writes_the_same_files_every_run_and_never_changes_one(tmp_path, generator):
    later = dt.date(2027, 3, 2)  # two more months and a quarter than the repository holds
    copies = []
    for name in ("first", "second"):
        folder = tmp_path / name
        shutil.copytree(REPO_ROOT / "agreements", folder)
        before = digests(folder)
        written = generator.extend(folder, later)
        after = digests(folder)
        assert {k: v for k, v in after.items() if k in before} == before, "an existing file changed"
        assert sorted(after.keys() - before.keys()) == sorted(p.relative_to(folder).as_posix() for p in written)
        assert written, "periods up to 2027-02 and 2026-Q4 should be missing"
        copies.append(after)
    assert copies[0] == copies[1]
    catalog = load(tmp_path / "first", later)
    assert not catalog.errors and not [d for d in catalog.diagnostics if d.severity == "warning"], [str(d) for d in catalog.diagnostics]
    for agreement_id in generator.EXTENDED:
        record = catalog.get(agreement_id)
        assert record.results[-1].period == Period.containing(later, record.versions[-1].terms.period).previous()
    # Nothing is missing any more, and a second run adds nothing.
    assert generator.extend(tmp_path / "first", later) == []
