"""Shared fixtures: the real questionnaire, and an app on a real SQLite file and, when
TEST_DATABASE_URL is set, on a real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from app.config import PROJECT_ROOT
from app.db import create_db_engine
from app.questionnaire.loader import load_questionnaire
from app.questionnaire.model import Questionnaire
from tests.utils.clients import csrf_ready
from tests.utils.settings import delete_redis_keys, make_settings

# Fixtures shared by several test modules live there (test modules never import each other).
pytest_plugins = ["tests.utils.fixtures"]

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
# Redis for the rate-limit tests; each test keeps its counters under a key prefix of its own.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        # The PostgreSQL pass doubles the database tests: the quick loop (-m "not slow") skips it.
        marks=[
            pytest.mark.slow,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
        ],
    ),
]


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire(PROJECT_ROOT / "questionnaires")


def reset_postgres(url: str) -> None:
    # Every table found, not a list kept by hand: a new migration's table must go too.
    engine = create_db_engine(url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def app_client(database_url) -> Iterator[TestClient]:
    from app.main import create_app

    app = create_app(make_settings(database_url))
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(app_client) -> Iterator[TestClient]:
    """A client on a database emptied of diagnostics before each test."""
    engine = app_client.app.state.engine
    with engine.begin() as connection:
        for table in ("participant", "workshop", "facilitator_session", "facilitator"):
            connection.execute(text(f"DELETE FROM {table}"))
        connection.execute(text("DELETE FROM answer"))
        connection.execute(text("DELETE FROM diagnostic"))
    app_client.cookies.clear()
    app_client.headers.pop("x-csrftoken", None)
    yield csrf_ready(app_client)


def _redis_answers(url: str) -> bool:
    from limits.storage import storage_from_string

    try:
        return storage_from_string(url, socket_connect_timeout=1).check()
    except Exception:  # noqa: BLE001 - the redis package missing counts as no Redis
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis; its tests skip where none answers, but fail when REQUIRE_REDIS is set
    (CI), where a missing Redis is an error."""
    if not _redis_answers(REDIS_URL):
        reason = f"no Redis answers at {REDIS_URL} (TEST_REDIS_URL)"
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"REQUIRE_REDIS is set but {reason}")
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture(params=["memory", "redis"])
def ratelimit_storage(request) -> Iterator[dict[str, str]]:
    """Settings putting the rate-limit counters in this process or in Redis; in Redis under a
    key prefix of this test's own (deleted afterwards), so no count leaks between tests or
    between runs sharing the database."""
    if request.param == "memory":
        yield {"ratelimit_storage_url": "memory://"}
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test-{uuid.uuid4().hex}"
    yield {"ratelimit_storage_url": url, "ratelimit_key_prefix": prefix}
    delete_redis_keys(url, prefix)
