"""Services: standard terms that agreements inherit, a service-wide outage log, and the errors of both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from site_tests.core_helpers import assert_reported, assert_reported_in_agreement, evaluated, loaded, position_of, write_agreement
from site_tests.service_helpers import inheriting, negotiated_tiers, outage_log, results, standard, write_service

from mkdocs_sla.core.inheritance import merge_terms

MONTH_31 = 31 * 24 * 60

TIERS_15 = negotiated_tiers(15)


def terms_of(root: Path, agreement_id: str = "svc"):
    catalog = loaded(root)
    assert not catalog.errors, "\n".join(str(d) for d in catalog.diagnostics)
    return catalog.get(agreement_id)


# ---------------------------------------------------------------- inheritance


def test_an_agreement_that_writes_only_its_parties_has_the_standards_terms(tmp_path):
    write_service(tmp_path)
    write_agreement(tmp_path, "svc", inheriting())
    record = terms_of(tmp_path)
    terms = record.versions[0].terms
    assert (terms.title, terms.customer, terms.provider) == ("Agreement svc", "Customer svc", "Provider")
    assert terms.metric("uptime").objective == Decimal("99.9")
    assert terms.credit_terms.cap == Decimal(50)
    assert terms.service.name == "The compute service"  # from the service's definition
    assert record.versions[0].inherited.negotiated == ()


def test_a_negotiated_tier_table_replaces_the_standards_and_the_metric_keeps_the_rest(tmp_path):
    write_service(tmp_path)
    write_agreement(tmp_path, "svc", inheriting(extra=TIERS_15))
    version = terms_of(tmp_path).versions[0]
    metric = version.terms.metric("uptime")
    assert [t.credit for t in metric.credits.tiers] == [Decimal(15), Decimal(25)]
    assert (metric.name, metric.objective, metric.measure.kind) == ("Monthly uptime", Decimal("99.9"), "downtime")
    assert version.inherited.negotiated == ("metrics.uptime.credits",)
    assert [t.credit for t in version.inherited.baseline.metric("uptime").credits.tiers] == [Decimal(10), Decimal(25)]


def test_a_negotiated_cap_keeps_the_standards_credit_base_and_an_extra_exclusion_adds_to_its_own(tmp_path):
    write_service(tmp_path)
    write_agreement(tmp_path, "svc", inheriting(extra="credit_terms:\n  cap: 20\nexclusions:\n  - Customer's failover tests.\n"))
    terms = terms_of(tmp_path).versions[0].terms
    assert (terms.credit_terms.cap, terms.credit_terms.base) == (Decimal(20), "the monthly charges")
    assert terms.exclusions == ["Scheduled maintenance.", "Customer's failover tests."]


def test_the_merge_rule_says_which_file_wrote_each_value():
    merged = merge_terms(
        {"version": "1.0", "metrics": [{"id": "uptime", "objective": "99.9"}], "credit_terms": {"base": "b", "cap": "50"}},
        {"id": "a", "version": "1", "metrics": [{"id": "uptime", "objective": "99.95"}], "credit_terms": {"cap": "20"}},
    )
    assert merged.data["version"] == "1"
    assert merged.data["metrics"] == [{"id": "uptime", "objective": "99.95"}]
    assert merged.data["credit_terms"] == {"base": "b", "cap": "20"}
    assert merged.locate(("metrics", 0, "objective"))[0].value == "agreement"
    assert merged.locate(("credit_terms", "base"))[0].value == "standard"
    assert merged.negotiated == ("metrics.uptime.objective", "credit_terms.cap")


def test_an_agreement_pinned_to_a_version_keeps_it_and_one_following_current_takes_each_new_version(tmp_path):
    write_service(tmp_path, "compute", standard("1.0", "2026-01-01"), standard("2.0", "2026-04-01", head="changes: Stricter.\n"))
    write_agreement(tmp_path, "pinned", inheriting("pinned"))
    write_agreement(tmp_path, "follower", inheriting("follower", version="current"))
    pinned, follower = terms_of(tmp_path, "pinned"), terms_of(tmp_path, "follower")
    assert [(v.label, v.effective) for v in pinned.versions] == [("1", dt.date(2026, 1, 1))]
    assert [(v.label, v.effective, v.inherited.standard_version) for v in follower.versions] == [
        ("1+1.0", dt.date(2026, 1, 1), "1.0"),
        ("1+2.0", dt.date(2026, 4, 1), "2.0"),
    ]
    assert follower.versions[1].terms.changes == "Stricter."


def test_a_period_is_credited_under_the_standard_version_in_force_for_a_current_follower(tmp_path):
    twenty = standard("2.0", "2026-04-01").replace("credit: 10", "credit: 20")
    log = outage_log(("2026-05-10T10:00:00Z", "2026-05-10T11:00:00Z", ""))
    write_service(tmp_path, "compute", standard("1.0", "2026-01-01"), twenty, outages=log)
    write_agreement(tmp_path, "pinned", inheriting("pinned"), {"2026-05.yaml": results("2026-05")})
    write_agreement(tmp_path, "follower", inheriting("follower", version="current"), {"2026-05.yaml": results("2026-05")})
    found = evaluated(tmp_path)
    assert found["pinned"].periods[0].credit.percent == 10
    assert found["follower"].periods[0].credit.percent == 20
    assert found["follower"].periods[0].version == "1+2.0"


def test_an_agreement_written_in_full_beside_inheriting_ones_keeps_its_own_terms(tmp_path):
    from site_tests.core_helpers import agreement

    write_service(tmp_path)
    write_agreement(tmp_path, "full", agreement("full"))
    write_agreement(tmp_path, "svc", inheriting())
    record = terms_of(tmp_path, "full")
    assert record.versions[0].inherited is None and record.versions[0].terms.credit_terms.cap is None


# ---------------------------------------------------------------- shared measurements


@pytest.mark.parametrize(
    ("component", "credited"),
    [
        (None, {"eu-only": 10, "us-only": 10, "everywhere": 10}),
        ("eu", {"eu-only": 10, "us-only": 0, "everywhere": 10}),
        ("us", {"eu-only": 0, "us-only": 10, "everywhere": 10}),
    ],
)
def test_one_incident_entered_once_credits_every_agreement_on_the_component_it_hit(tmp_path, component, credited):
    scoped = f"    component: {component}\n" if component else ""
    write_service(tmp_path, outages=outage_log(("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", scoped)))
    for agreement_id, components in (("eu-only", "[eu]"), ("us-only", "[us]"), ("everywhere", None)):
        write_agreement(tmp_path, agreement_id, inheriting(agreement_id, components=components), {"2026-01.yaml": results("2026-01")})
    found = evaluated(tmp_path)
    got = {i: found[i].periods[0].credit.percent for i in credited}
    assert got == credited
    for agreement_id, percent in credited.items():
        uptime = found[agreement_id].periods[0].metrics[0]
        assert uptime.attainment == (Fraction(MONTH_31 - 60, MONTH_31) * 100 if percent else 100)


def test_a_customers_own_outage_adds_to_the_services(tmp_path):
    write_service(tmp_path, outages=outage_log(("2026-01-10T10:00:00Z", "2026-01-10T10:30:00Z", "")))
    own = 'period: "2026-01"\ncharges: 1000\nmetrics:\n  uptime:\n    outages:\n      - start: 2026-01-20T10:00:00Z\n        end: 2026-01-20T10:30:00Z\n'
    write_agreement(tmp_path, "svc", inheriting(), {"2026-01.yaml": own})
    write_agreement(tmp_path, "other", inheriting("other"), {"2026-01.yaml": results("2026-01")})
    found = evaluated(tmp_path)
    assert found["svc"].periods[0].metrics[0].measured.down_minutes == 60
    assert found["other"].periods[0].metrics[0].measured.down_minutes == 30


def test_a_service_outage_without_an_offset_is_in_the_services_time_zone(tmp_path):
    berlin = standard(head="timezone: Europe/Berlin\n")
    write_service(tmp_path, "compute", berlin, outages=outage_log(("2026-01-31T23:30:00", "2026-02-01T00:30:00", "")))
    write_agreement(tmp_path, "svc", inheriting(extra="timezone: UTC\n"), {"2026-01.yaml": results("2026-01")})
    # 23:30-00:30 in Berlin is 22:30-23:30 UTC: all 60 minutes in January for an agreement measured in UTC.
    assert evaluated(tmp_path)["svc"].periods[0].metrics[0].measured.down_minutes == 60


# ---------------------------------------------------------------- bad input


def test_an_unknown_service_is_reported_at_the_agreements_line_with_a_suggestion(tmp_path):
    write_service(tmp_path)
    text = inheriting(service="compte")
    assert_reported_in_agreement(tmp_path, text, "compte", "unknown service `compte`", "did you mean `compute`?")


def test_an_unknown_standard_version_is_reported_with_the_versions_there_are(tmp_path):
    write_service(tmp_path, "compute", standard("1.0"), standard("2.0", "2026-06-01"))
    text = inheriting(version="2.1")
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, '"2.1"')
    assert_reported(tmp_path, "svc/agreement.yaml", line, column, "unknown standard version `2.1`", "did you mean `2.0`?", "`current`")


def test_an_override_of_a_metric_the_standard_does_not_have_names_the_metrics_it_has(tmp_path):
    write_service(tmp_path)
    text = inheriting(extra="metrics:\n  - id: uptme\n    objective: 99.5\n")
    assert_reported_in_agreement(tmp_path, text, "uptme", "unknown metric `uptme`", "did you mean `uptime`?", cli=False)


def test_an_override_of_a_key_the_format_does_not_have_is_reported_at_the_agreements_key(tmp_path):
    write_service(tmp_path)
    text = inheriting(extra="credit_term:\n  cap: 20\n")
    assert_reported_in_agreement(tmp_path, text, "credit_term:", "unknown key `credit_term`", "did you mean `credit_terms`?", cli=False)


def test_an_invalid_override_value_is_reported_at_the_agreements_line(tmp_path):
    write_service(tmp_path)
    text = inheriting(extra="credit_terms:\n  cap: 150\n")
    assert_reported_in_agreement(tmp_path, text, "150", "credit_terms.cap", cli=False)


def test_an_outage_scoped_to_a_component_the_service_does_not_have_is_reported_in_the_log(tmp_path):
    log = outage_log(("2026-01-10T10:00:00Z", "2026-01-10T11:00:00Z", "    component: euu\n"))
    write_service(tmp_path, outages=log)
    write_agreement(tmp_path, "svc", inheriting())
    line, column = position_of(log, "euu")
    assert_reported(tmp_path, "services/compute/outages.yaml", line, column, "unknown component `euu`", "did you mean `eu`?", cli=False)


def test_an_agreement_covering_a_component_the_service_does_not_have_is_reported(tmp_path):
    write_service(tmp_path)
    text = inheriting(components="[eu, asia]")
    assert_reported_in_agreement(tmp_path, text, "asia", "unknown component `asia`", cli=False)


def test_a_new_standard_version_that_drops_a_metric_an_agreement_changes_is_reported_at_both(tmp_path):
    renamed = standard("2.0", "2026-06-01").replace("id: uptime", "id: availability")
    write_service(tmp_path, "compute", standard("1.0"), renamed)
    text = inheriting(version="current", extra=TIERS_15)
    assert_reported_in_agreement(
        tmp_path, text, "uptime", "standard `compute` version `2.0` leaves this agreement invalid", "unknown metric `uptime`", cli=False
    )
    standard_text = (tmp_path / "services/compute/standard.yaml").read_text()
    line = standard_text[: standard_text.index('version: "2.0"')].count("\n") + 1
    assert_reported(tmp_path, "services/compute/standard.yaml", line, 1, "unknown metric `uptime`", "agreement `svc`", cli=False)


def test_a_new_standard_version_that_drops_what_a_negotiated_clause_needs_is_reported_at_both(tmp_path):
    # The agreement negotiated a pool credit, which needs the standard's at-risk pool; version 2.0 drops the pool.
    with_pool = standard("1.0").replace("  cap: 50\n", "  cap: 50\n  pool:\n    at_risk: 10\n")
    write_service(tmp_path, "compute", with_pool, standard("2.0", "2026-06-01"))
    pool = "metrics:\n  - id: uptime\n    credits:\n      model: pool\n      allocation: 50\n      minimum: 99\n"
    text = inheriting(version="current", extra=pool)
    write_agreement(tmp_path, "svc", text)
    line, column = position_of(text, "model: pool", offset=len("model: "))
    assert_reported(
        tmp_path, "svc/agreement.yaml", line, column, "standard `compute` version `2.0` leaves this agreement invalid", "pool", cli=False
    )
    standard_text = (tmp_path / "services/compute/standard.yaml").read_text()
    at = standard_text[: standard_text.index('version: "2.0"')].count("\n") + 1
    assert_reported(tmp_path, "services/compute/standard.yaml", at, 1, "pool", "agreement `svc`", cli=False)


def test_following_the_current_standard_needs_a_notice_period(tmp_path):
    no_notice = standard().replace("notice_days: 30\n", "")
    write_service(tmp_path, "compute", no_notice)
    text = inheriting(version="current")
    assert_reported_in_agreement(tmp_path, text, '"current"', "needs `notice_days`", cli=False)


def test_a_standard_with_an_error_is_reported_once_and_each_agreement_on_it_says_so(tmp_path):
    broken = standard().replace("objective: 99.9", "objective: 199.9")
    write_service(tmp_path, "compute", broken)
    text = inheriting()
    write_agreement(tmp_path, "svc", text)
    standard_text = (tmp_path / "services/compute/standard.yaml").read_text()
    assert_reported(tmp_path, "services/compute/standard.yaml", *position_of(standard_text, "199.9"), "expected 0 to 100", cli=False)
    assert_reported(tmp_path, "svc/agreement.yaml", *position_of(text, "compute"), "service `compute` has errors", cli=False)


def test_an_agreement_may_not_take_the_name_of_the_services_folder(tmp_path):
    from site_tests.core_helpers import agreement

    text = agreement("services")
    assert_reported_in_agreement(tmp_path, text, "services", "reserved", cli=False)


def test_a_standard_that_names_a_standard_of_its_own_is_refused_so_no_chain_or_loop_of_them_exists(tmp_path):
    looping = standard() + "standard:\n  service: compute\n  version: current\n"
    write_service(tmp_path, "compute", looping)
    write_agreement(tmp_path, "svc", inheriting())
    standard_text = (tmp_path / "services/compute/standard.yaml").read_text()
    line, column = position_of(standard_text, "standard:")
    assert_reported(tmp_path, "services/compute/standard.yaml", line, column, "a standard cannot inherit another standard", cli=False)
