"""A client for the Prometheus HTTP API (`/api/v1/query_range`), with `httpx`.

Prometheus, Thanos, Mimir and VictoriaMetrics answer the same API. A range query
returns at most 11,000 points per series, so a long range is asked for in chunks of
at most that many steps. Every request must be answered whole within `timeout_seconds`
(a total deadline, not one per read) and in at most MAX_RESPONSE_BYTES. Errors are one
line: an unreachable server, a refused query (the server's own message, escaped), refused
credentials, an answer not shaped as the API documents. Credentials come from environment
variables and never appear in a message.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import httpx

from mkdocs_sla.core.collection import Prometheus
from mkdocs_sla.core.diagnostics import excerpt, one_line
from mkdocs_sla.source.collect.jsondoc import MAX_DIGITS, JsonProblem, digits, parse

# Prometheus refuses a range query of more than 11,000 points per series
# ("exceeded maximum resolution of 11,000 points per timeseries").
MAX_POINTS = 11_000

#: The largest answer read, once decoded: a chunk of one series is about 250 kB (11,000 points),
#: so this leaves room for a thousand series (a counter split by instance, code and method is
#: read per series, for its resets) and stops a runaway answer before it fills the memory.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024

#: The range of sample times accepted (Unix seconds, 1970 to 9999): what a UTC time can be written as.
LAST_SECOND = 253_402_300_799

#: The most characters of a server's error message quoted.
MESSAGE_LENGTH = 300


class CollectError(Exception):
    """A problem that stops `sla collect` before it writes anything; each message is one line.
    Several problems found at once are all in `messages` (the first is the exception's text)."""

    def __init__(self, message: str, *more: str):
        super().__init__(message)
        self.messages = (message, *more)


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
            # A new connection per request: the deadline (`_Deadline`) learns each request's socket
            # as it connects, which a kept-alive connection would not announce.
            limits=httpx.Limits(max_keepalive_connections=0),
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
        body = self._answer(query, start, end, step)
        if body.get("status") != "success":
            message = excerpt(one_line(str(body.get("error") or "no `error` given")), MESSAGE_LENGTH)
            raise CollectError(f"the server refused the query `{query}`: {message}")
        return _matrix(body, query, self.url)

    def _answer(self, query: str, start: int, end: int, step: int) -> dict:
        """The JSON document of one range query, read whole within the deadline and the size limit."""
        form = {"query": query, "start": str(start), "end": str(end), "step": str(step)}
        deadline = _Deadline(self.timeout)
        late = f"{self.url} did not answer within {self.timeout:g} seconds; nothing was written"
        try:
            with self._client.stream("POST", "/api/v1/query_range", data=form, extensions={"trace": deadline.trace}) as response:
                deadline.watch(response.extensions.get("network_stream"))
                if response.status_code in (401, 403):
                    raise CollectError(f"{self.url} refused the credentials (HTTP {response.status_code}); nothing was written")
                raw = self._read(response, deadline)
                status = response.status_code
        except httpx.TimeoutException:
            raise CollectError(late) from None
        except httpx.TransportError as exc:
            if deadline.expired:
                raise CollectError(late) from None
            raise CollectError(f"cannot reach {self.url}: {_reason(exc)}; nothing was written") from None
        finally:
            deadline.cancel()
        if deadline.expired:
            raise CollectError(late)
        not_api = f"{self.url} answered HTTP {status} without a Prometheus API document; expected the API at {self.url}/api/v1/query_range"
        try:
            body = parse(raw)
        except JsonProblem as problem:
            raise CollectError(f"{not_api} ({problem.where('the answer')}: {problem.message})") from None
        if not isinstance(body, dict):
            raise CollectError(not_api)
        return body

    def _read(self, response: httpx.Response, deadline: _Deadline) -> bytes:
        too_big = (
            f"{self.url} answered more than {MAX_RESPONSE_BYTES // 1024 // 1024} MB to one query; expected less: "
            "ask for fewer series (narrow the query's labels) or a longer step"
        )
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_RESPONSE_BYTES:
            raise CollectError(too_big)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise CollectError(too_big)
            chunks.append(chunk)
            if deadline.expired:
                break
        return b"".join(chunks)


class _Deadline:
    """One request's total time: at the deadline its socket is shut down, which ends a read waiting
    on a server that sends a byte now and then (httpx's timeout bounds each read, not the whole).

    The socket is learnt from httpcore's `trace` extension as the connection is made (and from the
    response, in case it was not), so connecting, sending and reading all count."""

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, name: str, info: dict) -> None:
        """httpcore's trace callback: watch the stream of a new connection."""
        if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self.watch(info.get("return_value"))

    def watch(self, stream) -> None:
        """Shut the stream's socket down at the deadline (at once if it has passed)."""
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def cancel(self) -> None:
        """The request is over: no shutdown."""
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would unwrap the connection
    # under the reading thread, which then fails with an error httpcore does not translate.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _matrix(body: dict, query: str, url: str):
    """(labels, samples) of each series of a range query's answer, its shape checked on the way."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise CollectError(f"{url} answered `data` {_kind(data)} to the query `{query}`; expected an object with `resultType` and `result`")
    if data.get("resultType") != "matrix":
        kind = excerpt(one_line(str(data.get("resultType"))))
        raise CollectError(f"the query `{query}` returned a {kind}; expected a range vector (matrix)")
    result = data.get("result")
    if result is None:
        result = []
    if not isinstance(result, list):
        raise CollectError(f"{url} answered `result` {_kind(result)} to the query `{query}`; expected a list of series")
    for index, item in enumerate(result):
        where = f"{url} answered series {index + 1} of the query `{query}`"
        if not isinstance(item, dict):
            raise CollectError(f"{where} as {_kind(item)}; expected an object with `metric` and `values`")
        metric = item.get("metric")
        if metric is None:
            metric = {}
        if not isinstance(metric, dict) or not all(isinstance(v, str) for v in metric.values()):
            raise CollectError(f"{where} with `metric` {_kind(metric)}; expected an object of label names to text values")
        labels = tuple(sorted((one_line(k), one_line(v)) for k, v in metric.items()))
        values = item.get("values")
        if values is None:
            values = []
        if not isinstance(values, list):
            raise CollectError(f'{where} with `values` {_kind(values)}; expected a list of [time, "value"] pairs')
        yield labels, _samples(values, f"the query `{query}`")


def _samples(values: list, what: str) -> dict[int, Decimal]:
    samples: dict[int, Decimal] = {}
    numbers: dict[str, Decimal] = {}  # a 0/1 series repeats two values a million times: parse each once
    for pair in values:
        if not isinstance(pair, list) or len(pair) != 2:
            raise CollectError(f'{what} returned a sample {_shown(pair)}; expected a [time, "value"] pair')
        moment, value = pair
        if isinstance(moment, bool) or not isinstance(moment, int | Decimal) or not 0 <= moment <= LAST_SECOND:
            raise CollectError(f"{what} returned a sample at {_shown(moment)}; expected a time in Unix seconds (1970 to 9999)")
        number = numbers.get(value) if isinstance(value, str) else None
        if number is None:
            number = _number(value, what, moment)
            if isinstance(value, str):
                numbers[value] = number
        samples[moment if type(moment) is int else int(moment)] = number
    return samples


def _number(value: object, what: str, moment) -> Decimal:
    """A sample's value: Prometheus writes it as text ("1", "NaN"); a JSON number is read too, a boolean never."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise CollectError(f"{what} returned a sample that is not a number: {_shown(value)} at {moment}")
    try:
        if isinstance(value, str) and len(value) > 100:  # parsing is linear, but no value of a float64 is that long
            raise InvalidOperation
        number = Decimal(value)
    except InvalidOperation:
        raise CollectError(f"{what} returned a sample that is not a number: {_shown(value)} at {moment}") from None
    if digits(number) > MAX_DIGITS:
        raise CollectError(f"{what} returned {_shown(value)} at {moment}; expected a number of at most {MAX_DIGITS} significant digits")
    return number


def _kind(value: object) -> str:
    """What a JSON value is, in the words of a message."""
    if value is None:
        return "null"
    kinds = {bool: "a boolean", str: "a string", int: "a number", Decimal: "a number", list: "a list", dict: "an object"}
    return kinds.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    """A value from the server as a message quotes it: short, one line."""
    return one_line(excerpt(repr(value) if not isinstance(value, Decimal) else str(value)))


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "ConnectError" in text:
        return "connection refused"
    return one_line(text)
