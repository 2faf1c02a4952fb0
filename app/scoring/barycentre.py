"""Place a resource profile among the model types: barycentre weights and the map point.

The weights are the convex combination of the prototype profiles closest to the association's
profile in the least-squares sense (non-negative weights summing to 1). With affinely independent
prototypes (the loader checks) the answer is unique.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

# Weight of the "sum to one" row in the augmented least-squares system: large enough that the
# constraint holds to ~1e-9, small enough to keep the system well conditioned.
_SUM_ROW_WEIGHT = 1e4
# Largest distance between two points of the simplex: normalises the residual to 0..1.
_SIMPLEX_DIAMETER = math.sqrt(2)


# Below this weight the runner-up would read "0 %" or "1 %": not worth naming.
RUNNER_UP_MIN_WEIGHT = 0.01


@dataclass(frozen=True)
class Barycentre:
    weights: dict[str, float]
    point: tuple[float, float]
    dominant: str
    runner_up: str | None
    residual: float

    @property
    def runner_up_to_mention(self) -> str | None:
        """The runner-up model when its weight is worth a mention (at least 1 %): pages, the
        pitch sheet, the map's description and the PDF all say the same."""
        if self.runner_up and self.weights.get(self.runner_up, 0) >= RUNNER_UP_MIN_WEIGHT:
            return self.runner_up
        return None

    @property
    def atypicality(self) -> float:
        """0 = exactly a mix of model types, 1 = as far as two opposite profiles."""
        return min(1.0, self.residual / _SIMPLEX_DIAMETER)

    def to_json(self) -> dict:
        return {
            "weights": self.weights,
            "point": list(self.point),
            "dominant": self.dominant,
            "runner_up": self.runner_up,
            "residual": self.residual,
            "atypicality": self.atypicality,
        }


def simplex_least_squares(prototypes: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """argmin ||prototypes.T @ w - profile|| subject to w >= 0 and sum(w) = 1.

    prototypes: (models, sources); profile: (sources,). Returns (models,).
    """
    models = prototypes.shape[0]
    system = np.vstack([prototypes.T, np.full((1, models), _SUM_ROW_WEIGHT)])
    target = np.concatenate([profile, [_SUM_ROW_WEIGHT]])
    weights, _ = nnls(system, target)
    weights = np.clip(weights, 0.0, None)
    total = weights.sum()
    if total <= 0:  # cannot happen with the sum row, but never divide by zero
        return np.full(models, 1.0 / models)
    return weights / total


def pole_positions(count: int) -> list[tuple[float, float]]:
    """Model poles on a regular polygon of radius 1, the first at the top, clockwise."""
    return [
        (
            round(math.sin(2 * math.pi * i / count), 12),
            round(-math.cos(2 * math.pi * i / count), 12),
        )
        for i in range(count)
    ]


def compute_barycentre(
    profile: dict[str, float], prototypes: dict[str, dict[str, float]]
) -> Barycentre:
    """prototypes: model id -> {source id: share}, in map order."""
    source_ids = list(profile)
    model_ids = list(prototypes)
    matrix = np.array([[prototypes[m].get(s, 0.0) for s in source_ids] for m in model_ids])
    target = np.array([profile[s] for s in source_ids])
    raw = simplex_least_squares(matrix, target)
    residual = float(np.linalg.norm(matrix.T @ raw - target))
    weights = {m: round(float(w), 6) for m, w in zip(model_ids, raw, strict=True)}
    poles = pole_positions(len(model_ids))
    point = (
        round(float(sum(w * p[0] for w, p in zip(raw, poles, strict=True))), 6),
        round(float(sum(w * p[1] for w, p in zip(raw, poles, strict=True))), 6),
    )
    # Stable order: by weight, then by map order, so ties are deterministic.
    ranked = sorted(range(len(model_ids)), key=lambda i: (-raw[i], i))
    # Always named (even at weight 0) so clients can rely on it; pages hide a zero runner-up.
    runner_up = model_ids[ranked[1]] if len(ranked) > 1 else None
    return Barycentre(
        weights=weights,
        point=point,
        dominant=model_ids[ranked[0]],
        runner_up=runner_up,
        residual=round(residual, 6),
    )
