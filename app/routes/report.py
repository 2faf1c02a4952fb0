"""PDF download, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from app.deps import OpenDiagnostic
from app.report.pdf import ReportRenderer

PARIS = ZoneInfo("Europe/Paris")


async def pdf_response(
    request: Request, opened: OpenDiagnostic, lang: str | None = None
) -> Response:
    renderer: ReportRenderer = request.app.state.reports
    # A report is dated the day it is produced (French time); the cache key includes the day.
    today = datetime.now(PARIS).date()
    pdf = await renderer.pdf_for(opened.questionnaire, opened.answers, created_at=today, lang=lang)
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
