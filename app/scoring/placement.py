"""Two placements on the same prototypes (with valued volunteering, and on money alone) and
the two-question table of resources (who brings them x in exchange for a service or not)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app.questionnaire.model import Questionnaire
from app.scoring.barycentre import Barycentre, compute_barycentre
from app.scoring.profile import resource_profile

MATRIX_ROWS = ("members", "public", "private")
MATRIX_COLUMNS = ("exchange", "no_exchange")


@dataclass(frozen=True)
class Placement:
    with_volunteering: Barycentre
    # None when the association has no money at all (volunteering only).
    money_only: Barycentre | None

    @property
    def volunteering_changes_dominant(self) -> bool:
        return (
            self.money_only is not None
            and self.money_only.dominant != self.with_volunteering.dominant
        )

    def to_json(self) -> dict:
        def view(barycentre: Barycentre | None) -> dict | None:
            if barycentre is None:
                return None
            return {"weights": barycentre.weights, "dominant": barycentre.dominant}

        return {
            "with_volunteering": view(self.with_volunteering),
            "money_only": view(self.money_only),
            "volunteering_changes_dominant": self.volunteering_changes_dominant,
        }


def money_sources(questionnaire: Questionnaire) -> list[str]:
    return [s.id for s in questionnaire.sources if s.brought_by != "volunteers"]


# Questionnaires are long-lived snapshots: their money prototypes are computed once each.
@lru_cache(maxsize=32)
def money_prototypes(questionnaire: Questionnaire) -> dict[str, dict[str, float]]:
    """Each prototype restricted to the money sources and rescaled to sum to 1: the same
    models, seen as a funder reads them. A prototype with no money at all keeps zeros."""
    money = money_sources(questionnaire)
    restricted = {}
    for model in questionnaire.models:
        shares = {s: model.prototype.get(s, 0.0) for s in money}
        total = sum(shares.values())
        restricted[model.id] = {s: v / total for s, v in shares.items()} if total > 0 else shares
    return restricted


def compute_placement(
    questionnaire: Questionnaire, amounts: dict[str, float], with_volunteering: Barycentre
) -> Placement:
    money = money_sources(questionnaire)
    money_profile = resource_profile({s: amounts.get(s, 0.0) for s in money})
    money_only = (
        compute_barycentre(money_profile, money_prototypes(questionnaire))
        if money_profile is not None
        else None
    )
    return Placement(with_volunteering=with_volunteering, money_only=money_only)


def resource_matrix(
    questionnaire: Questionnaire, amounts: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Share of all resources in each cell of the two-question table; all 0 without resources.

    Sources without a row (see ResourceSource.matrix_row) are counted in the total but in no
    cell, so the cells may add up to less than 1.
    """
    matrix = {row: {column: 0.0 for column in MATRIX_COLUMNS} for row in MATRIX_ROWS}
    total = sum(amounts.values())
    if total <= 0:
        return matrix
    for source in questionnaire.sources:
        row = source.matrix_row
        amount = amounts.get(source.id, 0.0)
        if row is None or amount <= 0:
            continue
        column = "exchange" if source.in_exchange else "no_exchange"
        matrix[row][column] += amount / total
    return matrix
