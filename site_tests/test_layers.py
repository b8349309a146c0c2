"""The package's shape is part of the interface: the layers contract and the linter run with the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PACKAGE = ROOT / "plugins" / "mkdocs_sla"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_imports_run_downward_through_the_layers():
    # --no-cache: a cache from another checkout must not answer for this one.
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_finds_nothing_to_lint():
    result = run(str(BIN / "ruff"), "check", "plugins", "site_tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing_to_format():
    result = run(str(BIN / "ruff"), "format", "--check", "plugins", "site_tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_over_600_lines():
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 600} == {}
