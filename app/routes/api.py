"""JSON API over diagnostics (documented in the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from app import crud
from app.deps import CreationLimit, DiagnosticDep, EngineDep, SaveLimit, StoreDep
from app.questionnaire.answers import validate_answers
from app.questionnaire.schema import QuestionnaireDefinition
from app.routes.links import resume_url
from app.scoring.result import compute_result

router = APIRouter(prefix="/api", tags=["api"])

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
    field: str
    message: str


class SaveErrorOut(BaseModel):
    detail: list[FieldError]
    errors: dict[str, str]
    saved: list[str]


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


class LeverOut(BaseModel):
    label: str
    score: float | None = Field(description="0-100, mean of the sub-dimension scores")
    subscores: dict[str, float | None]
    drivers: dict[str, list[DriverOut]] = Field(description="per sub-dimension")


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


class ResultOut(BaseModel):
    amounts: dict[str, float] = Field(description="source id → euros over the year")
    profile: dict[str, float] | None = Field(description="source id → share (None: no resources)")
    barycentre: BarycentreOut | None
    levers: dict[str, LeverOut]
    indicators: dict[str, Any] = Field(
        description="exchange_share, hhi, diversification, largest_source(_share), "
        "largest_funder_share, volunteering_share, reserve_months, total_resources, …"
    )
    cards: list[CardOut]
    missing_required: list[str]


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown token"}
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
)
def create_diagnostic(request: Request, engine: EngineDep, store: StoreDep) -> TokenOut:
    diagnostic = crud.create_diagnostic(engine=engine, snapshot_id=store.current_snapshot_id)
    return TokenOut(token=diagnostic.token, resume_url=resume_url(request, diagnostic.token))


@router.get("/diagnostics/{token}", summary="The answers saved so far", responses=NOT_FOUND)
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
        **NOT_FOUND,
        422: {"model": SaveErrorOut},
        413: {"description": "Body too large"},
    },
)
def put_answers(
    opened: DiagnosticDep,
    engine: EngineDep,
    answers: Annotated[dict[str, Any], Body(examples=[{"association_nom": "Les Amis du Parc"}])],
) -> SaveOut:
    if len(answers) > MAX_ANSWERS_PER_REQUEST:
        return JSONResponse(  # type: ignore[return-value]
            status_code=422,
            content={
                "detail": [
                    {"field": "", "message": f"Au plus {MAX_ANSWERS_PER_REQUEST} réponses."}
                ],
                "errors": {},
                "saved": [],
            },
        )
    valid, errors = validate_answers(opened.questionnaire, answers)
    opened.save(engine, valid)
    saved = [question_id for question_id in valid]
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


@router.get(
    "/diagnostics/{token}/result",
    summary="Barycentre, lever scores, indicators, cards",
    responses=NOT_FOUND,
)
def get_result(opened: DiagnosticDep) -> ResultOut:
    return ResultOut.model_validate(compute_result(opened.questionnaire, opened.answers).to_json())


@router.get(
    "/diagnostics/{token}/report.pdf",
    summary="The PDF diagnostic",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
)
async def get_report(opened: DiagnosticDep, request: Request) -> Response:
    from app.routes.report import pdf_response

    return await pdf_response(request, opened)


@router.delete(
    "/diagnostics/{token}",
    status_code=204,
    summary="Delete a diagnostic for good",
    responses=NOT_FOUND,
)
def delete_diagnostic(opened: DiagnosticDep, engine: EngineDep) -> Response:
    crud.delete_diagnostic(engine=engine, diagnostic_id=opened.diagnostic.id)
    return Response(status_code=204)
