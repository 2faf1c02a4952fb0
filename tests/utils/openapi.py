"""Responses checked against the app's own OpenAPI schema."""

from __future__ import annotations

import schemathesis

ANSWERS = "/api/diagnostics/{token}/answers"


def assert_documented(client, response, path: str = ANSWERS) -> None:
    """The response is one the OpenAPI schema documents for the operation: its status code,
    its content type and its body. (The fuzz test checks every response to the requests it
    generates; these are requests it cannot write, such as bytes that are not UTF-8.)"""
    method = response.request.method
    documented = client.app.openapi()["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in documented[str(response.status_code)]["content"]
    operation = schemathesis.openapi.from_dict(client.app.openapi())[path][method]
    operation.validate_response(response)  # raises on a body off its schema
