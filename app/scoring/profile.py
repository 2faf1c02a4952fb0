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


def _is_money(questionnaire: Questionnaire, source_id: str) -> bool:
    return questionnaire.source_by_id[source_id].brought_by != "volunteers"


def _percent_budget(questionnaire: Questionnaire, answers: dict[str, Any]) -> float | None:
    role = questionnaire.definition.roles.annual_budget
    budget = answers.get(role) if role else None
    return float(budget) if isinstance(budget, int | float) and budget > 0 else None


# A volunteering percent of 100 next to money percentages would leave no room for the money;
# capped so the money the association entered still shows (as 1 % of the whole).
_MAX_VOLUNTEERING_PERCENT = 99.0


def resource_amounts(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, float]:
    """Euros per source over one year (every source present, 0 when unknown).

    In percent mode the money sources are percentages of the money budget. Valued volunteering
    then comes either as a percentage of *all* resources (a percentage question whose source is
    brought by volunteers), or in euros (hours x hourly value) which needs the annual budget,
    even an estimate, to be compared with the money. With a budget the result is in euros;
    without one it is in relative units (percentage points of the money), which is all a
    profile needs.
    """
    amounts = {source.id: 0.0 for source in questionnaire.sources}
    in_percent = resources_in_percent(questionnaire, answers)
    budget = _percent_budget(questionnaire, answers)
    volunteering_percent: float | None = None
    volunteering_euros = 0.0
    for question in questionnaire.resource_questions():
        value = effective_number(questionnaire, answers, question.id)
        if not value:
            continue
        if _is_money(questionnaire, question.source):
            amounts[question.source] += value
        elif in_percent and question.type == "percentage":
            volunteering_percent = (volunteering_percent or 0.0) + value
        elif not in_percent:
            amounts[question.source] += value
        else:
            volunteering_euros += value
    if not in_percent:
        return amounts
    money_points = sum(a for s, a in amounts.items() if _is_money(questionnaire, s))
    volunteering_sources = [
        s.id for s in questionnaire.sources if not _is_money(questionnaire, s.id)
    ]
    volunteering_points = 0.0
    if volunteering_percent is not None and volunteering_sources:
        share = min(volunteering_percent, 100.0) / 100
        if money_points <= 0:
            volunteering_points = 100.0  # the only resource entered
        else:
            share = min(share, _MAX_VOLUNTEERING_PERCENT / 100)
            volunteering_points = share / (1 - share) * money_points
    elif volunteering_euros and budget:
        volunteering_points = volunteering_euros / budget * 100
    if volunteering_sources:
        amounts[volunteering_sources[0]] = volunteering_points
    scale = budget / 100 if budget else 1.0
    return {source: points * scale for source, points in amounts.items()}


def volunteering_counted(questionnaire: Questionnaire, answers: dict[str, Any]) -> bool:
    """Whether valued volunteering could be set beside the money: always in euros; in percent
    mode when it was given as a percentage or when a budget converts the money to euros."""
    if not resources_in_percent(questionnaire, answers):
        return True
    if _percent_budget(questionnaire, answers):
        return True
    return any(
        question.type == "percentage"
        and not _is_money(questionnaire, question.source)
        and isinstance(answers.get(question.id), int | float)
        for question in questionnaire.resource_questions()
    )


def resource_profile(amounts: dict[str, float]) -> dict[str, float] | None:
    """Shares of each source; None when nothing was entered (no share can be defined)."""
    total = sum(amounts.values())
    if total <= 0:
        return None
    return {source: amount / total for source, amount in amounts.items()}
