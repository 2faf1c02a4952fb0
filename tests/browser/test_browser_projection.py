"""The board's projection in a real Chromium fits 1920×1080 and 1280×720 without scrolling
while the workshop is open, with the CDN reachable or blocked."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.utils.answers import full_answers, resource_answers
from tests.utils.browser import CDN_MODES, CHROMIUM_ARGS, require_chromium, route_htmx_cdn
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "une phrase de passe assez longue"


def visitor(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, follow_redirects=True)
    client.get("/")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


@pytest.fixture(scope="module")
def room(tmp_path_factory, questionnaire):
    """A live server with an open workshop of six participants (some only half-way)."""
    database = tmp_path_factory.mktemp("projection") / "projection.sqlite3"
    with live_server(
        f"sqlite:///{database}", LOGIN_RATE_LIMIT="100/minute", JOIN_RATE_LIMIT="100/minute"
    ) as base_url:
        counsellor = visitor(base_url)
        counsellor.post(
            "/compte/inscription",
            data={"email": "c@dla.fr", "name": "C", "password": PASSWORD, "confirm": PASSWORD},
        )
        created = counsellor.post("/ateliers", data={"title": "Atelier MSE du Pays de Gex"})
        workshop_id = created.url.path.rsplit("/", 1)[1]
        code = re.search(r'class="join-code">([^<]+)<', created.text).group(1)
        sources = [q.source for q in questionnaire.resource_questions()]
        for n in range(6):
            person = visitor(base_url)
            joined = person.post(
                f"/rejoindre/{code}",
                data={"diagnostic": "new", "sharing": "anonymous" if n == 3 else "named"},
            )
            token = re.search(r"/d/([^/?]+)", str(joined.url)).group(1)
            answers = full_answers(questionnaire, name=f"Association numéro {n + 1} du territoire")
            if n % 2:
                answers = {}
            answers.update(
                resource_answers(questionnaire, {sources[n % len(sources)]: 0.6, sources[0]: 0.4})
            )
            person.put(f"/api/diagnostics/{token}/answers", json=answers)
        yield base_url, workshop_id, dict(counsellor.cookies)


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
