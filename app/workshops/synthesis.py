"""The co-development rounds as the counsellor's workshop synthesis PDF reports them (pure):
per participant who had a round, the problem they brought, the peers' suggestions and the
pistes they chose (the first of their action plan), each as that participant chose to share.

An anonymous presenter appears by number only, and the words typed about them (their problem,
the suggestions made to them, a piste of their own, its first step and owner) stay out, as in
the workshop's data export (dla.py): they can name the association or a person. What remains
is the number of suggestions and the catalogue pistes with their dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.plan import PlanItem
from app.workshops.dla import RoundOutcome, shared_piste
from app.workshops.group import GroupSummary
from app.workshops.rounds import MAX_CHOSEN


@dataclass(frozen=True)
class RoundSection:
    number: int
    marker: str
    label: str
    named: bool
    problem: str | None
    suggestions: tuple[str, ...]
    suggestion_count: int
    pistes: list[dict[str, Any]] = field(default_factory=list)


def _dated(piste: dict[str, Any]) -> dict[str, Any]:
    # Dates back to dates: the PDF writes them the reader's way.
    return {**piste, "due": date.fromisoformat(piste["due"]) if piste["due"] else None}


def round_sections(
    summary: GroupSummary,
    held: set[int],
    outcomes: dict[int, RoundOutcome],
    plans: dict[int, list[PlanItem]],
) -> list[RoundSection]:
    """One section per participant whose round was opened (`held`: participant ids), in the
    group's order. `plans` is keyed by diagnostic id; the round's choice is the plan's first
    MAX_CHOSEN pistes."""
    sections = []
    for view in summary.members:
        participant_id = view.member.participant_id
        if participant_id not in held:
            continue
        outcome = outcomes.get(participant_id) or RoundOutcome()
        chosen = plans.get(view.member.diagnostic_id, [])[:MAX_CHOSEN]
        sections.append(
            RoundSection(
                number=view.number,
                marker=view.marker,
                label=view.label,
                named=view.named,
                problem=outcome.problem if view.named else None,
                suggestions=outcome.suggestions if view.named else (),
                suggestion_count=len(outcome.suggestions),
                pistes=[_dated(shared_piste(item, view.named)) for item in chosen],
            )
        )
    return sections
