"""Prototype 2."""

from __future__ import annotations

import time

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.python import asgi

from app.config import PROJECT_ROOT
from app.main import create_app
from app.questionnaire.loader import load_questionnaire
from tests.conftest import make_settings

T0 = time.perf_counter()
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 1,
        "base-url": "http://testserver",
        "generation": {"max-examples": 40, "deterministic": True, "database": "none"},
        "operations": [
            {"include-path-regex": r"report\.pdf$", "generation": {"max-examples": 5}}
        ],
    }
)
DOC = create_app(make_settings("sqlite:///never-opened.sqlite3")).openapi()
QUESTION_IDS = sorted(load_questionnaire(PROJECT_ROOT / "questionnaires").questions)
print("import", time.perf_counter() - T0)
schema = schemathesis.openapi.from_dict(DOC, config=CONFIG)
KNOWN = "known-token"


@schema.hook("flatmap_path_parameters")
def known_token(context, path_parameters):
    return st.sampled_from([path_parameters, {**path_parameters, "token": KNOWN}])


@schema.hook("flatmap_body")
def real_question_ids(context, body):
    if not isinstance(body, dict) or not body:
        return st.just(body)
    picks = st.lists(st.sampled_from(QUESTION_IDS) | st.none(), min_size=len(body), max_size=len(body))
    return picks.map(lambda ids: {q or k: v for (k, v), q in zip(body.items(), ids)})


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    app = create_app(make_settings(f"sqlite:///{path}"))
    with TestClient(app) as client:
        assert app.state.engine is not None
        token = client.post("/api/diagnostics").json()["token"]
        yield client, asgi.get_client(app), token


STATS = {}


@schema.parametrize()
def test_api(case, live):
    client, session, token = live
    if case.path_parameters and case.path_parameters.get("token") == KNOWN:
        if case.method == "DELETE":
            case.path_parameters["token"] = client.post("/api/diagnostics").json()["token"]
        else:
            case.path_parameters["token"] = token
    r = case.call_and_validate(session=session)
    key = (case.method, case.path, case.path_parameters.get("token") == token if case.path_parameters else None, r.status_code)
    STATS[key] = STATS.get(key, 0) + 1


def test_zz_stats():
    for k, v in sorted(STATS.items(), key=str):
        print(k, v)
