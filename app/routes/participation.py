"""The association's side of workshops: join with a code (a new diagnostic or an existing one),
choose how results are shared, leave. Every action on a membership checks that it belongs to
the diagnostic in the path (its token is the only key)."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import crud, plan_store
from app.deps import (
    BoardDep,
    DiagnosticDep,
    EngineDep,
    FormDep,
    RateLimitsDep,
    StoreDep,
    client_address,
    creation_limit,
    save_limit,
)
from app.i18n import _
from app.models import Participant, Workshop, utcnow
from app.plan import OWN_PISTE
from app.questionnaire.answers import AnswerError, clean_text
from app.scoring.result import compute_result
from app.web.forms import form_text
from app.web.pages import error_page, render
from app.workshops import opening, round_view, rounds, storage
from app.workshops.anonymity import SMALL_GROUP, lone_anonymous
from app.workshops.board import Board
from app.workshops.codes import display_code, normalise_code
from app.workshops.group import member_views

router = APIRouter(include_in_schema=False)
# A resume link as pasted (https://…/d/<token>, with or without a trailing page) or a bare token.
_RESUME_TOKEN = re.compile(r"(?:/d/)?([A-Za-z0-9_-]{16,64})(?:[/?#].*)?$")


def token_from_link(link: str) -> str | None:
    link = link.strip()
    if "/d/" in link:
        link = link[link.rindex("/d/") :]
    match = _RESUME_TOKEN.match(link)
    return match.group(1) if match else None


def _unknown_code(request: Request, raw_code: str) -> Response:
    return render(
        request,
        "join/code.html",
        {
            "error": _(
                "Aucun atelier ne correspond à ce code. Vérifiez-le auprès de l'accompagnateur."
            ),
            "code": raw_code[:40],
        },
        status_code=404,
    )


def _open_workshop(request: Request, engine, limits, raw_code: str) -> Workshop | Response:
    """The open workshop behind a code, or the page to show instead (unknown, closed, or too
    many wrong codes). A right code is never limited: only wrong ones count and only they are
    refused, so one address's wrong codes never stop a whole room joining behind the venue's
    single Wi-Fi address."""
    workshop = storage.workshop_by_code(engine=engine, code=normalise_code(raw_code))
    if workshop is None:
        wait = limits.wait("join", f"ip:{client_address(request)}")
        if wait is not None:
            response = error_page(
                request, 429, _("Trop de codes erronés. Patientez une minute avant de réessayer.")
            )
            response.headers["Retry-After"] = str(wait)
            return response
        return _unknown_code(request, raw_code)
    if not workshop.is_open:
        return _closed_page(request)
    return workshop


def _closed_page(request: Request) -> Response:
    return error_page(
        request, 410, _("Cet atelier est fermé : il n'accepte plus de nouveaux participants.")
    )


@router.get("/rejoindre", response_class=HTMLResponse, name="join")
def join_form(request: Request, code: str = ""):
    return render(request, "join/code.html", {"error": None, "code": code[:40]})


@router.post("/rejoindre", response_class=HTMLResponse)
def join_with_code(request: Request, engine: EngineDep, limits: RateLimitsDep, form: FormDep):
    raw = form_text(form, "code")
    if not normalise_code(raw):
        return render(
            request,
            "join/code.html",
            {
                "error": _("Saisissez le code affiché par l'accompagnateur (6 caractères)."),
                "code": "",
            },
            status_code=422,
        )
    found = _open_workshop(request, engine, limits, raw)
    if not isinstance(found, Workshop):
        return found
    url = request.app.url_path_for("join_workshop", code=found.join_code)
    return RedirectResponse(url, status_code=303)


def _join_page(
    request: Request, engine, workshop: Workshop, errors=None, values=None, status_code=200
):
    return render(
        request,
        "join/workshop.html",
        {
            "workshop": workshop,
            "code": display_code(workshop.join_code),
            "errors": errors or {},
            "values": values or {},
            "lone_anonymous": lone_anonymous(
                storage.sharing_counts(engine=engine, workshop_id=workshop.id)
            ),
            "small_group": SMALL_GROUP,
        },
        status_code=status_code,
    )


@router.get("/rejoindre/{code}", response_class=HTMLResponse, name="join_workshop")
def join_page(request: Request, engine: EngineDep, limits: RateLimitsDep, code: str):
    found = _open_workshop(request, engine, limits, code)
    if not isinstance(found, Workshop):
        return found
    return _join_page(request, engine, found)


@router.post("/rejoindre/{code}", response_class=HTMLResponse)
def join(
    request: Request,
    engine: EngineDep,
    store: StoreDep,
    limits: RateLimitsDep,
    code: str,
    form: FormDep,
):
    found = _open_workshop(request, engine, limits, code)
    if not isinstance(found, Workshop):
        return found
    values = {name: form_text(form, name) for name in ("diagnostic", "resume_link", "sharing")}
    errors: dict[str, str] = {}
    if values["sharing"] not in storage.SHARING_MODES:
        errors["sharing"] = _("Choisissez comment vos résultats apparaissent au groupe.")
    if values["diagnostic"] not in ("new", "existing"):
        errors["diagnostic"] = _("Choisissez de commencer un diagnostic ou de reprendre le vôtre.")
    diagnostic = None
    if values["diagnostic"] == "existing":
        token = token_from_link(values["resume_link"])
        diagnostic = crud.get_diagnostic(engine=engine, token=token) if token else None
        if diagnostic is None:
            errors["resume_link"] = " ".join(
                (
                    _("Ce lien de reprise ne correspond à aucun diagnostic."),
                    _("Collez le lien complet reçu en commençant (il contient « /d/ »)."),
                )
            )
    if errors:
        return _join_page(request, engine, found, errors, values, status_code=422)
    new = diagnostic is None
    try:
        if new:
            creation_limit(request)
            diagnostic = storage.join_with_new_diagnostic(
                engine=engine,
                workshop_id=found.id,
                snapshot_id=store.current_snapshot_id,
                sharing=values["sharing"],
            )
        else:
            joined = storage.join_workshop(
                engine=engine,
                workshop_id=found.id,
                diagnostic_id=diagnostic.id,
                sharing=values["sharing"],
            )
            if joined.sharing != values["sharing"]:
                # Already in, with another choice: it is kept, and the participant is told.
                url = request.app.url_path_for("diagnostic_home", token=diagnostic.token)
                return RedirectResponse(f"{url}?partage=garde#ateliers", status_code=303)
    except storage.WorkshopGone:
        # Deleted by its counsellor since the code was looked up: the same page as for a code
        # that never existed (nothing was written).
        return _unknown_code(request, code)
    except storage.WorkshopClosed:
        # Closed (or frozen) since the code was looked up: the closed workshop's page.
        return _closed_page(request)
    url = request.app.url_path_for("diagnostic_home", token=diagnostic.token)
    return RedirectResponse(f"{url}?{'nouveau=1&' if new else ''}atelier=1", status_code=303)


def own_membership(engine, opened, participant_id: int):
    membership = storage.membership(
        engine=engine, diagnostic_id=opened.diagnostic.id, participant_id=participant_id
    )
    if membership is None:
        raise HTTPException(status_code=404, detail=_("Participation introuvable."))
    return membership


@router.post("/d/{token}/ateliers/{participant_id:dbid}/partage", name="membership_sharing")
def change_sharing(
    request: Request, opened: DiagnosticDep, engine: EngineDep, participant_id: int, form: FormDep
):
    membership = own_membership(engine, opened, participant_id)
    sharing = form_text(form, "sharing")
    if sharing not in storage.SHARING_MODES:
        return error_page(request, 422, _("Choisissez « avec le nom » ou « anonymement »."))
    storage.set_sharing(engine=engine, participant_id=membership.id, sharing=sharing)
    url = request.app.url_path_for("diagnostic_home", token=opened.diagnostic.token)
    return RedirectResponse(f"{url}?partage=1#ateliers", status_code=303)


@router.get(
    "/d/{token}/ateliers/{participant_id:dbid}/depart",
    response_class=HTMLResponse,
    name="membership_leave_confirm",
)
def leave_confirm(request: Request, opened: DiagnosticDep, engine: EngineDep, participant_id: int):
    membership = own_membership(engine, opened, participant_id)
    workshop = storage.workshop_of(engine=engine, workshop_id=membership.workshop_id)
    return render(
        request,
        "join/leave.html",
        {"token": opened.diagnostic.token, "participant": membership, "workshop": workshop},
    )


@router.post("/d/{token}/ateliers/{participant_id:dbid}/quitter", name="membership_leave")
def leave(request: Request, opened: DiagnosticDep, engine: EngineDep, participant_id: int):
    membership = own_membership(engine, opened, participant_id)
    storage.leave_workshop(engine=engine, participant_id=membership.id)
    url = request.app.url_path_for("diagnostic_home", token=opened.diagnostic.token)
    return RedirectResponse(f"{url}?quitte=1#ateliers", status_code=303)


# --- Rounds of co-development, from the participant's phone ---------------------------------


def _presenter_label(board: Board, round_: rounds.Round) -> tuple[int, str]:
    """(number, label) of the round's presenter, named only if they chose so."""
    members = storage.group_members(engine=board.engine, workshop_id=round_.workshop_id)
    chosen = [m for m in members if m.participant_id == round_.participant_id]
    views = member_views(
        chosen,
        board.store.for_snapshot,
        lambda ids: storage.answers_of(engine=board.engine, diagnostic_ids=ids),
        board.results,
    )
    return views[0].number, views[0].label


def _frozen_at(engine, membership: Participant):
    workshop = storage.workshop_of(engine=engine, workshop_id=membership.workshop_id)
    return workshop.frozen_at if workshop is not None else None


def _phone_context(board: Board, opened, membership: Participant) -> dict:
    engine = board.engine
    round_ = rounds.open_round(engine=engine, workshop_id=membership.workshop_id)
    context = {
        "frozen_label": opening.frozen_label(_frozen_at(engine, membership)),
        "token": opened.diagnostic.token,
        "membership": membership,
        "round": round_,
        "timer": round_view.timer(round_, utcnow()),
        "presenter": None,
        "is_presenter": False,
        "poll_seconds": 3,
    }
    if round_ is not None:
        context["presenter"] = _presenter_label(board, round_)[1]
        context["is_presenter"] = round_.participant_id == membership.id
    return context


def _phone_page(
    request, board, opened, membership, errors=None, rows=None, status_code=200, typed=None
):
    """The phone page; on a refusal, `typed` holds what was posted ("problem", "suggestion",
    "feedback") so the participant finds it again with the error."""
    context = _phone_context(board, opened, membership)
    if context["is_presenter"]:
        plan = plan_store.load_plan(engine=board.engine, diagnostic_id=opened.diagnostic.id)
        result = compute_result(opened.questionnaire, opened.answers)
        context.update(
            rows=rows or round_view.choice_rows(plan),
            cards=result.cards,
            own=OWN_PISTE,
            plan=plan[: rounds.MAX_CHOSEN],
        )
    round_ = context["round"]
    context.update(
        # What this participant suggested in the open round: theirs to take back.
        own_suggestions=[
            s
            for s in (round_.suggestions if round_ else ())
            if s.author_number == membership.number
        ],
        # Peers' feedback on this participant's pitch practice, given back to them.
        feedback=rounds.feedback_for(engine=board.engine, participant_id=membership.id),
        feedback_max=rounds.FEEDBACK_MAX,
        errors=errors or {},
        typed=typed or {},
        problem_max=rounds.PROBLEM_MAX,
        suggestion_max=rounds.SUGGESTION_MAX,
    )
    return render(request, "join/round.html", context, status_code=status_code)


@router.get(
    "/d/{token}/ateliers/{participant_id:dbid}/tour",
    response_class=HTMLResponse,
    name="phone_round",
)
def phone_round(
    request: Request, opened: DiagnosticDep, engine: EngineDep, board: BoardDep, participant_id: int
):
    membership = own_membership(engine, opened, participant_id)
    return _phone_page(request, board, opened, membership)


@router.get(
    "/d/{token}/ateliers/{participant_id:dbid}/tour/direct",
    response_class=HTMLResponse,
    name="phone_round_live",
)
def phone_round_live(
    request: Request, opened: DiagnosticDep, engine: EngineDep, board: BoardDep, participant_id: int
):
    """The live part of the phone page (timer, problem, suggestions), polled by htmx."""
    membership = own_membership(engine, opened, participant_id)
    return render(request, "join/_round_live.html", _phone_context(board, opened, membership))


def _acting_round(request: Request, opened, engine, participant_id: int, presenter: bool):
    """The membership and the open round of its workshop; 409 when no round is open, 403 when
    the action is the presenter's and this participant is not presenting."""
    save_limit(request, opened.diagnostic.token)
    membership = own_membership(engine, opened, participant_id)
    if _frozen_at(engine, membership) is not None:
        # The round is part of the workshop's frozen results (the diagnostic stays editable).
        raise HTTPException(status_code=409, detail=opening.frozen_message())
    round_ = rounds.open_round(engine=engine, workshop_id=membership.workshop_id)
    if round_ is None:
        raise HTTPException(
            status_code=409, detail=_("Aucun tour n'est ouvert en ce moment dans cet atelier.")
        )
    if presenter and round_.participant_id != membership.id:
        raise HTTPException(
            status_code=403, detail=_("Seul le participant qui présente peut faire cela.")
        )
    return membership, round_


def _back_to_phone(request: Request, opened, membership: Participant, anchor: str = ""):
    url = request.app.url_path_for(
        "phone_round", token=opened.diagnostic.token, participant_id=str(membership.id)
    )
    return RedirectResponse(f"{url}?envoye=1{anchor}", status_code=303)


@router.post("/d/{token}/ateliers/{participant_id:dbid}/tour/suggestions", name="phone_suggestion")
def phone_suggestion(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    board: BoardDep,
    participant_id: int,
    form: FormDep,
):
    membership, round_ = _acting_round(request, opened, engine, participant_id, presenter=False)
    try:
        text = clean_text(form_text(form, "text"), rounds.SUGGESTION_MAX, single_line=False)
        if not text:
            raise AnswerError(_("Écrivez la suggestion."))
        rounds.add_suggestion(
            engine=engine, round_id=round_.id, text=text, author_number=membership.number
        )
    except (AnswerError, rounds.TooManySuggestions) as error:
        message = str(error) or _("Ce tour a reçu le nombre maximal de suggestions.")
        return _phone_page(
            request,
            board,
            opened,
            membership,
            {"suggestion": message},
            status_code=422,
            typed={"suggestion": form_text(form, "text")},
        )
    return _back_to_phone(request, opened, membership, "#suggestion")


@router.post(
    "/d/{token}/ateliers/{participant_id:dbid}/tour/suggestions/{suggestion_id:dbid}/supprimer",
    name="phone_suggestion_delete",
)
def phone_suggestion_delete(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    participant_id: int,
    suggestion_id: int,
):
    """A participant takes back one of their own suggestions while the round is open."""
    membership, round_ = _acting_round(request, opened, engine, participant_id, presenter=False)
    if not rounds.delete_suggestion(
        engine=engine,
        round_id=round_.id,
        suggestion_id=suggestion_id,
        author_number=membership.number,
    ):
        raise HTTPException(status_code=404, detail=_("Suggestion introuvable."))
    url = request.app.url_path_for(
        "phone_round", token=opened.diagnostic.token, participant_id=str(membership.id)
    )
    return RedirectResponse(f"{url}?retiree=1#mes-suggestions", status_code=303)


@router.post("/d/{token}/ateliers/{participant_id:dbid}/presenter", name="phone_present_consent")
def phone_present_consent(
    request: Request, opened: DiagnosticDep, engine: EngineDep, participant_id: int, form: FormDep
):
    """The participant agrees to present their situation in a round, or withdraws it."""
    save_limit(request, opened.diagnostic.token)
    membership = own_membership(engine, opened, participant_id)
    agreed = form_text(form, "agree") == "1"
    storage.set_present_consent(engine=engine, participant_id=membership.id, agreed=agreed)
    url = request.app.url_path_for(
        "phone_round", token=opened.diagnostic.token, participant_id=str(membership.id)
    )
    return RedirectResponse(f"{url}?accord={'1' if agreed else '0'}#presenter", status_code=303)


@router.post("/d/{token}/ateliers/{participant_id:dbid}/tour/probleme", name="phone_problem")
def phone_problem(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    board: BoardDep,
    participant_id: int,
    form: FormDep,
):
    membership, round_ = _acting_round(request, opened, engine, participant_id, presenter=True)
    try:
        problem = clean_text(form_text(form, "problem"), rounds.PROBLEM_MAX, single_line=False)
    except AnswerError as error:
        return _phone_page(
            request,
            board,
            opened,
            membership,
            {"problem": str(error)},
            status_code=422,
            typed={"problem": form_text(form, "problem")},
        )
    rounds.set_problem(engine=engine, round_id=round_.id, problem=problem)
    return _back_to_phone(request, opened, membership, "#probleme")


@router.post("/d/{token}/ateliers/{participant_id:dbid}/tour/pistes", name="phone_choice")
def phone_choice(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    board: BoardDep,
    participant_id: int,
    form: FormDep,
):
    membership, round_ = _acting_round(request, opened, engine, participant_id, presenter=True)
    plan = plan_store.load_plan(engine=engine, diagnostic_id=opened.diagnostic.id)
    rows = round_view.form_rows(form)
    items, errors = round_view.chosen_plan(opened.questionnaire, rows, plan)
    if items is None:
        return _phone_page(request, board, opened, membership, errors, rows=rows, status_code=422)
    plan_store.save_plan(engine=engine, diagnostic_id=opened.diagnostic.id, items=items)
    rounds.touch(engine=engine, round_id=round_.id)
    return _back_to_phone(request, opened, membership, "#pistes")


@router.post("/d/{token}/ateliers/{participant_id:dbid}/tour/retour", name="phone_feedback")
def phone_feedback(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    board: BoardDep,
    participant_id: int,
    form: FormDep,
):
    """A peer's feedback on the presenter's pitch, during the round's pitch phase."""
    membership, round_ = _acting_round(request, opened, engine, participant_id, presenter=False)
    if round_.phase != "pitch" or round_.participant_id == membership.id:
        raise HTTPException(
            status_code=409, detail=_("Les retours se donnent pendant le pitch d'un autre.")
        )
    values: dict[str, str] = {}
    try:
        for name in rounds.FEEDBACK_FIELDS:
            values[name] = clean_text(form_text(form, name), rounds.FEEDBACK_MAX, single_line=False)
        if not any(values.values()):
            raise AnswerError(_("Écrivez au moins une des trois réponses."))
        rounds.add_feedback(
            engine=engine,
            participant_id=round_.participant_id,
            values=values,
            author_number=membership.number,
        )
    except (AnswerError, rounds.TooManySuggestions) as error:
        message = str(error) or _("Ce pitch a reçu le nombre maximal de retours.")
        typed = {name: form_text(form, name) for name in rounds.FEEDBACK_FIELDS}
        return _phone_page(
            request,
            board,
            opened,
            membership,
            {"feedback": message},
            status_code=422,
            typed={"feedback": typed},
        )
    return _back_to_phone(request, opened, membership, "#retour")
