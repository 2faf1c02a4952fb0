"""Cross-checks of a validated questionnaire that Pydantic cannot do field by field: ids that
must exist, be unique and agree with each other.

Each topic (ids, levers, choice lists, questions, roles, models, cards) is one small check; a
new check goes beside the others and into `CHECKS`, in the order its messages should appear.
Every check yields `(loc, message)`; the loader turns `loc` into `file:line`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.questionnaire.conditions import walk
from app.questionnaire.schema import (
    CHOICE_TYPES,
    KNOWN_INDICATORS,
    NUMBER_TYPES,
    TEXT_TYPES,
    QuestionnaireDefinition,
)

Loc = tuple[Any, ...]
Problems = Iterator[tuple[Loc, str]]

# The question types each role may point to.
ROLE_TYPES: dict[str, set[str]] = {
    "association_name": {"short_text"},
    "resource_unit": {"single_choice"},
    "annual_budget": {"amount"},
    "annual_costs": {"amount"},
    "cash_reserves": {"amount"},
    "largest_funder_share": {"percentage"},
    "pitch_line": TEXT_TYPES,
    "partners_sought": TEXT_TYPES,
    "budget_band": {"single_choice"},
    "founded_year": {"integer"},
    "sector": {"single_choice"},
    "territory": {"single_choice"},
    "employees": {"integer"},
    "main_worry": {"single_choice", "short_text"},
}

NUMBER_OPS = {"gt", "gte", "lt", "lte"}


@dataclass
class Refs:
    """What the checks look ids up in, computed once."""

    definition: QuestionnaireDefinition
    source_ids: list[str]
    subdimensions: dict[str, set[str]]  # lever id -> its sub-dimension ids
    questions: dict[str, Any]  # question id -> question (the last one when an id is repeated)
    seen_at: dict[str, Loc]  # question id -> its loc

    @property
    def model_ids(self) -> set[str]:
        return {m.id for m in self.definition.models}


def check_references(definition: QuestionnaireDefinition) -> Problems:
    """Every cross-check, topic after topic, in a stable order."""
    refs = _refs(definition)
    for check in CHECKS:
        yield from check(refs)


def _refs(definition: QuestionnaireDefinition) -> Refs:
    questions: dict[str, Any] = {}
    seen_at: dict[str, Loc] = {}
    for s_index, section in enumerate(definition.sections):
        for q_index, question in enumerate(section.questions):
            questions[question.id] = question
            seen_at[question.id] = ("sections", s_index, "questions", q_index)
    return Refs(
        definition=definition,
        source_ids=[s.id for s in definition.sources],
        subdimensions={
            lever.id: {sub.id for sub in lever.subdimensions} for lever in definition.levers
        },
        questions=questions,
        seen_at=seen_at,
    )


# --- ids -------------------------------------------------------------------------------------


def check_unique_ids(refs: Refs) -> Problems:
    """Sources, models, levers, cards and sections each have distinct ids."""
    definition = refs.definition
    yield from _duplicates(refs.source_ids, ("sources",))
    yield from _duplicates([m.id for m in definition.models], ("models",))
    yield from _duplicates([lever.id for lever in definition.levers], ("levers",))
    yield from _duplicates([c.id for c in definition.cards], ("cards",))
    yield from _duplicates([s.id for s in definition.sections], ("sections",))


def _duplicates(ids: list[str], loc: Loc) -> Problems:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            yield (loc + (index, "id"), f"id '{item}' is used twice")
        seen.add(item)


# --- levers ----------------------------------------------------------------------------------


def check_levers(refs: Refs) -> Problems:
    """Distinct sub-dimension ids per lever; each sub-dimension's indicators are known ones."""
    for index, lever in enumerate(refs.definition.levers):
        loc = ("levers", index, "subdimensions")
        yield from _duplicates([sub.id for sub in lever.subdimensions], loc)
        for s_index, sub in enumerate(lever.subdimensions):
            for i_index, rule in enumerate(sub.indicators):
                if rule.indicator not in KNOWN_INDICATORS:
                    yield (
                        loc + (s_index, "indicators", i_index, "indicator"),
                        f"unknown indicator '{rule.indicator}' "
                        f"(known: {', '.join(KNOWN_INDICATORS)})",
                    )


# --- choice lists ----------------------------------------------------------------------------


def check_choice_lists(refs: Refs) -> Problems:
    for list_id, options in refs.definition.choice_lists.items():
        yield from _duplicates([o.id for o in options], ("choice_lists", list_id))


# --- questions -------------------------------------------------------------------------------


def check_question_ids(refs: Refs) -> Problems:
    """A question id is used once across all sections."""
    seen: set[str] = set()
    for s_index, section in enumerate(refs.definition.sections):
        for q_index, question in enumerate(section.questions):
            if question.id in seen:
                loc = ("sections", s_index, "questions", q_index, "id")
                yield (loc, f"question id '{question.id}' is used twice")
            seen.add(question.id)


def check_questions(refs: Refs) -> Problems:
    """Per question: its choices, source, computed_from, scoring and show_if."""
    for question_id, question in refs.questions.items():
        loc = refs.seen_at[question_id]
        options = yield from _check_choices(question, loc, refs)
        if question.source and question.source not in refs.source_ids:
            yield (loc + ("source",), f"unknown resource source '{question.source}'")
        yield from _check_computed_from(question, loc, refs)
        option_ids = {o.id for o in options}
        for r_index, rule in enumerate(question.scoring):
            yield from _check_scoring_rule(
                question, rule, loc + ("scoring", r_index), option_ids, refs
            )
        if question.show_if:
            yield from check_condition(
                question.show_if, loc + ("show_if",), refs, answers_only=True
            )
            yield from _forward_references(
                question.show_if, loc + ("show_if",), question_id, list(refs.questions)
            )


def _check_choices(question, loc: Loc, refs: Refs):
    """Yield the problems of the question's choices; return its options (empty if unknown)."""
    if isinstance(question.choices, str):
        if question.choices not in refs.definition.choice_lists:
            yield (loc + ("choices",), f"unknown choice list '{question.choices}'")
            return []
        return refs.definition.choice_lists[question.choices]
    if question.choices:
        yield from _duplicates([o.id for o in question.choices], loc + ("choices",))
        return question.choices
    return []


def _check_computed_from(question, loc: Loc, refs: Refs) -> Problems:
    for ref in question.computed_from or []:
        if ref not in refs.questions:
            yield (loc + ("computed_from",), f"unknown question '{ref}'")
        elif refs.questions[ref].type not in NUMBER_TYPES:
            yield (loc + ("computed_from",), f"'{ref}' is not a number question")


def _check_scoring_rule(
    question, rule, rule_loc: Loc, option_ids: set[str], refs: Refs
) -> Problems:
    """The rule names a known lever and sub-dimension, and scores the way the type allows."""
    if rule.lever not in refs.subdimensions:
        yield (rule_loc + ("lever",), f"unknown lever '{rule.lever}'")
    elif rule.subdimension not in refs.subdimensions[rule.lever]:
        yield (
            rule_loc + ("subdimension",),
            f"unknown sub-dimension '{rule.subdimension}' of lever '{rule.lever}'",
        )
    if question.type in CHOICE_TYPES:
        if rule.bands:
            yield (rule_loc + ("bands",), "bands apply to number questions only")
        if rule.points is None and question.type != "likert":
            yield (rule_loc, "a choice question's scoring needs points per choice")
        for choice_id in rule.points or {}:
            if choice_id not in option_ids:
                yield (rule_loc + ("points", choice_id), f"unknown choice '{choice_id}'")
    elif question.type in NUMBER_TYPES:
        if not rule.bands:
            yield (rule_loc, "a number question's scoring needs bands")
    else:
        yield (rule_loc, "text questions cannot be scored")


def _forward_references(condition, loc, question_id, order) -> Problems:
    """show_if may only look at questions asked before, so the flow never loops."""
    position = order.index(question_id)
    for node, node_loc in walk(condition, loc):
        if node.question in order and order.index(node.question) >= position:
            yield (
                node_loc + ("question",),
                f"show_if refers to '{node.question}', which is not asked before '{question_id}'",
            )


# --- roles -----------------------------------------------------------------------------------


def check_roles(refs: Refs) -> Problems:
    """Each role points to an existing question of a type the role can read."""
    roles, questions = refs.definition.roles, refs.questions
    for role, allowed in ROLE_TYPES.items():
        question_id = getattr(roles, role)
        if question_id is None:
            continue
        if question_id not in questions:
            yield (("roles", role), f"unknown question '{question_id}'")
        elif questions[question_id].type not in allowed:
            yield (("roles", role), f"question '{question_id}' must be {' or '.join(allowed)}")
    for role in ("pitch_project", "pitch_facts"):
        for index, question_id in enumerate(getattr(roles, role)):
            if question_id not in questions:
                yield (("roles", role, index), f"unknown question '{question_id}'")
    yield from _check_resource_unit(refs)


def _check_resource_unit(refs: Refs) -> Problems:
    """The resource unit question switches euros and percentages: exactly those two choices."""
    roles = refs.definition.roles
    if roles.resource_unit not in refs.questions:
        return
    choices = refs.questions[roles.resource_unit].choices
    options = refs.definition.choice_lists.get(choices, []) if isinstance(choices, str) else choices
    if {o.id for o in options or []} != {"euros", "percent"}:
        yield (("roles", "resource_unit"), "its choices must be exactly 'euros' and 'percent'")


# --- models ----------------------------------------------------------------------------------


def check_models(refs: Refs) -> Problems:
    """Prototypes weigh known sources, and no prototype is a mix of the others."""
    for m_index, model in enumerate(refs.definition.models):
        for source_id in model.prototype:
            if source_id not in refs.source_ids:
                yield (("models", m_index, "prototype", source_id), f"unknown source '{source_id}'")
    yield from _check_prototypes_distinct(refs.definition)


def _check_prototypes_distinct(definition: QuestionnaireDefinition) -> Problems:
    """The barycentre is unique only if no prototype is a mix of the others."""
    source_ids = [s.id for s in definition.sources]
    matrix = np.array(
        [[m.prototype.get(s, 0.0) for s in source_ids] for m in definition.models], dtype=float
    )
    differences = matrix[1:] - matrix[0]
    if (
        len(definition.models) > 1
        and np.linalg.matrix_rank(differences, tol=1e-6) < len(definition.models) - 1
    ):
        yield (
            ("models",),
            "the model prototypes are not affinely independent (one is a mix of others), so "
            "the barycentre would not be unique; make the profiles more distinct",
        )


# --- cards -----------------------------------------------------------------------------------


def check_cards(refs: Refs) -> Problems:
    """A card's lever exists; its `when` and its priority rules' conditions are sound."""
    for c_index, card in enumerate(refs.definition.cards):
        if card.lever not in refs.subdimensions:
            yield (("cards", c_index, "lever"), f"unknown lever '{card.lever}'")
        yield from check_condition(card.when, ("cards", c_index, "when"), refs)
        for r_index, rule in enumerate(card.priority_rules):
            loc = ("cards", c_index, "priority_rules", r_index, "when")
            yield from check_condition(rule.when, loc, refs)


# --- conditions ------------------------------------------------------------------------------


def check_condition(condition, loc: Loc, refs: Refs, answers_only: bool = False) -> Problems:
    """Every test of a condition names things that exist, with a value its subject can take.

    `answers_only` (show_if) refuses tests of scores, indicators and models, which are not known
    while the questionnaire is being filled."""
    for node, node_loc in walk(condition, loc):
        if answers_only and (node.indicator or node.lever or node.model or node.dominant_model):
            yield (node_loc, "show_if may only test answers to questions")
        yield from _check_subject(node, node_loc, refs)
        yield from _check_value(node, node_loc, refs)


def _check_subject(node, node_loc: Loc, refs: Refs) -> Problems:
    """The question, indicator, lever, model or dominant model a test names exists."""
    if node.question and node.question not in refs.questions:
        yield (node_loc + ("question",), f"unknown question '{node.question}'")
    if node.indicator and node.indicator not in KNOWN_INDICATORS:
        yield (node_loc + ("indicator",), f"unknown indicator '{node.indicator}'")
    if node.lever:
        lever_id, _, sub_id = node.lever.partition(".")
        subs = refs.subdimensions
        if lever_id not in subs or (sub_id and sub_id not in subs[lever_id]):
            yield (node_loc + ("lever",), f"unknown lever or sub-dimension '{node.lever}'")
    model_ids = refs.model_ids
    if node.model and node.model not in model_ids:
        yield (node_loc + ("model",), f"unknown model '{node.model}'")
    if node.dominant_model:
        values = node.value if isinstance(node.value, list) else [node.value]
        for value in values:
            if value not in model_ids:
                yield (node_loc + ("value",), f"unknown model '{value}'")


def _check_value(node, loc: Loc, refs: Refs) -> Problems:
    """A test's value must be one its subject can take: a choice id for a choice question, a
    number for a number question, an indicator, a lever score or a model weight. Otherwise the
    condition is silently never (or always) true: a typo like `souvnt` hides a card for good."""
    subject = node.question or node.indicator or node.lever or node.model
    if not subject or node.op in (None, "answered", "not_answered"):
        return
    values = node.value if isinstance(node.value, list) else [node.value]
    value_locs = [
        loc + ("value", index) if isinstance(node.value, list) else loc + ("value",)
        for index in range(len(values))
    ]
    question = refs.questions.get(node.question) if node.question else None
    if node.question and question is None:
        return  # reported as an unknown question
    if question is not None and question.type in CHOICE_TYPES | TEXT_TYPES:
        kind = "choice" if question.type in CHOICE_TYPES else "text"
        if node.op in NUMBER_OPS:
            yield (
                loc + ("op",),
                f"op '{node.op}' compares numbers, but '{subject}' is a {kind} question "
                "(use eq, ne, in, not_in or contains)",
            )
            return
        if question.type == "multiple_choice" and node.op in ("eq", "ne", "in", "not_in"):
            yield (
                loc + ("op",),
                f"op '{node.op}' compares one value, but '{subject}' is a multiple choice "
                "question whose answer is a list (use contains, or not with contains)",
            )
            return
        choices = _choice_ids(question, refs.definition) if kind == "choice" else []
        for value, value_loc in zip(values, value_locs, strict=True):
            if choices and value not in choices:
                yield (
                    value_loc,
                    f"'{value}' is not a choice of '{subject}' (choices: {', '.join(choices)})",
                )
        return
    described = f"the number question '{subject}'" if question is not None else f"'{subject}'"
    if node.op == "contains":
        yield (loc + ("op",), f"op 'contains' does not apply to {described}")
        return
    for value, value_loc in zip(values, value_locs, strict=True):
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a number question" if question is not None else "a number"
            yield (value_loc, f"'{subject}' is {kind}: '{value}' is not a number")


def _choice_ids(question, definition) -> list[str]:
    """The question's choice ids; empty when its choice list is unknown (reported apart)."""
    choices = question.choices
    if isinstance(choices, str):
        return [o.id for o in definition.choice_lists.get(choices, [])]
    return [o.id for o in choices or []]


# The order of the checks is the order of the messages (tests and `mse validate` read it).
CHECKS: tuple[Callable[[Refs], Problems], ...] = (
    check_unique_ids,
    check_levers,
    check_choice_lists,
    check_question_ids,
    check_questions,
    check_roles,
    check_models,
    check_cards,
)
