"""Access control on workshop routes: each one refused to another counsellor, to a guessed id
and to a visitor not signed in; a poll after sign-out; workshop lists per account."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.utils.clients import csrf_ready
from tests.utils.workshops import create_workshop, sign_up


def workshop_routes() -> list[tuple[str, str]]:
    """Every (method, path) under /ateliers/{workshop_id}: a new route is covered by the
    access tests below without anyone having to remember to add it."""
    from app.routes import workshops

    found = []
    for route in workshops.router.routes:
        # The path with its convertors left out ("{workshop_id:dbid}" reads "{workshop_id}").
        path = getattr(route, "path_format", "")
        if path.startswith("/ateliers/{workshop_id}"):
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, path))
    return found


def fill(path: str, workshop_id: str, number: str = "1") -> str:
    return (
        path.replace("{workshop_id}", workshop_id)
        .replace("{number}", number)
        .replace("{suggestion_id}", "1")
    )


def test_every_workshop_route_is_refused_to_others(client, browser, workshop):
    routes = workshop_routes()
    assert len(routes) >= 15
    intruder = browser()
    sign_up(intruder, "intrus@ailleurs.fr", "Intrus")
    anonymous_visitor = csrf_ready(TestClient(client.app, follow_redirects=False))
    own = str(workshop["id"])
    for method, path in routes:
        # Another counsellor: not found, as if the workshop did not exist.
        response = intruder.request(method, fill(path, own))
        assert response.status_code == 404, (method, path, response.status_code)
        # Guessed or mangled ids: not found either (never 422 or 500).
        for guess in (str(workshop["id"] + 1000), "0", "abc", "-1", "1e3", "９"):
            response = client.request(method, fill(path, guess))
            assert response.status_code == 404, (method, path, guess, response.status_code)
        # Nobody signed in: sent to the sign-in page (GET) or refused (POST).
        response = anonymous_visitor.request(method, fill(path, own))
        if method == "GET":
            assert response.status_code == 303
            assert response.headers["location"].startswith("/compte/connexion")
        else:
            assert response.status_code == 401
    # The owner still gets through, and a participant's data was never touched.
    assert client.get(f"/ateliers/{own}").status_code == 200
    assert client.get(f"/ateliers/{own}/tableau").text.count('class="map-point"') == 2


def test_a_poll_after_sign_out_asks_htmx_to_go_to_sign_in(client, workshop):
    client.post("/compte/deconnexion")
    response = client.get(
        f"/ateliers/{workshop['id']}/tableau",
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/compte/connexion"


def test_workshop_lists_are_per_account(client, browser):
    sign_up(client)
    create_workshop(client, "Atelier de Camille")
    other = browser()
    sign_up(other, "dominique@reseau.fr", "Dominique")
    create_workshop(other, "Atelier de Dominique")
    mine = client.get("/ateliers").text
    assert "Atelier de Camille" in mine and "Atelier de Dominique" not in mine
