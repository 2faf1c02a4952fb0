"""The group map (app/workshops/group.py): a participant answered on an older questionnaire
lands on the current ring of models."""

from __future__ import annotations

import pytest


def test_points_of_an_older_questionnaire_land_on_the_current_map(questionnaire):
    """A participant's barycentre computed on another ring of models (an older version with
    models in another order) is placed by its weights on the current ring."""
    from app.scoring.barycentre import Barycentre, pole_positions
    from app.workshops.group import on_current_map

    first, second = questionnaire.models[0], questionnaire.models[1]
    old = Barycentre(
        weights={first.id: 0.5, second.id: 0.5, "model_since_removed": 0.0},
        point=(9.0, 9.0),  # wherever the old ring put it
        dominant=first.id,
        runner_up=second.id,
        residual=0.0,
    )
    poles = pole_positions(len(questionnaire.models))
    placed = on_current_map(questionnaire, old)
    assert placed.point == pytest.approx(
        ((poles[0][0] + poles[1][0]) / 2, (poles[0][1] + poles[1][1]) / 2)
    )
    assert placed.weights == old.weights and placed.dominant == first.id
