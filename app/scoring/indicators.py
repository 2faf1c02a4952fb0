"""Indicators of the resource structure and of financial resilience."""

from __future__ import annotations

from typing import Any

from app.questionnaire.model import Questionnaire
from app.scoring.profile import effective_number, resources_in_percent, volunteering_counted


def compute_indicators(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    amounts: dict[str, float],
    profile: dict[str, float] | None,
) -> dict[str, Any]:
    """Shares are fractions (0..1); amounts are euros (None when unknown)."""
    roles = questionnaire.definition.roles
    sources = questionnaire.source_by_id
    money = {s: a for s, a in amounts.items() if sources[s].brought_by != "volunteers"}
    money_total = sum(money.values())
    in_percent = resources_in_percent(questionnaire, answers)
    budget = answers.get(roles.annual_budget) if roles.annual_budget else None
    amounts_are_euros = not in_percent or bool(budget)

    indicators: dict[str, Any] = {
        "total_resources": sum(amounts.values()) if amounts_are_euros else None,
        "monetary_resources": money_total if amounts_are_euros else None,
        "exchange_share": None,
        "hhi": None,
        "diversification": None,
        "largest_source": None,
        "largest_source_share": None,
        "largest_funder_share": None,
        "volunteering_share": None,
        "reserve_months": None,
        "general_interest": None,
        # In percent mode, what the money percentages add up to (they should make 100).
        "percent_total": _percent_total(questionnaire, answers) if in_percent else None,
    }
    if money_total > 0:
        exchange = sum(a for s, a in money.items() if sources[s].in_exchange)
        indicators["exchange_share"] = exchange / money_total
        # A structure stays of general interest when it does not rely mainly on revenue
        # received in exchange for a service.
        indicators["general_interest"] = indicators["exchange_share"] < 0.5
    if profile is not None:
        hhi = sum(share * share for share in profile.values())
        largest = max(profile, key=lambda s: (profile[s], s))
        indicators.update(
            hhi=hhi,
            diversification=1 - hhi,
            largest_source=largest,
            largest_source_share=profile[largest],
            # Percentages without a budget leave volunteering given in euros out of the
            # profile (see resource_amounts): its share is then unknown, not zero.
            volunteering_share=sum(
                share for s, share in profile.items() if sources[s].brought_by == "volunteers"
            )
            if volunteering_counted(questionnaire, answers)
            else None,
        )
    funder = answers.get(roles.largest_funder_share) if roles.largest_funder_share else None
    if isinstance(funder, int | float):
        indicators["largest_funder_share"] = funder / 100
    reserves = answers.get(roles.cash_reserves) if roles.cash_reserves else None
    costs = answers.get(roles.annual_costs) if roles.annual_costs else None
    if not costs and amounts_are_euros:
        costs = money_total  # without costs, a year of resources is the best proxy
    if isinstance(reserves, int | float) and costs:
        indicators["reserve_months"] = reserves / (costs / 12)
    indicators.update(funding_indicators(questionnaire, money, amounts_are_euros))
    return indicators


def funding_indicators(
    questionnaire: Questionnaire, money: dict[str, float], amounts_are_euros: bool
) -> dict[str, float | None]:
    """Money by who brings it and for what, read from the sources' two questions (no source
    id in code). Amounts are euros (None when only percentages without a budget are known);
    shares are of the money (valued volunteering left out)."""
    sources = questionnaire.source_by_id
    total = sum(money.values())

    def amount(brought_by: str, in_exchange: bool) -> float:
        return sum(
            a
            for s, a in money.items()
            if sources[s].brought_by == brought_by and sources[s].in_exchange == in_exchange
        )

    subsidies = amount("public", False)
    public_exchange = amount("public", True)
    return {
        "subsidies_amount": subsidies if amounts_are_euros else None,
        "public_exchange_amount": public_exchange if amounts_are_euros else None,
        "subsidies_share": subsidies / total if total > 0 else None,
        "public_share": (subsidies + public_exchange) / total if total > 0 else None,
        "private_exchange_share": amount("private", True) / total if total > 0 else None,
    }


def _percent_total(questionnaire: Questionnaire, answers: dict[str, Any]) -> float | None:
    sources = questionnaire.source_by_id
    values = [
        effective_number(questionnaire, answers, question.id)
        for question in questionnaire.resource_questions()
        if sources[question.source].brought_by != "volunteers"
    ]
    answered = [value for value in values if value is not None]
    return sum(answered) if answered else None
