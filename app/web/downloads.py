"""PDF download, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from app import plan_store
from app.deps import OpenDiagnostic
from app.report.note import build_note_html
from app.report.pdf import ReportRenderer, association_name
from app.report.pitch import build_pitch_html, pitch_context
from app.scoring.result import compute_result

PARIS = ZoneInfo("Europe/Paris")


async def pdf_response(
    request: Request, opened: OpenDiagnostic, lang: str | None = None
) -> Response:
    renderer: ReportRenderer = request.app.state.reports
    # A report is dated the day it is produced (French time); the cache key includes the day.
    today = datetime.now(PARIS).date()
    plan = plan_store.load_plan(engine=request.app.state.engine, diagnostic_id=opened.diagnostic.id)
    pdf = await renderer.pdf_for(
        opened.questionnaire, opened.answers, created_at=today, lang=lang, plan=plan
    )
    return download(pdf, "application/pdf", f"diagnostic-mse-{today:%Y-%m-%d}.pdf")


def today_in_france():
    return datetime.now(PARIS).date()


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file to save, never kept by shared caches (it holds an association's data)."""
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


# --- The pitch sheet and the note for the board, shared by the API and the pages -----------


def pitch_context_for(request: Request, opened: OpenDiagnostic, lang: str | None = None):
    """Everything the pitch sheet shows, from the answers, the plan and the sheet's settings."""
    engine = request.app.state.engine
    diagnostic_id = opened.diagnostic.id
    hidden, contact = plan_store.load_pitch_setting(engine=engine, diagnostic_id=diagnostic_id)
    questionnaire = opened.questionnaire
    return pitch_context(
        questionnaire,
        opened.answers,
        compute_result(questionnaire, opened.answers),
        association_name=association_name(questionnaire, opened.answers),
        partner_request=opened.diagnostic.partner_request,
        created_at=today_in_france(),
        lang=lang,
        plan=plan_store.load_plan(engine=engine, diagnostic_id=diagnostic_id),
        hidden_blocks=hidden,
        contact=contact,
    )


async def pitch_pdf_response(request: Request, opened: OpenDiagnostic) -> Response:

    html = build_pitch_html(pitch_context_for(request, opened))
    pdf = await request.app.state.reports.pdf_of_html(html)
    return download(pdf, "application/pdf", f"fiche-pitch-{today_in_france():%Y-%m-%d}.pdf")


async def note_pdf_response(request: Request, opened: OpenDiagnostic) -> Response:

    html = build_note_html(
        opened.questionnaire,
        opened.answers,
        plan=plan_store.load_plan(
            engine=request.app.state.engine, diagnostic_id=opened.diagnostic.id
        ),
        created_at=today_in_france(),
    )
    pdf = await request.app.state.reports.pdf_of_html(html)
    return download(pdf, "application/pdf", f"note-conseil-{today_in_france():%Y-%m-%d}.pdf")
