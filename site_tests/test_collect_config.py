"""collect.yaml is checked with its agreement: `sla validate` names each problem at its file:line:column."""

from __future__ import annotations

import pytest
from site_tests.core_helpers import DOWNTIME_METRIC, agreement, assert_reported, metric_text, position_of, write_agreement

from mkdocs_sla.source.load import load

GOOD = """\
prometheus:
  url: http://prometheus.internal:9090
  auth:
    bearer_token_env: PROM_TOKEN
metrics:
  uptime:
    availability: min(probe_success{job="api"})
    step: 60s
"""

EVENTS_METRIC = metric_text(
    "tickets",
    name="Tickets answered in time",
    definition="Tickets answered within the target.",
    objective="95",
    measure="kind: events",
    credits=None,
)


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "agreements"
    write_agreement(root, "svc", agreement(metrics=DOWNTIME_METRIC + EVENTS_METRIC))
    return root


@pytest.mark.parametrize(
    ("change", "needle", "words"),
    [
        (lambda t: t.replace("  uptime:", "  uptme:"), "uptme", ["unknown metric `uptme`", "did you mean `uptime`?"]),
        (lambda t: t.replace("  uptime:", "  tickets:"), "availability", ["measured by `events`", "measures a `downtime` metric"]),
        (
            lambda t: t.replace(
                'availability: min(probe_success{job="api"})', "requests: sum(http_requests_total)\n    errors: sum(http_errors_total)"
            ),
            "requests",
            ["measured by `downtime`", "`requests` and `errors` counters measure an `intervals` metric"],
        ),
        (lambda t: t.replace("step: 60s", "step: 7m"), "7m", ["does not divide a day"]),
        (lambda t: t.replace("step: 60s", "step: 1 minute"), "1 minute", ["step"]),
        (
            lambda t: t.replace("    bearer_token_env: PROM_TOKEN", "    bearer_token_env: PROM_TOKEN\n    username_env: USER"),
            "bearer_token_env",
            ["bearer token or basic auth, not both"],
        ),
        (lambda t: t.replace("http://prometheus.internal", "http://admin:pw@prometheus.internal"), "http://admin", ["holds credentials"]),
        (
            lambda t: t.replace("    step: 60s", "    step: 60s\n    when_empty: no_requests"),
            "availability",
            ["`no_requests` applies to counters"],
        ),
        (
            lambda t: t + "statuspage:\n  components:\n    API: [tickets]\n",
            "tickets]",
            ["status page incidents are outages of a `downtime` metric"],
        ),
        (
            lambda t: t + "statuspage:\n  components:\n    API: [uptime]\n",
            "uptime]",
            ["also collected from Prometheus", "one source per metric"],
        ),
    ],
    ids=[
        "an unknown metric",
        "an availability query for an events metric",
        "counters for a downtime metric",
        "a step that does not divide a day",
        "a step that is no duration",
        "two kinds of credentials",
        "credentials in the URL",
        "a counters rule on an availability query",
        "a component mapped to a metric without outages",
        "a metric from both sources",
    ],
)
def test_a_bad_collector_configuration_is_reported_at_its_position(root, change, needle, words):
    text = change(GOOD)
    (root / "svc" / "collect.yaml").write_text(text, encoding="utf-8")
    # a problem of one key at that key; one of a whole mapping at its first key
    line, column = position_of(text, needle)
    assert_reported(root, "svc/collect.yaml", line, column, *words)


def test_a_good_collector_configuration_is_valid(root):
    (root / "svc" / "collect.yaml").write_text(GOOD, encoding="utf-8")
    catalog = load(root)
    assert catalog.errors == [] and [a.id for a in catalog.agreements] == ["svc"]
