"""What a failure looks like: an error page for people, JSON under /api/, a 503 when the
database or the rate-limit storage is away, a redirect to sign in."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from limits.errors import StorageError
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import crud
from app.deps import SignInRequired
from app.i18n import _
from app.web.pages import error_page

logger = logging.getLogger("mse")


def _field_of(error: dict) -> str:
    """The field a request error is about; for unreadable JSON, the whole body (Pydantic puts
    the character position in its location)."""
    if error.get("type") == "json_invalid":
        return "body"
    return ".".join(str(part) for part in error["loc"][1:]) or str(error["loc"][0])


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired):
        login = app.url_path_for("login")
        if request.method == "GET" and "hx-request" not in request.headers:
            return RedirectResponse(f"{login}?{urlencode({'suite': request.url.path})}", 303)
        # An htmx poll or a form post after the session ended: say so; htmx follows HX-Redirect.
        response = error_page(request, 401, _("Connectez-vous pour continuer."))
        response.headers["HX-Redirect"] = login
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": exc.detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        response = error_page(request, exc.status_code, str(exc.detail))
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    @app.exception_handler(crud.DiagnosticGone)
    async def diagnostic_gone(request: Request, exc: crud.DiagnosticGone):
        # Deleted while this request was saving: the same answer as for any unknown token.
        return await http_error(
            request, StarletteHTTPException(404, detail=_("Diagnostic introuvable."))
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(StorageError)
    async def database_unavailable(request: Request, exc: Exception):
        # The database (or the rate-limit storage) went away (PostgreSQL restarted, network
        # cut, SQLite disk error, Redis down): a clear 503 rather than a 500. Nothing
        # half-written stays behind (each save is one transaction), and the pool's pre-ping
        # (Redis: a new connection) reconnects once it is back.
        what = "rate-limit storage" if isinstance(exc, StorageError) else "database"
        logger.warning("%s unavailable: %s", what, type(exc).__name__)
        message = _("Le service est momentanément indisponible. Réessayez dans quelques instants.")
        headers = {"Retry-After": "5"}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": message}, status_code=503, headers=headers)
        response = error_page(request, 503, message)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = [{"field": _field_of(e), "message": e["msg"]} for e in exc.errors()]
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": errors}, status_code=422)
        return error_page(request, 422, _("Requête invalide."))
