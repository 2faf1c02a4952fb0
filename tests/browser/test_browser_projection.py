"""The board's projection in a real Chromium fits 1920×1080 and 1280×720 without scrolling
while the workshop is open, with the CDN reachable or blocked."""

from __future__ import annotations

import pytest

from tests.utils.browser import CDN_MODES, CHROMIUM_ARGS, require_chromium, route_htmx_cdn

CHROMIUM = require_chromium()

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("cdn", CDN_MODES)
def test_the_projection_fits_the_screen_without_scrolling(room, cdn):
    base_url, workshop_id, cookies = room
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR")
        route_htmx_cdn(context, cdn)
        context.add_cookies([{"name": k, "value": v, "url": base_url} for k, v in cookies.items()])
        page = context.new_page()
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base_url}/ateliers/{workshop_id}/projection")
            assert page.locator(".join-strip .join-code").is_visible()
            assert page.locator("#board .map-point").count() == 6
            scroll = page.evaluate(
                "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
            )
            assert scroll == [height, width], (width, height, scroll)
            # The map and the letter legend are wholly on screen.
            for selector in ("#board .chart svg", ".marker-legend"):
                box = page.locator(selector).bounding_box()
                assert box["y"] >= 0 and box["y"] + box["height"] <= height, selector
                assert box["height"] > 100 or selector == ".marker-legend"
        browser.close()
