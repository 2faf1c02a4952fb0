"""The radar of the levers: one axis per sub-dimension, grouped by lever."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from app.i18n import _
from app.report.charts.svg import _chars_for, _n, _svg_open, _text, _wrap
from app.scoring.levers import LeverScore, SubScore


def _score_text(score: float | None) -> str:
    return "—" if score is None else f"{score:.0f}"


def radar_description(levers: Sequence[LeverScore]) -> str:
    if not levers:
        return _("Radar des leviers : aucun levier à afficher.")
    parts = [
        (
            _("%(lever)s %(score)s sur 100")
            if lever.score is not None
            else _("%(lever)s %(score)s (non évalué)")
        )
        % {"lever": lever.label, "score": _score_text(lever.score)}
        for lever in levers
    ]
    values = {"levers": ", ".join(parts)}
    known = [sub for lever in levers for sub in lever.subscores if sub.score is not None]
    if known:
        best = max(known, key=lambda sub: sub.score)
        worst = min(known, key=lambda sub: sub.score)
        if best is not worst:
            return _(
                "Radar des leviers, de 0 au centre à 100 au bord : %(levers)s ; point le plus "
                "fort : %(best)s (%(best_score)s), le plus faible : %(worst)s (%(worst_score)s)."
            ) % {
                **values,
                "best": best.label,
                "best_score": _score_text(best.score),
                "worst": worst.label,
                "worst_score": _score_text(worst.score),
            }
    return _("Radar des leviers, de 0 au centre à 100 au bord : %(levers)s.") % values


# Background shades of the lever sectors: greys only, told apart by the separators and numbers.
_SECTOR_FILLS = ("#eeeeee", "#ffffff", "#f6f6f6")


@dataclass
class _Radar:
    """The radar's geometry: one axis per sub-dimension, clockwise from the top."""

    axes: list[tuple[int, int, SubScore]]  # (lever index, sub-dimension index, sub-dimension)
    size: int
    font: float
    line_height: float
    half_width: float
    radius: float

    @classmethod
    def of(cls, levers: Sequence[LeverScore], size: int) -> _Radar:
        axes = [
            (lever_index, sub_index, sub)
            for lever_index, lever in enumerate(levers)
            for sub_index, sub in enumerate(lever.subscores)
        ]
        font = size / 32
        half_width = size / 2
        return cls(axes, size, font, font * 1.3, half_width, half_width - font * 2.8)

    @property
    def count(self) -> int:
        return len(self.axes)

    @property
    def step(self) -> float:
        return 2 * math.pi / self.count

    def at(self, angle: float, distance: float) -> tuple[float, float]:
        return distance * math.sin(angle), -distance * math.cos(angle)

    def rim(self, first_axis: int, last_axis: int) -> list[tuple[float, float]]:
        """The outer ring from half-way before the first axis to half-way after the last."""
        at, step, radius = self.at, self.step, self.radius
        if self.count < 3:
            return [
                at(first_axis * step - step / 2 + k * step / 8, radius)
                for k in range(8 * (last_axis - first_axis + 1) + 1)
            ]
        vertices = [at(i * step, radius) for i in range(first_axis - 1, last_axis + 2)]
        start_mid = ((vertices[0][0] + vertices[1][0]) / 2, (vertices[0][1] + vertices[1][1]) / 2)
        end_mid = ((vertices[-2][0] + vertices[-1][0]) / 2, (vertices[-2][1] + vertices[-1][1]) / 2)
        return [start_mid, *vertices[1:-1], end_mid]


def lever_radar_svg(
    levers: Sequence[LeverScore],
    lang: str | None = None,
    size: int = 360,
    *,
    id_prefix: str = "mse-radar",
    legend: bool = True,
) -> Markup:
    """One axis per lever sub-dimension, grouped by lever (sectors numbered 1, 2, 3...), with
    a legend giving each axis's full label and score (leave it out when the page around the
    chart lists them, as the PDF does)."""
    radar = _Radar.of(levers, size)
    title = _("Radar des leviers")
    desc = radar_description(levers)
    if radar.count == 0:
        return _empty_radar(radar, id_prefix, title, desc)
    parts = [
        *_sectors(radar, levers),
        *_scale_rings(radar),
        *_axes(radar),
        *_scores(radar),
        *_axis_numbers(radar),
    ]
    if legend:
        legend_parts, y = _legend(radar, levers)
        parts += legend_parts
    else:
        y = radar.radius + radar.font * 2.8  # just under the bottom axis number
    note_parts, y = _unanswered_note(radar, y)
    parts += note_parts
    top = -radar.radius - radar.font * 2.2
    return Markup(
        _svg_open(-radar.half_width, top, size, y - top, id_prefix, title, desc)
        + "".join(parts)
        + "</svg>"
    )


def _empty_radar(radar: _Radar, id_prefix: str, title: str, desc: str) -> Markup:
    font = radar.font
    return Markup(
        _svg_open(-radar.half_width, -font * 2, radar.size, font * 4, id_prefix, title, desc)
        + _text(0, 0, _("Aucun levier à afficher"), font, anchor="middle")
        + "</svg>"
    )


def _sectors(radar: _Radar, levers: Sequence[LeverScore]) -> list[str]:
    """Lever sectors behind everything, following the outer ring (a polygon from 3 axes on),
    with a solid separator between two levers."""
    parts: list[str] = []
    start = 0
    for lever_index, lever in enumerate(levers):
        size_of_group = len(lever.subscores)
        if size_of_group == 0:
            continue
        fill = _SECTOR_FILLS[lever_index % len(_SECTOR_FILLS)]
        outline = [(0.0, 0.0), *radar.rim(start, start + size_of_group - 1)]
        if size_of_group == radar.count:
            outline = outline[1:]
        shape = " ".join(f"{_n(x)},{_n(y)}" for x, y in outline)
        parts.append(f'<polygon points="{shape}" fill="{fill}" stroke="none"/>')
        if size_of_group < radar.count:
            x, y = outline[1]
            parts.append(
                f'<line x1="0" y1="0" x2="{_n(x)}" y2="{_n(y)}" stroke="#555555" '
                f'stroke-width="1.2"/>'
            )
        start += size_of_group
    return parts


def _scale_rings(radar: _Radar) -> list[str]:
    """Scale rings at 25, 50, 75 and 100: polygons from 3 axes on, circles below."""
    parts: list[str] = []
    for level in (25, 50, 75, 100):
        distance = radar.radius * level / 100
        stroke, width = ("#555555", "1.2") if level == 100 else ("#aaaaaa", "0.8")
        if radar.count >= 3:
            ring = " ".join(
                f"{_n(x)},{_n(y)}"
                for x, y in (radar.at(i * radar.step, distance) for i in range(radar.count))
            )
            parts.append(
                f'<polygon points="{ring}" fill="none" stroke="{stroke}" stroke-width="{width}"/>'
            )
        else:
            parts.append(
                f'<circle cx="0" cy="0" r="{_n(distance)}" fill="none" stroke="{stroke}" '
                f'stroke-width="{width}"/>'
            )
    return parts


def _axes(radar: _Radar) -> list[str]:
    """The axes, dashed when the sub-dimension has no answer, and the scale's numbers."""
    parts: list[str] = []
    for index, (_lever_index, _sub_index, sub) in enumerate(radar.axes):
        x, y = radar.at(index * radar.step, radar.radius)
        dash = ' stroke-dasharray="3 3"' if sub.score is None else ""
        parts.append(
            f'<line x1="0" y1="0" x2="{_n(x)}" y2="{_n(y)}" stroke="#888888" '
            f'stroke-width="0.8"{dash}/>'
        )
    font = radar.font
    for level in (25, 50, 75, 100):
        parts.append(
            _text(
                font * 0.3,
                -radar.radius * level / 100 + font * 0.75,
                str(level),
                font * 0.7,
                fill="#444444",
            )
        )
    return parts


def _scores(radar: _Radar) -> list[str]:
    """The scores' shape and a dot per axis; an unanswered sub-dimension counts as 0 on the
    drawing and gets a hollow dashed dot."""
    points = [
        radar.at(i * radar.step, radar.radius * (axis[2].score or 0) / 100)
        for i, axis in enumerate(radar.axes)
    ]
    shape = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
    if radar.count >= 3:
        parts = [
            f'<polygon points="{shape}" fill="#000000" fill-opacity="0.14" stroke="#000000" '
            f'stroke-width="1.8" stroke-linejoin="round"/>'
        ]
    else:
        parts = [f'<polyline points="{shape}" fill="none" stroke="#000000" stroke-width="1.8"/>']
    font = radar.font
    for (x, y), (*_indexes, sub) in zip(points, radar.axes, strict=True):
        if sub.score is None:
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(font * 0.4)}" fill="#ffffff" '
                f'stroke="#000000" stroke-width="1" stroke-dasharray="2 1.5"/>'
            )
        else:
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(font * 0.3)}" fill="#000000"/>')
    return parts


def _axis_numbers(radar: _Radar) -> list[str]:
    """Axis numbers ("1.2" = lever 1, sub-dimension 2) beyond the outer ring."""
    parts: list[str] = []
    font = radar.font
    for index, (lever_index, sub_index, _sub) in enumerate(radar.axes):
        x, y = radar.at(index * radar.step, radar.radius + font * 1.1)
        sine = math.sin(index * radar.step)
        anchor = "middle" if abs(sine) < 0.3 else ("start" if sine > 0 else "end")
        parts.append(
            _text(
                x,
                y + font * 0.35,
                f"{lever_index + 1}.{sub_index + 1}",
                font * 0.85,
                anchor=anchor,
                bold=True,
            )
        )
    return parts


def _legend_columns(radar: _Radar) -> tuple[float, float, float, int]:
    """The legend's left edge, label column, right-aligned score column and label width."""
    small = radar.font * 0.85
    left = -radar.half_width + 4
    label_x = left + small * 3
    score_x = radar.half_width - 4
    return left, label_x, score_x, _chars_for(score_x - label_x - small * 3, small)


def _legend(radar: _Radar, levers: Sequence[LeverScore]) -> tuple[list[str], float]:
    """The full labels and scores under the radar, grouped by lever; returns the parts and the
    y where the next row would go."""
    parts: list[str] = []
    font, small = radar.font, radar.font * 0.85
    left, _label_x, score_x, label_chars = _legend_columns(radar)
    y = radar.radius + font * 3.2
    for lever_index, lever in enumerate(levers):
        score = f"{_score_text(lever.score)}/100" if lever.score is not None else _("non évalué")
        heading = _wrap(f"{lever_index + 1}. {lever.label}", label_chars + 3, max_lines=2)
        for line_index, line in enumerate(heading):
            parts.append(_text(left, y, line, font * 0.9, bold=True))
            if line_index == 0:
                parts.append(_text(score_x, y, score, font * 0.9, anchor="end", bold=True))
            y += radar.line_height
        for sub_index, sub in enumerate(lever.subscores):
            sub_parts, y = _legend_row(radar, f"{lever_index + 1}.{sub_index + 1}", sub, y)
            parts += sub_parts
        y += small * 0.5
    return parts, y


def _legend_row(radar: _Radar, number: str, sub: SubScore, y: float) -> tuple[list[str], float]:
    """One sub-dimension in the legend: its axis number, wrapped label and score."""
    small = radar.font * 0.85
    left, label_x, score_x, label_chars = _legend_columns(radar)
    parts = [_text(left + small * 0.8, y, number, small)]
    for line_index, line in enumerate(_wrap(sub.label, label_chars, max_lines=2)):
        parts.append(_text(label_x, y, line, small))
        if line_index == 0:
            parts.append(
                _text(
                    score_x,
                    y,
                    _score_text(sub.score),
                    small,
                    anchor="end",
                    bold=sub.score is not None,
                )
            )
        y += small * 1.3
    return parts, y


def _unanswered_note(radar: _Radar, y: float) -> tuple[list[str], float]:
    """When a sub-dimension has no answer, say how the drawing counts it, at `y`."""
    if all(sub.score is not None for *_indexes, sub in radar.axes):
        return [], y
    small = radar.font * 0.85
    left = -radar.half_width + 4
    parts = [
        f'<circle cx="{_n(left + small * 0.5)}" cy="{_n(y - small * 0.35)}" '
        f'r="{_n(small * 0.4)}" fill="#ffffff" stroke="#000000" stroke-width="1" '
        f'stroke-dasharray="2 1.5"/>'
    ]
    for line in _wrap(
        _("Sans réponse : compté 0 sur le graphique (cercle creux, axe en pointillés)"),
        _chars_for(radar.size - small * 3, small),
    ):
        parts.append(_text(left + small * 1.4, y, line, small))
        y += small * 1.3
    return parts, y
