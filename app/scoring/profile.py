"""From answers to resource amounts by source and the resource profile (shares summing to 1)."""

from __future__ import annotations

from typing import Any

from app.questionnaire.model import Questionnaire


def effective_number(questionnaire: Questionnaire, answers: dict[str, Any], question_id: str):
    """The answer, else the product of `computed_from` questions, else the question's default."""
    question = questionnaire.questions.get(question_id)
    if question is None:
        return None
    value = answers.get(question_id)
    if isinstance(value, int | float):
        return float(value)
    if question.computed_from:
        factors = [effective_number(questionnaire, answers, ref) for ref in question.computed_from]
        if all(f is not None for f in factors) and any(
            ref in answers for ref in question.computed_from
        ):
            product = 1.0
            for factor in factors:
                product *= factor
            return product
        return None
    if isinstance(question.default, int | float) and not isinstance(question.default, bool):
        return float(question.default)
    return None


def resources_in_percent(questionnaire: Questionnaire, answers: dict[str, Any]) -> bool:
    role = questionnaire.definition.roles.resource_unit
    return bool(role) and answers.get(role) == "percent"


def resource_amounts(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, float]:
    """Euros per source over one year (every source present, 0 when unknown).

    When the money sources are given as percentages, they are turned into euros with the annual
    budget; without a budget they stay relative and valued volunteering, which is always in
    euros, cannot be combined with them, so it is left out (the result says so).
    """
    amounts = {source.id: 0.0 for source in questionnaire.sources}
    in_percent = resources_in_percent(questionnaire, answers)
    budget_role = questionnaire.definition.roles.annual_budget
    budget = answers.get(budget_role) if budget_role else None
    for question in questionnaire.resource_questions():
        value = effective_number(questionnaire, answers, question.id)
        if not value:
            continue
        source = questionnaire.source_by_id[question.source]
        is_money = source.brought_by != "volunteers"
        if in_percent and is_money:
            value = value / 100 * budget if budget else value
        elif in_percent and not budget:
            continue
        amounts[question.source] += value
    return amounts


def resource_profile(amounts: dict[str, float]) -> dict[str, float] | None:
    """Shares of each source; None when nothing was entered (no share can be defined)."""
    total = sum(amounts.values())
    if total <= 0:
        return None
    return {source: amount / total for source, amount in amounts.items()}
