"""Engine creation: SQLite tuned for a web app (WAL, busy timeout, immediate write
transactions) or PostgreSQL, and Alembic migrations applied from code."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alembic import command
from app.config import PROJECT_ROOT

WRITE_OPTION = "mse_write"
# How long a writer waits for the in-process SQLite write lock (see `_sqlite_writer_lock`), the
# same as SQLite's own busy timeout: past it, a 503 rather than a request hanging forever.
WRITE_LOCK_TIMEOUT = 30.0


def normalise_url(database_url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def create_db_engine(database_url: str) -> Engine:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite":
        # Timeouts so a database that stops answering (a dropped network, not a refused one)
        # gives a 503 within seconds instead of hanging every worker thread.
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=10,
            pool_timeout=10,
            connect_args={
                "connect_timeout": 5,
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
                "tcp_user_timeout": 10_000,  # ms without acknowledgement before giving up
            },
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event decide how transactions start (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # A write transaction takes the write lock at BEGIN: two writers then queue on the busy
        # timeout instead of both holding read locks and deadlocking on the upgrade.
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    # Writers of this process queue on a lock before BEGIN IMMEDIATE (see write_session).
    engine.mse_write_lock = threading.RLock()  # type: ignore[attr-defined]
    return engine


def _write_engine(engine: Engine) -> Engine:
    """The engine whose transactions are write transactions; made once per engine (each
    `execution_options` call builds a new proxy)."""
    writer = getattr(engine, "mse_write_engine", None)
    if writer is None:
        writer = engine.execution_options(**{WRITE_OPTION: True})
        engine.mse_write_engine = writer  # type: ignore[attr-defined]
    return writer


@contextmanager
def _sqlite_writer_lock(engine: Engine) -> Iterator[None]:
    """On SQLite, one writer of this process at a time, queued on a lock.

    SQLite allows one writer per database; the others wait in its busy handler, which sleeps
    and retries with growing sleeps (up to 100 ms each) instead of waking when the lock is
    released, so the freed lock sits idle while the sleepers doze. Under load that gave a p99
    of 0.6-1.2 s and some saves over 3 s (issue 13). Waiting on a lock here instead wakes the
    next writer as soon as the previous one commits: issue 13 measured p99 1.2 s -> 0.17 s and
    29 % more saves per second; bench/bench_save.py shows it on this code. Other processes on
    the same file still meet the busy timeout, as before. PostgreSQL engines have no such lock
    (row locks there, and writers on different rows run concurrently). Re-entrant, so a write
    nested in another in the same thread does not deadlock."""
    lock = getattr(engine, "mse_write_lock", None)
    if lock is None:
        yield
        return
    if not lock.acquire(timeout=WRITE_LOCK_TIMEOUT):
        # The same error as SQLite's own busy timeout: answered 503 (see main.py).
        raise OperationalError("write lock", None, sqlite3.OperationalError("database is locked"))
    try:
        yield
    finally:
        lock.release()


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction is a write transaction (BEGIN IMMEDIATE on SQLite)."""
    with _sqlite_writer_lock(engine), Session(_write_engine(engine)) as session:
        yield session


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A Core connection in a write transaction, committed when the block ends without error
    (rolled back otherwise): for hot paths where the ORM session costs more than the SQL."""
    with _sqlite_writer_lock(engine), _write_engine(engine).begin() as connection:
        yield connection


_T = TypeVar("_T")


def detached(session: Session, instance: _T, *, refresh: bool = False) -> _T:
    """The one way rows leave a session: `instance` detached, so it can be read after the
    session closes (None passes through). `refresh` first reloads what the database set on
    commit (ids, defaults), as committing expires the instance."""
    if instance is not None:
        if refresh:
            session.refresh(instance)
        session.expunge(instance)
    return instance


def first_detached(session: Session, statement):
    """The first entity the statement selects, detached (see `detached`); None when there is
    none."""
    return detached(session, session.execute(statement).scalars().first())


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
