"""`sla collect` with a Statuspage export that is broken or hostile: every problem is an error of one
line naming the file and the incident, text from the export reads literally on the page, and a
failed import leaves the agreement folder as it was."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import random
import time
from decimal import Decimal

import pytest
import yaml
from site_tests.core_helpers import DOWNTIME_METRIC, agreement, run_sla, write_agreement
from site_tests.test_collect_statuspage import API, COLLECT, INCIDENTS, MAINTENANCES, WEB_METRIC, incident, update

from mkdocs_sla.present import markup
from mkdocs_sla.source.collect.statuspage import _merged, literal

EXPORT = "agreements/svc/statuspage/incidents.json"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(metrics=DOWNTIME_METRIC + WEB_METRIC, effective="2025-01-01"))
    (folder / "collect.yaml").write_text(COLLECT, encoding="utf-8")
    (folder / "statuspage").mkdir()
    (folder / "statuspage" / "scheduled-maintenances.json").write_text(json.dumps(MAINTENANCES), encoding="utf-8")
    return root


def export(root, document) -> None:
    raw = document if isinstance(document, bytes) else json.dumps(document, indent=1).encode()
    (root / "svc" / "statuspage" / "incidents.json").write_bytes(raw)


def snapshot(root) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def collect(root):
    return run_sla("collect", str(root), "--until", "2025-03-10", cwd=root.parent)


def failing(root) -> list[str]:
    """The error lines of a collect that must fail and leave the tree as it was."""
    before = snapshot(root)
    result = collect(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stderr.splitlines()


def first_incident(**changes) -> dict:
    document = copy.deepcopy(INCIDENTS)
    document["incidents"][0].update(changes)
    return document


def test_an_export_not_in_utf8_is_named_at_the_byte(tree):
    export(tree, b'{"incidents": [\n  {"id": "x", "name": "caf\xe9"}\n]}\n')
    assert failing(tree) == [f"sla collect: error: {EXPORT}:2:27: byte 0xe9 is not UTF-8; expected UTF-8 text"]


def test_an_export_nested_too_deep_is_named_where_it_goes_too_deep(tree):
    export(tree, b'{"incidents": [\n' + b"[" * 100_000 + b"]" * 100_000 + b"]}")
    assert failing(tree) == [
        f"sla collect: error: {EXPORT}:2:99: arrays and objects nested more than 100 deep; expected a document a few levels deep"
    ]


def test_affected_components_that_are_not_objects_are_errors_naming_the_incident(tree):
    document = first_incident()
    updates = document["incidents"][0]["incident_updates"]
    updates[0]["affected_components"] = ["API"]  # the newest update
    updates[1]["affected_components"] = "API"
    document["incidents"][1]["components"] = {"id": "wlm8ngtj6dvz"}  # an object, not a list
    export(tree, document)
    where = f"{EXPORT}: incidents[0] (API errors).incident_updates"
    assert failing(tree) == [
        # every incident's problem at once; within one incident, the first
        f"sla collect: error: {where}[1].affected_components is a string (API); expected a list of objects, as the Statuspage API v2 returns",
        f"sla collect: error: {EXPORT}: incidents[1] (Web slow to load).components is an object; "
        "expected a list of objects, as the Statuspage API v2 returns",
    ]
    updates[1]["affected_components"] = None
    export(tree, document)
    assert failing(tree)[0] == (
        f"sla collect: error: {where}[0].affected_components[0] is a string (API); expected an object, as the Statuspage API v2 returns"
    )


def test_an_incident_resolved_before_it_started_is_an_error(tree):
    export(tree, first_incident(started_at="2025-02-01T01:00:00Z"))
    assert failing(tree) == [
        f"sla collect: error: {EXPORT}: incidents[0] (API errors): started_at 2025-02-01T01:00:00Z is after resolved_at "
        "2025-02-01T00:20:00Z; expected an incident resolved after it started"
    ]


def test_names_from_the_export_read_literally_on_the_page(tree):
    hostile = "![p](https://evil.example/p.gif) [x](https://evil.example) <https://evil.example> *em* `c` &lt; \x1b[31m"
    document = copy.deepcopy(INCIDENTS)
    document["incidents"][0]["name"] = hostile
    document["incidents"][1]["name"] = "1. # > - list\n\n    code"
    export(tree, document)
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    notes = {o["start"]: o["note"] for o in yaml.safe_load((tree / "svc" / "outages" / "statuspage.yaml").read_text())["outages"]}
    for note, name in ((notes["2025-01-31T23:50:00Z"], hostile), (notes["2025-02-05T08:00:00Z"], "1. # > - list\n\n    code")):
        shown = markup.inline(note)
        assert "<a" not in shown and "<img" not in shown and "<code" not in shown and "<em" not in shown and "<li" not in shown
        assert markup.plain(note) == " ".join(name.split()).replace("\x1b", "\\x1b")  # what a reader sees: the name


@pytest.mark.parametrize(
    "name",
    ["*a* _b_ `c` [d](e) ![f](g) <h> &i; \\j", "# heading", "> quote", "+ item", "- item", "12. item", "3) item", "a\n\nb", "<b>x</b>"],
)
def test_literal_text_renders_as_itself(name):
    rendered = markup.inline(literal(name))
    assert markup.plain(literal(name)) == " ".join(name.split())
    assert "<" not in rendered.replace("&lt;", "")  # no tag at all: every character is text


def test_a_long_name_is_cut_and_the_import_validates(tree):
    export(tree, first_incident(name="x" * 25_000))
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    first = yaml.safe_load((tree / "svc" / "outages" / "statuspage.yaml").read_text())["outages"][0]
    assert first["note"] == "x" * 299 + "…"


def test_an_import_overlapping_a_hand_written_outage_writes_nothing(tree):
    export(tree, INCIDENTS)
    hand = "outages:\n  - start: 2025-02-05T08:30:00Z\n    end: 2025-02-05T08:40:00Z\n    metrics: [web-uptime]\n"
    (tree / "svc" / "outages.yaml").write_text(hand, encoding="utf-8")
    before = snapshot(tree)
    result = collect(tree)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == ("sla collect: error: the files collected would not validate (see above); nothing was written")
    # the problem is named in the tree's files, not the temporary copy's
    assert "agreements/svc/outages/statuspage.yaml" in result.stdout and "sla-collect-" not in result.stdout
    assert "wrote" not in result.stdout
    assert snapshot(tree) == before


def _quadratic_reference(metric_id, stretches):
    """The merge as it was written first (every stretch scanned for every piece), naming the first
    ten incidents of a piece: the expected answer."""
    cuts = sorted({t for s in stretches for t in (s[0], s[1])})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = [s for s in stretches if s[0] <= start and s[1] >= end]
        if covering:
            shown, more = covering[:10], f"; and {len(covering) - 10} more incidents" if len(covering) > 10 else ""
            names = "; ".join(dict.fromkeys(s[3] for s in shown)) + more
            piece = (max(s[2] for s in covering), names, "; ".join(dict.fromkeys(s[4] for s in shown)) + more)
            if pieces and pieces[-1][1] == start and pieces[-1][2:] == piece:
                pieces[-1] = (pieces[-1][0], end, *piece)
            else:
                pieces.append((start, end, *piece))
    return [(s.strftime("%Y-%m-%dT%H:%M:%SZ"), e.strftime("%Y-%m-%dT%H:%M:%SZ"), w, n, link) for s, e, w, n, link in pieces]


def _stretches(count: int, seed: int, spread: int) -> list:
    rng = random.Random(seed)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    out = []
    for index in range(count):
        start = base + dt.timedelta(minutes=rng.randrange(spread))
        out.append(
            (start, start + dt.timedelta(minutes=rng.randrange(1, 90)), Decimal(rng.choice([30, 50, 100])), f"i{index}", f"l{index}")
        )
    out.sort(key=lambda s: s[0])  # as incidents come: a start not after the next one's (ties in input order)
    return out


def test_the_merge_gives_what_scanning_every_stretch_gives(tmp_path):
    stretches = _stretches(300, 1, 1500)  # overlapping, at times more than NAMES_PER_NOTE at once
    got = [(e["start"], e["end"], Decimal(e.get("weight", 100)), e["note"], e["source"]) for e in _merged("m", stretches)]
    assert got == _quadratic_reference("m", stretches)


def test_the_merge_is_not_quadratic():
    small, large = _stretches(4000, 2, 4000 * 120), _stretches(16_000, 3, 16_000 * 120)
    timings = []
    for stretches in (small, large):
        began = time.process_time()
        _merged("m", stretches)
        timings.append(time.process_time() - began)
    # four times the incidents: about four times the time (n log n); sixteen times if quadratic
    assert timings[1] < 9 * timings[0] + 0.05, timings
    assert timings[1] < 5, timings  # 16,000 incidents took 19 s


def test_a_note_names_at_most_ten_incidents():
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    stretches = [(base, base + dt.timedelta(hours=1), Decimal(100), f"i{i}", f"l{i}") for i in range(12)]
    (entry,) = _merged("m", stretches)
    assert entry["note"] == "; ".join(f"i{i}" for i in range(10)) + "; and 2 more incidents"


def test_a_component_with_status_and_impact_is_still_one_incident(tree):
    """An incident whose updates name the component's status is not also counted by its impact."""
    document = {
        "incidents": [
            incident(
                "q1",
                "Q",
                "critical",
                "2025-02-01T00:00:00Z",
                "2025-02-01T01:00:00Z",
                [API],
                [update("investigating", "2025-02-01T00:00:00Z", [(API, "operational", "partial_outage")])],
            )
        ]
    }
    export(tree, document)
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    (entry,) = yaml.safe_load((tree / "svc" / "outages" / "statuspage.yaml").read_text())["outages"]
    assert (entry["start"], entry["end"], entry["weight"]) == ("2025-02-01T00:00:00Z", "2025-02-01T01:00:00Z", "50")


def test_a_file_the_check_cannot_copy_is_one_error_and_nothing_is_written(tree):
    # The collected files are checked in a copy of the tree; a named pipe there cannot be copied
    # (copying it would block): one line, never shutil's traceback.
    import os

    export(tree, INCIDENTS)
    os.mkfifo(tree / "svc" / "pipe")
    before = snapshot(tree)
    result = collect(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "error" in x]
    assert line.startswith("sla collect: error: could not check the collected files in a copy of the tree: ")
    assert line.endswith("expected readable regular files and room in the temporary folder; nothing was written")
    assert "Traceback" not in result.stderr and snapshot(tree) == before


@pytest.mark.parametrize("name", ["API & DB", "1.5 s latency", "50% errors", "C++ build", "Search (EU) degraded"])
def test_an_ordinary_name_is_written_as_it_is(name):
    # The note in the YAML file reads as the name does: only what Markdown would take as markup is escaped.
    assert literal(name) == name and markup.plain(literal(name)) == name
