"""Row locks, and the one order every write transaction takes them in."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, bindparam, select, update
from sqlalchemy.orm import Session

from app.models import Diagnostic

_DIAGNOSTIC = Diagnostic.__table__


def lock_diagnostic(
    db: Session | Connection,
    *,
    diagnostic_id: int | None = None,
    token: str | None = None,
    touch: datetime | None = None,
    only_if: ColumnElement[bool] | None = None,
) -> Row[Any] | None:
    """Lock the diagnostic's row (found by id or by token) for the rest of the transaction;
    its (id, snapshot_id), or None when there is no such row (or `only_if` does not hold).

    `touch`: the write is activity (an answer, a plan, joining a workshop): the lock is taken
    by setting `updated_at` to `touch` (UPDATE ... RETURNING, one statement). Without it (a
    delete, the retention purge) the row is locked as it is (SELECT ... FOR UPDATE), and
    `only_if` ("still untouched since the cutoff") is checked on the locked row, so a save
    that got in first keeps the diagnostic.

    THE LOCK ORDER. Every write transaction that touches a diagnostic takes its locks in this
    order, and only this order:

    1. the diagnostic's row (this function): saves of answers (`crud.save_answers`,
       `crud.save_by_token`), of the plan and the pitch sheet (`plan_store`), joining a
       workshop (`workshops.storage`), deleting a diagnostic and the retention purge
       (`crud.delete_diagnostic`);
    2. then the workshop's row (`workshops.storage._lock_workshop`, `_next_number`; deleting a
       workshop and the purge of stale workshops lock it first, as they lock no diagnostic);
    3. then the rows that hang off them: answers, plans, participants.

    Why: on PostgreSQL two transactions taking the same two locks in opposite orders deadlock
    (one is killed with an error the user sees); in one order, the second waits for the first
    and then finds the row changed or gone (a save racing a delete reports the diagnostic as
    gone, 404, instead of a foreign-key error; the purge keeps a diagnostic saved meanwhile).
    On SQLite a write transaction holds the whole database from BEGIN IMMEDIATE (app/db.py),
    so the order costs nothing there and keeps one code path for both."""
    by_token = token is not None
    params: dict[str, Any] = {"p_key": token if by_token else diagnostic_id}
    if touch is not None:
        params["p_now"] = touch
        statement = _touch(by_token)
    elif only_if is None:
        statement = _select_for_update(by_token)
    else:
        statement = _select_for_update(by_token).where(only_if)
    return db.execute(statement, params).first()


def _key(by_token: bool):
    return (_DIAGNOSTIC.c.token if by_token else _DIAGNOSTIC.c.id) == bindparam("p_key")


# Built once per shape: SQLAlchemy then finds their compiled form in its cache (building the
# statements anew on each save cost more than running them; see crud._save_statements).
@cache
def _touch(by_token: bool):
    return (
        update(_DIAGNOSTIC)
        .values(updated_at=bindparam("p_now"))
        .where(_key(by_token))
        .returning(_DIAGNOSTIC.c.id, _DIAGNOSTIC.c.snapshot_id)
    )


@cache
def _select_for_update(by_token: bool):
    return (
        select(_DIAGNOSTIC.c.id, _DIAGNOSTIC.c.snapshot_id).where(_key(by_token)).with_for_update()
    )
