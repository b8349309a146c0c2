"""The pull-request review workflow, run for real.

A bare repository in tmp_path plays GitHub. `main` holds this project's site
(mkdocs.yml, docs/, theme/, agreements/) plus a test agreement; a pull-request
branch changes the test agreement. A fresh full clone checked out at the merge
of the branch into main plays actions/checkout (fetch-depth 0) on a
pull_request event, and the steps of .github/workflows/review.yml run as
written: every `run:` step in bash (the pip install excepted: the interpreter
running the tests has the project installed), and the github-script step's
JavaScript under node with a stand-in for GitHub's API, so that the one
comment is created, then updated rather than duplicated.

Two pushes to the pull request: the first makes an adverse change with full
notice (`sla diff` exit 3: comment, label, a warning, the check passes); the
second also rewrites a version in force (exit 4: the same comment updated,
the check fails).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from diff_helpers import GitRepo, terms_data, uptime, write_agreement
from helpers import REPO_ROOT, copy_project, tool_env

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "review.yml"
HOOKS = REPO_ROOT / ".pre-commit-hooks.yaml"
AGREEMENT_ID = "review-fixture"

# Runs a github-script `script:` as actions/github-script does (an async function of
# github, context, core and require), against an in-memory pull request.
GITHUB_SCRIPT_HARNESS = r"""
const fs = require('fs');
const [scriptFile, stateFile] = process.argv.slice(2);
const script = fs.readFileSync(scriptFile, 'utf8');
const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
const notFound = () => Object.assign(new Error('Not Found'), { status: 404 });
const check = (args) => {
  if (args.owner !== 'example' || args.repo !== 'mkdocs-sla' || (args.issue_number !== undefined && args.issue_number !== 7)) {
    throw new Error('wrong pull request: ' + JSON.stringify(args));
  }
};
const github = {
  paginate: async (method, args) => (await method(args)).data,
  rest: { issues: {
    listComments: async (args) => { check(args); return { data: state.comments }; },
    createComment: async (args) => {
      check(args);
      state.comments.push({ id: 100 + state.comments.length, body: args.body, user: { login: 'github-actions[bot]', type: 'Bot' } });
    },
    updateComment: async (args) => {
      check(args);
      const comment = state.comments.find(c => c.id === args.comment_id);
      if (!comment) throw notFound();
      comment.body = args.body;
    },
    addLabels: async (args) => { check(args); for (const l of args.labels) if (!state.labels.includes(l)) state.labels.push(l); },
    removeLabel: async (args) => {
      check(args);
      const i = state.labels.indexOf(args.name);
      if (i < 0) throw notFound();
      state.labels.splice(i, 1);
    },
  } },
};
const context = { repo: { owner: 'example', repo: 'mkdocs-sla' }, issue: { number: 7 } };
const core = { info() {}, warning() {}, setFailed(message) { throw new Error(message); } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', 'core', 'require', script)(github, context, core, require)
  .then(() => fs.writeFileSync(stateFile, JSON.stringify(state)))
  .catch((error) => { console.error(error); process.exit(1); });
"""

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_workflow() -> dict:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads `on:` as True
    assert triggers["pull_request"]["paths"] == ["agreements/**"]
    # Least privilege: nothing for the workflow; the job that runs the pull request's code
    # reads only; the job that may write to the pull request runs none of it.
    assert workflow["permissions"] == {}
    review, comment = workflow["jobs"]["review"], workflow["jobs"]["comment"]
    assert review["permissions"] == {"contents": "read"}
    assert comment["permissions"]["pull-requests"] == "write"
    assert comment["needs"] == "review"
    assert not [s for s in comment["steps"] if "run" in s or s.get("uses", "").startswith("actions/checkout")]
    assert workflow["env"]["NO_MKDOCS_2_WARNING"] == "1"
    return workflow


def evaluate(value: str, outputs: dict[str, dict[str, str]], github: dict[str, str]) -> str:
    """The few expressions the workflow's env uses: github.<key> and steps.<id>.outputs.<key>."""

    def one(match: re.Match) -> str:
        expression = match.group(1)
        if expression.startswith("github."):
            return github[expression[len("github.") :]]
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert step, f"expression the test cannot evaluate: {expression}"
        return outputs.get(step.group(1), {}).get(step.group(2), "")

    return EXPRESSION.sub(one, str(value))


def run_workflow(workdir: Path, tmp: Path, state_file: Path, env: dict[str, str]) -> dict[str, subprocess.CompletedProcess]:
    """Both jobs: `review` in `workdir` (the checkout), then `comment` in an empty folder that
    receives only the downloaded artifact; returns the finished `run:` steps by name."""
    workflow = load_workflow()
    artifacts: dict[str, Path] = {}
    done = run_job(workflow, "review", workdir, tmp, state_file, env, artifacts)
    assert set(artifacts) == {"site", "sla-diff"}
    comment_dir = tmp / f"{workdir.name}-comment"
    comment_dir.mkdir()
    done.update(run_job(workflow, "comment", comment_dir, tmp, state_file, env, artifacts))
    return done


def run_job(
    workflow: dict, job_id: str, workdir: Path, tmp: Path, state_file: Path, env: dict[str, str], artifacts: dict[str, Path]
) -> dict[str, subprocess.CompletedProcess]:
    """Every step of one job in `workdir`; uploads are copied into `artifacts`, downloads out of it."""
    job = workflow["jobs"][job_id]
    github = {"base_ref": "main"}
    base_env = {**env, **{k: evaluate(v, {}, github) for k, v in workflow["env"].items()}}
    outputs: dict[str, dict[str, str]] = {}
    done: dict[str, subprocess.CompletedProcess] = {}
    for index, step in enumerate(job["steps"]):
        name = step.get("name", step.get("uses", step.get("run")))
        uses = step.get("uses", "")
        step_env = {k: evaluate(v, outputs, github) for k, v in step.get("env", {}).items()}
        if uses:
            # Pinned to a full commit, the version in a comment.
            assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", uses), f"{name}: {uses} is not pinned to a commit"
        if uses.startswith("actions/checkout"):
            assert step["with"]["persist-credentials"] is False, "the token must not stay in .git/config"
        if uses.startswith(("actions/checkout", "actions/setup-python")):
            continue  # played by the test: the clone at the merge commit, this interpreter
        if uses.startswith("actions/upload-artifact"):
            source = workdir / step["with"]["path"]
            assert source.is_dir(), f"{name}: nothing to upload at {step['with']['path']}"
            artifacts[step["with"]["name"]] = tmp / f"artifact-{workdir.name}-{step['with']['name']}"
            shutil.copytree(source, artifacts[step["with"]["name"]])
            continue
        if uses.startswith("actions/download-artifact"):
            shutil.copytree(artifacts[step["with"]["name"]], workdir / step["with"]["path"])
            continue
        if uses.startswith("actions/github-script"):
            # No skip: `make test` and .ci/run install node (Debian's nodejs) with the browser.
            assert shutil.which("node"), "node is missing: run `make browser` (apt-get install -y nodejs)"
            script = tmp / f"script-{index}.js"
            script.write_text(step["with"]["script"])
            harness = tmp / "harness.js"
            harness.write_text(GITHUB_SCRIPT_HARNESS)
            proc = subprocess.run(
                ["node", str(harness), str(script), str(state_file)],
                cwd=workdir,
                env={**base_env, **step_env},
                capture_output=True,
                text=True,
            )
            assert proc.returncode == 0, f"{name}:\n{proc.stdout}{proc.stderr}"
            continue
        assert "run" in step, f"step {name!r} is neither run: nor a known action"
        script = step["run"]
        assert "${{" not in script, f"step {name!r} uses an expression in run:; pass it through env:"
        if script.startswith("pip install"):
            continue
        output_file, summary_file = tmp / f"output-{index}", tmp / f"summary-{index}"
        output_file.write_text("")
        summary_file.write_text("")
        # GitHub's default `run` shell: bash --noprofile --norc -eo pipefail.
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workdir,
            env={**base_env, **step_env, "GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary_file)},
            capture_output=True,
            text=True,
        )
        if "id" in step:
            outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
        done[name] = proc
    return done


def pull_request_checkout(origin: Path, workdir: Path, env: dict[str, str], date: str) -> None:
    """actions/checkout on pull_request: the merge of the branch into main, every branch fetched."""

    def git(*args):
        proc = subprocess.run(["git", *args], cwd=workdir if workdir.exists() else origin.parent, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr

    git("clone", "--quiet", origin.as_uri(), str(workdir))
    git("checkout", "--quiet", "--detach", "origin/main")
    stamp = f"{date}T12:00:00+00:00"
    merge_env = {**env, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
    proc = subprocess.run(
        ["git", "merge", "--quiet", "--no-ff", "-m", "Merge pull request #7", "origin/change"],
        cwd=workdir,
        env=merge_env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_review_workflow_comments_once_labels_adverse_changes_and_fails_on_rewritten_history(tmp_path):
    # The maintainers' repository, on "GitHub".
    src = GitRepo(tmp_path / "src")
    env = {**tool_env(), **{k: v for k, v in src.env.items() if k.startswith("GIT_")}}
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(origin)], env=env, check=True)
    copy_project(src.path, ignore=("__pycache__", "site"))
    write_agreement(src.agreements, [terms_data(id=AGREEMENT_ID)], agreement_id=AGREEMENT_ID)
    src.commit("Site and agreements", "2025-05-01")
    src.git("remote", "add", "origin", origin.as_uri())
    src.git("push", "--quiet", "origin", "main")

    # First push to the pull request: an adverse change with 90 days of notice.
    def lower(data):
        uptime(data).update(objective="99.8")
        uptime(data)["credits"]["tiers"][0]["below"] = "99.8"

    lowered = terms_data(lower, id=AGREEMENT_ID, version="1.1", effective="2025-10-01")
    src.git("checkout", "--quiet", "-b", "change")
    write_agreement(src.agreements, [terms_data(id=AGREEMENT_ID), lowered], agreement_id=AGREEMENT_ID)
    src.commit("Lower the uptime objective from October", "2025-06-15")
    src.git("push", "--quiet", "origin", "change")

    state_file = tmp_path / "pull-request.json"
    state_file.write_text(
        json.dumps(
            {"comments": [{"id": 1, "body": "Looks good <!-- sla-diff -->", "user": {"login": "someone", "type": "User"}}], "labels": []}
        )
    )
    run1 = tmp_path / "run-1"
    pull_request_checkout(origin, run1, env, "2025-06-15")
    steps = run_workflow(run1, tmp_path, state_file, env)

    for name in ("Validate the agreements", "Build the site", "Compare with the base branch"):
        assert steps[name].returncode == 0, f"{name}:\n{steps[name].stdout}\n{steps[name].stderr}"
    assert (run1 / "site" / "index.html").is_file()
    report = (run1 / "sla-diff" / "diff.md").read_text()
    assert report.splitlines()[0] == "**SLA changes:** 1 agreement changed, 2 adverse changes, history intact."
    assert f"## {AGREEMENT_ID} — Compute" in report
    assert "- 🔴 **adverse**: Monthly uptime: objective lowered from 99.9% to 99.8%" in report
    gate = steps["Fail on rewritten history, a notice violation or invalid input"]
    assert gate.returncode == 0
    assert gate.stdout.startswith("::warning title=Adverse changes::")

    state = json.loads(state_file.read_text())
    bot = [c for c in state["comments"] if c["user"]["type"] == "Bot"]
    assert len(bot) == 1, "the workflow posts one comment"
    assert bot[0]["body"].startswith("<!-- sla-diff -->\n\n**SLA changes:** 1 agreement changed, 2 adverse changes")
    assert "⚠️ **Adverse changes for customers.**" in bot[0]["body"]
    assert state["labels"] == ["adverse-change"]
    assert state["comments"][0]["body"] == "Looks good <!-- sla-diff -->"  # a person's comment quoting the marker is left alone

    # Second push: the version in force is rewritten as well.
    src.git("checkout", "--quiet", "change")
    rewritten = terms_data(lambda d: d["exclusions"].append("Force majeure."), id=AGREEMENT_ID)
    write_agreement(src.agreements, [rewritten, lowered], agreement_id=AGREEMENT_ID)
    src.commit("Also exclude force majeure", "2025-06-16")
    src.git("push", "--quiet", "origin", "change")
    run2 = tmp_path / "run-2"
    pull_request_checkout(origin, run2, env, "2025-06-16")
    steps = run_workflow(run2, tmp_path, state_file, env)

    assert steps["Compare with the base branch"].returncode == 0
    report = (run2 / "sla-diff" / "diff.md").read_text()
    assert report.splitlines()[0] == "**SLA changes:** 1 agreement changed, 3 adverse changes, history rewritten."
    gate = steps["Fail on rewritten history, a notice violation or invalid input"]
    assert gate.returncode == 4
    assert gate.stdout.startswith("::error title=History rewritten::")

    state = json.loads(state_file.read_text())
    bot = [c for c in state["comments"] if c["user"]["type"] == "Bot"]
    assert len(bot) == 1, "a later push updates the comment instead of adding one"
    assert "history rewritten" in bot[0]["body"] and "⛔ **History rewritten.**" in bot[0]["body"]
    assert state["labels"] == ["adverse-change"]


def test_pre_commit_hook_runs_sla_validate_on_agreements(tmp_path):
    (hook,) = yaml.safe_load(HOOKS.read_text())
    assert hook["id"] == "sla-validate"
    assert (hook["entry"], hook["language"], hook["files"], hook["pass_filenames"]) == ("sla validate", "python", "^agreements/", False)
    assert re.search(hook["files"], "agreements/acme-compute/agreement.yaml")
    assert not re.search(hook["files"], "docs/index.md")
    # The entry, run as pre-commit runs it: in the repository root, no file names.
    write_agreement(tmp_path / "agreements", [terms_data()])
    ok = subprocess.run(hook["entry"].split(), cwd=tmp_path, env=tool_env(), capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (tmp_path / "agreements" / "compute" / "agreement.yaml").write_text("id: compute\n")
    bad = subprocess.run(hook["entry"].split(), cwd=tmp_path, env=tool_env(), capture_output=True, text=True)
    assert bad.returncode == 1
    assert bad.stdout.startswith("agreements/compute/agreement.yaml:1:1: error: missing key")
