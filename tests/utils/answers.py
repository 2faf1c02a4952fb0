"""Build answer sets for tests from the questionnaire itself (never from hard-coded ids where
the questionnaire can tell)."""

from __future__ import annotations

from typing import Any

from app.questionnaire.model import Questionnaire


def resource_answers(
    questionnaire: Questionnaire, shares: dict[str, float], total: float = 100_000
) -> dict[str, Any]:
    """Answers putting `shares` of `total` euros on each source's resource question."""
    answers: dict[str, Any] = {}
    unit = questionnaire.definition.roles.resource_unit
    if unit:
        answers[unit] = "euros"
    by_source = {q.source: q for q in questionnaire.resource_questions()}
    for source_id, share in shares.items():
        if share:
            answers[by_source[source_id].id] = round(share * total, 2)
    return answers


def full_answers(questionnaire: Questionnaire, name: str = "Les Amis du Parc") -> dict[str, Any]:
    """A plausible, complete set of answers: the middle option, a mid-range number, a text."""
    from app.questionnaire.conditions import is_visible

    answers: dict[str, Any] = {}
    for question in questionnaire.questions.values():
        if not is_visible(question, answers):
            continue
        options = questionnaire.options(question)
        match question.type:
            case "single_choice" | "likert":
                answers[question.id] = options[len(options) // 2].id
            case "multiple_choice":
                answers[question.id] = [o.id for o in options if not o.exclusive][:3]
            case "amount":
                answers[question.id] = 25_000
            case "percentage":
                answers[question.id] = 30
            case "integer" | "decimal":
                # 12 where allowed; else the middle of the bounds (a year, say).
                low, high = question.min, question.max
                inside = (low is None or low <= 12) and (high is None or 12 <= high)
                answers[question.id] = 12 if inside else int(((low or 0) + (high or low)) // 2)
            case "short_text" | "long_text":
                answers[question.id] = "Un texte de test"
    role = questionnaire.definition.roles
    if role.association_name:
        answers[role.association_name] = name
    if role.resource_unit:
        answers[role.resource_unit] = "euros"
    return answers


def one_subdimension_answers(questionnaire) -> tuple[str, dict]:
    """Answers feeding only the first sub-dimension of the first lever: that lever's score
    then rests on one sub-dimension out of several."""
    lever = questionnaire.definition.levers[0]
    sub = lever.subdimensions[0]
    full = full_answers(questionnaire)
    answers = {
        q.id: full[q.id]
        for q in questionnaire.questions.values()
        if q.id in full and any(r.lever == lever.id and r.subdimension == sub.id for r in q.scoring)
    }
    assert answers and len(lever.subdimensions) > 1
    return lever.id, answers


def volunteering_percent_question(questionnaire):
    return next(
        q
        for q in questionnaire.resource_questions()
        if q.type == "percentage"
        and questionnaire.source_by_id[q.source].brought_by == "volunteers"
    )


def sports_club(questionnaire):
    """51 k€ of money, mostly licences and a subsidy, and 4 200 volunteer hours."""
    answers = resource_answers(
        questionnaire,
        {"cotisations_abonnement": 0.35, "subventions": 0.34, "ventes": 0.24, "mecenat": 0.07},
        total=51_000,
    )
    answers["benevolat_heures"] = 4200
    return answers


def bike_workshop(questionnaire, volunteering_percent=80):
    answers = resource_answers(
        questionnaire, {"cotisations_militantes": 0.5, "ventes": 0.3, "dons": 0.2}, total=100
    )
    answers[questionnaire.definition.roles.resource_unit] = "percent"
    answers[volunteering_percent_question(questionnaire).id] = volunteering_percent
    return answers
