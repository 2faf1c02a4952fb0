"""Score drivers go the right way: only what earns most of its points lifts a score; a middle
or low answer holds it back, with what would raise it."""

from __future__ import annotations

from app.report.pdf import lever_views
from app.scoring.result import compute_result


def views(questionnaire, answers):
    result = compute_result(questionnaire, answers, "fr")
    return {
        sub.label: sub
        for lever in lever_views(questionnaire, result.levers, "fr")
        for sub in lever.subscores
    }


def sub_of(questionnaire, question_id):
    rule = questionnaire.questions[question_id].scoring[0]
    lever = questionnaire.lever_by_id[rule.lever]
    return next(s.label.get("fr") for s in lever.subdimensions if s.id == rule.subdimension)


def test_a_middle_answer_is_not_a_strength_and_says_what_to_aim_for(questionnaire):
    question = questionnaire.questions["missions_adaptees"]
    sub = views(questionnaire, {"missions_adaptees": "moyennement"})[
        sub_of(questionnaire, "missions_adaptees")
    ]
    assert sub.strongest == []
    (driver,) = sub.weakest
    assert driver.answer == questionnaire.option_label(question, "moyennement", "fr")
    assert driver.better == questionnaire.option_label(question, "tout_a_fait", "fr")


def test_a_high_answer_lifts_the_score_and_has_nothing_to_aim_for(questionnaire):
    sub = views(questionnaire, {"missions_adaptees": "plutot_oui"})[
        sub_of(questionnaire, "missions_adaptees")
    ]
    assert [d.source for d in sub.strongest] == ["missions_adaptees"]
    assert sub.weakest == []
    full = views(questionnaire, {"missions_adaptees": "tout_a_fait"})[
        sub_of(questionnaire, "missions_adaptees")
    ]
    assert full.strongest[0].better == ""


def test_a_partly_ticked_list_names_what_is_missing_not_what_is_there(questionnaire):
    question = questionnaire.questions["outils_pilotage"]
    sub = views(questionnaire, {"outils_pilotage": ["budget_previsionnel"]})[
        sub_of(questionnaire, "outils_pilotage")
    ]
    driver = next(d for d in sub.weakest if d.source == "outils_pilotage")
    assert driver.better_kind == "add"
    had = questionnaire.option_label(question, "budget_previsionnel", "fr")
    assert had not in driver.better
    rule = question.scoring[0]
    worth_adding = [o for o, p in rule.points.items() if p > 0 and o != "budget_previsionnel"]
    assert worth_adding
    for option in worth_adding[:3]:
        assert questionnaire.option_label(question, option, "fr") in driver.better


def test_an_indicator_below_its_best_band_says_the_figure_to_reach(questionnaire):
    answers = {"ressources_unite": "euros", "charges_annuelles": 120_000}
    sub = views(questionnaire, {**answers, "tresorerie_disponible": 10_000})["Trésorerie"]
    driver = next(d for d in sub.weakest if d.source == "indicator:reserve_months")
    assert driver.better.startswith("≥ 6")
    rich = views(questionnaire, {**answers, "tresorerie_disponible": 90_000})["Trésorerie"]
    assert any(d.source == "indicator:reserve_months" for d in rich.strongest)


def test_when_lower_is_better_the_figure_to_reach_is_a_ceiling(questionnaire):
    sub = views(questionnaire, {"part_premier_financeur": 70})["Dépendance à un financeur"]
    driver = next(d for d in sub.weakest if d.source == "indicator:largest_funder_share")
    assert driver.better.startswith("< ")
