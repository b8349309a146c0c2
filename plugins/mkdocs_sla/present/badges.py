"""A badge per agreement, shields-style SVG: the last closed period and how it went.

Meant to be embedded elsewhere (a status page, a README) as an `<img>`, where the page's CSS
cannot reach it: so the colours are fixed, chosen for 4.5:1 contrast of the white text
(WCAG AA), and the words carry the result (met / missed), never the colour alone.
Text widths are estimated per character for Verdana 11px, as shields.io measures them.
"""

from __future__ import annotations

from mkdocs_sla.present.markup import escape_line as escape

LABEL_BG, MET_BG, MISSED_BG, NONE_BG = "#555", "#1b5e20", "#a31515", "#5f6368"
HEIGHT = 20

# Widths of Verdana 11px characters in tenths of a pixel (the common ones; others count as 'm'-ish).
_WIDE = {"m": 106, "w": 89, "M": 99, "W": 112, "%": 122, "@": 110}
_NARROW = {"i": 30, "l": 30, "j": 34, "t": 43, "f": 39, "r": 47, ".": 35, ",": 35, ":": 39, " ": 35, "·": 35, "1": 70, "-": 50}


def text_width(text: str) -> int:
    """Pixels the text takes in Verdana 11px, rounded up."""
    tenths = sum(_WIDE.get(c, _NARROW.get(c, 70 if c.isdigit() or c.islower() else 76)) for c in text)
    return -(-tenths // 10)


def badge(label: str, value: str, state: str) -> str:
    """A two-part badge: `label` on grey, `value` on green (`met`), red (`missed`) or grey (`none`)."""
    colour = {"met": MET_BG, "missed": MISSED_BG}.get(state, NONE_BG)
    left, right = text_width(label) + 12, text_width(value) + 12
    width = left + right
    words = escape(f"{label}: {value}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{words}">'
        f"<title>{words}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="{LABEL_BG}"/><rect x="{left}" width="{right}" height="{HEIGHT}" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
        f'<text x="{left / 2}" y="14">{escape(label)}</text><text x="{left + right / 2}" y="14">{escape(value)}</text></g></svg>\n'
    )
