"""Two placements (with valued volunteering / money alone), the two-question table, and
valued volunteering entered as a percentage in percent mode."""

from __future__ import annotations

import pytest

from app.questionnaire.loader import load_questionnaire
from app.scoring.placement import MATRIX_COLUMNS, MATRIX_ROWS, money_prototypes, resource_matrix
from app.scoring.result import compute_result
from tests.utils.answers import (
    bike_workshop,
    resource_answers,
    sports_club,
    volunteering_percent_question,
)
from tests.utils.mini import MINI_YAML
from tests.utils.openapi import assert_documented


def volunteering_source(questionnaire):
    return next(s.id for s in questionnaire.sources if s.brought_by == "volunteers")


def test_volunteering_can_change_the_dominant_model_and_both_placements_say_so(questionnaire):
    result = compute_result(questionnaire, sports_club(questionnaire))
    placement = result.to_json()["placement"]
    with_volunteering = placement["with_volunteering"]
    money_only = placement["money_only"]
    assert with_volunteering["dominant"] == result.barycentre.dominant
    assert with_volunteering["weights"] == result.barycentre.weights
    assert with_volunteering["dominant"] == "militant_benevole"
    assert money_only["dominant"] != "militant_benevole"
    assert placement["volunteering_changes_dominant"] is True
    for view in (with_volunteering, money_only):
        assert sum(view["weights"].values()) == pytest.approx(1, abs=1e-5)
        assert min(view["weights"].values()) >= 0
        assert view["dominant"] == max(view["weights"], key=view["weights"].get)


def test_without_volunteering_both_placements_agree(questionnaire):
    answers = resource_answers(questionnaire, {"commande_publique": 0.7, "ventes": 0.3})
    placement = compute_result(questionnaire, answers).placement
    assert placement.volunteering_changes_dominant is False
    assert placement.money_only.dominant == placement.with_volunteering.dominant


def test_money_prototypes_are_the_same_models_on_money_sources_only(questionnaire):
    volunteering = volunteering_source(questionnaire)
    for model_id, shares in money_prototypes(questionnaire).items():
        assert volunteering not in shares
        assert sum(shares.values()) == pytest.approx(1), model_id


def test_volunteers_only_has_no_money_placement(questionnaire):
    placement = compute_result(questionnaire, {"benevolat_heures": 500}).to_json()["placement"]
    assert placement["money_only"] is None
    assert placement["volunteering_changes_dominant"] is False


def test_no_resources_gives_no_placement_and_an_all_zero_table(questionnaire):
    result = compute_result(questionnaire, {})
    assert result.to_json()["placement"] is None
    matrix = result.to_json()["resource_matrix"]
    assert set(matrix) == set(MATRIX_ROWS)
    assert all(matrix[row] == {column: 0.0 for column in MATRIX_COLUMNS} for row in matrix)


def test_the_table_puts_each_source_in_its_cell_as_a_share_of_all_resources(questionnaire):
    answers = resource_answers(
        questionnaire,
        {
            "cotisations_militantes": 0.1,
            "cotisations_abonnement": 0.1,
            "subventions": 0.2,
            "commande_publique": 0.3,
            "ventes": 0.15,
            "dons": 0.05,
            "autres": 0.1,
        },
    )
    matrix = compute_result(questionnaire, answers).resource_matrix
    assert matrix["members"] == pytest.approx({"exchange": 0.1, "no_exchange": 0.1})
    assert matrix["public"] == pytest.approx({"exchange": 0.3, "no_exchange": 0.2})
    assert matrix["private"] == pytest.approx({"exchange": 0.15, "no_exchange": 0.05})
    # "Other" resources have no row: counted in the total, in no cell.
    assert sum(sum(row.values()) for row in matrix.values()) == pytest.approx(0.9)


def test_valued_volunteering_sits_in_the_row_the_yaml_gives_it(questionnaire):
    row = questionnaire.source_by_id[volunteering_source(questionnaire)].matrix_row
    matrix = compute_result(questionnaire, {"benevolat_heures": 100}).resource_matrix
    assert matrix[row]["no_exchange"] == pytest.approx(1)


def test_a_table_row_on_a_member_source_is_refused(tmp_path):
    broken = MINI_YAML.replace(
        "brought_by: private, in_exchange: false}",
        "brought_by: private, in_exchange: false, table_row: members}",
        1,
    )
    (tmp_path / "q.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(Exception, match="table_row"):
        load_questionnaire(tmp_path)


def test_resource_matrix_is_pure_and_all_zero_for_zero_amounts(questionnaire):
    zeros = {s.id: 0.0 for s in questionnaire.sources}
    assert all(
        value == 0
        for row in resource_matrix(questionnaire, zeros).values()
        for value in row.values()
    )


def test_a_volunteer_association_in_percent_mode_lands_on_its_real_model(questionnaire):
    result = compute_result(questionnaire, bike_workshop(questionnaire))
    assert result.indicators["volunteering_share"] == pytest.approx(0.8)
    assert result.profile[volunteering_source(questionnaire)] == pytest.approx(0.8)
    # The money keeps its own split inside the remaining 20 %.
    assert result.profile["cotisations_militantes"] == pytest.approx(0.1)
    assert result.barycentre.dominant == "militant_benevole"
    assert result.barycentre.weights["militant_benevole"] > 0.5


def test_percent_volunteering_with_a_budget_is_turned_into_euros(questionnaire):
    answers = bike_workshop(questionnaire, volunteering_percent=60)
    answers[questionnaire.definition.roles.annual_budget] = 10_000
    result = compute_result(questionnaire, answers)
    assert result.amounts["cotisations_militantes"] == pytest.approx(5_000)
    # 60 % of all resources when the money is 10 000 € -> 15 000 € of volunteering.
    assert result.amounts[volunteering_source(questionnaire)] == pytest.approx(15_000)


def test_hours_with_an_estimated_budget_count_in_percent_mode(questionnaire):
    answers = bike_workshop(questionnaire)
    del answers[volunteering_percent_question(questionnaire).id]
    answers["benevolat_heures"] = 1000
    answers["benevolat_valeur_horaire"] = 10
    assert compute_result(questionnaire, answers).indicators["volunteering_share"] is None
    answers[questionnaire.definition.roles.annual_budget] = 10_000
    result = compute_result(questionnaire, answers)
    assert result.indicators["volunteering_share"] == pytest.approx(0.5)


def test_a_hundred_percent_volunteering_with_no_money_is_all_volunteering(questionnaire):
    answers = {
        questionnaire.definition.roles.resource_unit: "percent",
        volunteering_percent_question(questionnaire).id: 100,
    }
    result = compute_result(questionnaire, answers)
    assert result.indicators["volunteering_share"] == pytest.approx(1)
    assert result.placement.money_only is None


def test_a_hundred_percent_volunteering_next_to_money_keeps_the_money_visible(questionnaire):
    result = compute_result(questionnaire, bike_workshop(questionnaire, volunteering_percent=100))
    assert 0.98 <= result.indicators["volunteering_share"] < 1
    assert result.placement.money_only is not None


def test_the_volunteering_percent_is_ignored_in_euro_mode(questionnaire):
    answers = resource_answers(questionnaire, {"ventes": 1.0}, total=10_000)
    answers[volunteering_percent_question(questionnaire).id] = 90
    result = compute_result(questionnaire, answers)
    assert result.indicators["volunteering_share"] == pytest.approx(0)


# --- through the API ------------------------------------------------------------------------


def start(client) -> str:
    response = client.post("/api/diagnostics")
    assert response.status_code == 201
    return response.json()["token"]


def test_the_result_api_gives_both_placements_and_the_table_as_documented(client, questionnaire):
    token = start(client)
    answers = sports_club(questionnaire)
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    response = client.get(f"/api/diagnostics/{token}/result")
    body = response.json()
    placement = body["placement"]
    assert set(placement) == {"with_volunteering", "money_only", "volunteering_changes_dominant"}
    for view in ("with_volunteering", "money_only"):
        assert set(placement[view]) == {"weights", "dominant"}
        assert set(placement[view]["weights"]) == {m.id for m in questionnaire.models}
    assert placement["volunteering_changes_dominant"] is True
    assert set(body["resource_matrix"]) == {"members", "public", "private"}
    for row in body["resource_matrix"].values():
        assert set(row) == {"exchange", "no_exchange"}
    assert body["resource_matrix"]["public"]["no_exchange"] > 0
    schema = client.app.openapi()
    assert_documented(client, response, "/api/diagnostics/{token}/result")
    result_schema = schema["components"]["schemas"]["ResultOut"]["properties"]
    assert {"placement", "resource_matrix"} <= set(result_schema)


def test_the_api_accepts_volunteering_as_a_percent_in_percent_mode(client, questionnaire):
    token = start(client)
    answers = bike_workshop(questionnaire)
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    body = client.get(f"/api/diagnostics/{token}/result").json()
    assert body["indicators"]["volunteering_share"] == pytest.approx(0.8)
    assert body["placement"]["with_volunteering"]["dominant"] == "militant_benevole"
    question = volunteering_percent_question(questionnaire).id
    refused = client.put(f"/api/diagnostics/{token}/answers", json={question: 140})
    assert refused.status_code == 422
    assert question in refused.text


def test_the_volunteering_percent_question_shows_only_in_percent_mode(client, questionnaire):
    question = volunteering_percent_question(questionnaire)
    section = questionnaire.section_of[question.id].id
    unit = questionnaire.definition.roles.resource_unit
    token = start(client)
    client.put(f"/api/diagnostics/{token}/answers", json={unit: "euros"})
    page = client.get(f"/d/{token}/s/{section}").text
    assert f'name="{question.id}"' not in page
    client.put(f"/api/diagnostics/{token}/answers", json={unit: "percent"})
    page = client.get(f"/d/{token}/s/{section}").text
    assert f'name="{question.id}"' in page
    saved = client.post(
        f"/d/{token}/q/{question.id}", data={question.id: "80"}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][question.id] == 80
