"""The listings of a live preview (site/previewcache.py): after any sequence of edits, what a
rebuild makes from its kept rows is exactly what a fresh render makes, and a rebuild makes again
only the rows of the agreement edited."""

from __future__ import annotations

import functools
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from helpers import BUILD_DAY, REPO_ROOT
from mkdocs_sla.site.audiences import render_for
from mkdocs_sla.site.paths import RenderOptions
from mkdocs_sla.site.previewcache import ListingCache
from mkdocs_sla.site.render import render_listings
from mkdocs_sla.site.statements import Statements
from mkdocs_sla.source.parallel import FolderCache, for_each_agreement

OPTIONS = RenderOptions(site_url="https://sla.example.com/", site_name="SLAs")


class Preview:
    """The plugin's two phases as `mkdocs serve` runs them, with its two caches kept between rounds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders = FolderCache()
        self.listings = ListingCache()

    def summaries(self):
        diagnostics, rendered = for_each_agreement(
            self.root,
            functools.partial(render_for, today=BUILD_DAY, options=OPTIONS),
            workers=1,
            today=BUILD_DAY,
            cache=self.folders,
            key=(self.root, BUILD_DAY, OPTIONS),
        )
        assert not [d for d in diagnostics if d.severity == "error"], diagnostics
        return [r.summary for r in rendered if r is not None]

    def round(self) -> tuple[dict[str, str], dict[str, str], list]:
        summaries = self.summaries()
        kept, _ = render_listings(summaries, today=BUILD_DAY, options=OPTIONS, cache=self.listings)
        fresh, _ = render_listings(summaries, today=BUILD_DAY, options=OPTIONS)
        return kept, fresh, summaries


def retitle(root: Path, agreement_id: str, title: str) -> None:
    terms = root / agreement_id / "agreement.yaml"
    text, count = re.subn(r"(?m)^title: .*$", f"title: {title}", terms.read_text(encoding="utf-8"), count=1)
    assert count == 1
    terms.write_text(text, encoding="utf-8")


@pytest.fixture
def preview(tmp_path, monkeypatch):
    root = tmp_path / "agreements"
    shutil.copytree(REPO_ROOT / "agreements", root)
    # The edits rewrite a published version, which `versions.lock` rightly refuses; this test is
    # about the preview's rebuilds, so the copy drops the locks (as test_serve.py does).
    for lock in root.glob("*/versions.lock"):
        lock.unlink()
    made: Counter = Counter()
    section = Statements.section

    def counted(self, path, line):
        if self.cache is not None:  # the preview's render, not the fresh one beside it
            made[line.agreement_id] += 1
        return section(self, path, line)

    monkeypatch.setattr(Statements, "section", counted)
    return Preview(root), made


def test_a_preview_rebuild_makes_what_a_fresh_render_makes_and_only_the_edited_agreements_rows(preview):
    preview, made = preview
    kept, fresh, summaries = preview.round()
    assert kept == fresh
    # Two agreements of two customers, each on some statement and with one version (one title).
    by_customer: dict[str, str] = {}
    for s in summaries:
        text = (preview.root / s.id / "agreement.yaml").read_text(encoding="utf-8")
        if s.statements and s.customer_key and len(re.findall(r"(?m)^title: ", text)) == 1:
            by_customer.setdefault(s.customer_key, s.id)
    assert len(by_customer) >= 2, by_customer
    first, second = list(by_customer.values())[:2]
    lines = {s.id: len(s.statements) for s in summaries}

    # Each round edits one agreement: only its statement sections are made again, one per
    # statement it is on. The second edit's customer had its statements taken whole in the
    # round before (nothing of it changed there): their other sections are still kept.
    for round_number, agreement_id in enumerate([first, second, first, second]):
        made.clear()
        retitle(preview.root, agreement_id, f"Edited in round {round_number}")
        kept, fresh, _ = preview.round()
        assert kept == fresh, [path for path in fresh if kept.get(path) != fresh[path]]
        assert any(f"Edited in round {round_number}" in text for path, text in kept.items() if "/statements/" in path)
        assert made == Counter({agreement_id: lines[agreement_id]}), made

    # New charges in every results file of one agreement: its credits change, and with them the
    # totals of the periods, the customer's statements and the credits-by-period pages.
    charged = next(s for s in summaries if s.statements and any(line.issued for line in s.statements))
    for results in sorted((preview.root / charged.id / "results").glob("*.yaml")):
        text = results.read_text(encoding="utf-8")
        results.write_text(re.sub(r"(?m)^charges: (\d+)", lambda m: f"charges: {int(m.group(1)) * 3 + 7}", text), encoding="utf-8")
    before = kept
    kept, fresh, _ = preview.round()
    assert kept == fresh, [path for path in fresh if kept.get(path) != fresh[path]]
    changed = {path for path in kept if before.get(path) != kept[path]}
    assert any("/credits/" in path for path in changed) and any("/statements/" in path for path in changed), changed

    # A round with no edit makes no section at all.
    made.clear()
    kept, fresh, _ = preview.round()
    assert kept == fresh and not made
