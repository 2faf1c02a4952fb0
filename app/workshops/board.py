"""A workshop's group as the counsellor's screens and exports read it: members, results, the
group map, plans and the board's version. Shared by the workshop routes (board, rounds, pitch,
exports) and the personal-data export, so no route module borrows from another.

`Board` holds what these reads need from the application (the engine, the questionnaire store,
the result cache); routes get one through `app.deps.BoardDep`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Engine

from app.i18n import current_language
from app.models import Workshop
from app.plan import PlanItem
from app.report.charts import group_map_svg
from app.store import QuestionnaireStore
from app.workshops import rounds, synthesis
from app.workshops.dla import shared_piste
from app.workshops.group import (
    GroupSummary,
    MemberView,
    ResultCache,
    member_views,
    on_current_map,
    summarise,
)
from app.workshops.opening import PARIS
from app.workshops.source import GroupSource, group_source, plans_of
from app.workshops.storage import GroupMember


@dataclass(frozen=True)
class Board:
    engine: Engine
    store: QuestionnaireStore
    results: ResultCache

    def source(self, workshop: Workshop) -> GroupSource:
        """The workshop's members, answers and plans: live, or frozen once its results are."""
        return group_source(
            engine=self.engine, workshop_id=workshop.id, frozen_at=workshop.frozen_at
        )

    def views(
        self,
        workshop: Workshop,
        members: list[GroupMember] | None = None,
        source: GroupSource | None = None,
        budget: int | None = None,
        stale: list[int] | None = None,
    ) -> list[MemberView]:
        if source is None:
            source = self.source(workshop)
        if members is None:
            members = source.members
        return member_views(
            members, self.store.for_snapshot, source.answers, self.results, budget, stale
        )

    def summary(
        self,
        workshop: Workshop,
        members: list[GroupMember] | None = None,
        include_partial: bool = False,
        source: GroupSource | None = None,
        budget: int | None = None,
        stale: list[int] | None = None,
    ) -> GroupSummary:
        return summarise(
            self.store.current,
            self.views(workshop, members, source, budget, stale),
            include_partial=include_partial,
        )

    def map_svg(self, summary: GroupSummary, id_prefix: str = "group-map") -> Markup:
        current = self.store.current
        points = [
            (v.number, v.label, on_current_map(current, v.barycentre))
            for v in summary.members
            if v.barycentre
        ]
        return group_map_svg(current, points, id_prefix=id_prefix)

    def plans(self, summary: GroupSummary) -> dict[int, list[PlanItem]]:
        members = [view.member for view in summary.members]
        return plans_of(engine=self.engine, members=members)

    def member_plan(self, member: GroupMember) -> list[PlanItem]:
        """The participant's plan as this workshop shows it (frozen with their result, or
        live)."""
        return plans_of(engine=self.engine, members=[member])[member.diagnostic_id]

    def shared_pistes(self, summary: GroupSummary) -> dict[int, list[dict[str, Any]]]:
        """Participant number -> chosen pistes as the group may see them (sharing respected)."""
        plans = self.plans(summary)
        # Dates back to dates: the PDF writes them the reader's way.
        return {
            view.number: [
                {**piste, "due": date.fromisoformat(piste["due"]) if piste["due"] else None}
                for piste in map(
                    lambda item: shared_piste(item, view.named), plans[view.member.diagnostic_id]
                )
            ]
            for view in summary.members
        }

    def synthesis_rounds(
        self, workshop: Workshop, summary: GroupSummary
    ) -> list[synthesis.RoundSection]:
        """Each round held in this workshop, for the synthesis (sharing respected)."""
        held = set(rounds.rounds_by_participant(engine=self.engine, workshop_id=workshop.id))
        outcomes = rounds.round_outcomes(engine=self.engine, participant_ids=sorted(held))
        return synthesis.round_sections(summary, held, outcomes, self.plans(summary))


def board_version(workshop: Workshop, members: list[GroupMember]) -> str:
    """Changes whenever anything the board shows may have changed: a poll carrying the current
    version gets 204 and htmx leaves the page alone (no flicker, focus kept, no render)."""
    # The language too: a tab switched to English must not be told "nothing new" (204).
    parts = [workshop.title, str(workshop.is_open), str(len(members)), current_language()]
    # Frozen or live, and since when: a freeze changes what the board reads, not the members.
    parts.append(workshop.frozen_at.isoformat() if workshop.frozen_at else "live")
    for m in members:
        parts.append(f"{m.participant_id}:{m.sharing}:{m.updated_at.isoformat()}:{m.snapshot_id}")
        parts.append("agreed" if m.present_consent else "-")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def last_activity(members: list[GroupMember]) -> datetime | None:
    moments = [max(m.updated_at, m.joined_at) for m in members]
    return max(moments).astimezone(PARIS) if moments else None
