"""schema: JSON Schema (draft 2020-12) of the agreement and results files, generated from the model.

Editors (the YAML language server) check files against it as they are typed,
so it must accept what they see. The loader reads every YAML scalar as text
and lets the model parse numbers, dates and booleans, so `objective: 99.9`,
`objective: "99.9"` and `every_months: "18"` are all valid; an editor,
following YAML 1.2, sees the first as a number and the others as strings.
The schema therefore accepts, for

- decimals: a number, or a string that is a decimal number;
- integers: an integer, or a string of digits;
- booleans: `true`/`false`, or the words the model reads as booleans;
- dates and times: strings in ISO 8601 form (YAML 1.2 has no date type);
- texts: strings, and numbers or booleans, which the loader reads as their text.

Ranges (`0` to `100` for a percentage) are checked on numbers, and on strings
where a pattern can say them. What a schema cannot say is listed in
`SCHEMA_LIMITS`, which the format reference prints.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from mkdocs_sla.core.model import MaintenanceFile, OutageLog, Results, ReviewsFile, Terms

#: The example site's schema folder: what `sla schema` writes where no mkdocs.yml names a site_url.
BASE_URL = "https://example.github.io/mkdocs-sla/latest/schema/"
AGREEMENT_SCHEMA_ID = BASE_URL + "agreement.schema.json"
RESULTS_SCHEMA_ID = BASE_URL + "results.schema.json"
OUTAGES_SCHEMA_ID = BASE_URL + "outages.schema.json"
MAINTENANCE_SCHEMA_ID = BASE_URL + "maintenance.schema.json"
REVIEWS_SCHEMA_ID = BASE_URL + "reviews.schema.json"
SERVICE_SCHEMA_ID = BASE_URL + "service.schema.json"
STANDARD_SCHEMA_ID = BASE_URL + "standard.schema.json"
SERVICE_OUTAGES_SCHEMA_ID = BASE_URL + "service-outages.schema.json"
#: mike's canonical version (mkdocs.yml: `canonical_version`): the schemas' stable address.
CANONICAL_VERSION = "latest"


def schema_base(site_url: str | None) -> str:
    """The folder of the JSON Schemas on the published site, from `site_url` alone, so a provider
    who sets site_url ships its own address: `<site_url>latest/schema/`. Under `mike deploy`
    site_url already ends in `latest/` (canonical_version); it is not doubled. No site_url:
    the example's address."""
    if not site_url:
        return BASE_URL
    root = site_url if site_url.endswith("/") else site_url + "/"
    if root.endswith(f"/{CANONICAL_VERSION}/"):
        root = root[: -len(CANONICAL_VERSION) - 1]
    return f"{root}{CANONICAL_VERSION}/schema/"


DRAFT = "https://json-schema.org/draft/2020-12/schema"

#: Rules `sla validate` checks that the JSON Schema cannot express.
SCHEMA_LIMITS: tuple[str, ...] = (
    "Credit tiers of a metric must not overlap; attainments that miss the objective but fall in no tier are reported as warnings.",
    "A key may appear only once in a mapping (duplicate keys), and YAML anchors, aliases and tags are not allowed.",
    "`id` equals the name of the agreement's folder, and metric ids are unique within a version.",
    "Versions in `agreement.yaml` are ordered oldest first, with distinct labels and distinct `effective` dates, labels increasing with the date, and one `period` kind for all versions.",
    "A version already published or in force matches its hash in `versions.lock` (it is never rewritten).",
    "The objective of a `downtime`, `intervals` or `events` metric is a percentage from 0 to 100.",
    "A `pool` credit needs `credit_terms.pool`, and its `minimum` is met by the objective; credits need `credit_terms`.",
    "`remedies.rolling_average.metric` names a metric of the version; escalation and chronic `misses` are at most `within`.",
    "`timezone` is an IANA time zone name known to the system.",
    "A results file's `period` equals its file name, has the agreement's period kind (month or quarter), and does not end before the first version took effect; one results file per period.",
    "Results name only metrics of the version that governs the period, with the keys of each metric's measure (`good` and `total` for `events`, `outages` for `downtime`…), `good` at most `total`.",
    "Outages end after they start and lie in the period of their file; interval CSV files exist beside the results file, with one row per interval inside the period.",
    "A number written as a quoted string is checked for its form; its range (0 to 100 for a percentage) only where noted by a pattern.",
    "A metric's `calendar` names a calendar of the agreement's `calendars:` or of `agreements/calendars/<name>.yaml` (or `24x7`); holiday countries and subdivisions are those the `holidays` package knows; a calendar's hours on one day do not overlap (the pattern says `HH:MM-HH:MM`, the loader checks 00:00 to 24:00).",
    "Ticket exports (`tickets/<period>.csv`) are named by a period of the agreement and checked on load: the mapped columns, known priorities and states, one row per ticket id, responses and pauses after creation, pauses that do not overlap, timestamps with an offset unless the mapping names a zone.",
    "A measure has `service_hours` or a `calendar`, not both.",
    "A tier has at most one upper and one lower bound, and at least one bound; a claim deadline has exactly one of its two forms (the schema says these too, without the loader's wording).",
)

_DECIMAL = r"^\s*[+-]?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?\s*$"
_UNSIGNED_DECIMAL = r"^\s*\+?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)([eE][+-]?\d+)?\s*$"
# 0 to 100 as text: 100, 100.0…, or up to two digits with any decimals.
_PERCENT = r"^\s*\+?(0*100(\.0*)?|0*\d{1,2}(\.\d*)?|\.\d+)\s*$"
_INTEGER = r"^\s*[+-]?\d[\d_]*\s*$"
_UNSIGNED_INTEGER = r"^\s*\+?\d[\d_]*\s*$"
_POSITIVE_INTEGER = r"^\s*\+?0*[1-9][\d_]*\s*$"
_BOOLEAN_WORDS = ("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0")
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_DATETIME = r"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$"


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


_BOOLEAN = "^(" + "|".join(_any_case(w) for w in _BOOLEAN_WORDS) + ")$"


def _number_or_text(number: dict[str, Any], pattern: str) -> dict[str, Any]:
    """A number in a YAML file: the JSON number, or a string (the loader reads every scalar as
    text) that matches `pattern`."""
    return {"anyOf": [number, {"type": "string", "pattern": pattern}]}


class YamlTextSchema(GenerateJsonSchema):
    """Pydantic's generator, widened to what a YAML editor sees for values the loader reads as text."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> dict[str, Any]:
        """Numbers are YAML text in the files: a decimal is a number or a numeric string."""
        number: dict[str, Any] = {"type": "number"}
        for key, json_key in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum")):
            if schema.get(key) is not None:
                number[json_key] = _plain_number(schema[key])
        low = schema.get("ge", schema.get("gt"))
        high = schema.get("le", schema.get("lt"))
        if low is not None and high is not None and low == 0 and high == 100:
            return _number_or_text(number, _PERCENT)
        return _number_or_text(number, _UNSIGNED_DECIMAL if low is not None and low >= 0 else _DECIMAL)

    def int_schema(self, schema: core_schema.IntSchema) -> dict[str, Any]:
        """Whole numbers are YAML text in the files: an integer or a string of digits."""
        number = super().int_schema(schema)
        ge, gt, le = schema.get("ge"), schema.get("gt"), schema.get("le")
        if ge is not None and le is not None and ge == le:
            return _number_or_text(number, rf"^\s*\+?0*{ge}\s*$")
        if (gt is not None and gt >= 0) or (ge is not None and ge >= 1):
            return _number_or_text(number, _POSITIVE_INTEGER)
        return _number_or_text(number, _UNSIGNED_INTEGER if ge is not None and ge >= 0 else _INTEGER)

    def bool_schema(self, schema: core_schema.BoolSchema) -> dict[str, Any]:
        """Booleans as YAML writes them."""
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": _BOOLEAN}, {"enum": [0, 1]}]}

    def date_schema(self, schema: core_schema.DateSchema) -> dict[str, Any]:
        """Dates as YAML writes them: `YYYY-MM-DD`."""
        return {"type": "string", "format": "date", "pattern": _DATE}

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> dict[str, Any]:
        # Not `format: date-time`: RFC 3339 needs an offset, and a time without one is valid here
        # (it is read in the agreement's time zone).
        """Moments as ISO 8601 text."""
        return {"type": "string", "pattern": _DATETIME}

    def str_schema(self, schema: core_schema.StringSchema) -> dict[str, Any]:
        """Texts, with the constraints the model sets."""
        text = super().str_schema(schema)
        # `version: 1.0` is the text "1.0" to the loader, a number to an editor.
        return {**text, "type": ["string", "number", "boolean"]}

    def dict_schema(self, schema: core_schema.DictSchema) -> dict[str, Any]:
        # Pydantic says a key pattern with `patternProperties`, which lets other keys through;
        # the loader rejects them, so the key's constraints go to `propertyNames`.
        """Mappings with the constraints the model sets on their keys."""
        result: dict[str, Any] = {"type": "object"}
        values = self.generate_inner(schema["values_schema"]).copy() if "values_schema" in schema else {}
        values.pop("title", None)
        result["additionalProperties"] = values or True
        keys = self.generate_inner(schema["keys_schema"]).copy() if "keys_schema" in schema else {}
        keys = {k: v for k, v in keys.items() if k not in ("title", "type")}
        if keys:
            result["propertyNames"] = keys
        self.update_with_validations(result, schema, self.ValidationsMapping.object)
        return result


def _plain_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _finish(schema: dict[str, Any], schema_id: str, title: str) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    defs = schema.get("$defs", {})
    # Rules of the model's validators that a schema can say.
    one_upper = {"not": {"required": ["below", "at_or_below"]}}
    one_lower = {"not": {"required": ["above", "at_or_above"]}}
    some_bound = {"anyOf": [{"required": [k]} for k in ("below", "at_or_below", "above", "at_or_above")]}
    for name in ("CreditTier", "Bounds"):
        if name in defs:
            defs[name]["allOf"] = [one_upper, one_lower, some_bound]
    if "Deadline" in defs:
        defs["Deadline"]["oneOf"] = [{"required": ["days_after_period"]}, {"required": ["billing_cycles_after"]}]
    return {"$schema": DRAFT, "$id": schema_id, **{k: v for k, v in schema.items() if k not in ("$schema", "$id")}, "title": title}


#: What a document that inherits a service's standard (`standard:`) must write itself.
INHERITING_REQUIRED = ["id", "version", "effective", "standard"]


def agreement_schema(base: str = BASE_URL) -> dict[str, Any]:
    """The schema of one YAML document of `agreement.yaml` (one version), its `$id` in `base`. A
    document with `standard:` inherits the rest from the service's standard, so it needs only its own keys."""
    raw = Terms.model_json_schema(schema_generator=YamlTextSchema, mode="validation")
    defs = raw.setdefault("$defs", {})
    # The parts an inheriting agreement merges key by key (core.inheritance): there, any key may be
    # left to the standard (a metric needs its `id`). Every other part replaces the standard's whole.
    partial = {name: f"Partial{name}" for name in ("CreditTerms", "Claim", "Remedies", "Service", "Metric") if name in defs}

    def to_partial(node):
        if isinstance(node, dict):
            return {
                k: (f"#/$defs/{partial[v.rsplit('/', 1)[1]]}" if k == "$ref" and v.rsplit("/", 1)[1] in partial else to_partial(v))
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [to_partial(v) for v in node]
        return node

    for name, renamed in partial.items():
        copy = to_partial(defs[name])
        copy["required"] = ["id"] if name == "Metric" else []
        defs[renamed] = copy
    # The keys at the top are those of every document; a document written in full also meets the
    # complete definitions (`else`), an inheriting one only the partial ones and its own keys (`then`).
    strict = raw["properties"]
    raw["properties"] = to_partial(strict)
    differ = {key: value for key, value in strict.items() if raw["properties"][key] != value}
    raw["if"] = {"required": ["standard"]}
    raw["then"] = {"required": INHERITING_REQUIRED}
    raw["else"] = {"required": raw.pop("required", []), "properties": differ}
    return _finish(raw, base + "agreement.schema.json", "Service level agreement, one version (format 1)")


def _model_schema(stem: str, model: Any, title: str, base: str) -> dict[str, Any]:
    """The schema of a file that is one model as it stands, its `$id` `<base><stem>.schema.json`."""
    raw = model.model_json_schema(schema_generator=YamlTextSchema, mode="validation")
    return _finish(raw, base + stem + ".schema.json", title)


def results_schema(base: str = BASE_URL) -> dict[str, Any]:
    """The schema of `results/<period>.yaml`, its `$id` in `base`."""
    return _model_schema("results", Results, "Results of one period (format 1)", base)


def _model_files() -> tuple[tuple[str, Any, str], ...]:
    """(file name stem, model, title) of the other files whose schema is their model's as it stands."""
    from mkdocs_sla.core.servicemodel import ServiceDefinition, ServiceOutageLog, StandardTerms

    return (
        ("outages", OutageLog, "Outage log of an agreement (format 1)"),  # `outages.yaml` and `outages/*.yaml`
        ("maintenance", MaintenanceFile, "Maintenance windows of an agreement (format 1)"),
        ("reviews", ReviewsFile, "Reviews held of an agreement (format 1)"),
        ("service", ServiceDefinition, "A service (format 1)"),
        ("standard", StandardTerms, "Standard terms of a service, one version (format 1)"),  # one document of `standard.yaml`
        ("service-outages", ServiceOutageLog, "Outage log of a service (format 1)"),
    )


def all_schemas(base: str = BASE_URL) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every schema by its file name stem: `agreement`, `results`, `outages`, `maintenance`, `reviews`, and the services' files
    (`service`, `standard`, `service-outages`); their `$id`s in `base` (see `schema_base`)."""
    return (
        ("agreement", agreement_schema(base)),
        ("results", results_schema(base)),
        *((stem, _model_schema(stem, model, title, base)) for stem, model, title in _model_files()),
    )


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as the text of its file: indented JSON ending with a newline."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path | str, base: str = BASE_URL) -> list[Path]:
    """Write agreement, results, outages and maintenance `.schema.json` files into `folder`, their
    `$id`s in `base`; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, schema in all_schemas(base):
        path = folder / f"{stem}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
