"""The lean answer save (issue 13): found and locked by its token in the transaction that
writes, validated against the diagnostic's own questionnaire even when not yet parsed, nothing
written for an unknown token or an all-refused batch; the in-process rate-limit storage without
its timer thread; SQLite writers queued on an in-process lock."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app import db
from app.db import create_db_engine, migrate, write_session, write_transaction
from app.main import create_app
from app.models import Answer, Diagnostic
from app.ratelimit import LazyMemoryStorage, RateLimits
from tests.utils.clients import csrf_ready
from tests.utils.questionnaires import REMOVED_QUESTION, edited_questionnaire
from tests.utils.settings import make_settings


def _updated_at(client: TestClient, token: str):
    with client.app.state.engine.connect() as connection:
        return connection.execute(
            select(Diagnostic.updated_at).where(Diagnostic.token == token)
        ).scalar_one()


def test_a_save_touches_the_diagnostic_only_when_something_is_stored(client):
    token = client.post("/api/diagnostics").json()["token"]
    before = _updated_at(client, token)
    refused = client.put(f"/api/diagnostics/{token}/answers", json={"pas_une_question": 1})
    assert refused.status_code == 422
    message = refused.json()["errors"]["pas_une_question"]
    assert message
    assert refused.json() == {
        "detail": [{"field": "pas_une_question", "message": message}],
        "errors": {"pas_une_question": message},
        "saved": [],
    }
    # Nothing stored: the retention purge still sees the diagnostic as untouched.
    assert _updated_at(client, token) == before
    time.sleep(0.01)
    saved = client.put(f"/api/diagnostics/{token}/answers", json={"nb_salaries": 3})
    assert saved.json() == {"saved": ["nb_salaries"], "errors": {}}
    assert _updated_at(client, token) > before


def test_unknown_tokens_write_nothing_whatever_the_body(client):
    for body in ({"nb_salaries": 3}, {f"q{n}": n for n in range(201)}, {}):
        response = client.put("/api/diagnostics/inconnu/answers", json=body)
        assert response.status_code == 404
        assert response.json() == {"detail": "Diagnostic introuvable."}
    with client.app.state.engine.connect() as connection:
        assert connection.execute(select(Answer)).first() is None


def test_clearing_and_saving_in_one_batch(client):
    token = client.post("/api/diagnostics").json()["token"]
    client.put(f"/api/diagnostics/{token}/answers", json={"nb_salaries": 3, "nb_benevoles": 9})
    response = client.put(
        f"/api/diagnostics/{token}/answers", json={"nb_salaries": None, "nb_benevoles": 12}
    )
    assert response.json() == {"saved": ["nb_salaries", "nb_benevoles"], "errors": {}}
    assert client.get(f"/api/diagnostics/{token}").json()["answers"] == {"nb_benevoles": 12}


def test_first_save_after_a_restart_on_a_new_version(database_url, tmp_path):
    """The diagnostic's own questionnaire is not parsed yet when the save finds the row (the
    new app has only the new version): it is loaded outside the write and the save retried."""
    with TestClient(create_app(make_settings(database_url))) as client:
        csrf_ready(client)
        token = client.post("/api/diagnostics").json()["token"]
    new_app = create_app(
        make_settings(database_url, questionnaire_path=edited_questionnaire(tmp_path))
    )
    with TestClient(new_app) as client:
        csrf_ready(client)
        saved = client.put(
            f"/api/diagnostics/{token}/answers", json={REMOVED_QUESTION: "Un verger partagé"}
        )
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"saved": [REMOVED_QUESTION], "errors": {}}
        stored = client.get(f"/api/diagnostics/{token}").json()
        assert stored["questionnaire_version"] == "2026.1"
        assert stored["answers"] == {REMOVED_QUESTION: "Un verger partagé"}


def test_the_in_process_storage_counts_without_starting_threads():
    limits = RateLimits("memory://", save="3/second")
    assert isinstance(limits.storage, LazyMemoryStorage) and limits.in_process
    time.sleep(0.05)  # the parent's one timer, started on creation, has run
    threads = threading.active_count()
    assert [limits.hit("save", "k") for _ in range(4)] == [True, True, True, False]
    time.sleep(0.05)
    assert not limits.hit("save", "k")  # spaced hits: still counted, no timer thread
    assert threading.active_count() == threads
    time.sleep(1.05)
    assert limits.hit("save", "k")  # the window moved on
    # The sweep ran in the caller's thread: the expired entries are gone.
    assert [len(events) for events in limits.storage.events.values()] == [1]


def test_redis_storage_is_not_in_process(redis_url):
    assert not RateLimits(redis_url, save="3/second").in_process


@pytest.fixture
def sqlite_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'lock.sqlite3'}"
    migrate(url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def test_sqlite_writers_of_one_process_queue_on_a_lock(sqlite_engine, monkeypatch):
    held, release = threading.Event(), threading.Event()

    def long_writer():
        with write_transaction(sqlite_engine):
            held.set()
            release.wait(5)

    writer = threading.Thread(target=long_writer)
    writer.start()
    assert held.wait(5)
    # Another writer waits for the lock (not in SQLite's busy handler), up to the timeout,
    # then gets the database's own "locked" error (a 503 in the app).
    monkeypatch.setattr(db, "WRITE_LOCK_TIMEOUT", 0.1)
    with pytest.raises(OperationalError), write_session(sqlite_engine):
        pass
    # Nested writes in one thread do not deadlock on it.
    release.set()
    writer.join(5)
    with write_session(sqlite_engine), write_transaction(sqlite_engine):
        pass


def test_postgresql_engines_have_no_process_lock():
    engine = create_db_engine("postgresql://postgres@127.0.0.1:5432/unused")
    assert getattr(engine, "mse_write_lock", None) is None
