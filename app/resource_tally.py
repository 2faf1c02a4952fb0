"""The running total of the resources typed, beside what it should add up to (pure numbers).

In euros, the money sources are compared with the declared annual budget (which excludes
volunteering, as the accounts do); in percent, the money shares are compared with 100 %.
Labels and sentences are the template's job (partials/resource_total.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.questionnaire.model import Questionnaire
from app.scoring.profile import effective_number, resources_in_percent

# Rounding in the accounts, or a few euros of bank fees: a gap this small is agreement.
AGREEMENT_SHARE = 0.01
# A percentage total this close to 100 is rounding (33,3 + 33,3 + 33,3).
PERCENT_ROUNDING = 0.5


@dataclass(frozen=True)
class ResourceTally:
    in_percent: bool
    total: float  # euros, or percentage points in percent mode
    answered: int  # money resource questions answered
    target: float | None  # the declared budget, or 100 in percent mode
    gap: float | None  # total - target

    @property
    def agrees(self) -> bool:
        if self.gap is None or self.target is None:
            return False
        if self.in_percent:
            return abs(self.gap) <= PERCENT_ROUNDING
        return abs(self.gap) <= AGREEMENT_SHARE * self.target

    @property
    def gap_share(self) -> float | None:
        """The gap as a share of the target (euros only)."""
        if self.gap is None or not self.target or self.in_percent:
            return None
        return self.gap / self.target


def money_questions(questionnaire: Questionnaire) -> list[str]:
    """Resource questions counted in the total: every source but valued volunteering."""
    sources = questionnaire.source_by_id
    return [
        question.id
        for question in questionnaire.resource_questions()
        if sources[question.source].brought_by != "volunteers"
    ]


def resource_tally(questionnaire: Questionnaire, answers: dict[str, Any]) -> ResourceTally:
    in_percent = resources_in_percent(questionnaire, answers)
    values = [
        effective_number(questionnaire, answers, question_id)
        for question_id in money_questions(questionnaire)
    ]
    answered = [value for value in values if value is not None]
    total = float(sum(answered))
    if in_percent:
        target: float | None = 100.0
    else:
        role = questionnaire.definition.roles.annual_budget
        budget = answers.get(role) if role else None
        target = float(budget) if isinstance(budget, int | float) and budget > 0 else None
    gap = total - target if target is not None and answered else None
    return ResourceTally(in_percent, total, len(answered), target, gap)


def percent_total_off(questionnaire: Questionnaire, answers: dict[str, Any]) -> float | None:
    """In percent mode, the total of the money shares when it is not 100 (beyond rounding):
    the results then compute each share on that total, and the reader must be told first."""
    tally = resource_tally(questionnaire, answers)
    if not tally.in_percent or not tally.answered or tally.agrees:
        return None
    return tally.total
