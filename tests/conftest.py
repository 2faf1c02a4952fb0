"""Shared fixtures: the real questionnaire, and an app on a real SQLite file and, when
TEST_DATABASE_URL is set, on a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import PROJECT_ROOT, Settings
from app.db import create_db_engine
from app.questionnaire.loader import load_questionnaire
from app.questionnaire.model import Questionnaire
from tests.utils.clients import csrf_ready

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
    ),
]
TABLES = (
    "participant",
    "workshop",
    "facilitator_session",
    "facilitator",
    "answer",
    "diagnostic",
    "questionnaire_snapshot",
    "alembic_version",
)


@pytest.fixture(scope="session")
def questionnaire() -> Questionnaire:
    return load_questionnaire(PROJECT_ROOT / "questionnaires")


def reset_postgres(url: str) -> None:
    engine = create_db_engine(url)
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def make_settings(database_url: str, **overrides) -> Settings:
    """Settings for a test app. Rate limits are generous (the suite does far more than a
    person would, from one address); the tests of the limits set their own."""
    return Settings(
        **{
            "database_url": database_url,
            "questionnaire_path": PROJECT_ROOT / "questionnaires",
            "login_rate_limit": "10000/minute",
            "join_rate_limit": "10000/minute",
            "create_rate_limit": "10000/minute",
            "save_rate_limit": "10000/minute",
            **overrides,
        }
    )


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


@pytest.fixture
def tmp_questionnaire_dir(tmp_path) -> Path:
    return tmp_path
