"""The counsellor's workshop pages over HTTP: the live dashboard and its poll, focus view,
pitch sheet, synthesis and exports, editing and deleting, and the pages in English."""

from __future__ import annotations

import csv
import io
import re

from pypdf import PdfReader

from tests.utils.answers import full_answers
from tests.utils.pdf import pdf_text
from tests.utils.workshops import answer, create_workshop, join, sign_up


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


def test_counsellor_pages_are_not_cached_and_live_updates_can_pause(client, workshop):
    board = client.get(f"/ateliers/{workshop['id']}")
    assert board.headers["cache-control"] == "no-store"
    assert 'hx-trigger="every 3s"' in board.text and "Mettre en pause" in board.text
    paused = client.get(f"/ateliers/{workshop['id']}", params={"pause": "1"})
    assert "hx-trigger" not in paused.text and "Reprendre la mise à jour" in paused.text
