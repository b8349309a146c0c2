"""A real Prometheus server for the collector's tests: known series backfilled, then served on loopback.

`prometheus_server(tmp_path, series)` writes the series as OpenMetrics, backfills them with
`promtool tsdb create-blocks-from openmetrics` into a fresh data folder, starts Debian's
`prometheus` on a free loopback port with a long retention (backfilled blocks older than the
retention are deleted at start), waits until `/-/ready`, yields the base URL and stops the
server in `finally`.

The server's lookback (how long a sample stays visible to a query) is set to 30 s, shorter
than the tests' 60 s step: a missing sample is then missing, not filled by the one before, and
the expected outages can be computed by hand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

Series = dict[str, Iterable[tuple[int, int]]]  # `name{labels}` -> (unix seconds, value)


def at(text: str) -> int:
    """Unix seconds of an ISO 8601 time in UTC (`2025-01-31T23:50`)."""
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp())


def minutes(start: str, end: str, value: Callable[[int], int | None]) -> list[tuple[int, int]]:
    """A sample each minute from `start` to before `end`; `value(t)` None leaves the sample out (a gap)."""
    samples = []
    for t in range(at(start), at(end), 60):
        v = value(t)
        if v is not None:
            samples.append((t, v))
    return samples


def openmetrics(series: Series) -> str:
    """The series as an OpenMetrics text, one gauge family per metric name."""
    families: dict[str, list[str]] = {}
    for name, samples in series.items():
        family = name.split("{", 1)[0]
        families.setdefault(family, []).extend(f"{name} {value} {t}" for t, value in samples)
    lines = []
    for family, rows in families.items():
        lines.append(f"# TYPE {family} gauge")
        lines.extend(rows)
    return "\n".join(lines) + "\n# EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bcrypt(password: str) -> str:
    """A bcrypt hash, as Prometheus' web config takes for basic auth users (libxcrypt's, through `crypt`)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


@contextlib.contextmanager
def prometheus_server(folder: Path, series: Series, users: dict[str, str] | None = None) -> Iterator[str]:
    """Backfill `series` into a fresh TSDB under `folder` and serve it; yields the base URL.
    `users` (name to password) turns on HTTP basic auth for every request."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    source = folder / "series.om"
    source.write_text(openmetrics(series), encoding="utf-8")
    # Blocks of up to a year: a few blocks instead of one per 2 hours, so the server starts fast.
    subprocess.run(
        [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", "--quiet", "--max-block-duration=8760h", str(source), str(data)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    config = folder / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1h\nscrape_configs: []\n", encoding="utf-8")
    web = []
    if users:
        lines = ["basic_auth_users:"] + [f"  {name}: '{bcrypt(password)}'" for name, password in users.items()]
        (folder / "web.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        web = [f"--web.config.file={folder / 'web.yml'}"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            PROMETHEUS,
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=100y",
            f"--config.file={config}",
            "--query.lookback-delta=30s",
            *web,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prometheus exited with {process.returncode}: {(folder / 'prometheus.log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                auth = next(iter(users.items())) if users else None
                if httpx.get(f"{url}/-/ready", timeout=1, auth=auth).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("prometheus did not become ready within 60 s")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# ---------------------------------------------------------------- a fake server for hostile answers


def matrix(values: list, metric: dict | None = None) -> bytes:
    """A range query's answer holding one series."""
    import json

    result = [{"metric": {"job": "api"} if metric is None else metric, "values": values}]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}}).encode()


@contextlib.contextmanager
def fake_server(answer: Callable) -> Iterator[str]:
    """An HTTP server on loopback answering each POST by `answer(handler, start, end, step)`, which
    writes the response itself (status, headers, body, as slowly as it likes); yields the base URL.
    Stopped in `finally`, its threads daemons, so a test never waits on a handler still writing."""
    import http.server
    import threading
    import urllib.parse

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
            with contextlib.suppress(OSError):  # the client hung up (as it should, past its deadline or size limit)
                answer(self, int(form["start"][0]), int(form["end"][0]), int(form["step"][0]))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def send(handler, body: bytes, status: int = 200, content_type: str = "application/json") -> None:
    """A whole response at once."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
