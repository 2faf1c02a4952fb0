"""Running the room: co-counsellors (same rights on that workshop, nothing else), removing and
merging participants behind a confirmation, private notes, a confirmed leave, re-joining that
keeps the sharing choice, and the warning to a lone anonymous participant of a small group."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.workshops.anonymity import SMALL_GROUP, lone_anonymous
from tests.utils.answers import full_answers
from tests.utils.clients import csrf_ready
from tests.utils.workshops import PASSWORD, answer, create_workshop, join, sign_up


@pytest.fixture
def browser(client):
    """Another visitor on the same app, with a cookie jar of their own."""
    return lambda: csrf_ready(TestClient(client.app, follow_redirects=True))


def counsellor(browser, email: str, name: str = "Alex Durand") -> TestClient:
    person = browser()
    sign_up(person, email=email, name=name)
    return person


def add_co_counsellor(client, workshop_id: int, email: str):
    return client.post(f"/ateliers/{workshop_id}/accompagnateurs", data={"email": email})


# --- Co-counsellors -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_co_counsellor_gets_the_same_rights_on_that_workshop_and_nothing_else(
    client, browser, questionnaire
):
    sign_up(client)
    shared_id, code = create_workshop(client, "Atelier partagé")
    private_id, _private = create_workshop(client, "Atelier privé")
    participant = browser()
    answer(participant, join(participant, code), full_answers(questionnaire, name="Lac"))
    colleague = counsellor(browser, "alex@dla01.fr")

    # Before being added: the shared workshop does not exist for them.
    for path in ("", "/tableau", "/projection", "/resultats.csv", "/accompagnateurs"):
        assert colleague.get(f"/ateliers/{shared_id}{path}").status_code == 404

    added = add_co_counsellor(client, shared_id, "  ALEX@dla01.fr ")
    assert added.status_code == 200 and "Si un compte existe à cette adresse" in added.text
    assert "alex@dla01.fr" in added.text and "Alex Durand" in added.text
    assert "Camille Martin" in added.text  # the creator, listed first

    listing = colleague.get("/ateliers").text
    assert "Atelier partagé" in listing and "Atelier privé" not in listing
    for path in ("", "/tableau", "/projection", "/resultats.csv", "/participants/1/gerer"):
        assert colleague.get(f"/ateliers/{shared_id}{path}").status_code == 200, path
    assert "Lac" in colleague.get(f"/ateliers/{shared_id}").text
    # Same rights there: they edit, close and note; still nothing on the other workshop.
    edited = colleague.post(
        f"/ateliers/{shared_id}/modifier", data={"title": "Atelier partagé (bis)"}
    )
    assert edited.status_code == 200 and "Atelier partagé (bis)" in edited.text
    for path in ("", "/tableau", "/accompagnateurs", "/participants/1/gerer"):
        assert colleague.get(f"/ateliers/{private_id}{path}").status_code == 404
    assert add_co_counsellor(colleague, private_id, "alex@dla01.fr").status_code == 404
    # The creator still runs the workshop.
    assert client.get(f"/ateliers/{shared_id}").status_code == 200


@pytest.mark.slow
def test_adding_a_counsellor_answers_the_same_whether_or_not_the_account_exists(client, browser):
    sign_up(client)
    workshop_id, _code = create_workshop(client)
    counsellor(browser, "alex@dla01.fr", name="Alex Durand")
    answers = {}
    for email in ("personne@nulle.part", "alex@dla01.fr", "camille@dla69.fr", "alex@dla01.fr"):
        response = add_co_counsellor(client, workshop_id, email)
        assert response.status_code == 200, email
        notice = re.search(r'<p class="notice" role="status">(.*?)</p>', response.text).group(1)
        answers[email] = notice
    # One neutral message for an unknown address, a new co-counsellor, the creator and one
    # already added: nothing in it says which was which.
    assert len(set(answers.values())) == 1
    assert "Si un compte existe à cette adresse, il a été ajouté." in answers["alex@dla01.fr"]
    # The list shows actual co-counsellors only: the unknown address appears nowhere.
    page = client.get(f"/ateliers/{workshop_id}/accompagnateurs").text
    assert "personne@nulle.part" not in page
    assert page.count("alex@dla01.fr") == 1 and "Alex Durand" in page
    # An empty or mistyped address gets a plain error, without any lookup.
    empty = add_co_counsellor(client, workshop_id, "  ")
    assert empty.status_code == 422 and "Saisissez l&#39;adresse" in empty.text


def test_a_removed_co_counsellor_loses_access(client, browser):
    sign_up(client)
    workshop_id, _code = create_workshop(client)
    colleague = counsellor(browser, "alex@dla01.fr")
    add_co_counsellor(client, workshop_id, "alex@dla01.fr")
    page = client.get(f"/ateliers/{workshop_id}/accompagnateurs").text
    remove = re.search(r'action="([^"]*/ateliers/\d+/accompagnateurs/(\d+)/retirer)"', page)
    assert client.post(remove.group(1)).status_code == 200
    assert colleague.get(f"/ateliers/{workshop_id}").status_code == 404
    assert "alex@dla01.fr" not in client.get(f"/ateliers/{workshop_id}/accompagnateurs").text


def test_co_counsellor_changes_need_the_csrf_token(client, browser):
    sign_up(client)
    workshop_id, _code = create_workshop(client)
    counsellor(browser, "alex@dla01.fr")
    bare = TestClient(client.app)
    bare.cookies.update(client.cookies)
    refused = bare.post(f"/ateliers/{workshop_id}/accompagnateurs", data={"email": "alex@dla01.fr"})
    assert refused.status_code == 403
    assert "alex@dla01.fr" not in client.get(f"/ateliers/{workshop_id}/accompagnateurs").text


@pytest.mark.slow
def test_deleting_the_workshop_or_an_account_drops_its_co_counsellor_links(client, browser):
    from sqlalchemy import func, select

    from app.models import WorkshopFacilitator

    def links() -> int:
        with client.app.state.engine.connect() as connection:
            query = select(func.count()).select_from(WorkshopFacilitator)
            return connection.execute(query).scalar_one()

    sign_up(client)
    kept_id, _code = create_workshop(client, "Gardé")
    workshop_id, _code = create_workshop(client, "Supprimé")
    colleague = counsellor(browser, "alex@dla01.fr")
    add_co_counsellor(client, kept_id, "alex@dla01.fr")
    add_co_counsellor(client, workshop_id, "alex@dla01.fr")
    # Same rights: the co-counsellor may delete the workshop; its link goes with it.
    assert colleague.post(f"/ateliers/{workshop_id}/supprimer").status_code == 200
    assert client.get(f"/ateliers/{workshop_id}").status_code == 404
    assert links() == 1
    # Their account's deletion page lists only the workshops they created (none here).
    assert "Gardé" not in colleague.get("/compte/supprimer").text
    # The co-counsellor's account deleted: the link goes, the workshop stays its creator's.
    deleted = colleague.post("/compte/supprimer", data={"current": PASSWORD})
    assert deleted.status_code == 200
    assert links() == 0
    assert client.get(f"/ateliers/{kept_id}").status_code == 200


# --- Participants ---------------------------------------------------------------------------


def test_removing_a_participant_asks_first_and_keeps_their_diagnostic(
    client, browser, questionnaire
):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code)
    answer(participant, token, full_answers(questionnaire, name="Lac"))
    confirm = client.get(f"/ateliers/{workshop_id}/participants/1/retirer")
    assert confirm.status_code == 200 and "Retirer « Lac » de l'atelier ?" in confirm.text
    # Only the confirmation page has been seen: still there.
    assert 'data-number="1"' in client.get(f"/ateliers/{workshop_id}/tableau").text
    done = client.post(f"/ateliers/{workshop_id}/participants/1/retirer")
    assert done.status_code == 200 and "a été retiré" in done.text
    assert 'data-number="1"' not in client.get(f"/ateliers/{workshop_id}/tableau").text
    # The diagnostic stays its owner's, answers and all.
    assert participant.get(f"/api/diagnostics/{token}/result").status_code == 200
    assert client.get(f"/ateliers/{workshop_id}/participants/1/gerer").status_code == 404


def test_merging_a_duplicate_joiner_keeps_one_membership_and_both_notes(client, browser):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    first, duplicate = browser(), browser()
    first_token = join(first, code, "named")
    duplicate_token = join(duplicate, code, "named")
    base = f"/ateliers/{workshop_id}/participants"
    client.post(f"{base}/1/note", data={"note": "Vient avec sa trésorière."})
    client.post(f"{base}/2/note", data={"note": "A rejoint deux fois."})
    confirm = client.get(f"{base}/2/retirer", params={"avec": "1"})
    assert confirm.status_code == 200 and "Fusionner" in confirm.text
    assert client.get(f"{base}/2/retirer", params={"avec": "2"}).status_code == 404
    assert client.post(f"{base}/2/retirer", data={"avec": "1"}).status_code == 200
    board = client.get(f"/ateliers/{workshop_id}/tableau").text
    assert board.count("<tr data-number=") == 1 and '<tr data-number="1">' in board
    kept = client.get(f"{base}/1/gerer").text
    assert "Vient avec sa trésorière." in kept and "A rejoint deux fois." in kept
    # Each diagnostic stays with its owner; only the first is still in the workshop.
    assert "Vos ateliers" in first.get(f"/d/{first_token}").text
    assert "Vos ateliers" not in duplicate.get(f"/d/{duplicate_token}").text


def test_private_notes_are_for_the_counsellors_only(client, browser, questionnaire):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code, "anonymous")
    note = "Hésite à parler de la trésorerie devant le groupe."
    saved = client.post(f"/ateliers/{workshop_id}/participants/1/note", data={"note": note})
    assert saved.status_code == 200 and "Note enregistrée." in saved.text and note in saved.text
    assert note not in client.get(f"/ateliers/{workshop_id}/projection").text
    assert note not in participant.get(f"/d/{token}").text
    too_long = client.post(
        f"/ateliers/{workshop_id}/participants/1/note", data={"note": "x" * 5000}
    )
    assert too_long.status_code == 422
    assert client.post(f"/ateliers/{workshop_id}/participants/9/note", data={}).status_code == 404


# --- The participant's side -----------------------------------------------------------------


def test_leaving_goes_through_a_confirmation_page(client, browser):
    sign_up(client)
    _workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code)
    home = participant.get(f"/d/{token}").text
    # No one-tap leave: the home page links to a confirmation, with no leave form of its own.
    assert "/quitter" not in home
    confirm_url = re.search(r'href="([^"]*/d/[^"]+/depart)"', home).group(1)
    confirm = participant.get(confirm_url)
    assert confirm.status_code == 200 and "Oui, quitter l'atelier" in confirm.text
    assert "Vos ateliers" in participant.get(f"/d/{token}").text
    action = re.search(r'action="([^"]*/d/[^"]+/quitter)"', confirm.text).group(1)
    left = participant.post(action)
    assert "Vous avez quitté l'atelier" in left.text and "Vos ateliers" not in left.text


def test_re_joining_keeps_the_earlier_sharing_choice(client, browser):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code, "named")
    again = participant.post(
        f"/rejoindre/{code}",
        data={"diagnostic": "existing", "resume_link": f"/d/{token}", "sharing": "anonymous"},
    )
    assert again.status_code == 200
    assert "votre choix de partage est conservé" in again.text
    board = client.get(f"/ateliers/{workshop_id}/tableau").text
    assert "(anonyme)" not in board
    # The same choice again is a plain re-join.
    same = participant.post(
        f"/rejoindre/{code}",
        data={"diagnostic": "existing", "resume_link": f"/d/{token}", "sharing": "named"},
    )
    assert "conservé" not in same.text


def test_lone_anonymous_rule():
    assert lone_anonymous({"named": 3, "anonymous": 0})  # joining: 4th, the only anonymous
    assert not lone_anonymous({"named": 2, "anonymous": 1})  # another anonymous one already
    assert not lone_anonymous({"named": SMALL_GROUP, "anonymous": 0})  # group big enough
    assert lone_anonymous({"named": SMALL_GROUP - 1, "anonymous": 0})
    assert lone_anonymous({"named": 4, "anonymous": 1}, own_sharing="anonymous")
    assert not lone_anonymous({"named": 3, "anonymous": 2}, own_sharing="anonymous")
    assert lone_anonymous({"named": 4, "anonymous": 0}, own_sharing="named")


def test_the_join_and_sharing_forms_warn_a_lone_anonymous_participant(client, browser):
    sign_up(client)
    _workshop_id, code = create_workshop(client)
    first = browser()
    first_token = join(first, code, "named")
    warning = "Vous seriez le seul participant anonyme"
    assert warning in browser().get(f"/rejoindre/{code}").text
    assert "vous êtes ou seriez le seul participant anonyme" in first.get(f"/d/{first_token}").text
    other = browser()
    join(other, code, "anonymous")
    assert warning not in browser().get(f"/rejoindre/{code}").text
    assert "seul participant anonyme" not in first.get(f"/d/{first_token}").text


def test_the_room_pages_speak_english(client, browser):
    sign_up(client)
    workshop_id, code = create_workshop(client)
    participant = browser()
    token = join(participant, code)
    client.cookies.set("lang", "en")
    participant.cookies.set("lang", "en")
    page = client.get(f"/ateliers/{workshop_id}/accompagnateurs").text
    assert "Co-counsellors of the workshop" in page
    assert "Private note" in client.get(f"/ateliers/{workshop_id}/participants/1/gerer").text
    home = participant.get(f"/d/{token}").text
    confirm_url = re.search(r'href="([^"]*/d/[^"]+/depart)"', home).group(1)
    assert "Yes, leave the workshop" in participant.get(confirm_url).text
    assert PASSWORD not in home
