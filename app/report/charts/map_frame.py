"""The frame of both maps: the models as the numbered poles of a regular polygon with their
labels, the legend under it and the closing <svg> element."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from app.questionnaire.model import Questionnaire
from app.report.charts.svg import (
    _CHAR_EM,
    _chars_for,
    _diamond,
    _n,
    _numbered_point,
    _open_diamond,
    _svg_open,
    _text,
    _text_box,
    _wrap,
)
from app.scoring.barycentre import pole_positions
from app.templating import percent

# Lines drawn from the barycentre to the models that weigh at least this much.
WEIGHT_LINE_THRESHOLD = 0.05


def _model_name(model, lang: str | None) -> str:
    return (model.short_name or model.name).get(lang)


@dataclass
class _MapFrame:
    """The polygon of the models with their numbered poles and labels, shared by the map of
    one association and the map of a workshop group."""

    size: int
    font: float
    line_height: float
    radius: float
    half_width: float
    background: list[str]
    foreground: list[str]
    min_y: float
    max_y: float
    # (x0, y0, x1, y1) of every pole marker and label: what a later label must not cover.
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)

    def at(self, point: tuple[float, float]) -> tuple[float, float]:
        return self.radius * point[0], self.radius * point[1]


def _map_frame(
    questionnaire: Questionnaire,
    lang: str | None,
    size: int,
    *,
    weights: dict[str, float],
    dominant: str | None,
    origin: tuple[float, float] | None,
) -> _MapFrame:
    """Poles, outline and labels; `weights` (shown under each label) and the dashed lines from
    `origin` (a barycentre) belong to the single-association map."""
    models = questionnaire.models
    poles = pole_positions(len(models))
    font = size / 38
    line_height = font * 1.25
    radius = size * 0.27
    half_width = size / 2
    background: list[str] = []
    foreground: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    min_y, max_y = -radius - font, radius + font

    outline = " ".join(f"{_n(radius * x)},{_n(radius * y)}" for x, y in poles)
    background.append(
        f'<polygon points="{outline}" fill="none" stroke="#555555" stroke-width="1.2"/>'
    )

    if origin is not None:
        bx, by = radius * origin[0], radius * origin[1]
        for model, (px, py) in zip(models, poles, strict=True):
            weight = weights.get(model.id, 0.0)
            if weight >= WEIGHT_LINE_THRESHOLD:
                background.append(
                    f'<line x1="{_n(bx)}" y1="{_n(by)}" x2="{_n(radius * px)}" '
                    f'y2="{_n(radius * py)}" stroke="#666666" '
                    f'stroke-width="{_n(0.8 + 3 * weight)}" stroke-dasharray="5 3"/>'
                )

    marker = font * 0.95
    for model, (px, py) in zip(models, poles, strict=True):
        x, y = radius * px, radius * py
        is_dominant = model.id == dominant
        foreground.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(marker)}" '
            f'fill="{"#000000" if is_dominant else "#ffffff"}" stroke="#000000" '
            f'stroke-width="{"2" if is_dominant else "1.2"}"/>'
        )
        foreground.append(
            _text(
                x,
                y + font * 0.32,
                str(model.number),
                font * 0.9,
                anchor="middle",
                bold=True,
                fill="#ffffff" if is_dominant else "#000000",
            )
        )
        # The label sits outside the polygon: above or below the poles at the top and bottom,
        # beside the others; the two bottom-side labels start under their marker and run
        # outwards so they never meet.
        gap = marker + font * 0.4
        if abs(px) < 0.3:
            anchor, lx = "middle", x
            available = 2 * (half_width - abs(lx)) - 8
        elif py > 0.8:
            anchor = "start" if px > 0 else "end"
            lx = x - marker * 0.6 if px > 0 else x + marker * 0.6
            available = half_width - abs(lx) - 4
        else:
            anchor = "start" if px > 0 else "end"
            lx = x + gap if px > 0 else x - gap
            available = half_width - abs(lx) - 4
        lines = _wrap(_model_name(model, lang), _chars_for(min(available, size * 0.42), font))
        rows = [(line, is_dominant) for line in lines]
        weight = weights.get(model.id)
        if weight is not None:
            rows.append((percent(weight, lang), True))
        block = len(rows) * line_height
        if abs(px) < 0.3:
            top = y - gap - block if py < 0 else y + gap
        elif py > 0.8:
            top = y + gap
        else:
            top = y - block / 2 + (font * 0.4 if py > 0 else -font * 0.2)
        min_y, max_y = min(min_y, top), max(max_y, top + block)
        boxes.append((x - marker, y - marker, x + marker, y + marker))
        boxes.append(_text_box(lx, top, [line for line, _bold in rows], font, line_height, anchor))
        for index, (line, bold) in enumerate(rows):
            foreground.append(
                _text(
                    lx, top + font * 0.9 + index * line_height, line, font, anchor=anchor, bold=bold
                )
            )
    return _MapFrame(
        size, font, line_height, radius, half_width, background, foreground, min_y, max_y, boxes
    )


def _legend(frame: _MapFrame, items: list[tuple[str, str]]) -> list[str]:
    """Legend rows under the map, wrapping when a row is full; moves frame.max_y down."""
    legend: list[str] = []
    small = frame.font * 0.85
    half_width, line_height = frame.half_width, frame.line_height
    y = frame.max_y + line_height * 1.4
    x = -half_width + 6
    for kind, label in items:
        width = small * 1.8 + len(label) * small * _CHAR_EM + small * 1.5
        if x + width > half_width and x > -half_width + 6:
            x, y = -half_width + 6, y + line_height * 1.3
        if kind == "diamond":
            legend.append(_diamond(x + small * 0.6, y - small * 0.35, small * 0.6))
        elif kind == "open_diamond":
            legend.append(_open_diamond(x + small * 0.6, y - small * 0.35, small * 0.6))
        elif kind == "dominant":
            legend.append(
                f'<circle cx="{_n(x + small * 0.6)}" cy="{_n(y - small * 0.35)}" '
                f'r="{_n(small * 0.55)}" fill="#000000" stroke="#000000"/>'
            )
        elif kind == "pole":
            legend.append(
                f'<circle cx="{_n(x + small * 0.6)}" cy="{_n(y - small * 0.35)}" '
                f'r="{_n(small * 0.55)}" fill="#ffffff" stroke="#000000" stroke-width="1"/>'
            )
        elif kind == "participant":
            legend.append(_numbered_point(x + small * 0.6, y - small * 0.35, "A", small * 0.7))
        else:
            legend.append(
                f'<line x1="{_n(x)}" y1="{_n(y - small * 0.35)}" x2="{_n(x + small * 1.3)}" '
                f'y2="{_n(y - small * 0.35)}" stroke="#666666" stroke-width="1.5" '
                f'stroke-dasharray="5 3"/>'
            )
        legend.append(_text(x + small * 1.8, y, label, small))
        x += width
    frame.max_y = y + small * 0.5
    return legend


def _close(frame: _MapFrame, id_prefix: str, title: str, desc: str, parts: list[str]) -> Markup:
    min_y, max_y = frame.min_y - 6, frame.max_y + 6
    return Markup(
        _svg_open(-frame.half_width, min_y, frame.size, max_y - min_y, id_prefix, title, desc)
        + "".join(frame.background)
        + "".join(frame.foreground)
        + "".join(parts)
        + "</svg>"
    )
