"""The audience keys of the agreements, checked across the tree, and the optional `customers.yaml`.

One customer is one site: its agreements must agree on its key and on how its
name is spelled, and the key must make a folder of its own. Per version (in
`check_version_key`): a key can be derived or is given, is not the folder of
the public or the internal site, and stays the same across versions. Across
agreements (in `check_customers`, linear in the number of agreements): one key,
one spelling; and where `customers.yaml` declares the customers, every
agreement's key is one of them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs_sla.core.audiences import MAX_KEY, RESERVED_FOLDERS, customer_key, customer_slug
from mkdocs_sla.core.diagnostics import Diagnostic, Diagnostics, Position, excerpt
from mkdocs_sla.core.model import Customers, Terms
from mkdocs_sla.core.records import Agreement
from mkdocs_sla.source.pydantic_errors import validate
from mkdocs_sla.source.yamlsource import Document, display_path, parse, read_text

CUSTOMERS_FILE = "customers.yaml"


@dataclass(frozen=True)
class CustomerFact:
    """What the cross-tree check needs of one agreement: plain data, cheap to send between processes."""

    agreement_id: str
    name: str
    key: str
    explicit: bool  # the key is a `customer_id`, not derived from the name
    position: Position


def key_position(document: Document, terms: Terms) -> Position:
    """Where the audience key comes from: `customer_id` if written, else `customer`."""
    return document.position(("customer_id",) if terms.customer_id else ("customer",))


def check_version_key(terms: Terms, document: Document, diagnostics: Diagnostics) -> None:
    """A version's customer makes a usable, unreserved audience key."""
    key = customer_key(terms)
    where = key_position(document, terms)
    if key is None:
        slug = customer_slug(terms.customer)
        why = f"is longer than {MAX_KEY} characters as a folder name" if slug else "has no letters or digits to make a folder name of"
        diagnostics.error(
            where,
            f"customer `{excerpt(terms.customer)}` {why}; expected a `customer_id` (lower-case letters, digits and hyphens) naming its site",
        )
    elif key in RESERVED_FOLDERS:
        diagnostics.error(
            where,
            f"the customer's site would take the folder `{key}` of the {key} site; expected a `customer_id` other than "
            f"{' or '.join(sorted(RESERVED_FOLDERS))}",
        )


def check_versions_agree(versions, diagnostics: Diagnostics) -> None:
    """Every version of an agreement names the same customer key (a renamed customer keeps its site by `customer_id`)."""
    first = versions[0]
    for version in versions[1:]:
        before, now = customer_key(first.terms), customer_key(version.terms)
        if before and now and before != now:
            diagnostics.error(
                version.customer_at or version.position,
                f"customer key `{now}` differs from `{before}` of version `{first.label}` (line {(first.customer_at or first.position).line}); "
                f"expected one customer per agreement: set `customer_id: {before}` to keep its site",
            )


def fact_of(record: Agreement) -> CustomerFact | None:
    """The customer of an agreement, as its latest version names it."""
    version = record.versions[-1]
    key = customer_key(version.terms)
    if key is None:
        return None
    return CustomerFact(
        record.id, version.terms.customer, key, version.terms.customer_id is not None, version.customer_at or version.position
    )


@dataclass(frozen=True)
class Declared:
    """The customers of `customers.yaml`: key -> (name, position)."""

    customers: dict[str, tuple[str, Position]]
    file: str


def load_declared(root: Path, display: str, diagnostics: Diagnostics) -> Declared | None:
    """`customers.yaml` under `root`, if there is one; None when absent or invalid (errors reported)."""
    path = root / CUSTOMERS_FILE
    if not path.is_file():
        return None
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    documents = parse(text, display, diagnostics)
    if len(documents) != 1:
        if documents:
            diagnostics.error(Position(display, documents[1].start_line, 1), f"{CUSTOMERS_FILE} holds one YAML document; expected no `---`")
        return None
    document = documents[0]
    declared = validate(Customers, document, diagnostics)
    if declared is None:
        return None
    found: dict[str, tuple[str, Position]] = {}
    for index, customer in enumerate(declared.customers):
        where = document.position(("customers", index, "id"))
        if customer.id in RESERVED_FOLDERS:
            diagnostics.error(
                where, f"the customer's site would take the folder `{customer.id}` of the {customer.id} site; expected another id"
            )
        if customer.id in found:
            diagnostics.error(
                where, f"customer `{customer.id}` is declared twice (first at line {found[customer.id][1].line}); expected each once"
            )
            continue
        found[customer.id] = (customer.name, where)
    return Declared(found, display)


def check_customers(facts: Iterable[CustomerFact], declared: Declared | None = None) -> list[Diagnostic]:
    """One customer, one key, one spelling, across the tree; and every key declared, where
    `customers.yaml` declares them. Linear: one pass, a dictionary by key."""
    diagnostics = Diagnostics()
    first: dict[str, CustomerFact] = {}
    for fact in sorted(facts, key=lambda f: (f.position, f.agreement_id)):
        if declared is not None:
            known = declared.customers.get(fact.key)
            if known is None:
                close = difflib.get_close_matches(fact.key, list(declared.customers), n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                diagnostics.error(
                    fact.position,
                    f"customer `{fact.name}` (key `{fact.key}`) is not declared in {declared.file}{hint}; "
                    f"expected one of its customers' ids as `customer_id`, or the customer added there",
                )
                continue
            if not fact.explicit and known[0] != fact.name:
                diagnostics.error(
                    fact.position,
                    f"customer `{fact.name}` is written `{known[0]}` in {declared.file}:{known[1].line}; "
                    f"expected one spelling, or `customer_id: {fact.key}` to say it is the same customer",
                )
                continue
        seen = first.setdefault(fact.key, fact)
        if seen is not fact and not (fact.explicit and seen.explicit) and seen.name != fact.name:
            diagnostics.error(
                fact.position,
                f"customer `{fact.name}` is written `{seen.name}` in {seen.position} (agreement `{seen.agreement_id}`): both make the "
                f"site `{fact.key}`; expected one spelling, or a `customer_id` in both to say they are one customer",
            )
    return diagnostics.sorted()


def check_tree_customers(root: Path, facts, diagnostics: Diagnostics) -> list:
    """The checks across agreements of a tree: one customer, one key, one spelling; every key
    declared where `customers.yaml` is present (its own errors go to `diagnostics`)."""
    if not root.is_dir():
        return []
    declared = load_declared(root, display_path(root / CUSTOMERS_FILE), diagnostics)
    return check_customers([f for f in facts if f is not None], declared)
