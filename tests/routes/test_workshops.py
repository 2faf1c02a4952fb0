"""Co-development workshops over HTTP: counsellor accounts, workshops, joining, sharing,
leaving, the live dashboard, focus view, pitch sheet, synthesis and exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.workshops.codes import ALPHABET, display_code, new_join_code, normalise_code
from tests.utils.answers import full_answers
from tests.utils.clients import csrf_ready
from tests.utils.pdf import pdf_text
from tests.utils.settings import make_settings
from tests.utils.workshops import PASSWORD, answer, create_workshop, join, sign_up

# --- Join codes -----------------------------------------------------------------------------


def test_join_codes_use_an_unambiguous_alphabet_and_forgive_typing():
    codes = {new_join_code() for _ in range(200)}
    assert all(len(code) == 6 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01OIL") & set(ALPHABET)
    assert len(codes) > 190
    assert normalise_code(" k7m-q2x ") == "K7MQ2X"
    assert display_code("K7MQ2X") == "K7M-Q2X"
    # A zero typed for an O, a one or an L for an I never matches a code (never issued).
    assert normalise_code("0l1") == "OII"


# --- Accounts -------------------------------------------------------------------------------


def test_sign_up_signs_in_with_a_safe_session_cookie(client):
    response = client.post(
        "/compte/inscription",
        data={
            "email": " Camille@DLA69.fr ",
            "name": "Camille",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "mse_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the HTTPS test below
    token = re.search(r"mse_session=([^;]+)", cookie).group(1)
    assert len(token) >= 43  # 256 random bits
    page = client.get("/ateliers")
    assert page.status_code == 200 and "Mes ateliers" in page.text


def test_session_cookie_is_secure_over_https(client):
    secure = csrf_ready(TestClient(client.app, base_url="https://testserver"))
    response = secure.post(
        "/compte/inscription",
        data={"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD},
        follow_redirects=False,
    )
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "pas-une-adresse"}, "email", "Adresse électronique invalide"),
        ({"password": "court", "confirm": "court"}, "password", "au moins 10"),
        ({"confirm": "autre chose encore"}, "confirm", "pas identiques"),
        ({"name": "   "}, "name", "Indiquez votre nom"),
    ],
)
def test_sign_up_errors_name_the_field(client, fields, field, message):
    data = {"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD, **fields}
    response = client.post("/compte/inscription", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="f-{field}-error"' in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.slow
def test_an_email_has_one_account(client, browser):
    sign_up(client, "camille@dla69.fr")
    other = browser()
    data = {"email": "CAMILLE@dla69.fr", "name": "X", "password": PASSWORD, "confirm": PASSWORD}
    response = other.post("/compte/inscription", data=data)
    assert response.status_code == 422
    assert "existe déjà" in response.text


@pytest.mark.slow
def test_sign_in_sign_out_and_wrong_password(client, browser):
    sign_up(client)
    visitor = browser()
    wrong = visitor.post(
        "/compte/connexion", data={"email": "camille@dla69.fr", "password": "x" * 12}
    )
    assert wrong.status_code == 401 and "incorrect" in wrong.text
    unknown = visitor.post(
        "/compte/connexion", data={"email": "nobody@dla69.fr", "password": PASSWORD}
    )
    assert unknown.status_code == 401 and "incorrect" in unknown.text
    # After signing in, the visitor is sent where they were going (a local path only).
    page = visitor.get("/ateliers/nouveau")
    assert page.url.path == "/compte/connexion"
    signed_in = visitor.post(
        "/compte/connexion",
        data={"email": "Camille@dla69.fr", "password": PASSWORD, "next": "/ateliers/nouveau"},
    )
    assert signed_in.url.path == "/ateliers/nouveau"
    outside = visitor.post(
        "/compte/connexion",
        data={"email": "camille@dla69.fr", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert outside.url.path == "/ateliers" and outside.url.host == "testserver"
    visitor.post("/compte/deconnexion")
    assert visitor.get("/ateliers").url.path == "/compte/connexion"


@pytest.mark.slow
def test_password_change_signs_out_other_browsers(client, browser):
    sign_up(client)
    laptop = browser()
    laptop.post("/compte/connexion", data={"email": "camille@dla69.fr", "password": PASSWORD})
    assert laptop.get("/ateliers").url.path == "/ateliers"
    new = "une autre phrase de passe"
    bad = client.post(
        "/compte/mot-de-passe", data={"current": "faux" * 3, "password": new, "confirm": new}
    )
    assert bad.status_code == 422 and "actuel incorrect" in bad.text
    done = client.post(
        "/compte/mot-de-passe", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert done.status_code == 200 and "a été modifié" in done.text
    assert client.get("/ateliers").url.path == "/ateliers"  # this browser stays signed in
    assert laptop.get("/ateliers").url.path == "/compte/connexion"
    fresh = browser()
    assert (
        fresh.post(
            "/compte/connexion", data={"email": "camille@dla69.fr", "password": new}
        ).url.path
        == "/ateliers"
    )


@pytest.mark.slow
def test_sign_in_is_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app

    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="3/minute"))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        codes = [
            visitor.post(
                "/compte/connexion", data={"email": "x@y.fr", "password": "z" * 12}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        last = visitor.post("/compte/connexion", data={"email": "x@y.fr", "password": "z" * 12})
        assert last.status_code == 429
        assert int(last.headers["retry-after"]) > 0
        assert "Trop de tentatives" in last.text


def test_signup_can_be_switched_off(database_url):
    from app.main import create_app

    app = create_app(make_settings(database_url, allow_signup=False))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        assert visitor.get("/compte/inscription").status_code == 403
        data = {"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD}
        assert visitor.post("/compte/inscription", data=data).status_code == 403


# --- Workshops and joining ------------------------------------------------------------------


def test_workshop_form_errors_name_the_field_and_keep_the_input(client):
    sign_up(client)
    response = client.post(
        "/ateliers", data={"title": "  ", "held_on": "31/02/2026", "place": "Lyon", "notes": "n"}
    )
    assert response.status_code == 422
    assert "Donnez un titre" in response.text and "Date invalide" in response.text
    assert 'value="Lyon"' in response.text
    assert client.get("/ateliers").text.count("/ateliers/") <= 2  # nothing was created


@pytest.mark.parametrize("typed", ["31/12/9999", "9999-12-31", "01/01/1999", "0001-01-01"])
def test_a_workshop_date_outside_2000_2100_is_refused(client, typed):
    """A year-9999 date once broke the retention purge (OverflowError): refused by the form."""
    sign_up(client)
    response = client.post("/ateliers", data={"title": "Atelier", "held_on": typed})
    assert response.status_code == 422
    assert "Date hors limites : choisissez une date entre 2000 et 2100." in response.text
    assert f'value="{typed}"' in response.text
    edge = client.post("/ateliers", data={"title": "Atelier", "held_on": "31/12/2100"})
    assert edge.status_code == 200 and "31 décembre 2100" in edge.text
    # Digits of another script are not read as a date either.
    arabic = client.post("/ateliers", data={"title": "Atelier", "held_on": "٢٣/١١/٢٠٢٦"})
    assert arabic.status_code == 422 and "Date invalide" in arabic.text


def test_joining_with_a_code_creates_a_diagnostic_linked_to_the_workshop(client, browser):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    landing = participant.get("/")
    assert 'href="/rejoindre"' in landing.text
    typed = code.lower().replace("-", " ")
    page = participant.post("/rejoindre", data={"code": typed})
    assert page.url.path == f"/rejoindre/{code.replace('-', '')}"
    assert "Atelier MSE du Rhône" in page.text
    home = participant.post(page.url.path, data={"diagnostic": "new", "sharing": "anonymous"})
    assert "/d/" in home.url.path and "Vous avez rejoint l'atelier" in home.text
    assert "Gardez ce lien" in home.text
    assert "participant n° 1" in home.text
    board = client.get(f"/ateliers/{workshop_id}/tableau")
    assert 'data-number="1"' in board.text


def test_join_refuses_a_missing_choice_or_an_unknown_resume_link(client, browser):
    sign_up(client)
    _, code = create_workshop(client)
    participant = browser()
    code = code.replace("-", "")
    no_sharing = participant.post(f"/rejoindre/{code}", data={"diagnostic": "new"})
    assert no_sharing.status_code == 422 and "Choisissez comment" in no_sharing.text
    bad_link = participant.post(
        f"/rejoindre/{code}",
        data={
            "diagnostic": "existing",
            "resume_link": "https://x.fr/d/pas-un-vrai-lien-du-tout",
            "sharing": "named",
        },
    )
    assert bad_link.status_code == 422 and "ne correspond à aucun diagnostic" in bad_link.text
    unknown = participant.post("/rejoindre", data={"code": "ZZZ-ZZZ"})
    assert unknown.status_code == 404 and "Aucun atelier" in unknown.text
    assert participant.get("/rejoindre/ZZZZZZ").status_code == 404


def test_an_existing_diagnostic_joins_through_its_resume_link(client, browser, questionnaire):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    started = participant.post("/diagnostics")
    token = started.url.path.split("/")[2]
    answer(participant, token, full_answers(questionnaire, name="Déjà Commencée"))
    link = f"http://testserver/d/{token}/resultats"
    joined = participant.post(
        f"/rejoindre/{code.replace('-', '')}",
        data={"diagnostic": "existing", "resume_link": link, "sharing": "named"},
    )
    assert joined.url.path == f"/d/{token}"
    assert "Gardez ce lien" not in joined.text  # not a new diagnostic
    # Joining again does not add a second participant.
    participant.post(
        f"/rejoindre/{code.replace('-', '')}",
        data={"diagnostic": "existing", "resume_link": token, "sharing": "named"},
    )
    board = client.get(f"/ateliers/{workshop_id}/tableau").text
    assert board.count("<tr data-number=") == 1
    assert "Déjà Commencée" in board


def test_a_closed_workshop_accepts_nobody_new(client, browser):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    client.post(f"/ateliers/{workshop_id}/ouverture", data={"open": "0"})
    participant = browser()
    response = participant.post("/rejoindre", data={"code": code})
    assert response.status_code == 410 and "fermé" in response.text
    direct = participant.post(
        f"/rejoindre/{code.replace('-', '')}", data={"diagnostic": "new", "sharing": "named"}
    )
    assert direct.status_code == 410
    client.post(f"/ateliers/{workshop_id}/ouverture", data={"open": "1"})
    assert participant.post("/rejoindre", data={"code": code}).status_code == 200


def test_participants_choose_sharing_and_can_leave(client, workshop):
    named, named_token = workshop["named"]
    board = client.get(f"/ateliers/{workshop['id']}/tableau").text
    assert "Les Jardins Partagés" in board
    assert "Association Secrète" not in board
    assert "Participant n° 2" in board

    # The named participant switches to anonymous: their name leaves the dashboard.
    home = named.get(f"/d/{named_token}").text
    participant_id = re.search(r"/ateliers/(\d+)/partage", home).group(1)
    changed = named.post(
        f"/d/{named_token}/ateliers/{participant_id}/partage", data={"sharing": "anonymous"}
    )
    assert "Votre choix de partage est enregistré" in changed.text
    board = client.get(f"/ateliers/{workshop['id']}/tableau").text
    assert "Les Jardins Partagés" not in board
    # Their round screen now shows them by number only.
    screen = client.get(f"/ateliers/{workshop['id']}/participants/1")
    assert screen.status_code == 200 and "Les Jardins Partagés" not in screen.text

    # Leaving removes them from the group; their diagnostic stays.
    left = named.post(f"/d/{named_token}/ateliers/{participant_id}/quitter")
    assert "Vous avez quitté l'atelier" in left.text
    board = client.get(f"/ateliers/{workshop['id']}/tableau").text
    assert 'data-number="1"' not in board and 'data-number="2"' in board
    assert named.get(f"/d/{named_token}/resultats").status_code == 200

    # Someone joining later gets a new number, never a freed one.
    newcomer = csrf_ready(TestClient(client.app))
    join(newcomer, workshop["code"].replace("-", ""), "named")
    board = client.get(f"/ateliers/{workshop['id']}/tableau").text
    assert 'data-number="3"' in board


def test_a_participant_cannot_touch_another_participation(client, workshop):
    named, named_token = workshop["named"]
    anonymous, anonymous_token = workshop["anonymous"]
    other_id = re.search(
        r"/ateliers/(\d+)/partage", anonymous.get(f"/d/{anonymous_token}").text
    ).group(1)
    for action, data in (("partage", {"sharing": "named"}), ("quitter", {})):
        response = named.post(f"/d/{named_token}/ateliers/{other_id}/{action}", data=data)
        assert response.status_code == 404
    board = client.get(f"/ateliers/{workshop['id']}/tableau").text
    assert "Association Secrète" not in board and 'data-number="2"' in board


# --- Dashboard, focus, pitch, exports -------------------------------------------------------


def test_dashboard_shows_the_group(client, workshop, questionnaire):
    page = client.get(f"/ateliers/{workshop['id']}")
    assert page.status_code == 200
    assert 'hx-trigger="every 3s"' in page.text
    assert page.text.count('class="map-point"') == 2
    assert "La carte du groupe" in page.text
    for lever in questionnaire.definition.levers:
        assert lever.label.get("fr") in page.text
    assert "Modèles dominants" in page.text and "Points faibles communs" in page.text
    assert "2 participants, 2 placés sur la carte" in " ".join(page.text.split())
    # The text equivalent of the map names nobody who chose to be anonymous.
    assert "Association Secrète" not in page.text
    projector = client.get(f"/ateliers/{workshop['id']}/projection")
    assert 'class="projector"' in projector.text and "?projection=1" in projector.text
    code_page = client.get(f"/ateliers/{workshop['id']}/code")
    assert workshop["code"] in code_page.text and "<svg" in code_page.text
    qr = client.get(f"/ateliers/{workshop['id']}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert b'xmlns="http://www.w3.org/2000/svg"' in qr.content  # a file that opens on its own


def test_focus_view_and_pitch_sheet_of_a_named_participant(client, workshop):
    named, named_token = workshop["named"]
    saved = named.post(
        f"/d/{named_token}/fiche", data={"partner_request": "Un local <b>et</b> du mécénat"}
    )
    assert "est enregistrée" in saved.text
    assert "Un local &lt;b&gt;et&lt;/b&gt; du mécénat" in saved.text

    focus = client.get(f"/ateliers/{workshop['id']}/participants/1")
    assert focus.status_code == 200
    # The round screen: the association, its placement map and its lever scores.
    assert "Les Jardins Partagés" in focus.text and 'id="round-map' in focus.text

    pdf = client.get(f"/ateliers/{workshop['id']}/participants/1/fiche.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1  # one page, as a pitch sheet should be
    # Accessible PDF: language, title and a structure tree for screen readers.
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.metadata.title == "Fiche pitch — Les Jardins Partagés"
    text = pdf_text(pdf.content)
    assert "Les Jardins Partagés" in text and "Un local <b>et</b> du mécénat" in text
    assert "Ce que nous recherchons" in text

    own = named.get(f"/d/{named_token}/fiche.pdf")
    assert own.status_code == 200 and "Les Jardins Partagés" in pdf_text(own.content)


def test_pitch_request_errors_keep_what_was_saved(client, workshop):
    named, token = workshop["named"]
    named.post(f"/d/{token}/fiche", data={"partner_request": "Des bénévoles"})
    # The text is the questionnaire's answer: its question's limit applies.
    current = named.app.state.store.current
    limit = current.questions[current.definition.roles.partners_sought].text_max_length
    too_long = named.post(f"/d/{token}/fiche", data={"partner_request": "x" * (limit + 1)})
    assert too_long.status_code == 422 and "dépasse" in too_long.text
    assert 'id="f-partner_request-error"' in too_long.text
    assert "Des bénévoles" in named.get(f"/d/{token}/fiche").text


def test_anonymous_participant_is_never_named_in_focus_exports_or_synthesis(client, workshop):
    base = f"/ateliers/{workshop['id']}"
    # The round screen shows an anonymous participant by number; the pitch sheet stays theirs.
    screen = client.get(f"{base}/participants/2")
    assert screen.status_code == 200 and "Association Secrète" not in screen.text
    assert client.get(f"{base}/participants/2/fiche.pdf").status_code == 403
    assert client.get(f"{base}/participants/9").status_code == 404

    exported = client.get(f"{base}/resultats.json").json()
    rows = {row["number"]: row for row in exported["participants"]}
    assert rows[1]["association"] == "Les Jardins Partagés"
    assert rows[2]["association"] is None and rows[2]["sharing"] == "anonymous"
    assert set(rows[1]["levers"]) == {lv for lv in exported["levers"]}
    assert abs(sum(rows[1]["weights"].values()) - 1) < 0.01

    text = client.get(f"{base}/resultats.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:3] == ["N°", "Association", "Partage"]
    assert table[1][1] == "Les Jardins Partagés" and table[2][1] == "Participant n° 2"
    assert "Association Secrète" not in text

    synthesis = client.get(f"{base}/synthese.pdf")
    assert synthesis.headers["content-type"] == "application/pdf"
    text = pdf_text(synthesis.content)
    assert "Atelier MSE du Rhône" in text and "Les Jardins Partagés" in text
    assert "Participant n° 2" in text and "Association Secrète" not in text


def test_csv_export_neutralises_spreadsheet_formulas(client, browser, questionnaire):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code.replace("-", ""), "named")
    answer(participant, token, full_answers(questionnaire, name='=HYPERLINK("http://x","y")'))
    text = client.get(f"/ateliers/{workshop_id}/resultats.csv").content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[1].startswith("'=")


def test_editing_and_deleting_a_workshop_keeps_the_diagnostics(client, workshop):
    base = f"/ateliers/{workshop['id']}"
    edited = client.post(
        f"{base}/modifier", data={"title": "Nouveau titre", "held_on": "04/12/2026"}
    )
    assert edited.url.path == base and "Nouveau titre" in edited.text
    assert "4 décembre 2026" in edited.text
    client.post(f"{base}/supprimer")
    assert client.get(base).status_code == 404
    named, token = workshop["named"]
    home = named.get(f"/d/{token}")
    assert home.status_code == 200 and "Vos ateliers" not in home.text


def test_counsellor_and_join_pages_speak_english(client, browser, workshop, questionnaire):
    """With the English cookie, the workshop list, the board, the join page, the account page
    and the CSV export are in English, with no French chrome left."""

    def text_of(response) -> str:
        assert response.status_code == 200, response.text
        assert '<html lang="en"' in response.text
        return " ".join(response.text.split())

    client.cookies.set("lang", "en")
    pages = {
        "list": client.get("/ateliers"),
        "board": client.get(f"/ateliers/{workshop['id']}"),
        "account": client.get("/compte"),
    }
    visitor = browser()
    visitor.cookies.set("lang", "en")
    pages["join"] = visitor.get(f"/rejoindre/{workshop['code']}")
    expected = {
        "list": ["<h1>My workshops</h1>", "Your workshops, newest first", "Create a workshop"],
        "board": [
            "To join the workshop",
            "The group map",
            "Dominant models",
            "Shared weak spots",
            "2 participants, 2 placed on the map, 2 questionnaires complete (every part answered).",
            "Participant no. 2",
            "(anonymous)",
            "Exports and management",
            "Close the workshop to new participants",
            'aria-label="QR code of the link to join"',
        ],
        "join": [
            "Join the workshop “Atelier MSE du Rhône”",
            "How your results appear to the group",
            "Share my results anonymously (a number instead of the name)",
            "Start a new self-assessment",
        ],
        "account": ["<h1>My account</h1>", "Change password", "Current password"],
    }
    absent = {
        "list": ["Mes ateliers", "Vos ateliers", "Créer un atelier", "Lieu ou territoire"],
        "board": [
            "Pour rejoindre",
            "La carte du groupe",
            "Modèles dominants",
            "Points faibles communs",
            "placés sur la carte",
            "Participant n°",
            "(anonyme)",
            "Exports et gestion",
            "Fermer l'atelier",
            "Fil d'Ariane",
        ],
        "join": ["Rejoindre l", "Comment vos résultats", "Partager mes résultats", "obligatoire"],
        "account": ["Mon compte", "Changer de mot de passe", "Mot de passe actuel", "Fil d'Ariane"],
    }
    for name, response in pages.items():
        page = text_of(response)
        for english in expected[name]:
            assert english in page, (name, english)
        for french in absent[name]:
            assert french not in page, (name, french)
    for lever in questionnaire.definition.levers:
        assert lever.label.get("en") in pages["board"].text

    # The CSV a person opens follows the language too (headers, separators, labels).
    text = client.get(f"/ateliers/{workshop['id']}/resultats.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["No.", "Association", "Sharing"]
    assert table[2][1:3] == ["Participant no. 2", "anonymous"]


# --- Access control -------------------------------------------------------------------------


def workshop_routes() -> list[tuple[str, str]]:
    """Every (method, path) under /ateliers/{workshop_id}: a new route is covered by the
    access tests below without anyone having to remember to add it."""
    from app.routes import workshops

    found = []
    for route in workshops.router.routes:
        path = getattr(route, "path", "")
        if path.startswith("/ateliers/{workshop_id}"):
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, path))
    return found


def fill(path: str, workshop_id: str, number: str = "1") -> str:
    return path.replace("{workshop_id}", workshop_id).replace("{number}", number)


def test_every_workshop_route_is_refused_to_others(client, browser, workshop):
    routes = workshop_routes()
    assert len(routes) >= 15
    intruder = browser()
    sign_up(intruder, "intrus@ailleurs.fr", "Intrus")
    anonymous_visitor = csrf_ready(TestClient(client.app, follow_redirects=False))
    own = str(workshop["id"])
    for method, path in routes:
        # Another counsellor: not found, as if the workshop did not exist.
        response = intruder.request(method, fill(path, own))
        assert response.status_code == 404, (method, path, response.status_code)
        # Guessed or mangled ids: not found either (never 422 or 500).
        for guess in (str(workshop["id"] + 1000), "0", "abc", "-1", "1e3", "９"):
            response = client.request(method, fill(path, guess))
            assert response.status_code == 404, (method, path, guess, response.status_code)
        # Nobody signed in: sent to the sign-in page (GET) or refused (POST).
        response = anonymous_visitor.request(method, fill(path, own))
        if method == "GET":
            assert response.status_code == 303
            assert response.headers["location"].startswith("/compte/connexion")
        else:
            assert response.status_code == 401
    # The owner still gets through, and a participant's data was never touched.
    assert client.get(f"/ateliers/{own}").status_code == 200
    assert client.get(f"/ateliers/{own}/tableau").text.count('class="map-point"') == 2


def test_a_poll_after_sign_out_asks_htmx_to_go_to_sign_in(client, workshop):
    client.post("/compte/deconnexion")
    response = client.get(
        f"/ateliers/{workshop['id']}/tableau",
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/compte/connexion"


def test_workshop_lists_are_per_account(client, browser):
    sign_up(client)
    create_workshop(client, "Atelier de Camille")
    other = browser()
    sign_up(other, "dominique@reseau.fr", "Dominique")
    create_workshop(other, "Atelier de Dominique")
    mine = client.get("/ateliers").text
    assert "Atelier de Camille" in mine and "Atelier de Dominique" not in mine


# --- Admin command line ---------------------------------------------------------------------


@pytest.mark.slow
def test_facilitator_command_line(client, monkeypatch, capsys):
    from app import cli
    from app.config import settings

    engine = client.app.state.engine
    monkeypatch.setattr(
        settings, "database_url", str(engine.url.render_as_string(hide_password=False))
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("mot de passe initial\n"))
    assert (
        cli.main(
            ["facilitator", "create", "Admin@Reseau.fr", "--name", "Admin", "--password-stdin"]
        )
        == 0
    )
    assert "Created counsellor account admin@reseau.fr" in capsys.readouterr().out

    visitor = csrf_ready(TestClient(client.app))
    assert (
        visitor.post(
            "/compte/connexion",
            data={"email": "admin@reseau.fr", "password": "mot de passe initial"},
        ).url.path
        == "/ateliers"
    )

    monkeypatch.setattr("sys.stdin", io.StringIO("court\n"))
    assert cli.main(["facilitator", "reset-password", "admin@reseau.fr", "--password-stdin"]) == 1
    assert "au moins 10" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("nouveau mot de passe\n"))
    assert cli.main(["facilitator", "reset-password", "admin@reseau.fr", "--password-stdin"]) == 0
    # The reset signed every browser out.
    assert visitor.get("/ateliers").url.path == "/compte/connexion"

    assert cli.main(["facilitator", "delete", "nobody@reseau.fr", "--yes"]) == 1
    assert cli.main(["facilitator", "delete", "admin@reseau.fr", "--yes"]) == 0
    failed = visitor.post(
        "/compte/connexion", data={"email": "admin@reseau.fr", "password": "nouveau mot de passe"}
    )
    assert failed.status_code == 401


def test_a_poll_with_nothing_new_gets_204_and_a_save_shows_up(client, workshop, questionnaire):
    live = f"/ateliers/{workshop['id']}/tableau"
    version = re.search(r'"v": "([0-9a-f]+)"', client.get(live).text).group(1)
    unchanged = client.get(live, params={"v": version}, headers={"HX-Request": "true"})
    assert unchanged.status_code == 204 and unchanged.content == b""
    named, token = workshop["named"]
    name_question = questionnaire.definition.roles.association_name
    answer(named, token, {name_question: "Les Jardins Partagés et Solidaires"})
    changed = client.get(live, params={"v": version}, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    assert "Les Jardins Partagés et Solidaires" in changed.text
    assert re.search(r'"v": "([0-9a-f]+)"', changed.text).group(1) != version


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.slow
def test_any_workshop_form_input_gets_a_page_never_a_server_error(client, workshop, data):
    """Odd text (control characters, lone surrogates, huge or empty values) in every workshop
    form: a page with a message or a redirect, never a 500, and nothing already saved lost."""
    text = st.text(max_size=300) | st.sampled_from(["\x00", "x" * 5000, "31/02/2026", "０"])
    fields = st.dictionaries(
        st.sampled_from(
            [
                "title",
                "held_on",
                "place",
                "notes",
                "code",
                "diagnostic",
                "resume_link",
                "sharing",
                "partner_request",
                "email",
                "name",
                "password",
                "confirm",
                "open",
            ]
        ),
        text,
        max_size=6,
    )
    named, token = workshop["named"]
    base = f"/ateliers/{workshop['id']}"
    target = data.draw(
        st.sampled_from(
            [
                (client, "/ateliers"),
                (client, f"{base}/modifier"),
                (client, f"{base}/ouverture"),
                (client, "/compte/mot-de-passe"),
                (csrf_ready(TestClient(client.app)), "/compte/connexion"),
                (csrf_ready(TestClient(client.app)), "/compte/inscription"),
                (csrf_ready(TestClient(client.app)), "/rejoindre"),
                (
                    csrf_ready(TestClient(client.app)),
                    f"/rejoindre/{workshop['code'].replace('-', '')}",
                ),
                (named, f"/d/{token}/fiche"),
            ]
        )
    )
    visitor, path = target
    response = visitor.post(path, data=data.draw(fields), follow_redirects=False)
    assert response.status_code < 500, response.text
    # Bytes that are not UTF-8 (a lone surrogate's encoding, a stray 0xFF) in the same fields.
    garbage = b"title=%ED%A0%80&code=%FF&email=%FF&partner_request=%ED%A0%80&sharing=%FF"
    response = visitor.post(
        path,
        content=garbage,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code < 500, response.text
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/tableau").text.count('class="map-point"') == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.org"},
    ],
)
def test_posts_from_another_site_are_refused(client, headers):
    """Login CSRF: another site's form must not sign a counsellor into the attacker's account
    (or post anything else on their behalf)."""
    sign_up(client)
    attempt = client.post(
        "/compte/connexion",
        data={"email": "camille@dla69.fr", "password": PASSWORD},
        headers=headers,
        follow_redirects=False,
    )
    assert attempt.status_code == 403 and "autre site" in attempt.text
    assert "set-cookie" not in attempt.headers
    created = client.post("/ateliers", data={"title": "Piège"}, headers=headers)
    assert created.status_code == 403
    assert "Piège" not in client.get("/ateliers").text


def test_posts_from_the_app_itself_pass(client):
    same_site = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post(
        "/compte/inscription",
        data={"email": "a@b.fr", "name": "A", "password": PASSWORD, "confirm": PASSWORD},
        headers=same_site,
    )
    assert response.status_code == 200 and response.url.path == "/ateliers"


def test_control_characters_never_reach_the_database_and_errors_name_the_field(client):
    sign_up(client)
    # Control characters are dropped from free text (PostgreSQL refuses NUL in text).
    response = client.post("/ateliers", data={"title": "Atelier\x00X", "place": "Lyon"})
    assert response.status_code == 200 and "AtelierX" in response.text
    notes = client.post("/ateliers", data={"title": "A", "notes": "x" * 4001})
    # The limit is written the French way ("4 000", with a narrow no-break space).
    assert notes.status_code == 422
    assert re.search(r"Les notes : le texte dépasse 4\s?000 caractères", notes.text)
    visitor = csrf_ready(TestClient(client.app))
    login = visitor.post("/compte/connexion", data={"email": "a\x00@b.fr", "password": PASSWORD})
    assert login.status_code == 401
    signup = visitor.post(
        "/compte/inscription",
        data={"email": "a\x00@b.fr", "name": "A\x00B", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert signup.status_code == 422 and 'id="f-email-error"' in signup.text


def test_sign_up_is_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app

    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="2/minute"))
    with TestClient(app) as visitor:
        csrf_ready(visitor)
        data = {"email": "x", "name": "A", "password": PASSWORD, "confirm": PASSWORD}
        codes = [visitor.post("/compte/inscription", data=data).status_code for _ in range(3)]
        assert codes == [422, 422, 429]


def test_signing_in_again_replaces_the_session(client):
    from sqlalchemy import text

    sign_up(client)
    client.post("/compte/connexion", data={"email": "camille@dla69.fr", "password": PASSWORD})
    with client.app.state.engine.connect() as connection:
        sessions = connection.execute(text("SELECT count(*) FROM facilitator_session")).scalar()
    assert sessions == 1
    assert client.get("/ateliers").url.path == "/ateliers"


def test_counsellor_pages_are_not_cached_and_live_updates_can_pause(client, workshop):
    board = client.get(f"/ateliers/{workshop['id']}")
    assert board.headers["cache-control"] == "no-store"
    assert 'hx-trigger="every 3s"' in board.text and "Mettre en pause" in board.text
    paused = client.get(f"/ateliers/{workshop['id']}", params={"pause": "1"})
    assert "hx-trigger" not in paused.text and "Reprendre la mise à jour" in paused.text


def test_points_of_an_older_questionnaire_land_on_the_current_map(questionnaire):
    """A participant's barycentre computed on another ring of models (an older version with
    models in another order) is placed by its weights on the current ring."""
    from app.scoring.barycentre import Barycentre, pole_positions
    from app.workshops.group import on_current_map

    first, second = questionnaire.models[0], questionnaire.models[1]
    old = Barycentre(
        weights={first.id: 0.5, second.id: 0.5, "model_since_removed": 0.0},
        point=(9.0, 9.0),  # wherever the old ring put it
        dominant=first.id,
        runner_up=second.id,
        residual=0.0,
    )
    poles = pole_positions(len(questionnaire.models))
    placed = on_current_map(questionnaire, old)
    assert placed.point == pytest.approx(
        ((poles[0][0] + poles[1][0]) / 2, (poles[0][1] + poles[1][1]) / 2)
    )
    assert placed.weights == old.weights and placed.dominant == first.id


def test_simultaneous_joins_never_fail_and_get_distinct_numbers(client, browser):
    """A double click on "Rejoindre" (same diagnostic twice at once) gives one participant, and
    people joining at the same moment get distinct numbers, on SQLite and PostgreSQL."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app import crud
    from app.workshops import data

    sign_up(client)
    workshop_id, _ = create_workshop(client)
    engine = client.app.state.engine
    snapshot = client.app.state.store.current_snapshot_id
    twice = crud.create_diagnostic(engine=engine, snapshot_id=snapshot)
    others = [crud.create_diagnostic(engine=engine, snapshot_id=snapshot) for _ in range(8)]
    attempts = [twice.id] * 8 + [d.id for d in others]
    start_together = threading.Barrier(8)

    def attempt(diagnostic_id):
        start_together.wait(timeout=30)
        return data.join_workshop(
            engine=engine, workshop_id=workshop_id, diagnostic_id=diagnostic_id, sharing="named"
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        joined = list(pool.map(attempt, attempts))
    assert len({p.id for p in joined if p.diagnostic_id == twice.id}) == 1
    members = data.group_members(engine=engine, workshop_id=workshop_id)
    assert len(members) == 9
    assert sorted(m.number for m in members) == list(range(1, 10))


@pytest.mark.parametrize("diagnostic", ["new", "existing"])
def test_a_workshop_deleted_while_joining_is_not_found_and_nothing_is_created(
    client, browser, monkeypatch, diagnostic
):
    """The counsellor deletes the workshop between the code's lookup and the join: the
    association gets the page of an unknown code (never a 500), and no diagnostic is left
    behind without its owner ever seeing its link, on SQLite and PostgreSQL."""
    from sqlalchemy import func, select

    from app.models import Diagnostic, Participant
    from app.workshops import data

    sign_up(client)
    _, code = create_workshop(client)
    participant = browser()
    form = {"diagnostic": "new", "sharing": "named"}
    if diagnostic == "existing":
        token = participant.post("/diagnostics").url.path.split("/")[2]
        form = {"diagnostic": "existing", "resume_link": token, "sharing": "named"}
    engine = client.app.state.engine
    looked_up = data.workshop_by_code

    def found_then_deleted(**kwargs):
        workshop = looked_up(**kwargs)
        data.delete_workshop(engine=engine, workshop_id=workshop.id)
        return workshop

    def count(table) -> int:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()

    diagnostics = count(Diagnostic)
    monkeypatch.setattr(data, "workshop_by_code", found_then_deleted)
    response = participant.post(f"/rejoindre/{code.replace('-', '')}", data=form)
    assert response.status_code == 404, response.text
    assert "Aucun atelier ne correspond" in response.text
    assert count(Diagnostic) == diagnostics
    assert count(Participant) == 0


def test_joins_racing_the_workshop_deletion_either_join_or_find_it_gone(client):
    """Real race: joins (new and existing diagnostics) at the moment the counsellor deletes the
    workshop. Each join either succeeds before the delete or gets WorkshopGone; none fails
    otherwise (no foreign-key error, no deadlock), and every new diagnostic left is one whose
    owner got its link."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from app import crud
    from app.models import Diagnostic, Participant
    from app.workshops import data

    sign_up(client)
    workshop_id, _ = create_workshop(client)
    engine = client.app.state.engine
    snapshot = client.app.state.store.current_snapshot_id
    existing = [crud.create_diagnostic(engine=engine, snapshot_id=snapshot) for _ in range(4)]
    start_together = threading.Barrier(9)

    def attempt(n: int):
        start_together.wait(timeout=30)
        try:
            if n == 8:
                return data.delete_workshop(engine=engine, workshop_id=workshop_id)
            if n < 4:
                return data.join_workshop(
                    engine=engine,
                    workshop_id=workshop_id,
                    diagnostic_id=existing[n].id,
                    sharing="named",
                )
            return data.join_with_new_diagnostic(
                engine=engine, workshop_id=workshop_id, snapshot_id=snapshot, sharing="named"
            )
        except data.WorkshopGone as gone:
            return gone

    with ThreadPoolExecutor(max_workers=9) as pool:
        outcomes = list(pool.map(attempt, range(9)))
    started = [o for o in outcomes[4:8] if isinstance(o, Diagnostic)]
    assert all(isinstance(o, Participant | data.WorkshopGone) for o in outcomes[:4])
    assert all(isinstance(o, Diagnostic | data.WorkshopGone) for o in outcomes[4:8])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Participant)).scalar_one() == 0
        stored = connection.execute(select(func.count()).select_from(Diagnostic)).scalar_one()
    assert stored == len(existing) + len(started)
