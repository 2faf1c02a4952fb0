"""The layers every request crosses before a route: body size, form decoding, CSRF, methods.
Each malformed or oversized request gets a clear 4xx (never a 500) and changes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.utils.clients import csrf_ready

FORM = "application/x-www-form-urlencoded"
CHUNK = 64 * 1024  # as large as the whole limit: at most two chunks may ever be read


def start(client) -> str:
    return client.post("/api/diagnostics").json()["token"]


def diagnostics(client) -> int:
    with client.app.state.engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM diagnostic")).scalar()


def call_asgi(app, method: str, path: str, headers: list[tuple[bytes, bytes]], chunks: int):
    """Send a body of `chunks` chunks straight to the ASGI app, as a server streams it (the
    test client would read it all first); returns the status and how many chunks were read."""
    read = 0
    sent: list[dict] = []

    async def receive():
        nonlocal read
        if read == chunks:
            return {"type": "http.disconnect"}
        read += 1
        return {"type": "http.request", "body": b"a=" + b"x" * CHUNK, "more_body": read < chunks}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], read, body


@pytest.mark.parametrize(
    "method, path, content_type",
    [
        ("POST", "/diagnostics", FORM),
        ("POST", "/compte/connexion", FORM),
        ("POST", "/d/unknowntoken/q/secteur", FORM),
        ("PUT", "/api/diagnostics/unknowntoken/answers", "application/json"),
    ],
)
def test_a_streamed_body_over_the_limit_is_refused_before_it_is_read(
    client, method, path, content_type
):
    """A huge chunked body (no Content-Length) and no cookie: before the fix, the CSRF layer
    read every chunk of it into memory before anything counted (a 500 MB body took minutes)."""
    before = diagnostics(client)
    status, read, body = call_asgi(
        client.app, method, path, [(b"content-type", content_type.encode())], chunks=200
    )
    assert status == 413
    assert read <= 2
    assert "trop gros" in body.decode()
    assert diagnostics(client) == before


def test_a_declared_body_over_the_limit_is_refused_before_anything_runs(client):
    length = str(500 * 1024 * 1024).encode()
    headers = [(b"content-type", FORM.encode()), (b"content-length", length)]
    status, read, _ = call_asgi(client.app, "POST", "/diagnostics", headers, chunks=200)
    assert (status, read) == (413, 0)


def test_a_chunked_json_body_over_the_limit_gets_the_documented_413(client):
    token = start(client)

    def chunks():
        for _ in range(5):
            yield b'{"association_nom": "' + b"x" * CHUNK + b'"}'

    response = client.put(
        f"/api/diagnostics/{token}/answers",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "trop gros" in response.json()["detail"]


def test_a_json_integer_too_long_to_convert_gets_422(client, questionnaire):
    token = start(client)
    budget = questionnaire.definition.roles.annual_budget
    response = client.put(
        f"/api/diagnostics/{token}/answers",
        content=f'{{"{budget}": {"9" * 5000}}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"


@pytest.mark.parametrize("with_cookie", [False, True])
@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",  # no boundary
        "text/plain",
    ],
)
def test_page_forms_that_are_not_urlencoded_get_415(client, content_type, with_cookie):
    poster = csrf_ready(TestClient(client.app)) if with_cookie else TestClient(client.app)
    body = b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--xyz--\r\n'
    before = diagnostics(client)
    for path in ("/diagnostics", "/compte/connexion", "/ateliers"):
        response = poster.post(path, content=body, headers={"content-type": content_type})
        assert response.status_code == 415, (path, response.status_code)
        assert "champs texte" in response.text
    assert diagnostics(client) == before


def test_a_form_that_is_not_utf8_gets_400(client):
    token = start(client)
    response = client.post(
        f"/d/{token}/q/association_nom",
        content=b"association_nom=caf\xe9",
        headers={"content-type": FORM, "HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.text
    # Without any cookie too (the CSRF layer used to choke on it first).
    bare = TestClient(client.app).post(
        "/diagnostics", content=b"a=\xff", headers={"content-type": FORM}
    )
    assert bare.status_code == 400


def test_raw_utf8_in_a_form_is_stored_as_utf8(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    response = client.post(
        f"/d/{token}/q/{name}",
        content=f"{name}=Café des Écoles".encode(),
        headers={"content-type": FORM, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][name] == "Café des Écoles"


def test_an_api_script_sending_an_unrelated_cookie_is_not_asked_for_a_token(client):
    script = TestClient(client.app, cookies={"lang": "en"})
    created = script.post("/api/diagnostics")
    assert created.status_code == 201
    token = created.json()["token"]
    assert script.put(f"/api/diagnostics/{token}/answers", json={}).status_code == 200
    assert script.delete(f"/api/diagnostics/{token}").status_code == 204


def test_the_csrf_cookie_is_secure_over_https(client):
    over_https = TestClient(client.app, base_url="https://testserver")
    cookie = over_https.get("/").headers["set-cookie"]
    assert "csrftoken=" in cookie and "Secure" in cookie
    plain = TestClient(client.app).get("/").headers["set-cookie"]
    assert "csrftoken=" in plain and "Secure" not in plain


@pytest.mark.parametrize("path", ["/", "/confidentialite", "/healthz", "/docs"])
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_on_a_diagnostic_page(client):
    token = start(client)
    assert client.head(f"/d/{token}").status_code == 200
    assert client.head("/d/unknowntoken").status_code == 404


def test_options_lists_every_method_of_the_path(client):
    token = start(client)
    response = client.options(f"/api/diagnostics/{token}")
    assert response.status_code == 204
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "DELETE", "HEAD", "OPTIONS"} <= allowed
    refused = client.post(f"/api/diagnostics/{token}", json={})
    assert refused.status_code == 405
    assert "DELETE" in refused.headers["allow"]
    assert client.options("/nowhere").status_code == 404


def test_a_json_body_is_never_mistaken_for_a_form(client):
    token = start(client)
    response = client.put(
        f"/api/diagnostics/{token}/answers",
        content=json.dumps({"association_nom": "Café"}).encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
