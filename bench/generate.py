"""A synthetic catalog of agreements for benchmarks: N valid agreements, each with
`metrics` metrics and `periods` monthly results files.

The mix follows the example agreements: downtime minutes with a few outages
(some of them maintenance, excluded), events (good / total), reported values
in % and in milliseconds; tiered and linear credits; sum or max, with or
without a cap. Output depends only on `seed`, and every file is written from
plain string templates, so 2,000 agreements (50,000 files) take seconds.

    python bench/generate.py OUT_DIR --count 2000 [--metrics 5] [--periods 24] [--seed 0] [--services 15]

With `--services N` the same number of agreements inherit the standard terms of N services
(`OUT_DIR/services/<id>/`, two versions of the standard each): half follow version 1.0, half
the `current` standard, and one in five writes a negotiated difference (a tier table, a cap
or an extra exclusion); the results files are generated as for the catalog written in full.
"""

from __future__ import annotations

import argparse
import calendar
import random
import re
import sys
import time
from pathlib import Path

AGREEMENT_SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/agreement.schema.json\n"
RESULTS_SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/results.schema.json\n"

FIRST_YEAR, FIRST_MONTH = 2024, 1

# What agreements written in full and standards say alike: the parties' duties, and the minimum
# credit and how to claim (the deadline's days follow).
DUTIES = (
    "responsibilities:\n"
    "  provider:\n    - Operate the service and report each month's results within 10 days.\n"
    "  customer:\n    - Report incidents through the support portal.\n"
)
CLAIM = '  minimum_amount: 1.00\n  claim:\n    how: Open a support case titled "SLA credit request".\n    deadline:\n'

FAMILIES = ("Compute", "Storage", "Databases", "Networking", "Analytics", "Support", "Security", "Messaging")
SERVICES = (
    "virtual machines",
    "object storage",
    "managed PostgreSQL",
    "load balancing",
    "data warehouse",
    "premium support",
    "identity service",
    "message queues",
    "container platform",
    "content delivery",
    "backup service",
    "search service",
    "DNS hosting",
    "key management",
    "stream processing",
)
PROVIDERS = ("Acme Cloud Ltd", "Contoso Software GmbH", "Fourth Coffee Managed Services Ltd", "Octoforge, Inc.", "Northwind Hosting BV")
CUSTOMERS = (
    "Northwind Retail plc",
    "Fabrikam Media Ltd",
    "Tailspin Toys AG",
    "Litware Bank AG",
    "Wide World Importers Ltd",
    "Adventure Works Cycles",
    "Woodgrove Bank",
    "Proseware, Inc.",
    "Lucerne Publishing",
    "Margie's Travel",
)
TIMEZONES = ("UTC", "UTC", "UTC", "Europe/Berlin", "Europe/London", "America/New_York")

# Tier tables without gaps or overlaps below each objective.
UPTIME_TIERS = {
    "99.99": (
        (("below", "99.99"), ("at_or_above", "99.0"), 10),
        (("below", "99.0"), ("at_or_above", "95.0"), 30),
        (("below", "95.0"), None, 100),
    ),
    "99.95": (
        (("below", "99.95"), ("at_or_above", "99.0"), 10),
        (("below", "99.0"), ("at_or_above", "95.0"), 25),
        (("below", "95.0"), None, 100),
    ),
    "99.9": (
        (("below", "99.9"), ("at_or_above", "99.0"), 10),
        (("below", "99.0"), ("at_or_above", "95.0"), 25),
        (("below", "95.0"), None, 100),
    ),
}
EVENT_TIERS = {
    "99": ((("below", "99"), ("at_or_above", "95"), 5), (("below", "95"), ("at_or_above", "90"), 10), (("below", "90"), None, 20)),
    "95": ((("below", "95"), ("at_or_above", "90"), 5), (("below", "90"), ("at_or_above", "80"), 10), (("below", "80"), None, 20)),
    "90": ((("below", "90"), ("at_or_above", "80"), 3), (("below", "80"), None, 6)),
}


def _tiers(table) -> str:
    lines = ["    credits:", "      model: tiers", "      tiers:"]
    for upper, lower, credit in table:
        lines.append(f"        - {upper[0]}: {upper[1]}")
        if lower is not None:
            lines.append(f"          {lower[0]}: {lower[1]}")
        lines.append(f"          credit: {credit}")
    return "\n".join(lines) + "\n"


def _linear(per_point: str, maximum: str) -> str:
    return f"    credits:\n      model: linear\n      per_point: {per_point}\n      max: {maximum}\n"


# One metric kind per entry: (kind, build terms text, build one period's result text).


def _downtime_terms(mid: str, n: int, rnd: random.Random) -> tuple[str, dict]:
    objective = rnd.choice(tuple(UPTIME_TIERS))
    text = (
        f"  - id: {mid}\n"
        f"    name: Monthly uptime percentage ({n})\n"
        "    definition: >-\n"
        "      Minutes in the month in which the service was available, as a share of\n"
        "      all minutes in the month. Outages shorter than one minute and scheduled\n"
        "      maintenance announced ahead do not count.\n"
        '    unit: "%"\n'
        "    better: higher\n"
        f"    objective: {objective}\n"
        "    measure:\n"
        "      kind: downtime\n"
        "      minimum_outage_minutes: 1\n"
        "      exclude_tags: [maintenance]\n"
    ) + _tiers(UPTIME_TIERS[objective])
    return text, {}


def _downtime_result(mid: str, year: int, month: int, rnd: random.Random, state: dict) -> str:
    roll = rnd.random()
    if roll < 0.6:
        return f"  {mid}:\n    outages: []\n"
    days = calendar.monthrange(year, month)[1]
    lines = [f"  {mid}:", "    outages:"]
    count = 1 if roll < 0.9 else 2
    for k in range(count):
        day = rnd.randint(1, days)
        hour = rnd.randint(0, 20)
        minute = rnd.randint(0, 59)
        # Mostly short outages, now and then a long one that reaches the lower tiers.
        length = rnd.choice((3, 8, 15, 25, 45, 90)) if rnd.random() < 0.9 else rnd.choice((300, 600, 900))
        # 02:00–02:59 does not exist on the day clocks go forward (Europe, America): keep the
        # outage's ends out of that hour so every written time is a real local time.
        if hour == 2:
            hour = 3
        end_hour, end_minute = divmod(hour * 60 + minute + min(length, (24 - hour) * 60 - minute - 1), 60)
        if end_hour == 2:  # the start is before 02:00, so 03:xx is still after it
            end_hour = 3
        lines.append(f"      - start: {year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00")
        lines.append(f"        end: {year}-{month:02d}-{day:02d}T{end_hour:02d}:{end_minute:02d}:00")
        if k == 1 and rnd.random() < 0.5:
            lines.append("        tags: [maintenance]")
    return "\n".join(lines) + "\n"


def _events_terms(mid: str, n: int, rnd: random.Random) -> tuple[str, dict]:
    objective = rnd.choice(tuple(EVENT_TIERS))
    linear = rnd.random() < 0.4
    credits = _linear(rnd.choice(("0.5", "1", "0.25")), rnd.choice(("5", "10"))) if linear else _tiers(EVENT_TIERS[objective])
    text = (
        f"  - id: {mid}\n"
        f"    name: Requests within target ({n})\n"
        "    definition: >-\n"
        "      Share of the month's requests that met the target, as requests within\n"
        "      target divided by all valid requests.\n"
        "    target: response within 15 minutes, 24×7\n"
        '    unit: "%"\n'
        "    better: higher\n"
        f"    objective: {objective}\n"
        "    measure:\n"
        "      kind: events\n"
    ) + credits
    return text, {"objective": int(objective)}


def _events_result(mid: str, year: int, month: int, rnd: random.Random, state: dict) -> str:
    total = rnd.randint(40, 5000)
    objective = state["objective"]
    if rnd.random() < 0.85:
        rate = rnd.uniform(objective, 100)
    else:
        rate = rnd.uniform(max(objective - 15, 50), objective)
    good = min(total, int(total * rate / 100))
    return f"  {mid}:\n    good: {good}\n    total: {total}\n"


def _value_percent_terms(mid: str, n: int, rnd: random.Random) -> tuple[str, dict]:
    objective = rnd.choice(("99.9", "99.5", "99.0"))
    table = (
        ((("below", objective), ("at_or_above", "98.0"), 5), (("below", "98.0"), None, 15))
        if objective != "99.0"
        else ((("below", "99.0"), ("at_or_above", "97.0"), 5), (("below", "97.0"), None, 15))
    )
    text = (
        f"  - id: {mid}\n"
        f"    name: Jobs completed on time ({n})\n"
        "    definition: >-\n"
        "      Share of scheduled jobs that completed successfully before their\n"
        "      deadline, as reported by the provider's monthly report.\n"
        '    unit: "%"\n'
        "    better: higher\n"
        f"    objective: {objective}\n"
        "    measure:\n"
        "      kind: value\n"
    ) + _tiers(table)
    return text, {"objective": float(objective)}


def _value_percent_result(mid: str, year: int, month: int, rnd: random.Random, state: dict) -> str:
    objective = state["objective"]
    value = rnd.uniform(objective, 100) if rnd.random() < 0.8 else rnd.uniform(95.0, objective)
    return f"  {mid}:\n    value: {value:.3f}\n"


def _latency_terms(mid: str, n: int, rnd: random.Random) -> tuple[str, dict]:
    objective = rnd.choice((150, 200, 300, 500))
    text = (
        f"  - id: {mid}\n"
        f"    name: 95th percentile response time ({n})\n"
        "    definition: >-\n"
        "      The 95th percentile of API response times in the month, measured at\n"
        "      the provider's load balancers, in milliseconds.\n"
        "    unit: ms\n"
        "    better: lower\n"
        f"    objective: {objective}\n"
        "    measure:\n"
        "      kind: value\n"
    ) + _linear("0.05", "10")
    return text, {"objective": objective}


def _latency_result(mid: str, year: int, month: int, rnd: random.Random, state: dict) -> str:
    objective = state["objective"]
    value = rnd.randint(objective // 2, objective) if rnd.random() < 0.8 else rnd.randint(objective + 1, objective * 2)
    return f"  {mid}:\n    value: {value}\n"


KINDS = (
    ("uptime", _downtime_terms, _downtime_result),
    ("requests", _events_terms, _events_result),
    ("jobs", _value_percent_terms, _value_percent_result),
    ("latency", _latency_terms, _latency_result),
    ("tickets", _events_terms, _events_result),
)


def _period(index: int) -> tuple[int, int]:
    absolute = FIRST_YEAR * 12 + FIRST_MONTH - 1 + index
    return absolute // 12, absolute % 12 + 1


def _agreement(agreement_id: str, number: int, metrics: int, rnd: random.Random) -> tuple[str, list]:
    service = rnd.choice(SERVICES)
    family = rnd.choice(FAMILIES)
    provider = rnd.choice(PROVIDERS)
    customer = rnd.choice(CUSTOMERS)
    timezone = rnd.choice(TIMEZONES)
    chosen = []
    metric_texts = []
    for n in range(metrics):
        name, terms, result = KINDS[n % len(KINDS)]
        mid = f"{name}-{n + 1}"
        text, state = terms(mid, n + 1, rnd)
        metric_texts.append(text)
        chosen.append((mid, result, state))
    combine = rnd.choice(("sum", "sum", "max"))
    cap = f"  cap: {rnd.choice((50, 100))}\n" if combine == "sum" else ""
    escalation = (
        (
            "remedies:\n  escalation:\n    - misses: 2\n      within: 3\n"
            "      action: Service review with the provider's service delivery manager.\n"
        )
        if rnd.random() < 0.5
        else ""
    )
    text = (
        AGREEMENT_SCHEMA + "format: 1\n"
        f"id: {agreement_id}\n"
        'version: "1.0"\n'
        f"effective: {FIRST_YEAR}-{FIRST_MONTH:02d}-01\n"
        f"title: {service.capitalize()} for {customer} (no. {number})\n"
        f"summary: Monthly service levels of the {service} that {provider} provides to {customer}.\n"
        f"provider: {provider}\n"
        f"customer: {customer}\n"
        "owner: Service delivery manager\n"
        "service:\n"
        f"  name: {service.capitalize()}\n"
        f"  family: {family}\n"
        "review:\n  every_months: 18\n  last: 2023-12-01\n"
        f"period: month\ntimezone: {timezone}\n{DUTIES}"
        "metrics:\n" + "".join(metric_texts) + "credit_terms:\n"
        "  base: the month's charges for the service\n"
        f"  currency: {rnd.choice(('USD', 'EUR', 'GBP'))}\n"
        f"  combine: {combine}\n"
        + cap
        + CLAIM
        + "      days_after_period: 30\n"
        + escalation
        + "exclusions:\n  - Scheduled maintenance announced at least 5 days ahead.\n"
    )
    return text, chosen


def _write_results(results: Path, chosen: list, periods: int, rnd: random.Random) -> None:
    """One agreement's results files, a month each from the first: every metric's result
    (`chosen`: id, builder, state) and the month's charges, around a base drawn first."""
    results.mkdir(parents=True, exist_ok=True)
    base = rnd.choice((800, 2500, 12000, 48000))
    for index in range(periods):
        year, month = _period(index)
        label = f"{year}-{month:02d}"
        body = "".join(result(mid, year, month, rnd, state) for mid, result, state in chosen)
        charges = base + rnd.randint(0, base // 10)
        (results / f"{label}.yaml").write_text(
            f"{RESULTS_SCHEMA}period: {label}\ncharges: {charges}.00\nmetrics:\n{body}", encoding="utf-8"
        )


def generate(root: Path, count: int, metrics: int = 5, periods: int = 24, seed: int = 0) -> list[str]:
    """Write `count` agreements under `root` (created if needed); returns their ids."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    ids = []
    width = max(4, len(str(count)))
    for number in range(1, count + 1):
        rnd = random.Random(seed * 1_000_003 + number)
        agreement_id = f"sla-{number:0{width}d}"
        folder = root / agreement_id
        folder.mkdir(parents=True, exist_ok=True)
        text, chosen = _agreement(agreement_id, number, metrics, rnd)
        (folder / "agreement.yaml").write_text(text, encoding="utf-8")
        _write_results(folder / "results", chosen, periods, rnd)
        ids.append(agreement_id)
    return ids


def _standard(service_id: str, number: int, metrics: int, rnd: random.Random) -> tuple[str, str, list]:
    """service.yaml and standard.yaml (versions 1.0 and 1.1) of one service, and its metrics' result builders."""
    name = SERVICES[(number - 1) % len(SERVICES)].capitalize()
    family = FAMILIES[(number - 1) % len(FAMILIES)]
    provider = PROVIDERS[(number - 1) % len(PROVIDERS)]
    timezone = rnd.choice(TIMEZONES)
    chosen, metric_texts = [], []
    for n in range(metrics):
        kind, terms, result = KINDS[n % len(KINDS)]
        mid = f"{kind}-{n + 1}"
        text, state = terms(mid, n + 1, rnd)
        metric_texts.append(text)
        chosen.append((mid, result, state))
    service = f"format: 1\nid: {service_id}\nname: {name}\nfamily: {family}\nprovider: {provider}\ndescription: The {name.lower()} of {provider}.\n"
    cap = rnd.choice((50, 100))

    def version(label: str, effective: str, days: int, changes: str) -> str:
        return (
            "format: 1\n"
            f'version: "{label}"\n'
            f"effective: {effective}\n"
            f"{changes}"
            f"title: {name} standard SLA\n"
            f"summary: Monthly service levels of the {name.lower()} that {provider} provides to every customer.\n"
            f"provider: {provider}\n"
            "owner: Service delivery manager\n"
            "notice_days: 60\n"
            f"period: month\ntimezone: {timezone}\n{DUTIES}"
            "metrics:\n" + "".join(metric_texts) + "credit_terms:\n"
            "  base: the month's charges for the service\n"
            f"  currency: {rnd.choice(('USD', 'EUR', 'GBP')) if label == '1.0' else currency}\n"
            f"  cap: {cap}\n" + CLAIM + f"      days_after_period: {days}\n"
            "exclusions:\n  - Scheduled maintenance announced at least 5 days ahead.\n"
        )

    first = version("1.0", f"{FIRST_YEAR}-{FIRST_MONTH:02d}-01", 30, "")
    currency = first.split("  currency: ")[1].split("\n")[0]
    second = version(
        "1.1", f"{FIRST_YEAR + 1}-01-01", 45, "published: 2024-10-01\nchanges: Claims may be made up to 45 days after the month.\n"
    )
    return service, AGREEMENT_SCHEMA + first + "---\n" + second, chosen


def _negotiated(kind: int, uptime_objective: str) -> str:
    """One negotiated difference: a cap, an extra exclusion, or a tier table of higher credits."""
    if kind == 0:
        return "credit_terms:\n  cap: 100\n"
    if kind == 1:
        return "exclusions:\n  - Unavailability during the customer's own failover tests.\n"
    higher = tuple((upper, lower, min(credit + 5, 100)) for upper, lower, credit in UPTIME_TIERS[uptime_objective])
    return "metrics:\n  - id: uptime-1\n" + _tiers(higher)


def generate_services(root: Path, count: int, services: int = 15, metrics: int = 5, periods: int = 24, seed: int = 0) -> list[str]:
    """Write `services` services and `count` agreements that inherit their standards under `root`; returns the agreement ids."""
    root = Path(root)
    builders = []
    for number in range(1, services + 1):
        rnd = random.Random(seed * 1_000_003 + 7_000_000 + number)
        service_id = f"svc-{number:02d}"
        folder = root / "services" / service_id
        folder.mkdir(parents=True, exist_ok=True)
        service, standard, chosen = _standard(service_id, number, metrics, rnd)
        (folder / "service.yaml").write_text(service, encoding="utf-8")
        (folder / "standard.yaml").write_text(standard, encoding="utf-8")
        objective = standard.split("objective: ", 1)[1].split("\n", 1)[0]  # of uptime-1, the first metric
        builders.append((service_id, chosen, objective))
    ids = []
    width = max(4, len(str(count)))
    for number in range(1, count + 1):
        rnd = random.Random(seed * 1_000_003 + number)
        service_id, chosen, objective = builders[(number - 1) % services]
        agreement_id = f"sla-{number:0{width}d}"
        customer = rnd.choice(CUSTOMERS)
        negotiated = _negotiated((number // 5) % 3, objective) if number % 5 == 0 else ""
        text = (
            AGREEMENT_SCHEMA + "format: 1\n"
            f"id: {agreement_id}\n"
            'version: "1"\n'
            f"effective: {FIRST_YEAR}-{FIRST_MONTH:02d}-01\n"
            f"title: {service_id} for {customer} (no. {number})\n"
            f"customer: {customer}\n"
            "owner: Service delivery manager\n"
            "standard:\n"
            f"  service: {service_id}\n"
            f'  version: "{"current" if number % 2 else "1.0"}"\n'
            "review:\n  every_months: 18\n  last: 2023-12-01\n" + negotiated
        )
        folder = root / agreement_id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "agreement.yaml").write_text(text, encoding="utf-8")
        _write_results(folder / "results", chosen, periods, rnd)
        ids.append(agreement_id)
    return ids


OUTAGE_LOG_SCHEMA = "# yaml-language-server: $schema=https://example.github.io/mkdocs-sla/latest/schema/outages.schema.json\n"

BUSY_MAINTENANCE = """maintenance:
  notice_days: 5
  windows:
    - id: weekly-patching
      start: 2024-01-07T02:00:00
      rrule: FREQ=WEEKLY;BYDAY=SU
      duration_minutes: 120
      announced: 2023-12-01
"""


def make_busy(folder: Path, outages: int = 10_000, periods: int = 24, seed: int = 0) -> None:
    """Turn a generated agreement into a busy service's: `outages` outages over `periods` months
    in an outage log (short, some tagged maintenance, some across month ends), a weekly
    maintenance window, and results files whose own outage lists are emptied (the log holds them)."""
    rnd = random.Random(seed)
    year, month = _period(periods)
    minutes = int((time.mktime((year, month, 1, 0, 0, 0, 0, 0, 0)) - time.mktime((FIRST_YEAR, FIRST_MONTH, 1, 0, 0, 0, 0, 0, 0))) // 60)
    gap = minutes // outages
    lines = [OUTAGE_LOG_SCHEMA + "outages:"]
    at = 0
    for n in range(outages):
        at += rnd.randint(1, 2 * gap - 40)
        length = rnd.randint(1, 30)
        start, end = at, at + length
        at = end
        s, e = (_moment(m) for m in (start, end))
        lines.append(f"  - id: INC-{n + 1:05d}\n    start: {s}\n    end: {e}")
        if rnd.random() < 0.05:
            lines.append("    tags: [maintenance]")
        if rnd.random() < 0.2:
            lines.append("    note: Synthetic incident from the monitoring system.")
    (folder / "outages.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    terms = folder / "agreement.yaml"
    terms.write_text(terms.read_text(encoding="utf-8") + BUSY_MAINTENANCE, encoding="utf-8")
    for path in (folder / "results").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"    outages:\n(?:      - .*\n|        .*\n)+", "    outages: []\n", text), encoding="utf-8")


def _moment(minute: int) -> str:
    """Minutes after the first period's start, as an ISO time in UTC."""
    day, rest = divmod(minute, 1440)
    first = calendar.timegm((FIRST_YEAR, FIRST_MONTH, 1, 0, 0, 0)) + day * 86_400 + rest * 60
    return time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(first))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic catalog of valid agreements for benchmarks.")
    parser.add_argument("out", type=Path, help="folder to write the agreements into")
    parser.add_argument("--count", type=int, default=2000, help="number of agreements (default 2000)")
    parser.add_argument("--metrics", type=int, default=5, help="metrics per agreement (default 5)")
    parser.add_argument("--periods", type=int, default=24, help="monthly results per agreement, from 2024-01 (default 24)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--services", type=int, default=0, help="agreements inherit the standards of this many services (default 0: written in full)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.services:
        ids = generate_services(args.out, args.count, args.services, args.metrics, args.periods, args.seed)
    else:
        ids = generate(args.out, args.count, args.metrics, args.periods, args.seed)
    print(f"wrote {len(ids)} agreements to {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
