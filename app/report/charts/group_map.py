"""The map of a workshop group: every participant's barycentre, marked by a letter."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from app.i18n import _, ngettext
from app.questionnaire.model import Questionnaire
from app.report.charts.map_frame import _close, _legend, _map_frame, _model_name
from app.report.charts.svg import _numbered_point, _text
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
