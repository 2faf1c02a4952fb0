"""Refuse request bodies over MAX_BODY_BYTES with 413, before anything buffers them.

A declared Content-Length over the limit is refused before anything runs; a body sent without
one (chunked) is counted as it streams, and refused as soon as it goes over. This layer sits
outside the CSRF layer, which reads whole forms, so nothing ever holds more than the limit.

The overflow is an HTTPException: raised while a route reads its body, FastAPI passes it on to
the app's error handlers (a 413 in the documented shape, not its bare 400); raised while a
middleware reads, it is answered here.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException

from app.i18n import _
from app.refusals import refuse


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int):
        super().__init__(413, detail=too_large_message(max_bytes))


def too_large_message(max_bytes: int) -> str:
    return _("Corps de requête trop gros (max %(max)s octets).") % {"max": max_bytes}


class BodySizeLimit:
    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._declared_too_large(scope):
            return await refuse(scope, send, 413, too_large_message(self.max_bytes))
        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as error:
            if started:
                raise
            await refuse(scope, send, 413, error.detail)

    def _declared_too_large(self, scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    return int(value) > self.max_bytes
                except ValueError:
                    return True  # not a length: refuse rather than guess
        return False
