"""Personal data on the web: download it as JSON (a diagnostic, a workshop, a counsellor's
account) and delete a counsellor account. Access goes through the usual dependencies: the
diagnostic's token, the workshop's owner (404 for anyone else), the signed-in counsellor."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import accounts, personal_data
from app.deps import (
    SESSION_COOKIE,
    BoardDep,
    DiagnosticDep,
    EngineDep,
    FacilitatorDep,
    FormDep,
    WorkshopDep,
    password_attempt,
    password_failed,
)
from app.i18n import _
from app.models import Facilitator, Workshop
from app.web.downloads import download, today_in_france
from app.web.forms import form_text
from app.web.pages import render
from app.workshops import rounds
from app.workshops import storage as workshop_storage
from app.workshops.board import Board
from app.workshops.freeze import frozen_of
from app.workshops.source import plans_of

router = APIRouter(include_in_schema=False)


def json_download(payload: dict[str, Any], filename: str) -> Response:
    """An attachment never kept by caches (`download` sets Cache-Control: no-store)."""
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    response = download(body.encode("utf-8"), "application/json", filename)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@router.get("/d/{token}/donnees.json", name="diagnostic_data")
def diagnostic_data(opened: DiagnosticDep, engine: EngineDep):
    payload = personal_data.diagnostic_export(
        engine=engine,
        diagnostic=opened.diagnostic,
        questionnaire=opened.questionnaire,
        answers=opened.answers,
    )
    return json_download(payload, f"donnees-diagnostic-mse-{today_in_france():%Y-%m-%d}.json")


def _workshop_fields(board: Board, workshop: Workshop) -> dict[str, Any]:
    questionnaire = board.store.current
    frozen = frozen_of(engine=board.engine, workshop_id=workshop.id)
    return personal_data.workshop_fields(
        workshop, questionnaire, board.summary(workshop), frozen=frozen
    )


@router.get("/ateliers/{workshop_id:dbid}/donnees.json", name="workshop_data_json")
def workshop_data_json(workshop: WorkshopDep, board: BoardDep):
    questionnaire = board.store.current
    summary = board.summary(workshop)
    plans = plans_of(engine=board.engine, members=[view.member for view in summary.members])
    frozen = frozen_of(engine=board.engine, workshop_id=workshop.id)
    outcomes = rounds.round_outcomes(
        engine=board.engine,
        participant_ids=[view.member.participant_id for view in summary.members],
    )
    payload = personal_data.workshop_export(
        workshop, questionnaire, summary, plans=plans, outcomes=outcomes, frozen=frozen
    )
    return json_download(
        payload, f"donnees-atelier-{workshop.id}-{today_in_france():%Y-%m-%d}.json"
    )


@router.get("/compte/donnees.json", name="account_data")
def account_data(facilitator: FacilitatorDep, engine: EngineDep, board: BoardDep):
    workshops = [
        _workshop_fields(board, workshop)
        for workshop, _count in workshop_storage.list_workshops(
            engine=engine, facilitator_id=facilitator.id
        )
    ]
    payload = personal_data.account_export(
        engine=engine,
        facilitator=facilitator,
        questionnaire=board.store.current,
        workshops=workshops,
    )
    return json_download(payload, f"donnees-compte-mse-{today_in_france():%Y-%m-%d}.json")


# --- Deleting a counsellor account --------------------------------------------------------


def _delete_page(
    request: Request,
    engine,
    facilitator: Facilitator,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    # Only the workshops the account created go with it; co-run ones stay their creator's.
    workshops = workshop_storage.list_workshops(
        engine=engine, facilitator_id=facilitator.id, created_only=True
    )
    return render(
        request,
        "accounts/delete.html",
        {
            "facilitator": facilitator,
            "workshops": len(workshops),
            "errors": {"current": error} if error else {},
        },
        status_code=status_code,
    )


@router.get("/compte/supprimer", response_class=HTMLResponse, name="delete_account")
def delete_account_confirm(request: Request, facilitator: FacilitatorDep, engine: EngineDep):
    return _delete_page(request, engine, facilitator)


@router.post("/compte/supprimer", response_class=HTMLResponse)
def delete_account(request: Request, facilitator: FacilitatorDep, engine: EngineDep, form: FormDep):
    """With the current password: the account, its sessions and its workshops (their links to
    diagnostics) go, as with `mse facilitator delete`; the diagnostics stay their owners'."""
    # Each try costs an argon2 hash and guesses a password: limited like sign-in.
    wait = password_attempt(request, facilitator.email)
    if wait is not None:
        response = _delete_page(
            request,
            engine,
            facilitator,
            _("Trop de tentatives. Patientez une minute avant de réessayer."),
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    password = form_text(form, "current")
    if accounts.authenticate(engine=engine, email=facilitator.email, password=password) is None:
        password_failed(request, facilitator.email)
        return _delete_page(
            request,
            engine,
            facilitator,
            _("Mot de passe incorrect : votre compte n'a pas été supprimé."),
            status_code=422,
        )
    accounts.delete_facilitator(engine=engine, facilitator_id=facilitator.id)
    response = RedirectResponse("/?compte_supprime=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
