"""One round of co-development end to end in a real headless Chromium, with the htmx CDN
blocked (a filtered venue Wi-Fi): the counsellor opens a participant's round and starts a
phase, the presenter writes the problem from their phone, a peer suggests from theirs, and
the projected round screen shows it all live, with the same countdown, and says when its live
updates stop. Three browser contexts stand for three devices."""

from __future__ import annotations

import os
import re
import uuid

import httpx
import pytest

from tests.utils.answers import full_answers
from tests.utils.browser import CHROMIUM_ARGS, htmx_copy_used, require_chromium, route_htmx_cdn
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_TIMEOUT_MS = 15_000
PASSWORD = "une phrase de passe assez longue"
SHOTS = os.environ.get("ROUND_SHOTS_DIR")  # screenshots for a person to look at, if set
PRESENTER = "Les Jardins du Lac"
PEER = "Compagnie Secrète des Tréteaux"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-rounds") / "rounds.sqlite3"
    with live_server(
        f"sqlite:///{database}", LOGIN_RATE_LIMIT="100/minute", JOIN_RATE_LIMIT="100/minute"
    ) as url:
        yield url


def join(page: Page, base_url: str, code: str, sharing_label: str) -> str:
    page.goto(f"{base_url}/rejoindre")
    page.get_by_label("Code de l'atelier").fill(code)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label(sharing_label, exact=False).check()
    page.get_by_role("button", name="Rejoindre l'atelier").click()
    expect(page).to_have_url(re.compile(r"/d/[^/?]+\?nouveau=1&atelier=1$"))
    return page.locator("#resume-url").input_value()


def fits(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_one_round_end_to_end_with_phones_and_the_cdn_blocked(base_url, questionnaire):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = []

        def person(**options):
            context = browser.new_context(locale="fr-FR", **options)
            route_htmx_cdn(context, "cdn-blocked")
            contexts.append(context)
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            return page

        errors: list[str] = []
        phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
        counsellor = person(viewport={"width": 1920, "height": 1080})
        presenter, peer = person(**phone), person(**phone)
        try:
            counsellor.goto(f"{base_url}/compte/inscription")
            counsellor.get_by_label("Adresse électronique").fill(
                f"c-{uuid.uuid4().hex[:8]}@dla.example"
            )
            counsellor.get_by_label("Votre nom").fill("Camille Martin")
            counsellor.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
            counsellor.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
            counsellor.get_by_role("button", name="Créer mon compte").click()
            counsellor.goto(f"{base_url}/ateliers/nouveau")
            counsellor.get_by_label("Titre").fill("Atelier MSE du Pays de Gex")
            counsellor.get_by_role("button", name="Créer l'atelier").click()
            expect(counsellor).to_have_url(re.compile(r"/ateliers/\d+$"))
            board_url = counsellor.url
            code = counsellor.locator("span.join-code").inner_text().strip()

            presenter_url = join(presenter, base_url, code, "avec le nom de mon association")
            peer_url = join(peer, base_url, code, "anonymement")
            # Answers through the API (the questionnaire itself is driven elsewhere).
            for url, name in ((presenter_url, PRESENTER), (peer_url, PEER)):
                token = url.rsplit("/d/", 1)[1]
                saved = httpx.put(
                    f"{base_url}/api/diagnostics/{token}/answers",
                    json=full_answers(questionnaire, name=name),
                )
                assert saved.status_code == 200, saved.text

            # The presenter agrees, from their phone, to present their situation: the
            # counsellor then opens their round without a confirmation step.
            presenter.goto(presenter_url)
            presenter.get_by_role("link", name="Tour de co-développement").click()
            presenter.get_by_role(
                "button", name="Je suis d'accord pour présenter ma situation lors d'un tour"
            ).click()
            expect(
                presenter.get_by_role("status").filter(has_text="Votre accord est enregistré")
            ).to_be_visible()
            if SHOTS:
                presenter.screenshot(path=f"{SHOTS}/phone-agreed.png", full_page=True)

            # The counsellor opens participant 1's round and starts the suggestions phase.
            counsellor.goto(f"{board_url}/participants/1/tour")
            counsellor.get_by_role("button", name="Ouvrir le tour").click()
            counsellor.get_by_role("button", name=re.compile("Suggestions des pairs")).click()

            # The projected round screen, on a 1080p projector.
            projection = counsellor.context.new_page()
            projection.on("pageerror", lambda error: errors.append(str(error)))
            projection.goto(f"{board_url}/participants/1")
            assert htmx_copy_used(projection) == "local"
            expect(projection.locator("h1")).to_have_text(PRESENTER)
            clock = projection.locator("[data-timer]")
            expect(clock).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
            first = clock.inner_text()
            expect(clock).not_to_have_text(first, timeout=5_000)  # it counts down by itself
            projection.evaluate("window.__marker = 1")

            # The presenter writes the problem from their phone.
            presenter.goto(presenter_url)
            presenter.get_by_role("link", name="Tour de co-développement").click()
            presenter.get_by_label("Le problème apporté").fill(
                "Notre subvention principale baisse de 30 % l'an prochain."
            )
            presenter.get_by_role("button", name="Enregistrer le problème").click()
            expect(presenter.get_by_role("status").filter(has_text="C'est envoyé")).to_be_visible()

            # A peer suggests from their phone; they see the same countdown.
            peer.goto(peer_url)
            peer.get_by_role("link", name="Tour de co-développement").click()
            expect(peer.locator("[data-timer]")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
            peer.get_by_label("Votre suggestion").fill("Un club d'entreprises <mécènes> locales")
            peer.get_by_role("button", name="Envoyer la suggestion").click()
            expect(peer.locator("#round-live")).to_contain_text("Un club d'entreprises")

            # Both arrive on the projection without a reload.
            live = projection.locator("#round-live")
            expect(live).to_contain_text("baisse de 30 %", timeout=LIVE_TIMEOUT_MS)
            expect(live).to_contain_text(
                "Un club d'entreprises <mécènes> locales", timeout=LIVE_TIMEOUT_MS
            )

            # The counsellor corrects the peer's suggestion: the projection follows live.
            counsellor.reload()
            counsellor.locator("#suggestions-gerer summary").first.click()
            counsellor.get_by_label("Texte de la suggestion 1").fill(
                "Un club d'entreprises mécènes du territoire"
            )
            counsellor.get_by_role("button", name="Enregistrer la modification").click()
            expect(
                counsellor.get_by_role("status").filter(has_text="Suggestion modifiée")
            ).to_be_visible()
            expect(live).to_contain_text(
                "Un club d'entreprises mécènes du territoire", timeout=LIVE_TIMEOUT_MS
            )

            # The presenter chooses the piste: it lands in their plan and on the screen.
            presenter.get_by_label("Piste", exact=True).first.select_option("__own__")
            presenter.locator("#title-0").fill("Club d'entreprises mécènes")
            presenter.locator("#first_step-0").fill("Lister dix entreprises du territoire")
            presenter.locator("#owner-0").fill("La trésorière")
            presenter.get_by_role("button", name="Enregistrer les pistes choisies").click()
            expect(live).to_contain_text("Club d'entreprises mécènes", timeout=LIVE_TIMEOUT_MS)
            assert projection.evaluate("window.__marker") == 1  # never reloaded

            # The counsellor adds the room's spoken suggestions: a busy round still fits.
            for index in range(12):
                counsellor.get_by_label("Votre suggestion").fill(
                    f"Suggestion {index + 2} : rencontrer la fondation du territoire"
                )
                counsellor.get_by_role("button", name="Envoyer la suggestion").click()
            expect(live).to_contain_text("Suggestion 13", timeout=LIVE_TIMEOUT_MS)

            # The screen fits a 1080p and a 720p projector without scrolling.
            assert fits(projection)
            if SHOTS:
                projection.screenshot(path=f"{SHOTS}/round-1920.png")
            projection.set_viewport_size({"width": 1280, "height": 720})
            assert fits(projection)
            if SHOTS:
                projection.screenshot(path=f"{SHOTS}/round-1280.png")
                peer.screenshot(path=f"{SHOTS}/round-phone-peer.png", full_page=True)
                presenter.screenshot(path=f"{SHOTS}/round-phone-presenter.png", full_page=True)

            # Pitch practice: the counsellor starts the pitch phase, the sheet is projected, a
            # peer gives feedback from their phone and the presenter gets it back.
            counsellor.get_by_role("button", name=re.compile("Entraînement au pitch")).click()
            pitch = counsellor.context.new_page()
            pitch.set_viewport_size({"width": 1920, "height": 1080})
            pitch.goto(f"{board_url}/participants/1/pitch")
            expect(pitch.locator("[data-timer]")).to_have_text(re.compile(r"^(3:00|2:[0-5]\d)$"))
            peer.reload()
            peer.get_by_label("Ce qu'un partenaire demanderait").fill("Quel budget pour un an ?")
            peer.get_by_role("button", name="Envoyer mon retour").click()
            expect(pitch.locator("#pitch-live")).to_contain_text(
                "1 retour reçu", timeout=LIVE_TIMEOUT_MS
            )
            presenter.reload()
            expect(presenter.locator("#retours-titre + ol")).to_contain_text(
                "Quel budget pour un an ?"
            )
            assert fits(pitch)
            if SHOTS:
                pitch.screenshot(path=f"{SHOTS}/pitch-1920.png")
            pitch.set_viewport_size({"width": 1280, "height": 720})
            assert fits(pitch)
            if SHOTS:
                pitch.screenshot(path=f"{SHOTS}/pitch-1280.png")

            # When the polls stop getting through, the screen says so.
            projection.route(re.compile(r".*/direct.*"), lambda route: route.abort())
            expect(projection.locator("#connection-status")).to_contain_text(
                "interrompue", timeout=LIVE_TIMEOUT_MS
            )
            assert errors == []
        finally:
            for context in contexts:
                context.close()
            browser.close()
