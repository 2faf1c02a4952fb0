"""Personal-data retention: what `mse purge` deletes (database side, no HTTP).

- Diagnostics untouched since the cutoff go, with their answers and workshop links, one
  transaction each, through `crud.delete_diagnostic` (its row locked first by
  `locks.lock_diagnostic`, in the lock order of every write; one touched in the meantime is
  kept). Touched: modified (`updated_at`: an answer saved, the pitch sheet's request) or linked
  to a workshop (`joined_at`).
- Workshops without activity since the cutoff go, with their participant links (the
  associations' diagnostics are not touched: they follow their own clock). A workshop's last
  activity is the latest of its creation, the end of its date, and the last participant joining.
- Expired counsellor sessions go whatever the cutoff (they no longer sign anyone in).

Every function takes the engine and the moment explicitly, so tests can drive them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Engine, and_, delete, func, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from app import crud
from app.clock import as_utc
from app.config import MAX_RETENTION_DAYS
from app.db import write_session
from app.models import Answer, Diagnostic, FacilitatorSession, Participant, Workshop, utcnow


@dataclass
class Deleted:
    """What a purge deleted (or, in a dry run, would delete)."""

    diagnostics: int = 0
    answers: int = 0
    memberships: int = 0  # workshop links of the deleted diagnostics
    workshops: int = 0
    workshop_memberships: int = 0  # participant links of the deleted workshops
    sessions: int = 0
    # Rows that could not be processed ("workshop 12: OverflowError: …"); the others were.
    skipped: list[str] = field(default_factory=list)


logger = logging.getLogger("mse.retention")
# The database itself is unreachable: every other row would fail the same way, so stop.
_DATABASE_DOWN = (OperationalError, InterfaceError)


def _skip(deleted: Deleted, what: str, row_id: int, error: Exception) -> None:
    """One row failed: note it and go on, so one bad row never stops the nightly purge."""
    deleted.skipped.append(f"{what} {row_id}: {type(error).__name__}: {error}")
    logger.warning("purge skipped %s %s: %s", what, row_id, type(error).__name__)


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """The moment `days` days before `now` (UTC)."""
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"the retention period is from 1 to {MAX_RETENTION_DAYS} days")
    return as_utc(now or utcnow()) - timedelta(days=days)


# --- Diagnostics --------------------------------------------------------------------------


def untouched_since(cutoff: datetime) -> ColumnElement[bool]:
    """A diagnostic neither modified nor linked to a workshop since `cutoff` (linking an
    existing diagnostic to a workshop does not change it, but is its owner's doing)."""
    cutoff = as_utc(cutoff)
    joined_since = (
        select(Participant.id)
        .where(Participant.diagnostic_id == Diagnostic.id, Participant.joined_at >= cutoff)
        .exists()
    )
    return and_(Diagnostic.updated_at < cutoff, ~joined_since)


def stale_diagnostics(*, engine: Engine, cutoff: datetime) -> list[tuple[int, int, int]]:
    """(id, answers, workshop links) of each diagnostic untouched since `cutoff`."""
    answers = (
        select(func.count())
        .select_from(Answer)
        .where(Answer.diagnostic_id == Diagnostic.id)
        .scalar_subquery()
    )
    links = (
        select(func.count())
        .select_from(Participant)
        .where(Participant.diagnostic_id == Diagnostic.id)
        .scalar_subquery()
    )
    with Session(engine) as session:
        # Sorted here, not by ORDER BY id: that made SQLite walk the whole table in id order
        # instead of the updated_at index's few old rows.
        rows = session.execute(select(Diagnostic.id, answers, links).where(untouched_since(cutoff)))
        return sorted(
            (diagnostic_id, n_answers, n_links) for diagnostic_id, n_answers, n_links in rows
        )


def purge_diagnostics(*, engine: Engine, cutoff: datetime, dry_run: bool = False) -> Deleted:
    deleted = Deleted()
    for diagnostic_id, n_answers, n_links in stale_diagnostics(engine=engine, cutoff=cutoff):
        try:
            gone = dry_run or crud.delete_diagnostic(
                engine=engine, diagnostic_id=diagnostic_id, only_if=untouched_since(cutoff)
            )
        except _DATABASE_DOWN:
            raise
        except Exception as error:  # noqa: BLE001 - one bad row must not stop the purge
            _skip(deleted, "diagnostic", diagnostic_id, error)
            continue
        if not gone:
            continue  # touched (or deleted by its owner) since it was listed
        deleted.diagnostics += 1
        deleted.answers += n_answers
        deleted.memberships += n_links
    return deleted


# --- Workshops ----------------------------------------------------------------------------


def _end_of(day: date) -> datetime:
    if day == date.max:  # 31/12/9999: its next day does not exist (OverflowError)
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def last_activity(created_at: datetime, held_on: date | None, last_join: datetime | None):
    """A workshop's latest sign of life: created, held (until the end of its day), joined."""
    moments = [as_utc(created_at)]
    if held_on is not None:
        moments.append(_end_of(held_on))
    if last_join is not None:
        moments.append(as_utc(last_join))
    return max(moments)


def stale_workshops(*, engine: Engine, cutoff: datetime) -> list[tuple[int, list[int]]]:
    """(id, linked diagnostic ids) of each workshop without activity since `cutoff`."""
    with Session(engine) as session:
        last_join = (
            select(func.max(Participant.joined_at))
            .where(Participant.workshop_id == Workshop.id)
            .scalar_subquery()
        )
        # Created since the cutoff is activity: only older workshops are read, on an index
        # (no GROUP BY nor ORDER BY id, which made SQLite walk the whole table in id order);
        # last_activity() decides the rest.
        workshops = session.execute(
            select(Workshop.id, Workshop.created_at, Workshop.held_on, last_join).where(
                Workshop.created_at < as_utc(cutoff)
            )
        ).all()
        stale = [
            workshop_id
            for workshop_id, created_at, held_on, last_join in sorted(workshops)
            if last_activity(created_at, held_on, last_join) < as_utc(cutoff)
        ]
        links: dict[int, list[int]] = {workshop_id: [] for workshop_id in stale}
        if stale:
            for workshop_id, diagnostic_id in session.execute(
                select(Participant.workshop_id, Participant.diagnostic_id).where(
                    Participant.workshop_id.in_(stale)
                )
            ):
                links[workshop_id].append(diagnostic_id)
    return list(links.items())


def delete_stale_workshop(*, engine: Engine, workshop_id: int, cutoff: datetime) -> bool:
    """As `workshops.storage.delete_workshop` (the links go, the diagnostics stay), but only if
    still without activity once its row is locked: someone may be joining at that very moment.
    Returns whether it was deleted."""
    with write_session(engine) as session:
        workshop = session.execute(
            select(Workshop.created_at, Workshop.held_on)
            .where(Workshop.id == workshop_id)
            .with_for_update()
        ).first()
        if workshop is None:
            return False
        last_join = session.execute(
            select(func.max(Participant.joined_at)).where(Participant.workshop_id == workshop_id)
        ).scalar_one()
        if last_activity(workshop.created_at, workshop.held_on, last_join) >= as_utc(cutoff):
            return False
        session.execute(delete(Participant).where(Participant.workshop_id == workshop_id))
        session.execute(delete(Workshop).where(Workshop.id == workshop_id))
        session.commit()
        return True


def purge_workshops(
    *,
    engine: Engine,
    cutoff: datetime,
    dry_run: bool = False,
    purged_diagnostics: frozenset[int] = frozenset(),
) -> Deleted:
    """`purged_diagnostics`: links of these are not counted (a dry run lists diagnostics and
    workshops before deleting either, and a link is deleted once)."""
    deleted = Deleted()
    for workshop_id, diagnostic_ids in stale_workshops(engine=engine, cutoff=cutoff):
        try:
            gone = dry_run or delete_stale_workshop(
                engine=engine, workshop_id=workshop_id, cutoff=cutoff
            )
        except _DATABASE_DOWN:
            raise
        except Exception as error:  # noqa: BLE001 - one bad row must not stop the purge
            _skip(deleted, "workshop", workshop_id, error)
            continue
        if not gone:
            continue
        deleted.workshops += 1
        deleted.workshop_memberships += sum(
            1 for diagnostic_id in diagnostic_ids if diagnostic_id not in purged_diagnostics
        )
    return deleted


# --- Sessions -----------------------------------------------------------------------------


def purge_expired_sessions(
    *, engine: Engine, now: datetime | None = None, dry_run: bool = False
) -> int:
    expired = FacilitatorSession.expires_at < as_utc(now or utcnow())
    if dry_run:
        with Session(engine) as session:
            return session.execute(
                select(func.count()).select_from(FacilitatorSession).where(expired)
            ).scalar_one()
    with write_session(engine) as session:
        count = session.execute(delete(FacilitatorSession).where(expired)).rowcount
        session.commit()
    return count


# --- All of it ----------------------------------------------------------------------------


def purge(
    *,
    engine: Engine,
    cutoff: datetime | None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Deleted:
    """Everything past retention; with `cutoff` None (retention off) only expired sessions.
    A stale diagnostic has no link made since the cutoff, so purging it never changes whether
    a workshop is stale: the dry run's counts are the real run's."""
    deleted = Deleted()
    if cutoff is not None:
        listed: frozenset[int] = frozenset()
        if dry_run:
            stale = stale_diagnostics(engine=engine, cutoff=cutoff)
            listed = frozenset(diagnostic_id for diagnostic_id, _answers, _links in stale)
        diagnostics = purge_diagnostics(engine=engine, cutoff=cutoff, dry_run=dry_run)
        workshops = purge_workshops(
            engine=engine, cutoff=cutoff, dry_run=dry_run, purged_diagnostics=listed
        )
        deleted.diagnostics, deleted.answers = diagnostics.diagnostics, diagnostics.answers
        deleted.memberships = diagnostics.memberships
        deleted.workshops = workshops.workshops
        deleted.workshop_memberships = workshops.workshop_memberships
        deleted.skipped = diagnostics.skipped + workshops.skipped
    deleted.sessions = purge_expired_sessions(engine=engine, now=now, dry_run=dry_run)
    return deleted
