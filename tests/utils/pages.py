"""The HTML flow's first step and the headers of an htmx request."""

from __future__ import annotations

import re


def start(client) -> str:
    """Start a diagnostic through the HTML form; returns its token."""
    response = client.post("/diagnostics", follow_redirects=False)
    assert response.status_code == 303
    match = re.match(r"^/d/([A-Za-z0-9_-]+)\?nouveau=1$", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def htmx(**headers):
    return {"HX-Request": "true", **headers}
