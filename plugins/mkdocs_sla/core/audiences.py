"""Audiences: who a site is for, and how much of each agreement (or any other page) it may show.

One repository builds several sites: `public` (terms marked public, definitions,
history, feed, schemas), one per customer (that customer's agreements with their
results, credits and statements) and `internal` (everything). Every record and page
belongs to a `Reach`, the set of audiences that may see it; a site is rendered from
what its audience reaches only, so nothing of another audience is ever produced.

A customer's audience key is a slug: the agreement's `customer_id`, or one derived
from the customer's name (`Example Trading plc` -> `example-trading-plc`). The
key names the customer's site folder, so it must be a valid folder name and differ
from the folders of the public and internal sites.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from mkdocs_sla.core.model import SLUG, Terms

#: The longest key derived from a customer's name; a longer name needs a `customer_id`.
MAX_KEY = 60


class AudienceKind(enum.Enum):
    """Who a site is for."""

    PUBLIC = "public"
    """Anyone: standard terms, definitions, history, feed, schemas; a customer's agreement
    only where it says it is public (`publish.terms`), its results only where those are too."""
    INTERNAL = "internal"
    """The provider's own staff: everything, every customer's agreements, results and statements."""
    CUSTOMER = "customer"
    """One customer: only its own agreements, with results, evidence, credits and statements."""


#: Folders of the sites that are not a customer's: a customer key may not take them.
RESERVED_FOLDERS = frozenset(kind.value for kind in (AudienceKind.PUBLIC, AudienceKind.INTERNAL))


@dataclass(frozen=True)
class Audience:
    """One site's audience: `public`, `internal` or `customer:<key>`."""

    kind: AudienceKind
    customer: str | None = None

    @classmethod
    def parse(cls, text: str) -> Audience:
        """`public`, `internal` or `customer:<key>`; ValueError saying what was expected."""
        text = text.strip()
        for kind in (AudienceKind.PUBLIC, AudienceKind.INTERNAL):
            if text == kind.value:
                return cls(kind)
        prefix, _, key = text.partition(":")
        if prefix == AudienceKind.CUSTOMER.value and re.fullmatch(SLUG, key):
            return cls(AudienceKind.CUSTOMER, key)
        raise ValueError(
            f"unknown audience `{text}`; expected `public`, `internal` or `customer:<id>` (a customer's key, e.g. customer:example-trading-plc)"
        )

    @classmethod
    def of_customer(cls, key: str) -> Audience:
        return cls(AudienceKind.CUSTOMER, key)

    @property
    def name(self) -> str:
        """As written in mkdocs.yml, `SLA_AUDIENCE` and `--audience`."""
        return f"customer:{self.customer}" if self.kind is AudienceKind.CUSTOMER else self.kind.value

    @property
    def folder(self) -> str:
        """The folder of this audience's site under `sla sites OUT_DIR`."""
        return self.customer if self.kind is AudienceKind.CUSTOMER else self.kind.value

    def __str__(self) -> str:
        return self.name


PUBLIC = Audience(AudienceKind.PUBLIC)
INTERNAL = Audience(AudienceKind.INTERNAL)


@dataclass(frozen=True)
class Reach:
    """The audiences a record or page belongs to. The internal audience sees everything."""

    public: bool = False
    customers: frozenset[str] = frozenset()
    every_customer: bool = False  # e.g. a service's standard terms: on the public site and every customer's

    def includes(self, audience: Audience) -> bool:
        if audience.kind is AudienceKind.INTERNAL:
            return True
        if audience.kind is AudienceKind.PUBLIC:
            return self.public
        return self.every_customer or audience.customer in self.customers


#: A page for everyone: the public site, every customer's site and the internal one.
EVERYONE = Reach(public=True, every_customer=True)
#: A page for the provider's staff only (e.g. every customer's credits on one service).
INTERNAL_ONLY = Reach()


class Share(enum.Enum):
    """How much of one agreement an audience sees."""

    NONE = "none"
    """Nothing: no page, listing entry, feed entry, JSON or chart of it."""
    TERMS = "terms"
    """Its terms, definitions and versions, without results, credits or evidence."""
    ALL = "all"
    """Everything: terms, results, evidence, credits and statements."""


def customer_slug(name: str) -> str:
    """A customer's name as a folder name: ASCII letters and digits, lower case, words joined by
    hyphens (`Example Trading PLC` -> `example-trading-plc`); empty when none are left."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def customer_key(terms: Terms) -> str | None:
    """The audience key of an agreement's customer: `customer_id`, else the slug of the name;
    None when the name makes no usable folder name (no letters or digits, or over `MAX_KEY`)."""
    if terms.customer_id:
        return terms.customer_id
    key = customer_slug(terms.customer)
    return key if key and len(key) <= MAX_KEY else None


def agreement_reach(terms: Terms) -> tuple[Reach, Reach]:
    """(who sees the terms, who sees the results) of an agreement whose current version is `terms`:
    its customer and the internal audience always; the public where `publish` says so."""
    key = customer_key(terms)
    customers = frozenset({key}) if key else frozenset()
    publish = terms.publish
    terms_public = publish is not None and publish.terms == "public"
    results_public = terms_public and publish is not None and publish.results == "public"
    return Reach(public=terms_public, customers=customers), Reach(public=results_public, customers=customers)


def share(audience: Audience, terms: Terms) -> Share:
    """How much of an agreement whose current version is `terms` the audience sees."""
    terms_reach, results_reach = agreement_reach(terms)
    if results_reach.includes(audience):
        return Share.ALL
    if terms_reach.includes(audience):
        return Share.TERMS
    return Share.NONE
