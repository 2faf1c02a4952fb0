"""JSON API over diagnostics (documented in the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app import crud
from app.deps import DiagnosticDep, EngineDep, StoreDep
from app.questionnaire.answers import validate_answers
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


@router.get("/questionnaire", summary="The questionnaire in force, with sources and models")
def get_questionnaire(store: StoreDep) -> dict[str, Any]:
    return store.current.to_json()


@router.post("/diagnostics", status_code=201, summary="Start a new diagnostic")
def create_diagnostic(request: Request, engine: EngineDep, store: StoreDep) -> TokenOut:
    diagnostic = crud.create_diagnostic(engine=engine, snapshot_id=store.current_snapshot_id)
    resume_url = str(request.url_for("diagnostic_home", token=diagnostic.token))
    return TokenOut(token=diagnostic.token, resume_url=resume_url)


@router.get("/diagnostics/{token}", summary="The answers saved so far")
def get_diagnostic(opened: DiagnosticDep) -> AnswersOut:
    return AnswersOut(
        token=opened.diagnostic.token,
        questionnaire_id=opened.questionnaire.id,
        questionnaire_version=opened.questionnaire.version,
        answers=opened.answers,
    )


@router.put(
    "/diagnostics/{token}/answers",
    summary="Save some answers",
    description=(
        "A partial object `{question_id: value}`. Valid values are saved (null or an empty "
        "string clears an answer); if any value is invalid the response is 422 and names each "
        "bad field, while the valid ones are still saved."
    ),
    responses={422: {"model": SaveErrorOut}, 413: {"description": "Body too large"}},
)
def put_answers(
    opened: DiagnosticDep,
    engine: EngineDep,
    answers: Annotated[dict[str, Any], Body(examples=[{"nom_association": "Les Amis du Parc"}])],
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
    crud.save_answers(engine=engine, diagnostic_id=opened.diagnostic.id, values=valid)
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


@router.get("/diagnostics/{token}/result", summary="Barycentre, lever scores, indicators, cards")
def get_result(opened: DiagnosticDep) -> dict[str, Any]:
    return compute_result(opened.questionnaire, opened.answers).to_json()


@router.get(
    "/diagnostics/{token}/report.pdf",
    summary="The PDF diagnostic",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def get_report(opened: DiagnosticDep, request: Request) -> Response:
    from app.routes.report import pdf_response

    return await pdf_response(request, opened)


@router.delete("/diagnostics/{token}", status_code=204, summary="Delete a diagnostic for good")
def delete_diagnostic(opened: DiagnosticDep, engine: EngineDep) -> Response:
    crud.delete_diagnostic(engine=engine, diagnostic_id=opened.diagnostic.id)
    return Response(status_code=204)
