"""A service's standard versions are locked as an agreement's are: `agreements/services/<id>/versions.lock`,
written by `sla lock`, checked by `sla validate` and by the site build (the same loading path)."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_tests.core_helpers import assert_reported, loaded, position_of, write_agreement
from site_tests.diff_helpers import sla
from site_tests.helpers import BUILD_DAY
from site_tests.service_helpers import inheriting, standard, write_service

from mkdocs_sla.source.parallel import for_each_agreement

REPO = Path(__file__).resolve().parent.parent
TODAY = BUILD_DAY.isoformat()


def locked_service(tmp_path: Path, *standards: str) -> Path:
    """`tmp_path/agreements` with the service `compute` (the standards given), one agreement on it, locked by `sla lock`."""
    root = tmp_path / "agreements"
    write_service(root, "compute", *standards)
    write_agreement(root, "svc", inheriting())
    run = sla("lock", "agreements", "--today", TODAY, cwd=tmp_path)
    assert run.status == 0, run.stdout + run.stderr
    return root


def test_sla_lock_writes_the_lock_of_a_services_published_standard_versions(tmp_path):
    root = locked_service(tmp_path, standard(), standard("2.0", "2027-06-01"))
    lock = (root / "services" / "compute" / "versions.lock").read_text()
    assert '"1.0": sha256:' in lock and '"2.0"' not in lock  # 2.0 is neither published nor in force on TODAY
    again = sla("lock", "agreements", "--today", TODAY, cwd=tmp_path)
    assert f"{Path('agreements/services/compute/versions.lock')}: up to date (1 version(s))" in again.stdout
    assert sla("lock", "agreements", "--today", "2027-06-01", cwd=tmp_path).status == 0
    assert '"2.0": sha256:' in (root / "services" / "compute" / "versions.lock").read_text()


def test_an_edited_locked_standard_version_is_an_error_at_its_first_line(tmp_path):
    root = locked_service(tmp_path)
    path = root / "services" / "compute" / "standard.yaml"
    path.write_text(path.read_text().replace("cap: 50", "cap: 40"), encoding="utf-8")
    lock_line = position_of((root / "services" / "compute" / "versions.lock").read_text(), '"1.0"')[0]
    assert_reported(
        root,
        "services/compute/standard.yaml",
        1,
        1,
        "version `1.0` differs from the version published (hash in ",
        f"services/compute/versions.lock line {lock_line}); a version in force is never rewritten: add a new version instead",
    )
    # The agreement on the service waits for it, and a rewritten standard is never locked again.
    assert_reported(root, "svc/agreement.yaml", *position_of((root / "svc" / "agreement.yaml").read_text(), "compute"), "has errors")
    before = (root / "services" / "compute" / "versions.lock").read_text()
    assert sla("lock", "agreements", "--today", TODAY, cwd=tmp_path).status == 1
    assert (root / "services" / "compute" / "versions.lock").read_text() == before


def test_a_locked_standard_version_removed_from_the_file_is_an_error_at_the_lock(tmp_path):
    root = locked_service(tmp_path, standard(), standard("1.1", "2026-03-01"))
    write_service(root, "compute", standard("1.1", "2026-03-01"))
    lock_text = (root / "services" / "compute" / "versions.lock").read_text()
    assert_reported(
        root,
        "services/compute/versions.lock",
        *position_of(lock_text, '"1.0"'),
        "version `1.0` was published but is no longer in standard.yaml; published versions stay in the history",
    )


def test_a_new_standard_version_after_the_locked_ones_is_fine(tmp_path):
    root = locked_service(tmp_path)
    write_service(root, "compute", standard(), standard("2.0", "2027-01-01", extra="  - Customer-caused incidents.\n"))
    catalog = loaded(root)
    assert not catalog.errors, "\n".join(str(d) for d in catalog.diagnostics)
    assert [s.label for s in catalog.services[0].standards] == ["1.0", "2.0"]


def test_the_site_builds_loading_path_checks_the_standards_lock(tmp_path):
    root = locked_service(tmp_path)
    path = root / "services" / "compute" / "standard.yaml"
    path.write_text(path.read_text().replace("title: Standard SLA", "title: Rewritten SLA"), encoding="utf-8")
    diagnostics, records = for_each_agreement(root, None)
    assert not records
    assert any(
        d.position.file.endswith("services/compute/standard.yaml") and "differs from the version published" in d.message
        for d in diagnostics
    )


@pytest.mark.parametrize("service", ["acme-compute", "acme-storage"])
def test_the_examples_standards_are_locked_and_match(service):
    lock = REPO / "agreements" / "services" / service / "versions.lock"
    assert '": sha256:' in lock.read_text()
    catalog = loaded(REPO / "agreements")
    record = next(s for s in catalog.services if s.id == service)
    recorded = dict(line.replace('"', "").split(": ") for line in lock.read_text().splitlines() if line.startswith('"'))
    assert recorded == {s.label: s.digest for s in record.standards if s.label in recorded}
    assert not [d for d in catalog.errors if "versions.lock" in d.message]
