"""The answer of a middleware that refuses a request before any route runs (forged form,
cross-site post, body too large, unreadable form): JSON for the API, a short page otherwise.
Routes answer through the app's exception handlers instead; these layers sit outside them."""

from __future__ import annotations

import json

from markupsafe import escape

from app.i18n import _, current_language


async def refuse(scope, send, status: int, message: str, title: str = "") -> None:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"detail": message}, ensure_ascii=False)
        content_type = b"application/json"
    else:
        home = _("Retour à l'accueil")
        body = (
            f"<!doctype html><html lang={current_language()}><meta charset=utf-8>"
            f"<title>{escape(title or message)}</title><p>{escape(message)}</p>"
            f"<p><a href=/>{escape(home)}</a></p></html>"
        )
        content_type = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type)],
        }
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})
