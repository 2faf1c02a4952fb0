"""Hand-written SVG charts shared by the results page and the PDF: the map of the models and the
radar of the levers.

Only presentation attributes and an explicit font family, no gradients, filters, markers, CSS or
JS, because WeasyPrint's SVG renderer supports a subset of SVG. Meaning never rests on colour
alone: shapes, line styles, numbers and text carry it, so the charts read in black and white.
Every label comes from data and is escaped.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from app.i18n import N_, _, ngettext
from app.questionnaire.model import Questionnaire
from app.scoring.barycentre import Barycentre, pole_positions
from app.scoring.levers import LeverScore
from app.templating import percent

FONT_FAMILY = "DejaVu Sans, sans-serif"
# Average advance of a DejaVu Sans character, in em, a little generous so wrapped labels fit.
_CHAR_EM = 0.6
# Lines drawn from the barycentre to the models that weigh at least this much.
WEIGHT_LINE_THRESHOLD = 0.05
NO_RESOURCES_NOTE = N_("Renseignez vos ressources pour vous situer")


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


def _model_name(model, lang: str | None) -> str:
    return (model.short_name or model.name).get(lang)


def map_description(
    questionnaire: Questionnaire,
    barycentre: Barycentre | None,
    lang: str | None = None,
    money_only: Barycentre | None = None,
) -> str:
    """The text equivalent of the map, in one sentence (two with the money-only marker)."""
    text = _placement_description(questionnaire, barycentre, lang)
    if barycentre is not None and money_only is not None:
        model = questionnaire.model_by_id[money_only.dominant]
        text += " " + _(
            "Sur l'argent seul, sans le bénévolat, votre position est proche du modèle "
            "%(number)s « %(name)s » (%(weight)s)."
        ) % {
            "number": model.number,
            "name": _model_name(model, lang),
            "weight": percent(money_only.weights[money_only.dominant], lang),
        }
    return text


def _placement_description(
    questionnaire: Questionnaire, barycentre: Barycentre | None, lang: str | None
) -> str:
    count = len(questionnaire.models)
    if barycentre is None:
        return _(
            "Carte des %(count)s modèles socio-économiques, sans votre position : %(note)s."
        ) % {"count": count, "note": _(NO_RESOURCES_NOTE)}
    dominant = questionnaire.model_by_id[barycentre.dominant]
    first = {
        "count": count,
        "number": dominant.number,
        "name": _model_name(dominant, lang),
        "weight": percent(barycentre.weights[barycentre.dominant], lang),
    }
    runner_up = barycentre.runner_up
    if runner_up and runner_up == barycentre.runner_up_to_mention:
        second = questionnaire.model_by_id[runner_up]
        return _(
            "Carte des %(count)s modèles socio-économiques : votre barycentre est proche du "
            "modèle %(number)s « %(name)s » (%(weight)s), puis du modèle %(second_number)s "
            "« %(second_name)s » (%(second_weight)s)."
        ) % {
            **first,
            "second_number": second.number,
            "second_name": _model_name(second, lang),
            "second_weight": percent(barycentre.weights[runner_up], lang),
        }
    return (
        _(
            "Carte des %(count)s modèles socio-économiques : votre barycentre est proche du "
            "modèle %(number)s « %(name)s » (%(weight)s)."
        )
        % first
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


def model_map_svg(
    questionnaire: Questionnaire,
    barycentre: Barycentre | None,
    lang: str | None = None,
    size: int = 420,
    *,
    id_prefix: str = "mse-map",
    money_only: Barycentre | None = None,
) -> Markup:
    """The models as the poles of a regular polygon and the association's barycentre; with
    `money_only` (given when it changes the dominant model), the placement on money alone too."""
    frame = _map_frame(
        questionnaire,
        lang,
        size,
        weights=barycentre.weights if barycentre else {},
        dominant=barycentre.dominant if barycentre else None,
        origin=barycentre.point if barycentre else None,
    )
    font, line_height = frame.font, frame.line_height
    parts: list[str] = []
    if barycentre is not None:
        half = font * 0.85
        markers = [(frame.at(barycentre.point), _("Vous"))]
        if money_only is not None:
            markers.append((frame.at(money_only.point), _("Argent seul")))
        marker_boxes = [(x - half, y - half, x + half, y + half) for (x, y), _label in markers]
        parts.append(_diamond(*markers[0][0], half))
        if money_only is not None:
            parts.append(_open_diamond(*markers[1][0], half))
        # Labels keep clear of every pole, pole label, marker and of each other.
        avoid = frame.boxes + marker_boxes
        limits = (-frame.half_width + 2, frame.min_y, frame.half_width - 2, frame.max_y)
        for (x, y), label in markers:
            tx, ty, anchor, box = place_label(x, y, label, font, half + font * 0.4, avoid, limits)
            parts.append(_halo_text(tx, ty, label, font, anchor))
            avoid.append(box)
        legend = [("diamond", _("Votre position (barycentre)"))]
        if money_only is not None:
            legend = [
                ("diamond", _("Vous, bénévolat valorisé compris")),
                ("open_diamond", _("Vous, sur l'argent seul")),
            ]
        parts += _legend(
            frame,
            legend
            + [
                ("dominant", _("Modèle dominant")),
                (
                    "line",
                    _("Poids d'au moins %(threshold)s")
                    % {"threshold": percent(WEIGHT_LINE_THRESHOLD, lang)},
                ),
            ],
        )
    else:
        for index, line in enumerate(
            _wrap(_(NO_RESOURCES_NOTE), _chars_for(frame.radius * 1.5, font))
        ):
            parts.append(_text(0, index * line_height, line, font, anchor="middle", fill="#333333"))
    title = _("Carte des modèles socio-économiques")
    desc = map_description(questionnaire, barycentre, lang, money_only)
    return _close(frame, id_prefix, title, desc, parts)


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


def group_map_description(
    questionnaire: Questionnaire,
    points: Sequence[tuple[int, str, Barycentre]],
    lang: str | None = None,
) -> str:
    count = len(questionnaire.models)
    if not points:
        return _(
            "Carte des %(count)s modèles socio-économiques : aucun participant n'a encore "
            "renseigné ses ressources."
        ) % {"count": count}
    parts = []
    for number, label, barycentre in points:
        model = questionnaire.model_by_id.get(barycentre.dominant)
        weight = percent(barycentre.weights.get(barycentre.dominant, 0.0), lang)
        if model:
            parts.append(
                _(
                    "%(number)s (%(label)s) : proche du modèle %(model_number)s "
                    "« %(name)s », %(weight)s"
                )
                % {
                    "number": marker_letter(number),
                    "label": label,
                    "model_number": model.number,
                    "name": _model_name(model, lang),
                    "weight": weight,
                }
            )
        else:
            parts.append(
                _("%(number)s (%(label)s) : proche du —, %(weight)s")
                % {"number": marker_letter(number), "label": label, "weight": weight}
            )
    return ngettext(
        "Carte des %(count)s modèles socio-économiques avec %(num)s participant(s) : %(list)s.",
        "Carte des %(count)s modèles socio-économiques avec %(num)s participant(s) : %(list)s.",
        len(points),
    ) % {"count": count, "num": len(points), "list": _(" ; ").join(parts)}


def marker_letter(number: int) -> str:
    """A participant's mark on the group map: letters (A, B, … Z, AA, AB…), so a participant
    never reads as one of the numbered model poles ("participant 2 sits on pole 3")."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "?"


def group_map_svg(
    questionnaire: Questionnaire,
    points: Sequence[tuple[int, str, Barycentre]],
    lang: str | None = None,
    size: int = 520,
    *,
    id_prefix: str = "group-map",
) -> Markup:
    """Every participant's barycentre on the map of the models, marked by a letter drawn from
    their number (names are in the table next to it, and only for those who chose to be
    named): model poles keep the numbers 1-7."""
    frame = _map_frame(questionnaire, lang, size, weights={}, dominant=None, origin=None)
    parts: list[str] = []
    seen: dict[tuple[float, float], int] = {}
    for number, _label, barycentre in points:
        x, y = frame.at(barycentre.point)
        # Participants at the same spot are fanned out a little so every number stays legible.
        spot = (round(x / frame.font), round(y / frame.font))
        shift = seen.get(spot, 0)
        seen[spot] = shift + 1
        if shift:
            angle = shift * 2.4
            x += math.cos(angle) * frame.font * 1.6
            y += math.sin(angle) * frame.font * 1.6
        parts.append(
            f'<g class="map-point" data-number="{number}" data-marker="{marker_letter(number)}">'
            + _numbered_point(x, y, marker_letter(number), frame.font * 1.1)
            + "</g>"
        )
    if not points:
        parts.append(
            _text(0, 0, _("En attente des premiers participants"), frame.font, anchor="middle")
        )
    parts += _legend(
        frame,
        [
            ("participant", _("Un participant (sa lettre, voir le tableau)")),
            ("pole", _("Un modèle type (son numéro)")),
        ],
    )
    title = _("Carte du groupe parmi les modèles socio-économiques")
    desc = group_map_description(questionnaire, points, lang)
    return _close(frame, id_prefix, title, desc, parts)


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
    axes = [
        (lever_index, sub_index, sub)
        for lever_index, lever in enumerate(levers)
        for sub_index, sub in enumerate(lever.subscores)
    ]
    count = len(axes)
    font = size / 32
    line_height = font * 1.3
    half_width = size / 2
    radius = half_width - font * 2.8
    title = _("Radar des leviers")
    desc = radar_description(levers)
    parts: list[str] = []

    if count == 0:
        parts.append(_text(0, 0, _("Aucun levier à afficher"), font, anchor="middle"))
        top = -font * 2
        return Markup(
            _svg_open(-half_width, top, size, font * 4, id_prefix, title, desc)
            + "".join(parts)
            + "</svg>"
        )

    step = 2 * math.pi / count

    def at(angle: float, distance: float) -> tuple[float, float]:
        return distance * math.sin(angle), -distance * math.cos(angle)

    # Lever sectors behind everything, following the outer ring (a polygon from 3 axes on).
    def rim(first_axis: int, last_axis: int) -> list[tuple[float, float]]:
        """The outer ring from half-way before the first axis to half-way after the last."""
        if count < 3:
            return [
                at(first_axis * step - step / 2 + k * step / 8, radius)
                for k in range(8 * (last_axis - first_axis + 1) + 1)
            ]
        vertices = [at(i * step, radius) for i in range(first_axis - 1, last_axis + 2)]
        start_mid = ((vertices[0][0] + vertices[1][0]) / 2, (vertices[0][1] + vertices[1][1]) / 2)
        end_mid = ((vertices[-2][0] + vertices[-1][0]) / 2, (vertices[-2][1] + vertices[-1][1]) / 2)
        return [start_mid, *vertices[1:-1], end_mid]

    start = 0
    for lever_index, lever in enumerate(levers):
        size_of_group = len(lever.subscores)
        if size_of_group == 0:
            continue
        fill = _SECTOR_FILLS[lever_index % len(_SECTOR_FILLS)]
        outline = [(0.0, 0.0), *rim(start, start + size_of_group - 1)]
        if size_of_group == count:
            outline = outline[1:]
        shape = " ".join(f"{_n(x)},{_n(y)}" for x, y in outline)
        parts.append(f'<polygon points="{shape}" fill="{fill}" stroke="none"/>')
        if size_of_group < count:
            # The separator between two levers: a solid line from the centre to the rim.
            x, y = outline[1]
            parts.append(
                f'<line x1="0" y1="0" x2="{_n(x)}" y2="{_n(y)}" stroke="#555555" '
                f'stroke-width="1.2"/>'
            )
        start += size_of_group

    # Scale rings at 25, 50, 75 and 100.
    for level in (25, 50, 75, 100):
        distance = radius * level / 100
        stroke, width = ("#555555", "1.2") if level == 100 else ("#aaaaaa", "0.8")
        if count >= 3:
            ring = " ".join(
                f"{_n(x)},{_n(y)}" for x, y in (at(i * step, distance) for i in range(count))
            )
            parts.append(
                f'<polygon points="{ring}" fill="none" stroke="{stroke}" stroke-width="{width}"/>'
            )
        else:
            parts.append(
                f'<circle cx="0" cy="0" r="{_n(distance)}" fill="none" stroke="{stroke}" '
                f'stroke-width="{width}"/>'
            )

    # Axes: dashed when the sub-dimension has no answer.
    for index, (_lever_index, _sub_index, sub) in enumerate(axes):
        x, y = at(index * step, radius)
        dash = ' stroke-dasharray="3 3"' if sub.score is None else ""
        parts.append(
            f'<line x1="0" y1="0" x2="{_n(x)}" y2="{_n(y)}" stroke="#888888" '
            f'stroke-width="0.8"{dash}/>'
        )
    for level in (25, 50, 75, 100):
        parts.append(
            _text(
                font * 0.3,
                -radius * level / 100 + font * 0.75,
                str(level),
                font * 0.7,
                fill="#444444",
            )
        )

    # The scores; an unanswered sub-dimension counts as 0 on the drawing.
    points = [at(i * step, radius * (axis[2].score or 0) / 100) for i, axis in enumerate(axes)]
    if count >= 3:
        shape = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        parts.append(
            f'<polygon points="{shape}" fill="#000000" fill-opacity="0.14" stroke="#000000" '
            f'stroke-width="1.8" stroke-linejoin="round"/>'
        )
    else:
        shape = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        parts.append(
            f'<polyline points="{shape}" fill="none" stroke="#000000" stroke-width="1.8"/>'
        )
    for (x, y), (*_indexes, sub) in zip(points, axes, strict=True):
        if sub.score is None:
            parts.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(font * 0.4)}" fill="#ffffff" '
                f'stroke="#000000" stroke-width="1" stroke-dasharray="2 1.5"/>'
            )
        else:
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(font * 0.3)}" fill="#000000"/>')

    # Axis numbers ("1.2" = lever 1, sub-dimension 2) beyond the outer ring.
    for index, (lever_index, sub_index, _sub) in enumerate(axes):
        x, y = at(index * step, radius + font * 1.1)
        sine = math.sin(index * step)
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

    # Legend: the full labels and scores, grouped by lever.
    small = font * 0.85
    left = -half_width + 4
    label_x = left + small * 3
    score_x = half_width - 4
    label_chars = _chars_for(score_x - label_x - small * 3, small)
    y = radius + font * 3.2
    for lever_index, lever in enumerate(levers if legend else []):
        score = f"{_score_text(lever.score)}/100" if lever.score is not None else _("non évalué")
        heading = _wrap(f"{lever_index + 1}. {lever.label}", label_chars + 3, max_lines=2)
        for line_index, line in enumerate(heading):
            parts.append(_text(left, y, line, font * 0.9, bold=True))
            if line_index == 0:
                parts.append(_text(score_x, y, score, font * 0.9, anchor="end", bold=True))
            y += line_height
        for sub_index, sub in enumerate(lever.subscores):
            parts.append(_text(left + small * 0.8, y, f"{lever_index + 1}.{sub_index + 1}", small))
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
        y += small * 0.5
    if not legend:
        y = radius + font * 2.8  # just under the bottom axis number
    if any(sub.score is None for *_indexes, sub in axes):
        parts.append(
            f'<circle cx="{_n(left + small * 0.5)}" cy="{_n(y - small * 0.35)}" '
            f'r="{_n(small * 0.4)}" fill="#ffffff" stroke="#000000" stroke-width="1" '
            f'stroke-dasharray="2 1.5"/>'
        )
        for line in _wrap(
            _("Sans réponse : compté 0 sur le graphique (cercle creux, axe en pointillés)"),
            _chars_for(size - small * 3, small),
        ):
            parts.append(_text(left + small * 1.4, y, line, small))
            y += small * 1.3
    top = -radius - font * 2.2
    bottom = y
    return Markup(
        _svg_open(-half_width, top, size, bottom - top, id_prefix, title, desc)
        + "".join(parts)
        + "</svg>"
    )
