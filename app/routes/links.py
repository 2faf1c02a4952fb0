"""Absolute links handed to people: resume links (the only key to a diagnostic) and workshop
join links (projected as a QR code)."""

from __future__ import annotations

from fastapi import Request


def absolute_url(request: Request, name: str, **params: str) -> str:
    """The URL of route `name`, on PUBLIC_BASE_URL when the app sits behind a proxy."""
    base = request.app.state.settings.public_base_url.rstrip("/")
    path = request.app.url_path_for(name, **params)
    return f"{base}{path}" if base else str(request.url_for(name, **params))


def resume_url(request: Request, token: str) -> str:
    return absolute_url(request, "diagnostic_home", token=token)


def join_url(request: Request, code: str) -> str:
    return absolute_url(request, "join_workshop", code=code)
