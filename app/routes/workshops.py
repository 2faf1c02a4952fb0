"""The counsellor's side of workshops: create and edit them, project the join code, follow the
group live, focus on one participant, export. Every route goes through `WorkshopDep`, which
answers 404 for a workshop of another account or a guessed id."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date
from typing import Any

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from app import plan_store
from app.deps import (
    BoardDep,
    EngineDep,
    FacilitatorDep,
    FormDep,
    ReportsDep,
    StoreDep,
    WorkshopDep,
)
from app.i18n import N_, _, current_language
from app.models import Workshop, utcnow
from app.plan import OWN_PISTE
from app.questionnaire.answers import AnswerError, clean_text
from app.report.charts import model_map_svg
from app.report.pitch import (
    build_pitch_html,
    build_synthesis_html,
    pitch_context,
)
from app.web.downloads import download, today_in_france
from app.web.forms import form_text
from app.web.links import join_url
from app.web.pages import render
from app.workshops import followup_link, opening, round_view, rounds, storage
from app.workshops.board import Board, board_version, last_activity
from app.workshops.codes import display_code
from app.workshops.exports import result_csv, result_rows
from app.workshops.group import MemberView
from app.workshops.source import GroupSource

router = APIRouter(include_in_schema=False)
# Results recomputed per poll of the board at most (the others catch up at the next polls):
# 12 × ~0.9 ms keeps a poll short while a room of 40 types at once (bench/bench_workshop.py).
POLL_BUDGET = 12
POLL_SECONDS = 3


# --- Forms --------------------------------------------------------------------------------

_FRENCH_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")  # ASCII digits only
# A workshop is held within these years. Beyond them a date is a typing error, and year 9999
# once broke the retention purge (its day's end overflowed Python's dates).
YEARS = (2000, 2100)


def parse_date(raw: str) -> date | None:
    """A date as the browser's date field sends it (2026-11-23), or typed the French way."""
    raw = raw.strip()
    if not raw:
        return None
    if match := _FRENCH_DATE.match(raw):
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    return date.fromisoformat(raw)


def workshop_fields(form: FormData) -> tuple[storage.WorkshopFields | None, dict[str, str], dict]:
    """Validated fields, errors by field name, and the values as typed (to show them again)."""
    values = {name: form_text(form, name) for name in ("title", "held_on", "place", "notes")}
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for name, label, limit in (
        ("title", N_("Le titre"), 200),
        ("place", N_("Le lieu"), 200),
        ("notes", N_("Les notes"), 4000),
    ):
        try:
            cleaned[name] = clean_text(values[name], limit, single_line=name != "notes")
        except AnswerError as error:
            cleaned[name] = ""
            message = f"{str(error)[0].lower()}{str(error)[1:]}"
            errors[name] = _("%(field)s : %(error)s") % {"field": _(label), "error": message}
    title, place, notes = cleaned["title"], cleaned["place"], cleaned["notes"]
    if not title and "title" not in errors:
        errors["title"] = _("Donnez un titre à l'atelier.")
    held_on = None
    try:
        held_on = parse_date(values["held_on"])
    except ValueError:
        errors["held_on"] = _("Date invalide : utilisez le format jj/mm/aaaa (ex. : 23/11/2026).")
    if held_on is not None and not YEARS[0] <= held_on.year <= YEARS[1]:
        errors["held_on"] = _(
            "Date hors limites : choisissez une date entre %(first)s et %(last)s."
        ) % {"first": YEARS[0], "last": YEARS[1]}
    if errors:
        return None, errors, values
    return (
        storage.WorkshopFields(title=title, held_on=held_on, place=place, notes=notes),
        {},
        values,
    )


def _form_values(workshop: Workshop) -> dict[str, str]:
    return {
        "title": workshop.title,
        "held_on": workshop.held_on.isoformat() if workshop.held_on else "",
        "place": workshop.place,
        "notes": workshop.notes,
        "follows_id": str(workshop.follows_id) if workshop.follows_id else "",
    }


def _follow_up_checked(
    engine,
    facilitator,
    form: FormData,
    *,
    this_id: int | None,
    errors: dict[str, str],
    values: dict[str, str],
    current_id: int | None = None,
) -> int | None:
    """The first session chosen in "Suite de l'atelier" (None: none), its error added to
    `errors` and the choice to `values` (shown again when the form is refused). The current
    link (`current_id`) is kept without checking who runs it; another choice must be run."""
    raw = form_text(form, "follows_id")
    values["follows_id"] = raw
    options = followup_link.choices(
        engine=engine, facilitator_id=facilitator.id, exclude_id=None, current_id=current_id
    )
    chosen, first = followup_link.chosen_first(raw, options)
    if not chosen:
        return None
    # A refused date is already said on its own field.
    if "held_on" in errors:
        return None
    held_on = parse_date(values["held_on"])
    if error := followup_link.follow_up_error(first, this_id=this_id, held_on=held_on):
        errors["follows_id"] = error
        return None
    return first.id if first else None


def _follow_up_options(engine, facilitator, workshop: Workshop | None) -> list:
    return followup_link.choices(
        engine=engine,
        facilitator_id=facilitator.id,
        exclude_id=workshop.id if workshop else None,
        current_id=workshop.follows_id if workshop else None,
    )


# --- The group ----------------------------------------------------------------------------


def board_context(
    request: Request,
    board: Board,
    workshop: Workshop,
    projector: bool = False,
    members: list[storage.GroupMember] | None = None,
    version: str | None = None,
    include_partial: bool = False,
    source: GroupSource | None = None,
    budget: int | None = None,
) -> dict[str, Any]:
    if source is None:
        source = board.source(workshop)
    if members is None:
        members = source.members
    stale: list[int] = []
    summary = board.summary(
        workshop,
        members,
        include_partial=include_partial,
        source=source,
        budget=budget,
        stale=stale,
    )
    if stale:
        # Some results are a poll behind: a version no current state has, so the next poll
        # draws the board again (204 only once every result is up to date).
        version = f"{version or board_version(workshop, members)}~"
    return {
        "workshop": workshop,
        "summary": summary,
        "questionnaire": board.store.current,
        "map_svg": board.map_svg(summary),
        "version": version or board_version(workshop, members),
        "last_activity": last_activity(members),
        "poll_seconds": POLL_SECONDS,
        "projector": projector,
        "paused": False,
        "wide": True,
        "code": display_code(workshop.join_code),
        "join_url": join_url(request, workshop.join_code),
        "frozen_label": opening.frozen_label(workshop.frozen_at),
    }


def join_qr(url: str) -> segno.QRCode:
    # Medium error correction: still reads from a projector at an angle.
    return segno.make(url, error="m")


def qr_svg(url: str, scale: int = 6) -> Markup:
    """The join link as an inline SVG QR code (segno), with a text alternative."""
    svg = join_qr(url).svg_inline(scale=scale, border=2, title="", omitsize=True)
    label = escape(_("QR code du lien pour rejoindre"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return Markup(svg)


# --- Routes -------------------------------------------------------------------------------


@router.get("/ateliers", response_class=HTMLResponse, name="workshops")
def workshop_list(
    request: Request, facilitator: FacilitatorDep, engine: EngineDep, bienvenue: str = ""
):
    return render(
        request,
        "workshops/list.html",
        {
            "facilitator": facilitator,
            "workshops": storage.list_workshops(engine=engine, facilitator_id=facilitator.id),
            "welcome": bienvenue == "1",
            "display_code": display_code,
        },
    )


@router.get("/ateliers/nouveau", response_class=HTMLResponse, name="new_workshop")
def new_workshop(request: Request, facilitator: FacilitatorDep, engine: EngineDep):
    return render(
        request,
        "workshops/form.html",
        {
            "facilitator": facilitator,
            "workshop": None,
            "values": {},
            "errors": {},
            "follow_options": _follow_up_options(engine, facilitator, None),
        },
    )


@router.post("/ateliers", response_class=HTMLResponse)
def create_workshop(
    request: Request, facilitator: FacilitatorDep, engine: EngineDep, form: FormDep
):
    fields, errors, values = workshop_fields(form)
    follows_id = _follow_up_checked(
        engine,
        facilitator,
        form,
        this_id=None,
        errors=errors,
        values=values,
    )
    if fields is None or errors:
        context = {
            "facilitator": facilitator,
            "workshop": None,
            "values": values,
            "follow_options": _follow_up_options(engine, facilitator, None),
        }
        return render(
            request, "workshops/form.html", {**context, "errors": errors}, status_code=422
        )
    workshop = storage.create_workshop(engine=engine, facilitator_id=facilitator.id, fields=fields)
    if follows_id is not None:
        followup_link.set_follows(engine=engine, workshop_id=workshop.id, follows_id=follows_id)
    url = request.app.url_path_for("workshop_board", workshop_id=str(workshop.id))
    return RedirectResponse(url, status_code=303)


@router.get("/ateliers/{workshop_id:dbid}", response_class=HTMLResponse, name="workshop_board")
def workshop_board(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    pause: str = "",
    partiels: str = "",
):
    # Partial lever scores in the group's means: a choice for this look at the board, carried
    # by its address (and so by its polls), like the pause; the default leaves them out.
    context = board_context(request, board, workshop, include_partial=partiels == "1")
    context.update(
        facilitator=facilitator,
        qr_svg=qr_svg(context["join_url"], scale=4),
        # A screen-reader user reading the table can stop the live updates (WCAG 2.2.2).
        paused=pause == "1",
    )
    return render(request, "workshops/board_page.html", context)


@router.get(
    "/ateliers/{workshop_id:dbid}/tableau", response_class=HTMLResponse, name="workshop_live"
)
def workshop_live(
    request: Request,
    workshop: WorkshopDep,
    board: BoardDep,
    projection: str = "",
    v: str = "",
    partiels: str = "",
):
    """The live part of the dashboard, polled by htmx (same partial as the full page); 204
    when nothing changed since the version the page holds."""
    source = board.source(workshop)
    members = source.members
    version = board_version(workshop, members)
    if v and v == version:
        return Response(status_code=204)
    context = board_context(
        request,
        board,
        workshop,
        projector=projection == "1",
        members=members,
        version=version,
        include_partial=partiels == "1",
        source=source,
        budget=POLL_BUDGET,
    )
    return render(request, "workshops/_board.html", context)


@router.get(
    "/ateliers/{workshop_id:dbid}/projection",
    response_class=HTMLResponse,
    name="workshop_projector",
)
def workshop_projector(
    request: Request, workshop: WorkshopDep, board: BoardDep, partiels: str = ""
):
    context = board_context(
        request, board, workshop, projector=True, include_partial=partiels == "1"
    )
    context["qr_svg"] = qr_svg(context["join_url"], scale=4)
    return render(request, "workshops/projector.html", context)


@router.get("/ateliers/{workshop_id:dbid}/code", response_class=HTMLResponse, name="workshop_code")
def workshop_code(request: Request, workshop: WorkshopDep):
    url = join_url(request, workshop.join_code)
    return render(
        request,
        "workshops/code.html",
        {
            "workshop": workshop,
            "code": display_code(workshop.join_code),
            "join_url": url,
            "qr_svg": qr_svg(url, scale=10),
            "projector": True,
        },
    )


@router.get("/ateliers/{workshop_id:dbid}/qr.svg", name="workshop_qr")
def workshop_qr(request: Request, workshop: WorkshopDep):
    # A standalone file (XML declaration, SVG namespace) to print or paste in slides.
    buffer = io.BytesIO()
    join_qr(join_url(request, workshop.join_code)).save(buffer, kind="svg", scale=10, border=2)
    return Response(
        buffer.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


@router.get(
    "/ateliers/{workshop_id:dbid}/modifier", response_class=HTMLResponse, name="edit_workshop"
)
def edit_workshop(
    request: Request, facilitator: FacilitatorDep, workshop: WorkshopDep, engine: EngineDep
):
    return render(
        request,
        "workshops/form.html",
        {
            "facilitator": facilitator,
            "workshop": workshop,
            "values": _form_values(workshop),
            "errors": {},
            "follow_options": _follow_up_options(engine, facilitator, workshop),
        },
    )


@router.post("/ateliers/{workshop_id:dbid}/modifier", response_class=HTMLResponse)
def update_workshop(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    engine: EngineDep,
    form: FormDep,
):
    fields, errors, values = workshop_fields(form)
    follows_id = _follow_up_checked(
        engine,
        facilitator,
        form,
        this_id=workshop.id,
        errors=errors,
        values=values,
        current_id=workshop.follows_id,
    )
    if fields is None or errors:
        context = {
            "facilitator": facilitator,
            "workshop": workshop,
            "values": values,
            "follow_options": _follow_up_options(engine, facilitator, workshop),
        }
        return render(
            request, "workshops/form.html", {**context, "errors": errors}, status_code=422
        )
    storage.update_workshop(engine=engine, workshop_id=workshop.id, fields=fields)
    followup_link.set_follows(engine=engine, workshop_id=workshop.id, follows_id=follows_id)
    url = request.app.url_path_for("workshop_board", workshop_id=str(workshop.id))
    return RedirectResponse(url, status_code=303)


@router.post("/ateliers/{workshop_id:dbid}/ouverture", name="workshop_opening")
def workshop_opening(
    request: Request, workshop: WorkshopDep, engine: EngineDep, store: StoreDep, form: FormDep
):
    # Closing freezes the results, reopening brings them back live: one switch (opening.py).
    is_open = form_text(form, "open") == "1"
    _switch(store, workshop, engine, is_open)
    url = request.app.url_path_for("workshop_board", workshop_id=str(workshop.id))
    return RedirectResponse(f"{url}?{'rouvert' if is_open else 'fige'}=1", status_code=303)


@router.post("/ateliers/{workshop_id:dbid}/figer", name="workshop_freeze")
def workshop_freeze(request: Request, workshop: WorkshopDep, engine: EngineDep, store: StoreDep):
    """Freeze the results now (closing the workshop to new joiners); again re-freezes."""
    _switch(store, workshop, engine, is_open=False)
    url = request.app.url_path_for("workshop_board", workshop_id=str(workshop.id))
    return RedirectResponse(f"{url}?fige=1", status_code=303)


def _switch(store, workshop: Workshop, engine, is_open: bool) -> None:
    try:
        opening.set_open(engine=engine, store=store, workshop_id=workshop.id, is_open=is_open)
    except storage.WorkshopGone as gone:
        raise HTTPException(status_code=404, detail=_("Atelier introuvable.")) from gone


@router.get(
    "/ateliers/{workshop_id:dbid}/supprimer", response_class=HTMLResponse, name="delete_workshop"
)
def delete_workshop_confirm(request: Request, facilitator: FacilitatorDep, workshop: WorkshopDep):
    return render(
        request, "workshops/delete.html", {"facilitator": facilitator, "workshop": workshop}
    )


@router.post("/ateliers/{workshop_id:dbid}/supprimer")
def delete_workshop(workshop: WorkshopDep, engine: EngineDep):
    storage.delete_workshop(engine=engine, workshop_id=workshop.id)
    return RedirectResponse("/ateliers", status_code=303)


def shared_member(board: Board, workshop: Workshop, number: int) -> MemberView:
    """A participant of this workshop who chose to be named; 404 for an unknown number, 403 for
    one who shares anonymously (the counsellor knows they exist, not who they are)."""
    source = board.source(workshop)
    # Only this participant's result is computed, not the whole group's.
    chosen = [m for m in source.members if m.number == number]
    view = board.views(workshop, chosen, source)[0] if chosen else None
    if view is None:
        raise HTTPException(status_code=404, detail=_("Participant introuvable dans cet atelier."))
    if not view.named:
        raise HTTPException(
            status_code=403,
            detail=_(
                "Ce participant partage ses résultats anonymement : sa vue détaillée reste "
                "privée. Il peut choisir d'apparaître avec son nom depuis son diagnostic."
            ),
        )
    return view


def round_member(board: Board, workshop: Workshop, number: int) -> MemberView:
    """Any participant of this workshop (named or anonymous: an anonymous presenter is shown
    by number only); 404 for an unknown number."""
    source = board.source(workshop)
    return board.views(workshop, [_numbered(source.members, number)], source)[0]


def _numbered(members: list[storage.GroupMember], number: int) -> storage.GroupMember:
    chosen = [m for m in members if m.number == number]
    if not chosen:
        raise HTTPException(status_code=404, detail=_("Participant introuvable dans cet atelier."))
    return chosen[0]


def ensure_live(workshop: Workshop) -> None:
    """Rounds and pitch feedback of a frozen workshop are part of its results: read-only."""
    if workshop.frozen_at is not None:
        raise HTTPException(status_code=409, detail=opening.frozen_message())


def _round_context(board: Board, workshop: Workshop, view: MemberView) -> dict[str, Any]:
    round_ = rounds.round_of(engine=board.engine, participant_id=view.member.participant_id)
    plan = board.member_plan(view.member)
    profile = round_view.screen_context(
        view.questionnaire,
        view.answers,
        view.result,
        label=view.label,
        named=view.named,
        today=today_in_france(),
        plan=plan,
    )
    return {
        "workshop": workshop,
        "view": view,
        "round": round_,
        "profile": profile,
        "timer": round_view.timer(round_, utcnow()),
        "phases": round_view.phases(round_),
        "version": _round_version(round_, plan, workshop),
        "poll_seconds": POLL_SECONDS,
        "frozen_label": opening.frozen_label(workshop.frozen_at),
    }


def _round_version(round_: rounds.Round | None, plan: list, workshop: Workshop) -> str:
    # The plan is part of what the screen shows (chosen pistes) and changes apart from the
    # round when the presenter edits it on their plan page; freezing hides the round's forms.
    parts = [round_.version() if round_ else "-", current_language(), str(workshop.frozen_at)]
    parts += [f"{item.title}|{item.first_step}|{item.owner}|{item.due}" for item in plan]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}",
    response_class=HTMLResponse,
    name="participant_focus",
)
def participant_focus(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    number: int,
):
    """The round screen: one projectable page per participant (it replaced the full results
    page, too long for a ten-minute round in front of the group)."""
    view = round_member(board, workshop, number)
    context = _round_context(board, workshop, view)
    current = view.questionnaire
    context.update(
        facilitator=facilitator,
        projector=True,
        map_svg=model_map_svg(
            current, view.result.barycentre, current_language(), size=300, id_prefix="round-map"
        ),
    )
    return render(request, "workshops/focus.html", context)


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/direct",
    response_class=HTMLResponse,
    name="round_live",
)
def round_live(request: Request, workshop: WorkshopDep, board: BoardDep, number: int, v: str = ""):
    """The live part of the round screen (problem, suggestions, chosen pistes, timer), polled
    by htmx; 204 when nothing changed since the version the page holds."""
    source = board.source(workshop)
    member = _numbered(source.members, number)
    # The version first, from the round and the plan alone: a poll that finds nothing new
    # costs two small reads, not the participant's whole result (issue 12's bench).
    round_ = rounds.round_of(engine=board.engine, participant_id=member.participant_id)
    if v and v == _round_version(round_, board.member_plan(member), workshop):
        return Response(status_code=204)
    view = board.views(workshop, [member], source)[0]
    return render(request, "workshops/_round_live.html", _round_context(board, workshop, view))


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour",
    response_class=HTMLResponse,
    name="round_control",
)
def round_control(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    number: int,
):
    """The counsellor's controls of a round: open/close, phases and timer, the problem,
    suggestions and the chosen pistes."""
    view = round_member(board, workshop, number)
    return _control_page(request, board, facilitator, workshop, view)


def _control_page(
    request, board, facilitator, workshop, view, errors=None, rows=None, status=200, typed=None
):
    """The controls page; on a refusal, `typed` holds what was posted (by form: "problem",
    "suggestion", "minutes", "edit-<id>") so the counsellor finds it again with the error."""
    context = _round_context(board, workshop, view)
    plan = context["profile"]["plan"]
    context.update(
        facilitator=facilitator,
        wide=True,
        errors=errors or {},
        typed=typed or {},
        rows=rows or round_view.choice_rows(plan),
        cards=view.result.cards,
        own=OWN_PISTE,
        max_chosen=rounds.MAX_CHOSEN,
        problem_max=rounds.PROBLEM_MAX,
        suggestion_max=rounds.SUGGESTION_MAX,
        feedback=rounds.feedback_for(
            engine=board.engine, participant_id=view.member.participant_id
        ),
    )
    return render(request, "workshops/round_control.html", context, status_code=status)


def _to_control(request: Request, workshop: Workshop, view: MemberView, anchor: str = ""):
    url = request.app.url_path_for(
        "round_control", workshop_id=str(workshop.id), number=str(view.number)
    )
    return RedirectResponse(f"{url}{anchor}", status_code=303)


def _existing_round(engine, view: MemberView) -> rounds.Round:
    found = rounds.round_of(engine=engine, participant_id=view.member.participant_id)
    if found is None:
        raise HTTPException(status_code=409, detail=_("Ouvrez d'abord le tour de ce participant."))
    return found


def _live_round(
    board: Board, engine, workshop: Workshop, number: int
) -> tuple[MemberView, rounds.Round]:
    """The prologue of every change to an open round: the workshop live (409), the participant
    in it (404), their round opened (409), checked in that order."""
    ensure_live(workshop)
    view = round_member(board, workshop, number)
    return view, _existing_round(engine, view)


@router.post("/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour", name="round_opening")
def round_opening(
    request: Request,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    ensure_live(workshop)
    view = round_member(board, workshop, number)
    if form_text(form, "open") == "1":
        # Without the participant's agreement from their phone, the counsellor confirms first
        # (agreement may have been given orally): the confirmation page posts confirm=1.
        if not view.member.present_consent and form_text(form, "confirm") != "1":
            url = request.app.url_path_for(
                "round_open_confirm", workshop_id=str(workshop.id), number=str(view.number)
            )
            return RedirectResponse(url, status_code=303)
        rounds.start_round(
            engine=engine, workshop_id=workshop.id, participant_id=view.member.participant_id
        )
    else:
        rounds.close_round(engine=engine, round_id=_existing_round(engine, view).id)
    return _to_control(request, workshop, view)


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/ouvrir",
    response_class=HTMLResponse,
    name="round_open_confirm",
)
def round_open_confirm(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    number: int,
):
    """Asks before opening the round of a participant who has not agreed from their phone."""
    view = round_member(board, workshop, number)
    return render(
        request,
        "workshops/round_open_confirm.html",
        {"facilitator": facilitator, "workshop": workshop, "view": view},
    )


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/phase", name="round_phase"
)
def round_phase(
    request: Request,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    view, round_ = _live_round(board, engine, workshop, number)
    phase = form_text(form, "phase")
    if phase not in (*rounds.PHASES, ""):
        raise HTTPException(status_code=422, detail=_("Phase inconnue."))
    rounds.set_phase(engine=engine, round_id=round_.id, phase=phase)
    return _to_control(request, workshop, view)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/durees", name="round_minutes"
)
def round_minutes(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    view, round_ = _live_round(board, engine, workshop, number)
    # A phase left blank keeps its default length.
    typed = {phase: form_text(form, phase) for phase in rounds.PHASES}
    minutes = rounds.clean_minutes({phase: value for phase, value in typed.items() if value})
    if minutes is None:
        message = _("Durées : un nombre entier de minutes, de 1 à %(max)s.") % {
            "max": rounds.MAX_MINUTES
        }
        return _control_page(
            request,
            board,
            facilitator,
            workshop,
            view,
            errors={"minutes": message},
            status=422,
            typed={"minutes": typed},
        )
    rounds.set_minutes(engine=engine, round_id=round_.id, minutes=minutes)
    return _to_control(request, workshop, view)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/probleme", name="round_problem"
)
def round_problem(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    view, round_ = _live_round(board, engine, workshop, number)
    try:
        problem = clean_text(form_text(form, "problem"), rounds.PROBLEM_MAX, single_line=False)
    except AnswerError as error:
        return _control_page(
            request,
            board,
            facilitator,
            workshop,
            view,
            errors={"problem": str(error)},
            status=422,
            typed={"problem": form_text(form, "problem")},
        )
    rounds.set_problem(engine=engine, round_id=round_.id, problem=problem)
    return _to_control(request, workshop, view)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/suggestions",
    name="round_suggestion",
)
def round_suggestion(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    view, round_ = _live_round(board, engine, workshop, number)
    try:
        text = clean_text(form_text(form, "text"), rounds.SUGGESTION_MAX, single_line=False)
        if not text:
            raise AnswerError(_("Écrivez la suggestion."))
        rounds.add_suggestion(engine=engine, round_id=round_.id, text=text, author_number=None)
    except (AnswerError, rounds.TooManySuggestions) as error:
        message = str(error) or _("Ce tour a reçu le nombre maximal de suggestions.")
        return _control_page(
            request,
            board,
            facilitator,
            workshop,
            view,
            errors={"suggestion": message},
            status=422,
            typed={"suggestion": form_text(form, "text")},
        )
    return _to_control(request, workshop, view, "#suggestion")


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/suggestions/{suggestion_id:dbid}/modifier",
    name="round_suggestion_edit",
)
def round_suggestion_edit(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    suggestion_id: int,
    form: FormDep,
):
    """The counsellor rewrites a suggestion (a typo, a name to take out); the live screens
    show the new text at their next poll."""
    view, round_ = _live_round(board, engine, workshop, number)
    sid = suggestion_id
    try:
        text = clean_text(form_text(form, "text"), rounds.SUGGESTION_MAX, single_line=False)
        if not text:
            raise AnswerError(
                _("Écrivez la suggestion, ou supprimez-la avec le bouton « Supprimer ».")
            )
    except AnswerError as error:
        return _control_page(
            request,
            board,
            facilitator,
            workshop,
            view,
            errors={f"edit-{sid}": str(error)},
            status=422,
            typed={f"edit-{sid}": form_text(form, "text")},
        )
    if not rounds.edit_suggestion(engine=engine, round_id=round_.id, suggestion_id=sid, text=text):
        raise HTTPException(status_code=404, detail=_("Suggestion introuvable."))
    url = request.app.url_path_for(
        "round_control", workshop_id=str(workshop.id), number=str(view.number)
    )
    return RedirectResponse(f"{url}?suggestion=modifiee#suggestions-gerer", status_code=303)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/suggestions/{suggestion_id:dbid}/supprimer",
    name="round_suggestion_delete",
)
def round_suggestion_delete(
    request: Request,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    suggestion_id: int,
):
    view, round_ = _live_round(board, engine, workshop, number)
    sid = suggestion_id
    if not rounds.delete_suggestion(engine=engine, round_id=round_.id, suggestion_id=sid):
        raise HTTPException(status_code=404, detail=_("Suggestion introuvable."))
    url = request.app.url_path_for(
        "round_control", workshop_id=str(workshop.id), number=str(view.number)
    )
    return RedirectResponse(f"{url}?suggestion=supprimee#suggestions-gerer", status_code=303)


@router.post(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/tour/pistes", name="round_choice"
)
def round_choice(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    engine: EngineDep,
    number: int,
    form: FormDep,
):
    view, round_ = _live_round(board, engine, workshop, number)
    diagnostic_id = view.member.diagnostic_id
    plan = plan_store.load_plan(engine=engine, diagnostic_id=diagnostic_id)
    rows = round_view.form_rows(form)
    items, errors = round_view.chosen_plan(view.questionnaire, rows, plan)
    if items is None:
        return _control_page(
            request, board, facilitator, workshop, view, errors=errors, rows=rows, status=422
        )
    plan_store.save_plan(engine=engine, diagnostic_id=diagnostic_id, items=items)
    rounds.touch(engine=engine, round_id=round_.id)
    return _to_control(request, workshop, view, "#pistes")


# --- Pitch practice -----------------------------------------------------------------------


def _pitch_live_context(board: Board, workshop: Workshop, view: MemberView) -> dict[str, Any]:
    engine = board.engine
    round_ = rounds.round_of(engine=engine, participant_id=view.member.participant_id)
    feedback = rounds.feedback_for(engine=engine, participant_id=view.member.participant_id)
    version = hashlib.sha256(
        f"{round_.version() if round_ else '-'}|{len(feedback)}|{current_language()}".encode()
    ).hexdigest()[:20]
    return {
        "workshop": workshop,
        "view": view,
        "round": round_,
        "timer": round_view.timer(round_, utcnow()),
        "feedback": feedback,
        "version": version,
        "poll_seconds": POLL_SECONDS,
        "frozen_label": opening.frozen_label(workshop.frozen_at),
    }


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/pitch",
    response_class=HTMLResponse,
    name="pitch_practice",
)
def pitch_practice(
    request: Request,
    facilitator: FacilitatorDep,
    workshop: WorkshopDep,
    board: BoardDep,
    number: int,
):
    """The participant's pitch sheet full-screen, with the pitch phase's timer. Named
    participants only, like their printed sheet: it is written in their own words."""
    view = shared_member(board, workshop, number)
    hidden, contact = plan_store.load_pitch_setting(
        engine=board.engine, diagnostic_id=view.member.diagnostic_id
    )
    sheet = pitch_context(
        view.questionnaire,
        view.answers,
        view.result,
        association_name=view.label,
        partner_request=view.member.partner_request,
        created_at=today_in_france(),
        plan=board.member_plan(view.member),
        hidden_blocks=hidden,
        contact=contact,
    )
    context = _pitch_live_context(board, workshop, view)
    context.update(
        facilitator=facilitator,
        projector=True,
        pitch_html=Markup(build_pitch_html(sheet, standalone=False)),
    )
    return render(request, "workshops/pitch_practice.html", context)


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/pitch/direct",
    response_class=HTMLResponse,
    name="pitch_live",
)
def pitch_live(request: Request, workshop: WorkshopDep, board: BoardDep, number: int, v: str = ""):
    view = shared_member(board, workshop, number)
    context = _pitch_live_context(board, workshop, view)
    if v and v == context["version"]:
        return Response(status_code=204)
    return render(request, "workshops/_pitch_live.html", context)


# --- Documents and exports ----------------------------------------------------------------


def _slug(workshop: Workshop) -> str:
    return f"atelier-{workshop.id}-{today_in_france():%Y-%m-%d}"


@router.get(
    "/ateliers/{workshop_id:dbid}/participants/{number:dbid}/fiche.pdf",
    name="participant_pitch_pdf",
)
async def participant_pitch_pdf(
    workshop: WorkshopDep, board: BoardDep, reports: ReportsDep, number: int
):
    view = await run_in_threadpool(shared_member, board, workshop, number)
    diagnostic_id = view.member.diagnostic_id
    hidden, contact = plan_store.load_pitch_setting(
        engine=board.engine, diagnostic_id=diagnostic_id
    )
    context = pitch_context(
        view.questionnaire,
        view.answers,
        view.result,
        association_name=view.label,
        partner_request=view.member.partner_request,
        created_at=today_in_france(),
        plan=board.member_plan(view.member),
        hidden_blocks=hidden,
        contact=contact,
    )
    pdf = await reports.pdf_of_html(build_pitch_html(context))
    return download(
        pdf, "application/pdf", f"fiche-pitch-{view.number}-{today_in_france():%Y-%m-%d}.pdf"
    )


@router.get("/ateliers/{workshop_id:dbid}/synthese.pdf", name="workshop_synthesis")
async def workshop_synthesis(
    facilitator: FacilitatorDep, workshop: WorkshopDep, board: BoardDep, reports: ReportsDep
):
    summary = await run_in_threadpool(board.summary, workshop)
    pistes = await run_in_threadpool(board.shared_pistes, summary)
    held_rounds = await run_in_threadpool(board.synthesis_rounds, workshop, summary)
    html = build_synthesis_html(
        {
            "workshop": workshop,
            "facilitator": facilitator,
            "summary": summary,
            "questionnaire": board.store.current,
            "map_svg": board.map_svg(summary, id_prefix="synthesis-map"),
            "created_at": today_in_france(),
            "pistes": pistes,
            "frozen_label": opening.frozen_label(workshop.frozen_at),
            "rounds": held_rounds,
        }
    )
    pdf = await reports.pdf_of_html(html)
    return download(pdf, "application/pdf", f"synthese-{_slug(workshop)}.pdf")


@router.get("/ateliers/{workshop_id:dbid}/resultats.csv", name="workshop_csv")
def workshop_csv(workshop: WorkshopDep, board: BoardDep):
    summary = board.summary(workshop)
    text = result_csv(board.store.current, summary, board.plans(summary))
    return download(text.encode("utf-8"), "text/csv; charset=utf-8", f"{_slug(workshop)}.csv")


@router.get("/ateliers/{workshop_id:dbid}/resultats.json", name="workshop_json")
def workshop_json(workshop: WorkshopDep, board: BoardDep):
    summary = board.summary(workshop)
    questionnaire = board.store.current
    lang = current_language()
    payload = {
        "workshop": {
            "title": workshop.title,
            "held_on": workshop.held_on.isoformat() if workshop.held_on else None,
            "place": workshop.place,
            "exported_on": today_in_france().isoformat(),
        },
        "models": {m.id: m.name.get(lang) for m in questionnaire.models},
        "levers": {lv.id: lv.label.get(lang) for lv in questionnaire.definition.levers},
        "participants": result_rows(questionnaire, summary),
    }
    body = json.dumps(payload, ensure_ascii=False, indent=2)
    return download(body.encode("utf-8"), "application/json", f"{_slug(workshop)}.json")
