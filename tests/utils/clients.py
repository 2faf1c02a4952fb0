"""Test clients that behave like a browser which has loaded a page of the app: they hold the
CSRF cookie and send its token in the X-CSRFToken header on every request, as htmx does."""

from __future__ import annotations

from fastapi.testclient import TestClient


def csrf_ready(client: TestClient) -> TestClient:
    client.get("/")  # any page sets the csrftoken cookie
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client
