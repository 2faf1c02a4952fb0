"""Request dependencies: the application's state (engine, questionnaire store, settings, rate
limits, result cache, PDF renderer, the workshop board reader), the diagnostic behind a token,
the signed-in counsellor and their workshop, rate limits. Routes read the application's state
only through these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from app import accounts, crud
from app.config import Settings
from app.i18n import _
from app.models import Diagnostic, Facilitator, Workshop
from app.questionnaire.answers import EMPTY
from app.questionnaire.model import Questionnaire
from app.ratelimit import RateLimits
from app.report.pdf import ReportRenderer
from app.store import QuestionnaireStore
from app.workshops import storage as workshop_storage
from app.workshops.board import Board
from app.workshops.group import ResultCache


# `async def`: FastAPI runs a plain `def` dependency in its threadpool, a trip (~0.13 ms
# measured) that attribute reads like these do not need.
async def get_engine(request: Request) -> Engine:
    return request.app.state.engine


async def get_store(request: Request) -> QuestionnaireStore:
    return request.app.state.store


async def read_form(request: Request) -> FormData:
    """The submitted form, read on the event loop; the handler using it can then be a plain
    `def`, which FastAPI runs in its threadpool, so database calls and password hashing never
    block the loop (and every other request with it)."""
    return await request.form()


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_rate_limits(request: Request) -> RateLimits:
    return request.app.state.rate_limits


async def get_results(request: Request) -> ResultCache:
    return request.app.state.results


async def get_reports(request: Request) -> ReportRenderer:
    return request.app.state.reports


async def get_board(request: Request) -> Board:
    state = request.app.state
    return Board(engine=state.engine, store=state.store, results=state.results)


EngineDep = Annotated[Engine, Depends(get_engine)]
FormDep = Annotated[FormData, Depends(read_form)]
StoreDep = Annotated[QuestionnaireStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
ResultsDep = Annotated[ResultCache, Depends(get_results)]
ReportsDep = Annotated[ReportRenderer, Depends(get_reports)]
BoardDep = Annotated[Board, Depends(get_board)]


@dataclass
class OpenDiagnostic:
    diagnostic: Diagnostic
    questionnaire: Questionnaire
    answers: dict[str, Any]

    def save(self, engine: Engine, values: dict[str, Any]) -> None:
        """Persist validated values (EMPTY clears) and keep `answers` in step, so the page
        drawn after the save shows what is stored."""
        crud.save_answers(engine=engine, diagnostic_id=self.diagnostic.id, values=values)
        for question_id, value in values.items():
            if value is EMPTY:
                self.answers.pop(question_id, None)
            else:
                self.answers[question_id] = value


def open_diagnostic(token: str, engine: EngineDep, store: StoreDep) -> OpenDiagnostic:
    """The diagnostic whose token is in the path; 404 for any unknown token."""
    found = crud.get_diagnostic_with_answers(engine=engine, token=token)
    if found is None:
        raise HTTPException(status_code=404, detail=_("Diagnostic introuvable."))
    diagnostic, answers = found
    return OpenDiagnostic(
        diagnostic=diagnostic,
        questionnaire=store.for_snapshot(diagnostic.snapshot_id),
        answers=answers,
    )


DiagnosticDep = Annotated[OpenDiagnostic, Depends(open_diagnostic)]


# --- Counsellors ---------------------------------------------------------------------------

SESSION_COOKIE = "mse_session"


class SignInRequired(Exception):
    """Raised by counsellor-only routes for an anonymous visitor (see main.py's handler)."""


def current_facilitator(request: Request, engine: EngineDep) -> Facilitator:
    token = request.cookies.get(SESSION_COOKIE, "")
    facilitator = accounts.facilitator_for_session(engine=engine, token=token) if token else None
    if facilitator is None:
        raise SignInRequired()
    return facilitator


def optional_facilitator(request: Request, engine: EngineDep) -> Facilitator | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    return accounts.facilitator_for_session(engine=engine, token=token) if token else None


FacilitatorDep = Annotated[Facilitator, Depends(current_facilitator)]
OptionalFacilitatorDep = Annotated[Facilitator | None, Depends(optional_facilitator)]


def owned_workshop(workshop_id: int, facilitator: FacilitatorDep, engine: EngineDep) -> Workshop:
    """The workshop in the path (a `dbid`, see app/web/ids.py), if it belongs to the signed-in
    counsellor; 404 otherwise, so another account cannot even tell whether it exists."""
    found = workshop_storage.owned_workshop(
        engine=engine, facilitator_id=facilitator.id, workshop_id=workshop_id
    )
    if found is None:
        raise HTTPException(status_code=404, detail=_("Atelier introuvable."))
    return found


WorkshopDep = Annotated[Workshop, Depends(owned_workshop)]


# --- Rate limits on creating diagnostics and saving answers -------------------------------


def cookies_secure(request: Request) -> bool:
    """Whether our cookies get the Secure flag: on HTTPS, or when COOKIE_SECURE says the proxy
    in front speaks HTTPS even if this request arrived as plain HTTP."""
    return request.app.state.settings.cookie_secure or request.url.scheme == "https"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def enforce_limit(request: Request, rule: str, key: str, message: str) -> None:
    """Count one attempt; 429 with Retry-After (page or JSON) once over the limit."""
    wait = request.app.state.rate_limits.wait(rule, key)
    if wait is not None:
        raise HTTPException(status_code=429, detail=message, headers={"Retry-After": str(wait)})


def creation_limit(request: Request) -> None:
    """New diagnostics per client address (a room on one Wi-Fi stays well under it)."""
    enforce_limit(
        request,
        "create",
        f"ip:{client_address(request)}",
        _("Trop de diagnostics créés depuis cette adresse : patientez une minute."),
    )


def save_limit(request: Request, token: str) -> None:
    """Saves per diagnostic: far above anyone typing, low enough to stop a runaway script."""
    enforce_limit(
        request,
        "save",
        f"diagnostic:{token[:64]}",
        _("Trop d'enregistrements en peu de temps : patientez quelques secondes."),
    )


# --- Password attempts: sign-in, account deletion, password change -----------------------


def _password_keys(request: Request, email: str) -> tuple[str, str, str]:
    email = accounts.normalise_email(email)[:254]
    address = client_address(request)
    return f"ip:{address}", f"email:{email}", f"email-ip:{email}|{address}"


def password_attempt(request: Request, email: str) -> int | None:
    """Count one password attempt for `email` from this address; None when it may be checked,
    else the seconds to wait. Guessing is stopped per address, and per email by a slower cap on
    wrong passwords from all addresses together; but an address that has not been guessing this
    email is let through the cap, so others' guesses never lock its owner out."""
    limits = request.app.state.rate_limits
    address, everywhere, here = _password_keys(request, email)
    if (wait := limits.wait("login", address)) is not None:
        return wait
    if not limits.allows("login_email", everywhere) and not limits.allows("login_email_here", here):
        return limits.retry_after("login_email_here", here)
    return None


def password_failed(request: Request, email: str) -> None:
    limits = request.app.state.rate_limits
    _address, everywhere, here = _password_keys(request, email)
    limits.hit("login_email", everywhere)
    limits.hit("login_email_here", here)


def password_succeeded(request: Request, email: str) -> None:
    """The right password: this address's earlier typos no longer count against it."""
    request.app.state.rate_limits.clear("login_email_here", _password_keys(request, email)[2])


async def _in_threadpool_unless_in_process(request: Request, check, *args: str) -> None:
    """Run a rate-limit check: on the event loop when the counters live in this process (a few
    microseconds, no I/O: a threadpool trip would cost more than the check), in the threadpool
    when they live in Redis (a network round trip must not block the loop)."""
    if request.app.state.rate_limits.in_process:
        check(request, *args)
    else:
        await run_in_threadpool(check, request, *args)


async def creation_limit_dependency(request: Request) -> None:
    await _in_threadpool_unless_in_process(request, creation_limit)


async def save_limit_dependency(request: Request, token: str) -> None:
    await _in_threadpool_unless_in_process(request, save_limit, token)


CreationLimit = Depends(creation_limit_dependency)
SaveLimit = Depends(save_limit_dependency)
