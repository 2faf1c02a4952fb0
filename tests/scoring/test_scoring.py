"""Scoring: barycentre properties (hypothesis), indicators, lever scores and cards."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring.barycentre import compute_barycentre, pole_positions
from app.scoring.result import compute_result
from tests.utils.answers import full_answers, resource_answers


def prototypes_of(questionnaire):
    return {m.id: m.prototype for m in questionnaire.models}


def full_profile(questionnaire, shares):
    return {s.id: shares.get(s.id, 0.0) for s in questionnaire.sources}


def test_a_profile_equal_to_each_prototype_sits_on_its_pole(questionnaire):
    poles = pole_positions(len(questionnaire.models))
    for index, model in enumerate(questionnaire.models):
        barycentre = compute_barycentre(
            full_profile(questionnaire, model.prototype), prototypes_of(questionnaire)
        )
        assert barycentre.weights[model.id] >= 0.99
        assert barycentre.dominant == model.id
        assert barycentre.point == pytest.approx(poles[index], abs=0.01)
        assert barycentre.residual == pytest.approx(0, abs=1e-6)


def test_a_half_and_half_mix_of_two_prototypes_gets_half_weights(questionnaire):
    models = questionnaire.models
    for first in models:
        for second in models:
            if first.id >= second.id:
                continue
            mix = {
                s.id: 0.5 * first.prototype.get(s.id, 0) + 0.5 * second.prototype.get(s.id, 0)
                for s in questionnaire.sources
            }
            weights = compute_barycentre(mix, prototypes_of(questionnaire)).weights
            assert weights[first.id] == pytest.approx(0.5, abs=0.02)
            assert weights[second.id] == pytest.approx(0.5, abs=0.02)


profiles = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=9,
    max_size=9,
).filter(lambda values: sum(values) > 0)


@settings(max_examples=150, deadline=None)
@given(amounts=profiles)
def test_weights_are_non_negative_sum_to_one_and_are_deterministic(questionnaire, amounts):
    source_ids = [s.id for s in questionnaire.sources]
    total = sum(amounts)
    profile = {s: a / total for s, a in zip(source_ids, amounts, strict=False)}
    profile.update({s: 0.0 for s in source_ids[len(amounts) :]})
    first = compute_barycentre(profile, prototypes_of(questionnaire))
    second = compute_barycentre(profile, prototypes_of(questionnaire))
    assert first == second
    assert all(w >= 0 for w in first.weights.values())
    assert sum(first.weights.values()) == pytest.approx(1, abs=1e-5)
    assert all(math.isfinite(c) and -1.0001 <= c <= 1.0001 for c in first.point)
    assert first.residual >= 0
    assert first.weights[first.dominant] == max(first.weights.values())


@settings(max_examples=100, deadline=None)
@given(
    weights=st.lists(st.floats(min_value=0, max_value=1), min_size=7, max_size=7).filter(
        lambda w: sum(w) > 0.01
    )
)
def test_any_mix_of_prototypes_is_recovered(questionnaire, weights):
    total = sum(weights)
    weights = [w / total for w in weights]
    matrix = np.array(
        [[m.prototype.get(s.id, 0) for s in questionnaire.sources] for m in questionnaire.models]
    )
    profile_vector = np.array(weights) @ matrix
    profile = dict(zip([s.id for s in questionnaire.sources], profile_vector, strict=True))
    barycentre = compute_barycentre(profile, prototypes_of(questionnaire))
    recovered = [barycentre.weights[m.id] for m in questionnaire.models]
    assert recovered == pytest.approx(weights, abs=0.02)


def test_volunteers_only_and_no_money_gives_a_valid_result(questionnaire):
    answers = {"benevolat_heures": 2000}
    result = compute_result(questionnaire, answers)
    assert result.barycentre is not None
    assert sum(result.barycentre.weights.values()) == pytest.approx(1, abs=1e-5)
    assert result.indicators["volunteering_share"] == pytest.approx(1)
    assert result.indicators["exchange_share"] is None
    assert result.indicators["monetary_resources"] == 0
    assert result.to_json()["barycentre"]["dominant"] in {m.id for m in questionnaire.models}


def test_no_answer_at_all_gives_a_result_without_barycentre(questionnaire):
    result = compute_result(questionnaire, {})
    assert result.barycentre is None
    assert all(lever.score is None for lever in result.levers)
    assert questionnaire.definition.roles.association_name in result.missing_required


def test_valued_volunteering_is_hours_times_the_reference_value(questionnaire):
    rate = questionnaire.questions["benevolat_valeur_horaire"].default
    result = compute_result(questionnaire, {"benevolat_heures": 100})
    assert result.amounts["benevolat_valorise"] == pytest.approx(100 * rate)
    edited = compute_result(
        questionnaire, {"benevolat_heures": 100, "benevolat_valeur_horaire": 20}
    )
    assert edited.amounts["benevolat_valorise"] == pytest.approx(2000)
    typed = compute_result(questionnaire, {"benevolat_heures": 100, "benevolat_valorise": 500})
    assert typed.amounts["benevolat_valorise"] == 500


def test_percentages_are_turned_into_euros_with_the_budget(questionnaire):
    answers = resource_answers(questionnaire, {"subventions": 0.6, "ventes": 0.4}, total=100)
    answers["ressources_unite"] = "percent"
    answers["budget_annuel"] = 200_000
    answers["benevolat_valorise"] = 50_000
    result = compute_result(questionnaire, answers)
    assert result.amounts["subventions"] == pytest.approx(120_000)
    assert result.indicators["volunteering_share"] == pytest.approx(0.2)


def test_indicators_of_a_known_profile(questionnaire):
    answers = resource_answers(
        questionnaire, {"subventions": 0.5, "ventes": 0.25, "dons": 0.25}, total=120_000
    )
    roles = questionnaire.definition.roles
    answers.update(
        {roles.annual_costs: 120_000, roles.cash_reserves: 30_000, roles.largest_funder_share: 40}
    )
    indicators = compute_result(questionnaire, answers).indicators
    assert indicators["hhi"] == pytest.approx(0.375)
    assert indicators["diversification"] == pytest.approx(0.625)
    assert indicators["largest_source"] == "subventions"
    assert indicators["exchange_share"] == pytest.approx(0.25)
    assert indicators["general_interest"] is True
    assert indicators["reserve_months"] == pytest.approx(3)
    assert indicators["largest_funder_share"] == pytest.approx(0.4)


def test_lever_scores_are_between_0_and_100_with_drivers(questionnaire):
    result = compute_result(questionnaire, full_answers(questionnaire))
    assert len(result.levers) == 3
    for lever in result.levers:
        assert lever.score is not None and 0 <= lever.score <= 100
        for sub in lever.subscores:
            assert sub.score is None or 0 <= sub.score <= 100
            if sub.score is not None:
                assert sub.drivers
    assert result.cards, "a complete diagnostic gets at least one suggestion"


def test_better_answers_give_a_higher_lever_score(questionnaire):
    def best_or_worst(pick):
        answers = full_answers(questionnaire)
        for question in questionnaire.questions.values():
            for rule in question.scoring:
                if rule.lever == "richesses_humaines" and question.type in (
                    "single_choice",
                    "likert",
                ):
                    option_ids = [o.id for o in questionnaire.options(question)]
                    points = rule.points or {o: i for i, o in enumerate(option_ids)}
                    answers[question.id] = pick(points, key=points.get)
        return compute_result(questionnaire, answers).lever("richesses_humaines").score

    assert best_or_worst(max) > best_or_worst(min)


def test_hidden_questions_are_not_scored(questionnaire):
    hidden = next(q for q in questionnaire.questions.values() if q.show_if and q.scoring)
    rule = hidden.scoring[0]
    value = max(rule.points, key=rule.points.get) if rule.points else rule.bands[-1].min or 0
    result = compute_result(questionnaire, {hidden.id: value})
    drivers = [d.source for lever in result.levers for s in lever.subscores for d in s.drivers]
    assert hidden.id not in drivers


def card_ids(questionnaire, answers) -> list[str]:
    return [card.id for card in compute_result(questionnaire, answers).cards]


def test_cards_follow_their_yaml_rules(questionnaire):
    """The cash-buffer card comes when reserves are short, and goes when they are not."""
    roles = questionnaire.definition.roles
    comfortable = {
        **full_answers(questionnaire),
        roles.annual_costs: 120_000,
        roles.cash_reserves: 120_000,  # twelve months
        "retards_versements": "jamais",
        "inquietude_principale": "essoufflement_benevoles",
    }
    assert "reconstituer_tresorerie" not in card_ids(questionnaire, comfortable)
    short = {**comfortable, roles.cash_reserves: 15_000}  # a month and a half
    assert compute_result(questionnaire, short).indicators["reserve_months"] == pytest.approx(1.5)
    assert "reconstituer_tresorerie" in card_ids(questionnaire, short)
    late_payments = {**comfortable, "retards_versements": "souvent"}
    assert "reconstituer_tresorerie" in card_ids(questionnaire, late_payments)


def test_cards_are_ranked_by_priority_and_capped(questionnaire):
    cards = compute_result(questionnaire, full_answers(questionnaire)).cards
    assert 0 < len(cards) <= 8
    assert [card.priority for card in cards] == list(range(1, len(cards) + 1))
    weights = [card.weight for card in cards]
    assert weights == sorted(weights, reverse=True)
    assert [card.featured for card in cards] == [rank <= 3 for rank in range(1, len(cards) + 1)]
