"""Small helpers for the core tests: write agreement folders into tmp_path, run `sla`.

An agreement in a test is a few lines of YAML; `agreement()` fills in the
required keys around the metrics under test, so each test shows only what it
is about. Positions in expected diagnostics are computed from the text written
(`position_of`), so a test states exactly which line and column must be named.
"""

from __future__ import annotations

import contextlib
import functools
import io
import resource
import subprocess
import sys
from pathlib import Path

from mkdocs_sla.source.builder import agreement_yaml, indented, metric_yaml, outages_yaml, results_yaml  # noqa: F401  (indented: re-exported)
from mkdocs_sla.source.load import Catalog, load

SLA = [sys.executable, "-m", "mkdocs_sla.cli"]

#: Credit tables for `metric_text(credits=...)`: the YAML under `credits:`, unindented.
TIERS_10_25 = """\
model: tiers
tiers:
  - below: 99.9
    at_or_above: 99.0
    credit: 10
  - below: 99.0
    credit: 25
"""
AWS_TIERS = """\
model: tiers
tiers:
  - below: 99.99
    at_or_above: 99.0
    credit: 10
  - below: 99.0
    at_or_above: 95.0
    credit: 30
  - below: 95.0
    credit: 100
"""
GITHUB_TIERS = """\
model: tiers
tiers:
  - at_or_below: 99.9
    above: 99.0
    credit: 10
  - below: 99.0
    credit: 25
"""


#: One item of `metrics:` (`source.builder.metric_yaml`), with the 10% / 25% credit table
#: unless the test says otherwise (`credits=None`: none).
metric_text = functools.partial(metric_yaml, credits=TIERS_10_25)

DOWNTIME_METRIC = metric_text()


def leads_metric(credits: str | None = None) -> str:
    """A `count` metric: 400 qualified leads a period, or more (`credits`: its credits' YAML, or none)."""
    return metric_text(
        "leads",
        name="Qualified leads",
        definition="Leads accepted by sales.",
        unit="leads",
        objective="400",
        measure="kind: count",
        credits=credits,
    )


#: One agreement version (`source.builder.agreement_yaml`), with one downtime metric unless the test gives its own.
agreement = functools.partial(agreement_yaml, metrics=DOWNTIME_METRIC)


def write_agreement(root: Path, agreement_id: str, text: str | bytes, results: dict[str, str | bytes] | None = None) -> Path:
    """Write `root/<id>/agreement.yaml` and `root/<id>/results/<name>` files; return the folder."""
    folder = root / agreement_id
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "agreement.yaml", text)
    if results:
        (folder / "results").mkdir(exist_ok=True)
        for name, content in results.items():
            _write(folder / "results" / name, content)
    return folder


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


#: A results file for one downtime metric with the given outages (start, end[, tags]).
outages_result = outages_yaml


def value_result(period: str, values: dict[str, str], charges: str | None = "1000", key: str = "value") -> str:
    """A results file giving `key: value` per metric."""
    return results_yaml(period, {metric: f"\n    {key}: {value}" for metric, value in values.items()}, charges)


def position_of(text: str, needle: str, occurrence: int = 1, *, offset: int = 0) -> tuple[int, int]:
    """(line, column) from 1 of the `occurrence`-th `needle` in `text`, plus `offset` characters."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def loaded(root: Path) -> Catalog:
    return load(root)


def diagnostics_text(catalog: Catalog) -> list[str]:
    return [str(d) for d in catalog.diagnostics]


def run_sla(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real `sla` command in `cwd`; text output."""
    return subprocess.run([*SLA, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def assert_reported(root: Path, file: str, line: int, column: int, *words: str, severity: str = "error", cli: bool = True) -> None:
    """The problem is reported at exactly `file:line:column` (file relative to `root`), with every
    one of `words` in its message: by `load()`, by `sla validate` and by `sla validate --format github`."""
    catalog = load(root)
    wanted = str(root / file)
    here = [
        d
        for d in catalog.diagnostics
        if d.position.file == wanted and d.severity == severity and (d.position.line, d.position.column) == (line, column)
    ]
    listing = "\n".join(str(d) for d in catalog.diagnostics)
    assert here, f"no {severity} at {wanted}:{line}:{column}; got:\n{listing}"
    assert any(all(w in d.message for w in words) for d in here), f"no message with {words!r} at {line}:{column}; got:\n{listing}"
    if not cli:
        return
    display = f"{root.name}/{file}"
    done = run_sla("validate", root.name, cwd=root.parent)
    assert "Traceback" not in done.stderr
    assert done.returncode == (1 if severity == "error" or catalog.errors else 0), done.stdout + done.stderr
    prefix = f"{display}:{line}:{column}: {severity}: "
    lines = [text for text in done.stdout.splitlines() if text.startswith(prefix)]
    assert any(all(w in text for w in words) for text in lines), f"no line {prefix}… with {words!r}; got:\n{done.stdout}"
    # The GitHub form in-process (the command's start-up costs more than the check): same main().
    from mkdocs_sla.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["validate", "--format", "github", str(root)])
    assert status == done.returncode
    annotation = f"::{severity} file={root / file},line={line},col={column}::"
    escaped = [w.replace("%", "%25") for w in words]
    assert any(text.startswith(annotation) and all(w in text for w in escaped) for text in out.getvalue().splitlines()), out.getvalue()


def assert_reported_in_agreement(
    root: Path, text: str, needle: str, *words: str, agreement_id: str = "svc", offset: int = 0, **options
) -> None:
    """Write `text` as `<agreement_id>/agreement.yaml` and check that the problem is reported at the
    `needle` in it (plus `offset` characters), with every one of `words`: `assert_reported`."""
    write_agreement(root, agreement_id, text)
    assert_reported(root, f"{agreement_id}/agreement.yaml", *position_of(text, needle, offset=offset), *words, **options)


def assert_reported_in_results(
    root: Path, terms: str, name: str, results: str, needle: str, *words: str, offset: int = 0, **options
) -> None:
    """Write agreement `svc` (`terms`) with the results file `name` (`results`), and check that the
    problem is reported at the `needle` in it (plus `offset` characters), with every one of `words`."""
    write_agreement(root, "svc", terms, {name: results})
    assert_reported(root, f"svc/results/{name}", *position_of(results, needle, offset=offset), *words, **options)


def evaluated(root: Path) -> dict:
    """Load a tree that must be valid and evaluate it: {agreement id: AgreementEvaluation}."""
    from mkdocs_sla.core.evaluate import evaluate_catalog

    catalog = load(root)
    assert not catalog.errors, "\n".join(str(d) for d in catalog.diagnostics)
    return {evaluation.record.id: evaluation for evaluation in evaluate_catalog(catalog)}


def period_outcome(root: Path, period: str, agreement_id: str = "svc"):
    """The PeriodOutcome of one period of one agreement in a valid tree."""
    evaluation = evaluated(root)[agreement_id]
    found = [p for p in evaluation.periods if p.period.label == period]
    assert found, f"no period {period} in {[p.period.label for p in evaluation.periods]}"
    return found[0]


def metric_outcome(root: Path, period: str, metric: str = "uptime", agreement_id: str = "svc"):
    """The MetricOutcome of one metric in one period."""
    outcome = period_outcome(root, period, agreement_id)
    return next(m for m in outcome.metrics if m.metric.id == metric)


@contextlib.contextmanager
def cpu_seconds_under(limit: float):
    """The work inside costs under `limit` CPU seconds, this process's and its finished children's
    (`sla` runs) together. CPU time, not the wall clock: on a machine shared with other jobs the
    wall clock measures the neighbours, while a parser that goes quadratic or expands an alias
    bomb spends the CPU itself."""

    def used() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started = used()
    yield
    spent = used() - started
    assert spent < limit, f"{spent:.2f} CPU seconds, expected under {limit}"
