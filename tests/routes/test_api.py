"""The JSON API, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import json
import threading
from unittest.mock import ANY

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import crud
from app.questionnaire.answers import printable
from tests.utils.answers import full_answers
from tests.utils.openapi import ANSWERS, assert_documented


def start(client) -> str:
    response = client.post("/api/diagnostics")
    assert response.status_code == 201
    return response.json()["token"]


def test_questionnaire_exposes_sources_models_and_resource_questions(client):
    data = client.get("/api/questionnaire").json()
    source_ids = {s["id"] for s in data["sources"]}
    assert len(data["models"]) == 7
    for model in data["models"]:
        assert {"id", "name", "prototype"} <= model.keys()
        assert set(model["prototype"]) <= source_ids
    sourced = [q for s in data["sections"] for q in s["questions"] if "source" in q]
    assert {q["source"] for q in sourced} == source_ids


def test_tokens_are_long_and_unguessable(client):
    tokens = {start(client) for _ in range(5)}
    assert len(tokens) == 5
    assert all(len(t) >= 32 for t in tokens)  # 24 random bytes, base64url


def test_saved_answers_come_back(client, questionnaire):
    token = start(client)
    answers = full_answers(questionnaire)
    response = client.put(f"/api/diagnostics/{token}/answers", json=answers)
    assert response.status_code == 200, response.text
    stored = client.get(f"/api/diagnostics/{token}").json()
    assert stored["answers"] == answers
    assert stored["questionnaire_version"] == questionnaire.version


def test_bad_values_are_named_and_good_ones_still_saved(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    budget = questionnaire.definition.roles.annual_budget
    client.put(f"/api/diagnostics/{token}/answers", json={budget: 50_000})
    response = client.put(
        f"/api/diagnostics/{token}/answers",
        json={name: "Les Amis", budget: -5, "ressources_dons": "beaucoup", "nope": 1},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {budget, "ressources_dons", "nope"}
    assert {e["field"] for e in body["detail"]} == {budget, "ressources_dons", "nope"}
    assert body["saved"] == [name]
    stored = client.get(f"/api/diagnostics/{token}").json()["answers"]
    assert stored == {name: "Les Amis", budget: 50_000}, "nothing already saved is lost"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b"null", b'{"a": NaN}'],
)
def test_malformed_bodies_get_4xx(client, body):
    token = start(client)
    response = client.put(
        f"/api/diagnostics/{token}/answers",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert response.json()["detail"][0]["field"] in ("body", "answers", "a")


def put_raw(client, token: str, body: bytes):
    return client.put(
        f"/api/diagnostics/{token}/answers",
        content=body,
        headers={"content-type": "application/json"},
    )


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"association_nom": "Caf\xe9"}',  # Latin-1, not UTF-8
        b"\xff\xfe\x00",
        b'{"nb_salaries": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",  # deeper than json goes
        b"[1, 2]",
        b"null",
    ],
    ids=["not-json", "latin-1", "not-utf8", "nested-too-deep", "array", "null"],
)
def test_a_body_that_is_not_a_json_object_is_a_422_naming_the_body(client, body):
    """Unreadable, not UTF-8 (FastAPI alone would answer a bare 400) or not an object: the
    documented RequestErrorOut, and nothing saved."""
    token = start(client)
    response = put_raw(client, token, body)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{"field": "body", "message": ANY}]}
    assert_documented(client, response)
    assert client.get(f"/api/diagnostics/{token}").json()["answers"] == {}


def test_an_unknown_question_is_a_422_naming_it_and_the_rest_is_saved(client):
    token = start(client)
    response = client.put(
        f"/api/diagnostics/{token}/answers", json={"nb_salaries": 3, "pas_une_question": 1}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"field": "pas_une_question", "message": "Question inconnue."}],
        "errors": {"pas_une_question": "Question inconnue."},
        "saved": ["nb_salaries"],
    }
    assert_documented(client, response)
    assert client.get(f"/api/diagnostics/{token}").json()["answers"] == {"nb_salaries": 3}


def test_too_many_answers_at_once_are_a_422_naming_the_body(client):
    token = start(client)
    response = client.put(
        f"/api/diagnostics/{token}/answers", json={f"q{n}": n for n in range(201)}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "body", "message": "Au plus 200 réponses."}]
    assert response.json()["saved"] == []
    assert_documented(client, response)


def test_the_other_errors_have_their_documented_shape(client):
    token = start(client)
    unknown = "x" * 32
    for response, path in [
        (client.get(f"/api/diagnostics/{unknown}"), "/api/diagnostics/{token}"),
        (client.put(f"/api/diagnostics/{unknown}/answers", json={}), ANSWERS),
        (client.get(f"/api/diagnostics/{unknown}/result"), "/api/diagnostics/{token}/result"),
        (client.delete(f"/api/diagnostics/{unknown}"), "/api/diagnostics/{token}"),
        # A browser script elsewhere, then one holding the CSRF cookie but not sending it back.
        (
            client.put(
                f"/api/diagnostics/{token}/answers",
                json={},
                headers={"sec-fetch-site": "cross-site"},
            ),
            ANSWERS,
        ),
        (
            client.put(
                f"/api/diagnostics/{token}/answers", json={}, headers={"x-csrftoken": "stale"}
            ),
            ANSWERS,
        ),
        (
            client.put(f"/api/diagnostics/{token}/answers", json={"association_nom": "x" * 70_000}),
            ANSWERS,
        ),
    ]:
        assert response.status_code in (403, 404, 413), response.text
        assert_documented(client, response, path)


def test_non_finite_numbers_are_refused(client, questionnaire):
    token = start(client)
    budget = questionnaire.definition.roles.annual_budget
    response = client.put(
        f"/api/diagnostics/{token}/answers",
        content=json.dumps({budget: float("inf")}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert budget in response.json()["errors"]


def test_oversized_bodies_get_413(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    response = client.put(f"/api/diagnostics/{token}/answers", json={name: "x" * 200_000})
    assert response.status_code == 413


def test_result_has_the_documented_shape(client, questionnaire):
    token = start(client)
    client.put(f"/api/diagnostics/{token}/answers", json=full_answers(questionnaire))
    result = client.get(f"/api/diagnostics/{token}/result").json()
    barycentre = result["barycentre"]
    assert set(barycentre["weights"]) == {m.id for m in questionnaire.models}
    assert sum(barycentre["weights"].values()) == pytest.approx(1, abs=1e-5)
    assert len(barycentre["point"]) == 2
    assert barycentre["dominant"] in barycentre["weights"]
    assert barycentre["runner_up"] in barycentre["weights"]
    assert barycentre["residual"] >= 0
    for lever in ("richesses_humaines", "ressources_financieres", "alliances_strategiques"):
        assert 0 <= result["levers"][lever]["score"] <= 100
        assert result["levers"][lever]["subscores"]
    assert "diversification" in result["indicators"]
    assert result["cards"] and {"title", "skills", "risks", "help"} <= result["cards"][0].keys()


def test_a_prototype_profile_is_found_through_the_api(client, questionnaire):
    data = client.get("/api/questionnaire").json()
    by_source = {
        q["source"]: q["id"] for s in data["sections"] for q in s["questions"] if "source" in q
    }
    for model in data["models"]:
        token = start(client)
        answers = {
            by_source[s]: share * 100_000 for s, share in model["prototype"].items() if share
        }
        assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
        weights = client.get(f"/api/diagnostics/{token}/result").json()["barycentre"]["weights"]
        assert weights[model["id"]] >= 0.99, (model["id"], weights)


def test_unknown_tokens_get_404_everywhere(client):
    token = "x" * 32
    assert client.get(f"/api/diagnostics/{token}").status_code == 404
    assert client.get(f"/api/diagnostics/{token}/result").status_code == 404
    assert client.get(f"/api/diagnostics/{token}/report.pdf").status_code == 404
    assert client.put(f"/api/diagnostics/{token}/answers", json={}).status_code == 404
    assert client.delete(f"/api/diagnostics/{token}").status_code == 404


def test_delete_removes_the_diagnostic_and_its_answers(client, questionnaire):
    token = start(client)
    client.put(f"/api/diagnostics/{token}/answers", json=full_answers(questionnaire))
    assert client.delete(f"/api/diagnostics/{token}").status_code == 204
    assert client.get(f"/api/diagnostics/{token}").status_code == 404


def test_the_openapi_schema_documents_our_errors_not_fastapis(client, questionnaire):
    schema = client.get("/openapi.json").json()
    models = schema["components"]["schemas"]
    assert "HTTPValidationError" not in json.dumps(schema)
    assert set(models["RequestErrorOut"]["properties"]) == {"detail"}
    assert set(models["FieldError"]["properties"]) == {"field", "message"}
    assert {"detail", "errors", "saved"} <= set(models["SaveErrorOut"]["properties"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            invalid = operation["responses"].get("422")
            if invalid is None:
                assert not operation.get("parameters") and "requestBody" not in operation
                continue
            refs = {
                ref["$ref"].rsplit("/", 1)[1]
                for ref in invalid["content"]["application/json"]["schema"].get(
                    "anyOf", [invalid["content"]["application/json"]["schema"]]
                )
            }
            if (path, method) == (ANSWERS, "put"):
                assert refs == {"SaveErrorOut", "RequestErrorOut"}
            else:
                assert refs == {"RequestErrorOut"}, (path, method)


def test_the_answers_body_lists_the_questions_and_refuses_other_keys(client, questionnaire):
    schema = client.get("/openapi.json").json()
    body = schema["paths"][ANSWERS]["put"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Answers"}
    answers = schema["components"]["schemas"]["Answers"]
    assert answers["additionalProperties"] is False
    assert set(answers["properties"]) == set(questionnaire.questions)
    budget = answers["properties"][questionnaire.definition.roles.annual_budget]["anyOf"][0]
    assert budget["type"] == "number" and budget["minimum"] == 0


def test_the_openapi_schema_documents_the_api(client):
    schema = client.get("/openapi.json").json()
    paths, models = schema["paths"], schema["components"]["schemas"]
    assert "/api/diagnostics/{token}/answers" in paths
    assert "/api/questionnaire" in paths
    result = paths["/api/diagnostics/{token}/result"]["get"]["responses"]
    assert result["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ResultOut")
    assert "404" in result
    barycentre = models["BarycentreOut"]["properties"]
    assert {"weights", "point", "dominant", "runner_up", "residual"} <= barycentre.keys()
    assert "ModelType" in models and "prototype" in models["ModelType"]["properties"]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.text(st.characters(categories=["Cs", "L", "N", "P", "Zs"]), max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def put_json(client, token: str, body: dict):
    """JSON with ASCII escapes, so lone surrogates (\\ud800) travel as a real client sends them."""
    return client.put(
        f"/api/diagnostics/{token}/answers",
        content=json.dumps(body),
        headers={"content-type": "application/json"},
    )


@pytest.mark.parametrize(
    ("question_id", "value", "message"),
    [
        ("ressources_dons", 10**330, "dépasser"),
        ("nb_benevoles", -(10**400), "négative"),
        ("projet_vocation", "\udc00", "caractères invalides"),
        ("ressources_subventions", "12\udfff", "n'est pas un montant"),
        ("\ud800", 1, "Question inconnue"),
    ],
    ids=["huge-integer", "huge-negative", "surrogate-text", "surrogate-number", "surrogate-id"],
)
def test_odd_values_are_named_and_the_rest_saved(client, question_id, value, message):
    token = start(client)
    response = put_json(client, token, {question_id: value, "nb_salaries": 3})
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["message"]
    assert response.json()["saved"] == ["nb_salaries"]
    assert client.get(f"/api/diagnostics/{token}").json()["answers"] == {"nb_salaries": 3}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.slow
def test_any_answer_gets_saved_or_named_never_a_server_error(client, questionnaire, data):
    """Arbitrary JSON for real and unknown question ids: each is saved (200) or refused with
    its field named (422); then the results and the pages still render."""
    token = start(client)
    ids = st.sampled_from(sorted(questionnaire.questions)) | st.text(max_size=12)
    body = data.draw(st.dictionaries(ids, JSON_VALUES, min_size=1, max_size=6))
    response = put_json(client, token, body)
    assert response.status_code in (200, 422), response.text
    payload = response.json()
    named = {item["field"] for item in payload.get("detail", [])}
    assert set(payload["saved"]) | named == {printable(key) for key in body}
    assert client.get(f"/api/diagnostics/{token}/result").status_code == 200
    assert client.get(f"/d/{token}/resultats").status_code == 200
    assert client.get(f"/d/{token}/recapitulatif").status_code == 200


def test_saving_while_the_diagnostic_is_deleted_gets_404_not_500(client):
    """Saves racing a delete: each one lands before it (200) or finds it gone (404)."""
    token = start(client)
    statuses: list[int] = []

    def save(worker: int) -> None:
        for i in range(15):
            response = client.put(
                f"/api/diagnostics/{token}/answers", json={"nb_benevoles": worker * 100 + i}
            )
            statuses.append(response.status_code)

    workers = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    assert client.delete(f"/api/diagnostics/{token}").status_code == 204
    for worker in workers:
        worker.join()
    assert set(statuses) <= {200, 404}
    assert client.get(f"/api/diagnostics/{token}").status_code == 404


def test_a_save_into_a_deleted_diagnostic_is_refused(client):
    engine = client.app.state.engine
    diagnostic = crud.get_diagnostic(engine=engine, token=start(client))
    crud.delete_diagnostic(engine=engine, diagnostic_id=diagnostic.id)
    with pytest.raises(crud.DiagnosticGone):
        crud.save_answers(engine=engine, diagnostic_id=diagnostic.id, values={"nb_benevoles": 3})
