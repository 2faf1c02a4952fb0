"""The map of a workshop group: every participant's barycentre, marked by a letter."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from app.i18n import _, ngettext
from app.questionnaire.model import Questionnaire
from app.report.charts.map_frame import _close, _legend, _map_frame, _model_name
from app.report.charts.svg import Box, _n, _numbered_point, _overlaps, _text
from app.scoring.barycentre import Barycentre
from app.templating import percent


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
    marker_size = frame.font * 1.1
    spots = [frame.at(barycentre.point) for _number, _label, barycentre in points]
    letters = [marker_letter(number) for number, _label, _barycentre in points]
    limits = (-frame.half_width, frame.min_y, frame.half_width, frame.max_y)
    placed = spread_markers(spots, letters, marker_size, limits, avoid=frame.boxes)
    # A marker moved off its spot keeps a thin line to it, drawn under every marker.
    parts: list[str] = [
        f'<line x1="{_n(sx)}" y1="{_n(sy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="#000000" '
        f'stroke-width="0.8"/>'
        for (sx, sy), (x, y) in zip(spots, placed, strict=True)
        if (sx, sy) != (x, y)
    ]
    for (number, _label, _barycentre), letter, (x, y) in zip(points, letters, placed, strict=True):
        parts.append(
            f'<g class="map-point" data-number="{number}" data-marker="{letter}">'
            + _numbered_point(x, y, letter, marker_size)
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


def _marker_box(x: float, y: float, letter: str, size: float) -> Box:
    """The square `_numbered_point` draws, with a little air around it."""
    half = size * (0.85 if len(letter) < 2 else 1.1) + size * 0.1
    return (x - half, y - size * 0.95, x + half, y + size * 0.95)


def spread_markers(
    spots: Sequence[tuple[float, float]],
    letters: Sequence[str],
    size: float,
    limits: Box,
    avoid: Sequence[Box] = (),
) -> list[tuple[float, float]]:
    """Where to draw each participant's marker so no marker covers another's letter.

    Participants with the same (or nearly the same) barycentre would stack into one unreadable
    square. Each marker, in order, stays on its spot if that is free; otherwise it goes to the
    first free place on rings around its spot, one marker-width further out each ring, inside
    `limits` and clear of the `avoid` boxes (the poles and their labels). Markers far apart are
    never moved."""
    placed: list[tuple[float, float]] = []
    boxes: list[Box] = []
    for (x, y), letter in zip(spots, letters, strict=True):
        box = _marker_box(x, y, letter, size)
        step = max(box[2] - box[0], box[3] - box[1])
        for moved, (cx, cy) in enumerate(_ring_positions(x, y, step)):
            candidate = _marker_box(cx, cy, letter, size)
            obstacles = [*boxes, *avoid] if moved else boxes
            inside = (
                candidate[0] >= limits[0]
                and candidate[1] >= limits[1]
                and candidate[2] <= limits[2]
                and candidate[3] <= limits[3]
            )
            if inside and not any(_overlaps(candidate, other) for other in obstacles):
                x, y, box = cx, cy, candidate
                break
        placed.append((x, y))
        boxes.append(box)
    return placed


def _ring_positions(x: float, y: float, step: float, rings: int = 12):
    """The spot itself, then 8 places on the first ring around it, 16 on the second..., each
    ring starting straight up and going clockwise."""
    yield x, y
    for ring in range(1, rings + 1):
        count = 8 * ring
        for index in range(count):
            angle = 2 * math.pi * index / count
            yield x + ring * step * math.sin(angle), y - ring * step * math.cos(angle)
