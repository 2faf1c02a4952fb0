"""Co-development rounds: one per presenting participant, with the problem they bring, peers'
suggestions and the phase timer. Keyword-only database functions, one transaction each; the
timer arithmetic is pure. The pistes a presenter chooses are written into their diagnostic's
action plan (app/plan_store.py), never copied here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from app.clock import as_utc
from app.db import detached, write_session
from app.i18n import N_
from app.models import Participant, PitchFeedback, RoundSuggestion, WorkshopRound, utcnow
from app.workshops.dla import RoundOutcome

# The phases of co-development in their order, with default minutes.
# "pitch": the presenter practises pitching their model to partners (peers then give
# structured feedback from their phones).
PHASES = ("presentation", "questions", "suggestions", "choice", "pitch")
PHASE_LABELS = {
    "presentation": N_("Présentation du problème"),
    "questions": N_("Questions de clarification"),
    "suggestions": N_("Suggestions des pairs"),
    "choice": N_("Choix des pistes"),
    "pitch": N_("Entraînement au pitch"),
}
DEFAULT_MINUTES = {"presentation": 5, "questions": 5, "suggestions": 10, "choice": 5, "pitch": 3}
FEEDBACK_FIELDS = ("clear", "partner_question", "improvement")
FEEDBACK_MAX = 500
MAX_FEEDBACK = 60
MAX_MINUTES = 60
PROBLEM_MAX = 1000
SUGGESTION_MAX = 500
MAX_SUGGESTIONS = 60
# The pistes a round ends with (the plan itself holds up to five).
MAX_CHOSEN = 3


@dataclass(frozen=True)
class Suggestion:
    text: str
    author_number: int | None
    created_at: datetime
    id: int | None = None


@dataclass(frozen=True)
class Round:
    id: int
    workshop_id: int
    participant_id: int
    problem: str
    is_open: bool
    phase: str
    phase_started_at: datetime | None
    minutes: dict[str, int]
    updated_at: datetime
    suggestions: tuple[Suggestion, ...] = ()

    def phase_ends_at(self) -> datetime | None:
        if not self.phase or self.phase_started_at is None:
            return None
        return self.phase_started_at + timedelta(minutes=self.minutes[self.phase])

    def seconds_left(self, now: datetime) -> int | None:
        """Whole seconds left in the running phase (0 once over); None before any phase."""
        ends = self.phase_ends_at()
        if ends is None:
            return None
        return max(0, int((ends - now).total_seconds() + 0.999))

    def version(self) -> str:
        """Changes whenever what a round screen shows of the round may have changed."""
        return f"{self.id}:{self.updated_at.isoformat()}:{len(self.suggestions)}"


def clean_minutes(raw: dict[str, str | int]) -> dict[str, int] | None:
    """Minutes per phase as the counsellor typed them; None when one is not 1..60."""
    found: dict[str, int] = {}
    for phase in PHASES:
        value = str(raw.get(phase, DEFAULT_MINUTES[phase])).strip()
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_MINUTES:
            return None
        found[phase] = int(value)
    return found


def _minutes(durations_json: str) -> dict[str, int]:
    stored = json.loads(durations_json or "{}")
    return {phase: int(stored.get(phase, DEFAULT_MINUTES[phase])) for phase in PHASES}


def _round(row: WorkshopRound, suggestions: tuple[Suggestion, ...] = ()) -> Round:
    return Round(
        id=row.id,
        workshop_id=row.workshop_id,
        participant_id=row.participant_id,
        problem=row.problem,
        is_open=row.is_open,
        phase=row.phase,
        phase_started_at=as_utc(row.phase_started_at),
        minutes=_minutes(row.durations_json),
        updated_at=as_utc(row.updated_at),
        suggestions=suggestions,
    )


def _suggestions(session: Session, round_id: int) -> tuple[Suggestion, ...]:
    rows = session.execute(
        select(
            RoundSuggestion.text,
            RoundSuggestion.author_number,
            RoundSuggestion.created_at,
            RoundSuggestion.id,
        )
        .where(RoundSuggestion.round_id == round_id)
        .order_by(RoundSuggestion.id)
    ).all()
    return tuple(Suggestion(text, number, as_utc(at), sid) for text, number, at, sid in rows)


def round_of(*, engine: Engine, participant_id: int) -> Round | None:
    with Session(engine) as session:
        row = session.execute(
            select(WorkshopRound).where(WorkshopRound.participant_id == participant_id)
        ).scalar_one_or_none()
        return _round(row, _suggestions(session, row.id)) if row else None


def open_round(*, engine: Engine, workshop_id: int) -> Round | None:
    """The workshop's open round, if any (participants act only on this one)."""
    with Session(engine) as session:
        row = session.execute(
            select(WorkshopRound).where(
                WorkshopRound.workshop_id == workshop_id, WorkshopRound.is_open.is_(True)
            )
        ).scalar_one_or_none()
        return _round(row, _suggestions(session, row.id)) if row else None


def rounds_by_participant(*, engine: Engine, workshop_id: int) -> dict[int, Round]:
    with Session(engine) as session:
        rows = session.execute(
            select(WorkshopRound).where(WorkshopRound.workshop_id == workshop_id)
        ).scalars()
        return {row.participant_id: _round(row) for row in rows}


def start_round(*, engine: Engine, workshop_id: int, participant_id: int) -> None:
    """Create the participant's round if needed and open it; any other open round of the
    workshop closes (the room works on one round at a time)."""
    now = utcnow()
    with write_session(engine) as session:
        session.execute(
            update(WorkshopRound)
            .where(WorkshopRound.workshop_id == workshop_id, WorkshopRound.is_open.is_(True))
            .values(is_open=False, updated_at=now)
        )
        existing = session.execute(
            select(WorkshopRound).where(WorkshopRound.participant_id == participant_id)
        ).scalar_one_or_none()
        if existing is None:
            session.add(
                WorkshopRound(
                    workshop_id=workshop_id,
                    participant_id=participant_id,
                    is_open=True,
                    durations_json=json.dumps(DEFAULT_MINUTES),
                    updated_at=now,
                )
            )
        else:
            existing.is_open = True
            existing.updated_at = now
        session.commit()


def close_round(*, engine: Engine, round_id: int) -> None:
    _touch(engine, round_id, is_open=False, phase="", phase_started_at=None)


def set_phase(*, engine: Engine, round_id: int, phase: str) -> None:
    """Start `phase` now ("" stops the timer)."""
    _touch(engine, round_id, phase=phase, phase_started_at=utcnow() if phase else None)


def set_minutes(*, engine: Engine, round_id: int, minutes: dict[str, int]) -> None:
    _touch(engine, round_id, durations_json=json.dumps(minutes))


def set_problem(*, engine: Engine, round_id: int, problem: str) -> None:
    _touch(engine, round_id, problem=problem)


def touch(*, engine: Engine, round_id: int) -> None:
    """Mark the round changed (its chosen pistes, stored in the plan, were saved)."""
    _touch(engine, round_id)


def _touch(engine: Engine, round_id: int, **values) -> None:
    with write_session(engine) as session:
        _bump(session, round_id, **values)
        session.commit()


def _bump(session: Session, round_id: int, **values) -> None:
    """Move the round's updated_at (live screens poll its version, which moves with it),
    with any other values, inside the caller's transaction."""
    session.execute(
        update(WorkshopRound)
        .where(WorkshopRound.id == round_id)
        .values(updated_at=utcnow(), **values)
    )


class TooManySuggestions(Exception):
    pass


def add_suggestion(*, engine: Engine, round_id: int, text: str, author_number: int | None) -> None:
    with write_session(engine) as session:
        count = session.execute(
            select(func.count()).where(RoundSuggestion.round_id == round_id)
        ).scalar_one()
        if count >= MAX_SUGGESTIONS:
            raise TooManySuggestions
        session.add(RoundSuggestion(round_id=round_id, text=text, author_number=author_number))
        _bump(session, round_id)
        session.commit()


def edit_suggestion(*, engine: Engine, round_id: int, suggestion_id: int, text: str) -> bool:
    """Rewrite a suggestion of this round (the counsellor's correction); its author stays.
    False when the round has no such suggestion."""
    with write_session(engine) as session:
        changed = session.execute(
            update(RoundSuggestion)
            .where(RoundSuggestion.id == suggestion_id, RoundSuggestion.round_id == round_id)
            .values(text=text)
        ).rowcount
        if changed:
            _bump(session, round_id)
        session.commit()
        return bool(changed)


def delete_suggestion(
    *, engine: Engine, round_id: int, suggestion_id: int, author_number: int | None = None
) -> bool:
    """Delete a suggestion of this round; with `author_number`, only if that participant wrote
    it (a participant removes their own, never another's nor the counsellor's). False when
    nothing matched."""
    conditions = [RoundSuggestion.id == suggestion_id, RoundSuggestion.round_id == round_id]
    if author_number is not None:
        conditions.append(RoundSuggestion.author_number == author_number)
    with write_session(engine) as session:
        removed = session.execute(delete(RoundSuggestion).where(*conditions)).rowcount
        if removed:
            _bump(session, round_id)
        session.commit()
        return bool(removed)


def participant_of_round(*, engine: Engine, round_id: int) -> Participant | None:
    with Session(engine) as session:
        row = session.execute(
            select(Participant)
            .join(WorkshopRound, WorkshopRound.participant_id == Participant.id)
            .where(WorkshopRound.id == round_id)
        ).scalar_one_or_none()
        return detached(session, row)


# --- Pitch practice feedback ---------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    clear: str
    partner_question: str
    improvement: str
    author_number: int | None


def add_feedback(
    *, engine: Engine, participant_id: int, values: dict[str, str], author_number: int | None
) -> None:
    with write_session(engine) as session:
        count = session.execute(
            select(func.count()).where(PitchFeedback.participant_id == participant_id)
        ).scalar_one()
        if count >= MAX_FEEDBACK:
            raise TooManySuggestions
        session.add(
            PitchFeedback(participant_id=participant_id, author_number=author_number, **values)
        )
        # The round screen's version moves with it.
        session.execute(
            update(WorkshopRound)
            .where(WorkshopRound.participant_id == participant_id)
            .values(updated_at=utcnow())
        )
        session.commit()


def feedback_for(*, engine: Engine, participant_id: int) -> list[Feedback]:
    with Session(engine) as session:
        rows = session.execute(
            select(
                PitchFeedback.clear,
                PitchFeedback.partner_question,
                PitchFeedback.improvement,
                PitchFeedback.author_number,
            )
            .where(PitchFeedback.participant_id == participant_id)
            .order_by(PitchFeedback.id)
        ).all()
    return [Feedback(*row) for row in rows]


def round_outcomes(*, engine: Engine, participant_ids: list[int]) -> dict[int, RoundOutcome]:
    """Each participant's round outcome (problem, suggestions, pitch feedback), for exports."""
    outcomes = {}
    for participant_id in participant_ids:
        found = round_of(engine=engine, participant_id=participant_id)
        feedback = feedback_for(engine=engine, participant_id=participant_id)
        if found is None and not feedback:
            continue
        outcomes[participant_id] = RoundOutcome(
            problem=(found.problem or None) if found else None,
            suggestions=tuple(s.text for s in found.suggestions) if found else (),
            pitch_feedback=tuple(
                {
                    "clear": f.clear,
                    "partner_question": f.partner_question,
                    "improvement": f.improvement,
                }
                for f in feedback
            ),
        )
    return outcomes
