"""Cross-site request forgery protection on every state-changing request (asgi-csrf: a signed
token in a cookie, echoed in each form as a hidden `csrftoken` field and by htmx in an
`X-CSRFToken` header, set once on <body> through hx-headers).

asgi-csrf lets a request with no cookie at all through, reasoning that it carries no ambient
credentials. We narrow that: only the JSON API may do so (it is authorised by the token in its
URL and used by scripts). A page form posted without any cookie, say from a bookmarked form or
another site, is refused like one with a wrong token.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from asgi_csrf import asgi_csrf
from markupsafe import Markup, escape

from app.i18n import N_, _, current_language

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# A stand-in cookie header so asgi-csrf checks a cookie-less page request (the real token cookie
# is then missing, so the check fails unless the request carries a valid token cookie).
_NO_COOKIE_MARKER = (b"cookie", b"mse_no_cookie=1")
FAILURE_MESSAGE = N_(
    "Formulaire expiré ou envoyé depuis un autre site : rechargez la page et recommencez. "
    "Vos réponses déjà enregistrées ne sont pas perdues."
)


class CSRFProtection:
    def __init__(self, app, signing_secret: str, cookie_secure: bool = False):
        self.app = app
        self.protected = asgi_csrf(
            app,
            signing_secret=signing_secret,
            cookie_secure=cookie_secure,
            cookie_samesite="Lax",
            send_csrf_failed=_refuse,
        )

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and scope["method"] not in SAFE_METHODS
            and not scope["path"].startswith("/api/")
            and not any(name == b"cookie" for name, _ in scope["headers"])
        ):
            scope = {**scope, "headers": [*scope["headers"], _NO_COOKIE_MARKER]}
        await self.protected(scope, receive, send)


async def _refuse(scope, send, message_id):
    api = scope["path"].startswith("/api/")
    message = _(FAILURE_MESSAGE)
    if api:
        body = json.dumps({"detail": message}, ensure_ascii=False)
    else:
        title, home = _("Formulaire expiré"), _("Retour à l'accueil")
        body = (
            f"<!doctype html><html lang={current_language()}><meta charset=utf-8>"
            f"<title>{escape(title)}</title><p>{escape(message)}</p>"
            f"<p><a href=/>{escape(home)}</a></p></html>"
        )
    content_type = b"application/json" if api else b"text/html; charset=utf-8"
    await send(
        {"type": "http.response.start", "status": 403, "headers": [(b"content-type", content_type)]}
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


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
