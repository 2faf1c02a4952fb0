"""PDF download, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response

from app.deps import OpenDiagnostic
from app.report.pdf import ReportRenderer

PARIS = ZoneInfo("Europe/Paris")


async def pdf_response(request: Request, opened: OpenDiagnostic, lang: str = "fr") -> Response:
    renderer: ReportRenderer = request.app.state.reports
    # A report is dated the day it is produced (French time); the cache key includes the day.
    today = datetime.now(PARIS).date()
    pdf = await renderer.pdf_for(opened.questionnaire, opened.answers, created_at=today, lang=lang)
    filename = f"diagnostic-mse-{today:%Y-%m-%d}.pdf"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
