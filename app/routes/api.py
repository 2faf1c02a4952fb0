"""JSON API over diagnostics (documented in the OpenAPI schema at /docs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app import crud, plan_store
from app.deps import CreationLimit, DiagnosticDep, EngineDep, SaveLimit, StoreDep
from app.i18n import _
from app.plan import PlanIn, card_errors, to_items
from app.questionnaire.answers import validate_answers
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import (
    NUMBER_TYPES,
    TEXT_TYPES,
    Question,
    QuestionnaireDefinition,
)
from app.scoring.result import compute_result
from app.store import QuestionnaireStore
from app.web.downloads import note_pdf_response, pdf_response, pitch_pdf_response
from app.web.links import resume_url


class JSONBodyRequest(Request):
    """A body that cannot be decoded at all (not UTF-8, nested deeper than the JSON parser goes,
    an integer longer than Python converts) is unreadable JSON like any other: FastAPI then
    answers 422 naming "body", the documented shape, instead of its bare 400 "There was an
    error parsing the body"."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as error:
            text = (await self.body()).decode("utf-8", "replace")
            raise json.JSONDecodeError(str(error), text, getattr(error, "start", 0)) from error


class JSONBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_json_body(request: Request) -> Response:
            return await handle(JSONBodyRequest(request.scope, request.receive))

        return handle_json_body


router = APIRouter(prefix="/api", tags=["api"], route_class=JSONBodyRoute)

MAX_ANSWERS_PER_REQUEST = 200


class TokenOut(BaseModel):
    token: str
    resume_url: str


class AnswersOut(BaseModel):
    token: str
    questionnaire_id: str
    questionnaire_version: str
    answers: dict[str, Any]


class SaveOut(BaseModel):
    saved: list[str]
    errors: dict[str, str]


class FieldError(BaseModel):
    field: str = Field(description='the field in question; "body" for the body as a whole')
    message: str


class RequestErrorOut(BaseModel):
    """A request the API cannot read: each bad field named (main.py's `invalid_request`)."""

    detail: list[FieldError]


class SaveErrorOut(RequestErrorOut):
    """Some answers refused: each bad one named, the valid ones saved all the same."""

    errors: dict[str, str] = Field(description="question id → message, as in `detail`")
    saved: list[str] = Field(description="the question ids saved by this request")


class ErrorOut(BaseModel):
    detail: str


class BarycentreOut(BaseModel):
    weights: dict[str, float] = Field(description="model id → weight; weights are ≥ 0, sum 1")
    point: list[float] = Field(description="[x, y] on the map of the seven model poles")
    dominant: str
    runner_up: str | None
    residual: float = Field(description="distance from the closest mix of prototypes")
    atypicality: float = Field(description="residual scaled to 0..1 (0: a perfect mix)")


class DriverOut(BaseModel):
    source: str = Field(description="question id, or indicator:<name>")
    label: str
    answer: str
    points: float
    max_points: float
    better: str | None = Field(
        default=None,
        description="what would raise it: the answer to aim for or the choices to add (None: "
        "full points)",
    )


class LeverOut(BaseModel):
    label: str
    partial: bool = Field(
        description="true when the score rests on only some of the lever's sub-dimensions "
        "(the others had no answer to score)"
    )
    score: float | None = Field(description="0-100, mean of the sub-dimension scores")
    subscores: dict[str, float | None]
    drivers: dict[str, list[DriverOut]] = Field(description="per sub-dimension")


class CardReasonOut(BaseModel):
    ref: str = Field(
        description="question id, indicator id, lever or 'lever.subdimension' id, or model id"
    )
    text: str = Field(description="the answer or figure that triggered the card, in words")


class CardOut(BaseModel):
    id: str
    title: str
    kind: str
    lever: str | None
    what: str
    why: str
    skills: list[str]
    risks: list[str]
    help: list[str]
    priority: int = Field(ge=1, description="rank among the cards, 1 = first")
    featured: bool = Field(description="one of the (at most three) pistes shown first")
    reasons: list[CardReasonOut] = Field(
        description="the answers and figures that made the card's rules hold"
    )


class PlacementViewOut(BaseModel):
    weights: dict[str, float] = Field(description="model id → weight; weights are ≥ 0, sum 1")
    dominant: str = Field(description="model id with the largest weight")


class PlacementOut(BaseModel):
    with_volunteering: PlacementViewOut = Field(
        description="placement on all resources, valued volunteering included (= barycentre)"
    )
    money_only: PlacementViewOut | None = Field(
        description="placement on money alone, on the same prototypes restricted to money "
        "sources; null when the association has no money resources"
    )
    volunteering_changes_dominant: bool = Field(
        description="true when the two placements have different dominant models"
    )


class MatrixRowOut(BaseModel):
    exchange: float = Field(description="share of all resources received for a service")
    no_exchange: float = Field(description="share of all resources received without one")


class ResourceMatrixOut(BaseModel):
    """The two-question table: who brings the resources × in exchange for a service or not."""

    members: MatrixRowOut
    public: MatrixRowOut
    private: MatrixRowOut


class CompletenessOut(BaseModel):
    answered: int = Field(description="questions answered among those shown")
    total: int = Field(description="questions shown (a question hidden by a condition is not)")
    missing_required: list[str] = Field(description="ids of required questions not answered")


class ResultOut(BaseModel):
    amounts: dict[str, float] = Field(description="source id → euros over the year")
    profile: dict[str, float] | None = Field(description="source id → share (None: no resources)")
    barycentre: BarycentreOut | None
    levers: dict[str, LeverOut]
    indicators: dict[str, Any] = Field(
        description="exchange_share, hhi, diversification, largest_source(_share), "
        "largest_funder_share, volunteering_share, reserve_months, total_resources, …"
    )
    cards: list[CardOut] = Field(description="sorted by priority (1 = first)")
    missing_required: list[str]
    placement: PlacementOut | None = Field(
        default=None, description="two placements (null: no resources entered)"
    )
    resource_matrix: ResourceMatrixOut = Field(
        description="shares of all resources per cell (all 0 when there are none); valued "
        "volunteering counts with the members, other resources in no cell"
    )
    completeness: CompletenessOut = Field(description="how complete the answers behind it are")


class PlanItemOut(BaseModel):
    card: str | None = Field(description="a card id of the questionnaire, or null (own piste)")
    title: str
    first_step: str
    owner: str = Field(description="who carries it")
    due: str | None = Field(description="YYYY-MM-DD, or null")
    help: str = Field(description="the help sought")
    status: str = Field(
        default="todo", description="todo, in_progress, done or dropped (where it stands)"
    )


class PlanOut(BaseModel):
    items: list[PlanItemOut] = Field(description="0 (no plan yet) to 5 pistes, in order")


Responses = dict[int | str, dict[str, Any]]
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
# The error answers of the API, as written by the handlers in main.py, the dependencies in
# deps.py and the middlewares (limits.py, csrf.py, security.py); tests/web/test_api_fuzz.py checks
# every response against them.
UNAVAILABLE: Responses = {
    503: {"model": ErrorOut, "description": "Database unavailable", "headers": RETRY_AFTER}
}
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "Unknown token"}}
# FastAPI documents its own HTTPValidationError (`detail: [{loc, msg, type}]`) for any route
# with parameters unless the route documents a 422 itself; main.py's `invalid_request` answers
# `detail: [{field, message}]`.
INVALID: Responses = {
    422: {"model": RequestErrorOut, "description": "Invalid request: each bad field named"}
}
TOKEN_ROUTE: Responses = {**NOT_FOUND, **INVALID, **UNAVAILABLE}
TOO_MANY: Responses = {
    429: {"model": ErrorOut, "description": "Rate limit reached", "headers": RETRY_AFTER}
}
FORBIDDEN: Responses = {
    403: {
        "model": ErrorOut,
        "description": "Cross-site request refused: sent by a browser from another site "
        "(text), or with the app's CSRF cookie but without its X-CSRFToken header (JSON). "
        "API clients sending neither cookies nor Origin/Sec-Fetch-Site never get it.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/questionnaire",
    summary="The questionnaire in force, with sources and models",
    response_model=None,
    responses={200: {"model": QuestionnaireDefinition, "description": "The definition"}},
)
def get_questionnaire(store: StoreDep) -> dict[str, Any]:
    return store.current.to_json()


@router.post(
    "/diagnostics",
    status_code=201,
    summary="Start a new diagnostic",
    dependencies=[CreationLimit],
    responses={**FORBIDDEN, **TOO_MANY, **UNAVAILABLE},
)
def create_diagnostic(request: Request, engine: EngineDep, store: StoreDep) -> TokenOut:
    diagnostic = crud.create_diagnostic(engine=engine, snapshot_id=store.current_snapshot_id)
    return TokenOut(token=diagnostic.token, resume_url=resume_url(request, diagnostic.token))


@router.get("/diagnostics/{token}", summary="The answers saved so far", responses=TOKEN_ROUTE)
def get_diagnostic(opened: DiagnosticDep) -> AnswersOut:
    return AnswersOut(
        token=opened.diagnostic.token,
        questionnaire_id=opened.questionnaire.id,
        questionnaire_version=opened.questionnaire.version,
        answers=opened.answers,
    )


@router.put(
    "/diagnostics/{token}/answers",
    dependencies=[SaveLimit],
    summary="Save some answers",
    description=(
        "A partial object `{question_id: value}`. Valid values are saved (null or an empty "
        "string clears an answer); if any value is invalid the response is 422 and names each "
        "bad field, while the valid ones are still saved."
    ),
    responses={
        **TOKEN_ROUTE,
        422: {
            "model": SaveErrorOut | RequestErrorOut,
            "description": "Some answers refused (unknown question, invalid value): "
            "SaveErrorOut, the valid answers still saved (over "
            f'{MAX_ANSWERS_PER_REQUEST} answers at once: none saved, "body" named). A body '
            "that is not a JSON object (unreadable, not UTF-8, another type) names the field "
            '"body" and saves nothing: RequestErrorOut.',
        },
        413: {"model": ErrorOut, "description": "Body too large"},
        **FORBIDDEN,
        **TOO_MANY,
    },
)
async def put_answers(
    token: str,
    engine: EngineDep,
    store: StoreDep,
    # Documented by `document_answers`, from the questionnaire.
    answers: Annotated[dict[str, Any], Body()],
) -> SaveOut:
    # The hot path of the API, kept lean (issue 13): the rate limit runs on the event loop
    # (deps.py), then one trip to the threadpool does the database work in one transaction
    # (`save_answers_by_token`), and the response is checked on the loop. A plain `def` route
    # with DiagnosticDep made six trips and read every stored answer it never used.
    outcome = await run_in_threadpool(save_answers_by_token, engine, store, token, answers)
    if isinstance(outcome, JSONResponse):
        return outcome  # type: ignore[return-value]
    saved, errors = outcome
    if errors:
        return JSONResponse(  # type: ignore[return-value]
            status_code=422,
            content={
                "detail": [{"field": f, "message": m} for f, m in errors.items()],
                "errors": errors,
                "saved": saved,
            },
        )
    return SaveOut(saved=saved, errors={})


class _SnapshotNotLoaded(Exception):
    def __init__(self, snapshot_id: int):
        self.snapshot_id = snapshot_id


class _TooManyAnswers(Exception):
    pass


def save_answers_by_token(
    engine: Engine, store: QuestionnaireStore, token: str, answers: dict[str, Any]
) -> tuple[list[str], dict[str, str]] | JSONResponse:
    """Find and lock the diagnostic, validate against its questionnaire, store the valid
    answers: (saved ids, errors), or the 422 refusing a batch over the limit (nothing saved).
    An unknown token is a 404, as for any route behind a token; checked before the size, as
    when the diagnostic was a dependency."""

    def prepare(located: crud.Located) -> tuple[dict[str, Any], tuple[list[str], dict]]:
        if len(answers) > MAX_ANSWERS_PER_REQUEST:
            raise _TooManyAnswers()
        questionnaire = store.loaded(located.snapshot_id)
        if questionnaire is None:
            # Not read inside the write transaction (a second connection while holding one).
            raise _SnapshotNotLoaded(located.snapshot_id)
        valid, errors = validate_answers(questionnaire, answers)
        return valid, (list(valid), errors)

    try:
        try:
            found = crud.save_by_token(engine=engine, token=token, prepare=prepare)
        except _SnapshotNotLoaded as missing:
            store.for_snapshot(missing.snapshot_id)  # parsed once, then kept: retry
            found = crud.save_by_token(engine=engine, token=token, prepare=prepare)
    except _TooManyAnswers:
        return JSONResponse(
            status_code=422,
            content={
                "detail": [
                    {
                        "field": "body",
                        "message": _("Au plus %(max)s réponses.")
                        % {"max": MAX_ANSWERS_PER_REQUEST},
                    }
                ],
                "errors": {},
                "saved": [],
            },
        )
    if found is None:
        raise HTTPException(status_code=404, detail=_("Diagnostic introuvable."))
    return found[1]


@router.get(
    "/diagnostics/{token}/result",
    summary="Barycentre, lever scores, indicators, cards",
    responses=TOKEN_ROUTE,
)
def get_result(opened: DiagnosticDep) -> ResultOut:
    return ResultOut.model_validate(compute_result(opened.questionnaire, opened.answers).to_json())


@router.get(
    "/diagnostics/{token}/report.pdf",
    summary="The PDF diagnostic",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **TOKEN_ROUTE},
)
async def get_report(opened: DiagnosticDep, request: Request) -> Response:

    return await pdf_response(request, opened)


@router.get(
    "/diagnostics/{token}/plan",
    summary="The action plan (empty until one is saved)",
    responses=TOKEN_ROUTE,
)
def get_plan(opened: DiagnosticDep, engine: EngineDep) -> PlanOut:
    items = plan_store.load_plan(engine=engine, diagnostic_id=opened.diagnostic.id)
    return PlanOut.model_validate({"items": [item.to_json() for item in items]})


@router.put(
    "/diagnostics/{token}/plan",
    dependencies=[SaveLimit],
    summary="Replace the action plan",
    description=(
        "One to five pistes, each a card of the diagnostic's questionnaire (`card`) or the "
        "association's own (`card` null, `title` required). The plan is replaced as a whole: "
        "if any field is refused (unknown card, invalid date, text too long) the response is "
        "422 naming each bad field, e.g. `items.0.due`, and the saved plan is left untouched."
    ),
    responses={
        **TOKEN_ROUTE,
        413: {"model": ErrorOut, "description": "Body too large"},
        **FORBIDDEN,
        **TOO_MANY,
    },
)
def put_plan(opened: DiagnosticDep, engine: EngineDep, plan: PlanIn) -> PlanOut:
    errors = card_errors(opened.questionnaire, plan.items)
    if errors:
        return JSONResponse(  # type: ignore[return-value]
            status_code=422,
            content={"detail": [{"field": f, "message": m} for f, m in errors.items()]},
        )
    items = to_items(opened.questionnaire, plan.items)
    plan_store.save_plan(engine=engine, diagnostic_id=opened.diagnostic.id, items=items)
    return PlanOut.model_validate({"items": [item.to_json() for item in items]})


@router.get(
    "/diagnostics/{token}/pitch.pdf",
    summary="The one-page pitch sheet (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **TOKEN_ROUTE},
)
async def get_pitch_pdf(opened: DiagnosticDep, request: Request) -> Response:

    return await pitch_pdf_response(request, opened)


@router.get(
    "/diagnostics/{token}/note.pdf",
    summary="The two-page note for the board (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **TOKEN_ROUTE},
)
async def get_note_pdf(opened: DiagnosticDep, request: Request) -> Response:

    return await note_pdf_response(request, opened)


@router.delete(
    "/diagnostics/{token}",
    status_code=204,
    summary="Delete a diagnostic for good",
    responses={**TOKEN_ROUTE, **FORBIDDEN},
)
def delete_diagnostic(opened: DiagnosticDep, engine: EngineDep) -> Response:
    crud.delete_diagnostic(engine=engine, diagnostic_id=opened.diagnostic.id)
    return Response(status_code=204)


# --- The body of PUT .../answers, documented from the questionnaire ------------------------

ANSWERS_PATH = "/api/diagnostics/{token}/answers"


def _plain(bound: float) -> float | int:
    return int(bound) if bound.is_integer() else bound


def answer_schema(questionnaire: Questionnaire, question: Question) -> dict[str, Any]:
    """The values a question takes, as JSON Schema (answers.py's validators have the last
    word: a value outside this schema is refused with 422, naming the question)."""
    if question.type in NUMBER_TYPES:
        number = {
            "type": "integer" if question.type == "integer" else "number",
            "minimum": _plain(question.lower_bound),
            "maximum": _plain(question.upper_bound),
        }
        written = {"type": "string", "description": "as written by hand: 12 500 €, 12,5, 35 %"}
        return {"anyOf": [number, written, {"type": "null"}]}
    if question.type in TEXT_TYPES:
        return {
            "type": ["string", "null"],
            "maxLength": question.text_max_length,
            "description": "at most maxLength characters once trimmed",
        }
    options = [option.id for option in questionnaire.options(question)]
    single = {"enum": [*options, "", None]}
    if question.type == "multiple_choice":
        exclusive = [option.id for option in questionnaire.options(question) if option.exclusive]
        picked = {"type": "array", "items": {"enum": options}}
        if exclusive:
            picked["description"] = f"{', '.join(exclusive)}: only on its own"
        return {"anyOf": [picked, single]}
    return single


def answers_schema(questionnaire: Questionnaire) -> dict[str, Any]:
    roles = questionnaire.definition.roles
    example = {roles.association_name: "Les Amis du Parc", roles.annual_budget: 50_000}
    return {
        "type": "object",
        "title": "Answers",
        "description": (
            "Question id → value, for any of the questions of the questionnaire in force "
            "(GET /api/questionnaire); a diagnostic started under an earlier version takes "
            "that version's questions. null or an empty string clears an answer. An unknown "
            "question id is refused (422, naming it), the other answers saved all the same."
        ),
        "properties": {
            question_id: answer_schema(questionnaire, question)
            for question_id, question in questionnaire.questions.items()
        },
        "additionalProperties": False,
        "examples": [{key: value for key, value in example.items() if key}],
    }


def document_answers(app: FastAPI, questionnaire: Questionnaire) -> None:
    """Complete the app's OpenAPI schema with what only the loaded questionnaire knows: the
    question ids PUT .../answers accepts, and their values (the route itself takes any JSON
    object, so as to save the valid answers of a batch and name the others)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()  # also kept as app.openapi_schema, completed in place
            schema["components"]["schemas"]["Answers"] = answers_schema(questionnaire)
            put = schema["paths"][ANSWERS_PATH]["put"]
            put["requestBody"]["content"]["application/json"]["schema"] = {
                "$ref": "#/components/schemas/Answers"
            }
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
