"""Absolute links handed to people: the resume link is the only key to a diagnostic."""

from __future__ import annotations

from fastapi import Request


def resume_url(request: Request, token: str) -> str:
    """The diagnostic's resume link, on PUBLIC_BASE_URL when the app sits behind a proxy."""
    base = request.app.state.settings.public_base_url.rstrip("/")
    path = request.app.url_path_for("diagnostic_home", token=token)
    return f"{base}{path}" if base else str(request.url_for("diagnostic_home", token=token))
