"""The format of services (format 1): a service's definition, its standard terms, its outage log.

`agreements/services/<id>/service.yaml` is a `ServiceDefinition`; each YAML document of
`standard.yaml` a `StandardTerms`; `outages.yaml` a `ServiceOutageLog`. Agreements name the
standard they inherit with `standard:` (`model.StandardRef`); `core.inheritance` merges them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mkdocs_sla.core.fields import Model, Slug, Text
from mkdocs_sla.core.logmodel import LoggedOutage
from mkdocs_sla.core.model import Service, Terms


class Component(Model):
    """A component or region of a service: an outage can be scoped to one."""

    id: Slug = Field(description="Identifier, unique in the service; outages and agreements name it.")
    name: Text = Field(description="Display name, e.g. `EU West (Dublin)`.")
    description: Text | None = Field(None, description="What the component is. Markdown.")


class ServiceDefinition(Model):
    """A service sold to many customers: `agreements/services/<id>/service.yaml`."""

    format: Annotated[int, Field(ge=1, le=1)] = Field(1, description="The file format version: 1.")
    id: Slug = Field(description="Identifier, equal to the folder name; agreements name it in `standard.service`.")
    name: Text = Field(description="Display name of the service.")
    description: Text | None = Field(None, description="What the service is. Markdown.")
    family: Text | None = Field(None, description="Service family, used to group the catalog.")
    provider: Text | None = Field(None, description="The provider, shown on the service page.")
    components: list[Component] = Field(
        default_factory=list, description="Components or regions; outages and agreements may be scoped to them."
    )


class StandardTerms(Terms):
    """One version of a service's standard terms: a YAML document in `agreements/services/<id>/standard.yaml`.

    The same keys as an agreement's terms, with `version` and `effective`; the parties
    (`id`, `customer`, `owner`) belong to the agreements that inherit it, and `service`
    defaults to the service's name and family."""

    id: Slug | None = Field(None, description="Not used: each inheriting agreement has its own id.")  # type: ignore[assignment]
    title: Text = Field(description="Title of the standard, e.g. `Acme Compute standard SLA`. Markdown, no raw HTML.")
    customer: Text | None = Field(None, description="Not used: each inheriting agreement names its customer.")  # type: ignore[assignment]
    owner: Text | None = Field(None, description="Who answers for the standard; an agreement may name its own.")  # type: ignore[assignment]
    service: Service | None = Field(None, description="Default: the service's name, family and description.")  # type: ignore[assignment]


class ServiceOutage(LoggedOutage):
    """One outage in a service's outage log: it reaches every agreement on the service (or on its component)
    as an entry of that agreement's own outage log."""

    component: Slug | None = Field(None, description="The component or region affected; none: the whole service.")


class ServiceOutageLog(Model):
    """A service's outage log: `agreements/services/<id>/outages.yaml`."""

    outages: list[ServiceOutage] = Field(default_factory=list, description="The outages, one entry per incident.")
