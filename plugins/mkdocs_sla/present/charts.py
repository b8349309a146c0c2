"""Charts of an agreement's periods as small SVG, written at build time and set inline in the page.

Three charts: a metric's attainment per period against its objective, with the credit
tiers as bands and the misses marked; the error budget a metric used per period (what
the objective allows against what was spent); the credit of each period.

Hand-made rather than from a charting library: the libraries at hand (matplotlib,
pygal, Vega) draw from floats, weigh megabytes or need JavaScript in the page, and
these charts are a few dozen elements. Every coordinate is computed exactly from the
`Fraction`s and rounded to two decimals only when written. The SVG is inline, so its
colours come from the page's CSS variables and `currentColor` (light and dark schemes
alike), and it needs no request. Each chart carries its numbers for those who cannot
see it: a text alternative (`role="img"`, `<title>`, `<desc>`), and the figures as a
table. The attainment and credit charts draw what the page's periods table already says
period by period, so they point to it rather than carry a copy (a copy was a tenth of a
large catalog's site); the error budget's figures are in no other table, so its chart
carries them. Each point and band also names its data in `data-` attributes, so a test
can check a chart against the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from mkdocs_sla.core.evaluate import Status
from mkdocs_sla.core.spans import Span
from mkdocs_sla.present import display
from mkdocs_sla.present.markup import escape_line as escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 34
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
HUNDRED = Fraction(100)


def _n(value: Fraction) -> str:
    """A coordinate for drawing: the exact value rounded to two decimals, here and nowhere else."""
    return display.plain(display.to_decimal(value, 2))


def _e(text: object) -> str:
    return escape(text)


@dataclass(frozen=True)
class Point:
    """One period of a metric: its attainment (None: not reported), whether it met, its tier."""

    period: str
    value: Fraction | None
    met: bool | None
    tier: int | None = None


@dataclass(frozen=True)
class Band:
    """A credit tier as an interval of attainment, with its credit in words ("10%")."""

    tier: int
    span: Span
    credit: str


@dataclass(frozen=True)
class Spend:
    """A period's error budget: what the objective allows and what was used, in `unit` (minutes, events…)."""

    period: str
    allowed: Fraction
    used: Fraction
    unit: str


@dataclass(frozen=True)
class PeriodCredit:
    """A period's credit: % of the base after caps, its amount in words, whether it is issued."""

    period: str
    percent: Fraction
    amount: str | None
    issued: bool


def _x(index: int, count: int) -> Fraction:
    """The centre of the index-th of `count` equal slots across the plot."""
    return LEFT + Fraction(PLOT_W * (2 * index + 1), 2 * count)


def _x_labels(periods: Sequence[str]) -> str:
    """The periods under the plot; at most 12 labels, so they never overlap."""
    step = max(1, -(-len(periods) // 12))
    out = []
    for index, period in enumerate(periods):
        if index % step and index != len(periods) - 1:
            continue
        out.append(f'<text x="{_n(_x(index, len(periods)))}">{_e(period)}</text>')
    # One group carries what the labels share: written once, not on each of them.
    return f'<g class="sla-chart__label" transform="translate(0 {HEIGHT - 12})" text-anchor="middle">{"".join(out)}</g>'


def _svg(kind: str, uid: str, title: str, description: str, body: str) -> str:
    # Written into HTML pages only: an <svg> element there is SVG without an xmlns attribute,
    # and only Internet Explorer needed focusable="false" (some thirty charts a page, and two
    # pages an agreement: the bytes add up in a large catalog).
    ident = _e(f"sla-chart-{kind}-{uid}")
    return (
        f'<svg class="sla-chart__svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(description)}</desc>{body}</svg>'
    )


#: Where the attainment and credit charts send a reader for their figures: the periods table of
#: the same page (its heading's anchor, on the agreement page and on each year's page alike).
FIGURES_IN_PERIODS = 'Each period\'s figures: <a href="#periods">the periods table</a>.'


def _figure(kind: str, svg: str, caption: str, head: Sequence[str] = (), rows: Sequence[Sequence[str]] = ()) -> str:
    """The chart, its caption, and its figures as a table (for screen readers, and for anyone on
    a tap); without `rows`, the caption sends the reader to the page's periods table instead."""
    # The frame scrolls sideways on a phone rather than shrink the labels past reading (sla.css);
    # sla.js makes it reachable from the keyboard while it does. These divs are why the pages
    # hold charts in a `section.sla-charts`: Material's search parser, skipping that container
    # (data-search-exclude), would stop at the first `</div>` of a div's.
    svg = f'<div class="sla-chart__frame">{svg}</div>'
    if not rows:
        return f'<figure class="sla-chart sla-chart--{kind}">{svg}<figcaption>{_e(caption)} {FIGURES_IN_PERIODS}</figcaption></figure>'
    table = (
        '<div class="sla-table" role="region" aria-label="The figures" tabindex="0"><table class="sla-chart__data"><thead><tr>'
        + "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
        + "</tr></thead><tbody>"
        + "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        + "</tbody></table></div>"
    )
    return (
        f'<figure class="sla-chart sla-chart--{kind}">{svg}'
        f"<figcaption>{_e(caption)}</figcaption>"
        f'<details class="sla-chart__figures"><summary>The figures as a table</summary>{table}</details></figure>'
    )


# ---------------------------------------------------------------- attainment against the objective and the tiers


def attainment_chart(
    uid: str,
    name: str,
    unit: str,
    better: str,
    objective: Fraction,
    bands: Sequence[Band],
    points: Sequence[Point],
    percent: bool,
    earlier: int = 0,
) -> str | None:
    """A metric's attainment per period (oldest first): a line and a dot per period, missed
    periods as larger crossed dots, the objective dashed, the credit tiers as shaded bands.
    `earlier` periods were measured under terms with another objective or other tiers and are
    left out (the caption says so). None when no period has an attainment."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return None
    low, high = min([*values, objective]), max([*values, objective])
    pad = (high - low) / 8 if high > low else Fraction(1)
    low, high = low - pad, high + pad
    if percent:
        low, high = max(low, Fraction(0)), min(high, HUNDRED)
    span = high - low

    def y(value: Fraction) -> Fraction:
        return TOP + (high - value) * PLOT_H / span

    body = []
    for band in bands:
        top = high if band.span.high is None else min(band.span.high, high)
        bottom = low if band.span.low is None else max(band.span.low, low)
        if top <= bottom:
            continue
        body.append(
            f'<rect class="sla-chart__band sla-chart__band--{band.tier % 3}" data-tier="{band.tier}" '
            f'data-low="{_e(display.exact(band.span.low) if band.span.low is not None else "")}" '
            f'data-high="{_e(display.exact(band.span.high) if band.span.high is not None else "")}" '
            f'x="{LEFT}" y="{_n(y(top))}" width="{PLOT_W}" height="{_n(y(bottom) - y(top))}">'
            f"<title>tier {band.tier}: credit {_e(band.credit)}</title></rect>"
        )
        body.append(
            f'<text class="sla-chart__band-label" x="{WIDTH - RIGHT - 4}" y="{_n(min(y(bottom) - 4, y(top) + 12))}" '
            f'text-anchor="end">tier {band.tier} · {_e(band.credit)}</text>'
        )
    target = y(objective)
    body.append(f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}"/>')
    body.append(f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT_H}"/>')
    body.append(f'<line class="sla-chart__objective" x1="{LEFT}" y1="{_n(target)}" x2="{WIDTH - RIGHT}" y2="{_n(target)}"/>')
    placed: list[Fraction] = []
    for value, anchor in ((objective, "middle"), (high, "hanging"), (low, "auto")):
        if any(abs(y(value) - other) < 16 for other in placed):
            continue  # would overlap a label already there (the objective's comes first)
        placed.append(y(value))
        rounding = display.attainment(value, unit, better)
        body.append(
            f'<text class="sla-chart__label" x="{LEFT - 6}" y="{_n(y(value))}" text-anchor="end" dominant-baseline="{anchor}">{_e(rounding)}</text>'
        )
    count = len(points)
    line = " ".join(f"{_n(_x(i, count))},{_n(y(p.value))}" for i, p in enumerate(points) if p.value is not None)
    body.append(f'<polyline class="sla-chart__line" points="{line}"/>')
    for i, p in enumerate(points):
        if p.value is None:
            continue
        state = Status.MISSED if p.met is False else Status.MET
        shown = display.attainment(p.value, unit, better)
        words = f"{p.period}: {shown}, {state}" + (f", tier {p.tier}" if p.tier else "")
        cx, cy = _n(_x(i, count)), _n(y(p.value))
        tier = f' data-tier="{p.tier}"' if p.tier else ""
        # The dot's colour comes from its group's data-met (sla.css): a class on each dot would
        # be a tenth of a long page's bytes.
        mark = f'<circle cx="{cx}" cy="{cy}" r="{5 if state is Status.MISSED else 3.5}"/>'
        if state is Status.MISSED:
            # A cross through the dot: a miss is told by shape, not by colour alone.
            mark += f'<path d="M{_n(_x(i, count) - 3)} {_n(y(p.value) - 3)}l6 6m0-6l-6 6"/>'
        body.append(
            f'<g class="sla-chart__point" data-period="{_e(p.period)}" data-value="{_e(display.decimal(p.value))}" '
            f'data-met="{"true" if p.met else "false"}"{tier}><title>{_e(words)}</title>{mark}</g>'
        )
    body.append(_x_labels([p.period for p in points]))
    measured = [p for p in points if p.value is not None]
    missed = sum(1 for p in measured if p.met is False)
    objective_text = display.with_unit(display.readable(objective)[0], unit)
    title = f"{name}: attainment per period"
    # Each period's figure is in the page's periods table (and on its dot): not repeated here.
    description = (
        f"{len(measured)} periods from {measured[0].period} to {measured[-1].period}; {missed} missed the objective of "
        f"{objective_text}. The figures are in the periods table of this page."
    )
    caption = (
        f"Attainment per period, oldest first. Dashed: the objective ({objective_text}); shaded: the credit tiers; crossed dots: missed."
    )
    if earlier:
        caption += (
            f" Not drawn: {earlier} earlier period{'s' if earlier != 1 else ''} measured under terms with another objective"
            " or other tiers (see the version history)."
        )
    return _figure("attainment", _svg("attainment", uid, title, description, "".join(body)), caption)


# ---------------------------------------------------------------- the error budget


def budget_chart(uid: str, name: str, spends: Sequence[Spend]) -> str | None:
    """The error budget per period: a bar for the share of it used (100% = all the objective
    allows), the 100% line dashed. A bar over the line is a missed period; bars taller than
    the plot are cut, and say so."""
    if not spends:
        return None
    # An objective of 100% allows nothing: any use is over the budget by no finite share, so the
    # bar is drawn to the top of the plot, cut (with its arrow), and the words say so instead of
    # a figure; the plot's height comes from the other bars alone.
    unbounded = [not s.allowed and s.used > 0 for s in spends]
    shares = [(s.used / s.allowed * HUNDRED) if s.allowed else Fraction(0) for s in spends]
    top = max([HUNDRED * Fraction(5, 4), *(min(v, HUNDRED * 3) for v in shares)])

    def y(value: Fraction) -> Fraction:
        return TOP + (top - min(value, top)) * PLOT_H / top

    count = len(spends)
    width = Fraction(PLOT_W, count) * Fraction(3, 5)
    body = [
        f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}"/>',
        f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT_H}"/>',
    ]
    cut = []  # the bars taller than the plot: an arrow over each says so
    for i, (spend, share, endless) in enumerate(zip(spends, shares, unbounded, strict=True)):
        over = endless or share > HUNDRED
        drawn = top + 1 if endless else share  # past the top: cut
        words = f"{spend.period}: {_amount(spend.used)} of {_amount(spend.allowed)} {spend.unit} ({_share_used(spend, share)})"
        body.append(
            f'<g class="sla-chart__bar sla-chart__bar--{"over" if over else "within"}" data-period="{_e(spend.period)}" '
            f'data-used="{_e(display.decimal(spend.used))}" data-allowed="{_e(display.decimal(spend.allowed))}"><title>{_e(words)}</title>'
            f'<rect x="{_n(_x(i, count) - width / 2)}" y="{_n(y(drawn))}" width="{_n(width)}" height="{_n(TOP + PLOT_H - y(drawn))}"/></g>'
        )
        if drawn > top:
            cut.append(f'<text x="{_n(_x(i, count))}">↑</text>')
    if cut:
        body.append(f'<g class="sla-chart__label" transform="translate(0 {TOP + 10})" text-anchor="middle">{"".join(cut)}</g>')
    budget = y(HUNDRED)
    body.append(f'<line class="sla-chart__objective" x1="{LEFT}" y1="{_n(budget)}" x2="{WIDTH - RIGHT}" y2="{_n(budget)}"/>')
    for value, text in ((HUNDRED, "budget"), (Fraction(0), "0%")):
        body.append(
            f'<text class="sla-chart__label" x="{LEFT - 6}" y="{_n(y(value))}" text-anchor="end" dominant-baseline="middle">{text}</text>'
        )
    body.append(_x_labels([s.period for s in spends]))
    unit = spends[-1].unit
    title = f"{name}: error budget used per period"
    over = sum(1 for share, endless in zip(shares, unbounded, strict=True) if endless or share > HUNDRED)
    description = (
        f"{len(spends)} periods from {spends[0].period} to {spends[-1].period}; {over} used more than the budget. "
        "The figures are in the table below the chart."
    )
    rows = [(s.period, _amount(s.allowed), _amount(s.used), _share_used(s, share)) for s, share in zip(spends, shares, strict=True)]
    caption = f"The error budget: the {unit} the objective allows in each period (dashed line), and the share of it used; above the line, the objective was missed."
    return _figure(
        "budget",
        _svg("budget", uid, title, description, "".join(body)),
        caption,
        ("Period", f"Allowed ({unit})", f"Used ({unit})", "Of the budget"),
        rows,
    )


def _share_used(spend: Spend, share: Fraction) -> str:
    """The share of the budget used, or, where the objective allows nothing, that any use is over it."""
    if not spend.allowed:
        return "over: none allowed" if spend.used else "0%"
    return display.percent_used(share)


def _amount(value: Fraction) -> str:
    """Minutes or requests of a budget, unrounded (4.464, not 4.46): the share shown beside them
    is their quotient, and a rounded allowance would read as a larger budget than it is."""
    if value.denominator == 1:
        return f"{int(value):,}"
    return display.readable(value)[0]


# ---------------------------------------------------------------- credits over time


def credits_chart(uid: str, credits: Sequence[PeriodCredit]) -> str | None:
    """The credit of each period (% of the base after caps) as bars; None when no period earned one."""
    if not credits or not any(c.percent for c in credits):
        return None
    top = max(c.percent for c in credits) * Fraction(6, 5)

    def y(value: Fraction) -> Fraction:
        return TOP + (top - value) * PLOT_H / top

    count = len(credits)
    width = Fraction(PLOT_W, count) * Fraction(3, 5)
    body = [
        f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + PLOT_H}"/>',
        f'<line class="sla-chart__axis" x1="{LEFT}" y1="{TOP + PLOT_H}" x2="{WIDTH - RIGHT}" y2="{TOP + PLOT_H}"/>',
    ]
    for i, c in enumerate(credits):
        words = (
            f"{c.period}: {display.percent(c.percent)}"
            + (f", {c.amount}" if c.amount else "")
            + ("" if c.issued or not c.percent else ", not issued")
        )
        body.append(
            f'<g class="sla-chart__bar sla-chart__bar--{"credit" if c.issued else "withheld"}" data-period="{_e(c.period)}" '
            f'data-percent="{_e(display.decimal(c.percent))}"><title>{_e(words)}</title>'
            f'<rect x="{_n(_x(i, count) - width / 2)}" y="{_n(y(c.percent))}" width="{_n(width)}" height="{_n(TOP + PLOT_H - y(c.percent))}"/></g>'
        )
    for value in (max(c.percent for c in credits), Fraction(0)):
        body.append(
            f'<text class="sla-chart__label" x="{LEFT - 6}" y="{_n(y(value))}" text-anchor="end" dominant-baseline="middle">{display.percent(value)}</text>'
        )
    body.append(_x_labels([c.period for c in credits]))
    earned = [c for c in credits if c.percent]
    description = f"{len(earned)} of {len(credits)} periods earned a credit: " + "; ".join(
        f"{c.period} {display.percent(c.percent)}" + (f" ({c.amount})" if c.amount else "") for c in earned
    )
    caption = "The credit of each period, as a percentage of its fee after any cap; oldest first."
    return _figure("credits", _svg("credits", uid, "Credits per period", description, "".join(body)), caption)
