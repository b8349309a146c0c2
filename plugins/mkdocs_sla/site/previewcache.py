"""What the last render of the listings made, kept across the rebuilds of a live preview.

At 2,000 agreements the listings are some 100,000 rows: every customer's 24
statements list about 180 agreements each, every credits-by-period page and the
catalog list them all. An edit changes the rows of one agreement. Under
`mkdocs serve` the plugin keeps each unchanged agreement's summary object from
the last build (source.parallel.FolderCache), so a row made of the same objects
is the same text: it is taken from here instead of being made again.

A row is keyed by the identity of the objects it is made of, and the cache keeps
those objects, so an identity cannot be reused by another object while its row is
kept. It holds one render's rows, never more: what the last render did not use
is dropped. A row taken whole keeps the rows it was made of (a statement, its
agreements' sections), so that they are still there when the statement changes.
A plain build passes no cache and makes every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ListingCache:
    """The rows and statements of the last render, by the build date and render options they
    were made for and the objects each was made of."""

    def __init__(self) -> None:
        self.made_for: tuple[dt.date, Any] | None = None
        # {key: (made_of, value, parts)}: `parts` are the (key, entry) of every row read, at any
        # depth, while it was made.
        self._last: dict[tuple, tuple[tuple, Any, tuple]] = {}
        self._now: dict[tuple, tuple[tuple, Any, tuple]] = {}
        self._making: list[list[tuple]] = []  # the parts read so far by each row being made

    def start(self, today: dt.date, options: Any) -> None:
        """A new render: the last one's rows stay usable when it was for the same date and options."""
        last = self._now if self.made_for == (today, options) else {}
        self.made_for, self._last, self._now, self._making = (today, options), last, {}, []

    def get(self, kind: str, made_of: tuple, make: Callable[[], T], *, key: tuple = ()) -> T:
        """The `kind` of row made of the objects `made_of` (and the plain values `key`): the last
        render's when it was made of the very same objects, else `make()`.

        The ids alone tell: the cache keeps every object a kept row was made of, and the caller
        holds those of `made_of`, so two objects with one id are never alive together."""
        found_key = (kind, key, tuple(map(id, made_of)))
        # This render's (a total read by two pages), else the last render's.
        found = self._now.get(found_key)
        if found is None:
            found = self._last.get(found_key)
            if found is not None:
                # Kept for the next render with the parts it was made of: a statement taken whole
                # this time is made of its agreements' sections, and when one agreement in it
                # changes next time, the others' sections are still here to be taken.
                self._now[found_key] = found
                self._now.update(found[2])
            else:
                self._making.append([])
                try:
                    value = make()
                finally:
                    parts = tuple(self._making.pop())
                found = self._now[found_key] = (made_of, value, parts)
        if self._making:
            self._making[-1].append((found_key, found))
            self._making[-1].extend(found[2])
        return found[1]


def cached(cache: ListingCache | None, kind: str, made_of: tuple, make: Callable[[], T], *, key: tuple = ()) -> T:
    """`cache.get(...)`, or `make()` without a cache (a plain build)."""
    return make() if cache is None else cache.get(kind, made_of, make, key=key)
