"""The map of one association: its barycentre among the models (and its placement on money
alone), with a sentence saying the same."""

from __future__ import annotations

from markupsafe import Markup

from app.i18n import N_, _
from app.questionnaire.model import Questionnaire
from app.report.charts.map_frame import (
    WEIGHT_LINE_THRESHOLD,
    _close,
    _legend,
    _map_frame,
    _model_name,
)
from app.report.charts.svg import (
    _chars_for,
    _diamond,
    _halo_text,
    _open_diamond,
    _text,
    _wrap,
    place_label,
)
from app.scoring.barycentre import Barycentre
from app.templating import percent

NO_RESOURCES_NOTE = N_("Renseignez vos ressources pour vous situer")


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
