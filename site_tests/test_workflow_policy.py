"""The GitHub workflows follow GitHub's hardening guidance: actions pinned to full commits with
the version beside them, no token left in .git/config where it is not used, permissions per
job and read-only by default, and no tag name that reaches mike as an option."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from helpers import REPO_ROOT, tool_env
from test_publish import git, workflow_steps

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


def test_there_are_the_three_workflows():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "publish.yml", "review.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_with_its_version_in_a_comment(path):
    lines = [USES.match(line) for line in path.read_text().splitlines()]
    uses = [(m.group(1), m.group(2)) for m in lines if m]
    assert uses, f"{path.name} uses no action"
    for reference, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", reference), f"{path.name}: {reference} is not pinned to a commit"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), f"{path.name}: {reference} has no `# vX.Y.Z` comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_read_only_at_the_top_and_writes_are_granted_per_job(path):
    workflow = yaml.safe_load(path.read_text())
    top = workflow["permissions"]
    assert all(level != "write" for level in top.values()), f"{path.name}: write access for the whole workflow: {top}"
    for job_id, job in workflow["jobs"].items():
        writes = {k for k, v in job.get("permissions", {}).items() if v == "write"}
        if writes:
            # A job that may write runs no pull request's code: it is not triggered by one,
            # or it checks nothing out and runs no shell step.
            triggers = workflow.get("on", workflow.get(True))
            runs_pr_code = "pull_request" in triggers and any(
                "run" in s or s.get("uses", "").startswith("actions/checkout") for s in job["steps"]
            )
            assert not runs_pr_code, f"{path.name}: job {job_id} may write {writes} and runs the pull request's code"


def test_ci_reads_the_repository_and_nothing_more():
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text())
    assert workflow["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkout_keeps_no_token_except_where_mike_pushes_with_it(path):
    workflow = yaml.safe_load(path.read_text())
    for job_id, job in workflow["jobs"].items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout"):
                expected = path.name == "publish.yml"  # mike deploy --push; on main and tags only
                assert step["with"]["persist-credentials"] is expected, f"{path.name}: job {job_id}"


@pytest.mark.parametrize("tag", ["v--help", "v-b", "v--push", "v1.0 latest"])
def test_a_tag_that_is_not_a_version_never_reaches_mike(tmp_path, tag):
    env = tool_env({"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"})
    (tmp_path / "gitconfig").write_text("")
    origin = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(origin), cwd=tmp_path, env=env)
    work = tmp_path / "work"
    git("clone", "--quiet", origin.as_uri(), str(work), cwd=tmp_path, env=env)
    (work / "README.md").write_text("x\n")
    dev = ["-c", "user.name=Maintainer", "-c", "user.email=maintainer@example.com"]
    git("add", ".", cwd=work, env=env)
    git(*dev, "commit", "--quiet", "-m", "x", cwd=work, env=env)
    git("push", "--quiet", "origin", "main", cwd=work, env=env)
    wf_env, steps = workflow_steps()
    run_env = {**env, **wf_env, "GITHUB_REF": f"refs/tags/{tag}", "GITHUB_REF_NAME": tag, "GITHUB_REF_TYPE": "tag"}
    results = {}
    for name, script in steps:
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=work, env=run_env, capture_output=True, text=True
        )
        results[name] = proc
    deploy = results["Deploy with mike"]
    assert deploy.returncode == 1, deploy.stdout + deploy.stderr
    assert "is not a version tag; expected v1.2.3" in deploy.stderr
    assert "usage: mike" not in deploy.stdout + deploy.stderr  # mike never ran
    assert "gh-pages" not in git("branch", "--list", cwd=origin, env=env)
