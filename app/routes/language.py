"""The language switch: a small form in every page's header, which remembers the choice in a
cookie and brings the reader back to the page they were on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.routing import Match

from app.deps import FormDep, cookies_secure
from app.i18n import COOKIE_NAME, supported
from app.web.redirects import safe_next

router = APIRouter(include_in_schema=False)

ONE_YEAR = 365 * 24 * 3600
# The app's deepest page is a few segments down: past this many parents, the home page.
MAX_PARENTS = 8


def readable_page(request: Request, target: str) -> str:
    """`target` if a GET there shows a page, else its nearest parent that does: a page drawn
    by a form post (a password change refused, a membership changed) has no GET of its own,
    and sending the reader to a 405 would lose them."""
    path, _sep, query = target.partition("?")
    for _parent in range(MAX_PARENTS):
        if path in ("", "/"):
            break
        scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
        for route in request.app.router.routes:
            match, _child = route.matches(scope)
            if match is Match.FULL:
                return f"{path}?{query}" if query else path
        path, query = path.rsplit("/", 1)[0], ""
    return "/"


@router.post("/langue", name="set_language")
def set_language(request: Request, form: FormDep):
    lang = supported(str(form.get("lang", "")))
    # The page the switch was on (a path of this site), so nobody loses their place.
    target = readable_page(request, safe_next(str(form.get("suite", "")), fallback="/"))
    response = RedirectResponse(target, 303)
    response.set_cookie(
        COOKIE_NAME,
        lang,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )
    return response
