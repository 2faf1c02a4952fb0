"""What goes back to a participant: the group as they may see it (each other participant named
only if they chose so, no group figure under MIN_GROUP participants) and their own round and
pistes. One view-model for the group page and the take-away PDF."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from markupsafe import Markup

from app.plan import PlanItem
from app.report.charts import group_map_svg
from app.workshops import rounds
from app.workshops.dla import round_entry, shared_piste
from app.workshops.group import GroupSummary, member_views, on_current_map, summarise
from app.workshops.source import group_source

# Under this many participants a mean or a map point is one association's own figure: the
# group page shows no figures at all, and a lever mean needs this many scores.
MIN_GROUP = 3


@dataclass
class PeerView:
    number: int
    label: str  # the name only when that participant chose to be named
    is_self: bool
    pistes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SharedGroup:
    size: int
    show_figures: bool
    summary: GroupSummary
    peers: list[PeerView]
    own_number: int
    own_pistes: list[PlanItem]
    # The participant's own round: its problem, the suggestions made and the pitch feedback
    # (all theirs to read), with the pistes they chose.
    round: dict[str, Any]
    map_svg: Markup | None

    @property
    def weak_spots(self) -> list:
        """Only those scored by enough participants: one low score alone is someone's own."""
        return [spot for spot in self.summary.weak_spots if spot.scored >= MIN_GROUP]


def _dated(piste: dict[str, Any]) -> dict[str, Any]:
    # Dates back to dates: pages and PDFs write them the reader's way.
    return {**piste, "due": date.fromisoformat(piste["due"]) if piste["due"] else None}


def _own_round(
    state: Any, summary: GroupSummary, own_number: int, own_pistes: list[PlanItem]
) -> dict[str, Any]:
    own = [v.member.participant_id for v in summary.members if v.number == own_number]
    outcome = rounds.round_outcomes(engine=state.engine, participant_ids=own).get(
        own[0] if own else -1
    )
    return round_entry(
        [item.to_json() for item in own_pistes],
        problem=outcome.problem if outcome else None,
        suggestions=list(outcome.suggestions) if outcome else [],
        pitch_feedback=list(outcome.pitch_feedback) if outcome else [],
    )


def load_summary(state: Any, workshop_id: int) -> GroupSummary:
    """The group as the counsellor's board computes it (current questionnaire, partial lever
    scores left out of the group's figures; the frozen results once the workshop's are)."""
    source = group_source(engine=state.engine, workshop_id=workshop_id)
    views = member_views(source.members, state.store.for_snapshot, source.answers, state.results)
    return summarise(state.store.current, views)


def shared_group(
    state: Any, summary: GroupSummary, own_number: int, plans: dict[int, list[PlanItem]]
) -> SharedGroup:
    size = len(summary.members)
    peers = []
    own_pistes: list[PlanItem] = []
    for view in summary.members:
        items = plans.get(view.member.diagnostic_id, [])
        is_self = view.number == own_number
        if is_self:
            own_pistes = items
        peers.append(
            PeerView(
                number=view.number,
                label=view.label,
                is_self=is_self,
                pistes=[
                    _dated(item.to_json() if is_self else shared_piste(item, view.named))
                    for item in items
                ],
            )
        )
    show = size >= MIN_GROUP
    map_svg = None
    if show and summary.placed >= MIN_GROUP:
        current = state.store.current
        points = [
            (v.number, v.label, on_current_map(current, v.barycentre))
            for v in summary.members
            if v.barycentre
        ]
        map_svg = group_map_svg(current, points, id_prefix="shared-map")
    return SharedGroup(
        size=size,
        show_figures=show,
        summary=summary,
        peers=peers,
        own_number=own_number,
        own_pistes=own_pistes,
        round=_own_round(state, summary, own_number, own_pistes),
        map_svg=map_svg,
    )
