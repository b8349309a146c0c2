"""Per-service pages: the published standard terms of each service, and the provider's finance view.

- `<prefix>/services/index.md` lists the services (audience: public);
- `<prefix>/services/<id>.md` is the service's standard SLA as cloud providers publish
  theirs: the service, its components, the standard terms in force in words, every version
  of the standard and what each changed (audience: public);
- `<prefix>/services/<id>/standard/<version>.md` keeps each version's terms as they read
  (audience: public);
- `<prefix>/services/<id>/agreements.md` is the finance view: every agreement on the service
  with its negotiated differences, the latest period's attainment and credit of each, and the
  credits of each period across customers (audience: internal: it names customers and amounts).

Each page has a `Reach` (core.audiences): the standard terms `EVERYONE`, the finance view
`INTERNAL_ONLY`; a build renders only the pages its audience reaches (site/audiences.py:
`reaching`), so the public and the customers' sites never hold the finance view, not even
in the navigation. Each page also says its audience in its front matter (`sla_audience:`). Like the listings, the pages
are built from plain data (the service records and the agreements' summaries), never from
another agreement's evaluation.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from mkdocs_sla.compare.terms import compare_terms
from mkdocs_sla.core.audiences import EVERYONE, INTERNAL_ONLY, AudienceKind, Reach
from mkdocs_sla.core.evaluate import Status
from mkdocs_sla.core.periods import Period
from mkdocs_sla.core.records import ServiceRecord, StandardVersion
from mkdocs_sla.present import display, markup
from mkdocs_sla.present.words import credit_terms_lines, deadline_words, period_name, remedy_lines, responsibility_lines
from mkdocs_sla.site.audiences import reaching
from mkdocs_sla.site.listings import _totals
from mkdocs_sla.site.navigation import NavPage, NavSection
from mkdocs_sla.site.paths import Links, RenderOptions, glossary_anchor
from mkdocs_sla.site.templating import _env
from mkdocs_sla.site.views import AgreementSummary, _metric_view


class PageAudience(enum.StrEnum):
    """Who a generated page is for; the audiences' builds keep only their own."""

    PUBLIC = "public"
    """Anyone: the standard terms of a service, as published."""
    INTERNAL = "internal"
    """The provider's staff: pages naming customers, their negotiated terms, results and credits."""

    @property
    def reach(self) -> Reach:
        """The audiences whose sites hold such a page (site/audiences.py filters by it)."""
        return EVERYONE if self is PageAudience.PUBLIC else INTERNAL_ONLY


class ServicePages:
    """The pages of every service, from the service records and the summaries of the agreements on them."""

    def __init__(self, services: Iterable[ServiceRecord], summaries: Iterable[AgreementSummary], today: dt.date, options: RenderOptions):
        self.services = sorted(services, key=lambda s: s.definition.name.casefold())
        self.today = today
        self.options = options
        self.links = Links(options)
        self.paths = self.links.paths
        self.on: dict[str, list[AgreementSummary]] = defaultdict(list)
        for summary in summaries:
            if summary.standard is not None:
                self.on[summary.standard.service].append(summary)

    def _render(self, template: str, **context: Any) -> str:
        return _env().get_template(template).render(options=self.options, today=self.today, **context)

    def _below_service(self, template: str, service: ServiceRecord, path: str, **context: Any) -> str:
        """A page below a service's page (a version of its standard, its finance view), linked back to it."""
        return self._render(template, service=service, service_href=self.links(path, self.paths.service(service.id)), **context)

    def render(self) -> dict[str, str]:
        """{path: text} of every service page; none when the tree has no services."""
        if not self.services:
            return {}
        planned = [(PageAudience.PUBLIC.reach, (self.paths.services, self.index_page))]
        for service in self.services:
            planned.append((PageAudience.PUBLIC.reach, (self.paths.service(service.id), lambda s=service: self.service_page(s))))
            for version in service.standards:
                path = self.paths.service_version(service.id, version.label)
                planned.append((PageAudience.PUBLIC.reach, (path, lambda s=service, v=version: self.version_page(s, v))))
            planned.append((PageAudience.INTERNAL.reach, (self.paths.service_finance(service.id), lambda s=service: self.finance_page(s))))
        # Only what the audience reaches is rendered at all (site/audiences.py).
        return {path: make() for path, make in reaching(planned, self.options.audience)}

    def navigation(self) -> list[NavSection | NavPage]:
        """The services in the navigation. On the public site, whose pages are the services', a
        section "Services": the index, then each service's page. On the others, where thousands
        of agreement, period and statement pages carry the whole navigation (Material renders it
        into every page), only the index, which lists every service: a link per service cost
        each of those pages some 190 bytes per service. A service's versions and finance view
        are linked from its page, never listed."""
        if not self.services:
            return []
        if self.options.audience.kind is not AudienceKind.PUBLIC:
            return [NavPage(self.paths.services, "Services")]
        children: list[NavSection | NavPage | str] = [self.paths.services]
        children.extend(NavPage(self.paths.service(s.id), markup.plain(s.definition.name)) for s in self.services)
        return [NavSection("Services", tuple(children))]

    # ------------------------------------------------------------ public pages

    def _status(self, service: ServiceRecord, version: StandardVersion) -> str:
        if version.effective > self.today:
            return "upcoming"
        return "in force" if version is service.in_force(self.today) else "superseded"

    def _versions(self, service: ServiceRecord, path: str) -> list[dict[str, Any]]:
        views = []
        previous = None
        for version in service.standards:
            changes = compare_terms(previous.terms, version.terms) if previous is not None else []
            views.append(
                {
                    "version": version,
                    "label": version.label,
                    "status": self._status(service, version),
                    "href": self.links(path, self.paths.service_version(service.id, version.label)),
                    "previous": previous.label if previous is not None else None,
                    "changes": [{"summary": c.summary, "effect": str(c.effect)} for c in changes],
                }
            )
            previous = version
        return list(reversed(views))

    def _terms_context(self, service: ServiceRecord, version: StandardVersion, path: str) -> dict[str, Any]:
        terms = version.terms
        metrics = []
        for metric in terms.metrics:
            view = _metric_view(metric, terms)
            view["glossary_href"] = self.links(path, self.paths.definition(glossary_anchor(metric)))
            metrics.append(view)
        return {
            "terms": terms,
            "metrics": metrics,
            "responsibilities": responsibility_lines(terms),
            "credit_terms": credit_terms_lines(terms),
            "remedies": remedy_lines(terms),
            "deadline": deadline_words(terms),
        }

    def index_page(self) -> str:
        path = self.paths.services
        rows = []
        for service in self.services:
            current = service.in_force(self.today)
            rows.append(
                {
                    "service": service,
                    "href": self.links(path, self.paths.service(service.id)),
                    "version": current,
                    "components": len(service.definition.components),
                }
            )
        return self._render("services_index.md.j2", rows=rows, audience=PageAudience.PUBLIC)

    def service_page(self, service: ServiceRecord) -> str:
        path = self.paths.service(service.id)
        current = service.in_force(self.today)
        return self._render(
            "service.md.j2",
            service=service,
            version=current,
            status=self._status(service, current),
            versions=self._versions(service, path),
            index_href=self.links(path, self.paths.services),
            # The finance view is internal: the link exists only where its page does.
            finance_href=next(
                iter(
                    reaching(
                        [(PageAudience.INTERNAL.reach, self.links(path, self.paths.service_finance(service.id)))], self.options.audience
                    )
                ),
                None,
            ),
            audience=PageAudience.PUBLIC,
            **self._terms_context(service, current, path),
        )

    def version_page(self, service: ServiceRecord, version: StandardVersion) -> str:
        path = self.paths.service_version(service.id, version.label)
        view = next(v for v in self._versions(service, path) if v["version"] is version)
        return self._below_service(
            "service_version.md.j2",
            service,
            path,
            version=version,
            view=view,
            audience=PageAudience.PUBLIC,
            **self._terms_context(service, version, path),
        )

    # ------------------------------------------------------------ internal: the finance view

    def finance_page(self, service: ServiceRecord) -> str:
        path = self.paths.service_finance(service.id)
        members = sorted(self.on.get(service.id, ()), key=lambda s: (markup.plain(s.customer).casefold(), s.id))
        names = {c.id: c.name for c in service.definition.components}
        agreements = []
        for summary in members:
            use = summary.standard
            agreements.append(
                {
                    "summary": summary,
                    "href": self.links(path, self.paths.agreement(summary.id)),
                    "follows": f"{use.version} (current)" if use.current else use.version,
                    "components": ", ".join(names.get(c, c) for c in use.components) if use.components is not None else "all",
                    "deviations": use.deviations,
                    "last": summary.last,
                }
            )
        by_period: dict[Period, list] = defaultdict(list)
        for summary in members:
            for entry in summary.periods:
                by_period[entry.period].append((summary, entry))
        periods = []
        for period in sorted(by_period, reverse=True):
            entries = by_period[period]
            credited = [(s, e) for s, e in entries if e.issued]
            periods.append(
                {
                    "period": period,
                    "name": period_name(period),
                    "reported": len(entries),
                    "missed": sum(1 for _s, e in entries if e.mark is Status.MISSED),
                    "credited": [
                        {
                            "customer": s.customer,
                            "href": self.links(path, self.paths.period_results(s.id, e.earlier_year), f"period-{period.label}"),
                            "amount": display.money(e.issued, e.currency or ""),
                        }
                        for s, e in credited
                    ],
                    "totals": _totals(e for _s, e in entries),
                }
            )
        return self._below_service(
            "service_agreements.md.j2", service, path, agreements=agreements, periods=periods, audience=PageAudience.INTERNAL
        )
