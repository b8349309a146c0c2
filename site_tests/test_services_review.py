"""Review across agreements: `sla diff` of a change to a service's standard, in a real git repository."""

from __future__ import annotations

import json

from site_tests.core_helpers import write_agreement
from site_tests.diff_helpers import GitRepo, sla
from site_tests.service_helpers import inheriting, negotiated_tiers, standard, write_service

SHIELDED = negotiated_tiers(12)


def _repo(tmp_path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    root = repo.agreements
    write_service(root, "compute", standard("1.0", "2026-01-01"))
    write_agreement(root, "a-long-notice", inheriting("a-long-notice", version="current", extra="notice_days: 90\n"))
    write_agreement(root, "b-follower", inheriting("b-follower", version="current"))
    write_agreement(root, "c-shielded", inheriting("c-shielded", version="current", extra=SHIELDED))
    write_agreement(root, "d-pinned", inheriting("d-pinned", version="1.0"))
    repo.commit("the standard and four agreements on it", "2026-02-01")
    # 2.0 lowers the first tier's credit from 10% to 5%, 45 days after the commit.
    lowered = standard("2.0", "2026-03-18", head="published: 2026-02-01\nchanges: Lower first tier.\n").replace("credit: 10", "credit: 5")
    write_service(root, "compute", standard("1.0", "2026-01-01"), lowered)
    repo.commit("standard 2.0", "2026-02-01")
    return repo


def test_a_change_to_a_standard_lists_every_agreement_on_it_with_how_it_reaches_each(tmp_path):
    repo = _repo(tmp_path)
    done = sla("diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo.path)
    document = json.loads(done.stdout)
    [reviewed] = document["standards"]
    reach = {a["id"]: a["reach"] for a in reviewed["agreements"]}
    assert reach == {"a-long-notice": "adverse", "b-follower": "adverse", "c-shielded": "shielded", "d-pinned": "not reached"}
    assert reviewed["counts"]["adverse"] == 2 and reviewed["counts"]["shielded"] == 1
    notices = {a["id"]: a["notice_violation"] for a in reviewed["agreements"]}
    # 45 days' notice: enough for the standard's 30 days, not for the 90 days one customer negotiated.
    assert notices["a-long-notice"] and "90" in notices["a-long-notice"]
    assert notices["b-follower"] is None
    assert done.status != 0


def test_the_pull_request_comment_counts_the_agreements_reached_and_lists_them(tmp_path):
    repo = _repo(tmp_path)
    done = sla("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo.path)
    text = done.stdout
    assert "## Standard compute" in text
    assert "1 standard changed, 3 agreements changed" in text
    assert "reaches 3 of 4 agreements: 2 adverse, 1 shielded, 1 notice violation" in text
    for agreement_id in ("a-long-notice", "b-follower", "c-shielded", "d-pinned"):
        assert f"| {agreement_id} |" in text.replace("\\-", "-")
    assert "credit falls from 10% to 5%" in text
