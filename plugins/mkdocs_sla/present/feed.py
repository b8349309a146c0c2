"""feed: an Atom feed of every version of every agreement, published and upcoming.

Customers subscribe to it to learn of changes to the terms before they take
effect. One entry per version: its title says when it is (or was) in force, its
summary gives the version's own summary of its changes and how many changes are
adverse or favourable for the customer (from `compare`, via the summaries of
the render's first phase), its links lead to the version's permanent page and
to its changes on the history page.

Deterministic: every date comes from the agreements (an entry's `updated` is
the day its version was published, else the day it takes effect; the feed's is
the newest entry's), never from the clock, so a rebuild of the same tree gives
the same file. Texts from agreement files are Markdown: the feed carries their
plain text, which feedgen (lxml) escapes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from mkdocs_sla.present import markup

# Characters XML 1.0 cannot hold; lxml refuses them, and a YAML escape ("\x01") can make them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Plain text that XML can hold."""
    return _NOT_XML.sub("", text)


def feed_title(site_name: str) -> str:
    """The feed's title, also in the `<link>` of every page that names it."""
    return f"{site_name}: versions of the agreements"


def version_title(title: str, label: str, status: str, effective: dt.date) -> str:
    """ "Acme Compute virtual machines 1.1: in force from 2025-07-01" ("upcoming from" for a version yet to take effect)."""
    when = "upcoming from" if status == "upcoming" else "in force from"
    return f"{markup.plain(title)} {label}: {when} {effective.isoformat()}"


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def atom(entries: Iterable[FeedEntry], *, title: str, author: str, feed_url: str | None, site_url: str | None, today: dt.date) -> str:
    """The feed as XML text. `feed_url`: its absolute address (site_url known), for its id and
    rel=self link; without it, the ids are UUIDs derived from the agreement and version, and
    the links are relative to the feed's own address. `today` dates a feed without entries."""
    entries = sorted(entries, key=lambda e: (e.updated, e.effective, e.agreement_id, e.label), reverse=True)
    generator = FeedGenerator()
    generator.register_extension("sla", BaseExtension, _EntryLinks, atom=True, rss=False)
    generator.id(feed_url or _uuid("feed"))
    generator.title(xml_text(title))
    generator.author({"name": xml_text(author)})
    generator.link(href=feed_url or "feed.xml", rel="self", type="application/atom+xml")
    if site_url:
        generator.link(href=site_url, rel="alternate", type="text/html")
    generator.language("en")
    generator.generator("mkdocs-sla")
    generator.updated(_moment(entries[0].updated if entries else today))
    for entry in entries:
        item = generator.add_entry(order="append")
        item.id(entry.href if feed_url else _uuid(f"{entry.agreement_id}/{entry.label}"))
        item.title(xml_text(entry.title))
        item.updated(_moment(entry.updated))
        if entry.published:
            item.published(_moment(entry.published))
        item.author({"name": xml_text(entry.author)})
        item.link(href=entry.href, rel="alternate", type="text/html")  # feedgen wants one; _EntryLinks writes them
        item.sla.links = [
            {"rel": "alternate", "type": "text/html", "href": entry.href},
            {"rel": "related", "type": "text/html", "href": entry.changes_href, "title": "What changed"},
        ]
        item.summary(xml_text(entry.summary))
    return generator.atom_str(pretty=True).decode("utf-8")


class _EntryLinks(BaseEntryExtension):
    """An entry's links with their `rel` and `type`: feedgen 1.0 writes an entry's links without
    them (a loop variable shadowed in `FeedEntry.atom_entry`), which would make two alternate
    links of the same type, and an invalid feed."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry):
        """Write the entry's own links (alternate and related pages) in place of feedgen's."""
        for element in entry.findall("link"):
            entry.remove(element)
        for attributes in self.links:
            etree.SubElement(entry, "link", {k: xml_text(v) for k, v in attributes.items()})
        return entry


def _uuid(name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mkdocs-sla:{name}").urn


@dataclass(frozen=True)
class FeedEntry:
    """One version as a feed entry: plain texts, and the addresses of its pages."""

    agreement_id: str
    label: str
    title: str
    author: str
    effective: dt.date
    published: dt.date | None
    summary: str
    href: str  # the version's permanent page
    changes_href: str  # its changes on the history page

    @property
    def updated(self) -> dt.date:
        """The day the entry last changed: published, else taking effect."""
        return self.published or self.effective
