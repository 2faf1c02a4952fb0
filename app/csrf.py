"""Cross-site request forgery protection on every state-changing request (asgi-csrf: a signed
token in a cookie, echoed in each form as a hidden `csrftoken` field and by htmx in an
`X-CSRFToken` header, set once on <body> through hx-headers).

asgi-csrf lets a request with no cookie at all through, reasoning that it carries no ambient
credentials. We narrow that for pages: a page form posted without any cookie, say from a
bookmarked form or another site, is refused like one with a wrong token. And we widen it for the
JSON API, which is authorised by the token in its URL and used by scripts: only a caller holding
our CSRF cookie (a browser that opened a page of the app) must send the X-CSRFToken header; a
script sending some other cookie (`lang=en`) is not asked for a token it never got.

The cookie is marked Secure when the request came over HTTPS (behind a proxy, through
X-Forwarded-Proto, see `--proxy-headers`) or when COOKIE_SECURE says so: asgi-csrf takes that
flag once, so two instances share the same signing secret and each request picks one.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from asgi_csrf import asgi_csrf
from markupsafe import Markup, escape

from app.i18n import N_, _
from app.refusals import refuse

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# A stand-in cookie header so asgi-csrf checks a cookie-less page request (the real token cookie
# is then missing, so the check fails unless the request carries a valid token cookie).
_NO_COOKIE_MARKER = (b"cookie", b"mse_no_cookie=1")
COOKIE_NAME = "csrftoken"
FAILURE_MESSAGE = N_(
    "Formulaire expiré ou envoyé depuis un autre site : rechargez la page et recommencez. "
    "Vos réponses déjà enregistrées ne sont pas perdues."
)


class CSRFProtection:
    def __init__(self, app, signing_secret: str, cookie_secure: bool = False):
        self.app = app
        self.always_secure = cookie_secure
        self.plain, self.secure = (
            asgi_csrf(
                app,
                signing_secret=signing_secret,
                cookie_name=COOKIE_NAME,
                cookie_secure=secure,
                cookie_samesite="Lax",
                send_csrf_failed=_refuse,
            )
            for secure in (False, True)
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        unsafe = scope["method"] not in SAFE_METHODS
        cookies = [value for name, value in scope["headers"] if name == b"cookie"]
        if scope["path"].startswith("/api/"):
            # A read of the API never needs a token (it renders no form), and asgi-csrf would
            # sign a fresh one for every caller without the cookie: passed straight through.
            if not unsafe or not any(_has_csrf_cookie(value) for value in cookies):
                return await self.app(scope, receive, send)
        elif unsafe and not cookies:
            scope = {**scope, "headers": [*scope["headers"], _NO_COOKIE_MARKER]}
        secure = self.always_secure or scope.get("scheme") == "https"
        await (self.secure if secure else self.plain)(scope, receive, send)


def _has_csrf_cookie(header: bytes) -> bool:
    return any(part.strip().startswith(COOKIE_NAME.encode() + b"=") for part in header.split(b";"))


async def _refuse(scope, send, message_id):
    await refuse(scope, send, 403, _(FAILURE_MESSAGE), title=_("Formulaire expiré"))


def csrf_token(request) -> str:
    """The token for this page's forms (and sets the cookie if the browser has none)."""
    make = request.scope.get("csrftoken")
    return make() if make else ""


def csrf_input(request) -> Markup:
    return Markup(f'<input type="hidden" name="csrftoken" value="{escape(csrf_token(request))}">')


def signing_secret(configured: str, secret_file: Path) -> str:
    """SECRET_KEY when set; otherwise a random key kept in a file next to the SQLite database,
    so forms survive a restart. Several instances must share SECRET_KEY (see the README)."""
    if configured:
        return configured
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive creation: of several processes starting together, one writes the key and
        # the others read it.
        descriptor = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _attempt in range(50):
            key = secret_file.read_text(encoding="utf-8").strip()
            if key:
                return key
            time.sleep(0.1)  # the creator is still writing it
        raise RuntimeError(f"{secret_file} is empty: delete it or set SECRET_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key)
    return key
