"""Helpers for the comparison, diff and schema tests: agreements as data, real git repositories, `sla` in-process.

Agreements are written as YAML from plain dicts whose scalars are strings,
as the loader itself sees them, so `"99.9"` is exactly 99.9.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from site_tests.core_helpers import write_agreement as write_files

from mkdocs_sla.cli import main
from mkdocs_sla.core.model import Terms

#: Version 1.0 of a compute agreement: uptime with two credit tiers, a cap, a claim deadline, remedies.
TERMS: dict[str, Any] = {
    "format": "1",
    "id": "compute",
    "version": "1.0",
    "effective": "2025-01-01",
    "published": "2024-12-01",
    "title": "Compute",
    "summary": "Monthly uptime of the compute service, with credits when it falls short.",
    "provider": "Acme Cloud",
    "customer": "Northwind",
    "owner": "Acme service manager",
    "service": {"name": "Compute", "scope": "Virtual machines in every region."},
    "notice_days": "90",
    "period": "month",
    "responsibilities": {
        "provider": ["Keep the service available.", "Announce maintenance 5 days ahead."],
        "customer": ["Run instances in two zones."],
    },
    "metrics": [
        {
            "id": "uptime",
            "name": "Monthly uptime",
            "definition": "The minutes in the month when the region was available, as a share of all minutes.",
            "unit": "%",
            "better": "higher",
            "objective": "99.9",
            "measure": {"kind": "downtime", "minimum_outage_minutes": "1", "exclude_tags": ["maintenance"]},
            "credits": {
                "model": "tiers",
                "tiers": [
                    {"below": "99.9", "at_or_above": "99.5", "credit": "10"},
                    {"below": "99.5", "credit": "25"},
                ],
            },
        },
        {
            "id": "latency",
            "name": "Median response time",
            "definition": "The median time to first byte of API requests in the month.",
            "unit": "ms",
            "better": "lower",
            "objective": "200",
            "measure": {"kind": "value"},
        },
    ],
    "credit_terms": {
        "base": "the month's charges for Compute",
        "currency": "USD",
        "combine": "sum",
        "cap": "50",
        "minimum_amount": "1.00",
        "claim": {
            "how": "Open a support case titled SLA credit request.",
            "deadline": {"days_after_period": "30"},
            "evidence": ["the dates and times of each outage"],
        },
    },
    "remedies": {
        "escalation": [{"misses": "2", "within": "3", "action": "a service review with the account manager"}],
        "chronic": {"misses": "3", "within": "6", "termination_right": "true"},
    },
    "exclusions": ["Scheduled maintenance announced at least 5 days ahead."],
}


def terms_data(edit: Callable[[dict], Any] | None = None, **top: Any) -> dict[str, Any]:
    """A copy of TERMS with top-level keys replaced and `edit(data)` applied."""
    data = copy.deepcopy(TERMS)
    data.update(top)
    if edit is not None:
        edit(data)
    return data


def terms(edit: Callable[[dict], Any] | None = None, **top: Any) -> Terms:
    """TERMS (edited) as the model the loader would give."""
    return Terms.model_validate(terms_data(edit, **top))


def uptime(data: dict) -> dict:
    return data["metrics"][0]


def outage_results(period: str, minutes: int, charges: str = "1000.00", day: int = 10) -> dict[str, Any]:
    """Results with one outage of `minutes` (none for 0) on `day` of a month period, starting at 10:00 UTC."""
    start_minute = 10 * 60
    end_minute = start_minute + minutes
    end = f"{period}-{day + end_minute // 1440:02d}T{end_minute % 1440 // 60:02d}:{end_minute % 60:02d}:00Z"
    return {
        "period": period,
        "charges": charges,
        "metrics": {
            "uptime": {"outages": [{"start": f"{period}-{day:02d}T10:00:00Z", "end": end}] if minutes else []},
            "latency": {"value": "150"},
        },
    }


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_agreement(root: Path, versions: list[dict], results: dict[str, dict] | None = None, agreement_id: str = "compute") -> Path:
    """agreements/<id>/agreement.yaml with one document per version, and results/<period>.yaml
    (written by the core tests' writer, from the data as YAML)."""
    text = yaml.safe_dump_all(versions, sort_keys=False, allow_unicode=True)
    return write_files(root, agreement_id, text, {f"{period}.yaml": dump(data) for period, data in (results or {}).items()})


# ---------------------------------------------------------------- git


class GitRepo:
    """A real repository in a temporary folder; commits carry the dates the test gives them."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Maintainer",
            "GIT_AUTHOR_EMAIL": "maintainer@example.com",
            "GIT_COMMITTER_NAME": "Maintainer",
            "GIT_COMMITTER_EMAIL": "maintainer@example.com",
        }
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=self.path, env={**self.env, **(env or {})}, capture_output=True, text=True)
        assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
        return proc.stdout

    @property
    def agreements(self) -> Path:
        return self.path / "agreements"

    def commit(self, message: str, date: str) -> str:
        """Commit everything, dated `date` (YYYY-MM-DD, noon UTC); returns the commit id."""
        stamp = f"{date}T12:00:00+00:00"
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message, env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.git("rev-parse", "HEAD").strip()


def compute_repo(path: Path, date: str) -> GitRepo:
    """A repository whose `main` holds the compute agreement (`terms_data()`, in force since 2025-01)
    and the results of 2025-03, committed on `date`, with a branch `base` there."""
    repo = GitRepo(path)
    write_agreement(repo.agreements, [terms_data()], {"2025-03": outage_results("2025-03", 60)})
    repo.commit("Compute agreement", date)
    repo.git("branch", "base")
    return repo


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str


def sla(*args: str, cwd: Path) -> Run:
    """`sla ARGS` in-process, in `cwd`."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            status = exc.code if isinstance(exc.code, int) else 1
    return Run(status, out.getvalue(), err.getvalue())
