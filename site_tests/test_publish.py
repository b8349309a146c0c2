"""The versioned site on GitHub Pages, tested for real.

A bare repository in tmp_path plays GitHub. For each event (a push to main,
then release tags v1.0 and v2.0) a fresh full clone plays actions/checkout
(fetch-depth 0), and the `run:` steps of .github/workflows/publish.yml are
executed as written, so the workflow itself is under test, not a copy of its
commands. The gh-pages branch of the bare repository is then checked as
GitHub Pages would serve it: served over HTTP on loopback and opened in
Chromium, where Material's version selector must list the deployed versions
and switch between them.

The site is this project's own: mkdocs.yml, docs/, theme/ and agreements/ as
they are when the test runs.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import yaml
from playwright.sync_api import expect

from helpers import REPO_ROOT, copy_project, tool_env

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "publish.yml"
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
# The provider's opt-in to publishing main's unreleased terms as `dev`.
OPT_IN_DEV = {"SLA_PUBLISH_DEV": "true"}


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def workflow_steps() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(env, [(step name, script)]) of the publish job's shell steps."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    # PyYAML reads the key `on:` as True; the triggers must cover main and tags.
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["push"]["tags"] == ["v*"]
    assert triggers["schedule"], "the site is rebuilt daily, so statuses and days left hold on today"
    # Write access only where it is used: the deploy job, not the workflow as a whole.
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["contents"] == "write"
    env = {**workflow.get("env", {}), **job.get("env", {})}
    steps = []
    for step in job["steps"]:
        if "run" not in step:
            continue  # actions/checkout and setup-python: played by the test itself
        script = step["run"]
        if script.startswith("pip install"):
            continue  # the interpreter running the tests has the project installed
        # Nothing evaluates ${{ }} here, so such a step could not be tested.
        assert "${{" not in script, f"step {step.get('name')!r} uses a ${{{{ }}}} expression"
        assert "env" not in step, "step-level env is not supported by this test"
        steps.append((step.get("name", script), script))
    assert any("mike deploy" in script for _, script in steps)
    return {k: str(v) for k, v in env.items()}, steps


def run_workflow(
    origin: Path, ref: str, workdir: Path, env: dict[str, str], overrides: dict[str, str] | None = None, event: str = "push"
) -> None:
    """Play one run of the publish workflow for `ref` (refs/heads/... or refs/tags/...), triggered
    by `event`; `overrides`: the workflow's env as a provider sets it (e.g. SLA_PUBLISH_DEV)."""
    wf_env, steps = workflow_steps()
    kind, name = re.fullmatch(r"refs/(heads|tags)/(.+)", ref).groups()
    # actions/checkout with fetch-depth 0: every branch and tag, then the ref.
    git("clone", "--quiet", origin.as_uri(), str(workdir), cwd=origin.parent, env=env)
    git("checkout", "--quiet", "--detach", ref if kind == "tags" else f"origin/{name}", cwd=workdir, env=env)
    run_env = {
        **env,
        **wf_env,
        "GITHUB_REF": ref,
        "GITHUB_REF_NAME": name,
        "GITHUB_REF_TYPE": "tag" if kind == "tags" else "branch",
        "GITHUB_EVENT_NAME": event,
        **(overrides or {}),
    }
    for step_name, script in steps:
        # GitHub's default `run` shell: bash --noprofile --norc -eo pipefail.
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workdir,
            env=run_env,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"{ref}: step {step_name!r} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def gh_pages_file(origin: Path, path: str, env: dict[str, str]) -> str:
    return git("show", f"gh-pages:{path}", cwd=origin, env=env)


def versions(origin: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """versions.json of gh-pages as {version: aliases}."""
    return {v["version"]: v["aliases"] for v in json.loads(gh_pages_file(origin, "versions.json", env))}


def root_redirect(origin: Path, env: dict[str, str]) -> str:
    html = gh_pages_file(origin, "index.html", env)
    match = re.search(r'window\.location\.replace\(\s*"([^"]+)"', html)
    assert match, f"root index.html is not mike's redirect:\n{html}"
    return match.group(1)


def pushed_project(
    tmp_path: Path, maintainer: tuple[str, str] = ("Maintainer", "maintainer@example.com")
) -> tuple[Path, Path, dict[str, str]]:
    """(the bare "GitHub" repository, the maintainers' clone, the environment) with this project's
    site committed by `maintainer` (name, e-mail) and pushed to main."""
    # Isolated git: no user/system config (the identity must come from the
    # workflow's own step), fixed identity only for the project commits below.
    (tmp_path / "gitconfig").write_text("")
    env = tool_env({"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"})
    origin = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(origin), cwd=tmp_path, env=env)
    # The maintainers' repository: this project's site, pushed to "GitHub".
    src = tmp_path / "src"
    git("clone", "--quiet", origin.as_uri(), str(src), cwd=tmp_path, env=env)
    copy_project(src)
    git("add", ".", cwd=src, env=env)
    git("-c", f"user.name={maintainer[0]}", "-c", f"user.email={maintainer[1]}", "commit", "--quiet", "-m", "Site", cwd=src, env=env)
    git("push", "--quiet", "origin", "main", cwd=src, env=env)
    return origin, src, env


def test_publish_workflow_deploys_versions_and_selector_switches(tmp_path, page, serve_dir):
    origin, src, env = pushed_project(tmp_path)
    assert (src / "mkdocs.yml").exists()
    dev = ["-c", "user.name=Maintainer", "-c", "user.email=maintainer@example.com"]

    # A push to main before any release: `dev`, and the root points at it.
    run_workflow(origin, "refs/heads/main", tmp_path / "run-main", env, OPT_IN_DEV)
    assert versions(origin, env) == {"dev": []}
    assert root_redirect(origin, env) == "dev/"
    # The root 404.html comes from dev/ until there is a release, its links pointed there.
    first_404 = gh_pages_file(origin, "404.html", env)
    assert "/mkdocs-sla/dev/agreements/" in first_404 and "/mkdocs-sla/latest/" not in first_404

    for tag in ["v1.0", "v2.0"]:
        git(*dev, "commit", "--quiet", "--allow-empty", "-m", f"Release {tag}", cwd=src, env=env)
        git(*dev, "tag", "-a", "-m", tag, tag, cwd=src, env=env)
        git("push", "--quiet", "origin", "main", tag, cwd=src, env=env)
        run_workflow(origin, f"refs/tags/{tag}", tmp_path / f"run-{tag}", env, OPT_IN_DEV)

    # `latest` moved from 1.0 to 2.0 (--update-aliases), dev untouched.
    assert versions(origin, env) == {"2.0": ["latest"], "1.0": [], "dev": []}
    assert root_redirect(origin, env) == "latest/"
    assert git("log", "-1", "--format=%an <%ae>", "gh-pages", cwd=origin, env=env).strip() == BOT
    assert "Redirecting" not in gh_pages_file(origin, "1.0/index.html", env)
    # mike's plugin (canonical_version: latest): every version's pages name the `latest/`
    # copy as canonical, and the feed's links point there too.
    deployed = gh_pages_file(origin, "1.0/agreements/acme-compute/index.html", env)
    assert '<link rel="canonical" href="https://example.github.io/mkdocs-sla/latest/agreements/acme-compute/">' in deployed
    assert "https://example.github.io/mkdocs-sla/latest/agreements/acme-compute/versions/" in gh_pages_file(origin, "1.0/feed.xml", env)

    # GitHub Pages' view of the branch (git archive keeps the `latest` symlink).
    pages = tmp_path / "pages"
    pages.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", "gh-pages"], cwd=origin, env=env, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(pages)], input=archive.stdout, check=True)
    base = serve_dir(pages)

    # The root redirects to latest/, which is 2.0.
    page.goto(base)
    page.wait_for_url(base + "latest/")
    current = page.locator(".md-version__current")
    current.wait_for()
    assert current.inner_text().strip() == "2.0"

    # 1.0's selector is filled from ../versions.json and lists every version.
    page.goto(base + "1.0/")
    current.wait_for()
    assert current.inner_text().strip() == "1.0"
    # A real mouse move: Playwright's hover() refuses because the (still
    # transparent) list lies over the button, which is how Material draws it.
    box = current.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".md-version__list")).to_have_css("opacity", "1")
    links = page.locator(".md-version__list .md-version__link")
    assert sorted(t.strip() for t in links.all_inner_texts()) == ["1.0", "2.0", "dev"]

    links.filter(has_text=re.compile(r"^2\.0$")).click()
    page.wait_for_url(base + "2.0/")
    current.wait_for()
    assert current.inner_text().strip() == "2.0"
    assert page.console_errors == []

    # A root 404.html (the only one GitHub Pages shows), styled, with a way back to the catalog.
    # Its links are absolute (site_url's path), so it is served here where GitHub serves it.
    served = tmp_path / "served"
    served.mkdir()
    (served / "mkdocs-sla").symlink_to(pages, target_is_directory=True)
    base = serve_dir(served) + "mkdocs-sla/"
    page.goto(base + "404.html")
    assert page.locator("article h1").inner_text().startswith("Page not found")
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    page.locator("article a", has_text="All agreements").click()
    page.wait_for_url(base + "latest/agreements/")
    assert page.locator("article h1").inner_text().startswith("Agreements")
    assert page.console_errors == []
