"""shared: measurements that belong to a service and reach every agreement on it.

A service's outage log (`agreements/services/<id>/outages.yaml`) records each incident
once. `service_outages` is the one rule that decides which of its entries reach an
agreement; they join the agreement's own outage log (`Agreement.outage_log`), so the
engine counts them exactly as it counts the agreement's own entries (split at the
agreement's period boundaries, its minimum outage, its excluded tags and maintenance):

- an entry reaches an agreement on the service when it has no `component`, or the
  agreement covers that component (`standard.components`, default: every component);
- it counts against the metrics it names (`metrics`), or every metric of the agreement
  that reads the outage log (`downtime`, `available_minutes`);
- times without an offset are in the service's time zone (its standard's), fixed
  before they reach an agreement that may measure in another zone.

A customer's own outages (its results files and its own log) add to these.
"""

from __future__ import annotations

from mkdocs_sla.core.model import Terms
from mkdocs_sla.core.outages import Entry
from mkdocs_sla.core.records import ServiceRecord


def reaches(outage_component: str | None, covered: list[str] | None) -> bool:
    """Whether an outage of a component (None: the whole service) reaches an agreement covering
    `covered` components (None: every component)."""
    return outage_component is None or covered is None or outage_component in covered


def service_outages(service: ServiceRecord, terms: Terms) -> tuple[Entry, ...]:
    """The entries of the service's outage log that reach an agreement with these (latest) terms."""
    covered = terms.standard.components if terms.standard is not None else None
    return tuple(e for e in service.outages or () if reaches(getattr(e.outage, "component", None), covered))
