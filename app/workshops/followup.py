"""Before/after of a follow-up session (pure functions: ids and numbers; the loading is
app/workshops/followup_view.py).

"Before" is a returning association's frozen result in the first session, "after" where it
stands in the follow-up (its frozen row once that session is frozen, else the live
diagnostic). The plan's progress follows the first session's frozen pistes into the current
plan: matched by card, else by title; a piste gone from the plan counts as dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.plan import PlanItem, matching_index
from app.questionnaire.model import Questionnaire
from app.scoring.result import DiagnosticResult
from app.workshops.group import on_current_map

PROGRESS_KINDS = ("done", "in_progress", "dropped", "not_started")


@dataclass(frozen=True)
class Side:
    """One end of the arrow: the point on the current map, the dominant model, lever scores."""

    point: tuple[float, float] | None
    dominant: str | None
    levers: dict[str, float | None]


@dataclass(frozen=True)
class PlanProgress:
    done: int = 0
    in_progress: int = 0
    dropped: int = 0
    not_started: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.dropped + self.not_started


@dataclass(frozen=True)
class BeforeAfter:
    """One returning association."""

    before: Side
    after: Side
    # Rounded after − before per lever id; None when either score is missing.
    deltas: dict[str, int | None]
    progress: PlanProgress

    @property
    def moved_model(self) -> bool:
        return self.before.dominant != self.after.dominant


def side_of(current: Questionnaire, result: DiagnosticResult) -> Side:
    barycentre = result.barycentre
    point = None
    if barycentre is not None:
        # Placed on the current questionnaire's map, like the board (the versions may differ).
        point = tuple(on_current_map(current, barycentre).point)
    return Side(
        point=point,
        dominant=barycentre.dominant if barycentre else None,
        levers={lever.id: lever.score for lever in result.levers},
    )


def lever_deltas(before: dict[str, float | None], after: dict[str, float | None]) -> dict:
    """Rounded score change per lever of either side (None when one side has no score)."""
    deltas: dict[str, int | None] = {}
    for lever_id in list(after) + [i for i in before if i not in after]:
        old, new = before.get(lever_id), after.get(lever_id)
        deltas[lever_id] = None if old is None or new is None else round(new) - round(old)
    return deltas


def plan_progress(frozen_plan: Sequence[dict[str, Any]], current: list[PlanItem]) -> PlanProgress:
    """Where the first session's pistes stand now. Each current piste answers for one frozen
    piste at most, so two frozen pistes with one title do not both count its status."""
    counts = dict.fromkeys(PROGRESS_KINDS, 0)
    remaining = list(current)
    for piste in frozen_plan:
        index = matching_index(piste.get("card"), piste.get("title") or "", remaining)
        if index is None:
            counts["dropped"] += 1
            continue
        status = remaining.pop(index).status
        counts[status if status in ("done", "in_progress", "dropped") else "not_started"] += 1
    return PlanProgress(**counts)


def compare(
    current: Questionnaire,
    *,
    before: DiagnosticResult,
    before_plan: Sequence[dict[str, Any]],
    after: DiagnosticResult,
    after_plan: list[PlanItem],
) -> BeforeAfter:
    before_side, after_side = side_of(current, before), side_of(current, after)
    return BeforeAfter(
        before=before_side,
        after=after_side,
        deltas=lever_deltas(before_side.levers, after_side.levers),
        progress=plan_progress(before_plan, after_plan),
    )


def signed(delta: int | None) -> str:
    """ "+12", "−3", "0", or "—" without a score (a true minus sign, read as such)."""
    if delta is None:
        return "—"
    if delta > 0:
        return f"+{delta}"
    if delta < 0:
        return f"−{-delta}"
    return "0"
