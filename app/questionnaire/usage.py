"""Which questions the diagnostic actually uses, for `mse validate --strict`.

A question is used when a score, a card rule (its `when` or a priority rule), another
question's `show_if`, a resource source (amounts and indicators), a `computed_from` product or a
role (readings, indicators and deliverables find questions through roles) refers to it. A
question nothing uses is asked for nothing: the user's time is wasted and trust lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.questionnaire.conditions import walk
from app.questionnaire.schema import Condition, QuestionnaireDefinition

Loc = tuple[Any, ...]


def _condition_questions(condition: Condition | None) -> set[str]:
    if condition is None:
        return set()
    return {node.question for node, _ in walk(condition) if node.question}


def used_questions(definition: QuestionnaireDefinition) -> dict[str, str]:
    """question id -> the first use found (for messages and tests)."""
    used: dict[str, str] = {}

    def mark(question_id: str | None, why: str) -> None:
        if question_id and question_id not in used:
            used[question_id] = why

    for role, value in definition.roles:
        for question_id in value if isinstance(value, list) else [value]:
            mark(question_id, f"role {role}")
    for section in definition.sections:
        for question in section.questions:
            if question.scoring:
                mark(question.id, "score")
            if question.source:
                mark(question.id, f"source {question.source}")
            for ref in question.computed_from or []:
                mark(ref, f"computed_from of {question.id}")
            for ref in _condition_questions(question.show_if):
                mark(ref, f"show_if of {question.id}")
    for card in definition.cards:
        for ref in _condition_questions(card.when):
            mark(ref, f"card {card.id}")
        for rule in card.priority_rules:
            for ref in _condition_questions(rule.when):
                mark(ref, f"priority rule of card {card.id}")
    return used


def check_usage(definition: QuestionnaireDefinition) -> Iterator[tuple[Loc, str]]:
    used = used_questions(definition)
    for s_index, section in enumerate(definition.sections):
        for q_index, question in enumerate(section.questions):
            if question.id not in used:
                yield (
                    ("sections", s_index, "questions", q_index, "id"),
                    f"question '{question.id}' is not used by any score, card rule, reading, "
                    "indicator or deliverable (give it a scoring, a card rule or a role, or "
                    "remove it)",
                )
