"""Application factory: loads the questionnaire (refusing to start on a broken one), migrates
the database, and mounts the routes."""

from __future__ import annotations

import gc
import logging
from contextlib import asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from app.body_limit import BodySizeLimit
from app.config import PROJECT_ROOT, Settings, settings
from app.csrf import CSRFProtection, signing_secret
from app.db import create_db_engine, migrate
from app.form_body import FormBodyCheck
from app.http_methods import MethodsMiddleware
from app.i18n import LANGUAGES, LanguageMiddleware, translations
from app.logs import AccessLog
from app.questionnaire.loader import load_questionnaire
from app.ratelimit import RateLimits, password_rules
from app.report.pdf import ReportRenderer
from app.routes import (
    accounts,
    api,
    api_docs,
    followup,
    language,
    pages,
    participation,
    room,
    sharing,
    workshops,
)
from app.routes import personal_data as personal_data_routes
from app.security import CrossSiteRefusal, SecurityHeaders
from app.store import QuestionnaireStore
from app.templating import HTMX_SRC
from app.web.errors import install_error_handlers
from app.workshops.group import ResultCache

logger = logging.getLogger("mse")


def create_app(config: Settings | None = None) -> FastAPI:
    config = config or settings
    # Fail before serving anything: a broken questionnaire raises QuestionnaireError here.
    questionnaire = load_questionnaire(config.questionnaire_path)
    # Likewise a broken translation catalog: compiled now, not on the first English request.
    for lang in LANGUAGES:
        translations(lang)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # First: a rate-limit storage that does not answer stops the start, before migrating.
        app.state.rate_limits = RateLimits(
            config.ratelimit_storage_url,
            config.ratelimit_key_prefix,
            **password_rules(config.login_rate_limit, config.login_email_rate_limit),
            join=config.join_rate_limit,
            create=config.create_rate_limit,
            save=config.save_rate_limit,
        )
        if config.auto_migrate:
            migrate(config.database_url)
        engine = create_db_engine(config.database_url)
        app.state.engine = engine
        app.state.store = QuestionnaireStore(engine, questionnaire)
        app.state.reports = ReportRenderer(cache_size=config.pdf_cache_size)
        app.state.settings = config
        app.state.results = ResultCache()
        # Everything loaded so far (modules, questionnaire, templates) lives as long as the app:
        # move it out of the cyclic collector's reach, so its full passes stay short (measured:
        # ~100 ms -> ~6 ms under the workshop load in bench/), instead of stalling every request.
        gc.freeze()
        yield
        engine.dispose()

    app = FastAPI(
        title="MSE Autodiagnostic",
        summary="Autodiagnostic du modèle socio-économique des associations",
        version="0.1.0",
        lifespan=lifespan,
        # Served by app/routes/api_docs.py, from the app itself (the CDN pages break the CSP).
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(MethodsMiddleware, router=app.router)
    app.add_middleware(
        CSRFProtection,
        signing_secret=signing_secret(config.secret_key, PROJECT_ROOT / "data" / "secret_key"),
        cookie_secure=config.cookie_secure or config.public_base_url.startswith("https://"),
    )
    # Before the CSRF layer parses a form: only UTF-8 urlencoded forms reach it.
    app.add_middleware(FormBodyCheck)
    app.add_middleware(CrossSiteRefusal, public_base_url=config.public_base_url)
    # Outside everything that reads a body (see app/body_limit.py).
    app.add_middleware(BodySizeLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(SecurityHeaders, script_url=HTMX_SRC)
    # Outside everything that writes a page (CSRF refusals included), so all of it is translated.
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(AccessLog)
    # Outermost: the request id exists before anything logs, and is echoed as X-Request-ID.
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.mount(api_docs.ASSETS_PATH, api_docs.ASSETS, name="api_docs_assets")
    app.include_router(api_docs.router)
    app.include_router(api.router)
    api.document_answers(app, questionnaire)
    app.include_router(pages.router)
    app.include_router(participation.router)
    app.include_router(sharing.router)
    app.include_router(accounts.router)
    app.include_router(workshops.router)
    app.include_router(followup.router)
    app.include_router(room.router)
    app.include_router(language.router)
    app.include_router(personal_data_routes.router)

    install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        """For load balancers and monitoring: 200 when the database answers, 503 otherwise."""
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            logger.warning("health check failed: %s", type(error).__name__)
            return JSONResponse(
                {"status": "unavailable", "database": "unreachable"}, status_code=503
            )
        return {"status": "ok", "database": "ok"}

    return app
