"""The action plan page in a real headless Chromium: autosave while typing (htmx, from the CDN
or the app's own copy), a refused date that saves nothing, and the plain form without
JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from tests.utils.answers import full_answers
from tests.utils.browser import CDN_MODES, CHROMIUM_ARGS, require_chromium, route_htmx_cdn
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-plan") / "plan.sqlite3"
    with live_server(f"sqlite:///{database}") as url:
        yield url


@pytest.fixture
def diagnostic(base_url, questionnaire) -> str:
    with httpx.Client(base_url=base_url) as api:
        token = api.post("/api/diagnostics").json()["token"]
        saved = api.put(f"/api/diagnostics/{token}/answers", json=full_answers(questionnaire))
        assert saved.status_code == 200
    return token


def plan_of(base_url: str, token: str) -> list[dict]:
    return httpx.get(f"{base_url}/api/diagnostics/{token}/plan").json()["items"]


def browser_page(playwright, cdn: str | None, javascript: bool = True):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(locale="fr-FR", java_script_enabled=javascript)
    if cdn:
        route_htmx_cdn(context, cdn)
    return browser, context.new_page()


def posted(response, field: str) -> list[str]:
    request = response.request
    if request.method != "POST" or not request.url.endswith("/plan"):
        return []
    return parse_qs(request.post_data or "").get(field, [])


@pytest.mark.parametrize("cdn", CDN_MODES)
def test_the_plan_saves_while_typing(base_url, diagnostic, cdn):
    with sync_playwright() as playwright:
        browser, page = browser_page(playwright, cdn)
        page.goto(f"{base_url}/d/{diagnostic}/plan")
        with page.expect_response(lambda r: posted(r, "card-0") not in ([], [""])):
            page.select_option("#card-0", index=1)
        expect(page.locator("#plan-status")).to_contain_text("Plan enregistré")
        # Typed without leaving the field: saved once the typing pauses.
        with page.expect_response(lambda r: posted(r, "first_step-0") == ["Réunir le bureau"]):
            page.locator("#first_step-0").press_sequentially("Réunir le bureau")
        items = plan_of(base_url, diagnostic)
        assert items[0]["first_step"] == "Réunir le bureau" and items[0]["card"]
        browser.close()


def test_without_javascript_the_plan_is_saved_by_its_button(base_url, diagnostic):
    with sync_playwright() as playwright:
        browser, page = browser_page(playwright, None, javascript=False)
        page.goto(f"{base_url}/d/{diagnostic}/plan")
        page.select_option("#card-0", value="__own__")
        page.fill("#title-0", "Fête de la rentrée")
        page.fill("#owner-0", "Le bureau")
        page.get_by_role("button", name="Enregistrer le plan").click()
        expect(page.locator(".saved-notice")).to_contain_text("est enregistré")
        assert plan_of(base_url, diagnostic) == [
            {
                "card": None,
                "title": "Fête de la rentrée",
                "first_step": "",
                "owner": "Le bureau",
                "due": None,
                "help": "",
                "status": "todo",
            }
        ]
        browser.close()


def test_a_failed_plan_save_is_announced_and_retried(base_url, diagnostic):
    with sync_playwright() as playwright:
        browser, page = browser_page(playwright, "cdn-reachable")
        page.goto(f"{base_url}/d/{diagnostic}/plan")
        banner = page.locator("#connection-status")
        plan_url = f"{base_url}/d/{diagnostic}/plan"
        page.route(plan_url, lambda route: route.abort("connectionrefused"))
        page.select_option("#card-0", value="__own__")
        page.fill("#title-0", "Tournoi des villages")
        page.locator("#owner-0").focus()
        expect(banner).to_contain_text("Enregistrement automatique interrompu")
        assert plan_of(base_url, diagnostic) == []
        page.unroute(plan_url)  # the connection is back: the retry saves
        expect(banner).to_contain_text("Connexion rétablie", timeout=15_000)
        assert plan_of(base_url, diagnostic)[0]["title"] == "Tournoi des villages"
        browser.close()


def test_leaving_by_a_link_saves_what_was_just_typed(base_url, diagnostic):
    with sync_playwright() as playwright:
        browser, page = browser_page(playwright, "cdn-reachable")
        page.goto(f"{base_url}/d/{diagnostic}/plan")
        page.select_option("#card-0", value="__own__")
        # Typed and left at once, before the pause that triggers the autosave.
        page.locator("#title-0").press_sequentially("Vide-grenier")
        page.get_by_role("link", name="Retour aux résultats").click()
        page.wait_for_url(f"{base_url}/d/{diagnostic}/resultats")
        expect(page.locator("#plan").locator("..")).to_contain_text("Vide-grenier")
        browser.close()
