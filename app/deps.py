"""Request dependencies: the engine, the questionnaire store, the diagnostic behind a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from app import crud
from app.models import Diagnostic
from app.questionnaire.answers import EMPTY
from app.questionnaire.model import Questionnaire
from app.store import QuestionnaireStore


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_store(request: Request) -> QuestionnaireStore:
    return request.app.state.store


EngineDep = Annotated[Engine, Depends(get_engine)]
StoreDep = Annotated[QuestionnaireStore, Depends(get_store)]


@dataclass
class OpenDiagnostic:
    diagnostic: Diagnostic
    questionnaire: Questionnaire
    answers: dict[str, Any]

    def save(self, engine: Engine, values: dict[str, Any]) -> None:
        """Persist validated values (EMPTY clears) and keep `answers` in step, so the page
        drawn after the save shows what is stored."""
        crud.save_answers(engine=engine, diagnostic_id=self.diagnostic.id, values=values)
        for question_id, value in values.items():
            if value is EMPTY:
                self.answers.pop(question_id, None)
            else:
                self.answers[question_id] = value


def open_diagnostic(token: str, engine: EngineDep, store: StoreDep) -> OpenDiagnostic:
    """The diagnostic whose token is in the path; 404 for any unknown token."""
    diagnostic = crud.get_diagnostic(engine=engine, token=token)
    if diagnostic is None:
        raise HTTPException(status_code=404, detail="Diagnostic introuvable.")
    return OpenDiagnostic(
        diagnostic=diagnostic,
        questionnaire=store.for_snapshot(diagnostic.snapshot_id),
        answers=crud.load_answers(engine=engine, diagnostic_id=diagnostic.id),
    )


DiagnosticDep = Annotated[OpenDiagnostic, Depends(open_diagnostic)]
