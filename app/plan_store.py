"""The action plan and the pitch sheet's settings in the database. Keyword-only, one
transaction each; a plan is replaced as a whole, so a refused request leaves it untouched."""

from __future__ import annotations

import json

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.crud import DiagnosticGone, _upsert
from app.db import write_session
from app.locks import lock_diagnostic
from app.models import ActionPlan, ActionPlanItem, PitchSetting, utcnow
from app.plan import PlanItem


def load_plan(*, engine: Engine, diagnostic_id: int) -> list[PlanItem]:
    with Session(engine) as session:
        rows = session.execute(
            select(ActionPlanItem)
            .join(ActionPlan, ActionPlan.id == ActionPlanItem.plan_id)
            .where(ActionPlan.diagnostic_id == diagnostic_id)
            .order_by(ActionPlanItem.position)
        ).scalars()
        return [_item(row) for row in rows]


def load_plans(*, engine: Engine, diagnostic_ids: list[int]) -> dict[int, list[PlanItem]]:
    """The plans of several diagnostics in one query (a workshop's exports)."""
    found: dict[int, list[PlanItem]] = {diagnostic_id: [] for diagnostic_id in diagnostic_ids}
    if not diagnostic_ids:
        return found
    with Session(engine) as session:
        rows = session.execute(
            select(ActionPlan.diagnostic_id, ActionPlanItem)
            .join(ActionPlan, ActionPlan.id == ActionPlanItem.plan_id)
            .where(ActionPlan.diagnostic_id.in_(diagnostic_ids))
            .order_by(ActionPlan.diagnostic_id, ActionPlanItem.position)
        ).all()
        for diagnostic_id, row in rows:
            found[diagnostic_id].append(_item(row))
    return found


def save_plan(*, engine: Engine, diagnostic_id: int, items: list[PlanItem]) -> None:
    """Replace the diagnostic's plan (no items: no plan). Raises DiagnosticGone when the
    diagnostic was deleted in the meantime."""
    try:
        _save_plan(engine, diagnostic_id, items)
    except IntegrityError as error:
        raise DiagnosticGone(diagnostic_id) from error


def _save_plan(engine: Engine, diagnostic_id: int, items: list[PlanItem]) -> None:
    now = utcnow()
    insert = _upsert(engine.dialect.name)
    with write_session(engine) as session:
        # The diagnostic's row first (app/locks.py).
        if lock_diagnostic(session, diagnostic_id=diagnostic_id, touch=now) is None:
            raise DiagnosticGone(diagnostic_id)
        if not items:
            session.execute(delete(ActionPlan).where(ActionPlan.diagnostic_id == diagnostic_id))
            session.commit()
            return
        session.execute(
            insert(ActionPlan)
            .values(diagnostic_id=diagnostic_id, updated_at=now)
            .on_conflict_do_update(index_elements=["diagnostic_id"], set_={"updated_at": now})
        )
        plan_id = session.execute(
            select(ActionPlan.id).where(ActionPlan.diagnostic_id == diagnostic_id)
        ).scalar_one()
        session.execute(delete(ActionPlanItem).where(ActionPlanItem.plan_id == plan_id))
        for position, item in enumerate(items):
            session.add(
                ActionPlanItem(
                    plan_id=plan_id,
                    position=position,
                    card_id=item.card,
                    title=item.title,
                    first_step=item.first_step,
                    owner=item.owner,
                    due=item.due,
                    help=item.help,
                    status=item.status,
                )
            )
        session.commit()


# --- Pitch sheet settings ------------------------------------------------------------------


def load_pitch_setting(*, engine: Engine, diagnostic_id: int) -> tuple[list[str], str]:
    """(hidden block ids, contact line)."""
    with Session(engine) as session:
        row = session.get(PitchSetting, diagnostic_id)
        if row is None:
            return [], ""
        return json.loads(row.hidden_blocks_json), row.contact


def save_pitch_setting(
    *, engine: Engine, diagnostic_id: int, hidden_blocks: list[str], contact: str
) -> None:
    now = utcnow()
    insert = _upsert(engine.dialect.name)
    hidden = json.dumps(sorted(set(hidden_blocks)))
    try:
        with write_session(engine) as session:
            # The diagnostic's row first (app/locks.py); gone: the insert's foreign key says so.
            lock_diagnostic(session, diagnostic_id=diagnostic_id, touch=now)
            session.execute(
                insert(PitchSetting)
                .values(
                    diagnostic_id=diagnostic_id,
                    hidden_blocks_json=hidden,
                    contact=contact,
                    updated_at=now,
                )
                .on_conflict_do_update(
                    index_elements=["diagnostic_id"],
                    set_={"hidden_blocks_json": hidden, "contact": contact, "updated_at": now},
                )
            )
            session.commit()
    except IntegrityError as error:
        raise DiagnosticGone(diagnostic_id) from error


def _item(row: ActionPlanItem) -> PlanItem:
    return PlanItem(
        card=row.card_id,
        title=row.title,
        first_step=row.first_step,
        owner=row.owner,
        due=row.due,
        help=row.help,
        status=row.status,
    )
