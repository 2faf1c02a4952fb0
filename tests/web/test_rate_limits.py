"""Rate limits that stop guessing without locking anyone out: passwords (per address, with a
slower cap per email that spares addresses which have not been guessing), join codes (a right
code is never limited), the password-change form; counters in memory or in Redis, shared by
several app processes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.utils.clients import csrf_ready
from tests.utils.live_server import live_server
from tests.utils.settings import delete_redis_keys, make_settings
from tests.utils.tcp_proxy import TcpProxy
from tests.utils.workshops import PASSWORD, create_workshop, join, sign_up

OWNER = ("192.0.2.10", 50000)


def from_address(app, host: str) -> TestClient:
    return csrf_ready(TestClient(app, client=(host, 50000)))


def sign_in(client: TestClient, email: str, password: str) -> httpx.Response:
    return client.post(
        "/compte/connexion",
        data={"email": email, "password": password},
        follow_redirects=False,
    )


def new_email() -> str:
    return f"camille-{uuid.uuid4().hex}@dla69.fr"


@pytest.mark.slow
def test_others_guessing_her_password_does_not_lock_the_counsellor_out(
    database_url, ratelimit_storage
):
    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="3/minute"))
    with TestClient(app, client=OWNER) as owner:
        email = new_email()
        sign_up(csrf_ready(owner), email)
        attacker = from_address(app, "203.0.113.66")
        codes = [sign_in(attacker, email, "devinette-123").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        # Guessing from that address is stopped, even with the right password...
        assert sign_in(attacker, email, PASSWORD).status_code == 429
        # ... while the owner, from her own address, signs in and can delete her account.
        other_browser = from_address(app, OWNER[0])
        assert sign_in(other_browser, email, PASSWORD).headers["location"] == "/ateliers"
        deleted = owner.post(
            "/compte/supprimer", data={"current": PASSWORD}, follow_redirects=False
        )
        assert deleted.status_code == 303


@pytest.mark.slow
def test_a_slow_cap_per_email_stops_guessing_from_many_addresses(database_url, ratelimit_storage):
    settings = make_settings(
        database_url,
        **ratelimit_storage,
        login_rate_limit="100/minute",
        login_email_rate_limit="6/hour",
    )
    app = create_app(settings)
    with TestClient(app, client=OWNER) as owner:
        email = new_email()
        sign_up(csrf_ready(owner), email)
        first = from_address(app, "203.0.113.1")
        assert [sign_in(first, email, "devinette").status_code for _ in range(6)] == [401] * 6
        # The email has had its wrong passwords for the hour: that address is refused...
        refused = sign_in(first, email, PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        # ... another one gets a few tries only...
        second = from_address(app, "203.0.113.2")
        codes = [sign_in(second, email, "devinette").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        # ... and the owner, who has not been guessing, still signs in, even after a typo.
        mine = from_address(app, OWNER[0])
        assert sign_in(mine, email, "faute de frappe").status_code == 401
        assert sign_in(mine, email, PASSWORD).headers["location"] == "/ateliers"


@pytest.mark.slow
def test_password_change_is_rate_limited(database_url, ratelimit_storage):
    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="3/minute"))
    with TestClient(app) as browser:
        csrf_ready(browser)
        sign_up(browser, new_email())  # one attempt of the three (sign-ups count per address)
        new = "une autre phrase de passe"
        tries = [
            browser.post(
                "/compte/mot-de-passe", data={"current": "mauvais", "password": new, "confirm": new}
            )
            for _ in range(3)
        ]
        assert [r.status_code for r in tries] == [422, 422, 429]
        assert int(tries[-1].headers["retry-after"]) > 0 and "Trop de tentatives" in tries[-1].text
        # Once over the limit, the right password waits too (guessing must not continue).
        right = browser.post(
            "/compte/mot-de-passe", data={"current": PASSWORD, "password": new, "confirm": new}
        )
        assert right.status_code == 429


@pytest.mark.slow
def test_wrong_join_codes_never_block_the_right_one(database_url, ratelimit_storage):
    app = create_app(make_settings(database_url, **ratelimit_storage, join_rate_limit="2/minute"))
    with TestClient(app) as counsellor:
        sign_up(csrf_ready(counsellor), new_email())
        _, code = create_workshop(counsellor)
        # A whole room behind one address joins with the right code.
        for _ in range(3):
            join(csrf_ready(TestClient(app)), code.replace("-", ""), "anonymous")
        # Someone in the room, behind the venue's one address, types wrong codes...
        guesser = csrf_ready(TestClient(app))
        codes = [guesser.post("/rejoindre", data={"code": "ZZZZZZ"}).status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        # ... the right code still works for him and for everyone else at that address.
        assert guesser.post("/rejoindre", data={"code": code}).url.path.startswith("/rejoindre/")
        assert guesser.get(f"/rejoindre/{code.replace('-', '')}").status_code == 200
        join(csrf_ready(TestClient(app)), code.replace("-", ""), "anonymous")
        # Wrong codes from there stay refused.
        assert guesser.post("/rejoindre", data={"code": "YYYYYY"}).status_code == 429


def test_a_rate_limit_storage_that_does_not_answer_stops_the_start(database_url):
    from app.ratelimit import RateLimitStorageError

    app = create_app(make_settings(database_url, ratelimit_storage_url="redis://127.0.0.1:1/0"))
    with pytest.raises(RateLimitStorageError, match="RATELIMIT_STORAGE_URL"):
        with TestClient(app):
            pass


def test_redis_gone_is_a_503_until_it_is_back(database_url, redis_url):
    redis_host = httpx.URL(redis_url.replace("redis://", "http://"))
    prefix = f"test-{uuid.uuid4().hex}"
    with TcpProxy(redis_host.host, redis_host.port or 6379) as proxy:
        settings = make_settings(
            database_url,
            ratelimit_storage_url=f"redis://127.0.0.1:{proxy.port}{redis_host.path}",
            ratelimit_key_prefix=prefix,
        )
        try:
            with TestClient(create_app(settings)) as visitor:
                csrf_ready(visitor)
                assert visitor.post("/api/diagnostics").status_code == 201
                proxy.stop()
                gone = visitor.post("/api/diagnostics")
                assert gone.status_code == 503 and gone.headers["retry-after"]
                assert visitor.post("/diagnostics").status_code == 503
                proxy.start()
                assert visitor.post("/api/diagnostics").status_code == 201
        finally:
            delete_redis_keys(redis_url, prefix)


@pytest.mark.slow
def test_two_app_processes_share_one_budget(database_url, redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    shared = {
        "RATELIMIT_STORAGE_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        "CREATE_RATE_LIMIT": "3/minute",
        "LOGIN_RATE_LIMIT": "3/minute",
    }
    try:
        with (
            live_server(database_url, probe_path="/healthz", **shared) as url_a,
            live_server(database_url, probe_path="/healthz", **shared) as url_b,
            httpx.Client(base_url=url_a, timeout=10) as a,
            httpx.Client(base_url=url_b, timeout=10) as b,
        ):
            assert url_a != url_b
            created = [client.post("/api/diagnostics").status_code for client in (a, b, a, b)]
            assert created == [201, 201, 201, 429]
            assert a.post("/api/diagnostics").status_code == 429
            # Password guesses count in the same budget, whichever process checks them.
            for client in (a, b):
                client.get("/")
                client.headers["x-csrftoken"] = client.cookies["csrftoken"]
            guesses = [
                client.post(
                    "/compte/connexion", data={"email": "x@y.fr", "password": "devinette"}
                ).status_code
                for client in (a, b, a, b)
            ]
            assert guesses == [401, 401, 401, 429]
    finally:
        delete_redis_keys(redis_url, prefix)
