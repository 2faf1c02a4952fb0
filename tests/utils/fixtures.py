"""Fixtures shared by several test modules (registered by tests/conftest.py's
`pytest_plugins`): other visitors of the app, a workshop with two associations, and a live
server with a workshop of six for the projection's browser tests."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.utils.answers import full_answers, resource_answers
from tests.utils.clients import csrf_ready
from tests.utils.live_server import live_server
from tests.utils.workshops import answer, create_workshop, join, sign_up


@pytest.fixture
def browser(client):
    """Another visitor on the same app, with a cookie jar of their own."""

    def make() -> TestClient:
        return csrf_ready(TestClient(client.app, follow_redirects=True))

    return make


@pytest.fixture
def workshop(client, browser, questionnaire):
    """A counsellor with a workshop where one association is named and one anonymous."""
    sign_up(client)
    workshop_id, code = create_workshop(client)
    named, anonymous = browser(), browser()
    named_token = join(named, code, "named")
    anonymous_token = join(anonymous, code, "anonymous")
    answer(named, named_token, full_answers(questionnaire, name="Les Jardins Partagés"))
    mix = {"subventions": 0.7, "cotisations_militantes": 0.3}
    answers = full_answers(questionnaire, name="Association Secrète")
    answers.update(resource_answers(questionnaire, mix))
    answer(anonymous, anonymous_token, answers)
    return {
        "id": workshop_id,
        "code": code,
        "named": (named, named_token),
        "anonymous": (anonymous, anonymous_token),
    }


ROOM_PASSWORD = "une phrase de passe assez longue"


def visitor(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, follow_redirects=True)
    client.get("/")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


@pytest.fixture(scope="module")
def room(tmp_path_factory, questionnaire):
    """A live server with an open workshop of six participants (some only half-way)."""
    database = tmp_path_factory.mktemp("projection") / "projection.sqlite3"
    with live_server(
        f"sqlite:///{database}", LOGIN_RATE_LIMIT="100/minute", JOIN_RATE_LIMIT="100/minute"
    ) as base_url:
        counsellor = visitor(base_url)
        counsellor.post(
            "/compte/inscription",
            data={
                "email": "c@dla.fr",
                "name": "C",
                "password": ROOM_PASSWORD,
                "confirm": ROOM_PASSWORD,
            },
        )
        created = counsellor.post("/ateliers", data={"title": "Atelier MSE du Pays de Gex"})
        workshop_id = created.url.path.rsplit("/", 1)[1]
        code = re.search(r'class="join-code">([^<]+)<', created.text).group(1)
        sources = [q.source for q in questionnaire.resource_questions()]
        for n in range(6):
            person = visitor(base_url)
            joined = person.post(
                f"/rejoindre/{code}",
                data={"diagnostic": "new", "sharing": "anonymous" if n == 3 else "named"},
            )
            token = re.search(r"/d/([^/?]+)", str(joined.url)).group(1)
            answers = full_answers(questionnaire, name=f"Association numéro {n + 1} du territoire")
            if n % 2:
                answers = {}
            answers.update(
                resource_answers(questionnaire, {sources[n % len(sources)]: 0.6, sources[0]: 0.4})
            )
            person.put(f"/api/diagnostics/{token}/answers", json=answers)
        yield base_url, workshop_id, dict(counsellor.cookies)
