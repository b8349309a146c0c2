"""`sla collect` importing an Atlassian Statuspage export (public API v2 documents) into the outage log and maintenance windows."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from site_tests.core_helpers import DOWNTIME_METRIC, agreement, position_of, run_sla, write_agreement

WEB_METRIC = DOWNTIME_METRIC.replace("id: uptime", "id: web-uptime").replace("name: Monthly uptime", "name: Web uptime")

PAGE = {
    "id": "y2j98763l56x",
    "name": "Acme",
    "url": "https://status.acme.test",
    "time_zone": "Etc/UTC",
    "updated_at": "2025-03-09T10:00:00Z",
}


def component(cid: str, name: str) -> dict:
    return {"id": cid, "name": name, "status": "operational", "page_id": PAGE["id"], "group": False, "position": 1}


API, WEB, DOCS = component("0l2p9nhqnxpd", "API"), component("wlm8ngtj6dvz", "Web"), component("d9c8j2kqzz1t", "Docs")


def update(status: str, at: str, changes: list[tuple[dict, str, str]] | None = None) -> dict:
    affected = [{"code": c["id"], "name": c["name"], "old_status": old, "new_status": new} for c, old, new in changes] if changes else None
    return {
        "id": f"u{at}",
        "status": status,
        "body": f"{status} at {at}",
        "created_at": at,
        "updated_at": at,
        "display_at": at,
        "affected_components": affected,
        "deliver_notifications": True,
    }


def incident(iid: str, name: str, impact: str, started: str, resolved: str | None, components: list[dict], updates: list[dict]) -> dict:
    return {
        "id": iid,
        "name": name,
        "status": "resolved" if resolved else "investigating",
        "impact": impact,
        "created_at": started,
        "updated_at": resolved or started,
        "started_at": started,
        "monitoring_at": None,
        "resolved_at": resolved,
        "shortlink": f"https://stspg.io/{iid}",
        "page_id": PAGE["id"],
        "components": components,
        "incident_updates": list(reversed(updates)),  # the API lists the newest first
    }


INCIDENTS = {
    "page": PAGE,
    "incidents": [
        # across the month boundary: major outage, then partial, then resolved
        incident(
            "p1",
            "API errors",
            "critical",
            "2025-01-31T23:50:00Z",
            "2025-02-01T00:20:00Z",
            [API],
            [
                update("investigating", "2025-01-31T23:50:00Z", [(API, "operational", "major_outage")]),
                update("identified", "2025-02-01T00:05:00Z", [(API, "major_outage", "partial_outage")]),
                update("resolved", "2025-02-01T00:20:00Z", [(API, "partial_outage", "operational")]),
            ],
        ),
        # no component status in the updates: the impact decides, from started_at to resolved_at
        incident(
            "p2",
            "Web slow to load",
            "major",
            "2025-02-05T08:00:00Z",
            "2025-02-05T09:00:00Z",
            [WEB],
            [update("resolved", "2025-02-05T09:00:00Z")],
        ),
        # still open: left for a later run
        incident("p3", "Investigating", "minor", "2025-03-09T08:00:00Z", None, [API], [update("investigating", "2025-03-09T08:00:00Z")]),
        # a component the agreement does not map
        incident(
            "p4",
            "Docs down",
            "critical",
            "2025-02-07T08:00:00Z",
            "2025-02-07T09:00:00Z",
            [DOCS],
            [update("resolved", "2025-02-07T09:00:00Z")],
        ),
        # in March: not closed on 2025-03-10
        incident(
            "p5",
            "March outage",
            "critical",
            "2025-03-02T08:00:00Z",
            "2025-03-02T09:00:00Z",
            [API],
            [update("resolved", "2025-03-02T09:00:00Z")],
        ),
        # two incidents overlapping on the API: the larger weight where they overlap
        incident(
            "p6",
            "API down",
            "critical",
            "2025-02-10T10:00:00Z",
            "2025-02-10T11:00:00Z",
            [API],
            [
                update("investigating", "2025-02-10T10:00:00Z", [(API, "operational", "major_outage")]),
                update("resolved", "2025-02-10T11:00:00Z"),
            ],
        ),
        incident(
            "p7",
            "API degraded",
            "major",
            "2025-02-10T10:30:00Z",
            "2025-02-10T12:00:00Z",
            [API],
            [
                update("investigating", "2025-02-10T10:30:00Z", [(API, "operational", "partial_outage")]),
                update("resolved", "2025-02-10T12:00:00Z"),
            ],
        ),
    ],
}

MAINTENANCES = {
    "page": PAGE,
    "scheduled_maintenances": [
        {
            "id": "m1",
            "name": "Database upgrade",
            "status": "completed",
            "impact": "maintenance",
            "created_at": "2025-02-01T09:00:00Z",
            "scheduled_for": "2025-02-15T02:00:00Z",
            "scheduled_until": "2025-02-15T04:00:00Z",
            "shortlink": "https://stspg.io/m1",
            "components": [API],
            "incident_updates": [],
        },
        {
            "id": "m2",
            "name": "Docs migration",
            "status": "completed",
            "impact": "maintenance",
            "created_at": "2025-02-01T09:00:00Z",
            "scheduled_for": "2025-02-16T02:00:00Z",
            "scheduled_until": "2025-02-16T04:00:00Z",
            "shortlink": "https://stspg.io/m2",
            "components": [DOCS],
            "incident_updates": [],
        },
        {
            "id": "m3",
            "name": "April network work",
            "status": "scheduled",
            "impact": "maintenance",
            "created_at": "2025-03-01T09:00:00Z",
            "scheduled_for": "2025-04-05T02:00:00Z",
            "scheduled_until": "2025-04-05T03:00:00Z",
            "shortlink": "https://stspg.io/m3",
            "components": [API, WEB],
            "incident_updates": [],
        },
    ],
}

COLLECT = """\
statuspage:
  components:
    API: [uptime]
    wlm8ngtj6dvz: [web-uptime]
  statuses:
    partial_outage: 50
    major_outage: 100
"""


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(metrics=DOWNTIME_METRIC + WEB_METRIC, effective="2025-01-01"))
    (folder / "collect.yaml").write_text(COLLECT, encoding="utf-8")
    (folder / "statuspage").mkdir()
    (folder / "statuspage" / "incidents.json").write_text(json.dumps(INCIDENTS, indent=1), encoding="utf-8")
    (folder / "statuspage" / "scheduled-maintenances.json").write_text(json.dumps(MAINTENANCES, indent=1), encoding="utf-8")
    return root


def collect(root):
    return run_sla("collect", str(root), "--until", "2025-03-10", cwd=root.parent)


def outages(root) -> list[dict]:
    return yaml.safe_load((root / "svc" / "outages" / "statuspage.yaml").read_text())["outages"]


def test_component_statuses_become_outages_with_their_weights(tree):
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    api = [(o["start"], o["end"], o.get("weight")) for o in outages(tree) if o["metrics"] == ["uptime"]]
    assert api[:2] == [("2025-01-31T23:50:00Z", "2025-02-01T00:05:00Z", None), ("2025-02-01T00:05:00Z", "2025-02-01T00:20:00Z", "50")]
    first = outages(tree)[0]
    assert (first["note"], first["source"], first["tags"]) == ("API errors", "https://stspg.io/p1", ["statuspage"])
    assert "1 still open" in result.stdout


def test_an_incident_without_component_statuses_counts_by_its_impact(tree):
    assert collect(tree).returncode == 0
    web = [(o["start"], o["end"], o.get("weight"), o["note"]) for o in outages(tree) if o["metrics"] == ["web-uptime"]]
    assert web == [("2025-02-05T08:00:00Z", "2025-02-05T09:00:00Z", None, "Web slow to load")]


def test_overlapping_incidents_make_no_overlapping_entries_and_the_larger_weight_wins(tree):
    assert collect(tree).returncode == 0
    api = [
        (o["start"], o["end"], o.get("weight")) for o in outages(tree) if o["metrics"] == ["uptime"] and o["start"].startswith("2025-02-10")
    ]
    assert api == [
        ("2025-02-10T10:00:00Z", "2025-02-10T10:30:00Z", None),
        ("2025-02-10T10:30:00Z", "2025-02-10T11:00:00Z", None),
        ("2025-02-10T11:00:00Z", "2025-02-10T12:00:00Z", "50"),
    ]
    assert all(a["end"] <= b["start"] for a, b in zip(outages(tree), outages(tree)[1:], strict=False) if a["metrics"] == b["metrics"])


def test_only_closed_periods_and_mapped_components_are_imported(tree):
    assert collect(tree).returncode == 0
    notes = {o["note"] for o in outages(tree)}
    assert "March outage" not in notes and "Docs down" not in notes and "Investigating" not in notes


def test_scheduled_maintenances_become_windows_with_the_date_announced(tree):
    assert collect(tree).returncode == 0
    windows = yaml.safe_load((tree / "svc" / "maintenance.yaml").read_text())["windows"]
    assert windows == [
        {
            "id": "statuspage-m1",
            "start": "2025-02-15T02:00:00Z",
            "end": "2025-02-15T04:00:00Z",
            "announced": "2025-02-01T09:00:00Z",
            "metrics": ["uptime"],
            "note": "Database upgrade (https://stspg.io/m1)",
        }
    ]


def test_a_second_import_changes_nothing(tree):
    assert collect(tree).returncode == 0
    written = {p: p.stat().st_mtime_ns for p in (tree / "svc").rglob("*.yaml")}
    again = collect(tree)
    assert again.returncode == 0 and "wrote" not in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (tree / "svc").rglob("*.yaml")} == written


def test_a_hand_written_maintenance_file_is_never_replaced(tree):
    hand = "windows:\n  - id: db\n    start: 2025-02-20T02:00:00Z\n    end: 2025-02-20T03:00:00Z\n    announced: 2025-02-01T00:00:00Z\n"
    (tree / "svc" / "maintenance.yaml").write_text(hand)
    result = collect(tree)
    assert result.returncode == 1 and "is written by hand" in result.stderr
    assert (tree / "svc" / "maintenance.yaml").read_text() == hand
    assert not (tree / "svc" / "outages").exists()


def test_an_export_that_is_not_json_is_named_with_its_line_and_column(tree):
    (tree / "svc" / "statuspage" / "incidents.json").write_text('{"incidents": [\n  {"id": "x",}\n]}\n')
    result = collect(tree)
    assert result.returncode == 1
    assert "error: agreements/svc/statuspage/incidents.json:2:14: not JSON" in result.stderr


def test_a_component_mapped_to_an_unknown_metric_is_named_at_its_position(tree):
    config = tree / "svc" / "collect.yaml"
    text = COLLECT.replace("[web-uptime]", "[web-uptme]")
    config.write_text(text)
    result = collect(tree)
    line, column = position_of(text, "web-uptme")
    assert result.returncode == 1
    assert f"collect.yaml:{line}:{column}: error: unknown metric `web-uptme`; did you mean `web-uptime`?" in result.stdout


def test_every_closed_period_names_the_mapped_metrics_so_a_quiet_month_counts(tree):
    assert collect(tree).returncode == 0
    for period in ("2025-01", "2025-02"):
        metrics = yaml.safe_load((tree / "svc" / "results" / f"{period}.yaml").read_text())["metrics"]
        assert sorted(metrics) == ["uptime", "web-uptime"] and metrics["web-uptime"]["outages"] == []
    assert not (tree / "svc" / "results" / "2025-03.yaml").exists()


def test_an_export_that_changes_a_closed_period_becomes_a_correction(tree):
    assert collect(tree).returncode == 0
    path = tree / "svc" / "statuspage" / "incidents.json"
    path.write_text(path.read_text().replace('"resolved_at": "2025-02-05T09:00:00Z"', '"resolved_at": "2025-02-05T09:30:00Z"'))
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    (correction,) = yaml.safe_load((tree / "svc" / "corrections.yaml").read_text())["corrections"]
    assert (correction["period"], correction["category"]) == ("2025-02", "collector")
    assert "from the Statuspage export" in correction["reason"]
    before, after = Fraction(40320 - 60, 40320) * 100, Fraction(40320 - 90, 40320) * 100
    figures = correction["metrics"]["web-uptime"]
    assert (Fraction(figures["before"]), Fraction(figures["after"])) == (_cut(before), _cut(after))


def _cut(value: Fraction) -> Fraction:
    """6 decimals, rounded down: the worse side of a `better: higher` attainment."""
    return Fraction(value.numerator * 10**6 // value.denominator, 10**6)


@pytest.mark.parametrize("export", [None, "exports/sp"])
def test_the_export_folder_is_no_stray_entry_of_the_agreement_folder(tree, export):
    """The folder a status page's export is read from is the collector's: no warning that it
    is not read (a warning would fail every strict build of a Statuspage user)."""
    from mkdocs_sla.source.load import load

    folder = tree / "svc"
    if export:
        (folder / "exports").mkdir()
        (folder / "statuspage").rename(folder / "exports" / "sp")
        (folder / "collect.yaml").write_text(COLLECT.replace("statuspage:\n", f"statuspage:\n  export: {export}\n", 1), encoding="utf-8")
    result = collect(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    catalog = load(tree)
    assert not catalog.errors and not [str(d) for d in catalog.diagnostics if d.severity == "warning"], catalog.diagnostics
