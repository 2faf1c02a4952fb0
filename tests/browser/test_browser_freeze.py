"""A frozen workshop's projection in a real Chromium: the frozen moment shows and the board
still fits 1920×1080 and 1280×720 without scrolling."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import sync_playwright  # noqa: E402, I001

from tests.utils.browser import CHROMIUM_ARGS, require_chromium

CHROMIUM = require_chromium()

pytestmark = pytest.mark.browser


def test_the_frozen_projection_fits_and_says_frozen(room):
    base_url, workshop_id, cookies = room
    counsellor = httpx.Client(base_url=base_url, cookies=cookies, follow_redirects=True)
    counsellor.headers["x-csrftoken"] = cookies["csrftoken"]
    frozen = counsellor.post(f"/ateliers/{workshop_id}/figer")
    assert frozen.status_code == 200 and "Résultats figés le" in frozen.text
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([{"name": k, "value": v, "url": base_url} for k, v in cookies.items()])
        page = context.new_page()
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base_url}/ateliers/{workshop_id}/projection")
            assert page.locator(".frozen-tag").is_visible()
            assert page.locator(".join-strip").count() == 0  # frozen is closed
            assert page.locator("#board .map-point").count() == 6
            scroll = page.evaluate(
                "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
            )
            assert scroll == [height, width], (width, height, scroll)
        browser.close()
