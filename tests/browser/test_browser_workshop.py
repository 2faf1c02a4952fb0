"""A co-development workshop in a real headless Chromium: a counsellor signs up and opens a
workshop, two associations join it with the code from their own browsers (one named, one
anonymous) and answer, and the counsellor's dashboard follows them live, without a reload.

Three browser contexts stand for three people on three devices: each has its own cookies, so
the participants are never signed in as the counsellor."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader

from tests.utils.browser import (
    CDN_MODES,
    CHROMIUM_ARGS,
    htmx_copy_used,
    is_cdn_failure,
    require_chromium,
    route_htmx_cdn,
)
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Polling is every 3 s; leave room for a few rounds plus a slow machine.
LIVE_TIMEOUT_MS = 15_000
NAMED_ASSOCIATION = "Les Jardins <partagés> du Lac"
ANONYMOUS_ASSOCIATION = "Compagnie Secrète des Tréteaux"
PASSWORD = "une phrase de passe assez longue"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-workshop") / "workshop.sqlite3"
    # Everyone connects from 127.0.0.1, so the per-address limits must not get in the way.
    with live_server(
        f"sqlite:///{database}",
        LOGIN_RATE_LIMIT="100/minute",
        JOIN_RATE_LIMIT="100/minute",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=CDN_MODES)
def cdn(request) -> str:
    return request.param


def new_person(browser: Browser, cdn: str) -> tuple[BrowserContext, Page]:
    """A fresh context (own cookies, as on another device) and its page."""
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    route_htmx_cdn(context, cdn)
    return context, context.new_page()


def sign_up_and_open_workshop(page: Page, base_url: str) -> tuple[str, str]:
    """The counsellor's first steps; returns the dashboard URL and the join code."""
    page.goto(base_url + "/compte/inscription")
    # One account per run: the module's tests share one database.
    page.get_by_label("Adresse électronique").fill(f"camille-{uuid.uuid4().hex[:8]}@dla.example")
    page.get_by_label("Votre nom").fill("Camille Martin")
    # "Mot de passe" is also inside "Confirmez le mot de passe": anchor it.
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page).to_have_url(re.compile(r"/ateliers(\?.*)?$"))

    page.get_by_role("link", name="Créer un atelier").click()
    page.get_by_label("Titre").fill("Atelier MSE du Pays de Gex")
    page.get_by_label("Lieu ou territoire").fill("Ferney-Voltaire")
    page.get_by_role("button", name="Créer l'atelier").click()
    expect(page).to_have_url(re.compile(r"/ateliers/\d+$"))
    code = page.locator("span.join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code), code
    # Nobody yet: the map waits, the table is not there.
    expect(page.locator("#board .map-point")).to_have_count(0)
    expect(page.locator("#board tr[data-number]")).to_have_count(0)
    return page.url, code


def join_workshop(page: Page, base_url: str, typed_code: str, sharing_label: str) -> str:
    """An association joins from the home page; returns its resume link."""
    page.goto(base_url + "/")
    # The link is both in the menu and under the hero; either leads to the same form.
    page.get_by_role("link", name="Rejoindre un atelier").first.click()
    page.get_by_label("Code de l'atelier").fill(typed_code)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Commencer un nouveau diagnostic")).to_be_checked()
    page.get_by_label(sharing_label, exact=False).check()
    page.get_by_role("button", name="Rejoindre l'atelier").click()
    expect(page).to_have_url(re.compile(r"/d/[^/?]+\?nouveau=1&atelier=1$"))
    resume_url = page.locator("#resume-url").input_value()
    assert resume_url.startswith(base_url + "/d/")
    return resume_url


def save_field(page: Page, question_id: str, value: str) -> None:
    """Type an answer and leave the field: htmx saves it on blur and says so."""
    field = page.locator(f"#in-{question_id}")
    field.fill(value)
    field.blur()
    expect(page.locator(f"#fb-{question_id}")).to_contain_text("Enregistré")


def answer(page: Page, resume_url: str, questionnaire, name: str, amounts: dict[str, str]):
    """The association's name in the first section, then resources in euros by source."""
    roles = questionnaire.definition.roles
    page.goto(f"{resume_url}/s/{questionnaire.section_of[roles.association_name].id}")
    save_field(page, roles.association_name, name)

    page.goto(f"{resume_url}/s/{questionnaire.section_of[roles.resource_unit].id}")
    page.locator(f"#q-{roles.resource_unit}").get_by_label("euros", exact=False).first.check()
    expect(page.locator(f"#fb-{roles.resource_unit}")).to_contain_text("Enregistré")
    by_source = {q.source: q for q in questionnaire.resource_questions()}
    for source, amount in amounts.items():
        save_field(page, by_source[source].id, amount)


def test_a_workshop_is_followed_live_and_shared_as_chosen(browser, base_url, questionnaire, cdn):
    counsellor_context, counsellor = new_person(browser, cdn)
    named_context, named = new_person(browser, cdn)
    anonymous_context, anonymous = new_person(browser, cdn)
    try:
        # Uncaught script errors on anyone's page, and console errors on the dashboard (a failed
        # poll shows there, e.g. a 500 from the live partial).
        script_errors: list[str] = []
        for page in (counsellor, named, anonymous):
            page.on("pageerror", lambda error: script_errors.append(str(error)))
        console_errors: list[str] = []
        counsellor.on(
            "console",
            lambda msg: (
                msg.type == "error"
                and not (cdn == "cdn-blocked" and is_cdn_failure(msg.text))
                and console_errors.append(msg.text)
            ),
        )

        board_url, code = sign_up_and_open_workshop(counsellor, base_url)
        assert htmx_copy_used(counsellor) == {"cdn-reachable": "cdn", "cdn-blocked": "local"}[cdn]
        workshop_id = board_url.rsplit("/", 1)[1]

        # From here on the dashboard must update itself: mark the page, and count navigations,
        # so a reload (ours or the app's) would show.
        counsellor.evaluate("window.__marker = 1")
        navigations: list[str] = []
        counsellor.on(
            "framenavigated",
            lambda frame: frame == counsellor.main_frame and navigations.append(frame.url),
        )

        # Codes are accepted however they are typed: lowercase with the dash, or bare uppercase.
        named_resume = join_workshop(
            named, base_url, code.lower(), "Partager mes résultats avec le nom de mon association"
        )
        anonymous_resume = join_workshop(
            anonymous, base_url, code.replace("-", ""), "Partager mes résultats anonymement"
        )
        assert named_resume != anonymous_resume

        # Two different resource mixes, so the two points land apart on the map: one lives on
        # public money, the other on sales and membership.
        answer(
            named,
            named_resume,
            questionnaire,
            NAMED_ASSOCIATION,
            {"subventions": "80 000", "dons": "5 000", "ventes": "2 000"},
        )
        answer(
            anonymous,
            anonymous_resume,
            questionnaire,
            ANONYMOUS_ASSOCIATION,
            {"ventes": "60 000", "cotisations_militantes": "15 000"},
        )

        # Back on the dashboard, still the same page: both joined, both placed.
        board = counsellor.locator("#board")
        expect(board.locator(".map-point")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
        expect(board.locator("tr[data-number]")).to_have_count(2)
        named_row = board.locator('tr[data-number="1"]')
        anonymous_row = board.locator('tr[data-number="2"]')
        expect(named_row).to_contain_text(NAMED_ASSOCIATION)
        expect(anonymous_row).to_contain_text("Participant n° 2")
        expect(anonymous_row).to_contain_text("(anonyme)")
        expect(board).to_contain_text("2 participants, 2 placés sur la carte")
        assert counsellor.evaluate("window.__marker") == 1, "the dashboard was reloaded"
        assert navigations == [], f"the dashboard navigated: {navigations}"

        # The two points differ (different mixes give different barycentres).
        first = board.locator('.map-point[data-number="1"]').bounding_box()
        second = board.locator('.map-point[data-number="2"]').bounding_box()
        assert first and second and (first["x"], first["y"]) != (second["x"], second["y"])

        # Anonymous means anonymous: the name the association typed is nowhere on the page,
        # not in the table, not in the map's title or description, not in hidden markup.
        expect(counsellor.locator("body")).not_to_contain_text(ANONYMOUS_ASSOCIATION)
        assert ANONYMOUS_ASSOCIATION not in counsellor.content()
        # Only the named participant gets a link to a detailed view (every row has its
        # management link, for the counsellors' note and removal).
        expect(anonymous_row.locator('a[href$="/participants/2"]')).to_have_count(0)
        expect(named_row.locator('a[href$="/participants/1"]')).to_have_count(1)
        expect(anonymous_row.locator('a[href$="/participants/2/gerer"]')).to_have_count(1)

        # The named participant's detailed view, from the link in the table (the board may be
        # swapped under the click by a poll; Playwright waits for a stable, attached link).
        named_row.get_by_role("link", name=NAMED_ASSOCIATION, exact=True).click()
        expect(counsellor).to_have_url(f"{base_url}/ateliers/{workshop_id}/participants/1")
        expect(counsellor.get_by_role("heading", level=1)).to_contain_text(NAMED_ASSOCIATION)
        # It is the round screen now: the placement map and the three lever scores.
        expect(counsellor.get_by_role("table", name="Les trois leviers")).to_be_visible()
        counsellor.get_by_role("link", name="Retour au tableau de bord").click()
        expect(counsellor).to_have_url(board_url)

        # The synthesis PDF names the named association, and never the anonymous one.
        with counsellor.expect_download() as download_info:
            counsellor.get_by_role("link", name="Synthèse PDF").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as pdf:
            reader = PdfReader(io.BytesIO(pdf.read()))
        # Extraction may break lines inside a long name: compare on collapsed whitespace.
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert NAMED_ASSOCIATION in text
        assert ANONYMOUS_ASSOCIATION not in text
        assert "Secrète" not in text

        # Scripts ran cleanly on every page, the polling included.
        assert console_errors == [], console_errors
        assert script_errors == [], script_errors

        # The anonymous participant's round screen shows them by number, never by name; their
        # pitch sheet is refused (this logs a console error for the 403, hence the check above
        # comes first).
        response = counsellor.goto(f"{base_url}/ateliers/{workshop_id}/participants/2")
        assert response is not None and response.status == 200
        expect(counsellor.get_by_role("heading", level=1)).to_have_text("Participant n° 2")
        expect(counsellor.locator("body")).not_to_contain_text(ANONYMOUS_ASSOCIATION)
        response = counsellor.goto(f"{base_url}/ateliers/{workshop_id}/participants/2/pitch")
        assert response is not None and response.status == 403
        expect(counsellor.locator("body")).to_contain_text("anonymement")
    finally:
        for context in (counsellor_context, named_context, anonymous_context):
            context.close()


def test_the_board_says_when_live_updates_stop_and_when_they_resume(browser, base_url, cdn):
    """The venue's Wi-Fi drops (or the server goes away): the board no longer claims to be
    live; it says so, and says again when a poll gets through."""
    context, counsellor = new_person(browser, cdn)
    try:
        sign_up_and_open_workshop(counsellor, base_url)
        banner = counsellor.locator("#connection-status")
        expect(banner).to_be_empty()
        context.route("**/tableau*", lambda route: route.abort("internetdisconnected"))
        expect(banner).to_contain_text(
            "Mise à jour automatique interrompue", timeout=LIVE_TIMEOUT_MS
        )
        assert banner.get_attribute("role") == "status"
        context.unroute("**/tableau*")
        expect(banner).to_contain_text("Connexion rétablie", timeout=LIVE_TIMEOUT_MS)
    finally:
        context.close()
