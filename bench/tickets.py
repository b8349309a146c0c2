"""Synthetic ticket exports in the shape of a Zendesk export, for the support-desk example and the benchmark.

`write_period(folder, period, count, seed)` writes `tickets/<period>.csv` (id, priority,
created_at, first_reply_at, solved_at) and `tickets/<period>.status.csv` (ticket_id,
created_at, previous_value, value) for a quarter or a month. Responses are placed with the
engine's own calendar (Berlin office hours, public holidays in Berlin) so that most tickets meet
their target and a few do not; some tickets wait on the customer (`pending`) for a while; tickets
are created on every day of the period, so Easter, the turn of the year and the clock changes
are in the data.

    python bench/tickets.py agreements/support-desk 2025-Q1 2025-Q2 2025-Q3 2025-Q4
    python bench/tickets.py --leads --count 400 --median 19 --seed 20 agreements/marketing-sales 2025-07
    (and 2025-08 to 2025-12 with medians 30, 23, 25, 22, 28 and seeds 21 to 25)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))

import holidays  # noqa: E402

from mkdocs_sla.core.calendars import BusinessCalendar, Hours  # noqa: E402
from mkdocs_sla.core.periods import Period  # noqa: E402

BERLIN = "Europe/Berlin"
# Priority, share of tickets, target in seconds, on business hours?
PRIORITIES = (
    ("urgent", 0.05, 30 * 60, False),
    ("high", 0.20, 2 * 3600, False),
    ("normal", 0.45, 8 * 3600, True),
    ("low", 0.30, 20 * 3600, True),
)


def berlin_office(years: range) -> BusinessCalendar:
    """The calendar of `agreements/calendars/berlin-office.yaml`, for placing responses."""
    week = ((Hours(480, 1080),),) * 5 + ((), ())
    closed = dict(holidays.country_holidays("DE", subdiv="BE", years=years))
    for year in years:
        closed[dt.date(year, 12, 24)] = "Christmas Eve"
        closed[dt.date(year, 12, 31)] = "New Year's Eve"
    return BusinessCalendar("berlin-office", BERLIN, week, (), tuple(sorted(closed.items())))


def _iso(seconds: int, zone) -> str:
    return dt.datetime.fromtimestamp(seconds, zone).isoformat()


def tickets(period: Period, count: int, seed: int, breach_rate: float = 0.03, pause_rate: float = 0.08):
    """(ticket rows, status rows) of one period: `count` tickets created over the whole period."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(BERLIN)
    rng = random.Random(seed)
    calendar = berlin_office(range(period.start.year - 1, period.end.year + 2))
    start, end = (int(m.timestamp()) for m in period.bounds(BERLIN))
    rows, log = [], []
    prefix = period.label.replace("-", "")
    for n in range(count):
        created = rng.randrange(start, end)
        name, _share, target, business = _priority(rng.random())
        late = rng.random() < breach_rate
        wait = int(target * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.05, 0.95)))
        pause = None
        if business and rng.random() < pause_rate:
            # The customer is asked for details and answers within a day or three: the clock stops.
            asked = calendar.deadline(created, max(60, wait // 3)) or created + 60
            answered = asked + rng.randrange(3600, 3 * 86400)
            pause = (asked, answered)
        if business:
            reply = _business_reply(calendar, created, wait, pause)
        else:
            reply = created + wait
        solved = reply + rng.randrange(1800, 5 * 86400) if rng.random() < 0.9 else None
        ticket_id = f"{prefix}-{n + 1:05d}"
        rows.append(
            {
                "id": ticket_id,
                "priority": name,
                "created_at": _iso(created, zone),
                "first_reply_at": _iso(reply, zone) if reply is not None else "",
                "solved_at": _iso(solved, zone) if solved else "",
            }
        )
        if pause is not None:
            log.append({"ticket_id": ticket_id, "created_at": _iso(created, zone), "previous_value": "", "value": "new"})
            log.append({"ticket_id": ticket_id, "created_at": _iso(pause[0], zone), "previous_value": "open", "value": "pending"})
            log.append({"ticket_id": ticket_id, "created_at": _iso(pause[1], zone), "previous_value": "pending", "value": "open"})
    return rows, log


def _priority(roll: float) -> tuple:
    """The priority a roll of the dice in [0, 1) falls on, by the shares of PRIORITIES."""
    cumulative = 0.0
    for entry in PRIORITIES:
        cumulative += entry[1]
        if roll < cumulative:
            return entry
    return PRIORITIES[-1]


def _business_reply(calendar: BusinessCalendar, created: int, wait: int, pause) -> int | None:
    """The reply `wait` business seconds after creation, the clock stopped during the pause."""
    if pause is None:
        return calendar.deadline(created, wait)
    before = calendar.business_seconds(created, pause[0])
    if wait <= before:
        return calendar.deadline(created, wait)
    return calendar.deadline(pause[1], wait - before)


def write_period(folder: Path, label: str, count: int, seed: int) -> None:
    """`tickets/<label>.csv` and `tickets/<label>.status.csv` of one period in `folder`."""
    period = Period.parse(label)
    rows, log = tickets(period, count, seed)
    directory = folder / "tickets"
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{label}.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ["id", "priority", "created_at", "first_reply_at", "solved_at"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    if log:
        with (directory / f"{label}.status.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, ["ticket_id", "created_at", "previous_value", "value"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write synthetic ticket exports (Zendesk shape) for periods of an agreement.")
    parser.add_argument("folder", type=Path, help="the agreement folder")
    parser.add_argument("periods", nargs="+", help="periods such as 2025-Q1")
    parser.add_argument("--count", type=int, default=450, help="tickets per period (default 450)")
    parser.add_argument("--seed", type=int, default=9, help="random seed (default 9)")
    parser.add_argument("--leads", action="store_true", help="write lead hand-overs (marketing-sales) instead of support tickets")
    parser.add_argument("--median", type=float, default=18.0, help="leads: median working hours to acceptance (default 18)")
    args = parser.parse_args(argv)
    for index, label in enumerate(args.periods):
        if args.leads:
            write_leads(args.folder, label, args.count, args.seed + index, args.median)
        else:
            write_period(args.folder, label, args.count, args.seed + index)
    return 0


def london_office(years: range) -> BusinessCalendar:
    """The `london-office` calendar of the marketing-sales agreement, for placing acceptances."""
    week = ((Hours(480, 1080),),) * 5 + ((), ())
    closed = dict(holidays.country_holidays("GB", subdiv="ENG", years=years))
    return BusinessCalendar("london-office", "Europe/London", week, (), tuple(sorted(closed.items())))


def write_leads(folder: Path, label: str, count: int, seed: int, median_hours: float = 18.0) -> None:
    """`tickets/<label>.csv` of the marketing-sales agreement: leads handed over by Marketing (in
    office hours and in the evening, after webinars), accepted or rejected by Sales some working
    hours later; a few wait more than a working day, a few are not yet handled at the month's end."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/London")
    period = Period.parse(label)
    rng = random.Random(seed)
    calendar = london_office(range(period.start.year - 1, period.end.year + 2))
    start, end = (int(m.timestamp()) for m in period.bounds("Europe/London"))
    rows = []
    for n in range(count):
        handed = rng.randrange(start, end)
        wait = int(3600 * (rng.uniform(30, 60) if rng.random() < 0.03 else rng.lognormvariate(math.log(median_hours), 0.35)))
        accepted = calendar.deadline(handed, wait)
        if accepted is not None and accepted >= end and rng.random() < 0.5:
            accepted = None  # still in the queue when the month was exported
        rows.append(
            {
                "Lead ID": f"L-{label}-{n + 1:04d}",
                "Grade": "A" if rng.random() < 0.3 else "B",
                "Handed over": _iso(handed, zone),
                "Accepted or rejected": _iso(accepted, zone) if accepted is not None else "",
            }
        )
    directory = folder / "tickets"
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{label}.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ["Lead ID", "Grade", "Handed over", "Accepted or rejected"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    raise SystemExit(main())
