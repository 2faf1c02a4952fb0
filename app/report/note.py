"""The two-page note for the board: the model and its reading, the three levers, the featured
pistes and the action plan (the full report stays the reference)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from app.i18n import _, resolve, use_language
from app.plan import STATUS_LABELS, PlanItem
from app.questionnaire.model import Questionnaire
from app.report.charts import model_map_svg
from app.report.pdf import report_context
from app.scoring.result import compute_result
from app.templating import jinja_env

# Pistes the note presents in full; the others are in the report.
FEATURED_MAX = 3
# The plan's texts are cut to these lengths so five items always fit the second page (the full
# report prints them whole).
NOTE_CLIP = {"title": 70, "first_step": 120, "owner": 40, "help": 100}


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def clipped(item: PlanItem) -> PlanItem:
    return replace(item, **{name: clip(getattr(item, name), n) for name, n in NOTE_CLIP.items()})


def featured_cards(cards: list[Any]) -> list[Any]:
    """The cards marked featured when the ranking marks them, else the first ones."""
    marked = [card for card in cards if getattr(card, "featured", False)]
    return (marked or list(cards))[:FEATURED_MAX]


def note_context(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    plan: list[PlanItem],
    created_at: datetime | date,
    lang: str | None = None,
) -> dict[str, Any]:
    result = compute_result(questionnaire, answers, lang)
    context = report_context(questionnaire, answers, result, created_at=created_at, lang=lang)
    cards_by_id = {card.id: card for card in questionnaire.definition.cards}
    context.update(
        {
            "map_svg": model_map_svg(
                questionnaire, result.barycentre, lang, size=250, id_prefix="note-map"
            ),
            "featured": featured_cards(result.cards),
            "plan": [clipped(item) for item in plan],
            "plan_cards": cards_by_id,
            # Where the association stands on each piste, under its title.
            "plan_statuses": {status: _(label) for status, label in STATUS_LABELS.items()},
        }
    )
    return context


def build_note_html(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    *,
    plan: list[PlanItem],
    created_at: datetime | date,
    lang: str | None = None,
) -> str:
    with use_language(resolve(lang)):
        context = note_context(questionnaire, answers, plan=plan, created_at=created_at, lang=lang)
        return jinja_env.get_template("report/note.html").render(context)
