"""Counsellor accounts over HTTP: sign-up, sign-in and sign-out, sessions, password change,
rate limits, posts from another site, and the admin command line."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient

from tests.utils.clients import csrf_ready
from tests.utils.settings import make_settings
from tests.utils.workshops import PASSWORD, sign_up


def test_sign_up_signs_in_with_a_safe_session_cookie(client):
    response = client.post(
        "/compte/inscription",
        data={
            "email": " Camille@DLA69.fr ",
            "name": "Camille",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "mse_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test below
    token = re.search(r"mse_session=([^;]+)", cookie).group(1)
    assert len(token) >= 43  # 256 random bits
    page = client.get("/ateliers")
    assert page.status_code == 200 and "Mes ateliers" in page.text


def test_session_cookie_is_secure_over_https(client):
    secure = csrf_ready(TestClient(client.app, base_url="https://testserver"))
    response = secure.post(
        "/compte/inscription",
        data={"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "pas-une-adresse"}, "email", "Adresse électronique invalide"),
        ({"password": "court", "confirm": "court"}, "password", "au moins 10"),
        ({"confirm": "autre chose encore"}, "confirm", "pas identiques"),
        ({"name": "   "}, "name", "Indiquez votre nom"),
    ],
)
def test_sign_up_errors_name_the_field(client, fields, field, message):
    data = {"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD, **fields}
    response = client.post("/compte/inscription", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="f-{field}-error"' in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.slow
def test_an_email_has_one_account(client, browser):
    sign_up(client, "camille@dla69.fr")
    other = browser()
    data = {"email": "CAMILLE@dla69.fr", "name": "X", "password": PASSWORD, "confirm": PASSWORD}
    response = other.post("/compte/inscription", data=data)
    assert response.status_code == 422
    assert "existe déjà" in response.text


@pytest.mark.slow
def test_sign_in_sign_out_and_wrong_password(client, browser):
    sign_up(client)
    visitor = browser()
    wrong = visitor.post(
        "/compte/connexion", data={"email": "camille@dla69.fr", "password": "x" * 12}
    )
    assert wrong.status_code == 401 and "incorrect" in wrong.text
    unknown = visitor.post(
        "/compte/connexion", data={"email": "nobody@dla69.fr", "password": PASSWORD}
    )
    assert unknown.status_code == 401 and "incorrect" in unknown.text
    # After signing in, the visitor is sent where they were going (a local path only).
    page = visitor.get("/ateliers/nouveau")
    assert page.url.path == "/compte/connexion"
    signed_in = visitor.post(
        "/compte/connexion",
        data={"email": "Camille@dla69.fr", "password": PASSWORD, "next": "/ateliers/nouveau"},
    )
    assert signed_in.url.path == "/ateliers/nouveau"
    outside = visitor.post(
        "/compte/connexion",
        data={"email": "camille@dla69.fr", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert outside.url.path == "/ateliers" and outside.url.host == "testserver"
    visitor.post("/compte/deconnexion")
    assert visitor.get("/ateliers").url.path == "/compte/connexion"


@pytest.mark.slow
def test_password_change_signs_out_other_browsers(client, browser):
    sign_up(client)
    laptop = browser()
    laptop.post("/compte/connexion", data={"email": "camille@dla69.fr", "password": PASSWORD})
    assert laptop.get("/ateliers").url.path == "/ateliers"
    new = "une autre phrase de passe"
    bad = client.post(
        "/compte/mot-de-passe", data={"current": "faux" * 3, "password": new, "confirm": new}
    )
    assert bad.status_code == 422 and "actuel incorrect" in bad.text
    done = client.post(
        "/compte/mot-de-passe", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert done.status_code == 200 and "a été modifié" in done.text
    assert client.get("/ateliers").url.path == "/ateliers"  # this browser stays signed in
    assert laptop.get("/ateliers").url.path == "/compte/connexion"
    fresh = browser()
    assert (
        fresh.post(
            "/compte/connexion", data={"email": "camille@dla69.fr", "password": new}
        ).url.path
        == "/ateliers"
    )


@pytest.mark.slow
def test_sign_in_is_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app

    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="3/minute"))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        codes = [
            visitor.post(
                "/compte/connexion", data={"email": "x@y.fr", "password": "z" * 12}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        last = visitor.post("/compte/connexion", data={"email": "x@y.fr", "password": "z" * 12})
        assert last.status_code == 429
        assert int(last.headers["retry-after"]) > 0
        assert "Trop de tentatives" in last.text


def test_signup_can_be_switched_off(database_url):
    from app.main import create_app

    app = create_app(make_settings(database_url, allow_signup=False))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        assert visitor.get("/compte/inscription").status_code == 403
        data = {"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD}
        assert visitor.post("/compte/inscription", data=data).status_code == 403


@pytest.mark.slow
def test_facilitator_command_line(client, monkeypatch, capsys):
    from app import cli
    from app.config import settings

    engine = client.app.state.engine
    monkeypatch.setattr(
        settings, "database_url", str(engine.url.render_as_string(hide_password=False))
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("mot de passe initial\n"))
    assert (
        cli.main(
            ["facilitator", "create", "Admin@Reseau.fr", "--name", "Admin", "--password-stdin"]
        )
        == 0
    )
    assert "Created counsellor account admin@reseau.fr" in capsys.readouterr().out

    visitor = csrf_ready(TestClient(client.app))
    assert (
        visitor.post(
            "/compte/connexion",
            data={"email": "admin@reseau.fr", "password": "mot de passe initial"},
        ).url.path
        == "/ateliers"
    )

    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert cli.main(["facilitator", "reset-password", "admin@reseau.fr", "--password-stdin"]) == 1
    assert "au moins 10" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("nouveau mot de passe\n"))
    assert cli.main(["facilitator", "reset-password", "admin@reseau.fr", "--password-stdin"]) == 0
    # The reset signed every browser out.
    assert visitor.get("/ateliers").url.path == "/compte/connexion"

    assert cli.main(["facilitator", "delete", "nobody@reseau.fr", "--yes"]) == 1
    assert cli.main(["facilitator", "delete", "admin@reseau.fr", "--yes"]) == 0
    failed = visitor.post(
        "/compte/connexion", data={"email": "admin@reseau.fr", "password": "nouveau mot de passe"}
    )
    assert failed.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.org"},
    ],
)
def test_posts_from_another_site_are_refused(client, headers):
    """Login CSRF: another site's form must not sign a counsellor into the attacker's account
    (or post anything else on their behalf)."""
    sign_up(client)
    attempt = client.post(
        "/compte/connexion",
        data={"email": "camille@dla69.fr", "password": PASSWORD},
        headers=headers,
        follow_redirects=False,
    )
    assert attempt.status_code == 403 and "autre site" in attempt.text
    assert "set-cookie" not in attempt.headers
    created = client.post("/ateliers", data={"title": "Piège"}, headers=headers)
    assert created.status_code == 403
    assert "Piège" not in client.get("/ateliers").text


def test_posts_from_the_app_itself_pass(client):
    same_site = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post(
        "/compte/inscription",
        data={"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD},
        headers=same_site,
    )
    assert response.status_code == 200 and response.url.path == "/ateliers"


def test_sign_up_is_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app

    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="2/minute"))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        data = {"email": "x", "name": "A", "password": PASSWORD, "confirm": PASSWORD}
        codes = [visitor.post("/compte/inscription", data=data).status_code for _ in range(3)]
        assert codes == [422, 422, 429]


def test_signing_in_again_replaces_the_session(client):
    from sqlalchemy import text

    sign_up(client)
    client.post("/compte/connexion", data={"email": "camille@dla69.fr", "password": PASSWORD})
    with client.app.state.engine.connect() as connection:
        sessions = connection.execute(text("SELECT count(*) FROM facilitator_session")).scalar()
    assert sessions == 1
    assert client.get("/ateliers").url.path == "/ateliers"
