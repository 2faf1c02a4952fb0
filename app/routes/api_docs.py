"""The API's documentation page (/docs): Swagger UI served by the app itself.

FastAPI's own /docs loads Swagger UI from a CDN and starts it with an inline script, both
refused by our Content-Security-Policy (the page stayed blank). Here the assets come from the
fastapi-offline package (a maintained copy of swagger-ui-dist, served same-origin) and the page
starts Swagger UI from a file of ours (static/js/api-docs.js), so the strict policy stays as it is.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from app.templating import templates

ASSETS_PATH = "/docs/assets"
ASSETS = StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static")

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse, name="api_docs")
def api_docs(request: Request):
    return templates.TemplateResponse(
        request,
        "api_docs.html",
        {"title": request.app.title, "openapi_url": request.app.openapi_url, "assets": ASSETS_PATH},
    )


@router.get("/redoc")
def redoc(request: Request):
    # ReDoc injects <style> elements, which the policy refuses: one documentation page only.
    return RedirectResponse(request.app.url_path_for("api_docs"), status_code=308)
