"""A new user's walk through the whole flow in a real headless Chromium (Debian's package,
driven by Playwright; no browser is downloaded)."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from pypdf import PdfReader

from tests.utils.browser import (
    CDN_MODES,
    CHROMIUM_ARGS,
    HTMX_FILE,
    htmx_copy_used,
    require_chromium,
    route_htmx_cdn,
)
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    with live_server(f"sqlite:///{database}") as url:
        yield url


@pytest.fixture(params=CDN_MODES)
def cdn(request) -> str:
    return request.param


@pytest.fixture
def page(cdn):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True, locale="fr-FR")
        route_htmx_cdn(context, cdn)
        page = context.new_page()
        # The Content-Security-Policy must never have to block anything the app itself does.
        blocked = []
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        yield page
        context.close()
        browser.close()
        assert blocked == []


def test_a_new_user_walks_from_start_to_pdf(page, base_url, questionnaire, cdn):
    roles = questionnaire.definition.roles
    page.goto(base_url + "/")
    page.wait_for_load_state("load")
    assert htmx_copy_used(page) == {"cdn-reachable": "cdn", "cdn-blocked": "local"}[cdn]
    page.get_by_role("button", name="Commencer").click()
    resume_url = page.locator("#resume-url").input_value()
    assert resume_url.startswith(base_url + "/d/")

    page.get_by_role("link", name="Commencer le questionnaire").click()
    name_field = page.locator(f"#in-{roles.association_name}")
    name_field.fill("Les Amis <du> Parc")
    name_field.blur()
    expect(page.locator(f"#fb-{roles.association_name}")).to_contain_text("Enregistré")

    # A bad amount gets an inline message; a good one is saved.
    resources_section = questionnaire.section_of[roles.resource_unit].id
    page.goto(f"{resume_url}/s/{resources_section}")
    page.locator(f"#q-{roles.resource_unit}").get_by_label("euros", exact=False).first.check()
    expect(page.locator(f"#fb-{roles.resource_unit}")).to_contain_text("Enregistré")
    subsidies = next(q for q in questionnaire.resource_questions() if q.source == "subventions")
    field = page.locator(f"#in-{subsidies.id}")
    field.fill("-12")
    field.blur()
    expect(page.locator(f"#fb-{subsidies.id}")).to_contain_text("négative")
    field.fill("60 000 €")
    field.blur()
    expect(page.locator(f"#fb-{subsidies.id}")).to_contain_text("Enregistré")
    sales = next(q for q in questionnaire.resource_questions() if q.source == "ventes")
    page.locator(f"#in-{sales.id}").fill("20 000")
    page.locator(f"#in-{sales.id}").blur()
    expect(page.locator(f"#fb-{sales.id}")).to_contain_text("Enregistré")
    expect(page.locator("#progress")).to_contain_text("réponses")

    # Next / previous work as plain form buttons.
    page.get_by_role("button", name="Partie suivante").click()
    expect(page).not_to_have_url(f"{resume_url}/s/{resources_section}")

    # A fresh visit through the resume link restores everything.
    page.context.clear_cookies()
    page.goto(resume_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Les Amis <du> Parc")
    page.goto(f"{resume_url}/s/{resources_section}")
    expect(page.locator(f"#in-{subsidies.id}")).to_have_value(re.compile(r"^60\s000$"))

    page.goto(f"{resume_url}/resultats")
    expect(page.get_by_role("heading", name="Votre place parmi les sept modèles")).to_be_visible()
    assert page.locator("svg").count() >= 2
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le rapport PDF").first.click()
    pdf_path = download_info.value.path()
    reader = PdfReader(io.BytesIO(open(pdf_path, "rb").read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 4
    assert "Les Amis <du> Parc" in text


def start_and_open_first_section(page, base_url) -> str:
    page.goto(base_url + "/")
    page.get_by_role("button", name="Commencer").click()
    resume_url = page.locator("#resume-url").input_value()
    page.get_by_role("link", name="Commencer le questionnaire").click()
    page.wait_for_load_state("load")
    return resume_url


def stored_answers(page, resume_url: str) -> dict:
    token = resume_url.rsplit("/", 1)[1]
    origin = resume_url.split("/d/")[0]
    return page.request.get(f"{origin}/api/diagnostics/{token}").json()["answers"]


@pytest.mark.parametrize("cdn", ["cdn-blocked"])  # and the app's copy too, below
def test_without_htmx_at_all_the_page_says_so_and_a_link_keeps_the_typed_answer(
    page, base_url, questionnaire
):
    """Neither the CDN nor the app's copy loads: no autosave, the banner says so, and leaving
    through a link still saves what was typed."""
    page.context.route("**/" + HTMX_FILE.name, lambda route: route.abort("connectionrefused"))
    name = questionnaire.definition.roles.association_name
    resume_url = start_and_open_first_section(page, base_url)
    assert htmx_copy_used(page, timeout_ms=2_000) == "none"
    banner = page.get_by_role("status").filter(has_text="Enregistrement automatique")
    expect(banner).to_contain_text("indisponible")

    page.locator(f"#in-{name}").fill("Tapé sans htmx")
    page.get_by_role("link", name="Mon diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tapé sans htmx")
    assert stored_answers(page, resume_url)[name] == "Tapé sans htmx"


def test_a_failed_autosave_is_said_kept_on_the_page_and_sent_when_the_network_returns(
    page, base_url, questionnaire
):
    name = questionnaire.definition.roles.association_name
    resume_url = start_and_open_first_section(page, base_url)
    page.context.route("**/q/**", lambda route: route.abort("internetdisconnected"))
    field = page.locator(f"#in-{name}")
    field.fill("Les Amis du Réseau")
    field.blur()
    banner = page.locator("#connection-status")
    expect(banner).to_contain_text("Enregistrement automatique interrompu")
    assert banner.get_attribute("role") == "status"

    # Leaving through a link cannot save it: the reader stays, with the answer in the field.
    section_url = page.url
    page.get_by_role("link", name="Mon diagnostic").click()
    expect(banner).to_contain_text("Enregistrement automatique interrompu")
    assert page.url == section_url
    expect(field).to_have_value("Les Amis du Réseau")

    # The network returns: the pending answer is sent on its own and the banner says so.
    page.context.unroute("**/q/**")
    expect(banner).to_contain_text("Connexion rétablie", timeout=15_000)
    assert stored_answers(page, resume_url)[name] == "Les Amis du Réseau"
    page.get_by_role("link", name="Mon diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Les Amis du Réseau")


def test_an_answer_saved_then_left_is_never_sent_again_over_a_newer_one(
    page, base_url, questionnaire
):
    """Typed, saved by the keyup autosave, then the field left (a "change" event): nothing is
    pending any more. It used to stay pending, and leaving the page sent the old value again,
    over an answer saved meanwhile from elsewhere (another tab, the API)."""
    name = questionnaire.definition.roles.association_name
    resume_url = start_and_open_first_section(page, base_url)
    field = page.locator(f"#in-{name}")
    field.press_sequentially("Ancien nom")
    expect(page.locator(f"#fb-{name}")).to_contain_text("Enregistré", timeout=10_000)
    with page.expect_response(lambda response: f"/q/{name}" in response.url):
        field.blur()  # "change": htmx saves again, the same value
    token = resume_url.rsplit("/", 1)[1]
    origin = resume_url.split("/d/")[0]
    # A script elsewhere (no cookie of this browser) saves a newer name.
    newer = httpx.put(f"{origin}/api/diagnostics/{token}/answers", json={name: "Nom plus récent"})
    assert newer.status_code == 200
    page.get_by_role("link", name="Mon diagnostic").click()
    page.wait_for_load_state("load")
    assert stored_answers(page, resume_url)[name] == "Nom plus récent"
