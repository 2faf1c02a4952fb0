"""The group's picture for the counsellor: each participant's progress and result, and what
the group has in common (pure functions, plus a small cache of per-participant results)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from statistics import mean
from typing import Any

from app.i18n import _, current_language
from app.progress import Progress
from app.questionnaire.model import Questionnaire
from app.report.charts import marker_letter
from app.scoring.barycentre import Barycentre, pole_positions
from app.scoring.result import DiagnosticResult, compute_result
from app.workshops.storage import GroupMember

# A lever or sub-dimension scored under this by a participant counts as one of their weak spots.
WEAK_SCORE = 50


@dataclass(frozen=True)
class MemberView:
    """One participant as the group sees them: named only if they chose so."""

    member: GroupMember
    label: str
    association_name: str | None  # None when anonymous, whatever was answered
    progress: Progress
    result: DiagnosticResult
    questionnaire: Questionnaire
    answers: dict[str, Any]

    @property
    def number(self) -> int:
        return self.member.number

    @property
    def named(self) -> bool:
        return self.member.named

    @property
    def marker(self) -> str:
        return marker_letter(self.member.number)

    @property
    def partial(self) -> bool:
        """Some lever score rests on only part of its sub-dimensions."""
        return any(lever.partial for lever in self.result.levers)

    @property
    def barycentre(self) -> Barycentre | None:
        return self.result.barycentre

    def lever_score(self, lever_id: str) -> float | None:
        return next((lever.score for lever in self.result.levers if lever.id == lever_id), None)

    def lever_partial(self, lever_id: str) -> bool:
        """The participant's score on this lever rests on only some of its sub-dimensions."""
        return any(lever.partial for lever in self.result.levers if lever.id == lever_id)

    def counted_score(self, lever_id: str, include_partial: bool) -> float | None:
        """The score as the group's figures count it: a partial one only when asked."""
        if not include_partial and self.lever_partial(lever_id):
            return None
        return self.lever_score(lever_id)


@dataclass(frozen=True)
class LeverSpread:
    id: str
    label: str
    mean: float | None
    lowest: float | None
    highest: float | None
    scored: int  # participants with a score on this lever
    weak: int  # participants under WEAK_SCORE
    weakest_for: int  # participants for whom it is their lowest lever
    left_out: int = 0  # partial scores kept out of these figures


@dataclass(frozen=True)
class WeakSpot:
    """A sub-dimension the group scores low on, common to several participants."""

    lever_label: str
    label: str
    mean: float
    weak: int
    scored: int


@dataclass
class GroupSummary:
    members: list[MemberView]
    levers: list[LeverSpread]
    dominant_counts: list[tuple[Any, int]]  # (model, participants), every model listed
    weak_spots: list[WeakSpot]
    placed: int = 0  # participants with a point on the map
    finished: int = 0  # participants with every part answered (Progress.complete)
    include_partial: bool = False  # partial lever scores count in the group's figures


def on_current_map(questionnaire: Questionnaire, barycentre: Barycentre) -> Barycentre:
    """The barycentre placed on the current questionnaire's map. Its point was computed on the
    poles of the questionnaire version the participant answered; if models were added, removed
    or reordered since, the same weights land elsewhere, so the point is recomputed from the
    weights of the models that still exist (matched by id)."""
    poles = pole_positions(len(questionnaire.models))
    kept = [
        (barycentre.weights.get(m.id, 0.0), pole)
        for m, pole in zip(questionnaire.models, poles, strict=True)
    ]
    total = sum(weight for weight, _pole in kept)
    if total <= 0:
        return barycentre
    x = sum(weight * px for weight, (px, _py) in kept) / total
    y = sum(weight * py for weight, (_px, py) in kept) / total
    return replace(barycentre, point=(x, y))


def member_label(number: int, name: str | None) -> str:
    return name if name else _("Participant n° %(num)s") % {"num": number}


def member_view(
    member: GroupMember,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    result: DiagnosticResult,
    progress: Progress | None = None,
) -> MemberView:
    name_role = questionnaire.definition.roles.association_name
    answered_name = answers.get(name_role) if name_role else None
    name = answered_name if member.named and isinstance(answered_name, str) else None
    return MemberView(
        member=member,
        label=member_label(member.number, name),
        association_name=name,
        progress=progress or Progress(questionnaire, answers),
        result=result,
        questionnaire=questionnaire,
        answers=answers,
    )


def _spread(values: list[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    return mean(values), min(values), max(values)


def summarise(
    questionnaire: Questionnaire, members: list[MemberView], include_partial: bool = False
) -> GroupSummary:
    """The group's levers side by side, the spread of dominant models and the weak spots
    shared by the most participants. `questionnaire` is the current one: its levers and models
    frame the summary; a participant on an older version is matched by ids.

    A lever score resting on only some of its sub-dimensions would pull the group's mean
    towards whatever was answered first: it stays out of the lever figures unless the
    counsellor includes it (`include_partial`)."""
    levers = []
    lowest_lever: dict[int, str] = {}
    for view in members:
        scored = [
            lv
            for lv in view.result.levers
            if lv.score is not None and (include_partial or not lv.partial)
        ]
        if len(scored) == len(view.result.levers) and scored:
            lowest_lever[view.number] = min(scored, key=lambda lv: lv.score).id
    for lever in questionnaire.definition.levers:
        scores = [
            s for v in members if (s := v.counted_score(lever.id, include_partial)) is not None
        ]
        left_out = 0
        if not include_partial:
            left_out = sum(
                1
                for v in members
                if v.lever_partial(lever.id) and v.lever_score(lever.id) is not None
            )
        average, lowest, highest = _spread(scores)
        levers.append(
            LeverSpread(
                id=lever.id,
                label=lever.label.get(current_language()),
                mean=average,
                lowest=lowest,
                highest=highest,
                scored=len(scores),
                weak=sum(1 for s in scores if s < WEAK_SCORE),
                weakest_for=sum(1 for lid in lowest_lever.values() if lid == lever.id),
                left_out=left_out,
            )
        )

    dominants: dict[str, int] = {}
    for view in members:
        if view.barycentre is not None:
            dominants[view.barycentre.dominant] = dominants.get(view.barycentre.dominant, 0) + 1
    dominant_counts = [(model, dominants.get(model.id, 0)) for model in questionnaire.models]

    by_subdimension: dict[tuple[str, str], list[float]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    for view in members:
        for lever in view.result.levers:
            if lever.partial and not include_partial:
                continue  # a partial lever stays out of every group figure, weak spots too
            for sub in lever.subscores:
                if sub.score is None:
                    continue
                key = (lever.id, sub.id)
                by_subdimension.setdefault(key, []).append(sub.score)
                labels.setdefault(key, (lever.label, sub.label))
    weak_spots = [
        WeakSpot(
            lever_label=labels[key][0],
            label=labels[key][1],
            mean=mean(scores),
            weak=sum(1 for s in scores if s < WEAK_SCORE),
            scored=len(scores),
        )
        for key, scores in by_subdimension.items()
    ]
    # Most shared first (how many are weak there), then lowest average.
    weak_spots = [s for s in weak_spots if s.weak]
    weak_spots.sort(key=lambda s: (-s.weak, s.mean))

    return GroupSummary(
        members=members,
        levers=levers,
        dominant_counts=dominant_counts,
        weak_spots=weak_spots[:5],
        placed=sum(1 for v in members if v.barycentre is not None),
        finished=sum(1 for v in members if v.progress.complete),
        include_partial=include_partial,
    )


@dataclass(frozen=True)
class CachedResult:
    answers: dict[str, Any]
    result: DiagnosticResult
    progress: Progress


class ResultCache:
    """Each participant's latest result, stamped with (last change, questionnaire snapshot): a
    dashboard polled every few seconds recomputes only those who saved something since. One
    entry per diagnostic, replaced when it changes, so the cache holds no stale results.

    A frozen workshop reads a diagnostic as it was frozen, another workshop reads it live: two
    entries then, keyed apart, so neither view is ever given the other's result."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._entries: OrderedDict[tuple[int, bool], tuple[tuple, CachedResult]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def stamp(member: GroupMember) -> tuple:
        # Results hold labels and readings in the reader's language.
        frozen = member.frozen_at.isoformat() if member.frozen_at else None
        return (member.updated_at.isoformat(), member.snapshot_id, current_language(), frozen)

    @staticmethod
    def key(member: GroupMember) -> tuple[int, bool]:
        return (member.diagnostic_id, member.frozen_at is not None)

    def get(self, member: GroupMember) -> CachedResult | None:
        with self._lock:
            found = self._entries.get(self.key(member))
            if found is None or found[0] != self.stamp(member):
                return None
            self._entries.move_to_end(self.key(member))
            return found[1]

    def latest(self, member: GroupMember) -> tuple[str, CachedResult] | None:
        """The last result kept for this diagnostic even if it changed since (same snapshot and
        language), with the moment of the change it reflects: for a board that refreshes only
        some results per poll (see member_views)."""
        with self._lock:
            found = self._entries.get(self.key(member))
        if found is None or found[0][1:] != self.stamp(member)[1:]:
            return None
        return found[0][0], found[1]

    def put(self, member: GroupMember, entry: CachedResult) -> None:
        with self._lock:
            self._entries[self.key(member)] = (self.stamp(member), entry)
            self._entries.move_to_end(self.key(member))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def member_views(
    members: list[GroupMember],
    questionnaire_for: Callable[[int], Questionnaire],
    load_answers: Callable[[list[int]], dict[int, dict[str, Any]]],
    cache: ResultCache,
    budget: int | None = None,
    stale: list[int] | None = None,
) -> list[MemberView]:
    """Views of every member, computing results only for those not in the cache.

    With a `budget`, at most that many changed results are recomputed (the stalest first); the
    others keep their last result, and their participant ids are added to `stale`. A room of
    40 typing at once otherwise recomputes 40 results on every poll of the board; this way the
    poll stays short and each result catches up within a few polls. A member never computed is
    always computed (there is nothing else to show)."""
    cached = {m.diagnostic_id: cache.get(m) for m in members}
    missing = [m for m in members if cached[m.diagnostic_id] is None]
    if budget is not None and len(missing) > budget:
        missing = _within_budget(missing, cache, cached, budget, stale)
    loaded = load_answers([m.diagnostic_id for m in missing]) if missing else {}
    views = []
    for member in members:
        questionnaire = questionnaire_for(member.snapshot_id)
        entry = cached[member.diagnostic_id]
        if entry is None:
            answers = loaded.get(member.diagnostic_id, {})
            entry = CachedResult(
                answers, compute_result(questionnaire, answers), Progress(questionnaire, answers)
            )
            cache.put(member, entry)
        views.append(
            member_view(member, questionnaire, entry.answers, entry.result, entry.progress)
        )
    return views


def _within_budget(
    missing: list[GroupMember],
    cache: ResultCache,
    cached: dict[int, CachedResult | None],
    budget: int,
    stale: list[int] | None,
) -> list[GroupMember]:
    """The members to recompute now: those never computed, then the stalest up to `budget`;
    the others get their last result in `cached`."""
    previous = {m.diagnostic_id: cache.latest(m) for m in missing}
    never = [m for m in missing if previous[m.diagnostic_id] is None]
    changed = sorted(
        (m for m in missing if previous[m.diagnostic_id] is not None),
        key=lambda m: previous[m.diagnostic_id][0],
    )
    room = max(0, budget - len(never))
    for member in changed[room:]:
        cached[member.diagnostic_id] = previous[member.diagnostic_id][1]
        if stale is not None:
            stale.append(member.participant_id)
    return never + changed[:room]
