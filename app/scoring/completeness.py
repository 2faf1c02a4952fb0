"""How complete a diagnostic is: questions answered among those shown, and required ones
still missing (pure; counted like the progress bar, over the questions currently shown)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.questionnaire.conditions import is_visible, missing_required, visible_answers
from app.questionnaire.model import Questionnaire


@dataclass(frozen=True)
class Completeness:
    answered: int
    total: int
    missing_required: list[str]

    @property
    def share(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    def to_json(self) -> dict:
        return {
            "answered": self.answered,
            "total": self.total,
            "missing_required": list(self.missing_required),
        }


def measure_completeness(questionnaire: Questionnaire, answers: dict[str, Any]) -> Completeness:
    shown = visible_answers(questionnaire, answers)
    asked = [q for q in questionnaire.questions.values() if is_visible(q, shown)]
    return Completeness(
        answered=sum(1 for q in asked if q.id in shown),
        total=len(asked),
        missing_required=[q.id for q in missing_required(questionnaire, answers)],
    )
