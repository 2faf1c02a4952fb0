"""YAML reading that remembers where each value came from (file and line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Position:
    file: str
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class PositionedDict(dict):
    """A mapping that knows the line of itself and of each of its keys."""

    origin: Position
    key_positions: dict[Any, Position]


class PositionedList(list):
    origin: Position
    item_positions: list[Position]


class YamlProblem(Exception):
    def __init__(self, position: Position, message: str):
        super().__init__(f"{position}: {message}")
        self.position = position
        self.message = message


def _loader_for(file_label: str) -> type[yaml.SafeLoader]:
    class PositionedLoader(yaml.SafeLoader):
        pass

    def position(node: yaml.Node) -> Position:
        return Position(file_label, node.start_mark.line + 1)

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> PositionedDict:
        loader.flatten_mapping(node)
        mapping = PositionedDict()
        mapping.origin = position(node)
        mapping.key_positions = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise YamlProblem(position(key_node), "keys must be plain text")
            if key in mapping:
                raise YamlProblem(position(key_node), f"duplicate key '{key}'")
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_positions[key] = position(key_node)
        return mapping

    def construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> PositionedList:
        sequence = PositionedList(loader.construct_object(child, deep=True) for child in node.value)
        sequence.origin = position(node)
        sequence.item_positions = [position(child) for child in node.value]
        return sequence

    PositionedLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping
    )
    PositionedLoader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence
    )
    return PositionedLoader


def load_positioned_yaml(path: Path, file_label: str | None = None) -> Any:
    """Parse one YAML file; syntax errors become YamlProblem with the file and line."""
    label = file_label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlProblem(Position(label, 1), f"not UTF-8 text ({error.reason})") from error
    try:
        return yaml.load(text, Loader=_loader_for(label))  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        message = " ".join(str(p) for p in (error.context, error.problem) if p)
        raise YamlProblem(Position(label, line), f"invalid YAML: {message}") from error
    except yaml.YAMLError as error:
        raise YamlProblem(Position(label, 1), f"invalid YAML: {error}") from error


def position_of(tree: Any, loc: tuple[Any, ...], fallback: Position) -> Position:
    """The position of the deepest node along a validation error's location path."""
    best = getattr(tree, "origin", fallback)
    node = tree
    for part in loc:
        if isinstance(node, PositionedDict) and part in node:
            best = node.key_positions.get(part, best)
            node = node[part]
        elif isinstance(node, PositionedList) and isinstance(part, int) and part < len(node):
            best = node.item_positions[part]
            node = node[part]
        else:
            break
        # A nested mapping starts on its own line: point at it when the error is inside.
    return best
