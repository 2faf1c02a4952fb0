"""The before/after of a follow-up session as the pages show it: which participants return
(the same diagnostic in both sessions), their frozen and current results, their plans.
Loads from the database and the questionnaire store; the comparison is
app/workshops/followup.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from app.models import Workshop
from app.plan import PlanItem
from app.plan_store import load_plans
from app.questionnaire.model import Questionnaire
from app.report.charts import marker_letter
from app.scoring.result import compute_result
from app.workshops import followup_link, storage
from app.workshops.followup import BeforeAfter, compare, signed
from app.workshops.freeze import frozen_of
from app.workshops.group import member_view


@dataclass(frozen=True)
class Returning:
    """A returning association as the follow-up shows it (its number and sharing choice are
    the follow-up's)."""

    member: storage.GroupMember
    # The association's name if named in the follow-up, else "Participant n° 3".
    label: str
    figures: BeforeAfter
    # "After" read from the follow-up's frozen row (else the live diagnostic).
    after_frozen: bool

    @property
    def number(self) -> int:
        return self.member.number

    @property
    def named(self) -> bool:
        return self.member.named


@dataclass(frozen=True)
class FollowUp:
    first: Workshop
    # Whether the first session's results are frozen: without it there is no "before".
    first_frozen: bool
    returning: list[Returning]
    # Participants of the follow-up who were not in the first session.
    newcomers: int


def follow_up(
    *,
    engine: Engine,
    for_snapshot: Callable[[int], Questionnaire],
    current: Questionnaire,
    workshop: Workshop,
    first: Workshop,
) -> FollowUp:
    members = storage.group_members(engine=engine, workshop_id=workshop.id)
    first_frozen = first.frozen_at is not None
    before_rows = {
        row.diagnostic_id: row for row in frozen_of(engine=engine, workshop_id=first.id).values()
    }
    after_rows = frozen_of(engine=engine, workshop_id=workshop.id) if workshop.frozen_at else {}
    back = [m for m in members if m.diagnostic_id in before_rows]
    live_ids = [m.diagnostic_id for m in back if m.participant_id not in after_rows]
    answers = storage.answers_of(engine=engine, diagnostic_ids=live_ids)
    plans = load_plans(engine=engine, diagnostic_ids=live_ids)
    returning = []
    for member in back:
        before = before_rows[member.diagnostic_id]
        before_result = compute_result(for_snapshot(before.snapshot_id), before.answers)
        frozen_after = after_rows.get(member.participant_id)
        if frozen_after is not None:
            after_result = compute_result(
                for_snapshot(frozen_after.snapshot_id), frozen_after.answers
            )
            after_plan = [PlanItem.from_json(piste) for piste in frozen_after.plan]
            after_answers = frozen_after.answers
            after_questionnaire = for_snapshot(frozen_after.snapshot_id)
        else:
            after_result = compute_result(
                for_snapshot(member.snapshot_id), answers[member.diagnostic_id]
            )
            after_plan = plans[member.diagnostic_id]
            after_answers = answers[member.diagnostic_id]
            after_questionnaire = for_snapshot(member.snapshot_id)
        figures = compare(
            current,
            before=before_result,
            before_plan=before.plan,
            after=after_result,
            after_plan=after_plan,
        )
        label = member_view(member, after_questionnaire, after_answers, after_result).label
        returning.append(Returning(member, label, figures, frozen_after is not None))
    return FollowUp(
        first=first,
        first_frozen=first_frozen,
        returning=returning,
        newcomers=len(members) - len(back),
    )


def load_follow_up(state: Any, workshop: Workshop) -> FollowUp | None:
    """The before/after of a follow-up session from the app's state (engine, questionnaire
    store); None when it follows no first session, or that session was deleted."""
    first = followup_link.first_session(engine=state.engine, workshop=workshop)
    if first is None:
        return None
    return follow_up(
        engine=state.engine,
        for_snapshot=state.store.for_snapshot,
        current=state.store.current,
        workshop=workshop,
        first=first,
    )


def lever_columns(current: Questionnaire) -> list[tuple[str, str]]:
    """The levers' ids and labels, in the current questionnaire's order."""
    return [(lever.id, lever.label.get(None)) for lever in current.definition.levers]


def _model(current: Questionnaire, model_id: str | None) -> dict[str, Any] | None:
    if model_id is None:
        return None
    model = current.model_by_id.get(model_id)
    if model is None:
        return {"number": "?", "name": model_id}
    return {"number": model.number, "name": (model.short_name or model.name).get(None)}


def table_rows(current: Questionnaire, returning: list[Returning]) -> list[dict[str, Any]]:
    """What the before/after table shows per returning association (labels in the reader's
    language)."""
    levers = lever_columns(current)
    rows = []
    for item in returning:
        figures = item.figures
        rows.append(
            {
                "number": item.number,
                "letter": marker_letter(item.number),
                "label": item.label,
                "after_frozen": item.after_frozen,
                "levers": [
                    {
                        "label": label,
                        "before": figures.before.levers.get(lever_id),
                        "after": figures.after.levers.get(lever_id),
                        "delta": figures.deltas.get(lever_id),
                        "signed": signed(figures.deltas.get(lever_id)),
                    }
                    for lever_id, label in levers
                ],
                "model_before": _model(current, figures.before.dominant),
                "model_after": _model(current, figures.after.dominant),
                "moved": figures.moved_model,
                "progress": figures.progress,
            }
        )
    return rows
