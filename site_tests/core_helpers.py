"""Small helpers for the core tests: write agreement folders into tmp_path, run `sla`.

An agreement in a test is a few lines of YAML; `agreement()` fills in the
required keys around the metrics under test, so each test shows only what it
is about. Positions in expected diagnostics are computed from the text written
(`position_of`), so a test states exactly which line and column must be named.
"""

from __future__ import annotations

import contextlib
import io
import resource
import subprocess
import sys
from pathlib import Path

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


def metric_text(
    metric_id: str = "uptime",
    *,
    name: str = "Monthly uptime",
    definition: str = "Minutes available as a share of all minutes.",
    unit: str = '"%"',
    better: str = "higher",
    objective: str = "99.9",
    strict: bool = False,
    measure: str = "kind: downtime\n",
    credits: str | None = TIERS_10_25,
) -> str:
    """The YAML text of one item of `metrics:`, indented for `agreement(metrics=...)`.

    `measure` and `credits` are the YAML of those sections, unindented (`credits=None`: none);
    `strict` writes `objective_strict: true`. Every test builds its metrics here, so a change
    to the format's required keys is made once."""
    text = (
        f"  - id: {metric_id}\n"
        f"    name: {name}\n"
        f"    definition: {definition}\n"
        f"    unit: {unit}\n"
        f"    better: {better}\n"
        f"    objective: {objective}\n" + ("    objective_strict: true\n" if strict else "") + "    measure:\n" + indented(measure)
    )
    if credits is not None:
        text += "    credits:\n" + indented(credits)
    return text


def indented(block: str) -> str:
    """A section's YAML, under its key in a metric (six spaces)."""
    return "".join(f"      {line}\n" for line in block.splitlines())


DOWNTIME_METRIC = metric_text()


def agreement(
    agreement_id: str = "svc",
    *,
    metrics: str = DOWNTIME_METRIC,
    extra: str = "",
    version: str = "1.0",
    effective: str = "2026-01-01",
    credit_terms: str | None = None,
    head: str = "",
    title: str | None = None,
    service: str = "The service",
) -> str:
    """The YAML text of one agreement version: the required keys, then `metrics`, then `extra`.

    `metrics` is the list under `metrics:` (items indented by two spaces);
    `credit_terms` replaces the default `credit_terms:` section (pass "" for none);
    `head` is inserted right after `id:` (e.g. `period: quarter`); `title` defaults to
    `Test agreement <id>`.
    """
    if credit_terms is None:
        credit_terms = "credit_terms:\n  base: the monthly charges\n"
    return (
        f"id: {agreement_id}\n"
        f"{head}"
        f'version: "{version}"\n'
        f"effective: {effective}\n"
        f"title: {title or f'Test agreement {agreement_id}'}\n"
        "provider: Provider\n"
        "customer: Customer\n"
        "owner: Owner\n"
        "service:\n"
        f"  name: {service}\n"
        "metrics:\n"
        f"{metrics}"
        f"{credit_terms}"
        f"{extra}"
    )


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


def outages_result(
    period: str, outages: list[tuple[str, str]] | list[tuple[str, str, list[str]]], metric: str = "uptime", charges: str | None = "1000"
) -> str:
    """A results file for one downtime metric with the given outages (start, end[, tags])."""
    lines = [f'period: "{period}"']
    if charges is not None:
        lines.append(f"charges: {charges}")
    lines += ["metrics:", f"  {metric}:"]
    if not outages:
        lines.append("    outages: []")
    else:
        lines.append("    outages:")
        for outage in outages:
            lines.append(f"      - start: {outage[0]}")
            lines.append(f"        end: {outage[1]}")
            if len(outage) > 2:
                lines.append(f"        tags: [{', '.join(outage[2])}]")
    return "\n".join(lines) + "\n"


def value_result(period: str, values: dict[str, str], charges: str | None = "1000", key: str = "value") -> str:
    """A results file giving `key: value` per metric."""
    lines = [f'period: "{period}"']
    if charges is not None:
        lines.append(f"charges: {charges}")
    lines.append("metrics:")
    for metric, value in values.items():
        lines += [f"  {metric}:", f"    {key}: {value}"]
    return "\n".join(lines) + "\n"


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
