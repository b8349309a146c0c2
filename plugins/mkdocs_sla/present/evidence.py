"""What a period's credit rests on, as plain data: outages with counted and excluded minutes and why,
maintenance windows and what each excluded, the charges (the credit base), every note.

One shape for the agreement's JSON (`present.documents`) and its page (`site.evidence_page`).
Times are given in the agreement's time zone; exact values are strings as in the documents
(a terminating decimal or a fraction), each with a display form for people.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from mkdocs_sla.core.evaluate import MetricOutcome, PeriodOutcome
from mkdocs_sla.core.evidence import DowntimeEvidence, Excluded, Exclusion, OutageEvidence, WindowEvidence
from mkdocs_sla.core.periods import zone
from mkdocs_sla.present import display


def local_time(moment: dt.datetime, timezone: str) -> str:
    """A time in the agreement's zone as people read it: `2026-01-31 23:50 +01:00`, seconds only when there are some."""
    local = moment.astimezone(zone(timezone))
    text = local.strftime("%Y-%m-%d %H:%M")
    if local.second or local.microsecond:
        text += local.strftime(":%S")
        if local.microsecond:
            text += f".{local.microsecond:06d}".rstrip("0")
    offset = local.strftime("%z")
    return f"{text} {offset[:3]}:{offset[3:]}"


def minutes_text(value: Fraction) -> str:
    """Minutes for the evidence tables: exact where a short decimal says it, else three decimals marked ≈."""
    text = display.exact(value)
    if text is not None and len(text.partition(".")[2]) <= 6:
        return f"{int(value):,}" if value.denominator == 1 else f"{int(value):,}.{text.partition('.')[2]}"
    return "≈" + f"{display.to_decimal(value, 3):,}".rstrip("0").rstrip(".")


def notice_text(delta: dt.timedelta) -> str:
    """A notice in days and hours: `5 days`, `2 days 6 hours`, `45 minutes`."""
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "after it began"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "none"


def reason_text(excluded: Excluded, minimum: object = None) -> str:
    """Why a part of an outage does not count, in words."""
    reason = excluded.reason
    if reason is Exclusion.TAG:
        return f"tagged `{excluded.tag}`, which does not count"
    if reason is Exclusion.MAINTENANCE:
        occ = excluded.occurrence
        return f"maintenance window `{occ.window.id}`, announced {notice_text(occ.given)} ahead ({notice_text(occ.notice)} required)"
    if reason is Exclusion.OVERLAP:
        return "counted in an overlapping outage"
    if reason is Exclusion.MINIMUM_OUTAGE:
        return (
            f"shorter than the minimum outage of {display.plain(minimum)} minutes"
            if minimum is not None
            else "shorter than the minimum outage"
        )
    if reason is Exclusion.OUTSIDE_SERVICE_HOURS:
        return "outside the service hours"
    return "the deployment was not running"


def _excluded(x: Excluded, timezone: str, minimum) -> dict[str, Any]:
    return {
        "start": x.start.astimezone(zone(timezone)).isoformat(),
        "end": x.end.astimezone(zone(timezone)).isoformat(),
        "start_display": local_time(x.start, timezone),
        "end_display": local_time(x.end, timezone),
        "minutes": display.decimal(x.minutes),
        "minutes_display": minutes_text(x.minutes),
        "reason": x.reason.value,
        "reason_text": reason_text(x, minimum),
        "tag": x.tag,
        "window": x.occurrence.window.id if x.occurrence else None,
    }


def _outage(o: OutageEvidence, timezone: str, minimum) -> dict[str, Any]:
    outage = o.entry.outage
    return {
        "id": outage.id,
        "start": o.entry.start.astimezone(zone(timezone)).isoformat(),
        "end": o.entry.end.astimezone(zone(timezone)).isoformat(),
        "start_display": local_time(o.entry.start, timezone),
        "end_display": local_time(o.entry.end, timezone),
        "in_period_start": local_time(o.start, timezone),
        "in_period_end": local_time(o.end, timezone),
        "split": (o.start, o.end) != (o.entry.start, o.entry.end),
        "minutes": display.decimal(o.minutes),
        "minutes_display": minutes_text(o.minutes),
        "excluded_minutes": display.decimal(o.excluded_minutes),
        "excluded_minutes_display": minutes_text(o.excluded_minutes),
        "weight": display.plain(outage.weight),
        "counted_minutes": display.decimal(o.counted),
        "counted_minutes_display": minutes_text(o.counted),
        "excluded": [_excluded(x, timezone, minimum) for x in o.excluded],
        "tags": list(outage.tags),
        "note": outage.note,
        "source": outage.source,
        "logged_in": "outage log" if o.entry.logged else ("results" if o.entry.position else "interval counts"),
        "position": str(o.entry.position) if o.entry.position else None,
    }


def _window(w: WindowEvidence, timezone: str) -> dict[str, Any]:
    occ = w.occurrence
    return {
        "id": occ.window.id,
        "start": occ.start.astimezone(zone(timezone)).isoformat(),
        "end": occ.end.astimezone(zone(timezone)).isoformat(),
        "start_display": local_time(occ.start, timezone),
        "end_display": local_time(occ.end, timezone),
        "recurring": occ.window.rrule is not None,
        "rrule": occ.window.rrule,
        "announced": occ.announced.astimezone(zone(timezone)).isoformat(),
        "announced_display": local_time(occ.announced, timezone),
        "notice_given": notice_text(occ.given),
        "notice_required": notice_text(occ.notice),
        "enough_notice": occ.qualifies,
        "excluded_minutes": display.decimal(w.excluded_minutes),
        "excluded_minutes_display": minutes_text(w.excluded_minutes),
        "counted_inside_minutes": display.decimal(w.counted_inside),
        "counted_inside_display": minutes_text(w.counted_inside),
        "note": occ.window.note,
    }


def downtime_document(evidence: DowntimeEvidence, timezone: str, minimum=None) -> dict[str, Any]:
    """The evidence of one metric that counts outages, in one period."""
    return {
        "measured_minutes": display.decimal(evidence.measured_minutes),
        "measured_minutes_display": minutes_text(evidence.measured_minutes),
        "down_minutes": display.decimal(evidence.down_minutes),
        "down_minutes_display": minutes_text(evidence.down_minutes),
        "outages": [_outage(o, timezone, minimum) for o in evidence.outages],
        "windows": [_window(w, timezone) for w in evidence.windows],
    }


def metric_evidence(m: MetricOutcome, outcome: PeriodOutcome) -> dict[str, Any] | None:
    """A metric's evidence in a period: its note and, for measures that count outages, the outages and windows."""
    result = outcome.results.results.metrics.get(m.metric.id)
    note = result.note if result is not None else None
    evidence = m.measured.evidence if m.measured is not None else None
    if evidence is None and note is None:
        return None
    found: dict[str, Any] = {"note": note}
    if evidence is not None:
        found.update(downtime_document(evidence, outcome.terms.timezone, getattr(m.metric.measure, "minimum_outage_minutes", None)))
    return found


def period_evidence(outcome: PeriodOutcome) -> dict[str, Any]:
    """The period's charges and what they are (the credit base), and the evidence of each metric."""
    terms = outcome.terms
    charges = outcome.results.results.charges
    currency = terms.credit_terms.currency if terms.credit_terms else None
    return {
        "charges": str(charges) if charges is not None else None,
        "charges_display": display.money(Fraction(charges), currency) if charges is not None and currency else None,
        "credit_base": terms.credit_terms.base if terms.credit_terms else None,
        "timezone": terms.timezone,
        "results_file": outcome.results.file or None,
        "metrics": {m.metric.id: e for m in outcome.metrics if (e := metric_evidence(m, outcome)) is not None},
    }
