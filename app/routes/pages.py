"""HTML pages of the autodiagnostic flow. Every form works without JavaScript; htmx adds
autosave per answer (the same partials serve full pages and htmx swaps)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app import crud, plan_store
from app.deps import (
    CreationLimit,
    DiagnosticDep,
    EngineDep,
    FormDep,
    OpenDiagnostic,
    SaveLimit,
    SettingsDep,
    StoreDep,
    open_diagnostic,
)
from app.i18n import _
from app.plan import (
    FIRST_STEP_MAX,
    HELP_MAX,
    MAX_ITEMS,
    OWN_PISTE,
    OWNER_MAX,
    STATUS_LABELS,
    TITLE_MAX,
    parse_form_rows,
    read_rows,
    rows_of,
    to_items,
)
from app.progress import Progress
from app.questionnaire import originals
from app.questionnaire.answers import AnswerError, clean_text, printable, validate_answer
from app.questionnaire.conditions import is_visible, visible_answers, walk
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Question, Section
from app.readings import (
    atypicality_reading,
    indicator_rows,
    odd_percent_total,
    source_rows,
)
from app.report.charts import lever_radar_svg, model_map_svg
from app.report.mix_chart import mix_series, resource_mix_svg
from app.report.pitch import CONTACT_MAX, PITCH_BLOCKS, build_pitch_html
from app.report.view import association_name, build_view
from app.resource_tally import money_questions, percent_total_off, resource_tally
from app.scoring.profile import effective_number, resources_in_percent
from app.scoring.result import compute_result
from app.web.downloads import (
    note_pdf_response,
    pdf_response,
    pitch_context_for,
    pitch_pdf_response,
)
from app.web.links import resume_url
from app.web.pages import error_page, render
from app.workshops import storage as workshop_storage
from app.workshops.anonymity import lone_anonymous

router = APIRouter(include_in_schema=False)


def question_context(opened: OpenDiagnostic, question: Question, **extra) -> dict[str, Any]:
    questionnaire, answers = opened.questionnaire, opened.answers
    context = {
        "q": question,
        "token": opened.diagnostic.token,
        "options": questionnaire.options(question),
        "value": answers.get(question.id),
        # The stored answer the page is drawn from, sent back by the section form.
        "shown": originals.encode(answers.get(question.id)),
        "visible": is_visible(question, visible_answers(questionnaire, answers)),
        "in_percent": resources_in_percent(questionnaire, answers),
        # In percent mode money sources are typed as %, volunteering in euros stays in euros.
        "money_source": bool(question.source)
        and questionnaire.source_by_id[question.source].brought_by != "volunteers",
        "computed": effective_number(questionnaire, answers, question.id)
        if question.computed_from
        else None,
        "error": None,
        "raw": None,
        "saved": False,
    }
    context.update(extra)
    return context


def section_context(opened: OpenDiagnostic, section: Section, errors=None, raw=None):
    questionnaire = opened.questionnaire
    index = questionnaire.section_index(section.id)
    errors = errors or {}
    raw = raw or {}
    return {
        "token": opened.diagnostic.token,
        "questionnaire": questionnaire,
        "section": section,
        "index": index,
        "previous": questionnaire.sections[index - 1] if index > 0 else None,
        "next": questionnaire.sections[index + 1]
        if index + 1 < len(questionnaire.sections)
        else None,
        "questions": [
            question_context(opened, q, error=errors.get(q.id), raw=raw.get(q.id))
            for q in section.questions
        ],
        "progress": Progress(questionnaire, opened.answers),
        "errors": errors,
        "tally": _section_tally(opened, section),
    }


def _section_tally(opened: OpenDiagnostic, section: Section):
    """The running total of resources, for a section that asks for them (else None)."""
    questionnaire = opened.questionnaire
    counted = set(money_questions(questionnaire))
    if not any(q.id in counted for q in section.questions):
        return None
    return resource_tally(questionnaire, opened.answers)


def _form_value(form: FormData, question: Question) -> Any:
    """The submitted value: a list for checkboxes (none ticked: empty), otherwise the field as
    sent, or None when absent. Non-text parts (file uploads) pass through, to be refused by
    validation rather than read as a clear."""
    if question.type == "multiple_choice":
        values = form.getlist(question.id)
        return values if all(isinstance(v, str) for v in values) else values[0]
    return form.get(question.id)


def _dependents(questionnaire: Questionnaire, question_id: str) -> list[Question]:
    """Questions whose visibility may change with this answer (directly or in a chain)."""
    changed = {question_id}
    dependents = []
    for question in questionnaire.questions.values():
        if question.show_if is None:
            continue
        refs = {node.question for node, _ in walk(question.show_if)}
        if refs & changed:
            dependents.append(question)
            changed.add(question.id)
    return dependents


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, store: StoreDep, supprime: str = "", deconnecte: str = ""):
    # Flags in the query are plain strings: an odd value is ignored rather than refused.
    return render(
        request,
        "landing.html",
        {
            "questionnaire": store.current,
            "deleted": supprime == "1",
            "signed_out": deconnecte == "1",
        },
    )


@router.get("/confidentialite", response_class=HTMLResponse, name="privacy")
def privacy(request: Request, settings: SettingsDep):
    return render(
        request,
        "privacy.html",
        {"retention_days": settings.retention_days, "session_days": settings.session_days},
    )


@router.post("/diagnostics", dependencies=[CreationLimit])
def start(request: Request, engine: EngineDep, store: StoreDep):
    diagnostic = crud.create_diagnostic(engine=engine, snapshot_id=store.current_snapshot_id)
    url = request.app.url_path_for("diagnostic_home", token=diagnostic.token)
    return RedirectResponse(f"{url}?nouveau=1", status_code=303)


@router.get("/d/{token}", response_class=HTMLResponse, name="diagnostic_home")
def diagnostic_home(
    request: Request,
    opened: DiagnosticDep,
    engine: EngineDep,
    nouveau: str = "",
    atelier: str = "",
    partage: str = "",
    quitte: str = "",
):
    questionnaire = opened.questionnaire
    memberships = workshop_storage.memberships(engine=engine, diagnostic_id=opened.diagnostic.id)
    return render(
        request,
        "home.html",
        {
            "token": opened.diagnostic.token,
            "questionnaire": questionnaire,
            "resume_url": resume_url(request, opened.diagnostic.token),
            "progress": Progress(questionnaire, opened.answers),
            "association_name": association_name(questionnaire, opened.answers),
            "new": nouveau == "1",
            "joined": atelier == "1",
            "sharing_changed": partage == "1",
            "left": quitte == "1",
            "memberships": memberships,
            "sharing_labels": workshop_storage.SHARING_LABELS,
            # Memberships where choosing "anonymous" would leave them the only anonymous one.
            "lone_anonymous": {
                participant.id
                for participant, workshop in memberships
                if lone_anonymous(
                    workshop_storage.sharing_counts(engine=engine, workshop_id=workshop.id),
                    participant.sharing,
                )
            },
            "sharing_kept": partage == "garde",
        },
    )


@router.get("/d/{token}/s/{section_id}", response_class=HTMLResponse, name="section")
def section_page(request: Request, opened: DiagnosticDep, section_id: str, enregistre: str = ""):
    section = opened.questionnaire.section(section_id)
    if section is None:
        return error_page(request, 404, _("Cette partie du questionnaire n'existe pas."))
    context = section_context(opened, section)
    context["just_saved"] = enregistre == "1"  # after the no-JavaScript "Enregistrer" button
    return render(request, "section.html", context)


@router.post("/d/{token}/s/{section_id}", response_class=HTMLResponse, dependencies=[SaveLimit])
def section_submit(
    request: Request, opened: DiagnosticDep, engine: EngineDep, section_id: str, form: FormDep
):
    """The no-JavaScript path: save the whole section, then go back, forward or stay."""
    questionnaire = opened.questionnaire
    section = questionnaire.section(section_id)
    if section is None:
        return error_page(request, 404, _("Cette partie du questionnaire n'existe pas."))
    submitted = set(form.getlist("present"))
    valid: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw: dict[str, Any] = {}
    for question in section.questions:
        if question.id not in submitted:
            continue  # hidden when the page was drawn: leave its stored answer alone
        value = _form_value(form, question)
        raw[question.id] = value
        try:
            stored = validate_answer(questionnaire, question.id, value)
        except AnswerError as error:
            errors[question.id] = str(error)
            continue
        # Left as the page showed it: keep whatever was saved since (another tab, autosave).
        if not originals.unchanged(form.get(originals.field_name(question.id)), stored):
            valid[question.id] = stored
    opened.save(engine, valid)
    if errors:
        context = section_context(opened, section, errors=errors, raw=raw)
        return render(request, "section.html", context, status_code=422)
    index = questionnaire.section_index(section.id)
    action = form.get("nav")
    if action == "prev" and index > 0:
        target = request.app.url_path_for(
            "section",
            token=opened.diagnostic.token,
            section_id=questionnaire.sections[index - 1].id,
        )
    elif action == "next" and index + 1 < len(questionnaire.sections):
        target = request.app.url_path_for(
            "section",
            token=opened.diagnostic.token,
            section_id=questionnaire.sections[index + 1].id,
        )
    elif action == "next":
        target = request.app.url_path_for("summary", token=opened.diagnostic.token)
    else:
        target = (
            request.app.url_path_for(
                "section", token=opened.diagnostic.token, section_id=section.id
            )
            + "?enregistre=1"
        )
    return RedirectResponse(target, status_code=303)


@router.post(
    "/d/{token}/q/{question_id}",
    response_class=HTMLResponse,
    name="save_answer",
    dependencies=[SaveLimit],
)
async def save_answer(
    request: Request,
    token: str,
    question_id: str,
    engine: EngineDep,
    store: StoreDep,
    form: FormDep,
):
    """htmx autosave of one answer: returns its feedback, plus out-of-band swaps of the
    questions whose visibility depends on it and of the progress bar.

    The busiest page route (every field a person leaves), so one trip to the threadpool does
    the reading, the save and the rendering, where DiagnosticDep and a plain `def` made two more
    (issue 13); the rate limit and the form are read on the event loop before it."""

    def read_save_render() -> Response:
        opened = open_diagnostic(token, engine, store)
        return _save_one_answer(request, opened, engine, question_id, form)

    return await run_in_threadpool(read_save_render)


def _save_one_answer(
    request: Request, opened: OpenDiagnostic, engine, question_id: str, form: FormData
) -> Response:
    questionnaire = opened.questionnaire
    question = questionnaire.questions.get(question_id)
    if question is None:
        return error_page(request, 404, _("Question inconnue."))
    value = _form_value(form, question)
    try:
        if value is None and question.type != "multiple_choice":
            # Our fields always send themselves (empty when cleared); an absent one is a
            # malformed request, not a wish to erase the answer.
            raise AnswerError(_("Réponse manquante : rien n'a été modifié."))
        stored = validate_answer(questionnaire, question_id, value)
    except AnswerError as error:
        context = question_context(opened, question, error=str(error), raw=value)
        return render(
            request,
            "partials/answer_saved.html",
            {"c": context, "dependents": [], "progress": None},
        )
    opened.save(engine, {question_id: stored})
    section = questionnaire.section_of[question_id]
    dependents = [
        question_context(opened, q)
        for q in _dependents(questionnaire, question_id)
        if questionnaire.section_of[q.id].id == section.id
    ]
    # Other fields of the section that show the computed value or the euro/percent unit.
    dependents += [
        question_context(opened, q)
        for q in section.questions
        if q.id != question_id
        and (
            question_id in (q.computed_from or [])
            or (q.source and question_id == questionnaire.definition.roles.resource_unit)
        )
        and q.id not in {d["q"].id for d in dependents}
    ]
    context = question_context(opened, question, saved=True)
    return render(
        request,
        "partials/answer_saved.html",
        {
            "c": context,
            "dependents": dependents,
            "progress": Progress(questionnaire, opened.answers),
            "section": section,
            # Redrawn out of band when this answer changes the running total.
            "tally": _section_tally(opened, section)
            if question_id in money_questions(questionnaire)
            or question_id == questionnaire.definition.roles.resource_unit
            else None,
        },
    )


@router.get("/d/{token}/recapitulatif", response_class=HTMLResponse, name="summary")
def summary(request: Request, opened: DiagnosticDep):
    questionnaire = opened.questionnaire
    progress = Progress(questionnaire, opened.answers)
    missing_by_section: dict[str, list[Question]] = {}
    for question in progress.missing_required:
        missing_by_section.setdefault(questionnaire.section_of[question.id].id, []).append(question)
    # Optional questions shown but left blank, named too: "3 / 8" alone says not which.
    shown = visible_answers(questionnaire, opened.answers)
    required = {q.id for q in progress.missing_required}
    unanswered_by_section = {
        section.id: [
            q
            for q in section.questions
            if q.id not in shown and q.id not in required and is_visible(q, shown)
        ]
        for section in questionnaire.sections
    }
    return render(
        request,
        "summary.html",
        {
            "token": opened.diagnostic.token,
            "questionnaire": questionnaire,
            "progress": progress,
            "missing_by_section": missing_by_section,
            "unanswered_by_section": unanswered_by_section,
            "percent_total": percent_total_off(questionnaire, opened.answers),
            "resources_section": _resources_section(questionnaire),
        },
    )


def _resources_section(questionnaire: Questionnaire) -> Section | None:
    """The section asking for the money resources (where a wrong percent total is fixed)."""
    counted = money_questions(questionnaire)
    return questionnaire.section_of[counted[0]] if counted else None


def result_context(
    questionnaire: Questionnaire,
    result,
    id_prefix: str = "mse",
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What partials/result_body.html needs, for the results page and the focus view."""
    view = build_view(questionnaire, answers, result)
    placement = result.placement
    return {
        "questionnaire": questionnaire,
        "result": result,
        "reading": view,
        "map_svg": model_map_svg(
            questionnaire,
            result.barycentre,
            id_prefix=f"{id_prefix}-map",
            money_only=placement.money_only
            if placement and placement.volunteering_changes_dominant
            else None,
        ),
        "mix_svg": resource_mix_svg(view, width=440, font=13, id_prefix=f"{id_prefix}-mix"),
        "mix_series": mix_series(view),
        "radar_svg": lever_radar_svg(result.levers, id_prefix=f"{id_prefix}-radar"),
        "indicators": indicator_rows(questionnaire, result, None),
        "sources": source_rows(questionnaire, result, None),
        "percent_total": odd_percent_total(result),
        "atypicality_reading": atypicality_reading(result.barycentre.atypicality)
        if result.barycentre
        else "",
    }


@router.get("/d/{token}/resultats", response_class=HTMLResponse, name="results")
def results(request: Request, opened: DiagnosticDep, engine: EngineDep):
    questionnaire = opened.questionnaire
    result = compute_result(questionnaire, opened.answers)
    return render(
        request,
        "results.html",
        {
            "token": opened.diagnostic.token,
            "progress": Progress(questionnaire, opened.answers),
            "association_name": association_name(questionnaire, opened.answers),
            "resources_section": _resources_section(questionnaire),
            **result_context(questionnaire, result, answers=opened.answers),
            "plan": plan_store.load_plan(engine=engine, diagnostic_id=opened.diagnostic.id),
        },
    )


@router.get("/d/{token}/rapport.pdf", name="report_pdf")
async def report(request: Request, opened: DiagnosticDep):
    return await pdf_response(request, opened)


def _pitch_page(request: Request, opened: OpenDiagnostic, *, raw=None, errors=None, saved=False):
    questionnaire = opened.questionnaire
    roles = questionnaire.definition.roles
    context = pitch_context_for(request, opened)
    if raw is None:
        raw = {
            "pitch_line": context["pitch_line"],
            "partner_request": context["partner_request"],
            "contact": context["contact"],
        }
    return render(
        request,
        "pitch.html",
        {
            "token": opened.diagnostic.token,
            "pitch_html": build_pitch_html(context, standalone=False),
            "raw": raw,
            "show": context["show"],
            "blocks": PITCH_BLOCKS,
            "pitch_line_question": questionnaire.questions.get(roles.pitch_line or ""),
            "partners_question": questionnaire.questions.get(roles.partners_sought or ""),
            "contact_max": CONTACT_MAX,
            "errors": errors or {},
            "saved": saved,
        },
        status_code=422 if errors else 200,
    )


@router.get("/d/{token}/fiche", response_class=HTMLResponse, name="pitch_page")
def pitch_page(request: Request, opened: DiagnosticDep, enregistre: str = ""):
    return _pitch_page(request, opened, saved=enregistre == "1")


@router.post("/d/{token}/fiche", response_class=HTMLResponse, dependencies=[SaveLimit])
def pitch_save(request: Request, opened: DiagnosticDep, engine: EngineDep, form: FormDep):
    """The sheet's own words are the questionnaire's answers (one source of truth): saved as
    answers; the contact line and the chosen blocks are the sheet's settings."""
    questionnaire = opened.questionnaire
    roles = questionnaire.definition.roles
    fields = {"pitch_line": roles.pitch_line, "partner_request": roles.partners_sought}
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for name, question_id in fields.items():
        value = form.get(name)
        raw[name] = printable(value) if isinstance(value, str) else ""
        if question_id is None or value is None:
            continue
        try:
            answers[question_id] = validate_answer(questionnaire, question_id, value)
        except AnswerError as error:
            errors[name] = str(error)
    # A field the form did not send keeps what is stored (a script posting one field).
    hidden, contact = plan_store.load_pitch_setting(
        engine=engine, diagnostic_id=opened.diagnostic.id
    )
    contact_value = form.get("contact")
    raw["contact"] = printable(contact_value) if isinstance(contact_value, str) else contact
    if contact_value is not None:
        try:
            contact = clean_text(contact_value, CONTACT_MAX, single_line=True)
        except AnswerError as error:
            errors["contact"] = str(error)
    if errors:
        return _pitch_page(request, opened, raw=raw, errors=errors)
    if form.get("blocks_sent") == "1":
        shown = set(form.getlist("block"))
        hidden = [block for block in PITCH_BLOCKS if block not in shown]
    opened.save(engine, answers)
    plan_store.save_pitch_setting(
        engine=engine, diagnostic_id=opened.diagnostic.id, hidden_blocks=hidden, contact=contact
    )
    url = request.app.url_path_for("pitch_page", token=opened.diagnostic.token)
    return RedirectResponse(f"{url}?enregistre=1", status_code=303)


@router.get("/d/{token}/fiche.pdf", name="pitch_pdf")
async def pitch_pdf(request: Request, opened: DiagnosticDep):
    return await pitch_pdf_response(request, opened)


# --- The action plan ----------------------------------------------------------------------


def _plan_page(
    request: Request,
    opened: OpenDiagnostic,
    rows: list[dict[str, str]],
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
):
    questionnaire = opened.questionnaire
    result = compute_result(questionnaire, opened.answers)
    # The diagnostic's own pistes first, then any other card already chosen (the pistes
    # change with the answers; a choice made earlier stays).
    cards = list(result.cards)
    shown_ids = {card.id for card in cards}
    cards += [
        card
        for card in questionnaire.definition.cards
        if card.id not in shown_ids and any(row["card"] == card.id for row in rows)
    ]
    return render(
        request,
        "plan.html",
        {
            "token": opened.diagnostic.token,
            "cards": cards,
            "rows": rows,
            "own": OWN_PISTE,
            "statuses": [(value, _(label)) for value, label in STATUS_LABELS.items()],
            "errors": errors or {},
            "saved": saved,
            "limits": {
                "title": TITLE_MAX,
                "first_step": FIRST_STEP_MAX,
                "owner": OWNER_MAX,
                "help": HELP_MAX,
            },
        },
        status_code=422 if errors else 200,
    )


@router.get("/d/{token}/plan", response_class=HTMLResponse, name="plan_page")
def plan_page(request: Request, opened: DiagnosticDep, engine: EngineDep, enregistre: str = ""):
    items = plan_store.load_plan(engine=engine, diagnostic_id=opened.diagnostic.id)
    return _plan_page(request, opened, rows_of(items, MAX_ITEMS), saved=enregistre == "1")


@router.post("/d/{token}/plan", response_class=HTMLResponse, dependencies=[SaveLimit])
def plan_save(request: Request, opened: DiagnosticDep, engine: EngineDep, form: FormDep):
    """Autosave (htmx: answers the status line) and the no-JavaScript form (redirect, or the
    page again with its errors). The plan is saved whole or not at all."""
    rows = read_rows(form, MAX_ITEMS)
    items, errors = parse_form_rows(opened.questionnaire, rows)
    htmx = request.headers.get("HX-Request") == "true"
    if not errors:
        plan_store.save_plan(
            engine=engine,
            diagnostic_id=opened.diagnostic.id,
            items=to_items(opened.questionnaire, items),
        )
    if htmx:
        return render(request, "partials/plan_status.html", {"errors": errors, "saved": not errors})
    if errors:
        return _plan_page(request, opened, rows, errors=errors)
    url = request.app.url_path_for("plan_page", token=opened.diagnostic.token)
    return RedirectResponse(f"{url}?enregistre=1", status_code=303)


@router.get("/d/{token}/note.pdf", name="note_pdf")
async def note_pdf(request: Request, opened: DiagnosticDep):
    return await note_pdf_response(request, opened)


@router.get("/d/{token}/supprimer", response_class=HTMLResponse, name="delete_confirm")
def delete_confirm(request: Request, opened: DiagnosticDep):
    return render(request, "delete.html", {"token": opened.diagnostic.token})


@router.post("/d/{token}/supprimer")
def delete(request: Request, opened: DiagnosticDep, engine: EngineDep):
    crud.delete_diagnostic(engine=engine, diagnostic_id=opened.diagnostic.id)
    return RedirectResponse("/?supprime=1", status_code=303)
