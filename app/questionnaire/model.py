"""A loaded questionnaire with the lookups the app needs (questions by id, options, order)."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from app.questionnaire.schema import (
    ChoiceOption,
    Label,
    ModelType,
    Question,
    QuestionnaireDefinition,
    ResourceSource,
    Section,
)


class Questionnaire:
    def __init__(self, definition: QuestionnaireDefinition):
        self.definition = definition
        self.questions: dict[str, Question] = {}
        self.section_of: dict[str, Section] = {}
        for section in definition.sections:
            for question in section.questions:
                self.questions[question.id] = question
                self.section_of[question.id] = section
        self.sections: list[Section] = list(definition.sections)
        self.sources: list[ResourceSource] = list(definition.sources)
        self.models: list[ModelType] = sorted(definition.models, key=lambda m: m.number)
        self.model_by_id = {m.id: m for m in self.models}
        self.source_by_id = {s.id: s for s in self.sources}
        self.lever_by_id = {lever.id: lever for lever in definition.levers}

    def untranslated(self) -> list[str]:
        """Where a text has no English: English readers see the French there. `mse validate`
        lists them and a test keeps the shipped questionnaire complete."""
        found: list[str] = []

        def walk(value: Any, path: str) -> None:
            if isinstance(value, Label):
                if not value.en:
                    found.append(f"{path}: {value.fr[:60]}")
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name), f"{path}.{name}" if path else name)
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    walk(item, f"{path}[{getattr(item, 'id', index)}]")
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, f"{path}.{key}")

        walk(self.definition, "")
        return found

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> str:
        return self.definition.version

    def options(self, question: Question) -> list[ChoiceOption]:
        if isinstance(question.choices, str):
            return self.definition.choice_lists[question.choices]
        return question.choices or []

    def option_label(self, question: Question, option_id: str, lang: str | None = None) -> str:
        for option in self.options(question):
            if option.id == option_id:
                return option.label.get(lang)
        return option_id

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def section_index(self, section_id: str) -> int:
        return next(i for i, s in enumerate(self.sections) if s.id == section_id)

    def resource_questions(self) -> list[Question]:
        return [q for q in self.questions.values() if q.source]

    def to_json(self) -> dict:
        return self.definition.model_dump(mode="json", by_alias=True, exclude_none=True)

    @cached_property
    def content_hash(self) -> str:
        canonical = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_json(cls, data: dict) -> Questionnaire:
        return cls(QuestionnaireDefinition.model_validate(data))
