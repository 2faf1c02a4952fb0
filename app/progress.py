"""How far a diagnostic has got, over the questions currently shown (pure)."""

from __future__ import annotations

from typing import Any

from app.questionnaire.conditions import is_visible, missing_required, visible_answers
from app.questionnaire.model import Questionnaire


class Progress:
    def __init__(self, questionnaire: Questionnaire, answers: dict[str, Any]):
        shown = visible_answers(questionnaire, answers)
        self.by_section: dict[str, tuple[int, int]] = {}
        for section in questionnaire.sections:
            questions = [q for q in section.questions if is_visible(q, shown)]
            answered = sum(1 for q in questions if q.id in shown)
            self.by_section[section.id] = (answered, len(questions))
        self.answered = sum(a for a, _ in self.by_section.values())
        self.total = sum(t for _, t in self.by_section.values())
        self.percent = round(100 * self.answered / self.total) if self.total else 0
        self.missing_required = missing_required(questionnaire, answers)
        # A part counts as answered once every question it shows is answered: "complete" means
        # every part is, not only the required questions (three parts of eight once passed).
        shown_parts = [(a, t) for a, t in self.by_section.values() if t]
        self.parts_total = len(shown_parts)
        self.parts_done = sum(1 for a, t in shown_parts if a == t)

    @property
    def complete(self) -> bool:
        return bool(self.parts_total) and self.parts_done == self.parts_total
