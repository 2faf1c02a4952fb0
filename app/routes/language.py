"""The language switch: a small form in every page's header, which remembers the choice in a
cookie and brings the reader back to the page they were on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.deps import FormDep
from app.i18n import COOKIE_NAME, supported
from app.routes.accounts import safe_next

router = APIRouter(include_in_schema=False)

ONE_YEAR = 365 * 24 * 3600


@router.post("/langue", name="set_language")
def set_language(request: Request, form: FormDep):
    lang = supported(str(form.get("lang", "")))
    # The page the switch was on (a path of this site), so nobody loses their place.
    response = RedirectResponse(safe_next(str(form.get("suite", "")), fallback="/"), 303)
    response.set_cookie(
        COOKIE_NAME,
        lang,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return response
