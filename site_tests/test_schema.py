"""The JSON Schema agrees with the loader: what the loader accepts, the schema accepts; what it
rejects, the schema rejects too, or the rule is one of `SCHEMA_LIMITS`.

YAML is read here as an editor's language server reads it: numbers are
numbers, `true` is a boolean, and dates stay strings (YAML 1.2 has no date
type), hence a SafeLoader without the timestamp resolver.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from diff_helpers import TERMS, dump, outage_results, terms_data, uptime, write_agreement
from helpers import REPO_ROOT
from mkdocs_sla.source.load import load
from mkdocs_sla.source.schema import SCHEMA_LIMITS, agreement_schema, results_schema


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor sees it: no timestamps."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

AGREEMENTS = Draft202012Validator(agreement_schema())
RESULTS = Draft202012Validator(results_schema())
EXAMPLES = REPO_ROOT / "agreements"


def editor_view(text: str) -> list:
    return list(yaml.load_all(text, Loader=EditorLoader))


def errors(validator: Draft202012Validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_schemas_are_valid_draft_2020_12():
    Draft202012Validator.check_schema(agreement_schema())
    Draft202012Validator.check_schema(results_schema())


def test_the_examples_exist():
    assert sorted(EXAMPLES.glob("*/agreement.yaml")), "no example agreements to check"
    assert sorted(EXAMPLES.glob("*/results/*.yaml"))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*/agreement.yaml")), ids=lambda p: p.parent.name)
def test_every_version_of_every_example_agreement_is_valid(path: Path):
    for document in editor_view(path.read_text(encoding="utf-8")):
        assert errors(AGREEMENTS, document) == []


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*/results/*.yaml")), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_example_results_file_is_valid(path: Path):
    (document,) = editor_view(path.read_text(encoding="utf-8"))
    assert errors(RESULTS, document) == []


def test_quoted_numbers_and_unquoted_labels_are_valid_as_for_the_loader(tmp_path):
    text = dump(terms_data()).replace("notice_days: '90'", 'notice_days: "90"').replace("version: '1.0'", "version: 1.0")
    write_agreement(tmp_path, [])
    (tmp_path / "compute" / "agreement.yaml").write_text(text)
    assert load(tmp_path).errors == []
    (document,) = editor_view(text)
    assert document["version"] == 1.0  # a number to the editor, the text "1.0" to the loader
    assert errors(AGREEMENTS, document) == []


def test_a_label_of_one_line_is_valid_whatever_its_characters(tmp_path):
    # The schema's pattern for one-line labels refuses what the loader refuses, and no more: a
    # no-break space pasted from a contract, an accent, a character beyond the BMP.
    data = terms_data(lambda d: uptime(d).update(unit="working\u00a0hours é 🕐"))
    write_agreement(tmp_path, [data])
    assert load(tmp_path).errors == []
    (document,) = editor_view(dump(data))
    assert errors(AGREEMENTS, document) == []


# ---------------------------------------------------------------- rejected by both


def broken(edit) -> dict:
    return terms_data(edit)


REJECTED = {
    "unknown key": lambda d: d.update(objectiv="99.9"),
    "unknown key in a metric": lambda d: uptime(d).update(objectve="99.9"),
    "wrong type: a list where a mapping is expected": lambda d: d.update(service=["Compute"]),
    "wrong type: text where a number is expected": lambda d: uptime(d).update(objective="high"),
    "wrong type: text where a whole number is expected": lambda d: d.update(notice_days="ninety"),
    "wrong type: text where true or false is expected": lambda d: uptime(d).update(objective_strict="perhaps"),
    "percentage above 100": lambda d: uptime(d)["credits"]["tiers"][0].update(credit=150),
    "percentage below 0": lambda d: d["credit_terms"].update(cap=-5),
    "quoted percentage above 100": lambda d: uptime(d)["credits"]["tiers"][0].update(credit="150"),
    "bad slug": lambda d: uptime(d).update(id="Uptime_Percent"),
    "bad slug in a tag": lambda d: uptime(d)["measure"].update(exclude_tags=["Planned Maintenance"]),
    "unknown measure": lambda d: uptime(d)["measure"].update(kind="uptime"),
    "unknown value of better": lambda d: uptime(d).update(better="more"),
    "not a date": lambda d: d.update(effective="1 January 2025"),
    "two upper bounds": lambda d: uptime(d)["credits"]["tiers"][0].update(at_or_below="99.8"),
    "a tier without bounds": lambda d: uptime(d)["credits"]["tiers"].append({"credit": "5"}),
    "a deadline in two forms": lambda d: d["credit_terms"]["claim"]["deadline"].update(billing_cycles_after="2"),
    "missing required key": lambda d: d.pop("metrics"),
    "format 2": lambda d: d.update(format="2"),
    "a line break in a unit": lambda d: uptime(d).update(unit="%\n\n# heading"),
    "a unit ending in a line break (`unit: |`)": lambda d: uptime(d).update(unit="%\n"),
    "a line break in a version label": lambda d: d.update(version="1.0\n2.0"),
    "a bidirectional control in a unit": lambda d: uptime(d).update(unit="ms\u202e"),
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_an_agreement_the_loader_rejects_the_schema_rejects(tmp_path, name):
    data = broken(REJECTED[name])
    write_agreement(tmp_path, [data])
    assert load(tmp_path).errors, f"the loader accepts {name}"
    (document,) = editor_view(dump(data))
    assert errors(AGREEMENTS, document), f"the schema accepts {name}"


RESULTS_REJECTED = {
    "bad period": lambda d: d.update(period="2025-13"),
    "bad quarter": lambda d: d.update(period="2025-Q5"),
    "unknown key": lambda d: d.update(charge="10"),
    "metric id that is not a slug": lambda d: d["metrics"].update({"Up Time": {"value": "1"}}),
    "negative charges": lambda d: d.update(charges=-1),
    "a count below zero": lambda d: d["metrics"].update(latency={"count": -1}),
    "an outage without an end": lambda d: d["metrics"]["uptime"]["outages"][0].pop("end"),
    "an outage start that is not a time": lambda d: d["metrics"]["uptime"]["outages"][0].update(start="tomorrow"),
}


@pytest.mark.parametrize("name", list(RESULTS_REJECTED))
def test_results_the_loader_rejects_the_schema_rejects(tmp_path, name):
    data = outage_results("2025-03", 60)
    RESULTS_REJECTED[name](data)
    write_agreement(tmp_path, [terms_data()], {"2025-03": data})
    assert load(tmp_path).errors, f"the loader accepts {name}"
    (document,) = editor_view(dump(data))
    assert errors(RESULTS, document), f"the schema accepts {name}"


# ---------------------------------------------------------------- what the schema cannot say


BEYOND_THE_SCHEMA = {
    "overlapping tiers": (lambda d: uptime(d)["credits"]["tiers"][1].update(below="99.6"), "overlap"),
    "metric ids used twice": (lambda d: d["metrics"][1].update(id="uptime"), "metric ids are unique"),
    "an id that differs from its folder": (lambda d: d.update(id="other"), "folder"),
    "an unknown time zone": (lambda d: d.update(timezone="Mars/Olympus"), "IANA"),
    "a pool credit without a pool": (
        lambda d: uptime(d).update(credits={"model": "pool", "allocation": "50", "minimum": "99"}),
        "`credit_terms.pool`",
    ),
    "a rolling average of an unknown metric": (
        lambda d: d["remedies"].update(rolling_average={"metric": "nope", "periods": "3", "below": "99"}),
        "rolling_average",
    ),
    "more misses than periods": (lambda d: d["remedies"]["chronic"].update(misses="7"), "at most `within`"),
    "a percentage objective above 100": (lambda d: uptime(d).update(objective="101"), "percentage from 0 to 100"),
}


@pytest.mark.parametrize("name", list(BEYOND_THE_SCHEMA))
def test_a_rule_the_schema_cannot_express_is_listed_in_schema_limits(tmp_path, name):
    edit, words = BEYOND_THE_SCHEMA[name]
    data = broken(edit)
    write_agreement(tmp_path, [data])
    assert load(tmp_path).errors, f"the loader accepts {name}"
    (document,) = editor_view(dump(data))
    if errors(AGREEMENTS, document):
        return  # the schema says it after all
    assert any(words in limit for limit in SCHEMA_LIMITS), f"{name} is not listed in SCHEMA_LIMITS"


def test_duplicate_keys_are_a_limit_of_the_schema(tmp_path):
    text = dump(terms_data()).replace("title: Compute\n", "title: Compute\ntitle: Compute again\n")
    write_agreement(tmp_path, [])
    (tmp_path / "compute" / "agreement.yaml").write_text(text)
    assert any("duplicate key" in d.message for d in load(tmp_path).errors)
    assert any("duplicate keys" in limit for limit in SCHEMA_LIMITS)


def test_every_field_of_the_model_is_in_the_schema():
    schema = agreement_schema()
    assert set(schema["properties"]) == set(TERMS) | {
        "changes",
        "review",
        "timezone",
        "mid_period_change",
        "remedies",
        "maintenance",
        "standard",
        "customer_id",
        "publish",
        "calendars",
        "tickets",
    }
    assert schema["additionalProperties"] is False
