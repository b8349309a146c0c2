"""Reading `collect.yaml` beside an agreement, checked against the agreement's metrics."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs_sla.core.collection import COLLECT_FILE, MEASURED_BY, Collection, duration_seconds
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.model import Metric
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.source.pydantic_errors import unknown, validate
from mkdocs_sla.source.yamlsource import Document, single_document


def load_collection(folder: Path, agreement: Agreement, diagnostics: Diagnostics) -> tuple[Collection, Document] | None:
    """The agreement's collector configuration, or None if it has none or it is invalid (errors reported)."""
    path = folder / COLLECT_FILE
    if not os.path.lexists(path):
        return None
    document = single_document(
        path, diagnostics, lambda documents, display: (Position(display), f"{COLLECT_FILE} holds one YAML document; found {len(documents)}")
    )
    if document is None:
        return None
    collection = validate(Collection, document, diagnostics)
    if collection is None:
        return None
    before = len(diagnostics.errors)
    check_collection(collection, document, agreement, diagnostics, unknown)
    return (collection, document) if len(diagnostics.errors) == before else None


def check_collection(collection: Collection, document: Document, agreement: Agreement, diagnostics: Diagnostics, unknown) -> None:
    """Every metric named is one of the agreement's, measured the way its queries measure."""
    metrics = {}
    for version in agreement.versions:  # every version's metrics: a past period may be collected again
        for metric in version.terms.metrics:
            metrics[metric.id] = metric
    known = sorted(metrics)
    for metric_id, queries in collection.metrics.items():
        where = ("metrics", metric_id)
        metric = metrics.get(metric_id)
        if metric is None:
            diagnostics.error(
                document.position(where, key=True), unknown("metric", metric_id, known) + f" (the metrics of `{agreement.id}`)"
            )
            continue
        error = _measured_otherwise(metric, queries.query_key)
        if error is not None:
            diagnostics.error(document.position((*where, queries.query_key), key=True), error)
        elif queries.requests is not None:  # counters: each version's intervals must hold whole steps
            for version in agreement.versions:
                measure = version.terms.metric(metric_id)
                # A version that measures the metric otherwise is not collected from counters (`run`).
                if measure is None or _measured_otherwise(measure, queries.query_key) is not None:
                    continue
                if (measure.measure.interval_minutes * 60) % duration_seconds(queries.step):
                    diagnostics.error(
                        document.position((*where, "step")),
                        f"step `{queries.step}` does not divide the {measure.measure.interval_minutes}-minute intervals of `{metric_id}` "
                        f"(version `{version.label}`); expected a step that does",
                    )
    if collection.statuspage is not None:
        for component, ids in collection.statuspage.components.items():
            for index, metric_id in enumerate(ids):
                if metric_id not in metrics:
                    diagnostics.error(
                        document.position(("statuspage", "components", component, index)),
                        unknown("metric", metric_id, known) + f" (the metrics of `{agreement.id}`)",
                    )
                elif metric_id in collection.metrics:
                    diagnostics.error(
                        document.position(("statuspage", "components", component, index)),
                        f"metric `{metric_id}` is also collected from Prometheus (`metrics.{metric_id}`); one source per metric, "
                        "or the same minutes would be logged twice",
                    )
                elif (error := _measured_otherwise(metrics[metric_id], "statuspage")) is not None:
                    diagnostics.error(document.position(("statuspage", "components", component, index)), error)


#: What each source of `collect.yaml` measures, in the words of an error (`{kind}`: its `MEASURED_BY`).
_SOURCE_MEASURES = {
    "availability": "an `availability` query measures a `{kind}` metric",
    "requests": "`requests` and `errors` counters measure an `{kind}` metric",
    "statuspage": "status page incidents are outages of a `{kind}` metric",
}


def _measured_otherwise(metric: Metric, key: str) -> str | None:
    """The error when `metric` is measured by another kind than the source `key` measures; None when it fits."""
    kind, measured = metric.measure.kind, MEASURED_BY[key]
    if kind == measured:
        return None
    return f"metric `{metric.id}` is measured by `{kind}`; " + _SOURCE_MEASURES[key].format(kind=measured)
