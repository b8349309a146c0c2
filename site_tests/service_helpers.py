"""Helpers for the services tests: a service folder (definition, standard versions, outage log) and inheriting agreements."""

from __future__ import annotations

from pathlib import Path

from site_tests.core_helpers import DOWNTIME_METRIC, TIERS_10_25, indented


def standard(
    version: str = "1.0", effective: str = "2026-01-01", *, metrics: str = DOWNTIME_METRIC, extra: str = "", head: str = ""
) -> str:
    """One version of a standard: the keys an agreement has, without its parties."""
    return (
        f'version: "{version}"\n'
        f"effective: {effective}\n"
        f"{head}"
        "title: Standard SLA\n"
        "provider: Provider\n"
        "notice_days: 30\n"
        "metrics:\n"
        f"{metrics}"
        "credit_terms:\n"
        "  base: the monthly charges\n"
        "  cap: 50\n"
        "exclusions:\n"
        "  - Scheduled maintenance.\n"
        f"{extra}"
    )


def write_service(
    root: Path,
    service_id: str = "compute",
    *standards: str,
    components: tuple[str, ...] = ("eu", "us"),
    outages: str | None = None,
) -> Path:
    """`root/services/<id>/` with service.yaml, standard.yaml (the versions given, default one) and an outage log."""
    folder = root / "services" / service_id
    folder.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  - id: {c}\n    name: Region {c.upper()}\n" for c in components)
    (folder / "service.yaml").write_text(
        f"id: {service_id}\nname: The {service_id} service\nfamily: Tests\n" + (f"components:\n{listed}" if components else ""),
        encoding="utf-8",
    )
    (folder / "standard.yaml").write_text("---\n".join(standards or (standard(),)), encoding="utf-8")
    if outages is not None:
        (folder / "outages.yaml").write_text(outages, encoding="utf-8")
    return folder


def inheriting(
    agreement_id: str = "svc",
    *,
    service: str = "compute",
    version: str = "1.0",
    components: str | None = None,
    extra: str = "",
    own_version: str = "1",
    effective: str = "2026-01-01",
) -> str:
    """An agreement that inherits the standard, writing its parties and `extra` only."""
    scope = f"  components: {components}\n" if components else ""
    return (
        f"id: {agreement_id}\n"
        f'version: "{own_version}"\n'
        f"effective: {effective}\n"
        f"title: Agreement {agreement_id}\n"
        f"customer: Customer {agreement_id}\n"
        "owner: Owner\n"
        "standard:\n"
        f"  service: {service}\n"
        f'  version: "{version}"\n'
        f"{scope}"
        f"{extra}"
    )


def negotiated_tiers(credit: int) -> str:
    """`extra` for `inheriting`: the uptime metric's credit table negotiated, its first tier
    earning `credit` % instead of the standard's 10."""
    return "metrics:\n  - id: uptime\n    credits:\n" + indented(TIERS_10_25.replace("credit: 10\n", f"credit: {credit}\n"))


def outage_log(*entries: tuple[str, str, str]) -> str:
    """A service outage log: entries (start, end, extra lines indented by four spaces)."""
    return "outages:\n" + "".join(f"  - start: {s}\n    end: {e}\n{x}" for s, e, x in entries)


def results(period: str, charges: str = "1000") -> str:
    """A results file with charges and no measurements of its own."""
    return f'period: "{period}"\ncharges: {charges}\nmetrics: {{}}\n'
