"""Page forms arrive as `application/x-www-form-urlencoded` in UTF-8, and only so.

Checked before the CSRF layer, which parses the body to find the token and cannot parse the
rest: a multipart body (the app has no file upload) or another type is refused with 415, a body
that is not UTF-8 with 400, each with a message, instead of a 500 from deep inside.

Raw (unescaped) non-ASCII bytes are legal enough that some clients send them, but the form
parser reads them as Latin-1, which stored "é" as "Ã©". They are percent-escaped here, so every
parser downstream decodes them as the UTF-8 they are. The body is at most MAX_BODY_BYTES (the
size limit is enforced outside this layer) and is replayed as one message.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from app.i18n import _
from app.refusals import refuse

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FORM_TYPE = b"application/x-www-form-urlencoded"
NON_ASCII = re.compile(rb"[\x80-\xff]")


class FormBodyCheck:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith("/api/")  # JSON, parsed and checked by FastAPI
        ):
            return await self.app(scope, receive, send)
        content_type = _header(scope, b"content-type").split(b";", 1)[0].strip().lower()
        if not content_type:
            # No body to parse (or none declared): the CSRF layer decides on the header token.
            return await self.app(scope, receive, send)
        if content_type != FORM_TYPE:
            message = _("Ce formulaire n'accepte que des champs texte (type %(type)s).")
            return await refuse(scope, send, 415, message % {"type": FORM_TYPE.decode()})
        body = await _read_body(receive)
        if body is None:
            return  # the client left while sending
        escaped = _escape_non_ascii(body)
        try:
            unquote_to_bytes(escaped.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            message = _("Formulaire illisible : le texte envoyé n'est pas encodé en UTF-8.")
            return await refuse(scope, send, 400, message)
        replayed = False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()  # a disconnect, when the app waits for one
            replayed = True
            return {"type": "http.request", "body": escaped, "more_body": False}

        headers = [(n, v) for n, v in scope["headers"] if n != b"content-length"]
        headers.append((b"content-length", str(len(escaped)).encode()))
        await self.app({**scope, "headers": headers}, replay, send)


def _header(scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return b""


async def _read_body(receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _escape_non_ascii(body: bytes) -> bytes:
    if body.isascii():
        return body
    return NON_ASCII.sub(lambda match: b"%%%02X" % match[0][0], body)
