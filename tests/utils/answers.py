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
