"""From the samples of a range query to outages and interval counts: the collector's rules.

Availability (a 0/1 series, for a `downtime` metric)
    The value at step time t stands for the step [t, t + step). 1 is up, 0 is down; any
    other value is an error (aggregate several probes in PromQL with `min` or `max`). A
    step without a sample is "no data", its own state, decided by `when_empty`: `down`
    (an outage tagged `no-data`) or `error`. Consecutive down steps make one outage, and
    an outage is not cut at the end of a period: the engine splits the outage log at
    period boundaries. Prometheus fills a gap shorter than its lookback (5 minutes) with
    the last sample; a query over a range selector, `min_over_time(probe_success[1m])`,
    does not.

Counters (request and error counters, for an `intervals` metric)
    The raw counters, one or more series each. For each series, the increase between two
    samples is counted in the interval holding the later sample, (start, start + interval]
    as Prometheus' `increase` counts; a value lower than the one before is a counter reset,
    and the new value is the increase since the reset (what was counted between the last
    sample and the reset is lost, as in Prometheus). A series' first sample is its
    baseline, not an increase. Increases are whole numbers: a counter that is not is an
    error (a `rate()` or `increase()` query instead of the raw counter). The increases of
    all series are added per interval. An interval in which no request series has a sample
    is "no data": `no_requests` or `error` (`when_empty`); the error counters may be absent
    (no error yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from mkdocs_sla.core.collection import WhenEmpty
from mkdocs_sla.core.diagnostics import excerpt
from mkdocs_sla.source.collect.prometheus import CollectError, Series

ONE, ZERO = Decimal(1), Decimal(0)


def utc(seconds: int) -> dt.datetime:
    """A Unix time in seconds as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def stamp(seconds: int) -> str:
    """ISO 8601 in UTC with `Z`, as the outage log is written."""
    return utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Span:
    """A stretch of down (or no-data) steps, Unix seconds [start, end)."""

    start: int
    end: int
    no_data: bool = False


def one_series(series: list[Series], query: str, start: int, end: int) -> Series:
    """The single series an availability query must return."""
    if not series:
        raise CollectError(
            f"the query `{query}` returned no data from {stamp(start)} to {stamp(end)}; check the metric name and its labels"
        )
    if len(series) > 1:
        names = ", ".join(excerpt(s.name, 200) for s in series[:2])  # labels were made one line as they were read
        raise CollectError(
            f"the query `{query}` returned {len(series)} series ({names}…); expected one 0/1 series: aggregate them with min() or max()"
        )
    return series[0]


def availability_spans(series: Series, query: str, start: int, end: int, step: int, rule: WhenEmpty) -> list[Span]:
    """Down and no-data stretches of the steps start, start + step, … before `end`."""
    spans: list[Span] = []
    current: list | None = None  # [start, end, no_data]
    for t in range(start, end, step):
        value = series.samples.get(t)
        if value is None:
            if rule is WhenEmpty.ERROR:
                raise CollectError(
                    f"no data from the query `{query}` at {stamp(t)}; `when_empty: error` leaves such a period unwritten: "
                    "fix the monitoring, or set `when_empty: down`"
                )
            state = "no-data"
        elif value == ONE:
            state = "up"
        elif value == ZERO:
            state = "down"
        else:
            raise CollectError(f"the query `{query}` returned {value} at {stamp(t)}; expected a 0/1 availability series (1 up, 0 down)")
        if current is not None and (state == "up" or current[2] != (state == "no-data")):
            spans.append(Span(current[0], current[1], current[2]))
            current = None
        if state == "up":
            continue
        if current is None:
            current = [t, t + step, state == "no-data"]
        else:
            current[1] = t + step
    if current is not None:
        spans.append(Span(current[0], current[1], current[2]))
    return spans


@dataclass(frozen=True)
class Counts:
    """Requests and errors of one interval; `data` is False when no request series had a sample."""

    requests: int
    errors: int
    data: bool


def increases(series: list[Series], query: str) -> dict[int, int]:
    """The increase observed at each sample time, over all series, by the reset rule above."""
    total: dict[int, int] = {}
    for one in series:
        previous: Decimal | None = None
        for t in sorted(one.samples):
            value = one.samples[t]
            if not value.is_finite() or value != value.to_integral_value() or value < 0:
                raise CollectError(
                    f"the query `{query}` returned {value} at {stamp(t)} for {one.name}; expected the raw counter, a whole number "
                    "(not rate() or increase())"
                )
            if previous is not None:
                increase = value - previous if value >= previous else value  # a reset: counted since it
                total[t] = total.get(t, 0) + int(increase)
            previous = value
        # a series' first sample is its baseline: nothing counted
    return total


def interval_counts(
    requests: list[Series], errors: list[Series], queries: tuple[str, str], window: tuple[int, int], interval: int
) -> dict[int, Counts]:
    """Counts per interval of a measured window [start, end): intervals of `interval` seconds from its
    start (the last one possibly shorter), each taking the samples in (start, start + interval]."""
    start, end = window

    def slot_of(t: int) -> int | None:
        return start + (t - start - 1) // interval * interval if start < t <= end else None

    req: dict[int, int] = {}
    err: dict[int, int] = {}
    data: set[int] = set()
    for t, n in increases(requests, queries[0]).items():
        if (slot := slot_of(t)) is not None:
            req[slot] = req.get(slot, 0) + n
    for t, n in increases(errors, queries[1]).items():
        if (slot := slot_of(t)) is not None:
            err[slot] = err.get(slot, 0) + n
    for one in requests:
        for t in one.samples:
            if (slot := slot_of(t)) is not None:
                data.add(slot)
    counts: dict[int, Counts] = {}
    for slot in range(start, end, interval):
        n_req, n_err = req.get(slot, 0), err.get(slot, 0)
        if n_err > n_req:
            raise CollectError(
                f"{n_err} errors but {n_req} requests in the interval from {stamp(slot)}; expected the error counters to count a "
                f"subset of the requests (`{queries[1]}` within `{queries[0]}`)"
            )
        counts[slot] = Counts(n_req, n_err, slot in data)
    return counts
