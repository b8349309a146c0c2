"""`sla diff --format markdown` is posted by a bot as a pull-request comment: nothing from the
agreements may leave its place in it (issue 13 items 4 and 11), and its summary line says what
its body says."""

from __future__ import annotations

import re

import pytest

from diff_helpers import GitRepo, compute_repo, outage_results, sla, terms_data, uptime, write_agreement

BASE_DATE = "2025-05-01"
HEAD_DATE = "2025-06-15"

PAYLOAD = "Compute\n## Injected heading\n@admin @org/team ![pixel](https://evil.example/p.png) <!-- sla-diff --> `x` ``y``"


@pytest.fixture
def repo(tmp_path) -> GitRepo:
    return compute_repo(tmp_path / "repo", BASE_DATE)


def assert_inert(markdown: str) -> None:
    """Nothing from the data acts in the comment: no heading of its own, mention, image or marker."""
    assert "<!--" not in markdown
    assert "<!-- sla-diff -->" not in markdown
    assert not re.search(r"(?<![\w\u200b])@(admin|org)", markdown), markdown
    assert "![" not in markdown.replace("\\![", "")
    assert not [line for line in markdown.splitlines() if re.match(r"#+ *Injected", line)], markdown


def test_an_agreement_title_cannot_inject_a_heading_mention_image_or_marker_into_the_comment(repo):
    version = terms_data(version="1.1", effective="2025-10-01", published="2025-06-15", title=PAYLOAD)
    write_agreement(repo.agreements, [terms_data(), version], {"2025-03": outage_results("2025-03", 60)})
    repo.commit("A title with Markdown in it", HEAD_DATE)
    run = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path)
    assert run.status == 0, run.stderr
    assert_inert(run.stdout)
    headings = [line for line in run.stdout.splitlines() if line.startswith("## ")]
    assert headings == [
        "## compute — Compute \\#\\# Injected heading @\u200badmin @\u200borg/team \\!\\[pixel\\](https://evil.example/p.png) "
        "\\<\\!-- sla-diff --\\> \\`x\\` \\`\\`y\\`\\`"
    ]


def test_an_error_quoted_in_the_comment_stays_inside_its_code_span(repo):
    bad = terms_data()
    bad["a` <!-- sla-diff --> @admin\n## Injected"] = "1"
    write_agreement(repo.agreements, [bad], {"2025-03": outage_results("2025-03", 60)})
    repo.commit("An unknown key", HEAD_DATE)
    run = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path)
    assert run.status == 1
    assert_inert(run.stdout)
    (line,) = [line for line in run.stdout.splitlines() if "unknown key" in line]
    # The span's fence is longer than any run of backticks inside, so the text cannot close it.
    assert line.startswith("- `` agreements/compute/agreement.yaml:") and line.endswith(" ``"), line
    assert "unknown key `a` <!\u200b-- sla-diff --> @\u200badmin\\n## Injected` in the top level" in line


def test_the_notice_violation_line_shows_its_version_as_code_not_escaped_backticks(repo):
    version = terms_data(lambda d: uptime(d).update(objective="99.8"), version="1.1", effective="2025-08-01", published="2025-06-15")
    write_agreement(repo.agreements, [terms_data(), version], {"2025-03": outage_results("2025-03", 60)})
    repo.commit("Too little notice", HEAD_DATE)
    run = sla("diff", "base", "HEAD", "--format", "markdown", cwd=repo.path)
    assert run.status == 5
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("**Notice violation:**")]
    assert "\\`" not in line
    assert line.startswith("**Notice violation:** version `1.1` makes 2 adverse change(s) effective 2025-08-01")
    assert line.endswith("expected `effective` on or after 2025-09-13")


def test_with_versions_lock_an_edited_published_version_is_summarised_as_history_rewritten(repo):
    assert sla("lock", "agreements", "--today", BASE_DATE, cwd=repo.path).status == 0
    repo.commit("Lock", BASE_DATE)
    repo.git("branch", "-f", "base")
    rewritten = terms_data(lambda d: d["exclusions"].append("Force majeure."))
    write_agreement(repo.agreements, [rewritten], {"2025-03": outage_results("2025-03", 60)})
    repo.commit("Edit 1.0 in place", HEAD_DATE)
    for fmt, first in (("text", ""), ("markdown", "**SLA changes:** ")):
        run = sla("diff", "base", "HEAD", "--format", fmt, cwd=repo.path)
        assert run.status == 1  # invalid at HEAD wins
        assert run.stdout.splitlines()[0] == f"{first}1 agreement changed, no adverse changes, history rewritten, 1 invalid at HEAD."
        assert "version `1.0` differs from the version published" in run.stdout
