"""Links handed to people (resume links, workshop join links and their QR codes) never take
their host from a request's Host header unless that host is configured or trusted: a forged
Host would otherwise give an association a resume link (the only key to its diagnostic) that
leads to someone else's server."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from tests.utils.clients import csrf_ready
from tests.utils.settings import make_settings

PASSWORD = "une phrase de passe"


def app_client(database_url: str, **settings) -> TestClient:
    from app.main import create_app

    return TestClient(create_app(make_settings(database_url, **settings)))


def resume_url(client: TestClient, host: str | None = None) -> str:
    headers = {"host": host} if host else {}
    return client.post("/api/diagnostics", headers=headers).json()["resume_url"]


def join_link(client: TestClient, host: str) -> str:
    csrf_ready(client)
    client.post(
        "/compte/inscription",
        data={
            "email": f"{uuid.uuid4().hex}@dla.fr",
            "name": "C",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    board = client.post("/ateliers", data={"title": "Atelier"})
    code_page = client.get(f"{board.url.path}/code", headers={"host": host})
    return re.search(r"https?://[^\s\"<]*/rejoindre/[A-Z0-9]+", code_page.text).group(0)


@pytest.mark.slow
def test_a_forged_host_never_makes_the_links(database_url):
    """Without PUBLIC_BASE_URL, an untrusted Host is ignored: the links use the address the
    connection really reached (here the test server's)."""
    with app_client(database_url) as client:
        assert resume_url(client, "evil.example").startswith("http://testserver/d/")
        assert resume_url(client, "evil.example:8000").startswith("http://testserver/d/")
        csrf_ready(client)
        started = client.post("/diagnostics", follow_redirects=False)
        home = client.get(started.headers["location"], headers={"host": "evil.example"}).text
        assert re.search(r'id="resume-url"[^>]*value="http://testserver/d/', home)
        assert "evil.example" not in home.split('id="resume-url"')[1].split(">")[0]
        link = join_link(client, "evil.example")
        assert link.startswith("http://testserver/rejoindre/")


@pytest.mark.parametrize(
    ("trusted", "host", "expected"),
    [
        ("localhost", "localhost:8000", "http://localhost:8000/d/"),  # the default: make run
        ("mse.example.org", "mse.example.org", "http://mse.example.org/d/"),
        ("*.example.org", "mse.example.org", "http://mse.example.org/d/"),
        ("mse.example.org", "evil.example.org", "http://testserver/d/"),
        ("mse.example.org", "mse.example.org.evil.example", "http://testserver/d/"),
        ("mse.example.org", "mse.example.org@evil.example", "http://testserver/d/"),
    ],
)
def test_trusted_hosts_are_followed(database_url, trusted, host, expected):
    with app_client(database_url, trusted_hosts=trusted) as client:
        assert resume_url(client, host).startswith(expected)


@pytest.mark.slow
def test_public_base_url_wins(database_url):
    with app_client(database_url, public_base_url="http://mse.example.org/") as client:
        assert resume_url(client, "evil.example").startswith("http://mse.example.org/d/")
        assert join_link(client, "evil.example").startswith("http://mse.example.org/rejoindre/")


def test_the_default_trusts_localhost_only():
    from app.config import Settings

    assert Settings().trusted_hosts == "localhost"
