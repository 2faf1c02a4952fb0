"""The follow-up session's map: an arrow per returning association from where it stood at the
first session (an outlined diamond) to where it stands now (its letter, as on the board).
Built from the map primitives of this package; the before/after table beside it is the
text alternative."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from app.i18n import _, ngettext
from app.questionnaire.model import Questionnaire
from app.report.charts.group_map import marker_letter
from app.report.charts.map_frame import _close, _legend, _map_frame
from app.report.charts.svg import _n, _numbered_point, _open_diamond

Point = tuple[float, float]


def _arrow(start: Point, end: Point, head: float, gap: float) -> str:
    """A line from `start` stopping short of `end` (the letter's square) with a filled head:
    drawn as a polygon, not an SVG marker, like every chart here."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    if length < gap + head:
        return ""  # hardly moved: the two markers tell it
    ux, uy = dx / length, dy / length
    tip = (end[0] - ux * gap, end[1] - uy * gap)
    base = (tip[0] - ux * head, tip[1] - uy * head)
    left = (base[0] - uy * head * 0.55, base[1] + ux * head * 0.55)
    right = (base[0] + uy * head * 0.55, base[1] - ux * head * 0.55)
    return (
        f'<line x1="{_n(start[0])}" y1="{_n(start[1])}" x2="{_n(base[0])}" y2="{_n(base[1])}" '
        f'stroke="#000000" stroke-width="{_n(head * 0.28)}"/>'
        f'<polygon points="{_n(tip[0])},{_n(tip[1])} {_n(left[0])},{_n(left[1])} '
        f'{_n(right[0])},{_n(right[1])}" fill="#000000"/>'
    )


def _free_spot(spot: Point, placed: list[Point], clearance: float) -> Point:
    """`spot`, or the nearest point round it (widening rings) at `clearance` from every
    point already placed."""

    def free(x: float, y: float) -> bool:
        return all(math.hypot(x - px, y - py) >= clearance for px, py in placed)

    if free(*spot):
        return spot
    for ring in range(1, 6):
        for step in range(12):
            angle = step * math.pi / 6 + ring * 0.4
            x = spot[0] + math.cos(angle) * clearance * ring * 0.6
            y = spot[1] + math.sin(angle) * clearance * ring * 0.6
            if free(x, y):
                return x, y
    return spot


def followup_map_svg(
    questionnaire: Questionnaire,
    moves: Sequence[tuple[int, Point | None, Point | None]],
    lang: str | None = None,
    size: int = 520,
    *,
    id_prefix: str = "followup-map",
) -> Markup:
    """`moves`: (participant number, point before, point after), points on the current map."""
    frame = _map_frame(questionnaire, lang, size, weights={}, dominant=None, origin=None)
    font = frame.font
    arrows: list[str] = []
    marks: list[str] = []
    drawn = 0
    placed: list[Point] = []
    for number, before, after in moves:
        letter = marker_letter(number)
        if before is not None:
            bx, by = frame.at(before)
            marks.append(f'<g class="map-before" data-marker="{letter}">')
            marks.append(_open_diamond(bx, by, font * 0.6) + "</g>")
        if after is not None:
            ax, ay = frame.at(after)
            # Letters never cover each other (as on the board's map): one too close to a
            # letter already drawn moves round it until free; the arrow goes to it as drawn.
            ax, ay = _free_spot((ax, ay), placed, font * 2.1)
            placed.append((ax, ay))
            if before is not None:
                arrows.append(_arrow((bx, by), (ax, ay), font * 0.8, font * 1.1))
            marks.append(
                f'<g class="map-point" data-number="{number}" data-marker="{letter}">'
                + _numbered_point(ax, ay, letter, font * 1.1)
                + "</g>"
            )
            drawn += 1
    parts = arrows + marks
    parts += _legend(
        frame,
        [
            ("open_diamond", _("Première séance")),
            ("participant", _("Aujourd'hui (sa lettre, voir le tableau)")),
            ("pole", _("Un modèle type (son numéro)")),
        ],
    )
    title = _("Avant / après : le chemin de chaque association parmi les modèles")
    desc = ngettext(
        "%(num)s association revenue : une flèche va de sa position à la première séance à sa "
        "position aujourd'hui. Le tableau qui suit donne les mêmes données.",
        "%(num)s associations revenues : une flèche va de la position de chacune à la première "
        "séance à sa position aujourd'hui. Le tableau qui suit donne les mêmes données.",
        drawn,
    ) % {"num": drawn}
    return _close(frame, id_prefix, title, desc, parts)
