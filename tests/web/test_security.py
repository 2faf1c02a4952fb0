"""Web security: CSRF tokens on every state-changing request, refused cross-site posts."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.routes import accounts, language, pages, participation, workshops
from app.routes import personal_data as personal_data_routes
from tests.utils.clients import csrf_ready

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
HTML_ROUTERS = (
    pages.router,
    participation.router,
    accounts.router,
    workshops.router,
    personal_data_routes.router,
    language.router,
)


def unsafe_page_routes() -> list[tuple[str, str]]:
    """Every state-changing route of the HTML side, read from the routers themselves so a new
    route is covered without anyone remembering to add it here."""
    found = []
    for router in HTML_ROUTERS:
        for route in router.routes:
            for method in sorted(route.methods & UNSAFE):
                found.append((method, route.path_format))
    return found


@pytest.fixture
def world(client, questionnaire):
    """A counsellor with a workshop and one participant, and the ids to fill every path."""
    password = "une phrase de passe"
    client.post(
        "/compte/inscription",
        data={"email": "c@dla.fr", "name": "C", "password": password, "confirm": password},
    )
    board = client.post("/ateliers", data={"title": "Atelier"})
    workshop_id = board.url.path.rsplit("/", 1)[1]
    code = re.search(r'class="join-code">([^<]+)<', board.text).group(1).replace("-", "")
    participant = csrf_ready(TestClient(client.app))
    home = participant.post(f"/rejoindre/{code}", data={"diagnostic": "new", "sharing": "named"})
    token = re.search(r"/d/([^/?]+)", str(home.url)).group(1)
    participant_id = re.search(r"/ateliers/(\d+)/partage", home.text).group(1)
    values = {
        "token": token,
        "section_id": questionnaire.sections[0].id,
        "question_id": questionnaire.definition.roles.association_name,
        "participant_id": participant_id,
        "workshop_id": workshop_id,
        "number": "1",
        "code": code,
        "suggestion_id": "1",
    }
    return client, values


def counts(client) -> tuple:
    with client.app.state.engine.connect() as connection:
        return tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("diagnostic", "answer", "workshop", "participant", "facilitator")
        )


def test_every_state_changing_page_route_needs_the_csrf_token(world):
    client, values = world
    routes = unsafe_page_routes()
    assert len(routes) >= 15
    before = counts(client)
    session_cookie = client.cookies.get("mse_session")
    for method, path in routes:
        url = path.format(**values)
        form = {"title": "x", "sharing": "anonymous", "open": "0", "partner_request": "x"}
        # No cookie at all (a form posted from elsewhere, a stale bookmark).
        bare = TestClient(client.app)
        response = bare.request(method, url, data=form, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)
        # The victim's cookies (session included) but no token: what a forged form sends.
        forged = TestClient(client.app, cookies={"mse_session": session_cookie or ""})
        forged.cookies.set("csrftoken", client.cookies["csrftoken"])
        response = forged.request(method, url, data=form, follow_redirects=False)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "rechargez la page" in response.text
        # A token that does not match the cookie.
        response = forged.request(
            method, url, data={**form, "csrftoken": "forged"}, follow_redirects=False
        )
        assert response.status_code == 403, (method, path, response.status_code)
    assert counts(client) == before  # nothing was created, changed or deleted


def test_the_token_passes_as_a_form_field_or_the_htmx_header(client):
    page = client.get("/")
    field = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    header = re.search(r"hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page.text).group(1)
    assert field == header == client.cookies["csrftoken"]
    plain = TestClient(client.app)
    plain.cookies.set("csrftoken", field)
    by_field = plain.post("/diagnostics", data={"csrftoken": field}, follow_redirects=False)
    assert by_field.status_code == 303
    by_header = plain.post("/diagnostics", headers={"X-CSRFToken": field}, follow_redirects=False)
    assert by_header.status_code == 303


def test_json_api_needs_the_token_only_when_cookies_are_sent(client):
    """The API is authorised by the token in its URL: a script without cookies carries no
    ambient credentials to abuse. A browser (which has cookies) must send the header."""
    script = TestClient(client.app)
    created = script.post("/api/diagnostics")
    assert created.status_code == 201
    token = created.json()["token"]
    assert script.put(f"/api/diagnostics/{token}/answers", json={}).status_code == 200
    browser = TestClient(client.app)
    browser.get("/")
    assert browser.put(f"/api/diagnostics/{token}/answers", json={}).status_code == 403
    assert browser.delete(f"/api/diagnostics/{token}").status_code == 403
    assert script.get(f"/api/diagnostics/{token}").status_code == 200


@pytest.mark.parametrize("bad", ["%00abc", "x%00y", "abc%00", "%C3%A9t%C3%A9", "a%0Ab", "a.b"])
def test_a_token_outside_the_token_alphabet_is_not_found_on_every_route(world, bad):
    """A NUL byte in a token once reached PostgreSQL, which refuses it in text (500); every
    route taking a token, read from the routers, answers 404 as for any unknown token."""
    from app.routes import api

    client, values = world
    probe = TestClient(client.app, raise_server_exceptions=False, cookies=dict(client.cookies))
    probe.headers.update(client.headers)
    answers = []
    for router in (*HTML_ROUTERS, api.router):
        for route in router.routes:
            if "{token}" not in route.path:
                continue
            for method in sorted(route.methods - {"HEAD"}):
                url = route.path_format.format(**{**values, "token": bad})
                body = {"json": {}} if url.startswith("/api/") else {"data": {"sharing": "named"}}
                response = probe.request(method, url, follow_redirects=False, **body)
                answers.append((response.status_code, method, route.path))
    assert len(answers) >= 20
    assert [a for a in answers if a[0] != 404] == []


def test_no_state_change_over_get(client):
    """Every route that changes something is POST/PUT/DELETE: none of the HTML side's GET
    routes is named like an action on its own (deleting, leaving... ask to confirm first)."""
    for router in HTML_ROUTERS:
        for route in router.routes:
            if "GET" in route.methods:
                assert not route.path.endswith(("/quitter", "/partage", "/deconnexion")), route.path


def test_security_headers_on_every_page(client):
    started = client.post("/diagnostics")
    token = started.url.path.split("/")[2]
    for path in ("/", f"/d/{token}", "/compte/connexion", "/api/questionnaire", "/healthz"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self' https://unpkg.com/htmx.org@2.0.4/dist/htmx.min.js" in policy
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in response.headers  # plain HTTP here
    home = client.get(f"/d/{token}")
    assert home.headers["x-robots-tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in home.text
    assert 'integrity="sha384-' in home.text and "style=" not in home.text


def test_the_htmx_fallback_is_the_pinned_file_served_by_the_app_with_no_inline_script(client):
    """When the CDN is unreachable the page loads the app's own copy: the same bytes (the
    same integrity hash checks it), from the app's origin, which the strict CSP allows."""
    import base64
    import hashlib
    import re

    from app.config import PROJECT_ROOT
    from app.templating import HTMX_INTEGRITY, HTMX_LOCAL

    local = (PROJECT_ROOT / "static" / HTMX_LOCAL).read_bytes()
    assert "sha384-" + base64.b64encode(hashlib.sha384(local).digest()).decode() == HTMX_INTEGRITY
    page = client.get("/")
    served = client.get(f"/static/{HTMX_LOCAL}")
    assert served.status_code == 200 and served.content == local
    assert f'/static/{HTMX_LOCAL}" data-integrity="{HTMX_INTEGRITY}"' in page.text
    # Every script is a file: a tag without src would be inline code, refused by the CSP.
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert len(scripts) == 3 and all(" src=" in tag for tag in scripts)
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


def test_hsts_over_https(client):
    secure = TestClient(client.app, base_url="https://testserver")
    assert secure.get("/").headers["strict-transport-security"].startswith("max-age=")


def test_creating_and_saving_are_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app
    from tests.utils.settings import make_settings

    settings = make_settings(
        database_url, **ratelimit_storage, create_rate_limit="2/minute", save_rate_limit="3/minute"
    )
    with TestClient(create_app(settings)) as visitor:
        csrf_ready(visitor)
        created = [visitor.post("/diagnostics", follow_redirects=False) for _ in range(2)]
        assert [r.status_code for r in created] == [303, 303]
        refused = visitor.post("/diagnostics", follow_redirects=False)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "patientez" in refused.text
        assert visitor.post("/api/diagnostics").status_code == 429

        token = created[0].headers["location"].split("/")[2].split("?")[0]
        saves = [
            visitor.put(f"/api/diagnostics/{token}/answers", json={}).status_code for _ in range(4)
        ]
        assert saves == [200, 200, 200, 429]
        # The limit is per diagnostic: another one still saves.
        other = created[1].headers["location"].split("/")[2].split("?")[0]
        assert visitor.put(f"/api/diagnostics/{other}/answers", json={}).status_code == 200
