"""The publish workflow and the audiences: gh-pages gets the public site only, unreleased terms
only where the provider opts in, customer sites only as archives of a private repository's
artifact, and a daily run rebuilds the latest release as of its own day.

The workflow's `run:` steps are played as in test_publish.py, against a bare repository.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import tarfile
from pathlib import Path

from helpers import REPO_ROOT
from leak_helpers import private_tokens
from mkdocs_sla.builds import tree_audiences
from mkdocs_sla.core.audiences import PUBLIC, AudienceKind
from test_publish import git, pushed_project, run_workflow


def epoch(day: str) -> str:
    return str(int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()))


def project(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """(the bare "GitHub" repository, the maintainers' clone, the environment) with this project's site on main."""
    return pushed_project(tmp_path, ("M", "m@example.com"))


def event_file(tmp_path: Path, visibility: str) -> dict[str, str]:
    """GITHUB_EVENT_PATH of a run in a repository of this visibility."""
    path = tmp_path / f"event-{visibility}.json"
    path.write_text(json.dumps({"repository": {"visibility": visibility}}))
    return {"GITHUB_EVENT_PATH": str(path)}


def gh_pages_paths(origin: Path, env) -> list[str]:
    return git("ls-tree", "-r", "--name-only", "gh-pages", cwd=origin, env=env).split()


def test_gh_pages_gets_the_public_site_only_and_customers_get_private_archives(tmp_path):
    origin, src, env = project(tmp_path)
    customers = sorted(a.customer for a in tree_audiences(REPO_ROOT / "agreements")[1] if a.kind is AudienceKind.CUSTOMER)
    assert len(customers) >= 3

    # A push to main without the provider's opt-in publishes nothing: unreleased terms stay private.
    run_workflow(origin, "refs/heads/main", tmp_path / "run-main", env, event_file(tmp_path, "private"))
    assert git("branch", "--list", "gh-pages", cwd=origin, env=env).strip() == ""

    # A release of a private repository: the public site on gh-pages, an archive per customer.
    git("-c", "user.name=M", "-c", "user.email=m@example.com", "tag", "-a", "-m", "v1.0", "v1.0", cwd=src, env=env)
    git("push", "--quiet", "origin", "v1.0", cwd=src, env=env)
    release = tmp_path / "run-v1.0"
    run_workflow(origin, "refs/tags/v1.0", release, env, {**event_file(tmp_path, "private"), "SOURCE_DATE_EPOCH": epoch("2026-12-10")})
    paths = gh_pages_paths(origin, env)
    assert "1.0/agreements/acme-compute/index.html" in paths  # public terms
    assert not any("/statements/" in p for p in paths), "statements on the public site"
    assert not any(p.startswith("1.0/agreements/object-store") for p in paths)
    for token in sorted(private_tokens(REPO_ROOT / "agreements", PUBLIC)):
        found = subprocess.run(["git", "grep", "-l", "-F", "-e", token, "gh-pages"], cwd=origin, env=env, capture_output=True, text=True)
        assert found.stdout == "", f"{token!r} of a private agreement is on gh-pages: {found.stdout}"
    archives = sorted(p.name for p in (release / "_customer-sites").iterdir())
    assert archives == sorted(f"{key}.tar.gz" for key in customers)
    with tarfile.open(release / "_customer-sites" / "northwind-retail-plc.tar.gz") as tar:
        names = tar.getnames()
        statement = tar.extractfile("./agreements/statements/northwind-retail-plc/2025-12.json").read()
    assert "./404.html" in names and "./sitemap.xml" in names and "./search/search_index.json" in names
    assert [a["agreement"] for a in json.loads(statement)["agreements"]] == ["acme-compute", "acme-database"]

    # The same workflow in a public repository builds no customer site at all.
    public_run = tmp_path / "run-public"
    run_workflow(origin, "refs/tags/v1.0", public_run, env, {**event_file(tmp_path, "public"), "SOURCE_DATE_EPOCH": epoch("2026-12-10")})
    assert not (public_run / "_customer-sites").exists()

    # The daily run rebuilds the latest release as of its own day.
    before = git("show", "gh-pages:1.0/index.html", cwd=origin, env=env)
    assert "As of 2026-12-10" in before
    run_workflow(
        origin,
        "refs/heads/main",
        tmp_path / "run-daily",
        env,
        {**event_file(tmp_path, "private"), "SOURCE_DATE_EPOCH": epoch("2026-12-11")},
        event="schedule",
    )
    after = git("show", "gh-pages:1.0/index.html", cwd=origin, env=env)
    assert "As of 2026-12-11" in after
    assert json.loads(git("show", "gh-pages:versions.json", cwd=origin, env=env)) == [
        {"version": "1.0", "title": "1.0", "aliases": ["latest"]}
    ]
