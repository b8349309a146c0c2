"""`sla collect`: measurements of closed periods, from each agreement's collect.yaml.

The verb's arguments and its one reading of the clock; the work is in source.collect.command.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def add_collect_verb(verbs, default_root: str, date_type, report) -> None:
    """`sla collect`: measurements of closed periods from each agreement's collect.yaml."""
    collect = verbs.add_parser(
        "collect",
        help="measurements of closed periods from Prometheus-compatible APIs and status page exports (collect.yaml)",
        description="For each agreement with a collect.yaml: query the Prometheus-compatible API and import the status page "
        "export, for closed periods only, into the outage log (outages/), interval counts (results/), maintenance windows "
        "(maintenance.yaml) and corrections (corrections.yaml). Nothing is written unless every query succeeds; a file "
        "that would not change is not touched. Exit 1 on any error.",
    )
    collect.add_argument("path", nargs="?", default=default_root, help="agreements folder (default: agreements)")
    collect.add_argument("--agreement", metavar="ID", help="only this agreement")
    collect.add_argument("--server", metavar="URL", help="the API's base URL, instead of the one in collect.yaml")
    collect.add_argument(
        "--until", type=date_type, metavar="DATE", help="as if run at 00:00 UTC on DATE: only periods closed by then (default: now)"
    )
    collect.set_defaults(run=cmd_collect, report=report)


def cmd_collect(args) -> int:
    """Now is read here, from the clock (or `--until`); everything else is in source.collect.command."""
    from mkdocs_sla.source.collect.command import run_collect

    now = dt.datetime.now(dt.UTC)
    if args.until is not None:
        until = dt.datetime.combine(args.until, dt.time(0), tzinfo=dt.UTC)
        if until > now:
            print(
                f"sla collect: error: --until {args.until} is in the future; a period is collected only once it has closed", file=sys.stderr
            )
            return 1
        now = until
    return run_collect(Path(args.path), now, agreement=args.agreement, server=args.server, report=args.report)
