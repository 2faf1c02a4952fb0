"""Refuse state-changing requests sent by another site (cross-site request forgery).

Browsers say where a request comes from: `Sec-Fetch-Site` (all current browsers) and `Origin`
(on every POST). A form on another site posting to this app, for instance to sign a counsellor
into the attacker's account, is refused with 403 before any handler runs. Requests without
these headers (API clients, scripts) are not browsers riding on someone's cookies and pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from app.i18n import _
from app.refusals import refuse

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
            return await self._refuse(scope, send)
        return await self.app(scope, receive, send)

    def _cross_site(self, scope, headers: dict[str, str]) -> bool:
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site:
            # "same-site" is another host of the same registrable domain (a neighbour's
            # subdomain): not this app either. "none" is the user's own doing (bookmark, URL bar).
            return fetch_site in ("cross-site", "same-site")
        # Older browsers: fall back on Origin. "null" says nothing (with Referrer-Policy:
        # no-referrer, browsers send it for the app's own forms); the CSRF token decides then.
        origin = headers.get("origin")
        if not origin or origin == "null":
            return False
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        return origin.lower() not in {own, self.public_origin}

    async def _refuse(self, scope, send):
        message = _(
            "Requête refusée : elle vient d'un autre site. Rechargez la page de l'application "
            "et recommencez."
        )
        await refuse(scope, send, 403, message)


def content_security_policy(script_url: str) -> str:
    """Only the app itself, plus the pinned htmx file (its integrity hash is checked by the
    browser through the script tag's `integrity` attribute)."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {script_url}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


class SecurityHeaders:
    """Headers on every response: a strict Content-Security-Policy, no framing, no referrer
    (resume links hold the only key to a diagnostic and must never leak to another site), no
    MIME sniffing, and HSTS when the request came over HTTPS."""

    def __init__(self, app, script_url: str, hsts_seconds: int = 31_536_000):
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(script_url).encode()),
            (b"referrer-policy", b"no-referrer"),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
        ]
        self.hsts = (b"strict-transport-security", f"max-age={hsts_seconds}".encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                if secure:
                    extra.append(self.hsts)
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
