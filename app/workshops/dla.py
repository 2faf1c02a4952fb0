"""One participant as the DLA's reporting needs them (pure): profile (sector, territory,
budget band, employer or not), indicators, lever and sub-scores, the partial flag, and the
chosen pistes (the diagnostic's action plan), each respecting the participant's sharing choice.

Anonymous participants keep their categorical profile (coarse choice lists that a DLA counts)
but lose everything typed in their own words: the association's name, a piste of their own, the
first step, owner and help, any of which can name the association or a person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.plan import PlanItem
from app.questionnaire.model import Questionnaire
from app.workshops.group import MemberView

# Indicators worth a column, in this order; shares are fractions in the result, percentages here.
SHARE_INDICATORS = (
    "diversification",
    "largest_source_share",
    "largest_funder_share",
    "exchange_share",
    "volunteering_share",
)
NUMBER_INDICATORS = ("reserve_months", "total_resources")


@dataclass(frozen=True)
class RoundOutcome:
    """What a participant's co-development round produced, beyond the pistes (which are the
    action plan): the problem brought, the peers' suggestions and the pitch feedback."""

    problem: str | None = None
    suggestions: tuple[str, ...] = ()
    pitch_feedback: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class DlaRecord:
    number: int
    named: bool
    association: str | None
    sector: str | None  # choice ids; labels are the edge's job
    territory: str | None
    budget_band: str | None
    employees: int | None
    employer: bool | None  # None when the head count was not answered
    progress_percent: int
    partial: bool  # some lever rests on only part of its sub-dimensions, or answers are missing
    dominant: str | None
    runner_up: str | None
    atypicality: float | None
    weights: dict[str, float]  # model id -> percent
    levers: dict[str, float | None]
    subscores: dict[tuple[str, str], float | None]
    indicators: dict[str, float | None]  # shares in percent, others as computed
    chosen: list[dict[str, Any]] = field(default_factory=list)
    outcome: RoundOutcome = field(default_factory=RoundOutcome)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "association": self.association,
            "sharing": "named" if self.named else "anonymous",
            "sector": self.sector,
            "territory": self.territory,
            "budget_band": self.budget_band,
            "employees": self.employees,
            "employer": self.employer,
            "progress_percent": self.progress_percent,
            "partial": self.partial,
            "dominant_model": self.dominant,
            "runner_up_model": self.runner_up,
            "atypicality": self.atypicality,
            "weights_percent": self.weights,
            "levers": self.levers,
            "subscores": {
                lever: {sub: score for (lv, sub), score in self.subscores.items() if lv == lever}
                for lever in self.levers
            },
            "indicators": self.indicators,
            # Everything a co-development round produced, in one place. Words typed about an
            # anonymous participant (their problem, the suggestions made to them) can name
            # them: like their own pistes, they stay out of the export.
            "round": round_entry(
                self.chosen,
                problem=self.outcome.problem if self.named else None,
                suggestions=list(self.outcome.suggestions) if self.named else [],
                pitch_feedback=list(self.outcome.pitch_feedback) if self.named else [],
            ),
            "frozen_at": None,  # set once results can be frozen
        }


def round_entry(
    chosen: list[dict[str, Any]],
    problem: str | None = None,
    suggestions: list[Any] | None = None,
    pitch_feedback: list[Any] | None = None,
) -> dict[str, Any]:
    return {
        "problem": problem,
        "suggestions": suggestions or [],
        "chosen": chosen,
        "pitch_feedback": pitch_feedback or [],
    }


def shared_piste(item: PlanItem, named: bool) -> dict[str, Any]:
    """A chosen piste as the group may see it: all of it when named; for an anonymous
    participant only the catalogue card (its title from the card) and the date."""
    if named:
        return item.to_json()
    return {
        "card": item.card,
        "title": item.title if item.card else None,
        "first_step": None,
        "owner": None,
        "due": item.due.isoformat() if item.due else None,
        "help": None,
    }


def _choice(answers: dict[str, Any], question_id: str | None) -> str | None:
    value = answers.get(question_id) if question_id else None
    return value if isinstance(value, str) else None


def dla_record(
    view: MemberView, plan: list[PlanItem], outcome: RoundOutcome | None = None
) -> DlaRecord:
    questionnaire: Questionnaire = view.questionnaire
    roles = questionnaire.definition.roles
    answers = view.answers
    employees = answers.get(roles.employees) if roles.employees else None
    if isinstance(employees, bool) or not isinstance(employees, int):
        employees = None
    barycentre = view.barycentre
    indicators = view.result.indicators
    shares = {
        name: None if indicators.get(name) is None else round(indicators[name] * 100, 1)
        for name in SHARE_INDICATORS
    }
    numbers = {
        name: None if indicators.get(name) is None else round(float(indicators[name]), 1)
        for name in NUMBER_INDICATORS
    }
    partial = bool(view.progress.missing_required) or any(
        lever.partial for lever in view.result.levers
    )
    return DlaRecord(
        number=view.number,
        named=view.named,
        association=view.association_name,
        sector=_choice(answers, roles.sector),
        territory=_choice(answers, roles.territory),
        budget_band=_choice(answers, roles.budget_band),
        employees=employees,
        employer=None if employees is None else employees > 0,
        progress_percent=view.progress.percent,
        partial=partial,
        dominant=barycentre.dominant if barycentre else None,
        runner_up=barycentre.runner_up if barycentre else None,
        atypicality=round(barycentre.atypicality, 4) if barycentre else None,
        weights={
            model_id: round(weight * 100, 1)
            for model_id, weight in (barycentre.weights.items() if barycentre else [])
        },
        levers={
            lever.id: None if lever.score is None else round(lever.score, 1)
            for lever in view.result.levers
        },
        subscores={
            (lever.id, sub.id): None if sub.score is None else round(sub.score, 1)
            for lever in view.result.levers
            for sub in lever.subscores
        },
        indicators={**shares, **numbers},
        chosen=[shared_piste(item, view.named) for item in plan],
        outcome=outcome or RoundOutcome(),
    )
