"""Evaluate conditions kept as data (show_if on questions, `when` on lever cards)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Condition, Question


@dataclass(frozen=True)
class ConditionContext:
    answers: dict[str, Any]
    indicators: dict[str, float | None] = field(default_factory=dict)
    # "lever" and "lever.subdimension" -> score 0-100 (None when nothing answered)
    lever_scores: dict[str, float | None] = field(default_factory=dict)
    model_weights: dict[str, float] = field(default_factory=dict)
    dominant_model: str | None = None


def walk(condition: Condition, loc: tuple = ()) -> Iterator[tuple[Condition, tuple]]:
    """Every node of a condition tree with its location path."""
    yield condition, loc
    for name in ("all", "any"):
        for index, child in enumerate(getattr(condition, name) or []):
            yield from walk(child, loc + (name, index))
    if condition.not_ is not None:
        yield from walk(condition.not_, loc + ("not",))


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "answered":
        return actual is not None
    if op == "not_answered":
        return actual is None
    if actual is None:
        # Unknown never satisfies a test, except "differs from".
        return op in ("ne", "not_in")
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "contains":
        values = expected if isinstance(expected, list) else [expected]
        held = actual if isinstance(actual, list) else [actual]
        return any(v in held for v in values)
    try:
        number, threshold = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {
        "gt": number > threshold,
        "gte": number >= threshold,
        "lt": number < threshold,
        "lte": number <= threshold,
    }[op]


def evaluate(condition: Condition, context: ConditionContext) -> bool:
    if condition.all is not None:
        return all(evaluate(c, context) for c in condition.all)
    if condition.any is not None:
        return any(evaluate(c, context) for c in condition.any)
    if condition.not_ is not None:
        return not evaluate(condition.not_, context)
    if condition.dominant_model:
        return _compare(context.dominant_model, condition.op or "eq", condition.value)
    if condition.question:
        actual = context.answers.get(condition.question)
    elif condition.indicator:
        actual = context.indicators.get(condition.indicator)
    elif condition.lever:
        actual = context.lever_scores.get(condition.lever)
    else:
        actual = context.model_weights.get(condition.model or "")
    return _compare(actual, condition.op or "eq", condition.value)


def held_tests(condition: Condition, context: ConditionContext) -> list[Condition]:
    """The tests that make `condition` true, to name them as the reasons for a card.

    Every child of a holding `all`, only the holding children of an `any` (so a card never
    says "this or that"), and under a holding `not` its tests, whose subject the reason then
    describes by its actual value. Empty when the condition does not hold.
    """
    if not evaluate(condition, context):
        return []
    if condition.all is not None or condition.any is not None:
        children = condition.all if condition.all is not None else condition.any
        return [test for child in children or [] for test in held_tests(child, context)]
    if condition.not_ is not None:
        return [node for node, _ in walk(condition.not_) if node.op or node.dominant_model]
    return [condition]


def is_visible(question: Question, answers: dict[str, Any]) -> bool:
    return question.show_if is None or evaluate(question.show_if, ConditionContext(answers))


def visible_answers(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers to questions that are currently shown; a hidden question's answer is kept in
    storage (the user may change their mind) but never scored."""
    visible: dict[str, Any] = {}
    for question_id, question in questionnaire.questions.items():
        if question_id in answers and is_visible(question, visible):
            visible[question_id] = answers[question_id]
    return visible


def missing_required(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[Question]:
    shown = visible_answers(questionnaire, answers)
    return [
        q
        for q in questionnaire.questions.values()
        if q.required and q.id not in shown and is_visible(q, shown)
    ]
