"""Database operations on diagnostics and answers. Keyword-only, one transaction each."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import first_detached, write_session
from app.models import (
    ActionPlan,
    ActionPlanItem,
    Answer,
    Diagnostic,
    PitchSetting,
    QuestionnaireSnapshot,
    utcnow,
)
from app.questionnaire.answers import EMPTY
from app.questionnaire.model import Questionnaire

TOKEN_BYTES = 24  # 192 bits
# What a token can be: URL-safe base64 (what new_token draws), at most 64 characters. Anything
# else is not looked up at all; a NUL byte, for one, makes PostgreSQL refuse the query.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _snapshot_id(session: Session, digest: str) -> int | None:
    return session.execute(
        select(QuestionnaireSnapshot.id).where(QuestionnaireSnapshot.content_hash == digest)
    ).scalar_one_or_none()


def ensure_snapshot(*, engine: Engine, questionnaire: Questionnaire) -> int:
    """Store the definition once per distinct content; return its id."""
    digest = questionnaire.content_hash
    with Session(engine) as session:
        if (found := _snapshot_id(session, digest)) is not None:
            return found
    try:
        with write_session(engine) as session:
            if (found := _snapshot_id(session, digest)) is not None:
                return found
            snapshot = QuestionnaireSnapshot(
                questionnaire_id=questionnaire.id,
                version=questionnaire.version,
                content_hash=digest,
                definition_json=json.dumps(questionnaire.to_json(), ensure_ascii=False),
            )
            session.add(snapshot)
            session.commit()
            return snapshot.id
    except IntegrityError:
        # Another instance, starting with the same new version, stored it first.
        with Session(engine) as session:
            return _snapshot_id(session, digest)


def load_snapshot_definition(*, engine: Engine, snapshot_id: int) -> dict | None:
    with Session(engine) as session:
        snapshot = session.get(QuestionnaireSnapshot, snapshot_id)
        return json.loads(snapshot.definition_json) if snapshot else None


def create_diagnostic(*, engine: Engine, snapshot_id: int) -> Diagnostic:
    with write_session(engine) as session:
        diagnostic = Diagnostic(token=new_token(), snapshot_id=snapshot_id)
        session.add(diagnostic)
        session.commit()
        session.refresh(diagnostic)
        session.expunge(diagnostic)
        return diagnostic


def get_diagnostic(*, engine: Engine, token: str) -> Diagnostic | None:
    if not _TOKEN.fullmatch(token):
        return None
    with Session(engine) as session:
        return first_detached(session, select(Diagnostic).where(Diagnostic.token == token))


def load_answers(*, engine: Engine, diagnostic_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        rows = session.execute(
            select(Answer.question_id, Answer.value_json).where(
                Answer.diagnostic_id == diagnostic_id
            )
        ).all()
    return {question_id: json.loads(value) for question_id, value in rows}


def _upsert(dialect_name: str):
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


class DiagnosticGone(LookupError):
    """The diagnostic was deleted while a request was working on it."""


def save_answers(*, engine: Engine, diagnostic_id: int, values: dict[str, Any]) -> None:
    """Upsert each value (delete it when EMPTY) in one write transaction. Raises DiagnosticGone
    when the diagnostic was deleted in the meantime (the foreign key refuses the answers)."""
    if not values:
        return
    try:
        _save_answers(engine, diagnostic_id, values)
    except IntegrityError as error:
        raise DiagnosticGone(diagnostic_id) from error


def _save_answers(engine: Engine, diagnostic_id: int, values: dict[str, Any]) -> None:
    now = utcnow()
    insert = _upsert(engine.dialect.name)
    with write_session(engine) as session:
        # The diagnostic's row is locked first, as delete_diagnostic does: the same lock order
        # in both, so a save racing a delete waits for it instead of deadlocking (PostgreSQL).
        session.execute(
            update(Diagnostic).where(Diagnostic.id == diagnostic_id).values(updated_at=now)
        )
        for question_id, value in values.items():
            if value is EMPTY:
                session.execute(
                    delete(Answer).where(
                        Answer.diagnostic_id == diagnostic_id, Answer.question_id == question_id
                    )
                )
                continue
            value_json = json.dumps(value, ensure_ascii=False)
            statement = insert(Answer).values(
                diagnostic_id=diagnostic_id,
                question_id=question_id,
                value_json=value_json,
                updated_at=now,
            )
            session.execute(
                statement.on_conflict_do_update(
                    index_elements=["diagnostic_id", "question_id"],
                    set_={"value_json": value_json, "updated_at": now},
                )
            )
        session.commit()


def delete_diagnostic(
    *, engine: Engine, diagnostic_id: int, only_if: ColumnElement[bool] | None = None
) -> bool:
    """Delete the diagnostic, its answers and (by cascade) its workshop links. `only_if` (the
    retention purge: "still untouched") is checked on the locked row, so a save that got in
    first keeps the diagnostic. Returns whether it was deleted."""
    with write_session(engine) as session:
        # Lock the diagnostic before its answers, in the same order as saves (see above).
        locking = select(Diagnostic.id).where(Diagnostic.id == diagnostic_id)
        if only_if is not None:
            locking = locking.where(only_if)
        if session.execute(locking.with_for_update()).first() is None:
            return False
        session.execute(delete(Answer).where(Answer.diagnostic_id == diagnostic_id))
        # The action plan and the pitch settings (the foreign keys cascade too: explicit, like
        # the answers, so no database setting decides it).
        plans = select(ActionPlan.id).where(ActionPlan.diagnostic_id == diagnostic_id)
        session.execute(delete(ActionPlanItem).where(ActionPlanItem.plan_id.in_(plans)))
        session.execute(delete(ActionPlan).where(ActionPlan.diagnostic_id == diagnostic_id))
        session.execute(delete(PitchSetting).where(PitchSetting.diagnostic_id == diagnostic_id))
        session.execute(delete(Diagnostic).where(Diagnostic.id == diagnostic_id))
        session.commit()
        return True


def set_partner_request(*, engine: Engine, diagnostic_id: int, text: str) -> None:
    """The pitch sheet's "what we look for from partners"; counts as a change to the diagnostic."""
    with write_session(engine) as session:
        session.execute(
            update(Diagnostic)
            .where(Diagnostic.id == diagnostic_id)
            .values(partner_request=text, updated_at=utcnow())
        )
        session.commit()
