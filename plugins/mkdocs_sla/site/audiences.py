"""The one place where an audience's site is cut from the catalog, before anything is rendered.

Each record (an agreement; a service page or a listing entry alike) belongs to a
`Reach` (core.audiences): the audiences that may see it. A site is rendered from
what its audience reaches, and from nothing else, so no page, listing entry,
search index entry, sitemap URL, feed entry, JSON file or chart of another
audience is ever produced (not produced and then hidden). The listings (catalog,
glossary, credits, feed, statements) are built from the summaries of the
agreements rendered here, so they follow.

- `public`: the agreements whose terms are public, without results unless those
  are public too; no statements.
- `customer:<key>`: only that customer's agreements, with everything, and its statements.
- `internal`: everything, every customer's statements included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from mkdocs_sla.core.audiences import INTERNAL, Audience, AudienceKind, Reach, Share, share
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.site.agreement_page import render_agreement
from mkdocs_sla.site.paths import RenderOptions
from mkdocs_sla.site.views import RenderedAgreement

T = TypeVar("T")


def shown(record: Agreement, audience: Audience) -> tuple[Agreement, bool] | None:
    """What the audience may see of an agreement: (the record, whether its results are shown),
    the record stripped of its results where only the terms are; None where nothing is."""
    seen = share(audience, record.versions[-1].terms)
    if seen is Share.NONE:
        return None
    if seen is Share.TERMS:
        # Only what identifies the agreement and its versions: every measurement (results, the
        # outage log, maintenance windows, corrections, and any the format adds later with a
        # default) is left behind, so nothing computed from them can reach the page.
        return Agreement(record.id, record.folder, record.file, record.versions, results=()), False
    return record, True


def render_for(record: Agreement, *, today: dt.date, options: RenderOptions) -> RenderedAgreement | None:
    """Evaluate and render one agreement for `options.audience`, or nothing where it does not
    reach that audience: the task a worker process runs for a large tree."""
    found = shown(record, options.audience)
    if found is None:
        return None
    visible, results_shown = found
    return render_agreement(visible, evaluate(visible), today=today, options=options, results_shown=results_shown)


def reaching(items: Iterable[tuple[Reach, T]], audience: Audience) -> list[T]:
    """The items (pages, records, listing entries) whose reach includes the audience: for any
    kind of page, e.g. a service's standard terms (`EVERYONE`) beside its finance view (`INTERNAL_ONLY`)."""
    return [item for reach, item in items if reach.includes(audience)]


def with_statements(audience: Audience) -> bool:
    """Whether the audience's site has credit statements: a customer's (its own) and the internal one (all)."""
    return audience.kind is not AudienceKind.PUBLIC


def audiences_of(customer_keys: Iterable[str | None]) -> list[Audience]:
    """Every audience a tree builds: public, internal, and one per customer (sorted by key)."""
    keys = sorted({key for key in customer_keys if key})
    return [Audience(AudienceKind.PUBLIC), INTERNAL, *(Audience.of_customer(key) for key in keys)]


def folders_clash(audiences: Iterable[Audience]) -> list[str]:
    """Messages for audiences that would write to the same folder (`sla sites`): one per clash."""
    seen: dict[str, Audience] = {}
    clashes = []
    for audience in audiences:
        folder = audience.folder
        other = seen.setdefault(folder, audience)
        if other is not audience and other != audience:
            clashes.append(f"audiences `{other}` and `{audience}` would both write to the folder `{folder}`; expected a folder each")
    return clashes
