"""Database operations on diagnostics and answers. Keyword-only, one transaction each."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import detached, first_detached, write_session, write_transaction
from app.locks import lock_diagnostic
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
# The tables, for the Core statements of the hot paths (the save, the read behind a token).
_DIAGNOSTIC = Diagnostic.__table__
_ANSWER = Answer.__table__


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
        return detached(session, diagnostic, refresh=True)


def get_diagnostic(*, engine: Engine, token: str) -> Diagnostic | None:
    if not _TOKEN.fullmatch(token):
        return None
    with Session(engine) as session:
        return first_detached(session, select(Diagnostic).where(Diagnostic.token == token))


def get_diagnostic_with_answers(
    *, engine: Engine, token: str
) -> tuple[Diagnostic, dict[str, Any]] | None:
    """The diagnostic behind a token and its answers, read on one connection in one
    transaction, with statements built once: every page behind a token reads this, the htmx
    save first of all (through the ORM session, the read cost several times its SQL)."""
    if not _TOKEN.fullmatch(token):
        return None
    statements = _read_statements()
    with engine.connect() as connection:
        row = connection.execute(statements.diagnostic, {"p_token": token}).first()
        if row is None:
            return None
        rows = connection.execute(statements.answers, {"p_id": row.id}).all()
    # Not attached to any session, like the detached rows the ORM read gave: for reading.
    diagnostic = Diagnostic(**row._mapping)
    return diagnostic, {question_id: json.loads(value) for question_id, value in rows}


@dataclass(frozen=True)
class _ReadStatements:
    diagnostic: Any
    answers: Any


@cache
def _read_statements() -> _ReadStatements:
    return _ReadStatements(
        diagnostic=select(_DIAGNOSTIC).where(_DIAGNOSTIC.c.token == bindparam("p_token")),
        answers=select(_ANSWER.c.question_id, _ANSWER.c.value_json).where(
            _ANSWER.c.diagnostic_id == bindparam("p_id")
        ),
    )


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
    when the diagnostic was deleted in the meantime."""
    if not values:
        return
    statements = _save_statements(engine.dialect.name)
    try:
        with write_transaction(engine) as connection:
            # The diagnostic's row first (app/locks.py). No row: deleted since the request
            # found it.
            now = utcnow()
            if lock_diagnostic(connection, diagnostic_id=diagnostic_id, touch=now) is None:
                raise DiagnosticGone(diagnostic_id)
            _write_values(connection, statements, diagnostic_id, values, now)
    except IntegrityError as error:  # the foreign key refused the answers: the same
        raise DiagnosticGone(diagnostic_id) from error


@dataclass(frozen=True)
class Located:
    """The diagnostic behind a token, found and locked by `save_by_token`."""

    id: int
    snapshot_id: int


def save_by_token(
    *,
    engine: Engine,
    token: str,
    prepare: Callable[[Located], tuple[dict[str, Any], Any]],
) -> tuple[Located, Any] | None:
    """The API's save in one write transaction: find the diagnostic by its token and lock its
    row (`lock_diagnostic`: UPDATE ... RETURNING, the row first as in every write), let
    `prepare(located)` validate the request against the diagnostic's questionnaire and return
    (values to store, anything for the caller), then store those values. None for an unknown
    token (nothing written). When there is nothing to store, the transaction is rolled back,
    so the diagnostic's `updated_at` (read by the retention purge) stays as it was."""
    if not _TOKEN.fullmatch(token):
        return None
    statements = _save_statements(engine.dialect.name)
    with write_transaction(engine) as connection:
        now = utcnow()
        found = lock_diagnostic(connection, token=token, touch=now)
        if found is None:
            return None
        located = Located(id=found[0], snapshot_id=found[1])
        values, outcome = prepare(located)
        if values:
            _write_values(connection, statements, located.id, values, now)
        else:
            connection.rollback()
        return located, outcome


@dataclass(frozen=True)
class _SaveStatements:
    upsert: Any
    delete: Any


@cache
def _save_statements(dialect_name: str) -> _SaveStatements:
    """The save's statements, built once per dialect (SQLAlchemy then finds their compiled
    form in its cache; building them anew on each save cost more than running them)."""
    insert = _upsert(dialect_name)(_ANSWER).values(
        diagnostic_id=bindparam("p_id"),
        question_id=bindparam("p_question"),
        value_json=bindparam("p_value"),
        updated_at=bindparam("p_now"),
    )
    return _SaveStatements(
        upsert=insert.on_conflict_do_update(
            index_elements=["diagnostic_id", "question_id"],
            set_={
                "value_json": insert.excluded.value_json,
                "updated_at": insert.excluded.updated_at,
            },
        ),
        delete=delete(_ANSWER).where(
            _ANSWER.c.diagnostic_id == bindparam("p_id"),
            _ANSWER.c.question_id == bindparam("p_question"),
        ),
    )


def _write_values(
    connection: Connection,
    statements: _SaveStatements,
    diagnostic_id: int,
    values: dict[str, Any],
    now,
) -> None:
    """Upsert each value, delete each EMPTY one, on the diagnostic whose row is locked."""
    upserts, deletes = [], []
    for question_id, value in values.items():
        if value is EMPTY:
            deletes.append({"p_id": diagnostic_id, "p_question": question_id})
        else:
            value_json = json.dumps(value, ensure_ascii=False)
            upserts.append(
                {
                    "p_id": diagnostic_id,
                    "p_question": question_id,
                    "p_value": value_json,
                    "p_now": now,
                }
            )
    # One parameter set: a plain execute (executemany costs more for a single row).
    if deletes:
        connection.execute(statements.delete, deletes[0] if len(deletes) == 1 else deletes)
    if upserts:
        connection.execute(statements.upsert, upserts[0] if len(upserts) == 1 else upserts)


def delete_diagnostic(
    *, engine: Engine, diagnostic_id: int, only_if: ColumnElement[bool] | None = None
) -> bool:
    """Delete the diagnostic, its answers and (by cascade) its workshop links. `only_if` (the
    retention purge: "still untouched") is checked on the locked row, so a save that got in
    first keeps the diagnostic. Returns whether it was deleted."""
    with write_session(engine) as session:
        # The diagnostic's row before its answers (app/locks.py).
        if lock_diagnostic(session, diagnostic_id=diagnostic_id, only_if=only_if) is None:
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
