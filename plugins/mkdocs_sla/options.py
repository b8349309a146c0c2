"""The plugin's options in mkdocs.yml (`plugins: - sla: ...`), each checked as MkDocs loads
the configuration, so that a wrong value stops the build with its name and what was expected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from mkdocs_sla.site.paths import GROUP_BY
from mkdocs_sla.watching import EVENTS, POLLING


class _Date(c.BaseConfigOption[Any]):
    """A date, written `2026-01-31` (YAML reads it as a date) or as that text."""

    def run_validation(self, value: object) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise base.ValidationError(f"expected a date such as 2026-01-31, got {value!r}")


class _Positive(c.BaseConfigOption[Any]):
    """A number above zero: a whole one (`whole=True`, read as `int`) or any, read as an exact
    `Decimal`. YAML's `true` is not 1 and `0` does not mean "none": both are refused, as is
    text that is not a number (`!ENV` gives text, so digits as text are read too)."""

    def __init__(self, *, whole: bool, default: int | None = None) -> None:
        super().__init__()
        self.whole = whole
        self.default = default

    def run_validation(self, value: object) -> int | Decimal | None:
        if value is None:  # left out (or `null`: the default too)
            return self.default
        expected = "a whole number above 0, such as 40" if self.whole else "a number of megabytes above 0, such as 150"
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise base.ValidationError(f"expected {expected}, got {value!r}")
        try:
            # str() first: a float from YAML (0.5) is read as the digits written, not its binary value.
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise base.ValidationError(f"expected {expected}, got {value!r}") from None
        # Past 10**12 no budget or section size means anything, and `1e1000000` would make int()
        # build a million-digit number before anything else ran.
        if not number.is_finite() or number <= 0 or number.adjusted() > 12 or (self.whole and number != number.to_integral_value()):
            raise base.ValidationError(f"expected {expected}, got {value!r}")
        return int(number) if self.whole else number


class SlaConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off (`enabled: !ENV [SLA_PAGES, true]`) to build the hand-written pages
    alone (then `nav` must not name the generated pages)."""

    agreements = c.Type(str, default="agreements")
    """The agreements folder: one sub-folder per agreement. Relative to the folder of mkdocs.yml."""

    prefix = c.Type(str, default="agreements")
    """Where the generated pages go in the site: `<prefix>/` is the catalog, `<prefix>/<id>/`
    an agreement, `<prefix>/<id>/history/` its versions and what each changed,
    `<prefix>/<id>/versions/<label>/` the terms of each version (a permanent URL),
    `<prefix>/metrics/` the glossary and `<prefix>/credits/` the credits by period. The Atom
    feed of versions is `feed.xml` at the site's root."""

    group_by = c.Choice(GROUP_BY, default="family")
    """What groups the catalog and the navigation sections: `family` (the service family),
    `provider` or `customer`."""

    nav_group_size = _Positive(whole=True, default=40)
    """The most agreements one navigation section lists; a larger group is split into
    alphabetical sub-sections, so no page carries a huge navigation."""

    compact_html = c.Type(bool, default=True)
    """Write the built pages without the indentation of the theme's templates (whitespace
    inside `pre`, `code`, `textarea`, scripts and styles is kept): the same pages, a fifth
    fewer bytes at 2,000 agreements."""

    size_budget_mb = _Positive(whole=False)
    """Warn when the built site is larger than this many megabytes (GitHub Pages refuses
    sites over 1 GB, and mike keeps a whole copy per version). Not checked by `mkdocs serve`."""

    audience = c.Type(str, default="internal")
    """Who the site is for: `public` (terms marked public, definitions, history, feed, schemas),
    `customer:<id>` (that customer's agreements with results, credits and statements) or
    `internal` (everything). The environment variable `SLA_AUDIENCE`, when set, overrides it
    for one build (`sla sites` builds every audience that way)."""

    watch = c.Choice((EVENTS, POLLING), default=EVENTS)
    """How `mkdocs serve` sees edits to the agreements: `events`, the file system's change
    events (watching.py: MkDocs' own polling lists and stats every agreement file twice a
    second, which at 2,000 agreements takes a core and slows each rebuild), or `polling`, MkDocs'
    way, for a folder whose edits send no events here (a network share, a folder mounted into a
    container from outside)."""

    today = c.Optional(_Date())
    """The build date: which version is in force and whether a review is overdue. Default:
    the date of `SOURCE_DATE_EPOCH` when set (reproducible builds), else the real date."""
