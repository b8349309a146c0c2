"""Hostile input (issue 13): links out of the tree, huge files, injection through messages, files
nobody reads, false follow-on errors, future periods. Each rule is checked at its exact position,
through `load()` and the real `sla` command."""

from __future__ import annotations

import contextlib
import csv
import io
import os

import pytest
from site_tests.core_helpers import (
    agreement,
    assert_reported,
    assert_reported_in_agreement,
    assert_reported_in_results,
    cpu_seconds_under,
    leads_metric,
    metric_text,
    outages_result,
    position_of,
    run_sla,
    write_agreement,
)

from mkdocs_sla.cli import main
from mkdocs_sla.source.load import load

COUNT_METRIC = leads_metric(credits="model: linear\nper_point: 1\n")

EVENTS_METRIC = metric_text(
    "p2-response", name="P2 response", definition="Tickets answered in time.", objective="95", measure="kind: events", credits=None
)

INTERVALS_METRIC = metric_text(name="Uptime", definition="Error rate per five minutes.", measure="kind: intervals", credits=None)


@pytest.fixture
def root(tmp_path):
    path = tmp_path / "agreements"
    path.mkdir()
    return path


def sla_in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- 1. symbolic links


def test_a_results_file_that_is_a_symbolic_link_is_an_error_at_the_link_never_followed(root):
    write_agreement(root, "svc", agreement())
    elsewhere = root.parent / "elsewhere.yaml"
    elsewhere.write_text(outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z")]), encoding="utf-8")
    (root / "svc" / "results").mkdir()
    (root / "svc" / "results" / "2026-01.yaml").symlink_to(elsewhere)
    assert_reported(root, "svc/results/2026-01.yaml", 1, 1, "`2026-01.yaml` is a symbolic link to", "links are not followed")
    assert load(root).agreements == ()


def test_an_agreement_folder_linked_from_outside_the_tree_is_an_error_and_not_loaded(root):
    outside = root.parent / "outside"
    write_agreement(outside, "svc", agreement())
    (root / "svc").symlink_to(outside / "svc", target_is_directory=True)
    assert_reported(root, "svc", 1, 1, "`svc` is a symbolic link to", "expected the file or folder itself")
    assert load(root).agreements == ()


@pytest.mark.parametrize("where", ["svc/results", "svc/versions.lock", "svc/results/e.csv"])
def test_a_results_folder_lock_or_interval_csv_that_is_a_link_is_an_error_at_the_link(root, where):
    results = {"2026-01.yaml": 'period: "2026-01"\nmetrics:\n  uptime:\n    intervals: e.csv\n'}
    folder = write_agreement(root, "svc", agreement(metrics=INTERVALS_METRIC), None if where == "svc/results" else results)
    real = root.parent / "real"
    real.mkdir()
    if where == "svc/results":
        (folder / "results").symlink_to(real, target_is_directory=True)
    elif where == "svc/versions.lock":
        (folder / "results" / "e.csv").write_text("start,requests,errors\n")
        (real / "versions.lock").write_text('"1.0": sha256:0\n')
        (folder / "versions.lock").symlink_to(real / "versions.lock")
    else:
        (real / "e.csv").write_text("start,requests,errors\n")
        (folder / "results" / "e.csv").symlink_to(real / "e.csv")
    assert_reported(root, where, 1, 1, "is a symbolic link to", "links are not followed", cli=False)


def test_an_outage_log_folder_that_is_a_link_is_an_error_at_the_link(root):
    folder = write_agreement(root, "svc", agreement())
    (root.parent / "real-outages").mkdir()
    (folder / "outages").symlink_to(root.parent / "real-outages", target_is_directory=True)
    assert_reported(root, "svc/outages", 1, 1, "`outages` is a symbolic link to", "links are not followed", cli=False)


@pytest.mark.slow  # a real git repository
def test_a_symbolic_link_committed_to_git_is_an_error_in_sla_diff_not_no_changes(tmp_path):
    from site_tests.diff_helpers import GitRepo, sla

    repo = GitRepo(tmp_path / "repo")
    write_agreement(repo.agreements, "svc", agreement())
    (repo.path / "data").mkdir()
    (repo.path / "data" / "2026-01.yaml").write_text(outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z")]))
    repo.commit("base", "2026-02-01")
    (repo.agreements / "svc" / "results").mkdir()
    (repo.agreements / "svc" / "results" / "2026-01.yaml").symlink_to("../../../data/2026-01.yaml")
    repo.commit("a results file as a link", "2026-02-02")
    assert repo.git("ls-tree", "-r", "HEAD", "agreements/svc/results").startswith("120000")
    done = sla("diff", "HEAD~1", "HEAD", cwd=repo.path)
    assert done.status == 1, done.stdout + done.stderr
    assert "No changes" not in done.stdout
    assert (
        "agreements/svc/results/2026-01.yaml:1:1: error: `2026-01.yaml` is a symbolic link to `../../../data/2026-01.yaml`" in done.stdout
    )
    # validation of the same tree says the same, at the same place
    status, out, _err = sla_in_process("validate", str(repo.agreements))
    assert status == 1 and f"{repo.agreements}/svc/results/2026-01.yaml:1:1: error: `2026-01.yaml` is a symbolic link" in out


# ---------------------------------------------------------------- 2. linear time


def test_a_5_mb_file_of_unknown_keys_is_reported_in_under_5_seconds(root):
    head = agreement()
    lines, size, index = [], len(head), 0
    while size < 5 * 1024 * 1024 - 200:
        line = f"unknown_key_{index:07d}: x\n"
        lines.append(line)
        size += len(line)
        index += 1
    text = head + "".join(lines)
    write_agreement(root, "svc", text)
    with cpu_seconds_under(5):
        catalog = load(root)
    messages = {(d.position.line, d.position.column): d.message for d in catalog.diagnostics}
    first = position_of(text, "unknown_key_0000000")
    assert messages[first].startswith("unknown key `unknown_key_0000000` in the top level; expected one of:")
    line_101 = position_of(text, "unknown_key_0000100")
    assert (
        messages[line_101]
        == f"{index - 100:,} more errors in this document from here on, not listed (the first 100 are); fix those and validate again"
    )
    assert len(catalog.diagnostics) == 101


# ---------------------------------------------------------------- 3. numbers that validate must compute


@pytest.mark.parametrize(
    "metrics, key",
    [(COUNT_METRIC, "count"), (EVENTS_METRIC, "good"), (EVENTS_METRIC, "total")],
)
def test_a_count_of_58_digits_is_an_error_at_the_count_not_a_traceback_later(root, metrics, key):
    metric = "leads" if metrics is COUNT_METRIC else "p2-response"
    other = "" if key == "count" else ("    total: 1\n" if key == "good" else "    good: 1\n")
    results = f'period: "2026-01"\ncharges: 100\nmetrics:\n  {metric}:\n    {key}: {"9" * 58}\n{other}'
    write_agreement(root, "svc", agreement(metrics=metrics), {"2026-01.yaml": results})
    assert_reported(root, "svc/results/2026-01.yaml", *position_of(results, "9" * 58), f"metrics.{metric}.{key}", "at most 30 digits")
    credits = run_sla("credits", root.name, cwd=root.parent)
    assert credits.returncode == 1 and "Traceback" not in credits.stderr


def test_a_count_of_30_digits_is_credited_and_displayed_exactly(root):
    results = f'period: "2026-01"\ncharges: 100\nmetrics:\n  leads:\n    count: {"9" * 30}\n'
    write_agreement(root, "svc", agreement(metrics=COUNT_METRIC), {"2026-01.yaml": results})
    status, out, err = sla_in_process("credits", str(root))
    assert status == 0, err
    assert f"{'9' * 30} leads" in out


# ---------------------------------------------------------------- 4. injection through messages


INJECTED_KEY = '"bad\\n::error file=x.yaml,line=1::pwned": 1\n'


def test_a_key_with_a_newline_is_one_diagnostic_line_with_the_newline_escaped(root):
    text = agreement() + INJECTED_KEY
    write_agreement(root, "svc", text)
    for fmt in ("text", "github"):
        status, out, _err = sla_in_process("validate", "--format", fmt, str(root))
        assert status == 1
        lines = out.splitlines()
        assert len(lines) == 1, out
        assert not any(line.startswith("::error file=x.yaml") for line in lines)
        assert "unknown key `bad\\n::error file=x.yaml" in lines[0]
    line, column = position_of(text, '"bad')
    assert lines[0].startswith(f"::error file={root}/svc/agreement.yaml,line={line},col={column}::unknown key `bad\\n::error file=x.yaml")


def test_control_characters_in_a_value_are_written_as_escapes(root):
    text = agreement().replace("owner: Owner\n", 'owner: "\\e[31mred\\r"\nowner_: x\n')
    write_agreement(root, "svc", text)
    status, out, _err = sla_in_process("validate", str(root))
    assert status == 1 and "\x1b" not in out and "\r" not in out


def test_a_bidirectional_control_in_a_file_name_is_written_as_an_escape(root):
    """U+202E would show the rest of the line reversed: an error about one file read as another's."""
    write_agreement(root, "svc", agreement(agreement_id="svc"), {"2026-01\u202eLMY.yaml": "period: 2026-01\n"})
    for fmt in ("text", "github"):
        _status, out, _err = sla_in_process("validate", "--format", fmt, str(root))
        assert "\u202e" not in out and "2026-01\\u202eLMY.yaml" in out, out


def test_the_credits_table_keeps_each_text_on_its_line(root):
    """A title or a remedy with a line break or a terminal escape forges no row of `sla credits`."""
    text = agreement().replace("title: Test agreement svc", 'title: "Service\\n  2026-01  = period total  100% forged\\u001b[31m"', 1)
    assert text != agreement()
    write_agreement(root, "svc", text, {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-10T02:00:00Z")])})
    status, out, _err = sla_in_process("credits", str(root), "--today", "2026-03-01")
    assert status == 0, out
    assert "\x1b" not in out and not any(line.lstrip().startswith("2026-01  = period total  100% forged") for line in out.splitlines())
    assert "Service\\n" in out.splitlines()[0], out


def test_a_github_annotation_escapes_a_comma_and_a_colon_in_the_file_name(root):
    write_agreement(root, "a,line=999:x", agreement(agreement_id="svc"))
    status, out, _err = sla_in_process("validate", "--format", "github", str(root))
    assert status == 1
    properties = [line.split("::")[1] for line in out.splitlines()]
    assert properties and all(p.count(",line=") == 1 for p in properties), out
    assert f"::error file={root}/a%2Cline=999%3Ax/agreement.yaml,line=1,col=5::" in out


# ---------------------------------------------------------------- 5. short excerpts


def test_an_error_quoting_the_input_quotes_a_short_excerpt_not_the_whole_file(root):
    text = "x" * 10_000 + "\n"
    write_agreement(root, "svc", text)
    assert_reported(root, "svc/agreement.yaml", 1, 1, "found the text `" + "x" * 59 + "…`")
    assert all(len(d.message) < 300 for d in load(root).diagnostics)


def test_an_unknown_key_of_a_thousand_characters_is_quoted_in_sixty(root):
    text = agreement() + "k" * 1000 + ": 1\n"
    assert_reported_in_agreement(root, text, "kkk", "unknown key `" + "k" * 59 + "…` in the top level", cli=False)


# ---------------------------------------------------------------- 6. files nobody reads


def test_a_csv_that_no_results_file_names_is_an_error_at_the_csv(root):
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", []), "notes.csv": "a,b\n"})
    assert_reported(root, "svc/results/notes.csv", 1, 1, "`notes.csv` is named by no results file, so nothing reads it")


def test_a_csv_named_like_a_period_beside_its_results_file_says_it_is_not_read(root):
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", []), "2026-01.csv": "start,end\n"})
    assert_reported(root, "svc/results/2026-01.csv", 1, 1, "`2026-01.csv` is not read: the results of period 2026-01 are `2026-01.yaml`")


def test_a_csv_named_by_a_results_file_with_other_errors_is_not_called_stray(root):
    results = 'period: "2026-01"\nmetrics:\n  uptime:\n    intervals: e.csv\n    bogus: 1\n'
    write_agreement(root, "svc", agreement(metrics=INTERVALS_METRIC), {"2026-01.yaml": results, "e.csv": "start,requests,errors\n"})
    assert not [d for d in load(root).diagnostics if "e.csv" in d.position.file]


# ---------------------------------------------------------------- 7. no false follow-on errors


def test_an_error_in_an_earlier_version_adds_no_errors_about_periods_before_the_agreement(root):
    first = agreement(version="1.0", effective="2026-01-01").replace("objective: 99.9", "objective: high")
    second = agreement(version="2.0", effective="2026-06-01")
    text = first + "---\n" + second
    results = {f"2026-0{m}.yaml": outages_result(f"2026-0{m}", []) for m in range(1, 7)}
    write_agreement(root, "svc", text, results)
    catalog = load(root)
    assert [str(d.position) for d in catalog.errors] == [
        "{}/svc/agreement.yaml:{}:{}".format(root, *position_of(text, "objective: high", offset=11))
    ]
    assert not [d for d in catalog.diagnostics if "took effect" in d.message]


def test_a_syntax_error_in_agreement_yaml_still_reports_the_errors_of_its_results(root):
    results = outages_result("2026-01", []).replace("charges: 1000\n", "charges: 1000\nchargse: 5\n")
    assert_reported_in_results(
        root, agreement() + "broken: [\n", "2026-01.yaml", results, "chargse", "unknown key `chargse`", "did you mean `charges`?"
    )


# ---------------------------------------------------------------- 8. smaller ones


@pytest.mark.parametrize("label", ["=1+1", "+1", "-1+1", "@SUM(A1)"])
def test_a_csv_cell_from_agreement_text_that_starts_like_a_formula_is_neutralised(root, label):
    text = agreement().replace('version: "1.0"', f'version: "{label}"')
    write_agreement(root, "svc", text, {"2026-01.yaml": outages_result("2026-01", [])})
    status, out, err = sla_in_process("credits", "--format", "csv", str(root))
    assert status == 0, err
    row = list(csv.reader(io.StringIO(out, newline="")))[1]
    assert row[2] == "'" + label, row


@pytest.mark.parametrize("label", ["\\t=1", "\\r=1"])
def test_a_formula_behind_a_tab_or_a_return_is_neutralised_or_refused(root, label):
    # A version label is one line, so it cannot carry them to the CSV; a cell of other text can.
    from mkdocs_sla.present.credits_report import csv_cell

    written = label.replace("\\t", "\t").replace("\\r", "\r")
    assert csv_cell(written) == "'" + written
    text = agreement().replace('version: "1.0"', f'version: "{label}"')
    assert_reported_in_agreement(root, text, "version:", "expected one line of text", offset=len("version: "))


def test_sla_new_refuses_an_id_reserved_for_a_page_of_the_site(root):
    done = run_sla("new", "index", "--path", root.name, cwd=root.parent)
    assert done.returncode == 1
    assert (
        "sla new: id `index` is reserved for a page of the site (calendars, credits, index, metrics, services, statements); expected another id"
        in done.stderr
    )
    assert not (root / "index").exists()


@pytest.mark.parametrize("base", ["", ".", "agreements"])
def test_sla_diff_refuses_to_compare_the_tree_with_itself(root, base):
    write_agreement(root, "svc", agreement())
    done = run_sla("diff", base, cwd=root.parent)
    assert done.returncode == 1, done.stdout
    assert "No changes" not in done.stdout
    assert ("BASE is empty" if not base else "the same as HEAD (the working tree)") in done.stderr


def test_an_interval_csv_that_is_not_utf8_says_csv_not_yaml(root):
    results = 'period: "2026-01"\nmetrics:\n  uptime:\n    intervals: e.csv\n'
    write_agreement(root, "svc", agreement(metrics=INTERVALS_METRIC), {"2026-01.yaml": results, "e.csv": b"start,requests,errors\n\xff\n"})
    assert_reported(root, "svc/results/e.csv", 2, 1, "not UTF-8 text (byte 0xff); expected UTF-8 encoded CSV")


def test_an_outage_that_ends_when_it_starts_is_reported_as_lasting_no_time(root):
    results = outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z")])
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": results})
    assert_reported(
        root, "svc/results/2026-01.yaml", *position_of(results, "2026-01-10T00:00:00Z", 2), "outage ends when it starts", "lasts no time"
    )
    assert "before it starts" not in "\n".join(d.message for d in load(root).diagnostics)


# ---------------------------------------------------------------- 9. future periods


@pytest.mark.parametrize("period", ["2026-12", "2031-01"])
def test_results_for_a_period_not_yet_ended_are_an_error_at_the_period(root, period):
    results = outages_result(period, [])
    write_agreement(root, "svc", agreement(), {f"{period}.yaml": results})
    where = position_of(results, f'"{period}"')
    status, out, _err = sla_in_process("validate", "--today", "2026-12-01", str(root))
    assert status == 1
    assert f"{root}/svc/results/{period}.yaml:{where[0]}:{where[1]}: error: period {period} has not ended" in out
    assert "expected results only for periods that have ended" in out
    status, _out, err = sla_in_process("credits", "--today", "2026-12-01", str(root))
    assert status == 1 and "has not ended" in err


def test_results_for_a_period_that_ended_the_day_before_are_accepted(root):
    write_agreement(root, "svc", agreement(), {"2026-11.yaml": outages_result("2026-11", [])})
    assert sla_in_process("validate", "--today", "2026-12-01", str(root))[0] == 0


# ---------------------------------------------------------------- 11. messages as a new user reads them


def test_a_results_key_with_an_underscore_for_a_hyphenated_metric_suggests_the_metric(root):
    results = 'period: "2026-01"\nmetrics:\n  p2_response:\n    good: 1\n    total: 1\n'
    assert_reported_in_results(
        root,
        agreement(metrics=EVENTS_METRIC),
        "2026-01.yaml",
        results,
        "p2_response",
        "unknown metric `p2_response`; did you mean `p2-response`?",
    )


def test_a_value_of_the_wrong_type_says_what_was_expected_without_pydantic_wording(root):
    text = agreement().replace("objective: 99.9", "objective: high")
    assert_reported_in_agreement(
        root, text, "objective: high", "`high` is not valid: expected a valid decimal number, such as 99.95", offset=11
    )
    assert "should be" not in "\n".join(d.message for d in load(root).diagnostics)


def test_credits_for_a_period_leave_out_the_tables_of_agreements_without_results_then(root):
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", [])})
    write_agreement(root, "other", agreement("other"), {"2026-02.yaml": outages_result("2026-02", [])})
    status, out, _err = sla_in_process("credits", "--period", "2026-01", str(root))
    assert status == 0
    assert "svc — Test agreement svc" in out and "other —" not in out


def test_the_example_agreements_are_valid_against_the_date_of_this_review():
    status, _out, err = sla_in_process("validate", "--today", "2026-12-01", os.path.join(os.path.dirname(__file__), "..", "agreements"))
    assert status == 0, err


def test_an_entry_of_an_agreement_folder_that_is_not_read_is_named(root):
    """A misspelt folder or file is not passed over in silence: its periods or reviews would be
    missing from the site without a word. Documents for people and hidden files are left alone."""
    write_agreement(root, "svc", agreement(), {"2026-01.yaml": outages_result("2026-01", [])})
    folder = root / "svc"
    (folder / "results").rename(folder / "Results")
    (folder / "review.yaml").write_text("reviews: []\n")
    (folder / "README.md").write_text("# Notes\n")
    (folder / ".gitkeep").write_text("")
    (folder / "gone.yaml").symlink_to(folder / "nowhere.yaml")
    catalog = load(root)
    warnings = sorted(str(d) for d in catalog.diagnostics if d.severity == "warning")
    assert len(warnings) == 3, warnings
    assert warnings[0].startswith(
        f"{folder}/Results:1:1: warning: the folder `Results` in the agreement folder is not read (did you mean `results/`?)"
    )
    assert warnings[1].startswith(f"{folder}/gone.yaml:1:1: warning: the link `gone.yaml`")
    assert (
        "the file `review.yaml` in the agreement folder is not read (did you mean `reviews.yaml`?); expected only: agreement.yaml, results/"
        in warnings[2]
    )
    status, out, _err = sla_in_process("validate", str(root))
    assert status == 0 and out.count(": warning: ") == 3, out
