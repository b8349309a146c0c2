"""The collector configuration: `agreements/<id>/collect.yaml`, as typed, immutable models.

Where the measurements of an agreement come from: a Prometheus-compatible HTTP API
(Prometheus, Thanos, Mimir, VictoriaMetrics) and an Atlassian Statuspage export.
It is a file of its own, beside `agreement.yaml` and not inside it, because it is
operations, not contract: adding a query to an agreement already in force must not
change the content hash of a published version (`versions.lock`).

`sla collect` reads it; the loader checks it with the rest of the agreement
(unknown metrics, queries that do not fit the metric's measure) so that
`sla validate` reports its errors as `file:line:column`.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from mkdocs_sla.core.model import Date, Model, Percent, Slug

COLLECT_FILE = "collect.yaml"
#: Where a status page's export is read unless `statuspage.export` says otherwise.
STATUSPAGE_EXPORT = "statuspage"

EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=120)]
PromQL = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
DURATION_RE = re.compile(r"^([1-9][0-9]{0,5})(s|m|h)$")


def duration_seconds(text: str) -> int:
    """Seconds of a Prometheus-style duration `30s`, `1m`, `5m`, `1h` (one unit, whole numbers)."""
    match = DURATION_RE.match(text)
    if match is None:
        raise ValueError(f"`{text}` is not a duration; expected a whole number and a unit, such as `60s`, `1m` or `5m`")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


Step = Annotated[str, StringConstraints(pattern=DURATION_RE.pattern)]


class WhenEmpty(enum.Enum):
    """What a step without any sample (no data from the monitoring system) means.

    "No data" is its own state: it is never read as 100% up."""

    DOWN = "down"
    """The step counts as downtime: it is written as an outage tagged `no-data` (the agreement may
    still exclude that tag with `exclude_tags`, visibly). Availability queries only."""
    NO_REQUESTS = "no_requests"
    """The interval is written without a row, which the `intervals` measure counts as an interval
    without requests (0% errors), as S3-style agreements define it. Counter queries only."""
    ERROR = "error"
    """A closed period with a step without data is not written; `sla collect` names the gap, and a
    person decides (fix the monitoring, or enter the outage by hand)."""


def _one_alternative(single: bool, pair: tuple[bool, bool], *, both: str, half: str, neither: str) -> None:
    """The rule of a choice between one key and two keys given together (a token or a user name and
    password; a series or two counters): raises `both`, `half` (one of the two alone) or `neither`."""
    if single and any(pair):
        raise ValueError(both)
    if any(pair) and not all(pair):
        raise ValueError(half)
    if not single and not any(pair):
        raise ValueError(neither)


class Auth(Model):
    """Credentials for the monitoring system, read from environment variables at run time.

    Only the variables' names are written here; the values are never written to a file or a log."""

    bearer_token_env: EnvName | None = Field(None, description="Environment variable holding a bearer token (`Authorization: Bearer …`).")
    username_env: EnvName | None = Field(None, description="Environment variable holding the user name for HTTP basic auth.")
    password_env: EnvName | None = Field(None, description="Environment variable holding the password for HTTP basic auth.")

    @model_validator(mode="after")
    def _one_scheme(self) -> Auth:
        _one_alternative(
            self.bearer_token_env is not None,
            (self.username_env is not None, self.password_env is not None),
            both="auth takes a bearer token or basic auth, not both",
            half="basic auth takes both `username_env` and `password_env`",
            neither="auth needs `bearer_token_env`, or `username_env` and `password_env`",
        )
        return self


class Prometheus(Model):
    """A Prometheus-compatible HTTP API (`/api/v1/query_range`)."""

    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2000)] = Field(
        description="Base URL of the API, e.g. `http://prometheus:9090` (Mimir: `…/prometheus`). `sla collect --server` overrides it."
    )
    auth: Auth | None = Field(None, description="Credentials from environment variables; none for an open server.")
    timeout_seconds: Annotated[int, Field(gt=0, le=300)] = Field(
        30,
        description="Longest time one query may take, from connecting to the last byte of its answer, at most 300. An answer over 256 MB is refused (ask for fewer series or a longer step).",
    )
    since: Date | None = Field(
        None, description="First day to collect; default: the day the agreement took effect. Earlier periods are left as they are."
    )

    @field_validator("url")
    @classmethod
    def _no_credentials(cls, value: str) -> str:
        if "@" in value.split("://", 1)[1].split("/", 1)[0]:
            raise ValueError("the URL holds credentials; expected them in `auth:` as names of environment variables")
        return value


#: The measure kind each source of `collect.yaml` measures, by its key: an availability series and
#: status page incidents give the outages of a `downtime` metric, request and error counters the
#: error rates of an `intervals` metric. The one place the collector tells measure kinds apart.
MEASURED_BY = {"availability": "downtime", "requests": "intervals", "statuspage": "downtime"}


class CollectedMetric(Model):
    """The queries of one metric: a 0/1 availability series (`downtime`), or request and error counters (`intervals`).

    Availability: the query's value at each step (1 up, 0 down) stands for the step that starts
    then; consecutive down steps make one outage. Counters: the raw counters (one or more series,
    e.g. per instance); the increase of each series between two steps is counted in the step of the
    later sample, and a value lower than the one before is a counter reset: the new value is what was
    counted since the reset. The increases of all series are added up per interval."""

    availability: PromQL | None = Field(
        None, description='PromQL of a 0/1 availability series, e.g. `min(probe_success{job="api"})`; for a `downtime` metric.'
    )
    requests: PromQL | None = Field(
        None, description='PromQL of the request counters, e.g. `http_requests_total{job="s3"}`; for an `intervals` metric.'
    )
    errors: PromQL | None = Field(
        None, description='PromQL of the error counters, e.g. `http_requests_total{job="s3",code=~"5.."}`; for an `intervals` metric.'
    )
    step: Step = Field(
        "60s", description="Resolution of the query, e.g. `60s`; it must divide a day (and an `intervals` metric's interval)."
    )
    when_empty: WhenEmpty | None = Field(
        None,
        description="What a step without samples means: `down` (default for availability), `no_requests` or `error` (default for counters).",
    )

    @field_validator("step")
    @classmethod
    def _divides_a_day(cls, value: str) -> str:
        if 86_400 % duration_seconds(value):
            raise ValueError(f"step `{value}` does not divide a day; expected a step such as `15s`, `60s` or `5m`")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> CollectedMetric:
        _one_alternative(
            self.availability is not None,
            (self.requests is not None, self.errors is not None),
            both="a metric takes `availability`, or `requests` and `errors`, not both",
            half="counters take both `requests` and `errors`",
            neither="expected `availability` (a 0/1 series), or `requests` and `errors` (counters)",
        )
        if self.availability is not None and self.when_empty is WhenEmpty.NO_REQUESTS:
            raise ValueError("`no_requests` applies to counters; an availability series takes `down` or `error`")
        if self.availability is None and self.when_empty is WhenEmpty.DOWN:
            raise ValueError("`down` applies to an availability series; counters take `no_requests` or `error`")
        return self

    @property
    def step_seconds(self) -> int:
        """The query's step, the resolution of the samples, in seconds."""
        return duration_seconds(self.step)

    @property
    def query_key(self) -> str:
        """`availability` or `requests`: which of its queries measure the metric (a key of `MEASURED_BY`)."""
        return "availability" if self.availability is not None else "requests"

    @property
    def empty_rule(self) -> WhenEmpty:
        """`when_empty`, or the default of the query's kind."""
        if self.when_empty is not None:
            return self.when_empty
        return WhenEmpty.DOWN if self.availability is not None else WhenEmpty.ERROR


ComponentStatus = Literal["degraded_performance", "partial_outage", "major_outage"]
IncidentImpact = Literal["minor", "major", "critical"]


class Statuspage(Model):
    """An Atlassian Statuspage export: `incidents.json` and `scheduled-maintenances.json` (API v2)."""

    export: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$", max_length=400)] = Field(
        STATUSPAGE_EXPORT, description="Folder of the export, inside the agreement's folder."
    )
    components: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], Annotated[list[Slug], Field(min_length=1)]] = Field(
        min_length=1, description="Statuspage component (its id or its name) to the metric ids it affects."
    )
    statuses: dict[ComponentStatus, Percent] = Field(
        default_factory=lambda: {"partial_outage": Decimal(100), "major_outage": Decimal(100)},
        description="Component status to the share of the time counted as down, in % (a partial-outage weight below 100). A status not listed is not an outage. Default: `partial_outage` and `major_outage` 100.",
    )
    impacts: dict[IncidentImpact, Percent] = Field(
        default_factory=lambda: {"major": Decimal(100), "critical": Decimal(100)},
        description="For an incident whose updates record no component status: its impact to the share counted as down, from `started_at` to `resolved_at`. Default: `major` and `critical` 100.",
    )


class Collection(Model):
    """`collect.yaml`: where `sla collect` reads an agreement's measurements."""

    prometheus: Prometheus | None = Field(None, description="The monitoring system.")
    metrics: dict[Slug, CollectedMetric] = Field(default_factory=dict, description="Queries by metric id (a metric of the agreement).")
    statuspage: Statuspage | None = Field(None, description="The status page export.")

    @model_validator(mode="after")
    def _something_to_collect(self) -> Collection:
        if self.metrics and self.prometheus is None:
            raise ValueError("metric queries need `prometheus:` with the server's `url`")
        if not self.metrics and self.statuspage is None:
            raise ValueError("nothing to collect: expected `metrics:` (with `prometheus:`) or `statuspage:`")
        return self
