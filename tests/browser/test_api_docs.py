"""The API documentation (/docs) is served by the app itself, under the same strict policy."""

from __future__ import annotations

import re

import pytest

from tests.utils.browser import CHROMIUM_ARGS, require_chromium


def test_docs_page_loads_swagger_ui_from_the_app(client):
    response = client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    # Every script has a same-origin source: nothing inline, nothing from a CDN.
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts and all(re.search(r'src="(http://testserver)?/', tag) for tag in scripts)
    assert "cdn" not in response.text.lower()
    for source in re.findall(r'(?:src|href)="((?:http://testserver)?/[^"]+)"', response.text):
        assert client.get(source).status_code == 200, source


def test_docs_page_points_at_the_schema(client):
    response = client.get("/docs")
    assert 'data-openapi-url="/openapi.json"' in response.text
    assert client.get("/openapi.json").json()["paths"]


def test_redoc_leads_to_the_one_documentation_page(client):
    response = client.get("/redoc", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == "/docs"


@pytest.mark.browser
@pytest.mark.slow
def test_docs_render_operations_in_a_browser(tmp_path):
    chromium = require_chromium()
    from playwright.sync_api import expect, sync_playwright

    from tests.utils.live_server import live_server

    with live_server(f"sqlite:///{tmp_path / 'docs.sqlite3'}") as base_url:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page()
            refused = []
            page.on(
                "console",
                lambda message: (
                    refused.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            page.goto(base_url + "/docs")
            expect(page.locator(".opblock").first).to_be_visible()
            assert page.locator(".opblock").count() >= 5
            browser.close()
    assert refused == []
