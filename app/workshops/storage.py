"""Database operations on workshops and their participants. Keyword-only, one transaction each.

Access is part of every counsellor-side lookup (`facilitator_id` in the WHERE clause, as the
workshop's creator or as a co-counsellor through `workshop_facilitator`), so a workshop of
another account is simply not found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.crud import DiagnosticGone, new_token
from app.db import detached, first_detached, write_session
from app.i18n import N_
from app.locks import lock_diagnostic
from app.models import (
    Answer,
    Diagnostic,
    Facilitator,
    Participant,
    Workshop,
    WorkshopFacilitator,
    utcnow,
)
from app.workshops.codes import new_join_code

SHARING_MODES = ("named", "anonymous")
# How each mode reads on the participant's page ("Vos résultats sont partagés …"); translated
# where shown.
SHARING_LABELS = {
    "named": N_("avec le nom de votre association"),
    "anonymous": N_("anonymement (un numéro à la place du nom)"),
}


@dataclass(frozen=True)
class WorkshopFields:
    title: str
    held_on: date | None = None
    place: str = ""
    notes: str = ""


def create_workshop(*, engine: Engine, facilitator_id: int, fields: WorkshopFields) -> Workshop:
    for _attempt in range(10):
        try:
            with write_session(engine) as session:
                workshop = Workshop(
                    facilitator_id=facilitator_id,
                    join_code=new_join_code(),
                    title=fields.title,
                    held_on=fields.held_on,
                    place=fields.place,
                    notes=fields.notes,
                )
                session.add(workshop)
                session.commit()
                return detached(session, workshop, refresh=True)
        except IntegrityError:
            continue  # the code was taken: draw another
    raise RuntimeError("could not draw a free join code")


def update_workshop(*, engine: Engine, workshop_id: int, fields: WorkshopFields) -> None:
    with write_session(engine) as session:
        session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id)
            .values(
                title=fields.title, held_on=fields.held_on, place=fields.place, notes=fields.notes
            )
        )
        session.commit()


def set_open(*, engine: Engine, workshop_id: int, is_open: bool) -> None:
    with write_session(engine) as session:
        session.execute(update(Workshop).where(Workshop.id == workshop_id).values(is_open=is_open))
        session.commit()


def delete_workshop(*, engine: Engine, workshop_id: int) -> None:
    """The workshop and its participant links go; the diagnostics stay their associations'."""
    with write_session(engine) as session:
        # The workshop's row first, as joins lock it before touching participants
        # (the lock order: app/locks.py).
        session.execute(select(Workshop.id).where(Workshop.id == workshop_id).with_for_update())
        session.execute(delete(Participant).where(Participant.workshop_id == workshop_id))
        session.execute(
            delete(WorkshopFacilitator).where(WorkshopFacilitator.workshop_id == workshop_id)
        )
        session.execute(delete(Workshop).where(Workshop.id == workshop_id))
        session.commit()


def can_run(facilitator_id: int):
    """The condition "this account runs the workshop": its creator or a co-counsellor. Every
    counsellor-side lookup uses it, so a co-counsellor gets the same rights on that workshop
    and nothing else."""
    # One list of ids from two indexes (a UNION), not "creator OR EXISTS (…)": the OR made
    # the workshop list read the whole workshop table (tests/test_query_plans.py).
    return Workshop.id.in_(
        union(
            select(Workshop.id).where(Workshop.facilitator_id == facilitator_id),
            select(WorkshopFacilitator.workshop_id).where(
                WorkshopFacilitator.facilitator_id == facilitator_id
            ),
        )
    )


def list_workshops(
    *, engine: Engine, facilitator_id: int, created_only: bool = False
) -> list[tuple[Workshop, int]]:
    """The counsellor's workshops (created or co-run; `created_only`: those deleted with the
    account), newest first, with their participant counts."""
    with Session(engine) as session:
        rows = session.execute(
            select(Workshop, func.count(Participant.id))
            .outerjoin(Participant, Participant.workshop_id == Workshop.id)
            .where(
                Workshop.facilitator_id == facilitator_id
                if created_only
                else can_run(facilitator_id)
            )
            .group_by(Workshop.id)
            .order_by(Workshop.created_at.desc(), Workshop.id.desc())
        ).all()
        return [(detached(session, workshop), count) for workshop, count in rows]


def owned_workshop(*, engine: Engine, facilitator_id: int, workshop_id: int) -> Workshop | None:
    with Session(engine) as session:
        return first_detached(
            session,
            select(Workshop).where(Workshop.id == workshop_id, can_run(facilitator_id)),
        )


def workshop_by_code(*, engine: Engine, code: str) -> Workshop | None:
    if not code:
        return None
    with Session(engine) as session:
        return first_detached(session, select(Workshop).where(Workshop.join_code == code))


# --- Participants -------------------------------------------------------------------------


class WorkshopGone(LookupError):
    """The workshop was deleted while someone was joining it."""


class WorkshopClosed(Exception):
    """The workshop was closed (or its results frozen, which closes it) while someone was
    joining it: nothing is written."""


def join_workshop(
    *, engine: Engine, workshop_id: int, diagnostic_id: int, sharing: str
) -> Participant:
    """Link a diagnostic to a workshop, or return the existing link as it is: re-joining keeps
    the sharing chosen before (it once silently switched an association to anonymous); the
    participant changes it on purpose from their diagnostic. Raises WorkshopGone when the
    workshop was deleted meanwhile, WorkshopClosed when it was closed (nothing is written)."""
    if sharing not in SHARING_MODES:
        raise ValueError(sharing)
    try:
        return _join_workshop(engine, workshop_id, diagnostic_id, sharing)
    except IntegrityError:
        # On PostgreSQL two requests for the same diagnostic (a double click) can both miss
        # the existing row; the unique constraint stops the second, which now finds it.
        return _join_workshop(engine, workshop_id, diagnostic_id, sharing)


def join_with_new_diagnostic(
    *, engine: Engine, workshop_id: int, snapshot_id: int, sharing: str
) -> Diagnostic:
    """Start a diagnostic already linked to the workshop, in one transaction: if the workshop
    was deleted meanwhile, WorkshopGone is raised and no diagnostic exists whose owner never
    got its link. Raises WorkshopClosed when it was closed meanwhile (nothing is written)."""
    if sharing not in SHARING_MODES:
        raise ValueError(sharing)
    with write_session(engine) as session:
        _lock_workshop(session, workshop_id)
        number = _next_number(session, workshop_id)
        diagnostic = Diagnostic(token=new_token(), snapshot_id=snapshot_id)
        session.add(diagnostic)
        session.flush()
        session.add(
            Participant(
                workshop_id=workshop_id,
                diagnostic_id=diagnostic.id,
                number=number,
                sharing=sharing,
            )
        )
        session.commit()
        return detached(session, diagnostic, refresh=True)


def _lock_workshop(session: Session, workshop_id: int) -> None:
    """Lock the workshop's row for the rest of the transaction, or raise WorkshopGone. Every
    delete of a workshop locks its row before its participants (see delete_workshop), so once
    locked it cannot vanish, and a link made now is never left pointing at nothing. Raises
    WorkshopClosed when it is closed: the route's own check of is_open was an earlier read,
    and closing (which freezes) must not let a join slip in after it."""
    found = session.execute(
        select(Workshop.id, Workshop.is_open).where(Workshop.id == workshop_id).with_for_update()
    ).first()
    if found is None:
        raise WorkshopGone(workshop_id)
    if not found.is_open:
        raise WorkshopClosed(workshop_id)


def _next_number(session: Session, workshop_id: int) -> int:
    """Lock the workshop's row and hand out its next participant number. The write lock
    (BEGIN IMMEDIATE on SQLite, the row update on PostgreSQL) makes the increment and the
    insert that follows atomic, so two people joining at once get two numbers."""
    number = session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id)
        .values(last_number=Workshop.last_number + 1)
        .returning(Workshop.last_number)
    ).scalar_one_or_none()
    if number is None:
        raise WorkshopGone(workshop_id)
    return number


def _join_workshop(
    engine: Engine, workshop_id: int, diagnostic_id: int, sharing: str
) -> Participant:
    with write_session(engine) as session:
        # Joining is activity: touching the diagnostic locks its row first (app/locks.py), so
        # the retention purge, which deletes only rows still untouched, waits for this join and
        # then keeps the diagnostic; a diagnostic deleted meanwhile is reported as gone (404),
        # not as a foreign-key error. The workshop's row comes next.
        if lock_diagnostic(session, diagnostic_id=diagnostic_id, touch=utcnow()) is None:
            raise DiagnosticGone(diagnostic_id)
        _lock_workshop(session, workshop_id)
        existing = session.scalars(
            select(Participant).where(
                Participant.workshop_id == workshop_id, Participant.diagnostic_id == diagnostic_id
            )
        ).first()
        if existing is not None:
            # Read before the commit: a delete right after it cannot leave nothing to return.
            detached(session, existing)
            session.commit()
            return existing
        participant = Participant(
            workshop_id=workshop_id,
            diagnostic_id=diagnostic_id,
            number=_next_number(session, workshop_id),
            sharing=sharing,
        )
        session.add(participant)
        session.commit()
        return detached(session, participant, refresh=True)


def memberships(*, engine: Engine, diagnostic_id: int) -> list[tuple[Participant, Workshop]]:
    """The workshops a diagnostic takes part in, as the participant sees them."""
    with Session(engine) as session:
        rows = session.execute(
            select(Participant, Workshop)
            .join(Workshop, Workshop.id == Participant.workshop_id)
            .where(Participant.diagnostic_id == diagnostic_id)
            .order_by(Participant.joined_at.desc())
        ).all()
        return [
            (detached(session, participant), detached(session, workshop))
            for participant, workshop in rows
        ]


def membership(*, engine: Engine, diagnostic_id: int, participant_id: int) -> Participant | None:
    """This diagnostic's own participation; None for anyone else's."""
    with Session(engine) as session:
        return first_detached(
            session,
            select(Participant).where(
                Participant.id == participant_id, Participant.diagnostic_id == diagnostic_id
            ),
        )


def set_sharing(*, engine: Engine, participant_id: int, sharing: str) -> None:
    if sharing not in SHARING_MODES:
        raise ValueError(sharing)
    with write_session(engine) as session:
        session.execute(
            update(Participant).where(Participant.id == participant_id).values(sharing=sharing)
        )
        session.commit()


def set_present_consent(*, engine: Engine, participant_id: int, agreed: bool) -> None:
    """The participant agrees (or no longer agrees) to present their situation in a round."""
    with write_session(engine) as session:
        session.execute(
            update(Participant)
            .where(Participant.id == participant_id)
            .values(present_consent=agreed)
        )
        session.commit()


def leave_workshop(*, engine: Engine, participant_id: int) -> None:
    with write_session(engine) as session:
        session.execute(delete(Participant).where(Participant.id == participant_id))
        session.commit()


@dataclass(frozen=True)
class GroupMember:
    """What the counsellor side reads about one participant (answers are loaded apart)."""

    participant_id: int
    number: int
    sharing: str
    joined_at: datetime
    diagnostic_id: int
    snapshot_id: int
    updated_at: datetime
    partner_request: str
    # Agreed from their phone to present their situation in a round.
    present_consent: bool = False
    # Set when read from the workshop's frozen results (app/workshops/source.py).
    frozen_at: datetime | None = None

    @property
    def named(self) -> bool:
        return self.sharing == "named"


def group_members(*, engine: Engine, workshop_id: int) -> list[GroupMember]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                Participant.id.label("participant_id"),
                Participant.number,
                Participant.sharing,
                Participant.joined_at,
                Diagnostic.id.label("diagnostic_id"),
                Diagnostic.snapshot_id,
                Diagnostic.updated_at,
                Diagnostic.partner_request,
                Participant.present_consent,
            )
            .join(Diagnostic, Diagnostic.id == Participant.diagnostic_id)
            .where(Participant.workshop_id == workshop_id)
            .order_by(Participant.number)
        ).all()
    # By name: a positional row would shift silently when a field is added.
    return [GroupMember(**row._mapping) for row in rows]


def answers_of(*, engine: Engine, diagnostic_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Answers of several diagnostics in one query."""
    found: dict[int, dict[str, Any]] = {diagnostic_id: {} for diagnostic_id in diagnostic_ids}
    if not diagnostic_ids:
        return found
    with Session(engine) as session:
        rows = session.execute(
            select(Answer.diagnostic_id, Answer.question_id, Answer.value_json).where(
                Answer.diagnostic_id.in_(diagnostic_ids)
            )
        ).all()
    for diagnostic_id, question_id, value_json in rows:
        found[diagnostic_id][question_id] = json.loads(value_json)
    return found


# --- Running the room: co-counsellors, removing and merging participants, notes ----------------


def co_counsellors(*, engine: Engine, workshop_id: int) -> list[Facilitator]:
    with Session(engine) as session:
        rows = session.scalars(
            select(Facilitator)
            .join(WorkshopFacilitator, WorkshopFacilitator.facilitator_id == Facilitator.id)
            .where(WorkshopFacilitator.workshop_id == workshop_id)
            .order_by(WorkshopFacilitator.added_at, Facilitator.id)
        ).all()
        return [detached(session, row) for row in rows]


def add_co_counsellor(*, engine: Engine, workshop: Workshop, facilitator_id: int) -> bool:
    """Link an account to the workshop; False when it already runs it (creator or linked)."""
    if facilitator_id == workshop.facilitator_id:
        return False
    with write_session(engine) as session:
        if session.get(WorkshopFacilitator, (workshop.id, facilitator_id)) is not None:
            return False
        session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=facilitator_id))
        try:
            session.commit()
        except IntegrityError:
            return False  # added by a double click meanwhile
        return True


def remove_co_counsellor(*, engine: Engine, workshop_id: int, facilitator_id: int) -> None:
    with write_session(engine) as session:
        session.execute(
            delete(WorkshopFacilitator).where(
                WorkshopFacilitator.workshop_id == workshop_id,
                WorkshopFacilitator.facilitator_id == facilitator_id,
            )
        )
        session.commit()


def participant_by_number(*, engine: Engine, workshop_id: int, number: int) -> Participant | None:
    with Session(engine) as session:
        return first_detached(
            session,
            select(Participant).where(
                Participant.workshop_id == workshop_id, Participant.number == number
            ),
        )


def remove_participant(*, engine: Engine, participant_id: int) -> None:
    """The link goes; the diagnostic stays with the association that owns it."""
    leave_workshop(engine=engine, participant_id=participant_id)


def merge_participant(*, engine: Engine, duplicate: Participant, kept: Participant) -> None:
    """A duplicate joiner folded into another participant of the same workshop: one membership
    is kept (with both notes), the duplicate's link goes; its diagnostic stays its owner's."""
    if duplicate.workshop_id != kept.workshop_id or duplicate.id == kept.id:
        raise ValueError("merge within one workshop, into another participant")
    notes = [n for n in (kept.counsellor_note.strip(), duplicate.counsellor_note.strip()) if n]
    with write_session(engine) as session:
        session.execute(
            update(Participant)
            .where(Participant.id == kept.id)
            .values(
                counsellor_note="\n\n".join(notes)[:NOTE_LIMIT],
                # An agreement to present given under either membership still holds.
                present_consent=kept.present_consent or duplicate.present_consent,
            )
        )
        session.execute(delete(Participant).where(Participant.id == duplicate.id))
        session.commit()


NOTE_LIMIT = 4000


def set_note(*, engine: Engine, participant_id: int, note: str) -> None:
    with write_session(engine) as session:
        session.execute(
            update(Participant)
            .where(Participant.id == participant_id)
            .values(counsellor_note=note[:NOTE_LIMIT])
        )
        session.commit()


def sharing_counts(*, engine: Engine, workshop_id: int) -> dict[str, int]:
    """How many participants share each way (for the "only anonymous one" warning)."""
    with Session(engine) as session:
        rows = session.execute(
            select(Participant.sharing, func.count(Participant.id))
            .where(Participant.workshop_id == workshop_id)
            .group_by(Participant.sharing)
        ).all()
    return {mode: dict(rows).get(mode, 0) for mode in SHARING_MODES}


def facilitator_by_id(*, engine: Engine, facilitator_id: int) -> Facilitator | None:
    with Session(engine) as session:
        return detached(session, session.get(Facilitator, facilitator_id))


def workshop_participants(*, engine: Engine, workshop_id: int) -> list[Participant]:
    with Session(engine) as session:
        rows = session.scalars(
            select(Participant)
            .where(Participant.workshop_id == workshop_id)
            .order_by(Participant.number)
        ).all()
        return [detached(session, row) for row in rows]


def workshop_of(*, engine: Engine, workshop_id: int) -> Workshop | None:
    """A workshop as its participants see it (no access check: callers hold a membership)."""
    with Session(engine) as session:
        return first_detached(session, select(Workshop).where(Workshop.id == workshop_id))
