"""Totals of credits add up from the rows the reader sees: each row's amount as shown (two
places, half up, as an invoice shows it), added. Summing the exact amounts and rounding once
would differ by a cent wherever two rows round the same way."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from site_tests.core_helpers import SLA, agreement, outages_result, write_agreement

# 10% of 100.05 is 10.005: each row shows 10.01, two rows 20.02 (their exact sum, 20.01, would not add up).
CHARGES = "100.05"
MONEY = re.compile(r"([\d,]+\.\d\d) ([A-Z]{3})")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """`sla render` of two agreements of one customer, each crediting 10.005 in January 2026."""
    tmp_path = tmp_path_factory.mktemp("totals")
    for agreement_id in ("first", "second"):
        write_agreement(
            tmp_path / "agreements",
            agreement_id,
            agreement(agreement_id),
            {"2026-01.yaml": outages_result("2026-01", [("2026-01-10T00:00:00Z", "2026-01-10T02:00:00Z")], charges=CHARGES)},
        )
    out = tmp_path / "out"
    proc = subprocess.run(
        [*SLA, "render", str(out), "--path", str(tmp_path / "agreements"), "--today", "2026-03-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out / "agreements"


def amounts(html: str) -> list[Decimal]:
    return [Decimal(m.group(1).replace(",", "")) for m in MONEY.finditer(html)]


def test_the_credits_by_period_total_is_the_sum_of_its_rows_as_shown(rendered):
    page = (rendered / "credits" / "2026-01.md").read_text(encoding="utf-8")
    rows = re.findall(r'<td class="sla-total sla-total--credited">(.*?)</td>', page)
    assert [amounts(row) for row in rows] == [[Decimal("10.01")], [Decimal("10.01")]]
    total = re.search(r"Credited in all: (.*?)\. ", page)
    assert total is not None and amounts(total.group(1)) == [Decimal("20.02")], page


def test_the_statement_and_the_credits_index_give_the_same_total(rendered):
    pages = rendered
    statement = (pages / "statements" / "customer" / "2026-01.md").read_text(encoding="utf-8")
    (total,) = re.findall(r'<td class="sla-total sla-total--credited">(.*?)</td>', statement)
    assert amounts(total) == [Decimal("20.02")]
    index = (pages / "credits" / "index.md").read_text(encoding="utf-8")
    assert "20.02" in index and "20.01" not in index
