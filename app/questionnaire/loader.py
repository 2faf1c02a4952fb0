"""Load a questionnaire from YAML, validate it, and report every problem as `file:line: message`.

A questionnaire is a directory of YAML files whose top-level keys are merged (for instance
`questionnaire.yaml`, `sources.yaml`, `models.yaml`, `levers.yaml`, `cards.yaml`), or one file
holding all the keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from app.questionnaire.conditions import walk
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import (
    CHOICE_TYPES,
    KNOWN_INDICATORS,
    NUMBER_TYPES,
    TEXT_TYPES,
    QuestionnaireDefinition,
)
from app.questionnaire.usage import check_usage
from app.questionnaire.yaml_positions import (
    Position,
    PositionedDict,
    YamlProblem,
    load_positioned_yaml,
    position_of,
)

Loc = tuple[Any, ...]


class QuestionnaireError(Exception):
    """Raised with every problem found; str() lists them one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _yaml_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_tree(path: Path) -> PositionedDict:
    """Merge the top-level keys of every YAML file under `path` into one positioned mapping."""
    files = _yaml_files(path)
    if not path.exists():
        raise QuestionnaireError([f"{_display(path)}:1: no such file or directory"])
    if not files:
        raise QuestionnaireError([f"{_display(path)}:1: no .yaml file found"])
    merged = PositionedDict()
    merged.origin = Position(_display(files[0]), 1)
    merged.key_positions = {}
    problems: list[str] = []
    for file in files:
        label = _display(file)
        try:
            tree = load_positioned_yaml(file, label)
        except YamlProblem as problem:
            problems.append(str(problem))
            continue
        if tree is None:
            continue
        if not isinstance(tree, PositionedDict):
            problems.append(f"{label}:1: the file must hold a mapping of keys (id, sections, ...)")
            continue
        for key, value in tree.items():
            if key in merged:
                problems.append(
                    f"{tree.key_positions[key]}: key '{key}' is already defined at "
                    f"{merged.key_positions[key]}"
                )
                continue
            merged[key] = value
            merged.key_positions[key] = tree.key_positions[key]
    if problems:
        raise QuestionnaireError(problems)
    return merged


def _format_loc(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def load_questionnaire(path: Path | str, strict: bool = False) -> Questionnaire:
    """Read, validate and cross-check a questionnaire; raise QuestionnaireError listing all.

    `strict` (`mse validate --strict`) also refuses questions nothing uses."""
    tree = read_tree(Path(path))
    fallback = tree.origin
    try:
        definition = QuestionnaireDefinition.model_validate(tree)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            where = position_of(tree, loc, fallback)
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {_format_loc(loc)}: {message}")
        raise QuestionnaireError(problems) from None
    checks = list(check_references(definition))
    if strict:
        checks.extend(check_usage(definition))
    problems = [
        f"{position_of(tree, loc, fallback)}: {_format_loc(loc)}: {message}"
        for loc, message in checks
    ]
    if problems:
        raise QuestionnaireError(problems)
    return Questionnaire(definition)


def check_references(definition: QuestionnaireDefinition) -> Iterator[tuple[Loc, str]]:
    """Cross-checks Pydantic cannot do field by field: ids that must exist, be unique, agree."""
    source_ids = [s.id for s in definition.sources]
    yield from _duplicates(source_ids, ("sources",))
    yield from _duplicates([m.id for m in definition.models], ("models",))
    yield from _duplicates([lever.id for lever in definition.levers], ("levers",))
    yield from _duplicates([c.id for c in definition.cards], ("cards",))
    yield from _duplicates([s.id for s in definition.sections], ("sections",))

    subdimensions = {
        lever.id: {sub.id for sub in lever.subdimensions} for lever in definition.levers
    }
    for index, lever in enumerate(definition.levers):
        yield from _duplicates(
            [sub.id for sub in lever.subdimensions], ("levers", index, "subdimensions")
        )
        for s_index, sub in enumerate(lever.subdimensions):
            for i_index, rule in enumerate(sub.indicators):
                if rule.indicator not in KNOWN_INDICATORS:
                    yield (
                        (
                            "levers",
                            index,
                            "subdimensions",
                            s_index,
                            "indicators",
                            i_index,
                            "indicator",
                        ),
                        f"unknown indicator '{rule.indicator}' "
                        f"(known: {', '.join(KNOWN_INDICATORS)})",
                    )

    for list_id, options in definition.choice_lists.items():
        yield from _duplicates([o.id for o in options], ("choice_lists", list_id))

    questions = {}
    seen_at: dict[str, Loc] = {}
    for s_index, section in enumerate(definition.sections):
        for q_index, question in enumerate(section.questions):
            loc = ("sections", s_index, "questions", q_index)
            if question.id in questions:
                yield (loc + ("id",), f"question id '{question.id}' is used twice")
            questions[question.id] = question
            seen_at[question.id] = loc

    for question_id, question in questions.items():
        loc = seen_at[question_id]
        options: list[Any] = []
        if isinstance(question.choices, str):
            if question.choices not in definition.choice_lists:
                yield (loc + ("choices",), f"unknown choice list '{question.choices}'")
            else:
                options = definition.choice_lists[question.choices]
        elif question.choices:
            options = question.choices
            yield from _duplicates([o.id for o in options], loc + ("choices",))
        option_ids = {o.id for o in options}
        if question.source and question.source not in source_ids:
            yield (loc + ("source",), f"unknown resource source '{question.source}'")
        for ref in question.computed_from or []:
            if ref not in questions:
                yield (loc + ("computed_from",), f"unknown question '{ref}'")
            elif questions[ref].type not in NUMBER_TYPES:
                yield (loc + ("computed_from",), f"'{ref}' is not a number question")
        for r_index, rule in enumerate(question.scoring):
            rule_loc = loc + ("scoring", r_index)
            if rule.lever not in subdimensions:
                yield (rule_loc + ("lever",), f"unknown lever '{rule.lever}'")
            elif rule.subdimension not in subdimensions[rule.lever]:
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
        if question.show_if:
            yield from _check_condition(
                question.show_if,
                loc + ("show_if",),
                questions,
                definition,
                subdimensions,
                answers_only=True,
            )
            yield from _forward_references(
                question.show_if, loc + ("show_if",), question_id, list(questions)
            )

    roles = definition.roles
    role_types = {
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
    for role, allowed in role_types.items():
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
    if roles.resource_unit in questions:
        unit_question = questions[roles.resource_unit]
        choices = unit_question.choices
        options = definition.choice_lists.get(choices, []) if isinstance(choices, str) else choices
        if {o.id for o in options or []} != {"euros", "percent"}:
            yield (("roles", "resource_unit"), "its choices must be exactly 'euros' and 'percent'")

    for m_index, model in enumerate(definition.models):
        for source_id in model.prototype:
            if source_id not in source_ids:
                yield (("models", m_index, "prototype", source_id), f"unknown source '{source_id}'")
    yield from _check_prototypes_distinct(definition)

    for c_index, card in enumerate(definition.cards):
        if card.lever not in subdimensions:
            yield (("cards", c_index, "lever"), f"unknown lever '{card.lever}'")
        yield from _check_condition(
            card.when, ("cards", c_index, "when"), questions, definition, subdimensions
        )
        for r_index, rule in enumerate(card.priority_rules):
            yield from _check_condition(
                rule.when,
                ("cards", c_index, "priority_rules", r_index, "when"),
                questions,
                definition,
                subdimensions,
            )


def _duplicates(ids: list[str], loc: Loc) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            yield (loc + (index, "id"), f"id '{item}' is used twice")
        seen.add(item)


def _check_condition(condition, loc, questions, definition, subdimensions, answers_only=False):
    model_ids = {m.id for m in definition.models}
    for node, node_loc in walk(condition, loc):
        if answers_only and (node.indicator or node.lever or node.model or node.dominant_model):
            yield (node_loc, "show_if may only test answers to questions")
        if node.question and node.question not in questions:
            yield (node_loc + ("question",), f"unknown question '{node.question}'")
        if node.indicator and node.indicator not in KNOWN_INDICATORS:
            yield (node_loc + ("indicator",), f"unknown indicator '{node.indicator}'")
        if node.lever:
            lever_id, _, sub_id = node.lever.partition(".")
            if lever_id not in subdimensions or (sub_id and sub_id not in subdimensions[lever_id]):
                yield (node_loc + ("lever",), f"unknown lever or sub-dimension '{node.lever}'")
        if node.model and node.model not in model_ids:
            yield (node_loc + ("model",), f"unknown model '{node.model}'")
        if node.dominant_model:
            values = node.value if isinstance(node.value, list) else [node.value]
            for value in values:
                if value not in model_ids:
                    yield (node_loc + ("value",), f"unknown model '{value}'")
        yield from _check_value(node, node_loc, questions, definition)


NUMBER_OPS = {"gt", "gte", "lt", "lte"}


def _check_value(node, loc, questions, definition) -> Iterator[tuple[Loc, str]]:
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
    question = questions.get(node.question) if node.question else None
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
        choices = _choice_ids(question, definition) if kind == "choice" else []
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


def _forward_references(condition, loc, question_id, order):
    """show_if may only look at questions asked before, so the flow never loops."""
    position = order.index(question_id)
    for node, node_loc in walk(condition, loc):
        if node.question in order and order.index(node.question) >= position:
            yield (
                node_loc + ("question",),
                f"show_if refers to '{node.question}', which is not asked before '{question_id}'",
            )


def _check_prototypes_distinct(definition: QuestionnaireDefinition) -> Iterator[tuple[Loc, str]]:
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
