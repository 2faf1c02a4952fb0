"""Alembic environment: runs migrations against DATABASE_URL (or the URL set by app.db)."""

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers the tables on SQLModel.metadata
from app.config import settings
from app.db import WRITE_OPTION, create_db_engine, normalise_url

config = context.config
# Any constant shared by every instance of this app ("MSE" in ASCII).
MIGRATION_LOCK_KEY = 0x4D5345
target_metadata = SQLModel.metadata


def database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or normalise_url(settings.database_url)


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Several instances may start together: migrations must run one at a time. SQLite takes
    # its write lock at BEGIN (BEGIN IMMEDIATE); PostgreSQL takes a transaction-level advisory
    # lock, so the second instance waits, then finds nothing left to do.
    engine = create_db_engine(database_url()).execution_options(**{WRITE_OPTION: True})
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK_KEY})
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
