"""Frozen results: each participant's diagnostic as it stood when the counsellor froze the
workshop's results (closing a workshop freezes them too). A frozen workshop's board, round
screens and exports read these rows, so a participant's later edits change neither; the
follow-up session compares them with where the association stands months later.

The diagnostic itself stays the association's: they can go on editing it, and their other
workshops (a follow-up session, say) see it live.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from app.db import write_session
from app.models import Diagnostic, Participant, ParticipantFreeze, Workshop, utcnow
from app.plan_store import load_plans
from app.scoring.result import DiagnosticResult
from app.workshops.storage import WorkshopGone, answers_of


@dataclass(frozen=True)
class Frozen:
    """One participant's frozen diagnostic."""

    participant_id: int
    diagnostic_id: int
    frozen_at: datetime
    snapshot_id: int
    diagnostic_updated_at: datetime
    partner_request: str
    answers: dict[str, Any]
    # PlanItem.to_json() of each piste, in the plan's order.
    plan: list[dict[str, Any]]
    # result_figures() of the result at freezing time.
    result: dict[str, Any]


def result_figures(result: DiagnosticResult) -> dict[str, Any]:
    """The figures of a result worth keeping as they were: placement and lever scores (ids
    and numbers only; labels are the reader's language, added where shown)."""
    barycentre = result.barycentre
    return {
        "dominant": barycentre.dominant if barycentre else None,
        "runner_up": barycentre.runner_up_to_mention if barycentre else None,
        "weights": dict(barycentre.weights) if barycentre else None,
        "point": list(barycentre.point) if barycentre else None,
        "levers": {lever.id: lever.score for lever in result.levers},
        "partial_levers": [lever.id for lever in result.levers if lever.partial],
    }


def freeze_workshop(
    *,
    engine: Engine,
    workshop_id: int,
    figures_of: Callable[[int, dict[str, Any]], dict[str, Any]],
) -> datetime:
    """Freeze every current participant's answers, plan and result; replaces an earlier
    freeze. `figures_of(snapshot_id, answers)` computes result_figures (the caller owns the
    questionnaires). Raises WorkshopGone when the workshop was deleted meanwhile."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                Participant.id,
                Diagnostic.id,
                Diagnostic.snapshot_id,
                Diagnostic.updated_at,
                Diagnostic.partner_request,
            )
            .join(Diagnostic, Diagnostic.id == Participant.diagnostic_id)
            .where(Participant.workshop_id == workshop_id)
        ).all()
    diagnostic_ids = [row[1] for row in rows]
    answers = answers_of(engine=engine, diagnostic_ids=diagnostic_ids)
    plans = load_plans(engine=engine, diagnostic_ids=diagnostic_ids)
    # Results are computed before the write transaction: SQLite holds one writer at a time.
    now = utcnow()
    frozen = [
        ParticipantFreeze(
            participant_id=participant_id,
            workshop_id=workshop_id,
            frozen_at=now,
            snapshot_id=snapshot_id,
            diagnostic_updated_at=updated_at,
            partner_request=partner_request,
            answers_json=json.dumps(answers[diagnostic_id], ensure_ascii=False),
            plan_json=json.dumps(
                [item.to_json() for item in plans[diagnostic_id]], ensure_ascii=False
            ),
            result_json=json.dumps(figures_of(snapshot_id, answers[diagnostic_id])),
        )
        for participant_id, diagnostic_id, snapshot_id, updated_at, partner_request in rows
    ]
    with write_session(engine) as session:
        touched = session.execute(
            update(Workshop).where(Workshop.id == workshop_id).values(frozen_at=now)
        )
        if touched.rowcount == 0:
            raise WorkshopGone(workshop_id)
        session.execute(
            delete(ParticipantFreeze).where(ParticipantFreeze.workshop_id == workshop_id)
        )
        # A participant who left between the reads and now is not frozen back in.
        present = set(
            session.execute(
                select(Participant.id).where(Participant.workshop_id == workshop_id)
            ).scalars()
        )
        session.add_all(row for row in frozen if row.participant_id in present)
        session.commit()
    return now


def unfreeze_workshop(*, engine: Engine, workshop_id: int) -> None:
    """Back to live results: the frozen rows go."""
    with write_session(engine) as session:
        session.execute(update(Workshop).where(Workshop.id == workshop_id).values(frozen_at=None))
        session.execute(
            delete(ParticipantFreeze).where(ParticipantFreeze.workshop_id == workshop_id)
        )
        session.commit()


def frozen_of(*, engine: Engine, workshop_id: int) -> dict[int, Frozen]:
    """The frozen participants of a workshop, by participant id (empty when not frozen)."""
    with Session(engine) as session:
        rows = session.execute(
            select(ParticipantFreeze, Participant.diagnostic_id)
            .join(Participant, Participant.id == ParticipantFreeze.participant_id)
            .where(ParticipantFreeze.workshop_id == workshop_id)
        ).all()
        return {row.participant_id: _frozen(row, diagnostic_id) for row, diagnostic_id in rows}


def _frozen(row: ParticipantFreeze, diagnostic_id: int) -> Frozen:
    return Frozen(
        participant_id=row.participant_id,
        diagnostic_id=diagnostic_id,
        frozen_at=row.frozen_at,
        snapshot_id=row.snapshot_id,
        diagnostic_updated_at=row.diagnostic_updated_at,
        partner_request=row.partner_request,
        answers=json.loads(row.answers_json),
        plan=json.loads(row.plan_json),
        result=json.loads(row.result_json),
    )
