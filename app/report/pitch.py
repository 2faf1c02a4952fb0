"""The one-page pitch sheet (HTML and PDF) and the workshop synthesis PDF: what goes in them
(pure) and their HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.formatting import format_answer
from app.i18n import N_, _, ngettext
from app.plan import PlanItem
from app.questionnaire.conditions import visible_answers
from app.questionnaire.model import Questionnaire
from app.report.charts import model_map_svg
from app.report.view import build_view
from app.scoring.result import DiagnosticResult
from app.templating import jinja_env

PARTNER_REQUEST_MAX = 800
CONTACT_MAX = 300
# The blocks of the sheet the association may leave out, in their order on the sheet.
PITCH_BLOCKS = {
    "pitch_line": N_("Notre projet en une phrase"),
    "figures": N_("Chiffres clés"),
    "project": N_("Notre projet"),
    "model": N_("Notre modèle socio-économique"),
    "strengths": N_("Nos points forts"),
    "work_on": N_("Ce que nous travaillons"),
    "partners": N_("Ce que nous recherchons auprès de partenaires"),
    "contact": N_("Contact"),
}
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
    plan: list[PlanItem] | tuple[PlanItem, ...] = (),
    hidden_blocks: list[str] | tuple[str, ...] = (),
    contact: str = "",
) -> dict[str, Any]:
    roles = questionnaire.definition.roles
    shown = visible_answers(questionnaire, answers)

    def text_of(question_id: str | None) -> str:
        value = shown.get(question_id) if question_id else None
        return value.strip() if isinstance(value, str) else ""

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
        # The association's own words (questionnaire answers); the pitch page's former
        # free-text field stays as a fallback for diagnostics written before.
        "partner_request": partners_sought(questionnaire, answers, partner_request),
        "pitch_line": text_of(roles.pitch_line),
        "key_figures": key_figures(questionnaire, shown, created_at, lang),
        # "Ce que nous travaillons": the pistes the association chose, never its low scores.
        "plan": list(plan),
        "contact": contact,
        "show": {block: block not in hidden_blocks for block in PITCH_BLOCKS},
    }


def partners_sought(questionnaire: Questionnaire, answers: dict[str, Any], legacy: str) -> str:
    """What the association seeks from partners: its answer to the questionnaire, else the
    text the pitch page kept before that question existed (diagnostic.partner_request)."""
    question_id = questionnaire.definition.roles.partners_sought
    value = visible_answers(questionnaire, answers).get(question_id) if question_id else None
    return value.strip() if isinstance(value, str) and value.strip() else legacy


def key_figures(
    questionnaire: Questionnaire, shown: dict[str, Any], created_at: date, lang: str | None
) -> list[Fact]:
    """Budget band and age, from whichever were answered (people and territory come from the
    `pitch_facts` role, shown beside them)."""
    roles = questionnaire.definition.roles
    found: list[Fact] = []
    band = questionnaire.questions.get(roles.budget_band) if roles.budget_band else None
    if band is not None and shown.get(band.id):
        found.append(
            Fact(_("Budget annuel"), format_answer(questionnaire, band, shown[band.id], lang))
        )
    year = shown.get(roles.founded_year) if roles.founded_year else None
    if isinstance(year, int | float) and 1800 <= year <= created_at.year:
        age = created_at.year - int(year)
        found.append(
            Fact(
                _("Création"),
                ngettext("en %(year)s (%(num)s an)", "en %(year)s (%(num)s ans)", age)
                % {"year": int(year), "num": age},
            )
        )
    return found


def build_pitch_html(context: dict[str, Any], *, standalone: bool = True) -> str:
    """The sheet as a PDF document (standalone) or as the fragment the HTML page includes."""
    name = "report/pitch.html" if standalone else "report/_pitch_body.html"
    return jinja_env.get_template(name).render(context)


def build_synthesis_html(context: dict[str, Any]) -> str:
    return jinja_env.get_template("report/synthesis.html").render(context)
