"""The audience keys of the format: one customer, one key, one spelling, one folder; errors at their position, all at once."""

from __future__ import annotations

import re

import pytest
from site_tests.core_helpers import agreement, position_of, write_agreement

from mkdocs_sla.core.audiences import PUBLIC, Audience, AudienceKind, Share, customer_key, share
from mkdocs_sla.source.load import load
from mkdocs_sla.source.parallel import for_each_agreement


def with_customer(agreement_id: str, customer: str, extra: str = "") -> str:
    return agreement(agreement_id).replace("customer: Customer\n", f"customer: {customer}\n{extra}")


def errors_of(root) -> list[str]:
    return [str(d) for d in load(root).errors]


def at(root, agreement_id: str, text: str, needle: str) -> str:
    line, column = position_of(text, needle, offset=len(needle.split(":")[0]) + 2)
    return f"{root / agreement_id / 'agreement.yaml'}:{line}:{column}"


def test_a_customer_written_two_ways_is_an_error_at_the_second_spelling(tmp_path):
    first = with_customer("compute", "Northwind Retail plc")
    second = with_customer("storage", "Northwind Retail PLC")
    write_agreement(tmp_path, "compute", first)
    write_agreement(tmp_path, "storage", second)
    (error,) = errors_of(tmp_path)
    assert error.startswith(at(tmp_path, "storage", second, "customer: Northwind"))
    assert "`Northwind Retail PLC` is written `Northwind Retail plc`" in error
    assert "site `northwind-retail-plc`" in error
    # The parallel path (the plugin, `sla credits`) finds it too.
    diagnostics, _ = for_each_agreement(tmp_path)
    assert [str(d) for d in diagnostics if d.severity == "error"] == [error]


def test_one_customer_id_in_both_makes_two_spellings_one_customer(tmp_path):
    write_agreement(tmp_path, "compute", with_customer("compute", "Northwind Retail plc", "customer_id: northwind\n"))
    write_agreement(tmp_path, "storage", with_customer("storage", "Northwind Retail (EU) plc", "customer_id: northwind\n"))
    assert errors_of(tmp_path) == []


@pytest.mark.parametrize(
    ("customer", "words"),
    [
        ("株式会社", "has no letters or digits to make a folder name of"),
        ("Sales department, represented by Kendra Alvarez, Sales Director of EMEA", "longer than 60 characters"),
        ("Internal", "would take the folder `internal` of the internal site"),
        ("PUBLIC", "would take the folder `public` of the public site"),
    ],
)
def test_a_customer_name_that_makes_no_folder_of_its_own_needs_a_customer_id(tmp_path, customer, words):
    text = with_customer("svc", customer)
    write_agreement(tmp_path, "svc", text)
    (error,) = errors_of(tmp_path)
    assert error.startswith(at(tmp_path, "svc", text, "customer: "))
    assert words in error and "customer_id" in error
    # Given an id, the same name is fine.
    write_agreement(tmp_path, "svc", with_customer("svc", customer, "customer_id: sales\n"))
    assert errors_of(tmp_path) == []


def test_a_customer_unknown_to_customers_yaml_is_an_error_with_a_suggestion(tmp_path):
    (tmp_path / "customers.yaml").write_text("customers:\n  - id: northwind-retail-plc\n    name: Northwind Retail plc\n")
    good = with_customer("compute", "Northwind Retail plc")
    typo = with_customer("storage", "Northwind Retial plc")
    spelled = with_customer("backup", "Northwind Retail PLC")
    for agreement_id, text in (("compute", good), ("storage", typo), ("backup", spelled)):
        write_agreement(tmp_path, agreement_id, text)
    errors = errors_of(tmp_path)
    assert len(errors) == 2, errors
    unknown = next(e for e in errors if "storage" in e)
    assert unknown.startswith(at(tmp_path, "storage", typo, "customer: N"))
    assert "is not declared in" in unknown and "did you mean `northwind-retail-plc`" in unknown
    other = next(e for e in errors if "backup" in e)
    assert "`Northwind Retail PLC` is written `Northwind Retail plc` in" in other


def test_a_customer_key_that_changes_between_versions_is_an_error(tmp_path):
    text = (
        with_customer("svc", "Fabrikam Media")
        + "---\n"
        + with_customer("svc", "Fabrikam Studios").replace('version: "1.0"\neffective: 2026-01-01', 'version: "1.1"\neffective: 2026-06-01')
    )
    write_agreement(tmp_path, "svc", text)
    (error,) = errors_of(tmp_path)
    assert error.startswith(at(tmp_path, "svc", text, "customer: Fabrikam Studios"))
    assert "`fabrikam-studios` differs from `fabrikam-media`" in error


def test_public_results_need_public_terms(tmp_path):
    text = agreement("svc") + "publish:\n  terms: private\n  results: public\n"
    write_agreement(tmp_path, "svc", text)
    (error,) = errors_of(tmp_path)
    assert "public results need public terms" in error


@pytest.mark.parametrize(
    ("publish", "public_share"),
    [("", Share.NONE), ("publish:\n  terms: public\n", Share.TERMS), ("publish:\n  terms: public\n  results: public\n", Share.ALL)],
)
def test_each_audience_sees_what_the_agreement_allows(tmp_path, publish, public_share):
    write_agreement(tmp_path, "svc", with_customer("svc", "Northwind Retail plc") + publish)
    (record,) = load(tmp_path).agreements
    terms = record.versions[-1].terms
    assert customer_key(terms) == "northwind-retail-plc"
    assert share(PUBLIC, terms) is public_share
    assert share(Audience.parse("internal"), terms) is Share.ALL
    assert share(Audience.parse("customer:northwind-retail-plc"), terms) is Share.ALL
    assert share(Audience.parse("customer:fabrikam"), terms) is Share.NONE


@pytest.mark.parametrize("text", ["everyone", "customer:", "customer:Bad Name", "customers:x"])
def test_an_unknown_audience_says_what_is_expected(text):
    with pytest.raises(ValueError, match="expected `public`, `internal` or `customer:<id>`"):
        Audience.parse(text)


def test_publishing_an_agreement_does_not_rewrite_its_published_versions(tmp_path):
    from mkdocs_sla.source.load import digest

    write_agreement(tmp_path / "a", "svc", agreement("svc"))
    write_agreement(tmp_path / "b", "svc", agreement("svc") + "publish:\n  terms: public\ncustomer_id: c\n")
    ((a,),), ((b,),) = ([r.versions for r in load(tmp_path / name).agreements] for name in "ab")
    assert a.terms.id == b.terms.id == "svc" and digest(a.terms) == digest(b.terms)
    assert Audience.parse("customer:c").kind is AudienceKind.CUSTOMER


def test_a_page_reaches_exactly_the_audiences_of_its_reach():
    from mkdocs_sla.core.audiences import EVERYONE, INTERNAL, INTERNAL_ONLY, Reach
    from mkdocs_sla.site.audiences import reaching

    pages = [
        (EVERYONE, "service standard terms"),
        (INTERNAL_ONLY, "service finance view"),
        (Reach(customers=frozenset({"northwind"})), "northwind's agreement"),
        (Reach(public=True, customers=frozenset({"litware"})), "litware's public agreement"),
    ]
    assert reaching(pages, PUBLIC) == ["service standard terms", "litware's public agreement"]
    assert reaching(pages, Audience.of_customer("northwind")) == ["service standard terms", "northwind's agreement"]
    assert reaching(pages, Audience.of_customer("litware")) == ["service standard terms", "litware's public agreement"]
    assert reaching(pages, INTERNAL) == [name for _reach, name in pages]


@pytest.mark.parametrize(
    ("audience", "present", "absent"),
    [
        ("public", ["acme-compute.md", "code-hosting/credits.json"], ["acme-compute/credits.json", "object-store.md", "statements"]),
        (
            "customer:northwind-retail-plc",
            ["acme-compute/credits.json", "acme-database.md", "statements/northwind-retail-plc/2025-12.csv"],
            ["code-hosting.md", "object-store.md", "statements/litware-bank-ag"],
        ),
        ("internal", ["object-store.md", "statements/index.md", "statements/litware-bank-ag/2025-Q4.json"], []),
    ],
)
def test_sla_render_writes_only_what_the_audience_may_see(tmp_path, audience, present, absent):
    import subprocess

    from site_tests.core_helpers import SLA

    proc = subprocess.run([*SLA, "render", str(tmp_path), "--audience", audience, "--today", "2026-12-10"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for path in present:
        assert (tmp_path / "agreements" / path).exists(), path
    for path in absent:
        assert not (tmp_path / "agreements" / path).exists(), path


@pytest.mark.parametrize(
    ("today", "words"),
    [("2026-02-20", "2026-03-02 (10 days left)"), ("2026-03-01", "(1 day left)"), ("2026-03-02", "(last day)"), ("2026-03-03", "(passed)")],
)
def test_a_claim_deadline_shows_the_days_left_on_the_build_date_or_passed(tmp_path, today, words):
    import subprocess

    from site_tests.core_helpers import SLA, outages_result

    deadline = (
        "credit_terms:\n  base: the monthly charges\n  claim:\n    how: E-mail billing.\n    deadline:\n      days_after_period: 30\n"
    )
    write_agreement(
        tmp_path / "agreements",
        "svc",
        agreement("svc", credit_terms=deadline),
        {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-10T02:00:00Z")])},
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [*SLA, "render", str(out), "--path", str(tmp_path / "agreements"), "--today", today, "--audience", "customer:customer"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    for page in ("agreements/svc.md", "agreements/credits/2026-01.md", "agreements/statements/customer/2026-01.md"):
        assert words in re.sub(r"<[^>]+>", "", (out / page).read_text()), page
    csv_text = (out / "agreements/statements/customer/2026-01.csv").read_text()
    assert "'2026-03-02," in csv_text and words.split("(")[1].rstrip(")") in csv_text


def test_a_customer_too_long_for_a_folder_name_is_quoted_as_an_excerpt(tmp_path):
    name = "Northwind " * 500
    text = with_customer("compute", name.strip())
    write_agreement(tmp_path, "compute", text)
    (error,) = errors_of(tmp_path)
    assert error.startswith(at(tmp_path, "compute", text, "customer: Northwind"))
    assert "characters as a folder name; expected a `customer_id`" in error and len(error) < 400, error
