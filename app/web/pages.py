"""Rendering a page, and the error page every failure ends on."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.i18n import N_, _
from app.templating import templates


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200):
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    # Pages behind a token are private: keep them out of search engines and shared caches.
    if "token" in request.path_params:
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Cache-Control"] = "no-store"
    elif request.url.path.startswith(("/ateliers", "/compte")):
        # Counsellor pages show associations' names and results: not for shared caches or
        # the back button of a shared computer.
        response.headers["Cache-Control"] = "no-store"
    else:
        # Every page carries this visitor's CSRF token and speaks their language (cookie):
        # fine for their browser's cache, never for a shared one.
        response.headers["Cache-Control"] = "private"
        response.headers["Vary"] = "Cookie"
    return response


STATUS_MESSAGES = {
    404: N_("Cette page n'existe pas."),
    405: N_("Cette adresse ne s'utilise pas ainsi."),
}


def error_page(request: Request, status_code: int, message: str) -> Response:
    if message == _reason_phrase(status_code):
        # Starlette's own detail (an unknown address: "Not Found"), in English whatever the
        # reader's language: say it in theirs.
        message = _(STATUS_MESSAGES.get(status_code, N_("La demande n'a pas pu aboutir.")))
    return render(
        request,
        "error.html",
        {"status_code": status_code, "message": message},
        status_code=status_code,
    )


def _reason_phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
