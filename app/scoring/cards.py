"""Select the lever cards whose YAML rule holds, rank them and say why each one is here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.questionnaire.conditions import ConditionContext, evaluate, held_tests
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Condition, LeverCard
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


def _subject_key(test: Condition) -> tuple:
    """Tests with the same key get the same reason text (cards share subjects: the main worry,
    the number of employees...), so each is formatted once per result."""
    wanted = test.value if test.op == "contains" else None
    return (
        test.question,
        test.indicator,
        test.lever,
        test.model,
        test.dominant_model,
        tuple(wanted) if isinstance(wanted, list) else wanted,
    )


def _reasons(
    questionnaire: Questionnaire,
    card: LeverCard,
    context: ConditionContext,
    lang: str,
    cache: dict[tuple, dict[str, str] | None],
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
        key = _subject_key(test)
        if key not in cache:
            cache[key] = reason_for(questionnaire, test, context, lang)
        reason = cache[key]
        if reason is None or reason["ref"] in seen:
            continue
        seen.add(reason["ref"])
        reasons.append(dict(reason))
        if len(reasons) == MAX_REASONS:
            break
    return reasons


def select_cards(
    questionnaire: Questionnaire, context: ConditionContext, limit: int = 8, lang: str = "fr"
) -> list[SelectedCard]:
    held = [card for card in questionnaire.definition.cards if evaluate(card.when, context)]
    weighted = [(card_weight(card, context), index, card) for index, card in enumerate(held)]
    # Highest weight first; YAML order breaks ties so the expert controls the order.
    weighted.sort(key=lambda item: (-item[0], item[1]))
    cache: dict[tuple, dict[str, str] | None] = {}
    return [
        SelectedCard(
            card=card,
            priority=rank,
            weight=weight,
            featured=rank <= FEATURED,
            reasons=_reasons(questionnaire, card, context, lang, cache),
        )
        for rank, (weight, _, card) in enumerate(weighted[:limit], start=1)
    ]
