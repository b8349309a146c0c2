"""inheritance: the effective terms of an agreement that inherits its service's standard.

An inheriting agreement writes only what it negotiated; its effective terms are the
standard version it follows with the agreement's keys laid over it. This module is
the one home of that rule (`merge_terms`), so the engine, the comparison and the
site all see plain, complete `Terms` and never know a standard was involved.

The rule, key by key (on the plain data of the two YAML documents):

- the standard version's own metadata (`version`, `effective`, `published`,
  `changes`) is not inherited: the agreement's version is its own;
- `metrics` are matched by `id`: an agreement's entry changes only the keys it writes
  (`objective`, `credits`...), each replaced as a whole; an id the standard does not
  have is an `UnknownMetric` (an agreement cannot add a service level the standard lacks);
- `credit_terms`, `credit_terms.claim`, `remedies`, `service` and `responsibilities`
  merge key by key (a negotiated `cap` keeps the standard's `base` and `claim`);
- `exclusions` written by the agreement are added to the standard's;
- every other key the agreement writes replaces the standard's.

Pure: plain data in, plain data out, with where each value came from (`Merged.locate`),
so the loader can report an error in the effective terms at the line that wrote it,
in the agreement's file or in the standard's.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mkdocs_sla.core.model import Terms

#: Keys of an agreement that say who and when, not what was negotiated: writing them is no
#: deviation from the standard (the page marks deviations in every other key).
PARTY_KEYS = frozenset(
    {
        "format",
        "id",
        "version",
        "effective",
        "published",
        "changes",
        "title",
        "summary",
        "provider",
        "customer",
        "owner",
        "review",
        "standard",
    }
)

#: The standard version's own metadata: the agreement's version has its own.
STANDARD_OWN = ("version", "effective", "published", "changes")

#: Mappings merged key by key rather than replaced.
MERGED_MAPPINGS = frozenset({("credit_terms",), ("credit_terms", "claim"), ("remedies",), ("service",), ("responsibilities",)})

#: Lists the agreement adds to.
APPENDED_LISTS = frozenset({("exclusions",)})


class Side(enum.Enum):
    """Which document a value of the effective terms was written in."""

    AGREEMENT = "agreement"
    """The inheriting agreement's own document."""
    STANDARD = "standard"
    """The service standard's version the agreement follows."""


@dataclass(frozen=True)
class UnknownMetric:
    """An agreement's `metrics[index]` names a metric id the standard does not have."""

    index: int
    metric_id: str
    known: tuple[str, ...]


@dataclass(frozen=True)
class MetricWithoutId:
    """An agreement's `metrics[index]` has no `id`, so no metric of the standard to change."""

    index: int


@dataclass
class Merged:
    """The effective terms as plain data, where each value came from, and what could not be merged."""

    data: dict[str, Any]
    origins: dict[tuple, tuple[Side, tuple]] = field(default_factory=dict)
    problems: list[UnknownMetric | MetricWithoutId] = field(default_factory=list)
    negotiated: tuple[str, ...] = ()  # paths the agreement wrote beyond its parties, e.g. `metrics.uptime.credits`

    def locate(self, loc: tuple) -> tuple[Side, tuple]:
        """The document and the path in it that wrote the value at `loc` of the effective terms
        (the nearest enclosing value when `loc` itself is missing: the mapping that lacks a key)."""
        for cut in range(len(loc), -1, -1):
            found = self.origins.get(tuple(loc[:cut]))
            if found is not None:
                side, source = found
                return side, source + tuple(loc[cut:])
        return Side.AGREEMENT, tuple(loc)


def merge_terms(standard: Mapping[str, Any], agreement: Mapping[str, Any]) -> Merged:
    """The effective terms of an inheriting agreement: `standard` (one version's document, its
    `service` already filled in) with `agreement`'s document laid over it by the rule above."""
    merged = Merged({})
    negotiated: list[str] = []
    for key, value in standard.items():
        if key in STANDARD_OWN:
            continue
        merged.data[key] = value
        merged.origins[(key,)] = (Side.STANDARD, (key,))
    for key, value in agreement.items():
        path = (key,)
        if key == "metrics" and isinstance(value, list) and isinstance(standard.get("metrics"), list):
            merged.data[key] = _merge_metrics(standard["metrics"], value, merged, negotiated)
        elif path in APPENDED_LISTS and isinstance(value, list) and isinstance(standard.get(key), list):
            base = standard[key]
            merged.data[key] = [*base, *value]
            for index in range(len(base)):
                merged.origins[(key, index)] = (Side.STANDARD, (key, index))
            for index in range(len(value)):
                merged.origins[(key, len(base) + index)] = (Side.AGREEMENT, (key, index))
            if value:
                negotiated.append(key)
        elif path in MERGED_MAPPINGS and isinstance(value, Mapping) and isinstance(standard.get(key), Mapping):
            merged.data[key] = _merge_mapping(standard[key], value, path, merged, negotiated)
        else:
            merged.data[key] = value
            merged.origins[path] = (Side.AGREEMENT, path)
            if key not in PARTY_KEYS:
                negotiated.append(key)
    merged.negotiated = tuple(negotiated)
    return merged


def _merge_mapping(base: Mapping, over: Mapping, path: tuple, merged: Merged, negotiated: list[str]) -> dict:
    out = dict(base)
    merged.origins[path] = (Side.STANDARD, path)
    for key, value in over.items():
        sub = (*path, key)
        if sub in MERGED_MAPPINGS and isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = _merge_mapping(base[key], value, sub, merged, negotiated)
            continue
        out[key] = value
        merged.origins[sub] = (Side.AGREEMENT, sub)
        if path[0] not in PARTY_KEYS:
            negotiated.append(".".join(str(p) for p in sub))
    return out


def _merge_metrics(base: list, over: list, merged: Merged, negotiated: list[str]) -> list:
    ids = [m.get("id") if isinstance(m, Mapping) else None for m in base]
    known = tuple(str(i) for i in ids if isinstance(i, str))
    out = list(base)
    for index in range(len(base)):
        merged.origins[("metrics", index)] = (Side.STANDARD, ("metrics", index))
    merged.origins[("metrics",)] = (Side.STANDARD, ("metrics",))
    for index, entry in enumerate(over):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            merged.problems.append(MetricWithoutId(index))
            continue
        metric_id = entry["id"]
        if metric_id not in ids:
            merged.problems.append(UnknownMetric(index, metric_id, known))
            continue
        at = ids.index(metric_id)
        out[at] = {**base[at], **entry}
        for key in entry:
            merged.origins[("metrics", at, key)] = (Side.AGREEMENT, ("metrics", index, key))
            if key != "id":
                negotiated.append(f"metrics.{metric_id}.{key}")
    return out


def standard_baseline(standard: Terms, effective: Terms) -> Terms:
    """The standard as this agreement would have it with nothing negotiated: the standard's
    terms with the agreement's parties and version. The page compares it with the effective
    terms to mark each deviation ("15% instead of the standard 10%")."""
    parties = {key: getattr(effective, key) for key in sorted(PARTY_KEYS) if key in Terms.model_fields}
    parties["service"] = effective.service if standard.service is None else standard.service
    if type(standard) is Terms and standard.model_fields_set.issuperset(Terms.model_fields):
        return standard.model_copy(update=parties)  # a copy of every field: as constructing it anew, faster
    return Terms.model_construct(**{**dict(standard), **parties})
