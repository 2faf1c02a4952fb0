"""Put the pieces together: answers in, a complete diagnostic result out (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.i18n import resolve
from app.questionnaire.conditions import ConditionContext, missing_required, visible_answers
from app.questionnaire.model import Questionnaire
from app.scoring.barycentre import Barycentre, compute_barycentre
from app.scoring.cards import SelectedCard, select_cards
from app.scoring.completeness import Completeness, measure_completeness
from app.scoring.indicators import compute_indicators
from app.scoring.levers import LeverScore, score_levers
from app.scoring.placement import Placement, compute_placement, resource_matrix
from app.scoring.profile import resource_amounts, resource_profile


@dataclass
class DiagnosticResult:
    amounts: dict[str, float]
    profile: dict[str, float] | None
    barycentre: Barycentre | None
    levers: list[LeverScore]
    indicators: dict[str, Any]
    cards: list[SelectedCard]
    missing_required: list[str]
    lang: str | None = None
    # With valued volunteering and on money alone; None without any resource.
    placement: Placement | None = None
    # members/public/private -> exchange/no_exchange -> share of all resources.
    resource_matrix: dict[str, dict[str, float]] | None = None
    completeness: Completeness | None = None

    def lever(self, lever_id: str) -> LeverScore:
        return next(lever for lever in self.levers if lever.id == lever_id)

    def to_json(self) -> dict:
        return {
            "amounts": self.amounts,
            "profile": self.profile,
            "barycentre": self.barycentre.to_json() if self.barycentre else None,
            "levers": {lever.id: lever.to_json() for lever in self.levers},
            "indicators": self.indicators,
            "cards": [
                {
                    "id": card.id,
                    "title": card.title.get(self.lang),
                    "kind": card.kind,
                    "lever": card.lever,
                    "what": card.what.get(self.lang),
                    "why": card.why.get(self.lang),
                    "skills": [s.get(self.lang) for s in card.skills],
                    "risks": [r.get(self.lang) for r in card.risks],
                    "help": [h.get(self.lang) for h in card.help],
                    "priority": card.priority,
                    "featured": card.featured,
                    "reasons": card.reasons,
                }
                for card in self.cards
            ],
            "missing_required": self.missing_required,
            "placement": self.placement.to_json() if self.placement else None,
            "resource_matrix": self.resource_matrix,
            "completeness": self.completeness.to_json() if self.completeness else None,
        }


def compute_result(
    questionnaire: Questionnaire, answers: dict[str, Any], lang: str | None = None
) -> DiagnosticResult:
    lang = resolve(lang)  # labels in the current language unless one is given
    shown = visible_answers(questionnaire, answers)
    amounts = resource_amounts(questionnaire, shown)
    profile = resource_profile(amounts)
    barycentre = (
        compute_barycentre(profile, {m.id: m.prototype for m in questionnaire.models})
        if profile is not None
        else None
    )
    indicators = compute_indicators(questionnaire, shown, amounts, profile)
    indicators["residual"] = barycentre.residual if barycentre else None
    levers = score_levers(questionnaire, shown, indicators, lang)
    lever_scores: dict[str, float | None] = {}
    for lever in levers:
        lever_scores[lever.id] = lever.score
        for sub in lever.subscores:
            lever_scores[f"{lever.id}.{sub.id}"] = sub.score
    context = ConditionContext(
        answers=shown,
        indicators=indicators,
        lever_scores=lever_scores,
        model_weights=barycentre.weights if barycentre else {},
        dominant_model=barycentre.dominant if barycentre else None,
    )
    return DiagnosticResult(
        amounts=amounts,
        profile=profile,
        barycentre=barycentre,
        levers=levers,
        indicators=indicators,
        cards=select_cards(questionnaire, context, lang=lang),
        missing_required=[q.id for q in missing_required(questionnaire, answers)],
        lang=lang,
        placement=compute_placement(questionnaire, amounts, barycentre) if barycentre else None,
        resource_matrix=resource_matrix(questionnaire, amounts),
        completeness=measure_completeness(questionnaire, answers),
    )
