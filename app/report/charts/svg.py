"""SVG primitives shared by every chart: numbers, text, wrapping, the <svg> element, markers
and label placement.

Only presentation attributes and an explicit font family, no gradients, filters, markers, CSS or
JS, because WeasyPrint's SVG renderer supports a subset of SVG. Meaning never rests on colour
alone: shapes, line styles, numbers and text carry it, so the charts read in black and white.
Every label comes from data and is escaped.
"""

from __future__ import annotations

import textwrap

from markupsafe import escape

FONT_FAMILY = "DejaVu Sans, sans-serif"


# Average advance of a DejaVu Sans character, in em, a little generous so wrapped labels fit.
_CHAR_EM = 0.6


def _n(value: float) -> str:
    """A compact coordinate: 12.5, 3, -0.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _wrap(text: str, max_chars: int, max_lines: int = 3) -> list[str]:
    lines = textwrap.wrap(text, width=max(4, max_chars), break_on_hyphens=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, max_chars - 1)].rstrip() + "…"
    return lines


def _chars_for(width: float, font_size: float) -> int:
    return max(4, int(width / (font_size * _CHAR_EM)))


def _text(
    x: float,
    y: float,
    content: str,
    size: float,
    *,
    anchor: str = "start",
    bold: bool = False,
    fill: str = "#000000",
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"'
        f'{weight} fill="{fill}">{escape(content)}</text>'
    )


def _svg_open(
    min_x: float, min_y: float, width: float, height: float, id_prefix: str, title: str, desc: str
) -> str:
    prefix = escape(id_prefix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="{_n(min_x)} {_n(min_y)} {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT_FAMILY}">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>'
    )


def _diamond(x: float, y: float, half: float, *, fill: str = "#000000") -> str:
    corners = ((x, y - half), (x + half, y), (x, y + half), (x - half, y))
    points = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)
    return (
        f'<polygon points="{points}" fill="{fill}" stroke="#ffffff" stroke-width="1.5"/>'
        f'<polygon points="{points}" fill="none" stroke="#000000" stroke-width="0.8"/>'
    )


def _open_diamond(x: float, y: float, half: float) -> str:
    """The placement on money alone: an outlined diamond, told apart from the black one."""
    corners = ((x, y - half), (x + half, y), (x, y + half), (x - half, y))
    points = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in corners)
    return f'<polygon points="{points}" fill="#ffffff" stroke="#000000" stroke-width="1.6"/>'


def _halo_text(x: float, y: float, content: str, size: float, anchor: str) -> str:
    """Bold text with a white copy under it, legible over the lines."""
    text = escape(content)
    return "".join(
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" font-weight="bold" '
        f'text-anchor="{anchor}" {stroke}fill="#000000">{text}</text>'
        for stroke in ('stroke="#ffffff" stroke-width="3" stroke-linejoin="round" ', "")
    )


def _numbered_point(x: float, y: float, label: str, size: float) -> str:
    """A participant on the group map: a black square with their number in white, so it never
    reads as one of the models (white discs)."""
    half = size * (0.85 if len(label) < 2 else 1.1)
    return (
        f'<rect x="{_n(x - half)}" y="{_n(y - size * 0.85)}" width="{_n(2 * half)}" '
        f'height="{_n(size * 1.7)}" rx="{_n(size * 0.3)}" fill="#000000" stroke="#ffffff" '
        f'stroke-width="1"/>'
        + _text(x, y + size * 0.36, label, size * 1.0, anchor="middle", bold=True, fill="#ffffff")
    )


Box = tuple[float, float, float, float]


def _text_width(text: str, size: float) -> float:
    return len(text) * size * _CHAR_EM


def _text_box(
    x: float, top: float, lines: list[str], size: float, line_height: float, anchor: str
) -> Box:
    """Where a block of lines starting at `top` (its first line's top) is drawn."""
    width = max((_text_width(line, size) for line in lines), default=0.0)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left, top, left + width, top + len(lines) * line_height)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_label(
    x: float, y: float, text: str, size: float, clearance: float, avoid: list[Box], limits: Box
) -> tuple[float, float, str, Box]:
    """A spot for `text` next to a marker at (x, y) that covers none of the `avoid` boxes and
    stays within `limits`: tried right, left, above, below, then the diagonals, further and
    further out. Returns the text's x, its baseline y, its anchor and its box."""
    width, height = _text_width(text, size), size * 1.1
    first = None
    for step in (1.0, 1.8, 2.8, 4.0, 5.5):
        d = clearance * step
        for dx, dy, anchor in (
            (d, 0, "start"),
            (-d, 0, "end"),
            (0, -d - height / 2, "middle"),
            (0, d + height / 2, "middle"),
            (d * 0.8, -d * 0.8 - height / 2, "start"),
            (d * 0.8, d * 0.8 + height / 2, "start"),
            (-d * 0.8, -d * 0.8 - height / 2, "end"),
            (-d * 0.8, d * 0.8 + height / 2, "end"),
        ):
            tx, cy = x + dx, y + dy
            left = {"start": tx, "end": tx - width, "middle": tx - width / 2}[anchor]
            box = (left, cy - height / 2, left + width, cy + height / 2)
            candidate = (tx, cy + size * 0.35, anchor, box)
            first = first or candidate
            inside = (
                box[0] >= limits[0]
                and box[2] <= limits[2]
                and box[1] >= limits[1]
                and box[3] <= limits[3]
            )
            if inside and not any(_overlaps(box, other) for other in avoid):
                return candidate
    return first
