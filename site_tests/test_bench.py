"""`make bench` measures what it says: its live-preview step, run on a small catalog, times each
edit until the served pages show it (a check that stopped matching the page would wait out its
timeout and print no figure, as it once did when the page's summary lost its <strong>)."""

from __future__ import annotations

import re
import sys

from helpers import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "bench"))

import run  # bench/run.py


def test_the_live_preview_step_times_every_edit_until_the_served_pages_show_it(tmp_path, capsys):
    run.serve(tmp_path, 12)
    printed = capsys.readouterr().out
    # Under MkDocs, then ProperDocs, each editing an agreement of its own.
    sections = re.split(r"\n## Live preview: `(\w+) serve`", printed)
    assert sections[1::2] == ["mkdocs", "properdocs"], printed
    for section in sections[2::2]:
        for step in (
            "first build (until the agreement page answers)",
            "agreement edit: its page shows the new title",
            "agreement edit: the catalog too (after the page)",
            "results edit: the agreement page shows the new attainment",
        ):
            assert re.search(re.escape(step) + r"\s+\d+\.\ds", section), (step, printed)
        assert "rendered 1 of 12 agreement folders" in section, printed
