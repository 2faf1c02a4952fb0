"""The one-page pitch sheet (HTML and PDF) and the workshop synthesis PDF: what goes in them
(pure) and their HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.formatting import format_answer
from app.questionnaire.conditions import visible_answers
from app.questionnaire.model import Questionnaire
from app.report.charts import model_map_svg
from app.report.view import build_view
from app.scoring.result import DiagnosticResult
from app.templating import jinja_env

PARTNER_REQUEST_MAX = 800
# A sub-dimension scored at least this is presented as a strength.
STRENGTH_SCORE = 65


@dataclass(frozen=True)
class Fact:
    label: str
    answer: str


@dataclass(frozen=True)
class Strength:
    lever: str
    label: str
    score: float


def pitch_context(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    result: DiagnosticResult,
    *,
    association_name: str,
    partner_request: str,
    created_at: date,
    lang: str | None = None,
) -> dict[str, Any]:
    roles = questionnaire.definition.roles
    shown = visible_answers(questionnaire, answers)

    def facts(question_ids: list[str]) -> list[Fact]:
        found = []
        for question_id in question_ids:
            question = questionnaire.questions.get(question_id)
            value = shown.get(question_id)
            if question is None or value in (None, "", []):
                continue
            found.append(
                Fact(question.label.get(lang), format_answer(questionnaire, question, value, lang))
            )
        return found

    subscores = [
        Strength(lever.label, sub.label, sub.score)
        for lever in result.levers
        for sub in lever.subscores
        if sub.score is not None
    ]
    strengths = sorted((s for s in subscores if s.score >= STRENGTH_SCORE), key=lambda s: -s.score)[
        :4
    ]
    work_on = sorted((s for s in subscores if s.score < 50), key=lambda s: s.score)[:3]
    barycentre = result.barycentre
    # The model sentence, runner-up and names come from the view-model shared with the page
    # and the report.
    reading = build_view(questionnaire, answers, result)
    return {
        "reading": reading,
        "lang": lang,
        "association_name": association_name,
        "created_at": created_at,
        "facts": facts(roles.pitch_facts),
        "project": facts(roles.pitch_project),
        "barycentre": barycentre,
        "dominant": reading.dominant.model if reading.dominant else None,
        "runner_up": reading.runner_up.model if reading.runner_up else None,
        "map_svg": model_map_svg(questionnaire, barycentre, lang, size=300, id_prefix="pitch-map"),
        "levers": result.levers,
        "strengths": strengths,
        "work_on": work_on,
        "cards": result.cards[:3],
        "partner_request": partner_request,
    }


def build_pitch_html(context: dict[str, Any], *, standalone: bool = True) -> str:
    """The sheet as a PDF document (standalone) or as the fragment the HTML page includes."""
    name = "report/pitch.html" if standalone else "report/_pitch_body.html"
    return jinja_env.get_template(name).render(context)


def build_synthesis_html(context: dict[str, Any]) -> str:
    return jinja_env.get_template("report/synthesis.html").render(context)
