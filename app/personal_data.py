"""Everything the tool stores about someone, as JSON they can download (right of access and
portability): an association's diagnostic, a counsellor's workshop, a counsellor's account.

Each export holds its owner's data only. A diagnostic's export names the workshops it takes
part in, not who else does; a workshop's lists its participants as the counsellor sees them
(no name for those sharing anonymously, and never their answers).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app import plan_store
from app.clock import as_utc
from app.formatting import format_answer
from app.models import Diagnostic, Facilitator, FacilitatorSession, Workshop, utcnow
from app.plan import PlanItem
from app.questionnaire.model import Questionnaire
from app.scoring.result import compute_result
from app.workshops import rounds
from app.workshops import storage as workshop_storage
from app.workshops.codes import display_code
from app.workshops.dla import RoundOutcome, dla_record, shared_piste
from app.workshops.exports import result_rows
from app.workshops.freeze import Frozen
from app.workshops.group import GroupSummary


def iso(moment: datetime | date | None) -> str | None:
    """Dates as ISO 8601; moments in UTC (SQLite gives them back without a zone)."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        moment = as_utc(moment)
    return moment.isoformat()


def _header(kind: str, exported_at: datetime | None) -> dict[str, Any]:
    return {"kind": kind, "exported_at": iso(exported_at or utcnow())}


def labels(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    """Names of the model and lever ids used in the exports, in the reader's language."""
    return {
        "models": {model.id: model.name.get() for model in questionnaire.models},
        "levers": {lever.id: lever.label.get() for lever in questionnaire.definition.levers},
    }


# --- A diagnostic -------------------------------------------------------------------------


def answer_rows(questionnaire: Questionnaire, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every stored answer, in questionnaire order: the value as stored and as read."""
    rows = []
    for question_id, question in questionnaire.questions.items():
        if question_id not in answers:
            continue
        value = answers[question_id]
        rows.append(
            {
                "question_id": question_id,
                "section": questionnaire.section_of[question_id].title.get(),
                "question": question.label.get(),
                "value": value,
                "answer": format_answer(questionnaire, question, value),
            }
        )
    # Kept by an older definition but no longer asked: still the association's data.
    for question_id in sorted(set(answers) - set(questionnaire.questions)):
        rows.append(
            {
                "question_id": question_id,
                "section": None,
                "question": None,
                "value": answers[question_id],
                "answer": None,
            }
        )
    return rows


def result_summary(questionnaire: Questionnaire, answers: dict[str, Any]) -> dict | None:
    """The computed result in short (None before any answer)."""
    if not answers:
        return None
    result = compute_result(questionnaire, answers)
    barycentre = result.barycentre

    def model(model_id: str | None) -> dict[str, str] | None:
        found = questionnaire.model_by_id.get(model_id) if model_id else None
        return {"id": found.id, "name": found.name.get()} if found else None

    return {
        "dominant_model": model(barycentre.dominant) if barycentre else None,
        "runner_up_model": model(barycentre.runner_up) if barycentre else None,
        "model_weights": {k: round(v, 4) for k, v in barycentre.weights.items()}
        if barycentre
        else None,
        "atypicality": round(barycentre.atypicality, 4) if barycentre else None,
        "levers": {
            lever.id: {
                "label": lever.label,
                "score": None if lever.score is None else round(lever.score, 1),
            }
            for lever in result.levers
        },
        "indicators": result.indicators,
        "cards": [card.title.get() for card in result.cards],
        "missing_required": list(result.missing_required),
    }


def diagnostic_export(
    *,
    engine: Engine,
    diagnostic: Diagnostic,
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    exported_at: datetime | None = None,
) -> dict[str, Any]:
    memberships = workshop_storage.memberships(engine=engine, diagnostic_id=diagnostic.id)
    return {
        "export": _header("diagnostic", exported_at),
        "diagnostic": {
            "created_at": iso(diagnostic.created_at),
            "updated_at": iso(diagnostic.updated_at),
            "questionnaire_id": questionnaire.id,
            "questionnaire_version": questionnaire.version,
            "partner_request": diagnostic.partner_request,
        },
        "answers": answer_rows(questionnaire, answers),
        "result": result_summary(questionnaire, answers),
        "action_plan": [
            item.to_json()
            for item in plan_store.load_plan(engine=engine, diagnostic_id=diagnostic.id)
        ],
        "pitch_sheet": _pitch_setting(engine, diagnostic.id),
        "workshops": [
            {
                "title": workshop.title,
                "held_on": iso(workshop.held_on),
                "participant_number": participant.number,
                "sharing": participant.sharing,
                "joined_at": iso(participant.joined_at),
                "round": _round(engine, participant.id),
            }
            for participant, workshop in memberships
        ],
    }


def _round(engine: Engine, participant_id: int) -> dict[str, Any] | None:
    """The association's round of co-development: its problem, the suggestions it received and
    the feedback on its pitch (texts only: who wrote them is others' data). Its chosen pistes
    are the action plan above."""
    found = rounds.round_of(engine=engine, participant_id=participant_id)
    feedback = rounds.feedback_for(engine=engine, participant_id=participant_id)
    if found is None and not feedback:
        return None
    return {
        "problem": found.problem if found else "",
        "suggestions": [s.text for s in found.suggestions] if found else [],
        "pitch_feedback": [
            {"clear": f.clear, "partner_question": f.partner_question, "improvement": f.improvement}
            for f in feedback
        ],
    }


def _pitch_setting(engine: Engine, diagnostic_id: int) -> dict[str, Any]:
    hidden, contact = plan_store.load_pitch_setting(engine=engine, diagnostic_id=diagnostic_id)
    return {"hidden_blocks": hidden, "contact": contact}


# --- A workshop, an account ---------------------------------------------------------------


def workshop_fields(
    workshop: Workshop,
    questionnaire: Questionnaire,
    summary: GroupSummary,
    plans: dict[int, list[PlanItem]] | None = None,
    outcomes: dict[int, RoundOutcome] | None = None,
    frozen: dict[int, Frozen] | None = None,
) -> dict[str, Any]:
    """The workshop and its participants as the counsellor sees them (the group's JSON rows:
    `association` is None for those sharing anonymously), with the DLA's fields (profile,
    indicators, sub-scores, partial flag) and each participant's `round` (its chosen pistes, as
    shared). Once the results are frozen, `frozen_at` and each participant's `frozen`: the
    result figures kept then and the plan then, shared as the round's pistes are."""
    plans, outcomes, frozen = plans or {}, outcomes or {}, frozen or {}
    participants = result_rows(questionnaire, summary)
    for row, view in zip(participants, summary.members, strict=True):
        row["joined_at"] = iso(view.member.joined_at)
        dla = dla_record(
            view,
            plans.get(view.member.diagnostic_id, []),
            outcomes.get(view.member.participant_id),
        ).to_json()
        for key, value in dla.items():
            row.setdefault(key, value)
        kept = frozen.get(view.member.participant_id)
        row["frozen_at"] = iso(kept.frozen_at) if kept else None
        row["frozen"] = (
            {
                "result": kept.result,
                "plan": [
                    shared_piste(PlanItem.from_json(piste), view.named) for piste in kept.plan
                ],
            }
            if kept
            else None
        )
    return {
        "frozen_at": iso(workshop.frozen_at),
        "title": workshop.title,
        "held_on": iso(workshop.held_on),
        "place": workshop.place,
        "notes": workshop.notes,
        "join_code": display_code(workshop.join_code),
        "is_open": workshop.is_open,
        "created_at": iso(workshop.created_at),
        "participants": participants,
    }


def workshop_export(
    workshop: Workshop,
    questionnaire: Questionnaire,
    summary: GroupSummary,
    exported_at: datetime | None = None,
    plans: dict[int, list[PlanItem]] | None = None,
    outcomes: dict[int, RoundOutcome] | None = None,
    frozen: dict[int, Frozen] | None = None,
) -> dict[str, Any]:
    return {
        "export": _header("workshop", exported_at),
        "workshop": workshop_fields(workshop, questionnaire, summary, plans, outcomes, frozen),
        **labels(questionnaire),
    }


def open_sessions(*, engine: Engine, facilitator_id: int, now: datetime | None = None) -> int:
    with Session(engine) as session:
        return session.execute(
            select(func.count())
            .select_from(FacilitatorSession)
            .where(
                FacilitatorSession.facilitator_id == facilitator_id,
                FacilitatorSession.expires_at > (now or utcnow()),
            )
        ).scalar_one()


def account_export(
    *,
    engine: Engine,
    facilitator: Facilitator,
    questionnaire: Questionnaire,
    workshops: list[dict[str, Any]],
    exported_at: datetime | None = None,
) -> dict[str, Any]:
    """`workshops`: each as `workshop_fields` gives it (the caller builds the group views)."""
    return {
        "export": _header("account", exported_at),
        "account": {
            "email": facilitator.email,
            "display_name": facilitator.display_name,
            "created_at": iso(facilitator.created_at),
        },
        "open_sessions": open_sessions(engine=engine, facilitator_id=facilitator.id),
        "workshops": workshops,
        **labels(questionnaire),
    }
