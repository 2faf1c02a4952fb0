"""The one clock and the one rule for moments: every stored moment is UTC.

SQLite hands datetimes back naive (what was stored, in UTC); PostgreSQL hands back aware
values (timestamptz). `as_utc` makes both the same aware UTC moment, so code compares and
subtracts moments without caring which database it runs on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    # Timezone-aware: SQLModel's datetime type refuses naive values, and PostgreSQL stores
    # them as timestamptz (see the migration).
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """The same moment, aware and in UTC (a naive value is taken as UTC); None stays None."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
