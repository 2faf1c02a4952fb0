"""Database tables: questionnaire snapshots, diagnostics and their answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.clock import utcnow

__all__ = ["utcnow"]  # re-exported: the columns' default, long imported from here


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
    # Indexed for the retention purge, which looks for diagnostics untouched since a cutoff.
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    # For the pitch sheet: what the association is looking for from partners.
    partner_request: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Answer(SQLModel, table=True):
    __tablename__ = "answer"

    diagnostic_id: int = Field(foreign_key="diagnostic.id", ondelete="CASCADE", primary_key=True)
    question_id: str = Field(max_length=64, primary_key=True)
    # JSON text of the validated value.
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


# --- Counsellors and their workshops -------------------------------------------------------


class Facilitator(SQLModel, table=True):
    """A counsellor (DLA accompagnateur, network counsellor) who runs workshops."""

    __tablename__ = "facilitator"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased and stripped, so logins are case-insensitive.
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)


class FacilitatorSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    leaked database does not give away live sessions. Deleting the row signs the browser out."""

    __tablename__ = "facilitator_session"

    token_hash: str = Field(max_length=64, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Indexed for the purge of expired sessions.
    expires_at: datetime = Field(index=True)


class Workshop(SQLModel, table=True):
    __tablename__ = "workshop"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    facilitator_id: int = Field(foreign_key="facilitator.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    held_on: date | None = None
    place: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Short code typed by participants (see app/workshops/codes.py).
    join_code: str = Field(max_length=16, unique=True, index=True)
    # Closed workshops keep their data but accept no new participant.
    is_open: bool = True
    # Last participant number handed out, so numbers are never reused after someone leaves.
    last_number: int = 0
    # Indexed for the retention purge: a workshop created since the cutoff is not stale.
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # Set when the counsellor freezes the results (or closes the workshop): from then on the
    # board and the exports read each participant's ParticipantFreeze, not the live diagnostic.
    frozen_at: datetime | None = None
    # The first session this one follows up (3 to 18 months later), for the before/after.
    follows_id: int | None = Field(
        default=None,
        foreign_key="workshop.id",
        ondelete="SET NULL",
        index=True,
    )


class Participant(SQLModel, table=True):
    """A diagnostic linked to a workshop, with the association's choice of how it is shown."""

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("workshop_id", "diagnostic_id"),
        UniqueConstraint("workshop_id", "number"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    diagnostic_id: int = Field(foreign_key="diagnostic.id", ondelete="CASCADE", index=True)
    # "Participant n°3" when anonymous; never reused within a workshop.
    number: int
    # "named" (association name shown, focus view allowed) or "anonymous".
    sharing: str = Field(default="anonymous", max_length=16)
    # Indexed for the retention purge: a diagnostic linked to a workshop since the cutoff is
    # kept, and PostgreSQL finds those few recent links on it (an anti-join).
    joined_at: datetime = Field(default_factory=utcnow, index=True)
    # The counsellors' private note on this participant: shown on their side only, never on
    # the projection nor to the participant.
    counsellor_note: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="", server_default="")
    )
    # The participant said from their phone that they agree to present their situation in a
    # round (they may withdraw it); the counsellor can still open a round after confirming.
    present_consent: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, default=False, server_default=false()),
    )


class WorkshopFacilitator(SQLModel, table=True):
    """A co-counsellor of a workshop: the same rights as its creator on that workshop only."""

    __tablename__ = "workshop_facilitator"

    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", primary_key=True)
    facilitator_id: int = Field(
        foreign_key="facilitator.id", ondelete="CASCADE", primary_key=True, index=True
    )
    added_at: datetime = Field(default_factory=utcnow)


# --- The action plan and the pitch sheet's settings -----------------------------------------


class ActionPlan(SQLModel, table=True):
    """One plan per diagnostic: the pistes the association chose to work on. The leader writes
    it on the plan page or through the API; the workshop rounds will write into the same one."""

    __tablename__ = "action_plan"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    diagnostic_id: int = Field(foreign_key="diagnostic.id", ondelete="CASCADE", unique=True)
    updated_at: datetime = Field(default_factory=utcnow)


class ActionPlanItem(SQLModel, table=True):
    """One piste of a plan, in the order the association gave (position 0..4)."""

    __tablename__ = "action_plan_item"

    plan_id: int = Field(foreign_key="action_plan.id", ondelete="CASCADE", primary_key=True)
    position: int = Field(primary_key=True)
    # A card of the questionnaire, or None for a piste the association wrote itself.
    card_id: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=200)
    first_step: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner: str = Field(default="", max_length=120)
    due: date | None = None
    help: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Where the association stands on it: "todo", "in_progress", "done" or "dropped" (the
    # follow-up session's before/after counts them).
    status: str = Field(
        default="todo",
        sa_column=Column(String(16), nullable=False, default="todo", server_default="todo"),
    )


class PitchSetting(SQLModel, table=True):
    """What the association chose to print on its pitch sheet: which blocks, and a contact line
    (printed only if written)."""

    __tablename__ = "pitch_setting"

    diagnostic_id: int = Field(foreign_key="diagnostic.id", ondelete="CASCADE", primary_key=True)
    # JSON list of block ids hidden from the sheet (new blocks then show by default).
    hidden_blocks_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    contact: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow)


# --- Co-development rounds ------------------------------------------------------------------


class WorkshopRound(SQLModel, table=True):
    """One participant's round of co-development: the problem they bring and the timer of the
    phases. The pistes they choose go into their diagnostic's action plan (no copy here)."""

    __tablename__ = "workshop_round"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    # One round per participant; it goes when they leave the workshop.
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", unique=True)
    problem: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Open: participants may add suggestions from their phones (one open round per workshop).
    is_open: bool = False
    # The running phase ("" before the first) and when it started: every screen counts down
    # from the same server-side moment.
    phase: str = Field(default="", max_length=16)
    phase_started_at: datetime | None = None
    # JSON {phase: minutes}, set by the counsellor.
    durations_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class RoundSuggestion(SQLModel, table=True):
    __tablename__ = "round_suggestion"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="workshop_round.id", ondelete="CASCADE", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # The suggesting participant's number; None when the counsellor wrote it.
    author_number: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class PitchFeedback(SQLModel, table=True):
    """A peer's short structured feedback on a participant's pitch practice, given back to
    them on their phone."""

    __tablename__ = "pitch_feedback"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", index=True)
    clear: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    partner_question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    improvement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The giving participant's number; None when the counsellor wrote it.
    author_number: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ParticipantFreeze(SQLModel, table=True):
    """A participant's diagnostic as it was when the workshop's results were frozen: answers,
    plan and result, so later edits change neither that workshop's board nor its exports. The
    round itself lives in workshop_round and is read-only once the workshop is frozen."""

    __tablename__ = "participant_freeze"

    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE", primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    frozen_at: datetime
    # The questionnaire snapshot and the diagnostic's last change at freezing time.
    snapshot_id: int = Field(foreign_key="questionnaire_snapshot.id")
    diagnostic_updated_at: datetime
    partner_request: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # {question_id: value}, the plan's items (PlanItem.to_json() plus status) and the result's
    # figures (model id, barycentre, lever scores) as JSON.
    answers_json: str = Field(sa_column=Column(Text, nullable=False))
    plan_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    result_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
