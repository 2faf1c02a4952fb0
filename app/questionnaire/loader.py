"""Load a questionnaire from YAML, validate it, and report every problem as `file:line: message`.

A questionnaire is a directory of YAML files whose top-level keys are merged (for instance
`questionnaire.yaml`, `sources.yaml`, `models.yaml`, `levers.yaml`, `cards.yaml`), or one file
holding all the keys.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from app.questionnaire.model import Questionnaire
from app.questionnaire.references import Loc, check_references
from app.questionnaire.schema import QuestionnaireDefinition
from app.questionnaire.usage import check_usage
from app.questionnaire.yaml_positions import (
    Position,
    PositionedDict,
    YamlProblem,
    load_positioned_yaml,
    position_of,
)


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
