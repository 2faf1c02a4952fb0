"""Honest completeness: the result says how complete it is, and a lever score resting on only
some of its sub-dimensions is marked partial (API, results page, PDF, workshop board)."""

from __future__ import annotations

import re

from app.scoring.completeness import measure_completeness
from app.scoring.result import compute_result
from app.workshops.group import summarise
from tests.utils.answers import full_answers, one_subdimension_answers
from tests.utils.clients import csrf_ready
from tests.utils.group import view
from tests.utils.pages import start
from tests.utils.workshops import answer, create_workshop, join, sign_up


def test_a_lever_scored_on_some_sub_dimensions_is_partial(questionnaire):
    lever_id, answers = one_subdimension_answers(questionnaire)
    lever = compute_result(questionnaire, answers).lever(lever_id)
    assert lever.score is not None and lever.partial
    assert [s.score is not None for s in lever.subscores].count(True) < len(lever.subscores)
    # Nothing answered: no score, and nothing partial about it.
    assert not any(lv.partial for lv in compute_result(questionnaire, {}).levers)
    # Everything answered: every lever rests on all its sub-dimensions.
    full = compute_result(questionnaire, full_answers(questionnaire))
    assert [lv.id for lv in full.levers if lv.partial] == []


def test_completeness_counts_the_questions_shown(questionnaire):
    empty = measure_completeness(questionnaire, {})
    assert empty.answered == 0 and empty.total > 0
    assert set(empty.missing_required) == {
        q.id for q in questionnaire.questions.values() if q.required and q.show_if is None
    }
    full = measure_completeness(questionnaire, full_answers(questionnaire))
    assert full.missing_required == []
    assert full.answered == full.total > empty.total - 5  # revealed questions count once shown


def test_the_api_result_says_how_complete_it_is(client, questionnaire):
    token = start(client)
    lever_id, answers = one_subdimension_answers(questionnaire)
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    body = client.get(f"/api/diagnostics/{token}/result").json()
    completeness = body["completeness"]
    assert set(completeness) == {"answered", "total", "missing_required"}
    assert completeness["answered"] == len(answers)
    assert completeness["total"] == measure_completeness(questionnaire, answers).total
    assert completeness["missing_required"] == body["missing_required"]
    assert body["levers"][lever_id]["partial"] is True
    assert all(isinstance(lever["partial"], bool) for lever in body["levers"].values())


def test_completeness_and_partial_are_documented_in_openapi(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "completeness" in schemas["ResultOut"]["required"]
    assert set(schemas["CompletenessOut"]["properties"]) == {
        "answered",
        "total",
        "missing_required",
    }
    assert schemas["LeverOut"]["properties"]["partial"]["type"] == "boolean"
    assert "partial" in schemas["LeverOut"]["required"]


def test_the_results_page_and_the_pdf_mark_a_partial_score(client, questionnaire):
    token = start(client)
    lever_id, answers = one_subdimension_answers(questionnaire)
    client.put(f"/api/diagnostics/{token}/answers", json=answers)
    page = client.get(f"/d/{token}/resultats").text
    assert re.search(r'class="partial-mark">\(partiel : 1 sous-dimensions? sur \d', page)
    assert "Résultat établi sur" in page
    from datetime import date

    from app.report.pdf import build_report_html

    result = compute_result(questionnaire, answers)
    html = build_report_html(questionnaire, answers, result, created_at=date(2026, 12, 2))
    assert 'class="partial-mark">partiel' in html
    assert "Résultat établi sur" in html


def test_partial_scores_stay_out_of_group_means_unless_included(questionnaire):
    lever_id, partial_answers = one_subdimension_answers(questionnaire)
    complete = view(questionnaire, 1, full_answers(questionnaire))
    partial = view(questionnaire, 2, partial_answers)
    members = [complete, partial]
    left_out = next(lv for lv in summarise(questionnaire, members).levers if lv.id == lever_id)
    assert (left_out.scored, left_out.left_out) == (1, 1)
    assert left_out.mean == complete.lever_score(lever_id)
    included = next(
        lv
        for lv in summarise(questionnaire, members, include_partial=True).levers
        if lv.id == lever_id
    )
    assert (included.scored, included.left_out) == (2, 0)
    expected = (complete.lever_score(lever_id) + partial.lever_score(lever_id)) / 2
    assert included.mean == expected


def test_the_board_marks_partial_scores_and_keeps_the_choice_in_its_address(client, questionnaire):
    from fastapi.testclient import TestClient

    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = csrf_ready(TestClient(client.app, follow_redirects=True))
    token = join(participant, code, "named")
    _lever_id, answers = one_subdimension_answers(questionnaire)
    answer(participant, token, answers)
    board = client.get(f"/ateliers/{workshop_id}").text
    assert 'class="partial-mark">partiel' in board
    assert "1 score partiel" in board and "est écarté de ces moyennes" in board
    toggle = re.search(r'id="partial-toggle" href="([^"]+)"', board).group(1)
    assert toggle.endswith("?partiels=1")
    included = client.get(toggle).text
    assert "comptent dans ces moyennes" in included
    # The live polls and the pause link keep the choice.
    assert re.search(r'hx-get="[^"]*/tableau\?partiels=1"', included)
    assert "?pause=1&amp;partiels=1" in included
    live = client.get(f"/ateliers/{workshop_id}/tableau?partiels=1").text
    assert "comptent dans ces moyennes" in live
