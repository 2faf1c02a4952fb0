"""Data entry a treasurer trusts: the running total of resources, percentages that do not add
up, and a summary that names each unanswered question."""

from __future__ import annotations

import re

import pytest

from app.resource_tally import money_questions, percent_total_off, resource_tally
from tests.utils.pages import htmx, start


def resources_section(questionnaire):
    return questionnaire.section_of[money_questions(questionnaire)[0]]


def put(client, token, answers):
    response = client.put(f"/api/diagnostics/{token}/answers", json=answers)
    assert response.status_code == 200, response.text
    return response


def test_the_tally_compares_money_resources_with_the_budget(questionnaire):
    roles = questionnaire.definition.roles
    first, second = money_questions(questionnaire)[:2]
    answers = {roles.resource_unit: "euros", roles.annual_budget: 51_000, first: 30_000}
    tally = resource_tally(questionnaire, answers)
    assert (tally.total, tally.target, tally.gap, tally.agrees) == (30_000, 51_000, -21_000, False)
    answers[second] = 21_000
    assert resource_tally(questionnaire, answers).agrees
    # Valued volunteering is not in the accounts' budget, so not in the total either.
    volunteering = next(
        q.id
        for q in questionnaire.resource_questions()
        if questionnaire.source_by_id[q.source].brought_by == "volunteers"
    )
    answers[volunteering] = 80_000
    assert resource_tally(questionnaire, answers).total == 51_000


def test_percentages_are_compared_with_100_and_rounding_is_agreement(questionnaire):
    roles = questionnaire.definition.roles
    first, second, third = money_questions(questionnaire)[:3]
    answers = {roles.resource_unit: "percent", first: 60, second: 45}
    assert resource_tally(questionnaire, answers).gap == 5
    assert percent_total_off(questionnaire, answers) == 105
    thirds = {roles.resource_unit: "percent", first: 33.3, second: 33.3, third: 33.3}
    assert percent_total_off(questionnaire, thirds) is None
    # In euros there is no percent total to get wrong.
    assert percent_total_off(questionnaire, {**answers, roles.resource_unit: "euros"}) is None


def test_the_resources_section_shows_the_running_total(client, questionnaire):
    token = start(client)
    roles = questionnaire.definition.roles
    first = money_questions(questionnaire)[0]
    put(client, token, {roles.resource_unit: "euros", roles.annual_budget: 51_000, first: 30_000})
    page = client.get(f"/d/{token}/s/{resources_section(questionnaire).id}")
    total = re.search(r'<div id="resource-total"[^>]*>(.*?)</div>', page.text, re.S)
    assert total, "the total is drawn without JavaScript"
    text = re.sub(r"<[^>]+>|\s+", " ", total.group(1))
    assert "30 000" in text.replace("\u202f", " ")
    assert "Il manque" in text and "21 000" in text.replace("\u202f", " ")
    assert 'id="resource-total-live"' in page.text and 'aria-live="polite"' in page.text
    assert "js/answers-live.js" in page.text
    # Other sections have no total.
    other = next(s for s in questionnaire.sections if s != resources_section(questionnaire))
    assert 'id="resource-total"' not in client.get(f"/d/{token}/s/{other.id}").text


def test_autosaving_a_resource_redraws_the_total_out_of_band(client, questionnaire):
    token = start(client)
    roles = questionnaire.definition.roles
    first, second = money_questions(questionnaire)[:2]
    put(client, token, {roles.resource_unit: "euros", roles.annual_budget: 51_000, first: 30_000})
    response = client.post(f"/d/{token}/q/{second}", data={second: "21 k€"}, headers=htmx())
    assert 'id="resource-total" class="resource-total" hx-swap-oob="true"' in response.text
    assert "correspond à votre budget annuel" in response.text
    # An answer that does not move the total does not redraw it.
    name = roles.association_name
    response = client.post(f"/d/{token}/q/{name}", data={name: "Club"}, headers=htmx())
    assert "resource-total" not in response.text


@pytest.mark.parametrize("page", ["recapitulatif", "resultats"])
def test_percentages_off_100_are_said_before_the_results(client, questionnaire, page):
    token = start(client)
    roles = questionnaire.definition.roles
    first, second = money_questions(questionnaire)[:2]
    put(client, token, {roles.resource_unit: "percent", first: 60, second: 45})
    text = client.get(f"/d/{token}/{page}").text
    warning = text.index('id="total-pourcentages"')
    assert "totalisent 105 % au lieu de 100 %" in text.replace("\u202f", " ")
    assert "sans rien corriger à votre place" in text
    if page == "resultats":
        assert warning < text.index('id="carte"'), "the warning comes before the results"
    put(client, token, {second: 40})
    assert 'id="total-pourcentages"' not in client.get(f"/d/{token}/{page}").text


def test_the_summary_links_each_unanswered_question_to_its_place(client, questionnaire):
    token = start(client)
    page = client.get(f"/d/{token}/recapitulatif").text
    from app.questionnaire.conditions import is_visible

    for question in questionnaire.questions.values():
        if not is_visible(question, {}):
            continue
        section = questionnaire.section_of[question.id].id
        assert f'/d/{token}/s/{section}#q-{question.id}"' in page, question.id
    # A question hidden by its condition is not asked for.
    hidden = next(q for q in questionnaire.questions.values() if not is_visible(q, {}))
    assert f"#q-{hidden.id}" not in page
