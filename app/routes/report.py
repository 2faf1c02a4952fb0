"""PDF download, shared by the API and the pages."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from app.deps import OpenDiagnostic
from app.report.pdf import ReportRenderer


async def pdf_response(request: Request, opened: OpenDiagnostic, lang: str = "fr") -> Response:
    renderer: ReportRenderer = request.app.state.reports
    pdf = await renderer.pdf_for(
        opened.questionnaire, opened.answers, created_at=opened.diagnostic.created_at, lang=lang
    )
    filename = f"diagnostic-mse-{opened.diagnostic.created_at:%Y-%m-%d}.pdf"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
