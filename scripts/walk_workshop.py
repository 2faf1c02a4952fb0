"""A whole co-development workshop, walked as people would, for a person to look at: a
counsellor and six associations on phones in headless Chromium with the htmx CDN blocked —
join, the board and its projection, two rounds (timer, problem, suggestions from phones, chosen
pistes, pitch practice with feedback), the synthesis and take-away PDFs, freezing the results,
then a follow-up session six months later with the associations' before/after.

Screenshots and PDFs (rendered to PNG) go to $SHOTS (default /tmp/walk12); it prints whether
each projected screen fits 1920×1080 and 1280×720 and any page or console error.

    .venv/bin/python scripts/walk_workshop.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

ROOT = Path(os.environ.get("APP_ROOT", "/work/main"))
sys.path.insert(0, str(ROOT))
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from tests.test_cards import BIKE_WORKSHOP, HOME_CARE_EMPLOYER, SPORTS_CLUB  # noqa: E402

from app.questionnaire.loader import load_questionnaire  # noqa: E402
from tests.utils.answers import full_answers  # noqa: E402
from tests.utils.browser import CHROMIUM_ARGS, htmx_copy_used, route_htmx_cdn  # noqa: E402
from tests.utils.live_server import live_server  # noqa: E402

SHOTS = Path(os.environ.get("SHOTS", "/tmp/walk12"))
SHOTS.mkdir(parents=True, exist_ok=True)
PASSWORD = "une phrase de passe assez longue"
Q = load_questionnaire(ROOT / "questionnaires")
errors: list[str] = []


def fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def pdf_pages(content: bytes, name: str) -> None:
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(SHOTS / name)], check=True)
    print(
        name,
        subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)
        .stdout.split("Pages:")[1]
        .split()[0],
        "pages",
    )


ASSOCIATIONS = [
    ("Les Jardins du Lac", "named", None),
    ("US Campagne", "named", SPORTS_CLUB),
    ("Aide à Domicile du Haut-Jura", "named", HOME_CARE_EMPLOYER),
    ("L'Atelier Vélo Solidaire", "named", BIKE_WORKSHOP),
    ("Compagnie des Tréteaux", "anonymous", None),
    ("Épicerie Solidaire de Gex", "anonymous", None),
]


def answers_for(name, base):
    answers = full_answers(Q, name=name)
    if base:
        answers.update(base)
        answers[Q.definition.roles.association_name] = name
    return answers


def main():
    db = SHOTS / "walk.sqlite3"
    if db.exists():
        db.unlink()
    with (
        live_server(
            f"sqlite:///{db}", LOGIN_RATE_LIMIT="100/minute", JOIN_RATE_LIMIT="100/minute"
        ) as base,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        def person(**options):
            context = browser.new_context(locale="fr-FR", **options)
            route_htmx_cdn(context, "cdn-blocked")
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    m.type == "error"
                    and "ERR_CONNECTION_REFUSED" not in m.text
                    and errors.append(m.text)
                ),
            )
            return page

        phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
        c = person(viewport={"width": 1280, "height": 800})
        c.goto(f"{base}/compte/inscription")
        c.get_by_label("Adresse électronique").fill(f"camille-{uuid.uuid4().hex[:6]}@dla01.example")
        c.get_by_label("Votre nom").fill("Camille Martin")
        c.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
        c.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
        c.get_by_role("button", name="Créer mon compte").click()
        c.goto(f"{base}/ateliers/nouveau")
        c.get_by_label("Titre").fill("Atelier MSE du Pays de Gex")
        c.get_by_label("Date").fill("2026-06-02")
        c.get_by_label("Lieu ou territoire").fill("Gex (Ain)")
        c.get_by_role("button", name="Créer l'atelier").click()
        board_url = c.url
        wid = board_url.rstrip("/").rsplit("/", 1)[1]
        code = c.locator("span.join-code").inner_text().strip()
        c.screenshot(path=SHOTS / "01-board-empty.png", full_page=True)

        phones, links = [], []
        for i, (name, sharing, base_answers) in enumerate(ASSOCIATIONS):
            p = person(**phone)
            p.goto(f"{base}/rejoindre")
            p.get_by_label("Code de l'atelier").fill(code.lower())
            p.get_by_role("button", name="Continuer").click()
            label = "avec le nom de mon association" if sharing == "named" else "anonymement"
            p.get_by_label(label, exact=False).check()
            if i == 4:
                p.screenshot(path=SHOTS / "02-join-phone.png", full_page=True)
            p.get_by_role("button", name="Rejoindre l'atelier").click()
            link = p.locator("#resume-url").input_value()
            token = link.rsplit("/d/", 1)[1]
            r = httpx.put(
                f"{base}/api/diagnostics/{token}/answers", json=answers_for(name, base_answers)
            )
            assert r.status_code == 200, r.text
            phones.append(p)
            links.append(link)
        assert htmx_copy_used(phones[0]) == "local"
        (SHOTS / "links.json").write_text(json.dumps({"base": base, "links": links, "wid": wid}))

        # Board and projection
        c.goto(board_url)
        c.screenshot(path=SHOTS / "03-board.png", full_page=True)
        proj = person(viewport={"width": 1920, "height": 1080})
        # sign the projection page in through the counsellor's cookies
        proj.context.add_cookies(c.context.cookies())
        proj.goto(f"{board_url}/projection")
        print("projection fits 1920:", fits(proj))
        proj.screenshot(path=SHOTS / "04-projection-1920.png")
        proj.set_viewport_size({"width": 1280, "height": 720})
        print("projection fits 1280:", fits(proj))
        proj.screenshot(path=SHOTS / "05-projection-1280.png")

        # Round 1: participant 1 (named) agreed from their phone; short phases
        phones[0].goto(links[0])
        phones[0].get_by_role("link", name="Tour de co-développement").click()
        phones[0].get_by_role(
            "button", name="Je suis d'accord pour présenter ma situation lors d'un tour"
        ).click()
        phones[0].screenshot(path=SHOTS / "08a-phone-consent.png", full_page=True)
        c.goto(f"{board_url}/participants/1/tour")
        c.get_by_role("button", name="Ouvrir le tour").click()
        c.get_by_text("Régler les durées").click()
        for field in c.locator("form[action$='/tour/durees'] input[type=number]").all():
            field.fill("2")
        c.get_by_role("button", name="Enregistrer les durées").click()
        c.get_by_role("button", name=re.compile("Présentation")).first.click()
        proj.set_viewport_size({"width": 1920, "height": 1080})
        proj.goto(f"{board_url}/participants/1")
        presenter = phones[0]
        presenter.goto(links[0])
        presenter.get_by_role("link", name="Tour de co-développement").click()
        presenter.get_by_label("Le problème apporté").fill(
            "Notre principale subvention (la commune) baisse de 30 % l'an prochain : "
            "comment ne plus dépendre d'un seul financeur ?"
        )
        presenter.get_by_role("button", name="Enregistrer le problème").click()
        c.get_by_role("button", name=re.compile("Suggestions des pairs")).click()
        for j, text in (
            (1, "Ouvrir un jardin partagé payant pour les entreprises voisines"),
            (2, "Demander une convention pluriannuelle à l'intercommunalité"),
            (3, "Lancer une campagne de dons avec la Fondation du patrimoine"),
        ):
            peer = phones[j]
            peer.goto(links[j])
            peer.get_by_role("link", name="Tour de co-développement").click()
            peer.get_by_label("Votre suggestion").fill(text)
            peer.get_by_role("button", name="Envoyer la suggestion").click()
        expect(proj.locator("#round-live")).to_contain_text(
            "Fondation du patrimoine", timeout=15000
        )
        proj.screenshot(path=SHOTS / "06-round-1920.png")
        print("round fits 1920:", fits(proj))
        proj.set_viewport_size({"width": 1280, "height": 720})
        print("round fits 1280:", fits(proj))
        proj.screenshot(path=SHOTS / "07-round-1280.png")
        phones[2].screenshot(path=SHOTS / "08-phone-peer-round.png", full_page=True)
        presenter.reload()
        presenter.get_by_label("Piste", exact=True).first.select_option("__own__")
        presenter.locator("#title-0").fill("Convention pluriannuelle avec l'intercommunalité")
        presenter.locator("#first_step-0").fill("Prendre rendez-vous avec la vice-présidente")
        presenter.locator("#owner-0").fill("Le président")
        presenter.locator("#due-0").fill("2026-09-30")
        presenter.get_by_role("button", name="Enregistrer les pistes choisies").click()
        presenter.screenshot(path=SHOTS / "09-phone-presenter.png", full_page=True)
        # Pitch practice
        c.get_by_role("button", name=re.compile("Entraînement au pitch")).click()
        pitch = proj
        pitch.set_viewport_size({"width": 1920, "height": 1080})
        pitch.goto(f"{board_url}/participants/1/pitch")
        for j in (1, 3):
            phones[j].reload()
            phones[j].get_by_label("Ce qui était clair").fill("Le projet et le public")
            phones[j].get_by_label("Ce qu'un partenaire demanderait").fill(
                "Quel budget sur trois ans ?"
            )
            phones[j].get_by_label("Une amélioration").fill("Chiffrer l'impact")
            phones[j].get_by_role("button", name="Envoyer mon retour").click()
        expect(pitch.locator("#pitch-live")).to_contain_text("2 retours", timeout=15000)
        pitch.screenshot(path=SHOTS / "10-pitch-1920.png")
        print("pitch fits 1920:", fits(pitch))
        pitch.set_viewport_size({"width": 1280, "height": 720})
        print("pitch fits 1280:", fits(pitch))
        pitch.screenshot(path=SHOTS / "11-pitch-1280.png")

        # Round 2: participant 5 (anonymous); the counsellor writes for them
        c.goto(f"{board_url}/participants/5/tour")
        c.get_by_role("button", name="Ouvrir le tour").click()
        c.screenshot(path=SHOTS / "12a-confirm-open.png", full_page=True)
        c.get_by_role("button", name="Il est d'accord : ouvrir son tour").click()
        c.get_by_role("textbox", name="Le problème apporté").fill(
            "Les bénévoles s'essoufflent et personne ne veut reprendre la présidence."
        )
        c.get_by_role("button", name="Enregistrer le problème").click()
        c.get_by_label("Votre suggestion").fill("Un binôme de coprésidence avec des mandats courts")
        c.get_by_role("button", name="Envoyer la suggestion").click()
        phones[5].goto(links[5])
        phones[5].get_by_role("link", name="Tour de co-développement").click()
        phones[5].get_by_label("Votre suggestion").fill(
            "Valoriser les heures de bénévolat auprès des financeurs"
        )
        phones[5].get_by_role("button", name="Envoyer la suggestion").click()
        c.reload()
        c.get_by_label("Piste", exact=True).first.select_option(index=1)
        c.locator("#first_step-0").fill("Réunir les bénévoles en septembre")
        c.locator("#owner-0").fill("La secrétaire")
        c.get_by_role("button", name="Enregistrer les pistes choisies").click()
        c.screenshot(path=SHOTS / "12-controls.png", full_page=True)
        proj.set_viewport_size({"width": 1920, "height": 1080})
        proj.goto(f"{board_url}/participants/5")
        proj.screenshot(path=SHOTS / "13-round-anon-1920.png")

        # Synthesis and exports
        s = c.request.get(f"{board_url}/synthese.pdf")
        assert s.status == 200
        pdf_pages(s.body(), "14-synthesis")
        csv = c.request.get(f"{board_url}/resultats.csv")
        (SHOTS / "resultats.csv").write_bytes(csv.body())
        data = c.request.get(f"{board_url}/donnees.json")
        (SHOTS / "donnees.json").write_bytes(data.body())
        # Participant take-away
        phones[0].goto(links[0])
        g = phones[0].get_by_role("link", name=re.compile("groupe", re.I)).first
        g.click()
        phones[0].screenshot(path=SHOTS / "15-group-phone.png", full_page=True)
        t = phones[0].get_by_role("link", name=re.compile("PDF", re.I)).first
        href = t.get_attribute("href")
        pdf = phones[0].request.get(base + href if href.startswith("/") else href)
        pdf_pages(pdf.body(), "16-bilan")

        # ---- Part 2: freeze, then a follow-up session six months later ----
        c.goto(board_url)
        c.get_by_role("button", name="Figer les résultats").click()
        c.screenshot(path=SHOTS / "20-board-frozen.png", full_page=True)
        proj.set_viewport_size({"width": 1920, "height": 1080})
        proj.goto(f"{board_url}/projection")
        print("frozen projection fits 1920:", fits(proj))
        proj.screenshot(path=SHOTS / "21-projection-frozen-1920.png")
        # A later edit must not change the frozen board
        tok0 = links[0].rsplit("/d/", 1)[1]
        httpx.put(
            f"{base}/api/diagnostics/{tok0}/answers",
            json={Q.definition.roles.association_name: "Les Jardins du Lac (renommée)"},
        )
        c.goto(board_url)
        assert "renommée" not in c.content(), "frozen board changed"
        # Months later: the associations moved on (answers and plan statuses)
        for i in (0, 1, 2, 4):
            tok = links[i].rsplit("/d/", 1)[1]
            a = answers_for(ASSOCIATIONS[i][0], ASSOCIATIONS[i][2])
            for q in Q.resource_questions():
                if q.type == "amount" and q.id in a and isinstance(a[q.id], (int, float)):
                    a[q.id] = int(a[q.id] * (1.6 if "mecenat" in q.id or "dons" in q.id else 0.9))
            # and their practices moved: every Likert answer one step up where possible
            for q in Q.questions.values():
                if q.type == "likert" and q.id in a:
                    ids = [o.id for o in Q.options(q)]
                    if a[q.id] in ids and ids.index(a[q.id]) + 1 < len(ids):
                        a[q.id] = ids[ids.index(a[q.id]) + 1]
            r = httpx.put(f"{base}/api/diagnostics/{tok}/answers", json=a)
            assert r.status_code == 200, r.text
        presenter = phones[0]
        presenter.goto(f"{links[0]}/plan")
        presenter.get_by_label("Où en êtes-vous ?").first.select_option(label="En cours")
        presenter.get_by_role("button", name=re.compile("Enregistrer")).first.click()
        presenter.screenshot(path=SHOTS / "22-plan-status-phone.png", full_page=True)
        c.goto(f"{base}/ateliers/nouveau")
        c.get_by_label("Titre").fill("Atelier MSE du Pays de Gex — suivi")
        c.get_by_label("Date").fill("2026-12-02")
        c.get_by_label("Suite de l'atelier").select_option(index=1)
        c.get_by_role("button", name="Créer l'atelier").click()
        follow_url = c.url
        code2 = c.locator("span.join-code").inner_text().strip()
        for i in (0, 1, 2, 4):
            p = phones[i]
            p.goto(f"{base}/rejoindre")
            p.get_by_label("Code de l'atelier").fill(code2)
            p.get_by_role("button", name="Continuer").click()
            p.get_by_label("Utiliser le diagnostic que j'ai déjà commencé").check()
            p.get_by_label(re.compile("Votre lien de reprise")).fill(links[i])
            label = (
                "avec le nom de mon association" if ASSOCIATIONS[i][1] == "named" else "anonymement"
            )
            p.get_by_label(label, exact=False).check()
            p.get_by_role("button", name="Rejoindre l'atelier").click()
        c.goto(follow_url)
        c.screenshot(path=SHOTS / "23-followup-board.png", full_page=True)
        c.get_by_role("link", name="Avant / après depuis la première séance").click()
        ba = c.url
        proj.goto(ba)
        print("before/after fits 1920:", fits(proj))
        proj.screenshot(path=SHOTS / "24-before-after-1920.png")
        proj.set_viewport_size({"width": 1280, "height": 720})
        print("before/after fits 1280:", fits(proj))
        proj.screenshot(path=SHOTS / "25-before-after-1280.png")
        phones[0].goto(links[0])
        grp = phones[0].get_by_role("link", name=re.compile("groupe", re.I))
        print("group links on home:", grp.count())
        hrefs = [grp.nth(k).get_attribute("href") for k in range(grp.count())]
        for k, href in enumerate(hrefs):
            phones[0].goto(href if href.startswith("http") else base + href)
            phones[0].screenshot(path=SHOTS / f"26-group-phone-{k}.png", full_page=True)
        s2 = c.request.get(f"{follow_url}/synthese.pdf")
        pdf_pages(s2.body(), "27-synthesis-followup")
        print("errors:", errors)
        browser.close()


if __name__ == "__main__":
    main()
