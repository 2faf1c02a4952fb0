"""Where a workshop's group is read from: its participants' live diagnostics, or, once the
workshop's results are frozen, the rows frozen then. Every screen and export of a workshop (the
board and its polls, the projection, round screens, the participants' group page and take-away,
the CSV, JSON and PDF exports) takes its members, answers and plans from here, so a frozen
workshop never shows a later edit anywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import ParticipantFreeze, Workshop
from app.plan import PlanItem
from app.plan_store import load_plans
from app.workshops.freeze import Frozen, frozen_of
from app.workshops.storage import GroupMember, answers_of, group_members


@dataclass(frozen=True)
class GroupSource:
    """A workshop's members with their answers and plans, live or frozen."""

    engine: Engine
    members: list[GroupMember]
    frozen_at: datetime | None = None
    frozen: dict[int, Frozen] = field(default_factory=dict)  # by participant id

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def answers(self, diagnostic_ids: list[int]) -> dict[int, dict[str, Any]]:
        if not self.is_frozen:
            return answers_of(engine=self.engine, diagnostic_ids=diagnostic_ids)
        found = {f.diagnostic_id: f for f in self.frozen.values()}
        return {i: dict(found[i].answers) if i in found else {} for i in diagnostic_ids}

    def plans(self, members: list[GroupMember] | None = None) -> dict[int, list[PlanItem]]:
        return plans_of(engine=self.engine, members=self.members if members is None else members)


_UNKNOWN: Any = object()


def group_source(
    *, engine: Engine, workshop_id: int, frozen_at: datetime | None = _UNKNOWN
) -> GroupSource:
    """The workshop's group as it must be shown: live, or as frozen at `frozen_at` (the
    workshop's own column, passed by a caller who holds the workshop, read here otherwise).

    A frozen member carries the frozen snapshot, change stamp and partner request, and its
    `frozen_at`: the result cache keeps frozen and live results of one diagnostic apart. The
    sharing choice stays live: a participant who turns anonymous later is anonymous here too.
    Someone present but not frozen (none, as freezing closes the workshop first) is left out:
    they were not part of the results frozen."""
    if frozen_at is _UNKNOWN:
        with Session(engine) as session:
            frozen_at = session.execute(
                select(Workshop.frozen_at).where(Workshop.id == workshop_id)
            ).scalar_one_or_none()
    members = group_members(engine=engine, workshop_id=workshop_id)
    if frozen_at is None:
        return GroupSource(engine=engine, members=members)
    frozen = frozen_of(engine=engine, workshop_id=workshop_id)
    kept = [
        replace(
            member,
            snapshot_id=row.snapshot_id,
            updated_at=row.diagnostic_updated_at,
            partner_request=row.partner_request,
            frozen_at=row.frozen_at,
        )
        for member in members
        if (row := frozen.get(member.participant_id)) is not None
    ]
    return GroupSource(engine=engine, members=kept, frozen_at=frozen_at, frozen=frozen)


def plans_of(*, engine: Engine, members: list[GroupMember]) -> dict[int, list[PlanItem]]:
    """Each member's plan by diagnostic id: frozen for a member read from frozen results, live
    otherwise (the member says which, so a caller never mixes a frozen result with a live plan)."""
    live = [m.diagnostic_id for m in members if m.frozen_at is None]
    frozen = {m.participant_id: m.diagnostic_id for m in members if m.frozen_at is not None}
    found = load_plans(engine=engine, diagnostic_ids=live) if live else {}
    if frozen:
        with Session(engine) as session:
            rows = session.execute(
                select(ParticipantFreeze.participant_id, ParticipantFreeze.plan_json).where(
                    ParticipantFreeze.participant_id.in_(list(frozen))
                )
            ).all()
        found.update({frozen[pid]: [] for pid in frozen})
        for participant_id, plan_json in rows:
            found[frozen[participant_id]] = [PlanItem.from_json(p) for p in json.loads(plan_json)]
    return found
