"""Select the lever cards whose YAML rule holds for this diagnostic."""

from __future__ import annotations

from app.questionnaire.conditions import ConditionContext, evaluate
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import LeverCard


def select_cards(
    questionnaire: Questionnaire, context: ConditionContext, limit: int = 8
) -> list[LeverCard]:
    selected = [card for card in questionnaire.definition.cards if evaluate(card.when, context)]
    # Highest priority first; YAML order breaks ties so the expert controls the order.
    selected.sort(key=lambda card: -card.priority)
    return selected[:limit]
