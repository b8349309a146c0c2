"""`sla collect` against a real Prometheus server, with series whose outages and counts are known.

The series (one sample a minute, UTC, January to mid-March 2025):
- `probe_success{job="api"}`: 1, except 0 from 2025-01-31T23:50 to 2025-02-01T00:20 (an outage
  across the month boundary: 10 minutes in January, 20 in February), no samples from 2025-02-10T12:00
  to 12:30 (a gap: no data, counted as down by `when_empty: down`), and 0 from 2025-03-05T10:00 to
  10:10 (in March, not closed on 2025-03-10).
- `http_requests_total{instance="a"}`: +10 a minute; a counter reset at 2025-01-20T08:02 (value 7:
  7 requests since the restart); the same gap as the probe.
- `http_errors_total{instance="a"}`: +5 a minute from 2025-01-15T10:01 to 10:05 (25 errors of 50
  requests in the interval from 10:00), reset at 08:02 on the 20th to 2 (2 errors of the 47 requests
  of the interval from 08:00), and +10 a minute from 2025-02-03T00:01 to 02:00 (every request of
  24 intervals fails).
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from site_tests.core_helpers import DOWNTIME_METRIC, agreement, metric_text, run_sla, write_agreement
from site_tests.prometheus_helpers import at, minutes, prometheus_server

pytestmark = pytest.mark.slow

INTERVALS_METRIC = metric_text(
    "store-uptime",
    name="Storage uptime",
    definition="100% minus the mean error rate of every 5-minute interval.",
    measure="kind: intervals\ninterval_minutes: 5\n",
)

GAP = (at("2025-02-10T12:00"), at("2025-02-10T12:30"))
RESET = at("2025-01-20T08:02")


def in_gap(t: int) -> bool:
    return GAP[0] <= t < GAP[1]


def probe(t: int) -> int | None:
    if in_gap(t):
        return None
    down = (at("2025-01-31T23:50"), at("2025-02-01T00:20")), (at("2025-03-05T10:00"), at("2025-03-05T10:10"))
    return 0 if any(s <= t < e for s, e in down) else 1


def requests(t: int) -> int | None:
    if in_gap(t):
        return None
    if t < RESET:
        return 1000 + 10 * (t - at("2025-01-01T00:00")) // 60
    return 7 + 10 * (t - RESET) // 60


def errors(t: int) -> int | None:
    if in_gap(t):
        return None
    if t < RESET:
        return 5 * min(max((t - at("2025-01-15T10:00")) // 60, 0), 5)
    burst = min(max((t - at("2025-02-03T00:00")) // 60, 0), 120)
    return 2 + 10 * burst


SERIES = {
    'probe_success{job="api"}': minutes("2025-01-01T00:00", "2025-03-15T00:00", probe),
    'http_requests_total{instance="a"}': minutes("2025-01-01T00:00", "2025-03-15T00:00", requests),
    'http_errors_total{instance="a"}': minutes("2025-01-01T00:00", "2025-03-15T00:00", errors),
}

COLLECT = """\
prometheus:
  url: {url}
  timeout_seconds: 10
metrics:
  uptime:
    availability: min(probe_success{{job="api"}})
    step: 60s
  store-uptime:
    requests: http_requests_total{{instance="a"}}
    errors: http_errors_total{{instance="a"}}
    step: 60s
    when_empty: no_requests
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with prometheus_server(tmp_path_factory.mktemp("prometheus"), SERIES) as url:
        yield url


@pytest.fixture
def tree(tmp_path, server):
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(metrics=DOWNTIME_METRIC + INTERVALS_METRIC, effective="2025-01-01"))
    (folder / "collect.yaml").write_text(COLLECT.format(url=server), encoding="utf-8")
    return root


def collect(root, *args):
    return run_sla("collect", str(root), "--until", "2025-03-10", *args, cwd=root.parent)


def test_an_outage_across_a_month_boundary_is_one_entry_and_a_gap_is_no_data(tree):
    result = collect(tree)
    assert result.returncode == 0, result.stderr
    text = (tree / "svc" / "outages" / "collected-uptime.yaml").read_text()
    assert "# periods: 2025-01 to 2025-02\n" in text
    entries = text.split("\n- ")[1:]
    assert len(entries) == 2  # the March outage is in a period not closed on 2025-03-10
    assert "start: '2025-01-31T23:50:00Z'" in entries[0] and "end: '2025-02-01T00:20:00Z'" in entries[0]
    assert "no-data" not in entries[0]
    assert "start: '2025-02-10T12:00:00Z'" in entries[1] and "end: '2025-02-10T12:30:00Z'" in entries[1]
    assert "- no-data" in entries[1]
    assert 'min(probe_success{job="api"}) at a 60s step' in entries[0]


def test_interval_counts_follow_the_reset_rule_and_only_closed_periods_are_written(tree):
    assert collect(tree).returncode == 0
    results = tree / "svc" / "results"
    assert sorted(p.name for p in results.iterdir()) == [
        "2025-01.yaml",
        "2025-02.yaml",
        "collected-store-uptime-2025-01.csv",
        "collected-store-uptime-2025-02.csv",
    ]
    january = (results / "collected-store-uptime-2025-01.csv").read_text().splitlines()
    # 10:00 on the 15th: 5 samples of +10 requests and +5 errors; 08:00 on the 20th: +10, reset to 7, +10, +10, +10.
    assert january == ["start,requests,errors", "2025-01-15T10:00:00Z,50,25", "2025-01-20T08:00:00Z,47,2"]
    february = (results / "collected-store-uptime-2025-02.csv").read_text().splitlines()
    assert len(february) == 1 + 24
    assert february[1] == "2025-02-03T00:00:00Z,50,50" and february[-1] == "2025-02-03T01:55:00Z,50,50"
    note = (results / "2025-02.yaml").read_text()
    # the gap 12:00-12:30: the intervals from 12:00 to 12:20 hold no sample (12:30 is the next)
    assert "5 intervals without samples" in note


def test_credits_of_the_collected_outages_and_counts_match_the_hand_computation(tree):
    assert collect(tree).returncode == 0
    result = run_sla("credits", str(tree), "--format", "json", cwd=tree.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    periods = {p["period"]: p for a in document["agreements"] for p in a["periods"]}
    store = {label: next(m for m in p["metrics"] if m["metric"] == "store-uptime") for label, p in periods.items()}
    january = 100 - (Fraction(25, 50) + Fraction(2, 47)) / 8928 * 100  # 44,640 minutes: 8,928 intervals
    february = 100 - Fraction(24) / 8064 * 100  # 40,320 minutes: 8,064 intervals
    assert _as_written(store["2025-01"]["attainment"], january)
    assert _as_written(store["2025-02"]["attainment"], february)
    assert Fraction(store["2025-02"]["credit_percent"]) == 10
    uptime = {label: next(m for m in p["metrics"] if m["metric"] == "uptime") for label, p in periods.items()}
    # January: 10 minutes of the boundary outage; February: its other 20 and the 30-minute gap (no data: down).
    assert _as_written(uptime["2025-01"]["attainment"], Fraction(44640 - 10, 44640) * 100)
    assert _as_written(uptime["2025-02"]["attainment"], Fraction(40320 - 50, 40320) * 100)
    assert (uptime["2025-01"]["status"], uptime["2025-02"]["status"]) == ("met", "missed")
    assert Fraction(uptime["2025-02"]["credit_percent"]) == 10
    assert sorted(periods) == ["2025-01", "2025-02"]  # March has not closed


def _as_written(text: str, exact: Fraction) -> bool:
    """The JSON writes an attainment exactly where its decimal ends, else to 20 decimals (half even)."""
    return abs(Fraction(text) - exact) <= Fraction(1, 2 * 10**20)


def test_a_second_run_changes_nothing(tree):
    assert collect(tree).returncode == 0
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    again = collect(tree)
    assert again.returncode == 0
    assert "wrote" not in again.stdout
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before
    assert {p: p.stat().st_mtime_ns for p in before} == stamps


def test_a_different_answer_for_a_written_period_becomes_a_correction(tree):
    assert collect(tree).returncode == 0
    log = tree / "svc" / "outages" / "collected-uptime.yaml"
    # What an earlier run wrote: January's outage ended 23:55, so January showed 5 minutes down.
    log.write_text(log.read_text().replace("end: '2025-02-01T00:20:00Z'", "end: '2025-01-31T23:55:00Z'", 1))
    csv = tree / "svc" / "results" / "collected-store-uptime-2025-01.csv"
    csv.write_text("start,requests,errors\n2025-01-15T10:00:00Z,50,25\n")
    result = collect(tree)
    assert result.returncode == 0, result.stderr
    assert "end: '2025-02-01T00:20:00Z'" in log.read_text()
    corrections = (tree / "svc" / "corrections.yaml").read_text()
    assert corrections.count("- period:") == 3  # uptime in January and February, store-uptime in January
    assert "category: collector" in corrections
    before_jan = Fraction(44640 - 5, 44640) * 100
    after_jan = Fraction(44640 - 10, 44640) * 100
    assert f"before: '{_cut(before_jan)}'" in corrections and f"after: '{_cut(after_jan)}'" in corrections


def _cut(value: Fraction) -> str:
    """6 decimals, rounded down: the worse side of a `better: higher` attainment."""
    whole = value.numerator * 10**6 // value.denominator
    return f"{whole // 10**6}.{whole % 10**6:06d}"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda text, url: text.replace(url, "http://127.0.0.1:9"), ["cannot reach http://127.0.0.1:9", "nothing was written"]),
        (
            lambda text, url: text.replace('min(probe_success{job="api"})', 'min(probe_success{job="api"}'),
            ["refused the query", "unclosed left parenthesis"],
        ),
        (lambda text, url: text.replace('job="api"', 'job="nothing"'), ["returned no data", "check the metric name"]),
    ],
    ids=["unreachable server", "a PromQL error with the server's message", "an empty result"],
)
def test_a_failed_query_writes_nothing(tree, server, change, words):
    config = tree / "svc" / "collect.yaml"
    config.write_text(change(config.read_text(), server))
    result = collect(tree)
    assert result.returncode == 1
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tree / "svc" / "outages").exists() and not (tree / "svc" / "results").exists()


def test_an_unknown_metric_in_the_configuration_is_named_at_its_position(tree):
    config = tree / "svc" / "collect.yaml"
    config.write_text(config.read_text().replace("  uptime:", "  uptme:"))
    result = collect(tree)
    assert result.returncode == 1
    assert f"{config.relative_to(tree.parent)}:5:3: error: unknown metric `uptme`; did you mean `uptime`?" in result.stdout


def test_a_bearer_token_comes_from_the_environment_and_is_never_written(tree, monkeypatch):
    config = tree / "svc" / "collect.yaml"
    config.write_text(
        config.read_text().replace("  timeout_seconds: 10\n", "  timeout_seconds: 10\n  auth:\n    bearer_token_env: SLA_TEST_TOKEN\n")
    )
    missing = collect(tree)
    assert missing.returncode == 1 and "SLA_TEST_TOKEN is not set" in missing.stderr
    monkeypatch.setenv("SLA_TEST_TOKEN", "s3cr3t-t0ken")
    result = collect(tree)
    assert result.returncode == 0, result.stderr
    assert "s3cr3t-t0ken" not in result.stdout + result.stderr
    assert all("s3cr3t-t0ken" not in p.read_text() for p in tree.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """A server that answers only user `sla` with its password (HTTP basic auth)."""
    series = {'probe_success{job="api"}': minutes("2025-01-01T00:00", "2025-02-01T00:00", probe)}
    with prometheus_server(tmp_path_factory.mktemp("guarded"), series, users={"sla": "pa55-w0rd"}) as url:
        yield url


def test_basic_auth_comes_from_the_environment_and_is_never_written(tmp_path, guarded, monkeypatch):
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(effective="2025-01-01"))
    config = (
        COLLECT.format(url=guarded)
        .split("  store-uptime:")[0]
        .replace(
            "  timeout_seconds: 10\n",
            "  timeout_seconds: 10\n  auth:\n    username_env: SLA_TEST_USER\n    password_env: SLA_TEST_PASSWORD\n",
        )
    )
    (folder / "collect.yaml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("SLA_TEST_USER", "sla")
    monkeypatch.setenv("SLA_TEST_PASSWORD", "wrong")
    refused = collect(root)
    assert refused.returncode == 1 and "refused the credentials (HTTP 401)" in refused.stderr
    assert "wrong" not in refused.stdout + refused.stderr and not (folder / "outages").exists()
    monkeypatch.setenv("SLA_TEST_PASSWORD", "pa55-w0rd")
    result = collect(root)
    assert result.returncode == 0, result.stderr
    assert "start: '2025-01-31T23:50:00Z'" in (folder / "outages" / "collected-uptime.yaml").read_text()
    assert "pa55-w0rd" not in result.stdout + result.stderr
    assert all("pa55-w0rd" not in p.read_text() for p in root.rglob("*") if p.is_file())


def _run_on_a_terminal(args: list[str], cwd) -> tuple[int, str]:
    """Run `sla` with stderr on a pseudo-terminal (stdout a pipe); what the terminal showed."""
    import os
    import subprocess
    import sys

    leader, follower = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "mkdocs_sla.cli", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        process.stdout.read()
        return process.wait(timeout=120), shown.decode(errors="replace")
    finally:
        os.close(leader)


def test_a_progress_bar_is_drawn_on_a_terminal_and_never_in_a_log(tree):
    code, shown = _run_on_a_terminal(["collect", str(tree), "--until", "2025-03-10"], cwd=tree.parent)
    assert code == 0
    assert "svc uptime [" in shown and "] 100%" in shown
    logged = collect(tree)  # stderr a pipe, as in CI
    assert "[" not in logged.stderr and "%" not in logged.stderr
