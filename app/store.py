"""The questionnaire in force and the older snapshots that diagnostics were answered with."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from app import crud
from app.questionnaire.model import Questionnaire


class QuestionnaireStore:
    def __init__(self, engine: Engine, current: Questionnaire):
        self.engine = engine
        self.current = current
        self.current_snapshot_id = crud.ensure_snapshot(engine=engine, questionnaire=current)
        self._by_snapshot: dict[int, Questionnaire] = {self.current_snapshot_id: current}
        self._lock = threading.Lock()

    def loaded(self, snapshot_id: int) -> Questionnaire | None:
        """The definition if already parsed, without touching the database (None: not yet)."""
        with self._lock:
            return self._by_snapshot.get(snapshot_id)

    def for_snapshot(self, snapshot_id: int) -> Questionnaire:
        """The definition a diagnostic was answered with (parsed once, then kept)."""
        with self._lock:
            cached = self._by_snapshot.get(snapshot_id)
        if cached is not None:
            return cached
        definition = crud.load_snapshot_definition(engine=self.engine, snapshot_id=snapshot_id)
        questionnaire = Questionnaire.from_json(definition) if definition else self.current
        with self._lock:
            self._by_snapshot[snapshot_id] = questionnaire
        return questionnaire
