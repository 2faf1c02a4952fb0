"""HEAD and OPTIONS on every route, which FastAPI's routes do not answer on their own.

- HEAD is answered as GET without the body (monitoring probes use it; FastAPI answers 405).
- OPTIONS lists every method of every route at that path. Starlette answers with the first
  route that matches the path only, so `/api/diagnostics/{token}` claimed GET alone while it
  also takes DELETE; the 405 for a method no route takes gets the same complete Allow header.
"""

from __future__ import annotations

from starlette.routing import Match, Mount

PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")


class MethodsMiddleware:
    def __init__(self, app, router):
        self.app = app
        self.router = router

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "HEAD":
            return await self._head(scope, receive, send)
        if scope["method"] == "OPTIONS" and (allowed := self.allowed_methods(scope)):
            headers = [(b"allow", ", ".join(sorted(allowed)).encode())]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            return await send({"type": "http.response.body", "body": b""})

        async def send_complete_allow(message):
            # Only on a 405: the route table is not walked on the way of ordinary requests.
            if message["type"] == "http.response.start" and message["status"] == 405:
                if allowed := self.allowed_methods(scope):
                    headers = [(n, v) for n, v in message["headers"] if n.lower() != b"allow"]
                    headers.append((b"allow", ", ".join(sorted(allowed)).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_complete_allow)

    def allowed_methods(self, scope) -> set[str]:
        """Methods some route takes at this path, found by asking the routes themselves
        (FastAPI nests included routers, so there is no flat list to read)."""
        allowed = {
            method
            for method in PROBED
            if any(
                route.matches({**scope, "method": method})[0] is Match.FULL
                for route in self.router.routes
                # A mount (static files, the docs' assets) matches any method but serves GET.
                if method == "GET" or not isinstance(route, Mount)
            )
        }
        if "GET" in allowed:
            allowed.add("HEAD")
        return allowed | {"OPTIONS"} if allowed else allowed

    async def _head(self, scope, receive, send):
        """Run GET and send its status and headers (Content-Length included) but no body."""

        async def send_headers_only(message):
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
