"""Engine creation: SQLite tuned for a web app (WAL, busy timeout, immediate write
transactions) or PostgreSQL, and Alembic migrations applied from code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from alembic import command
from app.config import PROJECT_ROOT

WRITE_OPTION = "mse_write"


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

    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction is a write transaction (BEGIN IMMEDIATE on SQLite)."""
    with Session(engine.execution_options(**{WRITE_OPTION: True})) as session:
        yield session


def first_detached(session: Session, statement):
    """The first entity the statement selects, detached from the session so it can be used
    after the session closes; None when there is none."""
    row = session.execute(statement).first()
    if row is None:
        return None
    session.expunge(row[0])
    return row[0]


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    return config


def migrate(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
