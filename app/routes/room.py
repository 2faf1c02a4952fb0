"""Running the room, on the counsellor's side: co-counsellors of a workshop, and each
participant's management page (private note, removal, merging a duplicate joiner). Every route
goes through `WorkshopDep`: the creator and the co-counsellors have the same rights here, any
other account gets 404. Every change is a POST behind a confirmation page or a form, so all of
it works without JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from app import accounts
from app.deps import (
    BoardDep,
    EngineDep,
    FacilitatorDep,
    FormDep,
    RateLimitsDep,
    WorkshopDep,
    client_address,
)
from app.i18n import _
from app.models import Participant, Workshop
from app.questionnaire.answers import AnswerError, clean_text
from app.web.forms import form_text
from app.web.ids import id_from_text
from app.web.pages import render
from app.workshops import storage
from app.workshops.board import Board
from app.workshops.group import member_label

router = APIRouter(include_in_schema=False)


def _counsellors_page(request, facilitator, workshop, engine, error="", email="", status=200):
    return render(
        request,
        "workshops/counsellors.html",
        {
            "facilitator": facilitator,
            "workshop": workshop,
            "creator": accounts_creator(engine, workshop),
            "co_counsellors": storage.co_counsellors(engine=engine, workshop_id=workshop.id),
            "error": error,
            "email": email,
            "added": request.query_params.get("ajoute") == "1",
        },
        status_code=status,
    )


def accounts_creator(engine, workshop: Workshop):
    return storage.facilitator_by_id(engine=engine, facilitator_id=workshop.facilitator_id)


@router.get(
    "/ateliers/{workshop_id:dbid}/accompagnateurs",
    response_class=HTMLResponse,
    name="workshop_counsellors",
)
def counsellors(
    request: Request, facilitator: FacilitatorDep, workshop: WorkshopDep, engine: EngineDep
):
    return _counsellors_page(request, facilitator, workshop, engine)


@router.post("/ateliers/{workshop_id:dbid}/accompagnateurs", response_class=HTMLResponse)
def add_counsellor(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    limits: RateLimitsDep,
    form: FormDep,
):
    email = form_text(form, "email")[:300]
    if "@" not in email:
        error = _("Saisissez l'adresse électronique du compte d'accompagnateur de votre collègue.")
        return _counsellors_page(request, facilitator, workshop, engine, error, email, 422)
    # Whether an address has an account must not leak: the answer is the same either way, and
    # attempts are limited like sign-in (same rule, same per-address budget), per account too.
    wait = limits.wait("login", f"ip:{client_address(request)}", f"account:{facilitator.id}")
    if wait is not None:
        error = _("Trop de tentatives d'ajout. Patientez une minute avant de réessayer.")
        page = _counsellors_page(request, facilitator, workshop, engine, error, email, 429)
        page.headers["Retry-After"] = str(wait)
        return page
    found = accounts.get_by_email(engine=engine, email=email)
    if found is not None:
        storage.add_co_counsellor(engine=engine, workshop=workshop, facilitator_id=found.id)
    url = request.app.url_path_for("workshop_counsellors", workshop_id=str(workshop.id))
    return RedirectResponse(f"{url}?ajoute=1", status_code=303)


@router.post(
    "/ateliers/{workshop_id:dbid}/accompagnateurs/{facilitator_id:dbid}/retirer",
    name="remove_counsellor",
)
def remove_counsellor(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    facilitator_id: int,
):
    fid = facilitator_id
    storage.remove_co_counsellor(engine=engine, workshop_id=workshop.id, facilitator_id=fid)
    if fid == facilitator.id and fid != workshop.facilitator_id:
        # A co-counsellor who steps down no longer sees the workshop.
        return RedirectResponse("/ateliers", status_code=303)
    url = request.app.url_path_for("workshop_counsellors", workshop_id=str(workshop.id))
    return RedirectResponse(url, status_code=303)


# --- One participant ----------------------------------------------------------------------


def participant_of(engine, workshop: Workshop, number: int | str) -> Participant:
    """The workshop's participant with this number (from the path, or as posted in a form);
    404 for any other number."""
    wanted = id_from_text(number) if isinstance(number, str) else number
    found = None
    if wanted is not None:
        found = storage.participant_by_number(engine=engine, workshop_id=workshop.id, number=wanted)
    if found is None:
        raise HTTPException(status_code=404, detail=_("Participant introuvable."))
    return found


def _label(board: Board, participant: Participant) -> str:
    # The counsellor sees a name only for those who chose to be named, as on the board.
    role = board.store.current.definition.roles.association_name
    if participant.sharing != "named" or not role:
        return member_label(participant.number, None)
    answers = storage.answers_of(engine=board.engine, diagnostic_ids=[participant.diagnostic_id])
    name = answers[participant.diagnostic_id].get(role)
    return member_label(participant.number, name if isinstance(name, str) else None)


def _manage_context(request, facilitator, workshop, board, participant, **extra):
    others = [
        (p.number, _label(board, p))
        for p in storage.workshop_participants(engine=board.engine, workshop_id=workshop.id)
        if p.id != participant.id
    ]
    return {
        "facilitator": facilitator,
        "workshop": workshop,
        "participant": participant,
        "label": _label(board, participant),
        "others": others,
        "note": participant.counsellor_note,
        "error": "",
        "saved": request.query_params.get("note") == "1",
        **extra,
    }


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/gerer",
    response_class=HTMLResponse,
    name="manage_participant",
)
def manage_participant(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    board: BoardDep,
    number: int,
):
    participant = participant_of(engine, workshop, number)
    context = _manage_context(request, facilitator, workshop, board, participant)
    return render(request, "workshops/participant_manage.html", context)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/note",
    response_class=HTMLResponse,
    name="participant_note",
)
def participant_note(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    board: BoardDep,
    number: int,
    form: FormDep,
):
    participant = participant_of(engine, workshop, number)
    raw = form_text(form, "note")
    try:
        note = clean_text(raw, storage.NOTE_LIMIT, single_line=False)
    except AnswerError as error:
        context = _manage_context(
            request, facilitator, workshop, board, participant, note=raw, error=str(error)
        )
        return render(request, "workshops/participant_manage.html", context, status_code=422)
    storage.set_note(engine=engine, participant_id=participant.id, note=note)
    url = request.app.url_path_for(
        "manage_participant", workshop_id=str(workshop.id), number=str(participant.number)
    )
    return RedirectResponse(f"{url}?note=1", status_code=303)


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/retirer",
    response_class=HTMLResponse,
    name="remove_participant",
)
def remove_participant_confirm(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    board: BoardDep,
    number: int,
    avec: str = "",
):
    """Confirm removing a participant, or merging them into another (`avec`: its number)."""
    participant = participant_of(engine, workshop, number)
    kept = participant_of(engine, workshop, avec) if avec else None
    if kept is not None and kept.id == participant.id:
        raise HTTPException(status_code=404, detail=_("Participant introuvable."))
    context = _manage_context(request, facilitator, workshop, board, participant)
    context.update(kept=kept, kept_label=_label(board, kept) if kept else "")
    return render(request, "workshops/participant_remove.html", context)


@router.post("/ateliers/{workshop_id:dbid}/participants/{number:dbid}/retirer")
def remove_participant(
    request: Request, workshop: WorkshopDep, engine: EngineDep, number: int, form: FormDep
):
    participant = participant_of(engine, workshop, number)
    into = form_text(form, "avec")
    if into:
        kept = participant_of(engine, workshop, into)
        if kept.id == participant.id:
            raise HTTPException(status_code=404, detail=_("Participant introuvable."))
        storage.merge_participant(engine=engine, duplicate=participant, kept=kept)
    else:
        storage.remove_participant(engine=engine, participant_id=participant.id)
    url = request.app.url_path_for("workshop_board", workshop_id=str(workshop.id))
    return RedirectResponse(f"{url}?retire={participant.number}", status_code=303)
