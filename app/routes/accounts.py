"""Counsellor accounts: sign-up, sign-in, sign-out, password change."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app import accounts
from app.config import Settings
from app.deps import (
    SESSION_COOKIE,
    EngineDep,
    FacilitatorDep,
    FormDep,
    OptionalFacilitatorDep,
    SettingsDep,
    client_address,
    cookies_secure,
    enforce_limit,
    password_attempt,
    password_failed,
    password_succeeded,
)
from app.i18n import _
from app.web.forms import form_text
from app.web.pages import error_page, render
from app.web.redirects import safe_next

router = APIRouter(include_in_schema=False)


def _sign_in(
    request: Request, engine, settings: Settings, facilitator_id: int, target: str
) -> Response:
    # A new session on every sign-in; one this browser may still hold is closed, so a token
    # planted before signing in is worth nothing after.
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        accounts.close_session(engine=engine, token=previous)
    lifetime = timedelta(days=settings.session_days)
    token = accounts.open_session(engine=engine, facilitator_id=facilitator_id, lifetime=lifetime)
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )
    return response


@router.get("/compte/inscription", response_class=HTMLResponse, name="signup")
def signup_form(request: Request, settings: SettingsDep):
    if not settings.allow_signup:
        return error_page(request, 403, _("La création de compte en ligne est désactivée ici."))
    return render(request, "accounts/signup.html", {"errors": {}, "values": {}})


@router.post("/compte/inscription", response_class=HTMLResponse)
def signup(request: Request, engine: EngineDep, settings: SettingsDep, form: FormDep):
    if not settings.allow_signup:
        return error_page(request, 403, _("La création de compte en ligne est désactivée ici."))
    # Each sign-up costs an argon2 hash and tells whether an address has an account: limited
    # like sign-in, per address.
    enforce_limit(
        request,
        "login",
        f"ip:{client_address(request)}",
        _("Trop de tentatives. Patientez une minute avant de réessayer."),
    )
    values = {name: form_text(form, name) for name in ("email", "name")}
    password, confirm = form_text(form, "password"), form_text(form, "confirm")
    errors: dict[str, str] = {}
    if password != confirm:
        errors["confirm"] = _("Les deux mots de passe ne sont pas identiques.")
    else:
        try:
            facilitator = accounts.create_facilitator(
                engine=engine, email=values["email"], name=values["name"], password=password
            )
        except accounts.AccountError as error:
            errors[error.field] = str(error)
    if errors:
        return render(
            request,
            "accounts/signup.html",
            {"errors": errors, "values": values},
            status_code=422,
        )
    return _sign_in(request, engine, settings, facilitator.id, "/ateliers?bienvenue=1")


@router.get("/compte/connexion", response_class=HTMLResponse, name="login")
def login_form(request: Request, facilitator: OptionalFacilitatorDep, suite: str = ""):
    if facilitator is not None:
        return RedirectResponse(safe_next(suite), status_code=303)
    return render(
        request,
        "accounts/login.html",
        {"error": None, "email": "", "next": safe_next(suite) if suite else ""},
    )


@router.post("/compte/connexion", response_class=HTMLResponse)
def login(request: Request, engine: EngineDep, settings: SettingsDep, form: FormDep):
    email, password = form_text(form, "email"), form_text(form, "password")
    target = form_text(form, "next")
    wait = password_attempt(request, email)
    if wait is not None:
        response = render(
            request,
            "accounts/login.html",
            {
                "error": " ".join(
                    (
                        _("Trop de tentatives de connexion."),
                        _("Patientez une minute avant de réessayer."),
                    )
                ),
                "email": email,
                "next": target,
            },
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    facilitator = accounts.authenticate(engine=engine, email=email, password=password)
    if facilitator is None:
        password_failed(request, email)
        return render(
            request,
            "accounts/login.html",
            {"error": _("Adresse ou mot de passe incorrect."), "email": email, "next": target},
            status_code=401,
        )
    password_succeeded(request, email)
    return _sign_in(request, engine, settings, facilitator.id, target or "/ateliers")


@router.post("/compte/deconnexion", name="logout")
def logout(request: Request, engine: EngineDep):
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        accounts.close_session(engine=engine, token=token)
    response = RedirectResponse("/?deconnecte=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/compte", response_class=HTMLResponse, name="account")
def account(request: Request, facilitator: FacilitatorDep, modifie: str = ""):
    return render(
        request,
        "accounts/account.html",
        {"facilitator": facilitator, "errors": {}, "changed": modifie == "1"},
    )


@router.post("/compte/mot-de-passe", response_class=HTMLResponse, name="change_password")
def change_password(
    request: Request, facilitator: FacilitatorDep, engine: EngineDep, form: FormDep
):
    current = form_text(form, "current")
    password, confirm = form_text(form, "password"), form_text(form, "confirm")
    errors: dict[str, str] = {}
    # Each try costs an argon2 hash and guesses the password: limited like sign-in.
    wait = password_attempt(request, facilitator.email)
    if wait is not None:
        refused = _("Trop de tentatives. Patientez une minute avant de réessayer.")
        response = render(
            request,
            "accounts/account.html",
            {"facilitator": facilitator, "errors": {"current": refused}, "changed": False},
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    if accounts.authenticate(engine=engine, email=facilitator.email, password=current) is None:
        password_failed(request, facilitator.email)
        errors["current"] = _("Mot de passe actuel incorrect.")
    else:
        password_succeeded(request, facilitator.email)
        if password != confirm:
            errors["confirm"] = _("Les deux nouveaux mots de passe ne sont pas identiques.")
        else:
            try:
                accounts.set_password(
                    engine=engine,
                    facilitator_id=facilitator.id,
                    password=password,
                    keep_session=request.cookies.get(SESSION_COOKIE),
                )
            except accounts.AccountError as error:
                errors["password"] = str(error)
    if errors:
        return render(
            request,
            "accounts/account.html",
            {"facilitator": facilitator, "errors": errors, "changed": False},
            status_code=422,
        )
    return RedirectResponse("/compte?modifie=1", status_code=303)
