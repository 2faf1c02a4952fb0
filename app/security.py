"""Refuse state-changing requests sent by another site (cross-site request forgery).

Browsers say where a request comes from: `Sec-Fetch-Site` (all current browsers) and `Origin`
(on every POST). A form on another site posting to this app, for instance to sign a counsellor
into the attacker's account, is refused with 403 before any handler runs. Requests without
these headers (API clients, scripts) are not browsers riding on someone's cookies and pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


class CrossSiteRefusal:
    def __init__(self, app, public_base_url: str = ""):
        self.app = app
        self.public_origin = _origin_of(public_base_url)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        if self._cross_site(scope, headers):
            return await self._refuse(send)
        return await self.app(scope, receive, send)

    def _cross_site(self, scope, headers: dict[str, str]) -> bool:
        if headers.get("sec-fetch-site") == "cross-site":
            return True
        origin = headers.get("origin")
        if not origin:
            return False
        if origin == "null":  # sandboxed frames, some privacy modes: cannot be trusted
            return True
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        return origin.lower() not in {own, self.public_origin}

    async def _refuse(self, send):
        body = (
            "Requête refusée : elle vient d'un autre site. Rechargez la page de l'application "
            "et recommencez."
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body})
