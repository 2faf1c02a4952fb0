"""Operations: JSON logs with a request id, and no token or join code ever in a log line."""

from __future__ import annotations

import json
import logging

from app.logs import JsonFormatter, redact


def test_paths_are_logged_without_their_keys(client, caplog):
    started = client.post("/diagnostics")
    token = started.url.path.split("/")[2]
    with caplog.at_level(logging.INFO, logger="mse.access"):
        client.get(f"/d/{token}/resultats")
        client.put(f"/api/diagnostics/{token}/answers", json={})
        client.get("/rejoindre/ABCDEF")
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert len(lines) == 3
    assert all(token not in line and "ABCDEF" not in line for line in lines)
    first = json.loads(lines[0])
    assert first["path"] == "/d/…/resultats" and first["status"] == 200
    assert first["method"] == "GET" and first["duration_ms"] >= 0


def test_every_response_carries_a_request_id(client):
    generated = client.get("/").headers["x-request-id"]
    assert len(generated) == 32
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/", headers={"X-Request-ID": given}).headers["x-request-id"] == given


def test_redaction():
    assert redact("/d/abc_DEF-123/s/projet") == "/d/…/s/projet"
    assert redact("/api/diagnostics/abc/result") == "/api/diagnostics/…/result"
    assert redact("/rejoindre/K7MQ2X") == "/rejoindre/…"
    assert redact("/ateliers/12/tableau") == "/ateliers/12/tableau"
