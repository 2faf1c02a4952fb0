"""Database tables: questionnaire snapshots, diagnostics and their answers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    # Timezone-aware: SQLModel's datetime type refuses naive values, and PostgreSQL stores
    # them as timestamptz (see the migration).
    return datetime.now(UTC)


class QuestionnaireSnapshot(SQLModel, table=True):
    """The exact definition a diagnostic was answered with, so it still renders after the YAML
    changes. One row per distinct content."""

    __tablename__ = "questionnaire_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: str = Field(max_length=64)
    version: str = Field(max_length=40)
    content_hash: str = Field(max_length=64, unique=True)
    definition_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Diagnostic(SQLModel, table=True):
    __tablename__ = "diagnostic"
    # Ids of deleted diagnostics are never reused (see the migration).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    # The only key to a diagnostic: 192 random bits, URL-safe.
    token: str = Field(max_length=64, unique=True, index=True)
    snapshot_id: int = Field(foreign_key="questionnaire_snapshot.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Answer(SQLModel, table=True):
    __tablename__ = "answer"

    diagnostic_id: int = Field(
        sa_column=Column(Integer, ForeignKey("diagnostic.id", ondelete="CASCADE"), primary_key=True)
    )
    question_id: str = Field(max_length=64, primary_key=True)
    # JSON text of the validated value.
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
