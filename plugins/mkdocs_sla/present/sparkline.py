"""A metric's attainment over its periods as a small SVG: a line, the objective dashed,
missed periods as red dots.

Coordinates are pixels, so floats are fine here: the figures themselves are shown
exactly elsewhere on the page. The colours read on a light and a dark page alike,
because an SVG in an <img> cannot see the page's colour scheme.
"""

from __future__ import annotations

from fractions import Fraction
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 240, 48, 5
LINE, OBJECTIVE, MET, MISSED = "#8a8f98", "#8a8f98", "#43a047", "#e53935"


def sparkline(points: list[tuple[str, Fraction | None, bool | None]], objective: Fraction, title: str) -> str | None:
    """`points`: (period label, attainment, met) oldest first. None when fewer than two
    periods have an attainment: a single dot says nothing a table row does not."""
    values = [(label, value, met) for label, value, met in points if value is not None]
    if len(values) < 2:
        return None
    numbers = [float(v) for _label, v, _met in values] + [float(objective)]
    low, high = min(numbers), max(numbers)
    if high == low:
        low, high = low - 1, high + 1
    span = high - low

    def x(index: int) -> float:
        return PAD + index * (WIDTH - 2 * PAD) / (len(points) - 1)

    def y(value: float) -> float:
        return PAD + (high - value) * (HEIGHT - 2 * PAD) / span

    position = {label: index for index, (label, _v, _m) in enumerate(points)}
    line = " ".join(f"{x(position[label]):.1f},{y(float(v)):.1f}" for label, v, _met in values)
    dots = "".join(
        f'<circle cx="{x(position[label]):.1f}" cy="{y(float(v)):.1f}" r="{3 if met is False else 2}" fill="{MISSED if met is False else MET}"/>'
        for label, v, met in values
    )
    target = y(float(objective))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<line x1="0" y1="{target:.1f}" x2="{WIDTH}" y2="{target:.1f}" stroke="{OBJECTIVE}" stroke-width="1" stroke-dasharray="3 3"/>'
        f'<polyline points="{line}" fill="none" stroke="{LINE}" stroke-width="1.5" stroke-linejoin="round"/>'
        f"{dots}</svg>\n"
    )
