"""A client for the Prometheus HTTP API (`/api/v1/query_range`), with `httpx`.

Prometheus, Thanos, Mimir and VictoriaMetrics answer the same API. A range query
returns at most 11,000 points per series, so a long range is asked for in chunks of
at most that many steps; every request has a bounded timeout. Errors are one line:
an unreachable server, a refused query (the server's own message), refused
credentials. Credentials come from environment variables and never appear in a
message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import httpx

from mkdocs_sla.core.collection import Prometheus

# Prometheus refuses a range query of more than 11,000 points per series
# ("exceeded maximum resolution of 11,000 points per timeseries").
MAX_POINTS = 11_000


class CollectError(Exception):
    """A problem that stops `sla collect` before it writes anything; the message is one line."""


@dataclass
class Series:
    """One time series of a range query: its labels and its samples (Unix seconds, value)."""

    labels: tuple[tuple[str, str], ...]
    samples: dict[int, Decimal] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The series' labels as Prometheus writes them: `{job="api", ...}`."""
        return "{" + ", ".join(f'{k}="{v}"' for k, v in self.labels) + "}"


def credentials(config: Prometheus, environ: dict[str, str] | None = None) -> httpx.Auth | None:
    """The configured credentials, read from the environment now (never stored, never printed)."""
    environ = os.environ if environ is None else environ
    auth = config.auth
    if auth is None:
        return None
    names = [auth.bearer_token_env] if auth.bearer_token_env else [auth.username_env, auth.password_env]
    missing = [n for n in names if not environ.get(n)]
    if missing:
        raise CollectError(
            f"environment variable {', '.join(missing)} is not set; collect.yaml names it for the credentials of {config.url}"
        )
    if auth.bearer_token_env:
        return _Bearer(environ[auth.bearer_token_env])
    return httpx.BasicAuth(environ[auth.username_env], environ[auth.password_env])


class _Bearer(httpx.Auth):
    """`Authorization: Bearer …`; the token lives only in this object and the request header."""

    def __init__(self, token: str):
        self._token = token

    def __repr__(self) -> str:  # never the token
        return "Bearer(***)"

    def auth_flow(self, request):
        """Adds the bearer token to each request."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class PrometheusClient:
    """Range queries against one server; use as a context manager so the connection is closed."""

    def __init__(self, url: str, timeout_seconds: float, auth: httpx.Auth | None = None):
        self.url = url.rstrip("/")
        self.timeout = timeout_seconds
        self._client = httpx.Client(
            base_url=self.url,
            auth=auth,
            timeout=httpx.Timeout(timeout_seconds),
            headers={"User-Agent": "mkdocs-sla collect"},
            follow_redirects=False,
        )

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()

    def query_range(self, query: str, start: int, end: int, step: int, progress: Callable[[int], None] | None = None) -> list[Series]:
        """Every series of `query` at `start`, `start + step`, … up to `end` (Unix seconds, inclusive).

        Chunks of at most MAX_POINTS steps; the series of all chunks are joined by their labels.
        `progress(n)` is told the number of steps each chunk covered."""
        series: dict[tuple[tuple[str, str], ...], Series] = {}
        chunk_start = start
        while chunk_start <= end:
            chunk_end = min(end, chunk_start + (MAX_POINTS - 1) * step)
            for labels, samples in self._chunk(query, chunk_start, chunk_end, step):
                series.setdefault(labels, Series(labels)).samples.update(samples)
            if progress is not None:
                progress((chunk_end - chunk_start) // step + 1)
            chunk_start = chunk_end + step
        return [series[k] for k in sorted(series)]

    def _chunk(self, query: str, start: int, end: int, step: int):
        form = {"query": query, "start": str(start), "end": str(end), "step": str(step)}
        try:
            response = self._client.post("/api/v1/query_range", data=form)
        except httpx.TimeoutException:
            raise CollectError(f"{self.url} did not answer within {self.timeout:g} seconds; nothing was written") from None
        except httpx.TransportError as exc:
            raise CollectError(f"cannot reach {self.url}: {_reason(exc)}; nothing was written") from None
        if response.status_code in (401, 403):
            raise CollectError(f"{self.url} refused the credentials (HTTP {response.status_code}); nothing was written")
        try:
            body = json.loads(response.text, parse_float=Decimal)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise CollectError(
                f"{self.url} answered HTTP {response.status_code} without a Prometheus API document; expected the API at {self.url}/api/v1/query_range"
            )
        if body.get("status") != "success":
            message = str(body.get("error") or f"HTTP {response.status_code}").replace("\n", " ")
            raise CollectError(f"the server refused the query `{query}`: {message}")
        data = body.get("data") or {}
        if data.get("resultType") != "matrix":
            raise CollectError(f"the query `{query}` returned a {data.get('resultType')}; expected a range vector (matrix)")
        for item in data.get("result") or []:
            labels = tuple(sorted((str(k), str(v)) for k, v in (item.get("metric") or {}).items()))
            samples: dict[int, Decimal] = {}
            numbers: dict[str, Decimal] = {}  # a 0/1 series repeats two values a million times: parse each once
            for stamp, value in item.get("values") or []:
                try:
                    number = numbers.get(value)
                    if number is None:
                        number = numbers[value] = Decimal(value)
                    samples[stamp if type(stamp) is int else int(Decimal(str(stamp)))] = number
                except (InvalidOperation, ValueError, TypeError):
                    raise CollectError(f"the query `{query}` returned a sample that is not a number: {value!r} at {stamp}") from None
            yield labels, samples


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "ConnectError" in text:
        return "connection refused"
    return text.replace("\n", " ")
