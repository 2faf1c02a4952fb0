"""The board's projection: letters for participants (model poles keep their numbers), a join
strip instead of the join box, completeness as answered parts, partial participants flagged
and kept out of every group figure unless the counsellor includes them."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.progress import Progress
from app.report.charts import marker_letter
from app.workshops.group import summarise
from tests.utils.answers import full_answers, one_subdimension_answers, resource_answers
from tests.utils.clients import csrf_ready
from tests.utils.group import view
from tests.utils.workshops import answer, create_workshop, join, sign_up


@pytest.fixture
def browser(client):
    """Another visitor on the same app, with a cookie jar of their own."""
    return lambda: csrf_ready(TestClient(client.app, follow_redirects=True))


def test_participant_markers_are_letters():
    assert [marker_letter(n) for n in (1, 2, 26, 27, 28, 52, 53)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
    ]


def test_complete_means_every_part_answered_not_only_the_required_questions(questionnaire):
    full = full_answers(questionnaire)
    assert Progress(questionnaire, full).complete
    # The required questions only: nothing is missing, yet parts are left unanswered.
    required = {
        q.id: full[q.id] for q in questionnaire.questions.values() if q.required and q.id in full
    }
    progress = Progress(questionnaire, required)
    assert not progress.missing_required
    assert not progress.complete
    assert progress.parts_done < progress.parts_total
    assert not Progress(questionnaire, {}).complete


def low_partial_answers(questionnaire) -> tuple[str, dict]:
    """One sub-dimension answered, and answered low (a single choice of a multiple one)."""
    lever_id, answers = one_subdimension_answers(questionnaire)
    return lever_id, {k: v[:1] if isinstance(v, list) else v for k, v in answers.items()}


def test_a_partial_lever_stays_out_of_the_weak_spots_unless_included(questionnaire):
    lever_id, answers = low_partial_answers(questionnaire)
    partial = view(questionnaire, 1, answers)
    assert partial.partial and partial.lever_score(lever_id) < 50
    assert summarise(questionnaire, [partial]).weak_spots == []
    included = summarise(questionnaire, [partial], include_partial=True).weak_spots
    assert [spot.scored for spot in included] == [1]


def test_the_projection_shows_letters_a_legend_and_a_compact_join_strip(
    client, browser, questionnaire
):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    for name, shares in (
        ("Les Jardins du Lac", {"subventions": 0.7, "cotisations_militantes": 0.3}),
        ("Radio Gex", {"subventions": 0.2, "cotisations_militantes": 0.8}),
    ):
        participant = browser()
        token = join(participant, code, "named")
        answer(participant, token, full_answers(questionnaire, name=name))
        answer(participant, token, resource_answers(questionnaire, shares))
    page = client.get(f"/ateliers/{workshop_id}/projection").text
    assert 'class="join-strip"' in page and 'class="join-box"' not in page
    markers = re.findall(r'class="map-point" data-number="(\d+)" data-marker="([A-Z]+)"', page)
    assert markers == [("1", "A"), ("2", "B")]
    assert "Un participant (sa lettre, voir le tableau)" in page
    assert "Un modèle type (son numéro)" in page
    # The legend beside the map ties each letter to its association.
    legend = page.split('class="marker-legend"')[1].split("</ul>")[0]
    assert re.search(r'class="marker"[^>]*>A</span>.*Les Jardins du Lac', legend, re.S)
    # Closed: no join strip at all.
    client.post(f"/ateliers/{workshop_id}/ouverture", data={"open": "0"})
    assert 'class="join-strip"' not in client.get(f"/ateliers/{workshop_id}/projection").text


def test_the_board_flags_a_partial_participant_and_counts_answered_parts(
    client, browser, questionnaire
):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    complete, partial = browser(), browser()
    answer(complete, join(complete, code, "named"), full_answers(questionnaire, name="Lac"))
    _lever, answers = low_partial_answers(questionnaire)
    answer(partial, join(partial, code, "named"), answers)
    board = client.get(f"/ateliers/{workshop_id}").text
    assert "1 questionnaire complet (toutes les parties répondues)" in board
    rows = {
        number: row
        for number, row in re.findall(r'<tr data-number="(\d+)">(.*?)</tr>', board, re.S)
    }
    progress_cell = re.findall(r'<td class="nowrap">(.*?)</td>', rows["2"], re.S)[0]
    assert 'class="partial-mark">partiel' in progress_cell
    assert (
        'class="partial-mark">partiel'
        not in re.findall(r'<td class="nowrap">(.*?)</td>', rows["1"], re.S)[0]
    )
    assert re.search(r"\d+/\d+ parties", progress_cell)
