"""The evidence behind a credit, as data: each outage with its counted and excluded minutes and why,
the window occurrences with their notice, the charges next to the credit, every note, in the JSON."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from site_tests.core_helpers import DOWNTIME_METRIC, agreement, loaded, period_outcome, write_agreement

from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.evidence import Exclusion
from mkdocs_sla.present import display
from mkdocs_sla.present.documents import evidenced_period_document, period_document
from mkdocs_sla.present.evidence import local_time, minutes_text
from mkdocs_sla.site.evidence_page import evidence_section

WINDOWS = """\
maintenance:
  notice_days: 5
  windows:
    - id: patching
      start: 2026-01-04T02:00:00
      rrule: FREQ=WEEKLY;BYDAY=SU
      duration_minutes: 120
      announced: 2025-12-01
      note: Weekly patching.
    - id: late
      start: 2026-01-20T10:00:00
      end: 2026-01-20T11:00:00
      announced: 2026-01-19
"""

LOG = """\
outages:
  - id: INC-1
    start: 2026-01-11T01:30:00+01:00
    end: 2026-01-11T02:30:00+01:00
    note: Patching overran its start.
    source: status page
  - id: INC-2
    start: 2026-01-20T10:00:00+01:00
    end: 2026-01-20T10:40:00+01:00
    weight: 50
  - id: INC-3
    start: 2026-01-25T12:00:00+01:00
    end: 2026-01-25T12:30:00+01:00
    tags: [planned]
  - id: INC-4
    start: 2026-01-31T23:50:00+01:00
    end: 2026-02-01T00:20:00+01:00
    note: Across the month end.
"""


def write(tmp_path):
    text = agreement(head="timezone: Europe/Berlin\n", extra=WINDOWS).replace(
        "kind: downtime", "kind: downtime\n      exclude_tags: [planned]"
    )
    results = 'period: "2026-01"\ncharges: 2000.00\nmetrics:\n  uptime:\n    note: Outages are in the log.\n'
    folder = write_agreement(tmp_path, "svc", text, {"2026-01.yaml": results})
    (folder / "outages.yaml").write_text(LOG)


def test_the_period_document_holds_each_outage_with_counted_and_excluded_minutes_and_why(tmp_path):
    write(tmp_path)
    document = evidenced_period_document(period_outcome(tmp_path, "2026-01"))
    (metric,) = document["metrics"]
    evidence = metric["evidence"]
    assert evidence["note"] == "Outages are in the log."
    by_id = {o["id"]: o for o in evidence["outages"]}
    assert list(by_id) == ["INC-1", "INC-2", "INC-3", "INC-4"]
    # INC-1: 01:30-02:30 Berlin; the Sunday window from 02:00 (announced weeks ahead) takes 30 minutes.
    one = by_id["INC-1"]
    assert (one["minutes"], one["excluded_minutes"], one["counted_minutes"]) == ("60", "30", "30")
    assert [(x["reason"], x["window"], x["start_display"]) for x in one["excluded"]] == [
        ("maintenance", "patching", "2026-01-11 02:00 +01:00")
    ]
    assert "announced 41 days 2 hours ahead (5 days required)" in one["excluded"][0]["reason_text"]
    assert (one["note"], one["source"], one["logged_in"]) == ("Patching overran its start.", "status page", "outage log")
    assert one["position"].endswith("svc/outages.yaml:2:5")
    # INC-2: inside a window announced a day ahead: counted, at its weight of 50%.
    two = by_id["INC-2"]
    assert (two["excluded"], two["weight"], two["counted_minutes"]) == ([], "50", "20")
    # INC-3: an excluded tag.
    three = by_id["INC-3"]
    assert [(x["reason"], x["tag"], x["minutes"]) for x in three["excluded"]] == [("tag", "planned", "30")]
    # INC-4: split at midnight in Berlin: 10 minutes in January.
    four = by_id["INC-4"]
    assert (four["in_period_start"], four["in_period_end"], four["counted_minutes"], four["split"]) == (
        "2026-01-31 23:50 +01:00",
        "2026-02-01 00:00 +01:00",
        "10",
        True,
    )
    assert evidence["down_minutes"] == "60"  # 30 + 20 + 0 + 10
    late = next(w for w in evidence["windows"] if w["id"] == "late")
    assert (late["enough_notice"], late["notice_given"], late["counted_inside_minutes"], late["excluded_minutes"]) == (
        False,
        "1 day 10 hours",
        "40",
        "0",
    )
    patching = [w for w in evidence["windows"] if w["id"] == "patching"]
    assert [w["start_display"] for w in patching] == [f"2026-01-{d:02d} 02:00 +01:00" for d in (4, 11, 18, 25)]
    assert [w["excluded_minutes"] for w in patching] == ["0", "30", "0", "0"]


def test_the_charges_and_the_credit_base_stand_next_to_the_credit_and_recompute_it(tmp_path):
    write(tmp_path)
    document = evidenced_period_document(period_outcome(tmp_path, "2026-01"))
    credit = document["credit"]
    assert (credit["charges"], credit["base"]) == ("2000.00", "the monthly charges")
    evidence = document["metrics"][0]["evidence"]
    down = sum(Fraction(o["counted_minutes"]) for o in evidence["outages"])
    for o in evidence["outages"]:
        assert Fraction(o["counted_minutes"]) == (Fraction(o["minutes"]) - Fraction(o["excluded_minutes"])) * Fraction(o["weight"]) / 100
    measured = Fraction(evidence["measured_minutes"])
    attainment = (measured - down) / measured * 100
    assert display.decimal(attainment) == document["metrics"][0]["attainment"]  # JSON numbers are decimal strings (issue 12)
    # 60 of 44,640 minutes down is 99.865...%: below 99.9 and at least 99.0, the 10% tier.
    assert document["metrics"][0]["tier"] == 1
    assert Fraction(credit["amount"]) == Fraction(Decimal(credit["charges"])) * Fraction(credit["percent"]) / 100 == 200


def test_the_evidence_reasons_are_the_core_enum_values():
    assert {e.value for e in Exclusion} == {"tag", "maintenance", "overlap", "minimum_outage", "outside_service_hours", "not_running"}


def test_times_are_shown_in_the_agreements_zone_with_seconds_only_when_there_are_some(tmp_path):
    import datetime as dt

    moment = dt.datetime(2026, 7, 1, 21, 50, tzinfo=dt.UTC)
    assert local_time(moment, "Europe/Berlin") == "2026-07-01 23:50 +02:00"
    assert local_time(moment.replace(second=27, microsecond=840000), "UTC") == "2026-07-01 21:50:27.84 +00:00"


def test_minutes_are_exact_where_a_short_decimal_says_it_and_marked_where_not():
    assert [minutes_text(Fraction(v)) for v in ("44640", "4.464", "2/3")] == ["44,640", "4.464", "≈0.667"]


def test_sla_credits_keeps_its_shape_and_the_evidence_is_the_sites_json_on_top(tmp_path):
    write(tmp_path)
    outcome = period_outcome(tmp_path, "2026-01")
    plain, evidenced = period_document(outcome), evidenced_period_document(outcome)
    assert "evidence" not in plain["metrics"][0] and "charges" not in plain["credit"]
    assert {k: v for k, v in evidenced["credit"].items() if k not in ("base", "charges")} == plain["credit"]
    assert [{k: v for k, v in m.items() if k != "evidence"} for m in evidenced["metrics"]] == plain["metrics"]


def test_the_page_works_out_a_credit_of_several_metrics_as_the_agreement_combines_them(tmp_path):

    second = DOWNTIME_METRIC.replace("id: uptime", "id: api")
    results = (
        'period: "2026-01"\ncharges: 1000\nmetrics:\n'
        "  uptime:\n    outages:\n      - {start: 2026-01-10T00:00:00Z, end: 2026-01-10T02:00:00Z}\n"
        "  api:\n    outages:\n      - {start: 2026-01-10T00:00:00Z, end: 2026-01-20T00:00:00Z}\n"
    )
    for combine, text in (
        ("sum", "10% + 25% = 35%; 35% of 1,000.00 USD = 350.00 USD"),
        ("max", "the largest of 10%, 25% = 25%; 25% of 1,000.00 USD = 250.00 USD"),
    ):
        root = tmp_path / combine
        terms = f"credit_terms:\n  base: the monthly charges\n  currency: USD\n  combine: {combine}\n"
        write_agreement(root, "svc", agreement(metrics=DOWNTIME_METRIC + second, credit_terms=terms), {"2026-01.yaml": results})
        record = loaded(root).get("svc")
        # The credit worked out, once, in the period's summary line.
        assert f", credit {text}</summary>" in evidence_section(record, evaluate(record))
