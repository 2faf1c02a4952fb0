"""Select the lever cards whose YAML rule holds, rank them and say why each one is here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.questionnaire.conditions import ConditionContext, evaluate, held_tests
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import LeverCard
from app.scoring.reasons import reason_for

FEATURED = 3  # pistes shown first; the others are folded below
MAX_REASONS = 5


@dataclass
class SelectedCard:
    """A card kept for this diagnostic: its rank (`priority`, 1 = first), whether it is one of
    the featured few, its weight and the answers and figures that brought it here.

    Attribute access falls through to the YAML card (title, what, skills...) so pages and
    reports read it like a LeverCard."""

    card: LeverCard
    priority: int
    weight: int
    featured: bool
    reasons: list[dict[str, str]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        if name == "card":  # not set yet (copy, pickle): avoid recursing
            raise AttributeError(name)
        return getattr(self.card, name)


def card_weight(card: LeverCard, context: ConditionContext) -> int:
    return card.priority + sum(r.add for r in card.priority_rules if evaluate(r.when, context))


def _reasons(
    questionnaire: Questionnaire, card: LeverCard, context: ConditionContext, lang: str
) -> list[dict[str, str]]:
    # What made the card hold first, then what raised its priority (the main worry...).
    tests = held_tests(card.when, context)
    for rule in card.priority_rules:
        tests.extend(held_tests(rule.when, context))
    reasons: list[dict[str, str]] = []
    seen: set[str] = set()
    for test in tests:
        if test.quiet:
            continue
        reason = reason_for(questionnaire, test, context, lang)
        if reason is None or reason["ref"] in seen:
            continue
        seen.add(reason["ref"])
        reasons.append(reason)
    return reasons[:MAX_REASONS]


def select_cards(
    questionnaire: Questionnaire, context: ConditionContext, limit: int = 8, lang: str = "fr"
) -> list[SelectedCard]:
    held = [card for card in questionnaire.definition.cards if evaluate(card.when, context)]
    weighted = [(card_weight(card, context), index, card) for index, card in enumerate(held)]
    # Highest weight first; YAML order breaks ties so the expert controls the order.
    weighted.sort(key=lambda item: (-item[0], item[1]))
    return [
        SelectedCard(
            card=card,
            priority=rank,
            weight=weight,
            featured=rank <= FEATURED,
            reasons=_reasons(questionnaire, card, context, lang),
        )
        for rank, (weight, _, card) in enumerate(weighted[:limit], start=1)
    ]
