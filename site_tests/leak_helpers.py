"""What belongs only to agreements an audience may not see, and every text of a built site.

`private_tokens(root, audience)`: for each agreement the audience does not see at all, its
id, customer, title, owner, the opening words of its summary, exclusions, duties and claim
process, and its figures (charges, credit amounts in every form the site writes them); for
an agreement whose terms only it sees, its figures and its results' notes. A token that also
occurs in what the audience may see (its agreements' files, the hand-written docs) is left
out: it is not another customer's. `site_texts(folder)`: every file of a site as searchable
text (HTML entities decoded, JSON strings, gzip opened).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

from mkdocs_sla.core.audiences import Audience, Share, share
from mkdocs_sla.core.evaluate import evaluate
from mkdocs_sla.present import billing, display, markup
from mkdocs_sla.site import reference
from mkdocs_sla.source.load import load

REPO_ROOT = Path(__file__).resolve().parent.parent


def _squash(text: str) -> str:
    return " ".join(text.split())


def _opening(text: str, words: int = 6) -> str:
    return " ".join(_squash(markup.plain(text)).split()[:words])


def _figures(record) -> set[str]:
    found = set()
    for outcome in evaluate(record).periods:
        currency = outcome.terms.credit_terms.currency if outcome.terms.credit_terms else ""
        charges = outcome.results.results.charges
        values = [Fraction(charges)] if charges else []
        if outcome.credit.issued:
            values.append(outcome.credit.issued)
        for value in values:
            # As pages show it (`2,130.00 USD`), as statements and JSON write it (`2130.00`, or exact
            # `2130.5`); a whole number alone (`2130`) is no evidence: any file may hold one.
            found |= {display.money(value, currency), billing.amount(value), display.exact(value)}
    return {f for f in found if f and "." in f and len(re.sub(r"\D", "", f)) >= 4}


def _notes(record) -> set[str]:
    notes = set()
    for period in record.results:
        for result in period.results.metrics.values():
            if result.note:
                notes.add(_opening(result.note))
            for outage in result.outages or ():
                if outage.note:
                    notes.add(_opening(outage.note))
    return notes


def _terms_tokens(record) -> set[str]:
    terms = record.versions[-1].terms
    found = {record.id, terms.customer, _squash(markup.plain(terms.title)), terms.owner}
    if terms.summary:
        found.add(_opening(terms.summary))
    found |= {_opening(text) for text in terms.exclusions}
    found |= {_opening(duty) for duties in terms.responsibilities.values() for duty in duties}
    if terms.credit_terms and terms.credit_terms.claim:
        found.add(_opening(terms.credit_terms.claim.how))
    return found


def private_tokens(root: Path, audience: Audience) -> set[str]:
    """The tokens of `root`'s agreements that must not appear anywhere in `audience`'s site."""
    catalog = load(root)
    assert not catalog.errors, catalog.errors
    hidden: set[str] = set()
    # The hand-written docs, and the worked examples of the reference (a fictional agreement,
    # the same on every site), are no customer's.
    allowed: list[str] = [_squash(markup.plain(p.read_text(encoding="utf-8"))) for p in (REPO_ROOT / "docs").rglob("*.md")]
    allowed.append(_squash(html.unescape(reference.worked_examples())))
    for record in catalog.agreements:
        seen = share(audience, record.versions[-1].terms)
        folder = Path(record.folder)
        if seen is Share.NONE:
            hidden |= _terms_tokens(record) | _figures(record) | _notes(record)
            continue
        allowed.append(_squash(markup.plain((folder / "agreement.yaml").read_text(encoding="utf-8"))))
        allowed += [" ".join(sorted(_terms_tokens(record)))]
        if seen is Share.TERMS:
            hidden |= _figures(record) | _notes(record)
        else:
            allowed += [" ".join(sorted(_figures(record) | _notes(record)))]
            allowed += [_squash(p.read_text(encoding="utf-8")) for p in folder.glob("results/*")]
    corpus = "\n".join(allowed)
    return {token for token in hidden if token and token not in corpus}


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def site_texts(folder: Path) -> Iterator[tuple[Path, str]]:
    """(path, text) of every file of a built site, as a reader or a machine would read it."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # fonts and images of the theme: no agreement text in them
        if path.suffix == ".json":
            text = "\n".join(_strings(json.loads(text)))
        text = html.unescape(html.unescape(text))
        yield path, _squash(re.sub(r"<[^>]+>", " ", text) + " " + text)
