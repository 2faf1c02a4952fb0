"""Structured logs: one JSON object per line, each with the request id (asgi-correlation-id,
taken from an incoming X-Request-ID or made up, and echoed in the response), and an access log
whose paths never contain a resume token or a join code."""

from __future__ import annotations

import json
import logging
import re
import time

from asgi_correlation_id import CorrelationIdFilter

access_logger = logging.getLogger("mse.access")

# Path segments that are keys: a diagnostic's token (the only key to it) and join codes.
_SECRET_SEGMENTS = re.compile(r"(/(?:d|api/diagnostics|rejoindre)/)[^/?#]+")


def redact(path: str) -> str:
    return _SECRET_SEGMENTS.sub(r"\1…", path)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "correlation_id", None),
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationIdFilter(uuid_length=32, default_value="-"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log prints raw paths (tokens included): ours replaces it.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class AccessLog:
    """One line per request: method, redacted path, status, duration."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def record_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            if access_logger.isEnabledFor(logging.INFO):
                self._log(scope, status, started)

    @staticmethod
    def _log(scope, status: int, started: float) -> None:
        # Only when the line is kept: its fields (two path redactions) cost more than the
        # rest of this layer, for nothing when LOG_LEVEL is above INFO.
        access_logger.info(
            "%s %s %s",
            scope["method"],
            redact(scope["path"]),
            status,
            extra={
                "fields": {
                    "method": scope["method"],
                    "path": redact(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                }
            },
        )
