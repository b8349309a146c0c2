"""`sla collect` against a server that answers what no Prometheus would: every answer is an error of
one line, escaped, naming what was expected; never a traceback, and the agreement folder stays as it was.

The server is a fake on loopback (`prometheus_helpers.fake_server`), each test its own answer."""

from __future__ import annotations

import json
import time

import pytest
from site_tests.core_helpers import agreement, run_sla, write_agreement
from site_tests.prometheus_helpers import fake_server, matrix, send

from mkdocs_sla.source.collect.prometheus import MAX_RESPONSE_BYTES

QUERY = 'min(probe_success{job="api"})'
COLLECT = """\
prometheus:
  url: {url}
  timeout_seconds: 3
metrics:
  uptime:
    availability: {query}
    step: 60s
"""


def ones(start: int, end: int, step: int) -> list:
    return [[t, "1"] for t in range(start, end + 1, step)]


def snapshot(root) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(tmp_path, answer, timeout: float = 60):
    """Collect January 2025 of an agreement from a server answering by `answer`; the result and
    whether the tree was left as it was."""
    root = tmp_path / "agreements"
    folder = write_agreement(root, "svc", agreement(effective="2025-01-01"))
    with fake_server(answer) as url:
        (folder / "collect.yaml").write_text(COLLECT.format(url=url, query=QUERY), encoding="utf-8")
        before = snapshot(root)
        result = run_sla("collect", str(root), "--until", "2025-02-01", cwd=tmp_path, timeout=timeout)
        unchanged = snapshot(root) == before
    return result, url, unchanged


def failed(result) -> list[str]:
    """The error lines, after checking the run failed cleanly: exit 1, no traceback, nothing
    that would move a terminal's cursor or start a GitHub workflow command."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not any(c in result.stdout + result.stderr for c in "\x1b\r"), repr(result.stderr)
    lines = result.stderr.splitlines()
    assert not any(line.startswith("::") for line in lines + result.stdout.splitlines())
    return lines


def answering(body: bytes, status: int = 200):
    return lambda handler, start, end, step: send(handler, body, status)


def test_a_good_answer_is_collected(tmp_path):
    """The fake itself: a series of ones is January without an outage (so the failures below are the answers')."""
    result, _url, unchanged = run(tmp_path, lambda h, start, end, step: send(h, matrix(ones(start, end, step))))
    assert result.returncode == 0, result.stderr
    assert not unchanged


def test_the_servers_error_message_is_escaped(tmp_path):
    body = json.dumps({"status": "error", "error": "bad \x1b[2J\x1b[31mred\r::error file=x::forged"}).encode()
    result, _url, unchanged = run(tmp_path, answering(body, 400))
    assert failed(result) == [
        f"sla collect: error: the server refused the query `{QUERY}`: bad \\x1b[2J\\x1b[31mred\\r::error file=x::forged"
    ]
    assert unchanged


def test_series_labels_are_escaped(tmp_path):
    result_doc = [{"metric": {"job": "a\x1b[31m\n::error::x"}, "values": []}, {"metric": {"job": "b"}, "values": []}]
    body = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result_doc}}).encode()
    result, _url, unchanged = run(tmp_path, answering(body))
    (line,) = failed(result)
    assert line == (
        f'sla collect: error: the query `{QUERY}` returned 2 series ({{job="a\\x1b[31m\\n::error::x"}}, {{job="b"}}…); '
        "expected one 0/1 series: aggregate them with min() or max()"
    )
    assert unchanged


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"[" * 100_000 + b"]" * 100_000,
            "{url} answered HTTP 200 without a Prometheus API document; expected the API at {url}/api/v1/query_range "
            "(the answer:1:101: arrays and objects nested more than 100 deep; expected a document a few levels deep)",
        ),
        (
            b'{"status":"success","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            "{url} answered HTTP 200 without a Prometheus API document; expected the API at {url}/api/v1/query_range "
            "(the answer:1:127: arrays and objects nested more than 100 deep; expected a document a few levels deep)",
        ),
        (
            b'{"status":"success","data":["x"]}',
            "{url} answered `data` a list to the query `{query}`; expected an object with `resultType` and `result`",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":"abc"}}',
            "{url} answered `result` a string to the query `{query}`; expected a list of series",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":["abc"]}}',
            "{url} answered series 1 of the query `{query}` as a string; expected an object with `metric` and `values`",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":["a"],"values":[]}]}}',
            "{url} answered series 1 of the query `{query}` with `metric` a list; expected an object of label names to text values",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":{"a":1}}]}}',
            '{url} answered series 1 of the query `{query}` with `values` an object; expected a list of [time, "value"] pairs',
        ),
        (
            matrix([[1735689600, "1", "x"]]),
            "the query `{query}` returned a sample [1735689600, '1', 'x']; expected a [time, \"value\"] pair",
        ),
        (matrix([[1735689600, True]]), "the query `{query}` returned a sample that is not a number: True at 1735689600"),
        (matrix([[True, "1"]]), "the query `{query}` returned a sample at True; expected a time in Unix seconds (1970 to 9999)"),
        (matrix([[10**30, "1"]]), f"the query `{{query}}` returned a sample at {10**30}; expected a time in Unix seconds (1970 to 9999)"),
        (
            matrix([[1735689600, "1e5000"]]),
            "the query `{query}` returned '1e5000' at 1735689600; expected a number of at most 40 significant digits",
        ),
        (
            matrix([[1735689600, "1e99999999"]]),
            "the query `{query}` returned '1e99999999' at 1735689600; expected a number of at most 40 significant digits",
        ),
        (
            b'{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1735689600,"1"]]}]}, "x": 1'
            + b"1" * 5000
            + b"}",
            "{url} answered HTTP 200 without a Prometheus API document; expected the API at {url}/api/v1/query_range "
            "(the answer: a number of 5001 digits; expected at most 40)",
        ),
        (
            b"\xff\xfe{}",
            "{url} answered HTTP 200 without a Prometheus API document; expected the API at {url}/api/v1/query_range "
            "(the answer:1:1: byte 0xff is not UTF-8; expected UTF-8 text)",
        ),
    ],
    ids=[
        "nested 100,000 deep",
        "data nested 100,000 deep",
        "data a list",
        "result a string",
        "a series a string",
        "metric a list",
        "values an object",
        "a sample of three",
        "a boolean value",
        "a boolean time",
        "a time past the year 9999",
        "a value of 5,000 digits",
        "a value of 100 million digits",
        "an integer of 5,000 digits",
        "not UTF-8",
    ],
)
def test_a_malformed_answer_is_one_line_saying_what_was_expected(tmp_path, body, message):
    began = time.monotonic()
    result, url, unchanged = run(tmp_path, answering(body))
    assert failed(result) == ["sla collect: error: " + message.format(url=url, query=QUERY)]
    assert unchanged
    assert time.monotonic() - began < 30  # `int("1e99999999")` took minutes


def test_a_server_sending_a_byte_at_a_time_meets_the_total_deadline(tmp_path):
    def drip(handler, start, end, step):
        body = matrix(ones(start, end, step))
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for index in range(len(body)):  # each byte well within the 3 s a read may wait
            handler.wfile.write(body[index : index + 1])
            handler.wfile.flush()
            time.sleep(0.5)

    began = time.monotonic()
    result, url, unchanged = run(tmp_path, drip)
    elapsed = time.monotonic() - began
    assert failed(result) == [f"sla collect: error: {url} did not answer within 3 seconds; nothing was written"]
    assert unchanged
    assert elapsed < 3 + 27  # the deadline and the start of `sla` on a busy machine; each read alone would have gone on for hours


def test_a_server_waiting_before_its_headers_meets_the_deadline(tmp_path):
    def wait(handler, start, end, step):
        time.sleep(10)
        send(handler, matrix(ones(start, end, step)))

    result, url, unchanged = run(tmp_path, wait)
    assert failed(result) == [f"sla collect: error: {url} did not answer within 3 seconds; nothing was written"]
    assert unchanged


@pytest.mark.parametrize("announced", [True, False], ids=["with Content-Length", "chunked"])
def test_an_answer_over_the_size_limit_is_refused_before_it_fills_the_memory(tmp_path, announced):
    block = b" " * (1024 * 1024)
    blocks = MAX_RESPONSE_BYTES // len(block) + 4  # a few MB over the limit

    def huge(handler, start, end, step):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if announced:
            handler.send_header("Content-Length", str(blocks * len(block)))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for _ in range(blocks):
            if announced:
                handler.wfile.write(block)
            else:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        if not announced:
            handler.wfile.write(b"0\r\n\r\n")

    result, url, unchanged = run(tmp_path, huge)
    assert failed(result) == [
        f"sla collect: error: {url} answered more than {MAX_RESPONSE_BYTES // 1024 // 1024} MB to one query; expected less: "
        "ask for fewer series (narrow the query's labels) or a longer step"
    ]
    assert unchanged
