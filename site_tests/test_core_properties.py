"""Properties of the engine over many generated inputs (hypothesis).

- A worse attainment never gives a smaller credit.
- A period's total never exceeds the cap (nor the pool's at-risk amount).
- The evaluation is the same whatever the order of the input files and rows.
- No float reaches the arithmetic: numbers are Decimal in the model, Fraction in the engine,
  and values that floats get wrong (0.1 + 0.2, 1% of 44,640 minutes) come out exact.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from site_tests.core_helpers import AWS_TIERS, agreement, evaluated, metric_text, outages_result, value_result, write_agreement

from mkdocs_sla.cli import credits_document
from mkdocs_sla.core import credits as rules
from mkdocs_sla.core.diagnostics import Diagnostics, Position
from mkdocs_sla.core.evaluate import evaluate, evaluate_catalog
from mkdocs_sla.core.model import CreditTerms, Results, Terms
from mkdocs_sla.core.periods import Period
from mkdocs_sla.source.checks import check_tiers
from mkdocs_sla.source.load import Agreement, PeriodResults, Version, digest, load

# Modest by default so the suite stays fast on two cores; CORE_EXAMPLES=1000 searches harder.
EXAMPLES = int(os.environ.get("CORE_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILE_SETTINGS = settings(max_examples=max(EXAMPLES // 2, 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Percentages with up to 4 decimals, as text the way a YAML file writes them.
percent_text = st.integers(min_value=0, max_value=1_000_000).map(lambda n: str(Decimal(n).scaleb(-4)))


# ---------------------------------------------------------------- in-memory records


def terms_of(metric: dict, **top) -> dict:
    return {
        "id": "svc",
        "version": "1.0",
        "effective": "2026-01-01",
        "title": "T",
        "provider": "P",
        "customer": "C",
        "owner": "O",
        "service": {"name": "S"},
        "metrics": [metric],
        "credit_terms": {"base": "charges"},
        **top,
    }


def record(terms: dict, values: list[str]) -> Agreement:
    """One agreement with one value metric `m`, a period per value from January 2026."""
    parsed = Terms.model_validate(terms)
    results = tuple(
        PeriodResults(
            Period(2026, 1, "month").offset(i),
            Results.model_validate({"period": Period(2026, 1, "month").offset(i).label, "charges": "1000", "metrics": {"m": {"value": v}}}),
            "mem",
        )
        for i, v in enumerate(values)
    )
    return Agreement("svc", "mem", "mem", (Version(parsed, Position("mem"), digest(parsed)),), results)


def credit_percents(terms: dict, values: list[str]) -> list[Fraction]:
    return [p.metrics[0].credit_percent for p in evaluate(record(terms, values)).periods]


# ---------------------------------------------------------------- a worse attainment never gives a smaller credit


@st.composite
def tier_tables(draw):
    """A gap-free, overlap-free tier table below an objective, credits growing as attainment falls."""
    bounds = sorted(draw(st.sets(st.integers(min_value=1, max_value=999_999), min_size=1, max_size=5)), reverse=True)
    bounds = [Decimal(b).scaleb(-4) for b in bounds]
    strict = draw(st.booleans())
    credits = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=len(bounds), max_size=len(bounds))))
    tiers = []
    upper = "at_or_below" if strict else "below"
    for i, bound in enumerate(bounds):
        tier = {upper: str(bound), "credit": str(credits[i])}
        if i + 1 < len(bounds):
            lower = draw(st.sampled_from(["above", "at_or_above"]))
            tier[lower] = str(bounds[i + 1])
            upper = "below" if lower == "at_or_above" else "at_or_below"
        tiers.append(tier)
    metric = {
        "id": "m",
        "name": "M",
        "definition": "D",
        "unit": "%",
        "better": "higher",
        "objective": str(bounds[0]),
        "objective_strict": strict,
        "measure": {"kind": "value"},
        "credits": {"model": "tiers", "tiers": tiers},
    }
    return metric, bounds


def near(bounds: list[Decimal]):
    """Attainments at, just above and just below the bounds, and anywhere in 0..100."""
    tiny = Decimal("0.000001")
    at_bounds = st.sampled_from(bounds).flatmap(lambda b: st.sampled_from([b, b + tiny, b - tiny]))
    return st.one_of(at_bounds, st.integers(min_value=0, max_value=10**8).map(lambda n: Decimal(n).scaleb(-6)))


@SETTINGS
@given(data=st.data())
def test_a_worse_attainment_never_gives_a_smaller_tier_credit(data):
    metric, bounds = data.draw(tier_tables())
    diagnostics = Diagnostics()
    from mkdocs_sla.core.model import Metric

    check_tiers(Metric.model_validate(metric), lambda i: Position("mem"), diagnostics)
    assert not diagnostics, [str(d) for d in diagnostics.items]  # the table really has no gap and no overlap
    values = sorted(data.draw(st.lists(near(bounds), min_size=2, max_size=8)))
    credits = credit_percents(terms_of(metric), [str(v) for v in values])
    # values ascend (better), so credits must not ascend
    assert all(worse >= better for worse, better in itertools.pairwise(credits)), list(zip(values, credits, strict=False))


@SETTINGS
@given(
    objective=percent_text,
    per_point=st.integers(min_value=0, max_value=500).map(lambda n: str(Decimal(n).scaleb(-2))),
    maximum=st.one_of(st.none(), percent_text),
    better=st.sampled_from(["higher", "lower"]),
    values=st.lists(percent_text, min_size=2, max_size=8),
)
def test_a_worse_attainment_never_gives_a_smaller_linear_credit(objective, per_point, maximum, better, values):
    credits_spec = {"model": "linear", "per_point": per_point}
    if maximum is not None:
        credits_spec["max"] = maximum
    metric = {
        "id": "m",
        "name": "M",
        "definition": "D",
        "unit": "%",
        "better": better,
        "objective": objective,
        "measure": {"kind": "value"},
        "credits": credits_spec,
    }
    ordered = sorted(values, key=Decimal, reverse=(better == "higher"))  # best first
    credits = credit_percents(terms_of(metric), ordered)
    assert all(earlier <= later for earlier, later in itertools.pairwise(credits)), list(zip(ordered, credits, strict=False))
    if maximum is not None:
        assert max(credits) <= Fraction(maximum)


# ---------------------------------------------------------------- a total never exceeds the cap


money = st.integers(min_value=0, max_value=10**9).map(lambda n: Decimal(n).scaleb(-2))


@SETTINGS
@given(
    credits=st.lists(
        st.tuples(st.sampled_from(["tiers", "linear", "pool"]), st.integers(min_value=0, max_value=10_000).map(lambda n: Fraction(n, 100))),
        max_size=6,
    ),
    combine=st.sampled_from(["sum", "max"]),
    cap=st.one_of(st.none(), percent_text),
    at_risk=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000).map(lambda n: str(Decimal(n).scaleb(-2)))),
    round_to=st.one_of(st.none(), st.sampled_from(["0.01", "0.05", "1", "5", "0.001"])),
    minimum=st.one_of(st.none(), st.sampled_from(["0", "1", "10.50"])),
    charges=st.one_of(st.none(), money),
)
def test_a_period_total_never_exceeds_the_cap_nor_the_at_risk_amount(credits, combine, cap, at_risk, round_to, minimum, charges):
    spec = {"base": "charges", "combine": combine}
    for key, value in (("cap", cap), ("round_to", round_to), ("minimum_amount", minimum)):
        if value is not None:
            spec[key] = value
    if at_risk is not None:
        spec["pool"] = {"at_risk": at_risk}
    terms = CreditTerms.model_validate(spec)
    result = rules.period_credit(terms, credits, charges)
    if cap is not None:
        assert result.percent <= Fraction(cap)
    if at_risk is not None and all(model == "pool" for model, _ in credits):
        assert result.percent <= Fraction(at_risk)
    assert result.percent <= result.combined_percent
    if charges is not None:
        limit = Fraction(charges) * result.percent / 100
        if round_to is None:
            assert result.amount == limit
        if cap is not None:
            assert result.amount <= Fraction(charges) * Fraction(cap) / 100, (result.amount, charges, cap)
        assert 0 <= result.issued <= result.amount


# ---------------------------------------------------------------- the order of input files does not matter


DOWNTIME = metric_text(
    name="Uptime", definition="Minutes available.", measure="kind: downtime\nminimum_outage_minutes: 5\nexclude_tags: [maintenance]\n"
)

INTERVALS = metric_text(
    "errors", name="Error rate", definition="100% minus the mean error rate.", measure="kind: intervals", credits="model: linear\nmax: 20\n"
)

EVENTS = metric_text(
    "tickets",
    name="Tickets in time",
    definition="Tickets answered within target.",
    objective="95",
    measure="kind: events",
    credits="model: pool\nallocation: 60\nminimum: 90\nexpected_misses: 2\n",
)

TERMS = """\
credit_terms:
  base: the charges
  combine: sum
  cap: 30
  minimum_amount: 5
  pool:
    at_risk: 12
"""

REMEDIES = """\
remedies:
  chronic:
    misses: 2
    within: 4
  earn_back:
    met_periods: 2
"""


def tree_files() -> dict[str, list]:
    """Every file of a small tree as (relative path, list of parts); the parts are what may be reordered."""
    files: dict[str, list] = {}
    rng = random.Random(7)
    for n, agreement_id in enumerate(["alpha", "bravo", "charlie"]):
        files[f"{agreement_id}/agreement.yaml"] = [
            agreement(agreement_id, metrics=DOWNTIME + INTERVALS + EVENTS, credit_terms=TERMS, extra=REMEDIES)
        ]
        for month in range(1, 7):
            period = f"2026-{month:02d}"
            outages = []
            for _k in range(rng.randint(0, 4)):
                day = rng.randint(1, 27)
                start = f"{period}-{day:02d}T{rng.randint(0, 22):02d}:{rng.choice(['00', '15', '30'])}:00Z"
                minutes = rng.choice([3, 10, 45, 90, 400, 700])
                from datetime import datetime, timedelta

                end = (datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
                tags = ["maintenance"] if rng.random() < 0.2 else []
                outages.append((start, end, tags))
            rows = []
            for _k in range(rng.randint(0, 6)):
                minute = rng.randrange(0, 28 * 24 * 60, 5)
                rows.append(f"{period}-{1 + minute // 1440:02d}T{minute % 1440 // 60:02d}:{minute % 60:02d}:00Z,{rng.randint(0, 50)},{0}")
            rows = sorted(set(rows))
            rows = [r[: r.rindex(",")] + "," + str(rng.randint(0, int(r.split(",")[1]))) for r in rows]
            total = rng.randint(0, 40)
            good = rng.randint(max(0, total - 6), total)
            files[f"{agreement_id}/results/{period}.yaml"] = [
                ("head", f'period: "{period}"\ncharges: {1000 + 100 * n}\nmetrics:\n'),
                ("uptime", outages),
                ("errors", f"  errors:\n    intervals: e-{period}.csv\n"),
                ("tickets", f"  tickets:\n    good: {good}\n    total: {total}\n"),
            ]
            files[f"{agreement_id}/results/e-{period}.csv"] = rows
    return files


def outage_text(outages) -> str:
    lines = ["  uptime:", "    outages:" if outages else "    outages: []"]
    for start, end, tags in outages:
        lines += [f"      - start: {start}", f"        end: {end}"] + ([f"        tags: [{', '.join(tags)}]"] if tags else [])
    return "\n".join(lines) + "\n"


def write_tree(root: Path, files: dict[str, list], order: list[str], rng: random.Random | None) -> None:
    """Create the files in `order`; with `rng`, also shuffle outages, CSV rows and metric keys."""
    for path in order:
        parts = files[path]
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith("agreement.yaml"):
            text = parts[0]
        elif path.endswith(".csv"):
            rows = list(parts)
            if rng:
                rng.shuffle(rows)
            text = "start,requests,errors\n" + "".join(r + "\n" for r in rows)
        else:
            head, *metric_parts = parts
            if rng:
                metric_parts = rng.sample(metric_parts, len(metric_parts))
            chunks = []
            for name, value in metric_parts:
                if name == "uptime":
                    outages = list(value)
                    if rng:
                        rng.shuffle(outages)
                    chunks.append(outage_text(outages))
                else:
                    chunks.append(value)
            text = head[1] + "".join(chunks)
        target.write_text(text, encoding="utf-8")


def document_of(root: Path) -> str:
    catalog = load(root)
    assert not catalog.errors, [str(d) for d in catalog.errors]
    return json.dumps(credits_document(list(evaluate_catalog(catalog))), sort_keys=True)


FILES = tree_files()
REFERENCE: list[str] = []


def reference_document() -> str:
    if not REFERENCE:
        with tempfile.TemporaryDirectory() as folder:
            write_tree(Path(folder), FILES, sorted(FILES), None)
            REFERENCE.append(document_of(Path(folder)))
    return REFERENCE[0]


def test_the_order_reference_tree_earns_credits_and_remedies():
    """The tree the order property runs on is not trivial: it has misses, credits, caps and remedies."""
    document = json.loads(reference_document())
    periods = [p for a in document["agreements"] for p in a["periods"]]
    assert len(periods) == 18
    assert any(p["credit"]["percent"] != "0" for p in periods)
    assert any(m["status"] == "missed" for p in periods for m in p["metrics"])
    assert any(m["status"] == "met" for p in periods for m in p["metrics"])


@FILE_SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_results_are_identical_whatever_the_order_of_input_files(seed):
    rng = random.Random(seed)
    order = list(FILES)
    rng.shuffle(order)
    with tempfile.TemporaryDirectory() as folder:
        write_tree(Path(folder), FILES, order, rng)
        assert document_of(Path(folder)) == reference_document()


# ---------------------------------------------------------------- no float reaches the arithmetic


def walk(value, path="terms"):
    """Yield (path, value) for every leaf of a model dump."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, value


@pytest.fixture
def no_float_fractions(monkeypatch):
    """Fail the test the moment a float is turned into a Fraction anywhere."""
    original = Fraction.__new__

    def guarded(cls, numerator=0, denominator=None, **options):
        assert not isinstance(numerator, float) and not isinstance(denominator, float), f"float reached Fraction: {numerator!r}"
        return original(cls, numerator, denominator, **options)

    monkeypatch.setattr(Fraction, "__new__", staticmethod(guarded))


def test_no_float_reaches_the_model_or_the_engine(tmp_path, no_float_fractions):
    root = tmp_path / "agreements"
    write_tree(root, FILES, sorted(FILES), None)
    catalog = load(root)
    assert not catalog.errors
    for record in catalog.agreements:
        for version in record.versions:
            for path, leaf in walk(version.terms.model_dump()):
                assert not isinstance(leaf, float), path
        for results in record.results:
            for path, leaf in walk(results.results.model_dump(), "results"):
                assert not isinstance(leaf, float), path
    numbers = 0
    for evaluation in evaluate_catalog(catalog):
        for period in evaluation.periods:
            for m in period.metrics:
                assert type(m.credit_percent) is Fraction
                assert m.attainment is None or type(m.attainment) is Fraction
                numbers += 1
            credit = period.credit
            assert type(credit.combined_percent) is Fraction and type(credit.percent) is Fraction
            assert type(credit.amount) is Fraction
    assert numbers == 3 * 6 * 3
    terms = catalog.agreements[0].versions[0].terms
    assert type(terms.metrics[0].objective) is Decimal and type(terms.credit_terms.cap) is Decimal
    assert type(terms.metrics[0].credits.tiers[0].below) is Decimal


@FILE_SETTINGS
@given(cuts=st.lists(st.integers(min_value=1, max_value=267_839), min_size=2, max_size=2, unique=True))
def test_three_outages_totalling_exactly_one_percent_of_a_month_land_exactly_on_the_bound(cuts):
    # 1% of January's 44,640 minutes is 446.4 minutes = 267,840 tenths of a second, split three ways.
    a, b = sorted(cuts)
    tenths = [a, b - a, 267_840 - b]
    outages, start = [], 0
    for k, length in enumerate(tenths):
        begin = start + k * 36_000 * 10  # ten hours apart, so they never touch
        outages.append((_at(begin), _at(begin + length)))
        start = begin + length
    metric = metric_text(name="Uptime", definition="Minutes available.", objective="99.99", credits=AWS_TIERS)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_agreement(root, "svc", agreement(metrics=metric), {"2026-01.yaml": outages_result("2026-01", outages)})
        outcome = evaluated(root)["svc"].periods[0].metrics[0]
    assert outcome.attainment == 99  # exactly: (44,640 − 446.4) / 44,640 × 100
    assert (outcome.tier, outcome.credit_percent) == (1, 10)  # on `at_or_above: 99.0`, not below it


def _at(tenths: int) -> str:
    """An ISO time in January 2026, `tenths` of a second after 1 January 00:00 UTC."""
    seconds, tenth = divmod(tenths, 10)
    days, rest = divmod(seconds, 86_400)
    return f"2026-01-{1 + days:02d}T{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}.{tenth}Z"


@FILE_SETTINGS
@given(
    objective=st.integers(min_value=1, max_value=10**8).map(lambda n: str(Decimal(n).scaleb(-6))),
    attainment=st.integers(min_value=0, max_value=10**8).map(lambda n: str(Decimal(n).scaleb(-6))),
)
def test_decimal_text_is_read_exactly_and_a_linear_credit_is_the_exact_difference(objective, attainment):
    metric = (
        '  - id: m\n    name: M\n    definition: D.\n    unit: "%"\n    better: higher\n'
        f"    objective: {objective}\n    measure:\n      kind: value\n    credits:\n      model: linear\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_agreement(root, "svc", agreement(metrics=metric), {"2026-01.yaml": value_result("2026-01", {"m": attainment})})
        outcome = evaluated(root)["svc"].periods[0].metrics[0]
    assert outcome.attainment == Fraction(attainment)
    assert outcome.met is (Fraction(attainment) >= Fraction(objective))
    assert outcome.credit_percent == max(Fraction(objective) - Fraction(attainment), Fraction(0))


def test_a_tenth_and_two_tenths_make_exactly_three_tenths(tmp_path, no_float_fractions):
    # In floats 0.1 + 0.2 = 0.30000000000000004 and 99.3 − 99.2 = 0.09999999999999432.
    root = tmp_path / "agreements"
    metric = (
        '  - id: m\n    name: M\n    definition: D.\n    unit: "%"\n    better: higher\n'
        "    objective: 99.3\n    measure:\n      kind: value\n    credits:\n      model: linear\n"
        "  - id: a\n    name: A\n    definition: D.\n    unit: points\n    better: higher\n"
        "    objective: 0.1\n    measure:\n      kind: average\n"
    )
    results = 'period: "2026-01"\ncharges: 0.3\nmetrics:\n  m:\n    value: 99.2\n  a:\n    sum: 0.3\n    count: 3\n'
    write_agreement(root, "svc", agreement(metrics=metric), {"2026-01.yaml": results})
    period = evaluated(root)["svc"].periods[0]
    linear, average = period.metrics
    assert linear.credit_percent == Fraction(1, 10)
    assert average.attainment == Fraction(1, 10) and average.met is True
    assert period.credit.amount == Fraction(3, 10) * Fraction(1, 10) / 100


def test_the_credits_document_writes_exact_values_as_text(tmp_path):
    root = tmp_path / "agreements"
    metric = (
        '  - id: m\n    name: M\n    definition: D.\n    unit: "%"\n    better: higher\n'
        "    objective: 99.3\n    measure:\n      kind: value\n    credits:\n      model: linear\n"
    )
    write_agreement(root, "svc", agreement(metrics=metric), {"2026-01.yaml": value_result("2026-01", {"m": "99.2"}, charges="0.3")})
    catalog = load(root)
    document = credits_document(list(evaluate_catalog(catalog)))
    period = document["agreements"][0]["periods"][0]
    assert period["metrics"][0]["credit_percent"] == "0.1"
    assert period["credit"]["amount"] == "0.0003"
    assert not any(isinstance(leaf, float) for _path, leaf in walk(document))


# ---------------------------------------------------------------- display never flatters


@SETTINGS
@given(value=st.fractions(min_value=0, max_value=100, max_denominator=10**7), better=st.sampled_from(["higher", "lower"]))
def test_a_displayed_attainment_never_looks_better_than_the_exact_one(value, better):
    from mkdocs_sla.present import display

    shown = Fraction(display.attainment(value, "%", better).rstrip("%"))
    if better == "higher":
        assert value - Fraction(1, 1000) < shown <= value
    else:
        assert value <= shown < value + Fraction(1, 1000)


def test_an_attainment_just_below_a_bound_never_displays_as_the_bound():
    from mkdocs_sla.present import display

    assert display.attainment(Fraction("99.98999"), "%", "higher") == "99.989%"
    assert display.attainment(Fraction(99), "%", "higher") == "99%"
    assert display.attainment(Fraction("200.0001"), "ms", "lower") == "200.001 ms"


# ---------------------------------------------------------------- rounding for display

ROUNDINGS = ("ROUND_HALF_EVEN", "ROUND_HALF_UP", "ROUND_FLOOR", "ROUND_CEILING")


def _quantized(value: Fraction, places: int, rounding: str) -> Decimal:
    """The rule `display.to_decimal` follows, by the decimal module: divide exactly, then quantize."""
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = len(str(abs(value.numerator) // value.denominator)) + places + 60
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1).scaleb(-places), rounding=rounding)


@SETTINGS
@given(
    numerator=st.integers(-(10**40), 10**40),
    denominator=st.one_of(st.integers(1, 10**30), st.sampled_from([1, 2, 4, 8, 20, 200, 2000, 44640])),
    tie=st.sampled_from([0, 1, -1]),
    places=st.sampled_from([0, 1, 2, 3, 6, 12]),
    rounding=st.sampled_from(ROUNDINGS),
)
def test_display_rounding_is_the_decimal_modules(numerator: int, denominator: int, tie: int, places: int, rounding: str) -> None:
    """Rounding for display (in integers, for speed) gives what the decimal module's quantize gives,
    sign and exponent included, ties (half of the last place) too."""
    from mkdocs_sla.present.display import to_decimal

    value = Fraction(numerator, denominator) + Fraction(tie, 2 * 10**places)
    got, expected = to_decimal(value, places, rounding), _quantized(value, places, rounding)
    assert got.as_tuple() == expected.as_tuple(), (value, places, rounding)


def test_rounding_towards_the_worse_side_is_exact_at_any_size():
    """One rule for figures shown and figures a correction records: down where higher is better,
    up where lower is; exact for a count of 30 digits (a decimal context would round it to 28)."""
    from mkdocs_sla.core.exact import towards_worse

    assert towards_worse(Fraction(10**30 - 1), 3, "higher") == Decimal("999999999999999999999999999999.000")
    assert towards_worse(Fraction("99.98999"), 3, "higher") == Decimal("99.989")
    assert towards_worse(Fraction("150.0001"), 3, "lower") == Decimal("150.001")
    assert towards_worse(Fraction(-1, 3), 3, "higher") == Decimal("-0.334")
