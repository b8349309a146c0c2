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
import yaml

from helpers import BUILD_DAY, REPO_ROOT
from mkdocs_sla.core.periods import Period
from mkdocs_sla.source.load import load

#: The build date the site tests pin (helpers.BUILD_DAY), never the real clock: the data is
#: current as of it however long ago it was committed.
TODAY = BUILD_DAY
GENERATED = "# Written by scripts/extend_examples.py"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("extend_examples", REPO_ROOT / "scripts" / "extend_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_generator_extends_every_example_and_only_the_examples(generator):
    catalog = load(REPO_ROOT / "agreements", TODAY)
    assert sorted(generator.EXAMPLES) == sorted(r.id for r in catalog.agreements)


def test_the_examples_results_run_up_to_the_last_period_closed_before_the_build_date(generator):
    catalog = load(REPO_ROOT / "agreements", TODAY)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    assert {r.id: r.results[-1].period.label for r in catalog.agreements} == {
        r.id: Period.containing(TODAY, r.versions[-1].terms.period).previous().label for r in catalog.agreements
    }
    assert {r.id: r.results[-1].period.label for r in catalog.agreements}["support-desk"] == "2026-Q3"
    assert {r.id: r.results[-1].period.label for r in catalog.agreements}["contoso-compute"] == "2026-11"
    assert generator.extend(REPO_ROOT / "agreements", TODAY, write=False) == []
    assert generator.main(["--check", "--today", TODAY.isoformat()]) == 0


@pytest.mark.parametrize(
    ("agreement_id", "generated", "exported_before"),
    [
        ("support-desk", "tickets/2026-Q3.csv", "tickets/2025-Q1.csv"),
        ("support-desk", "tickets/2026-Q3.status.csv", "tickets/2025-Q1.status.csv"),
        ("marketing-sales", "tickets/2026-11.csv", "tickets/2025-07.csv"),
        ("object-store", "results/errors-2026-11.csv", "results/errors-2025-01.csv"),
        ("object-store", "results/ia-errors-2026-11.csv", "results/ia-errors-2025-01.csv"),
    ],
)
def test_ticket_exports_and_error_series_are_written_in_the_form_the_provider_exports_them(agreement_id, generated, exported_before):
    folder = REPO_ROOT / "agreements" / agreement_id
    rows = (folder / generated).read_text(encoding="utf-8").splitlines()
    assert rows[0] == (folder / exported_before).read_text(encoding="utf-8").splitlines()[0], "not the export's header"
    assert len(rows) > 3, "one row per ticket or interval, not a total"


def test_the_committed_generated_files_are_exactly_what_the_generator_writes(tmp_path, generator):
    """Deleting every period the script wrote (its results files carry its header line) and
    running it again gives back the same bytes: none of them was edited by hand."""
    folder = tmp_path / "agreements"
    shutil.copytree(REPO_ROOT / "agreements", folder)
    before = digests(folder)
    removed = 0
    for results in sorted(folder.glob("*/results/*.yaml")):
        if results.read_text(encoding="utf-8").splitlines()[1].startswith(GENERATED):
            label, agreement = results.stem, results.parent.parent
            for path in [
                results,
                *agreement.glob(f"results/*-{label}.csv"),
                *agreement.glob(f"tickets/{label}*.csv"),
                agreement / "outages" / f"{label}.yaml",
            ]:
                if path.exists():
                    path.unlink()
                    removed += 1
    assert removed > 100
    generator.extend(folder, TODAY)
    assert digests(folder) == before


def test_the_generator_writes_the_same_files_every_run_and_never_changes_one(tmp_path, generator):
    later = dt.date(2027, 3, 2)  # three more months and two quarters than the repository holds
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
    for record in catalog.agreements:
        assert record.results[-1].period == Period.containing(later, record.versions[-1].terms.period).previous(), record.id
    # Nothing is missing any more, and a second run adds nothing.
    assert generator.extend(tmp_path / "first", later) == []


def test_an_agreement_keeping_an_outage_log_gets_its_outages_as_log_entries_not_in_its_results():
    folder = REPO_ROOT / "agreements" / "acme-compute"
    logs = sorted((folder / "outages").glob("2026-*.yaml"))
    assert len(logs) >= 5
    written = 0
    for path in logs:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["outages"]
        assert entries and all({"id", "start", "end", "source"} <= entry.keys() for entry in entries), path.name
        written += len(entries)
    record = load(REPO_ROOT / "agreements", TODAY).get("acme-compute")
    generated = [r for r in record.results if r.period.start.year == 2026]
    assert len(generated) == 11 and not any(r.outage_positions.get("region-uptime") for r in generated)
    assert sum(1 for e in record.outage_log if "/outages/2026-" in str(e.position)) == written
