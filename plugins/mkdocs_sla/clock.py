"""The build date, for the adapters (plugin and CLI); the core never reads the clock."""

from __future__ import annotations

import datetime as dt
import os


def build_date(configured: dt.date | None = None) -> dt.date:
    """`configured` if given, else the day of `SOURCE_DATE_EPOCH` (reproducible builds), else today.

    Raises ValueError for a SOURCE_DATE_EPOCH that is not a number of seconds."""
    if configured is not None:
        return configured
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970-01-01") from None
    return dt.date.today()
