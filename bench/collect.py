"""`sla collect` for one metric over 24 months at a 60 s step, against a local Prometheus.

    .venv/bin/python bench/collect.py

Writes a 0/1 availability series (one sample a minute, 2024-01-01 to 2026-01-01, down 7
minutes in every 5,000: 210 outages) as OpenMetrics, backfills it with promtool into a fresh
data folder under bench/out/collect, starts Debian's prometheus on a free loopback port, and
times `sla collect` twice: the first run (writes the outage log and 24 results files) and a
re-run (the same answer: nothing written). Stops the server in any case.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # site_tests.prometheus_helpers

from site_tests.core_helpers import agreement, metric_text  # noqa: E402
from site_tests.prometheus_helpers import minutes, prometheus_server  # noqa: E402

AGREEMENT = agreement(
    "api",
    effective="2024-01-01",
    title="API",
    service="API",
    metrics=metric_text(
        definition="Minutes the API answered its probe.", credits="model: tiers\ntiers:\n  - below: 99.9\n    credit: 10\n"
    ),
)


def main() -> int:
    out = HERE / "out" / "collect"
    shutil.rmtree(out, ignore_errors=True)
    series = {'probe_success{job="api"}': minutes("2024-01-01T00:00", "2026-01-01T00:00", lambda t: 0 if (t // 60) % 5000 < 7 else 1)}
    started = time.monotonic()
    with prometheus_server(out / "prometheus", series) as url:
        print(f"backfilled 1,051,200 samples and started prometheus in {time.monotonic() - started:.1f} s")
        root = out / "agreements"
        (root / "api").mkdir(parents=True)
        (root / "api" / "agreement.yaml").write_text(AGREEMENT, encoding="utf-8")
        (root / "api" / "collect.yaml").write_text(
            f'prometheus:\n  url: {url}\nmetrics:\n  uptime:\n    availability: min(probe_success{{job="api"}})\n    step: 60s\n',
            encoding="utf-8",
        )
        for run in ("first run", "re-run"):
            began = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "mkdocs_sla.cli", "collect", str(root), "--until", "2026-01-01"], check=True, capture_output=True
            )
            print(f"sla collect, 24 months at 60 s ({run}): {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
