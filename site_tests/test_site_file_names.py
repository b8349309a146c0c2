"""A site names the agreement and results files behind its figures from the project folder, the
same wherever it is built: never by the build machine's absolute paths, which the pages, the
credits.json files and the statements would otherwise publish (and which would make two
machines build different sites from one commit)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from helpers import REPO_ROOT, copy_project, tool_env, venv_script
from test_site_build import EPOCH


def _build_from(cwd: Path, config: Path, site: Path) -> None:
    result = subprocess.run(
        [*venv_script("mkdocs"), "build", "--strict", "-f", str(config), "-d", str(site)],
        cwd=cwd,
        env=tool_env(EPOCH),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _machine_paths(site: Path, machine: Path) -> list[str]:
    """Files of the built site that hold `machine`, the folder everything was built in."""
    needle = str(machine).encode()
    return [str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and needle in p.read_bytes()]


def _credit_files(site: Path) -> set[str]:
    """Every file the credits.json files name (`file`, outages' `position`, without line and column)."""
    names: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("file", "position", "results_file") and isinstance(item, str):
                    names.add(item.split(":")[0])
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in (site / "agreements").glob("*/credits.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return names


def test_a_site_built_from_another_folder_names_files_from_the_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    config = copy_project(project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _build_from(elsewhere, config, tmp_path / "site")
    assert _machine_paths(tmp_path / "site", tmp_path) == []
    names = _credit_files(tmp_path / "site")
    assert names and all(n.startswith("agreements/") for n in names), sorted(names)[:5]
    assert {"agreements/acme-compute/agreement.yaml", "agreements/acme-compute/results/2025-01.yaml"} <= names
    # The same site as one built from the project folder itself.
    _build_from(project, config, tmp_path / "site-here")
    here = (tmp_path / "site-here" / "agreements" / "acme-compute" / "credits.json").read_bytes()
    assert (tmp_path / "site" / "agreements" / "acme-compute" / "credits.json").read_bytes() == here


def test_agreements_outside_the_project_are_named_from_their_own_folder(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    config = copy_project(project, agreements=False)
    shared = tmp_path / "shared" / "sla-agreements"
    shutil.copytree(REPO_ROOT / "agreements", shared)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("agreements: agreements\n", "agreements: ../shared/sla-agreements\n", 1), encoding="utf-8")
    _build_from(tmp_path, config, tmp_path / "site")
    assert _machine_paths(tmp_path / "site", tmp_path) == []
    names = _credit_files(tmp_path / "site")
    assert "sla-agreements/acme-compute/agreement.yaml" in names, sorted(names)[:5]
    page = (tmp_path / "site" / "agreements" / "acme-compute" / "index.html").read_text(encoding="utf-8")
    assert "sla-agreements/acme-compute/results/" in page


def test_sla_render_names_an_outside_agreements_folder_from_its_parent(tmp_path):
    shared = tmp_path / "shared" / "sla-agreements"
    shutil.copytree(REPO_ROOT / "agreements", shared)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [*venv_script("sla"), "render", str(work / "docs"), "--path", str(shared), "--today", "2026-12-01"],
        cwd=work,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _machine_paths(work / "docs", tmp_path) == []
    data = json.loads((work / "docs" / "agreements" / "acme-compute" / "credits.json").read_text(encoding="utf-8"))
    assert data["file"] == "sla-agreements/acme-compute/agreement.yaml"


def test_a_project_reached_through_a_link_keeps_its_edit_links(tmp_path):
    # The agreements folder is resolved; docs_dir must be too, or the relative path from one to
    # the other leads out of the link and names the real folder.
    real = tmp_path / "real-folder"
    real.mkdir()
    copy_project(real)
    (tmp_path / "linked").symlink_to(real)
    _build_from(tmp_path, tmp_path / "linked" / "mkdocs.yml", tmp_path / "site")
    page = (tmp_path / "site" / "agreements" / "acme-compute" / "index.html").read_text(encoding="utf-8")
    assert "real-folder" not in page
    assert "/agreements/acme-compute/agreement.yaml" in page


def test_the_terminal_names_a_broken_file_as_the_working_directory_does(tmp_path):
    """The pages name files from the project; the terminal from where the build was run, so
    that an editor or CI opens the error at its place."""
    project = tmp_path / "project"
    project.mkdir()
    config = copy_project(project)
    broken = project / "agreements" / "acme-compute" / "agreement.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [*venv_script("mkdocs"), "build", "-f", str(config), "-d", str(tmp_path / "site")],
        cwd=elsewhere,
        env=tool_env(EPOCH),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "acme-compute/agreement.yaml:" in line]
    assert lines, result.stderr
    assert all(str(broken) + ":" in line for line in lines), lines  # outside the working directory: the whole path
    # From the project folder itself: relative to it, as before.
    here = subprocess.run(
        [*venv_script("mkdocs"), "build", "-f", "mkdocs.yml", "-d", str(tmp_path / "site")],
        cwd=project,
        env=tool_env(EPOCH),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "agreements/acme-compute/agreement.yaml:" in here.stderr and str(project) not in here.stderr, here.stderr


def test_sla_render_errors_name_files_from_the_working_directory(tmp_path):
    shared = tmp_path / "shared" / "sla-agreements"
    shutil.copytree(REPO_ROOT / "agreements", shared)
    broken = shared / "acme-compute" / "agreement.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [*venv_script("sla"), "render", str(work / "docs"), "--path", "../shared/sla-agreements", "--today", "2026-12-01"],
        cwd=work,
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr, result.stderr


def test_the_terminal_name_undoes_the_site_name_exactly(tmp_path, monkeypatch):
    """Not a guess by which file exists: a good copy of the agreements in the working directory
    never takes the place of the broken file outside it, and a folder that is not there (no
    agreements folder at all) is named too."""
    from mkdocs_sla.core.diagnostics import Diagnostic, Position
    from mkdocs_sla.source.yamlsource import for_terminal

    def shown(name: str, project: Path, agreements: Path) -> str:
        return for_terminal(Diagnostic(Position(name, 9, 8), "error", "x"), project, agreements).position.file

    work = tmp_path / "work"
    (work / "sla-agreements" / "acme").mkdir(parents=True)  # a copy, in the way of a guess
    (work / "sla-agreements" / "acme" / "agreement.yaml").write_text("good\n")
    monkeypatch.chdir(work)
    shared = tmp_path / "shared" / "sla-agreements"
    assert shown("sla-agreements/acme/agreement.yaml", work, shared) == str(shared / "acme" / "agreement.yaml")
    project = tmp_path / "project"
    assert shown("agreements", project, project / "agreements") == str(project / "agreements")
    assert shown(".", project, project / "agreements") == str(project)
    # Inside the working directory: relative to it, as ever.
    assert shown("sla-agreements/acme/agreement.yaml", work, work / "sla-agreements") == "sla-agreements/acme/agreement.yaml"
    assert shown("mkdocs.yml", work, shared) == "mkdocs.yml"
    # Another file named in the message is renamed too, where the folder's name begins a path
    # to a file there; text quoted from a file stays as written.
    (shared / "acme" / "results").mkdir(parents=True)
    (shared / "acme" / "results" / "2026-01.yaml").write_text("period: 2026-01\n")
    text = "a second result (first in sla-agreements/acme/results/2026-01.yaml); not my-sla-agreements/x"
    quoted = "unknown time zone 'sla-agreements/Berlin'; nor sla-agreements/Berlin"
    assert for_terminal(Diagnostic(Position("x"), "error", quoted), work, shared).message == quoted
    renamed = for_terminal(Diagnostic(Position("sla-agreements/acme/agreement.yaml"), "error", text), work, shared).message
    assert renamed == f"a second result (first in {shared}/acme/results/2026-01.yaml); not my-sla-agreements/x"
    inside = Diagnostic(Position("sla-agreements/acme/agreement.yaml"), "error", text)
    assert for_terminal(inside, work, work / "sla-agreements") == inside  # named from here already
