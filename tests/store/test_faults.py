"""Fault tests on the real server (uvicorn subprocesses, JSON API over HTTP):

- the server is SIGKILLed in the middle of a burst of saves on SQLite: the file stays sound and
  every acknowledged save survives, every other save is all-or-nothing;
- two clients saving different questions of one diagnostic at the same time lose nothing;
- PostgreSQL goes away (a TCP proxy in between is cut): 503 with Retry-After, never a 500 nor a
  hang, then the app recovers on its own once the database is back;
- two app processes on one PostgreSQL see each other's saves.

PostgreSQL tests use TEST_DATABASE_URL's server but a database of their own (`test_faults`),
so they never touch the database the rest of the suite resets.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Question
from tests.utils import live_server
from tests.utils.live_server import stop_server
from tests.utils.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
FAULTS_DATABASE = "test_faults"
# Every request has a deadline: a hung server fails the test instead of stalling it.
TIMEOUT = httpx.Timeout(10.0)
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not set"),
        ],
    ),
]


# --- Servers and databases -----------------------------------------------------------------


def start_server(database_url: str, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """The real server, ready once /healthz answers (200: its database is reachable)."""
    return live_server.start_server(database_url, port=port, probe_path="/healthz")


@contextlib.contextmanager
def server(database_url: str) -> Iterator[str]:
    process, base_url = start_server(database_url)
    try:
        yield base_url
    finally:
        stop_server(process)


def _connect_args(url: str, database: str) -> dict[str, Any]:
    args = make_url(url).translate_connect_args(username="user", database="dbname")
    return {**args, "dbname": database}


@pytest.fixture
def postgres_url() -> str:
    """An empty database `test_faults` next to TEST_DATABASE_URL's (created when missing)."""
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    base = make_url(POSTGRES_URL)
    with psycopg.connect(**_connect_args(POSTGRES_URL, base.database), autocommit=True) as db:
        found = db.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (FAULTS_DATABASE,)
        ).fetchone()
        if not found:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(FAULTS_DATABASE)))
    with psycopg.connect(**_connect_args(POSTGRES_URL, FAULTS_DATABASE), autocommit=True) as db:
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")
    return base.set(database=FAULTS_DATABASE).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def faults_database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.sqlite3'}"
    return request.getfixturevalue("postgres_url")


# --- API helpers ---------------------------------------------------------------------------


def call(client: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response:
    """A request that must be answered: a timeout means the server hung."""
    try:
        return client.request(method, path, **kwargs)
    except httpx.TimeoutException:
        pytest.fail(f"{method} {path}: no answer within {TIMEOUT.read} s (the server hangs)")


def create_diagnostic(client: httpx.Client) -> str:
    response = call(client, "POST", "/api/diagnostics")
    assert response.status_code in (200, 201), response.text
    return response.json()["token"]


def save(client: httpx.Client, token: str, answers: dict[str, Any]) -> httpx.Response:
    return call(client, "PUT", f"/api/diagnostics/{token}/answers", json=answers)


def stored_answers(client: httpx.Client, token: str) -> dict[str, Any]:
    response = call(client, "GET", f"/api/diagnostics/{token}")
    assert response.status_code == 200, response.text
    return response.json()["answers"]


def value_for(questionnaire: Questionnaire, question: Question, n: int) -> Any:
    """A valid value for `question`, as stored (so it reads back equal), varying with `n` as far
    as the question allows."""
    match question.type:
        case "amount" | "integer" | "decimal" | "percentage":
            low, high = int(question.lower_bound), int(question.upper_bound)
            return low + 1 + n % max(high - low - 1, 1)
        case "short_text" | "long_text":
            return f"Réponse n° {n}"
        case "single_choice" | "likert":
            options = questionnaire.options(question)
            return options[n % len(options)].id
        case "multiple_choice":
            options = [o for o in questionnaire.options(question) if not o.exclusive]
            return [options[n % len(options)].id]
    raise AssertionError(f"unexpected question type {question.type}")


# --- 1. SIGKILL in the middle of a burst of saves (SQLite file) -----------------------------

BURST_DIAGNOSTICS = 6
BURST_WORKERS = 8
KILL_AFTER = 60  # acknowledged saves


@dataclass
class Job:
    token: str
    answers: dict[str, Any]


@dataclass
class Burst:
    acknowledged: list[Job] = field(default_factory=list)
    interrupted: list[Job] = field(default_factory=list)  # no answer: the server died
    refused: list[tuple[Job, int, str]] = field(default_factory=list)  # any status but 200
    lock: threading.Lock = field(default_factory=threading.Lock)


def burst_jobs(questionnaire: Questionnaire, tokens: list[str]) -> list[Job]:
    """Saves of 1 to 3 answers; each (diagnostic, question) is written by exactly one job, with
    a value of its own. Diagnostics take turns, so that concurrent saves hit each of them."""
    questions = list(questionnaire.questions.values())
    per_diagnostic: list[list[Job]] = []
    for d, token in enumerate(tokens):
        jobs, i = [], 0
        while i < len(questions):
            chunk = questions[i : i + 1 + (i + d) % 3]
            jobs.append(Job(token, {q.id: value_for(questionnaire, q, 7 * d + i) for q in chunk}))
            i += len(chunk)
        per_diagnostic.append(jobs)
    turns = itertools.zip_longest(*per_diagnostic)
    return [job for turn in turns for job in turn if job is not None]


def run_burst_and_kill(base_url: str, jobs: list[Job], process: subprocess.Popen) -> Burst:
    burst = Burst()
    pending: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        pending.put(job)
    enough = threading.Event()
    killed = threading.Event()

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            while not killed.is_set():
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    response = client.put(f"/api/diagnostics/{job.token}/answers", json=job.answers)
                except httpx.TransportError:
                    with burst.lock:
                        burst.interrupted.append(job)
                    continue
                with burst.lock:
                    if response.status_code == 200:
                        burst.acknowledged.append(job)
                        if len(burst.acknowledged) >= KILL_AFTER:
                            enough.set()
                    else:
                        burst.refused.append((job, response.status_code, response.text))
                        enough.set()

    threads = [threading.Thread(target=worker) for _ in range(BURST_WORKERS)]
    for thread in threads:
        thread.start()
    try:
        assert enough.wait(60), "the burst never reached the kill point"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        killed.set()
        for thread in threads:
            thread.join(30)
    return burst


def test_sigkill_mid_burst_keeps_every_acknowledged_save(tmp_path, questionnaire):
    db_file = tmp_path / "faults.sqlite3"
    database_url = f"sqlite:///{db_file}"
    process, base_url = start_server(database_url)
    try:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            tokens = [create_diagnostic(client) for _ in range(BURST_DIAGNOSTICS)]
        jobs = burst_jobs(questionnaire, tokens)
        burst = run_burst_and_kill(base_url, jobs, process)
    finally:
        stop_server(process)

    assert process.returncode == -signal.SIGKILL
    assert burst.refused == [], "saves refused during the burst"
    assert KILL_AFTER <= len(burst.acknowledged) < len(jobs), "the kill was not mid-burst"

    # The file as the dead server left it (WAL not checkpointed) is sound.
    with contextlib.closing(sqlite3.connect(db_file)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    with server(database_url) as base_url, httpx.Client(base_url=base_url, timeout=TIMEOUT) as c:
        stored = {token: stored_answers(c, token) for token in tokens}

    for job in burst.acknowledged:
        for question_id, value in job.answers.items():
            assert stored[job.token].get(question_id) == value, (job, question_id)
    acknowledged = {id(job) for job in burst.acknowledged}
    for job in jobs:
        if id(job) in acknowledged:
            continue
        # Unacknowledged (cut off in flight, or never sent): all of it or none of it.
        present = {q: stored[job.token][q] for q in job.answers if q in stored[job.token]}
        assert present in ({}, job.answers), ("half-written save", job, present)
    sent = {(job.token, q) for job in jobs for q in job.answers}
    assert {(t, q) for t, answers in stored.items() for q in answers} <= sent


# --- 2. Concurrent saves to one diagnostic from two clients --------------------------------

ROUNDS = 3


def test_two_clients_saving_one_diagnostic_lose_nothing(faults_database_url, questionnaire):
    question_ids = list(questionnaire.questions)
    shares = {"A": question_ids[0::2], "B": question_ids[1::2]}

    def value(question_id: str, round_: int) -> Any:
        n = round_ * 101 + question_ids.index(question_id)
        return value_for(questionnaire, questionnaire.questions[question_id], n)

    with server(faults_database_url) as base_url:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            token = create_diagnostic(client)
        start = threading.Barrier(2, timeout=10)

        def client_run(name: str) -> list[tuple[str, int]]:
            failures = []
            with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
                start.wait()
                for round_ in range(ROUNDS):
                    for question_id in shares[name]:
                        response = save(client, token, {question_id: value(question_id, round_)})
                        if response.status_code != 200:
                            failures.append((question_id, response.status_code))
            return failures

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(client_run, shares))
        assert results == [[], []]

        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
            stored = stored_answers(client, token)
    assert stored == {question_id: value(question_id, ROUNDS - 1) for question_id in question_ids}


# --- 3. PostgreSQL connection lost, then back ----------------------------------------------


@pytest.mark.postgres
def test_lost_postgres_answers_503_then_recovers(postgres_url, questionnaire):
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied_url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    first, second = list(questionnaire.questions.values())[:2]
    before = {first.id: value_for(questionnaire, first, 1)}
    after = {second.id: value_for(questionnaire, second, 2)}
    try:
        with server(proxied_url) as base_url:
            with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
                token = create_diagnostic(client)
                assert save(client, token, before).status_code == 200
                assert proxy.connection_count() > 0

                proxy.stop()  # the database goes away, open connections reset
                response = save(client, token, after)
                assert response.status_code == 503, response.text
                assert int(response.headers["Retry-After"]) > 0
                assert "indisponible" in response.json()["detail"]
                reading = call(client, "GET", f"/api/diagnostics/{token}")
                assert reading.status_code == 503, reading.text
                assert "Retry-After" in reading.headers
                health = call(client, "GET", "/healthz")
                assert health.status_code == 503, health.text
                assert health.json()["status"] != "ok"

                proxy.start()  # the database is back, same address
                deadline = time.monotonic() + 15
                while (health := call(client, "GET", "/healthz")).status_code != 200:
                    assert health.status_code == 503, health.text
                    assert time.monotonic() < deadline, "no recovery once the database was back"
                    time.sleep(0.2)
                assert health.json()["status"] == "ok"
                response = save(client, token, after)
                assert response.status_code == 200, response.text
                assert stored_answers(client, token) == {**before, **after}
    finally:
        proxy.stop()


# --- 4. Two app processes on one PostgreSQL ------------------------------------------------


@pytest.mark.postgres
def test_two_app_processes_share_one_postgres(postgres_url, questionnaire):
    first, second, third = list(questionnaire.questions.values())[:3]
    with (
        server(postgres_url) as url_a,
        server(postgres_url) as url_b,
        httpx.Client(base_url=url_a, timeout=TIMEOUT) as a,
        httpx.Client(base_url=url_b, timeout=TIMEOUT) as b,
    ):
        assert url_a != url_b
        token = create_diagnostic(a)
        one = {first.id: value_for(questionnaire, first, 3)}
        assert save(a, token, one).status_code == 200
        assert stored_answers(b, token) == one

        two = {second.id: value_for(questionnaire, second, 4)}
        assert save(b, token, two).status_code == 200
        assert stored_answers(a, token) == {**one, **two}

        # A diagnostic started on B is known to A, and a change made by A is seen by B.
        other = create_diagnostic(b)
        three = {third.id: value_for(questionnaire, third, 5)}
        assert save(a, other, three).status_code == 200
        assert stored_answers(b, other) == three
        changed = {first.id: value_for(questionnaire, first, 6)}
        assert changed != one
        assert save(b, token, changed).status_code == 200
        assert stored_answers(a, token) == {**changed, **two}
