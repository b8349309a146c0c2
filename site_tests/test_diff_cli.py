"""`sla diff`, `sla validate --against`, `sla lock` and `sla schema` on real git repositories.

Each test makes a repository in tmp_path, commits a BASE, changes the
agreements, commits a HEAD (dated, since the date of the change decides what
is in force, what is past and how much notice was given), and runs `sla` in
it as a reviewer would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diff_helpers import GitRepo, compute_repo, outage_results, sla, terms_data, uptime, write_agreement
from helpers import REPO_ROOT
from mkdocs_sla.cli import DIFF_EXIT_STATUS
from mkdocs_sla.source.schema import AGREEMENT_SCHEMA_ID, RESULTS_SCHEMA_ID, agreement_schema, results_schema

BASE_DATE = "2025-05-01"
HEAD_DATE = "2025-06-15"  # 90 days of notice: adverse changes from 2025-09-13


@pytest.fixture
def repo(tmp_path) -> GitRepo:
    """A repository whose `main` holds one agreement in force since 2025-01 and the results of 2025-03."""
    return compute_repo(tmp_path / "repo", BASE_DATE)


def new_version(edit, effective="2025-10-01", **top):
    return terms_data(edit, version="1.1", effective=effective, published="2025-06-15", **top)


def change_and_commit(repo: GitRepo, versions, results=None, date=HEAD_DATE) -> str:
    write_agreement(repo.agreements, versions, results)
    return repo.commit("Change", date)


# ---------------------------------------------------------------- exit statuses and formats


def test_no_changes_exit_0(repo):
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 0
    assert run.stdout.startswith("No changes to agreements.\n")


def test_only_favourable_changes_exit_0(repo):
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.95"))])
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 0, run.stderr
    assert "+ favourable  Monthly uptime: objective raised from 99.9% to 99.95%" in run.stdout


def test_an_adverse_change_exits_3_and_reads_in_domain_words_in_every_format(repo):
    head = change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"), changes="Objective lowered.")])
    text = sla("diff", "base", "HEAD", cwd=repo.path)
    assert text.status == 3
    assert text.stdout.splitlines()[0] == "1 agreement changed, 2 adverse changes, history intact."
    assert f"base base ({repo.git('rev-parse', 'base').strip()[:7]}) -> head HEAD ({head[:7]}), as of {HEAD_DATE}" in text.stdout
    assert "  version 1.1 (new, effective 2025-10-01, compared with 1.0)" in text.stdout
    assert "    - adverse     Monthly uptime: objective lowered from 99.9% to 99.8%" in text.stdout
    assert (
        "    - adverse     Monthly uptime: at an attainment at least 99.8% and below 99.9% the credit falls from 10% to 0%" in text.stdout
    )
    assert "sla diff: adverse changes (exit 3)" in text.stderr

    markdown = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path)
    assert markdown.status == 3
    lines = markdown.stdout.splitlines()
    assert lines[0] == "**SLA changes:** 1 agreement changed, 2 adverse changes, history intact."
    assert "## compute — Compute" in lines
    assert "### version 1.1 (new, effective 2025-10-01, compared with 1.0)" in lines
    assert "- 🔴 **adverse**: Monthly uptime: objective lowered from 99.9% to 99.8%" in lines
    assert "> Objective lowered." in lines

    document = json.loads(sla("diff", "base", "HEAD", "--format", "json", cwd=repo.path).stdout)
    assert document["summary"] == {
        "headline": "1 agreement changed, 2 adverse changes, history intact.",
        "agreements_changed": 1,
        "adverse_changes": 2,
        "rewrites_history": False,
        "notice_violations": 0,
        "invalid_at_head": [],
    }
    (agreement,) = document["agreements"]
    (version,) = agreement["versions"]
    assert version["changes"][0] == {
        "kind": "objective",
        "subject": "metrics.uptime.objective",
        "summary": "Monthly uptime: objective lowered from 99.9% to 99.8%",
        "effect": "adverse",
    }


def test_a_reworded_definition_shows_a_word_diff(repo):
    change_and_commit(
        repo,
        [
            terms_data(),
            new_version(
                lambda d: uptime(d).update(
                    definition="The minutes in the month in which the region was available, as a share of all minutes."
                )
            ),
        ],
    )
    text = sla("diff", "base", "HEAD", cwd=repo.path)
    assert text.status == 0
    assert "The minutes in the month [-when-]{+in which+} the region was available" in text.stdout
    markdown = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path).stdout
    assert "The minutes in the month ~~when~~ **in which** the region was available" in markdown
    document = json.loads(sla("diff", "base", "HEAD", "--format", "json", cwd=repo.path).stdout)
    change = document["agreements"][0]["versions"][0]["changes"][0]
    assert {"op": "removed", "text": "when"} in change["word_diff"]


def test_a_version_in_force_edited_rewrites_history_exit_4(repo):
    change_and_commit(repo, [terms_data(lambda d: d["exclusions"].append("Force majeure."))], {"2025-03": outage_results("2025-03", 60)})
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 4  # adverse too: 4 wins over 3
    assert run.stdout.splitlines()[0] == "1 agreement changed, 1 adverse change, history rewritten."
    assert "version 1.0 (REWRITTEN after publication: rewrites history, effective 2025-01-01)" in run.stdout
    markdown = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path).stdout
    assert markdown.splitlines()[0] == "**SLA changes:** 1 agreement changed, 1 adverse change, history rewritten."


def test_results_of_a_past_period_edited_show_the_credit_before_and_after_exit_4(repo):
    change_and_commit(repo, [terms_data()], {"2025-03": outage_results("2025-03", 300)})
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 4
    assert (
        "  + favourable  2025-03 results edited: credit before 10% (100.00 USD), after 25% (250.00 USD) — past period: rewrites history"
    ) in run.stdout
    assert "        uptime: 99.865% -> 99.327%" in run.stdout
    document = json.loads(sla("diff", "base", "HEAD", "--format", "json", cwd=repo.path).stdout)
    (results,) = document["agreements"][0]["results"]
    assert results["credit_before"] == {"percent": "10", "amount": "100", "below_minimum": False, "issued": "100", "currency": "USD"}
    assert results["credit_after"]["percent"] == "25"
    assert results["rewrites_history"] is True


def test_results_added_for_a_new_period_are_no_rewrite(repo):
    change_and_commit(repo, [terms_data()], {"2025-03": outage_results("2025-03", 60), "2025-05": outage_results("2025-05", 0)})
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 0
    assert "results added for 2025-05: credit 0% (0.00 USD)" in run.stdout


def test_an_adverse_change_without_the_promised_notice_exits_5(repo):
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"), effective="2025-08-01")])
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 5
    assert (
        "ERROR notice: version `1.1` makes 2 adverse change(s) effective 2025-08-01, sooner than the 90 days of notice "
        "the agreement promises; expected `effective` on or after 2025-09-13"
    ) in run.stdout
    assert run.stdout.splitlines()[0] == "1 agreement changed, 2 adverse changes, history intact, 1 notice violation."


def test_notice_counts_from_the_head_commit_date(repo):
    # The same change committed 60 days earlier gives full notice.
    change_and_commit(
        repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"), effective="2025-08-01")], date="2025-04-20"
    )
    assert sla("diff", "base", "HEAD", cwd=repo.path).status == 3


def test_validate_against_base_reports_a_notice_violation_at_the_effective_date(repo):
    write_agreement(repo.agreements, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"), effective="2025-08-01")])
    run = sla("validate", "--against", "base", "--today", HEAD_DATE, cwd=repo.path)
    assert run.status == 1
    text = (repo.agreements / "compute" / "agreement.yaml").read_text().splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.startswith("effective: 2025-08-01") or t.startswith("effective: '2025-08-01'"))
    assert run.stdout.startswith(f"agreements/compute/agreement.yaml:{line}:12: error: version `1.1` makes 2 adverse change(s)")
    github = sla("validate", "--against", "base", "--today", HEAD_DATE, "--format", "github", cwd=repo.path)
    assert github.stdout.startswith(f"::error file=agreements/compute/agreement.yaml,line={line},col=12::version `1.1`")
    # With full notice, the same change validates.
    assert sla("validate", "--against", "base", "--today", "2025-04-20", cwd=repo.path).status == 0


def test_the_working_tree_is_the_default_head(repo):
    write_agreement(repo.agreements, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"))])
    run = sla("diff", "base", "--today", HEAD_DATE, cwd=repo.path)
    assert run.status == 3
    assert "-> head working tree, as of 2025-06-15" in run.stdout


def test_two_folders_can_be_compared_without_git(tmp_path):
    write_agreement(tmp_path / "old" / "agreements", [terms_data()])
    write_agreement(tmp_path / "new" / "agreements", [terms_data(), new_version(lambda d: d["metrics"].pop(1))])
    run = sla("diff", "old", "new", "--today", HEAD_DATE, cwd=tmp_path)
    assert run.status == 3
    assert "metric Median response time removed" in run.stdout


def test_diff_never_touches_the_checkout(repo):
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"))])
    write_agreement(repo.agreements, [terms_data(summary="Uncommitted edit.")])
    status = repo.git("status", "--porcelain")
    sla("diff", "base", "HEAD", cwd=repo.path)
    assert repo.git("status", "--porcelain") == status
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_an_untracked_agreement_in_the_working_tree_is_reported_as_added(repo):
    write_agreement(repo.agreements, [terms_data(id="storage", title="Storage")], agreement_id="storage")
    run = sla("diff", "base", "--today", HEAD_DATE, cwd=repo.path)
    assert run.status == 0
    assert "storage: added — Storage" in run.stdout


def test_only_agreements_that_changed_are_read(repo):
    # An agreement broken before and after the change is not this change's business.
    (repo.agreements / "legacy").mkdir()
    (repo.agreements / "legacy" / "agreement.yaml").write_text("id: legacy\n")
    repo.commit("Legacy", BASE_DATE)
    repo.git("branch", "-f", "base")
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.95"))])
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 0, run.stdout
    assert "legacy" not in run.stdout


def test_a_file_beside_the_agreement_folders_makes_the_whole_tree_compared(repo):
    (repo.agreements / "README.md").write_text("The agreements.\n")
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"))])
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 3
    assert run.stdout.startswith("1 agreement changed, 2 adverse changes")


# ---------------------------------------------------------------- bad input


def test_a_ref_that_does_not_exist_exits_1_with_a_clear_message(repo):
    run = sla("diff", "no-such-branch", "HEAD", cwd=repo.path)
    assert run.status == 1 and run.stdout == ""
    assert run.stderr.startswith("sla diff: `no-such-branch` is not a commit in ")
    assert "no branch, tag or commit of that name" in run.stderr


def test_a_base_without_agreements_exits_1(tmp_path):
    repo = GitRepo(tmp_path / "repo")
    (repo.path / "README.md").write_text("Nothing yet.\n")
    repo.commit("Empty", BASE_DATE)
    write_agreement(repo.agreements, [terms_data()])
    repo.commit("First agreement", HEAD_DATE)
    run = sla("diff", "HEAD~1", "HEAD", cwd=repo.path)
    assert run.status == 1
    assert "has no `agreements/` folder; expected the agreements there" in run.stderr


def test_outside_a_git_repository_a_ref_is_refused(tmp_path):
    run = sla("diff", "main", cwd=tmp_path)
    assert run.status == 1
    assert "is not inside a git repository" in run.stderr


def test_an_agreement_invalid_at_base_but_valid_at_head_is_still_compared(repo):
    (repo.agreements / "compute" / "agreement.yaml").write_text("id: compute\nversion: [unclosed\n")
    repo.commit("Broken", BASE_DATE)
    repo.git("branch", "-f", "broken")
    change_and_commit(repo, [terms_data()], {"2025-03": outage_results("2025-03", 60)})
    run = sla("diff", "broken", "HEAD", cwd=repo.path)
    assert run.status == 0, run.stdout + run.stderr
    assert "compute: invalid at BASE, valid at HEAD — Compute" in run.stdout
    # BASE's error, named as in the repository (not by the temporary folder it was read into)
    assert "  agreements/compute/agreement.yaml:3:1: error: invalid YAML: did not find expected ',' or ']'" in run.stdout
    assert "invalid at BASE, valid at HEAD: its versions cannot be compared with BASE" in run.stdout


def test_a_message_naming_another_file_of_base_names_it_as_the_repository_does(repo):
    # Two results files for one period at BASE: "first in …" names the other one, never the
    # temporary folder BASE was read into (gone after the run, and another each time).
    results = repo.agreements / "compute" / "results"
    (results / "copy.yaml").write_text((results / "2025-03.yaml").read_text())
    repo.commit("A copy", BASE_DATE)
    repo.git("branch", "-f", "broken")
    (results / "copy.yaml").unlink()
    repo.commit("Copy removed", HEAD_DATE)
    run = sla("diff", "broken", "HEAD", "--format", "markdown", cwd=repo.path)
    assert "a second result for period 2025-03 (first in agreements/compute/results/" in run.stdout, run.stdout
    assert "sla-ref" not in run.stdout and "/tmp" not in run.stdout


def test_a_changed_calendar_is_no_agreement_of_its_own(repo):
    # A calendar is shared: every agreement is compared again, and none is named `calendars`.
    calendar = next((REPO_ROOT / "agreements" / "calendars").glob("*.yaml"))
    (repo.agreements / "calendars").mkdir()
    (repo.agreements / "calendars" / calendar.name).write_text(calendar.read_text(encoding="utf-8"), encoding="utf-8")
    repo.commit("A calendar", BASE_DATE)
    repo.git("branch", "-f", "with-calendar")
    target = repo.agreements / "calendars" / calendar.name
    target.write_text(target.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    repo.commit("Calendar reviewed", HEAD_DATE)
    run = sla("diff", "with-calendar", "HEAD", cwd=repo.path)
    assert run.status == 0, run.stdout + run.stderr
    assert "calendars:" not in run.stdout and "INVALID" not in run.stdout, run.stdout


def test_an_agreement_invalid_at_head_exits_1_and_the_report_says_why(repo):
    (repo.agreements / "compute" / "agreement.yaml").write_text("id: compute\nversion: [unclosed\n")
    repo.commit("Broken", HEAD_DATE)
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 1
    assert "compute: INVALID at HEAD" in run.stdout
    assert "  agreements/compute/agreement.yaml:3:1: error: invalid YAML" in run.stdout


def test_a_file_that_is_not_utf8_is_named_with_a_clear_message(repo):
    (repo.agreements / "compute" / "agreement.yaml").write_bytes(
        (repo.agreements / "compute" / "agreement.yaml").read_bytes() + b"# caf\xe9\n"
    )
    repo.commit("Latin-1", HEAD_DATE)
    run = sla("diff", "base", "HEAD", cwd=repo.path)
    assert run.status == 1
    assert "file is not UTF-8 text (byte 0xe9); expected UTF-8 encoded YAML" in run.stdout


def test_a_binary_file_in_results_is_named(repo):
    (repo.agreements / "compute" / "results" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    repo.commit("Binary", HEAD_DATE)
    run = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path)
    assert run.status == 1
    assert "agreements/compute/results/chart.png" in run.stdout
    assert "unexpected file in results/" in run.stdout


def test_the_exit_statuses_are_documented_in_the_help(repo):
    proc = subprocess.run([sys.executable, "-m", "mkdocs_sla.cli", "diff", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert DIFF_EXIT_STATUS.strip() in proc.stdout


def test_the_installed_command_runs_in_a_repository(repo):
    change_and_commit(repo, [terms_data(), new_version(lambda d: uptime(d).update(objective="99.8"))])
    sla_script = Path(sys.executable).parent / "sla"
    proc = subprocess.run([str(sla_script), "diff", "base", "HEAD", "--format", "markdown"], cwd=repo.path, capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout.startswith("**SLA changes:** 1 agreement changed, 2 adverse changes")


# ---------------------------------------------------------------- lock


def test_lock_records_published_versions_and_validate_then_refuses_a_rewrite(tmp_path):
    root = tmp_path / "agreements"
    write_agreement(root, [terms_data(), terms_data(version="1.1", effective="2025-10-01", published=None)])
    run = sla("lock", "agreements", "--today", HEAD_DATE, cwd=tmp_path)
    assert run.status == 0
    lock = (root / "compute" / "versions.lock").read_text()
    assert '"1.0": sha256:' in lock and '"1.1"' not in lock  # 1.1 is neither published nor in force
    assert sla("lock", "agreements", "--today", HEAD_DATE, cwd=tmp_path).stdout.endswith("up to date (1 version(s))\n")
    assert sla("validate", "agreements", cwd=tmp_path).status == 0

    write_agreement(root, [terms_data(summary="Rewritten."), terms_data(version="1.1", effective="2025-10-01", published=None)])
    validate = sla("validate", "agreements", cwd=tmp_path)
    assert validate.status == 1 and "differs from the version published" in validate.stdout
    relock = sla("lock", "agreements", "--today", HEAD_DATE, cwd=tmp_path)
    assert relock.status == 1  # a rewritten version is never locked again
    assert (root / "compute" / "versions.lock").read_text() == lock


def test_lock_adds_a_version_once_it_is_in_force(tmp_path):
    root = tmp_path / "agreements"
    write_agreement(root, [terms_data(), terms_data(version="1.1", effective="2025-10-01", published=None)])
    sla("lock", "agreements", "--today", HEAD_DATE, cwd=tmp_path)
    sla("lock", "agreements", "--today", "2025-10-01", cwd=tmp_path)
    assert '"1.1": sha256:' in (root / "compute" / "versions.lock").read_text()


# ---------------------------------------------------------------- schema


def test_schema_prints_the_agreement_schema_and_with_results_the_results_schema(tmp_path):
    agreement = json.loads(sla("schema", cwd=tmp_path).stdout)
    assert agreement["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert agreement["$id"] == AGREEMENT_SCHEMA_ID == "https://example.github.io/mkdocs-sla/latest/schema/agreement.schema.json"
    results = json.loads(sla("schema", "--results", cwd=tmp_path).stdout)
    assert results["$id"] == RESULTS_SCHEMA_ID == "https://example.github.io/mkdocs-sla/latest/schema/results.schema.json"


def test_schema_out_writes_both_files(tmp_path):
    run = sla("schema", "--out", "schema", cwd=tmp_path)
    assert run.status == 0
    assert json.loads((tmp_path / "schema" / "agreement.schema.json").read_text()) == agreement_schema()
    assert json.loads((tmp_path / "schema" / "results.schema.json").read_text()) == results_schema()
