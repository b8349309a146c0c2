"""shared: measurements that belong to a service and reach every agreement on it.

A service's outage log (`agreements/services/<id>/outages.yaml`) records each incident
once. `with_service_outages` is the one rule that turns it into each agreement's own
measurements before evaluation, so the engine sees plain outages in plain results:

- an entry reaches an agreement on the service when it has no `component`, or the
  agreement covers that component (`standard.components`, default: every component);
- it counts against the `downtime` metrics it names (`metrics`), or every `downtime`
  metric of the version governing the period;
- it reaches the periods it overlaps for which the agreement has results (the results
  file holds the period's charges); the customer's own outages in that file are added
  to it, never replaced; a `downtime` metric the results file does not report is
  reported from the log alone (no entry in the period: no downtime);
- times without an offset are in the service's time zone (its standard's), fixed
  before they reach an agreement that may measure in another zone.
"""

from __future__ import annotations

import datetime as dt

from mkdocs_sla.core.model import MetricResult, Outage
from mkdocs_sla.core.periods import localize
from mkdocs_sla.core.records import Agreement, PeriodResults, ServiceRecord


def reaches(outage_component: str | None, covered: list[str] | None) -> bool:
    """Whether an outage of a component (None: the whole service) reaches an agreement covering
    `covered` components (None: every component)."""
    return outage_component is None or covered is None or outage_component in covered


def with_service_outages(agreement: Agreement, service: ServiceRecord) -> Agreement:
    """The agreement with the service's logged outages added to the results of each period they reach."""
    if service.outages is None:
        return agreement
    logged = [
        (
            entry.outage,
            localize(entry.outage.start, service.timezone).astimezone(dt.UTC),
            localize(entry.outage.end, service.timezone).astimezone(dt.UTC),
        )
        for entry in service.outages
    ]
    results = []
    for period_results in agreement.results:
        terms = agreement.version_for(period_results.period).terms
        covered = terms.standard.components if terms.standard is not None else None
        start, end = (moment.astimezone(dt.UTC) for moment in period_results.period.bounds(terms.timezone))
        here = [(o, s, e) for o, s, e in logged if s < end and e > start and reaches(o.component, covered)]
        metrics = dict(period_results.results.metrics)
        for metric in terms.metrics:
            if metric.measure.kind != "downtime":
                continue
            shared: list[Outage] = [
                o.model_copy(update={"start": s, "end": e}) for o, s, e in here if not o.metrics or metric.id in o.metrics
            ]
            own = metrics.get(metric.id)
            if own is None:
                metrics[metric.id] = MetricResult(outages=shared)
            elif shared:
                metrics[metric.id] = own.model_copy(update={"outages": [*(own.outages or []), *shared]})
        results.append(
            PeriodResults(
                period_results.period,
                period_results.results.model_copy(update={"metrics": metrics}),
                period_results.file,
                period_results.intervals,
            )
        )
    return Agreement(agreement.id, agreement.folder, agreement.file, agreement.versions, tuple(results))
