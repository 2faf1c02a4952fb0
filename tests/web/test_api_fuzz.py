"""API fuzzing: Schemathesis derives requests from the app's OpenAPI schema (valid and invalid
ones, broken bodies, odd methods) and checks that no route answers 500 and that each documented
response matches its schema.

The schema is the app's own OpenAPI document, read at import from an app that is never started
(its database is never opened): `schemathesis.pytest.from_fixture`, which would load it from a
fixture, fails under pytest 9.2 (it sets `Function._nodeid`, which pytest no longer has). Under
pytest 9.2 the items of the operations also share one node id; a failure's title still names
its operation. Requests reach the real app in-process through Schemathesis's ASGI client; that
app's lifespan (migrations, engine, questionnaire store) is run once for the module by a
TestClient.

Random tokens only ever meet the 404 of `open_diagnostic`, so a real token takes their place
in half the fuzzed cases and in the coverage phase's (`for_a_known_diagnostic`). The bodies of
PUT .../answers need no help: the schema lists the question ids and their values
(`api.document_answers`), so fuzzed values reach the validators, the scoring (result) and the
PDF report, and bodies off the schema (unknown keys, wrong types, not an object) meet the
documented 422s.

Every response is checked against the schema, with no exception: its status code is
documented, and so are its content type, its headers and its body; and no route answers 500.

Bounded and reproducible: at most 50 generated cases per operation (5 for the PDF, about 1 s
each), a fixed seed, derandomized, no example database; plus the coverage phase's fixed cases
(about a thousand bodies for PUT .../answers, one answer each). About 20 s in all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.generation.meta import TestPhase
from schemathesis.python import asgi
from sqlalchemy import Engine

from app.main import create_app
from tests.utils.settings import make_settings

pytestmark = pytest.mark.slow

ANSWERS = "/api/diagnostics/{token}/answers"
# Stands for a real token in generated cases; the test puts the token itself in its place.
# Unreserved URL characters only: path parameters are percent-encoded before the test sees them.
KNOWN_TOKEN = "known-token"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20240611,
        "base-url": "http://testserver",
        "generation": {"max-examples": 50, "deterministic": True, "database": "none"},
        "operations": [
            # WeasyPrint takes about a second per report.
            {"include-path-regex": r"/(report|pitch|note)\.pdf$", "generation": {"max-examples": 5}}
        ],
        "checks": {
            "enabled": False,
            "not_a_server_error": {"enabled": True},
            "status_code_conformance": {"enabled": True},
            "content_type_conformance": {"enabled": True},
            "response_headers_conformance": {"enabled": True},
            "response_schema_conformance": {"enabled": True},
        },
    }
)
# Never started: only its OpenAPI document is read.
_schema_app = create_app(make_settings("sqlite:///never-opened.sqlite3"))
schema = schemathesis.openapi.from_dict(_schema_app.openapi(), config=CONFIG)


@schema.hook("flatmap_path_parameters")
def sometimes_a_known_token(context, path_parameters):
    if not path_parameters or "token" not in path_parameters:
        return st.just(path_parameters)
    return st.sampled_from([{**path_parameters, "token": KNOWN_TOKEN}, path_parameters])


@dataclass
class LiveApp:
    client: TestClient  # runs the lifespan; also used to set up diagnostics
    session: asgi.ASGIClient  # carries Schemathesis's requests to the same app
    token: str

    def new_token(self) -> str:
        response = self.client.post("/api/diagnostics")
        assert response.status_code == 201, response.text
        return response.json()["token"]


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    database = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    app = create_app(make_settings(f"sqlite:///{database}"))
    with TestClient(app) as client:
        assert isinstance(app.state.engine, Engine), "the lifespan did not run"
        # Not entered as a context manager: Schemathesis would then run a second lifespan.
        live = LiveApp(client=client, session=asgi.get_client(app), token="")
        live.token = live.new_token()
        yield live


def in_coverage_phase(case) -> bool:
    return case.meta is not None and case.meta.phase.name == TestPhase.COVERAGE


def for_a_known_diagnostic(case) -> bool:
    """Half the fuzzed cases (see `sometimes_a_known_token`), and the coverage phase's cases
    that vary anything but the token itself (each value of each answer, at its bounds and
    beyond them; the hook does not reach that phase)."""
    token = (case.path_parameters or {}).get("token")
    if token is None:
        return False
    if in_coverage_phase(case):
        return case.meta.phase.data.parameter != "token"
    return token == KNOWN_TOKEN


# Where a coverage case says which answer it varies: the schema location of a value off the
# schema, or the description of a valid one.
VARIED_ANSWER = re.compile(r"^/properties/([^/]+)/|^Object with valid '([^']+)' value")


def only_the_varied_answer(case) -> None:
    """The coverage phase varies one answer at a time (each bound, type and enum value) inside
    a body holding all the others: about a thousand saves of 68 answers, 30 s. The others
    add nothing to the case, so only the varied answer is sent (a body without one, such as
    a whole body of the wrong type, is sent as it is)."""
    data = case.meta.phase.data
    found = VARIED_ANSWER.match(data.location or "") or VARIED_ANSWER.match(data.description)
    question_id = found and (found[1] or found[2])
    if question_id and isinstance(case.body, dict) and question_id in case.body:
        case.body = {question_id: case.body[question_id]}


@schema.parametrize()
def test_no_server_error_and_documented_responses(case, live):
    if for_a_known_diagnostic(case):
        # DELETE gets a diagnostic of its own, so the shared one lives on for the later
        # operations (answers, result, report).
        token = live.new_token() if case.method == "DELETE" else live.token
        case.path_parameters["token"] = token
    if case.operation.path == ANSWERS and in_coverage_phase(case):
        only_the_varied_answer(case)
    case.call_and_validate(session=live.session)
