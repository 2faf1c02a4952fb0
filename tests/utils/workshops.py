"""A counsellor and associations over HTTP: sign up, open a workshop, join it, answer, write a
plan; each step asserts it worked, so a test reads as the story it tells."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "une phrase de passe"


def sign_up(client: TestClient, email: str = "camille@dla69.fr", name: str = "Camille Martin"):
    response = client.post(
        "/compte/inscription",
        data={"email": email, "name": name, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200, response.text
    assert response.url.path == "/ateliers"
    return response


def create_workshop(client: TestClient, title: str = "Atelier MSE du Rhône") -> tuple[int, str]:
    response = client.post(
        "/ateliers", data={"title": title, "held_on": "2026-12-03", "place": "Lyon"}
    )
    assert response.status_code == 200, response.text
    workshop_id = int(response.url.path.rsplit("/", 1)[1])
    code = re.search(r'class="join-code">([^<]+)<', response.text).group(1)
    return workshop_id, code


def join(client: TestClient, code: str, sharing: str = "named", **extra) -> str:
    """Join with a new (or given) diagnostic; returns the diagnostic's token."""
    response = client.post(
        f"/rejoindre/{code}", data={"diagnostic": "new", "sharing": sharing, **extra}
    )
    assert response.status_code == 200, response.text
    return re.search(r"/d/([^/?]+)", str(response.url)).group(1)


def answer(client: TestClient, token: str, answers: dict) -> None:
    response = client.put(f"/api/diagnostics/{token}/answers", json=answers)
    assert response.status_code == 200, response.text


def membership_id(client, token: str) -> str:
    home = client.get(f"/d/{token}")
    return re.search(rf"/d/{token}/ateliers/(\d+)/tour", home.text).group(1)


def plan_for(client, token, items):
    response = client.put(f"/api/diagnostics/{token}/plan", json={"items": items})
    assert response.status_code == 200, response.text
