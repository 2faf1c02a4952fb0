"""The loose ends of rounds: a participant's agreement to present (given and withdrawn from
their phone, shown to the counsellor, who confirms before opening a round without it),
suggestions corrected or deleted by the counsellor and taken back by their author, adding a
co-counsellor without telling whether an address has an account (and rate limited like
sign-in), and the rounds in the workshop's synthesis PDF, each as its participant shares."""

from __future__ import annotations

import html
import re
import uuid

from fastapi.testclient import TestClient

from app.main import create_app
from tests.utils.clients import csrf_ready
from tests.utils.pdf import pdf_text
from tests.utils.settings import make_settings
from tests.utils.workshops import create_workshop, membership_id, sign_up


def phone_of(workshop, who: str) -> tuple[TestClient, str]:
    person, token = workshop[who]
    return person, f"/d/{token}/ateliers/{membership_id(person, token)}"


def board_row(client, workshop_id: int, number: int) -> str:
    board = client.get(f"/ateliers/{workshop_id}").text
    return html.unescape(re.search(rf'<tr data-number="{number}">(.*?)</tr>', board, re.S).group(1))


def suggestion_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r"/tour/suggestions/(\d+)/supprimer", page)]


# --- Agreement to present -----------------------------------------------------------------


def test_a_participant_agrees_to_present_from_their_phone_and_can_withdraw(client, workshop):
    person, phone = phone_of(workshop, "named")
    page = html.unescape(person.get(f"{phone}/tour").text)
    assert "Je suis d'accord pour présenter ma situation lors d'un tour" in page
    assert "accord non indiqué" in board_row(client, workshop["id"], 1)
    live = client.get(f"/ateliers/{workshop['id']}/tableau").text
    version = re.search(r'"v": "([0-9a-f]+)"', live).group(1)

    agreed = person.post(f"{phone}/presenter", data={"agree": "1"})
    assert agreed.status_code == 200
    assert "Votre accord est enregistré" in agreed.text and "Retirer mon accord" in agreed.text
    # The board shows it, and its polls see the change (no 204 on a stale version).
    assert "d'accord pour présenter" in board_row(client, workshop["id"], 1)
    assert "accord non indiqué" in board_row(client, workshop["id"], 2)
    polled = client.get(f"/ateliers/{workshop['id']}/tableau", params={"v": version})
    assert polled.status_code == 200 and "d'accord pour présenter" in html.unescape(polled.text)
    controls = html.unescape(client.get(f"/ateliers/{workshop['id']}/participants/1/tour").text)
    assert "D'accord pour présenter sa situation" in controls

    withdrawn = person.post(f"{phone}/presenter", data={"agree": "0"})
    assert "Votre accord est retiré" in withdrawn.text
    assert "accord non indiqué" in board_row(client, workshop["id"], 1)


def test_only_the_participant_sets_their_own_agreement(client, workshop):
    _named, named_phone = phone_of(workshop, "named")
    other, other_token = workshop["anonymous"]
    # Another diagnostic's link with this participant's id: not found.
    participant_id = named_phone.rsplit("/", 1)[1]
    stolen = other.post(
        f"/d/{other_token}/ateliers/{participant_id}/presenter", data={"agree": "1"}
    )
    assert stolen.status_code == 404
    assert "accord non indiqué" in board_row(client, workshop["id"], 1)
    for guess in ("abc", "0", "99999999"):
        assert other.post(f"/d/{other_token}/ateliers/{guess}/presenter").status_code == 404


def test_opening_a_round_without_agreement_asks_the_counsellor_first(client, workshop):
    base = f"/ateliers/{workshop['id']}/participants/2"
    peer, peer_phone = phone_of(workshop, "named")
    controls = html.unescape(client.get(f"{base}/tour").text)
    assert "par exemple s'il a donné son accord à l'oral" in controls

    asked = client.post(f"{base}/tour", data={"open": "1"})
    assert asked.status_code == 200 and asked.url.path == f"{base}/tour/ouvrir"
    assert "Ouvrir le tour de Participant n° 2 ?" in asked.text
    assert "à l'oral" in html.unescape(asked.text)
    # Nothing opened yet: no one can suggest.
    assert peer.post(f"{peer_phone}/tour/suggestions", data={"text": "x"}).status_code == 409

    confirmed = client.post(f"{base}/tour", data={"open": "1", "confirm": "1"})
    assert confirmed.url.path == f"{base}/tour" and "Clore le tour" in confirmed.text
    assert peer.post(f"{peer_phone}/tour/suggestions", data={"text": "x"}).status_code == 200


def test_an_agreed_participants_round_opens_at_once(client, workshop):
    person, phone = phone_of(workshop, "anonymous")
    person.post(f"{phone}/presenter", data={"agree": "1"})
    base = f"/ateliers/{workshop['id']}/participants/2"
    opened = client.post(f"{base}/tour", data={"open": "1"})
    assert opened.url.path == f"{base}/tour" and "Clore le tour" in opened.text
    assert "Tour : Participant n° 2" in person.get(f"{phone}/tour").text


# --- Suggestions corrected, deleted, taken back -------------------------------------------


def open_round(client, workshop, number: int = 1) -> str:
    base = f"/ateliers/{workshop['id']}/participants/{number}"
    client.post(f"{base}/tour", data={"open": "1", "confirm": "1"})
    return base


def test_the_counsellor_edits_and_deletes_suggestions_and_screens_follow(client, workshop):
    base = open_round(client, workshop)
    peer, peer_phone = phone_of(workshop, "anonymous")
    peer.post(f"{peer_phone}/tour/suggestions", data={"text": "Apeller la fondation"})
    client.post(f"{base}/tour/suggestions", data={"text": "Un club de mécènes"})
    first, second = suggestion_ids(client.get(f"{base}/tour").text)
    version = re.search(r'"v": "([0-9a-f]+)"', client.get(f"{base}/direct").text).group(1)

    edited = client.post(
        f"{base}/tour/suggestions/{first}/modifier", data={"text": "Appeler la fondation"}
    )
    assert edited.status_code == 200 and "Suggestion modifiée" in edited.text
    live = client.get(f"{base}/direct", params={"v": version})
    assert live.status_code == 200  # the round screen's poll gets the new text
    assert "Appeler la fondation" in live.text and "Apeller" not in live.text
    assert "Appeler la fondation" in peer.get(f"{peer_phone}/tour/direct").text

    # A blank text is refused with a message next to that suggestion, nothing changes.
    blank = client.post(f"{base}/tour/suggestions/{first}/modifier", data={"text": "  "})
    assert blank.status_code == 422 and f'id="edit-{first}-error"' in blank.text
    assert "Appeler la fondation" in client.get(f"{base}/direct").text

    deleted = client.post(f"{base}/tour/suggestions/{second}/supprimer")
    assert deleted.status_code == 200 and "Suggestion supprimée" in deleted.text
    assert "Un club de mécènes" not in client.get(base).text
    assert "Un club de mécènes" not in peer.get(f"{peer_phone}/tour/direct").text
    # Gone, unknown or mangled ids: not found, never 500.
    for sid in (str(second), "999999", "abc", "-1"):
        assert client.post(f"{base}/tour/suggestions/{sid}/supprimer").status_code == 404
        response = client.post(f"{base}/tour/suggestions/{sid}/modifier", data={"text": "x"})
        assert response.status_code == 404


def test_a_suggestion_of_another_round_cannot_be_reached_through_this_one(client, workshop):
    base = open_round(client, workshop, 1)
    client.post(f"{base}/tour/suggestions", data={"text": "Pour le tour 1"})
    (sid,) = suggestion_ids(client.get(f"{base}/tour").text)
    other = open_round(client, workshop, 2)
    assert client.post(f"{other}/tour/suggestions/{sid}/supprimer").status_code == 404
    response = client.post(f"{other}/tour/suggestions/{sid}/modifier", data={"text": "détourné"})
    assert response.status_code == 404
    assert "Pour le tour 1" in client.get(f"{base}/direct").text


def test_a_participant_takes_back_only_their_own_suggestion_while_the_round_is_open(
    client, workshop
):
    base = open_round(client, workshop)
    peer, peer_phone = phone_of(workshop, "anonymous")
    presenter, presenter_phone = phone_of(workshop, "named")
    peer.post(f"{peer_phone}/tour/suggestions", data={"text": "Ma première idée"})
    peer.post(f"{peer_phone}/tour/suggestions", data={"text": "Ma seconde idée"})
    client.post(f"{base}/tour/suggestions", data={"text": "Celle de l'accompagnateur"})
    all_ids = suggestion_ids(client.get(f"{base}/tour").text)
    page = peer.get(f"{peer_phone}/tour").text
    own = [int(s) for s in re.findall(r"/tour/suggestions/(\d+)/supprimer", page)]
    assert len(own) == 2 and "Vos suggestions dans ce tour" in page
    # The presenter wrote none: nothing of theirs to take back, nor anyone else's.
    assert "/supprimer" not in presenter.get(f"{presenter_phone}/tour").text
    for sid in all_ids:
        assert (
            presenter.post(f"{presenter_phone}/tour/suggestions/{sid}/supprimer").status_code == 404
        )
    # Not the counsellor's either.
    counsellors = (set(all_ids) - set(own)).pop()
    assert peer.post(f"{peer_phone}/tour/suggestions/{counsellors}/supprimer").status_code == 404

    taken_back = peer.post(f"{peer_phone}/tour/suggestions/{own[0]}/supprimer")
    assert taken_back.status_code == 200 and "Votre suggestion est retirée" in taken_back.text
    screen = client.get(f"{base}/direct").text
    assert "Ma première idée" not in screen and "Ma seconde idée" in screen
    assert "Celle de l" in screen
    # Once the round is closed, it stays as it was.
    client.post(f"{base}/tour", data={"open": "0"})
    assert peer.post(f"{peer_phone}/tour/suggestions/{own[1]}/supprimer").status_code == 409
    assert "Ma seconde idée" in client.get(f"{base}/direct").text


# --- Co-counsellors: no account probing ---------------------------------------------------


def test_adding_co_counsellors_is_rate_limited_like_sign_in(database_url, ratelimit_storage):
    app = create_app(make_settings(database_url, **ratelimit_storage, login_rate_limit="4/minute"))
    suffix = uuid.uuid4().hex[:10]
    with TestClient(app, client=("192.0.2.44", 50000)) as raw:
        owner = csrf_ready(raw)
        # Two sign-ups from this address count against the same budget as sign-in.
        sign_up(owner, f"camille-{suffix}@dla69.fr")
        colleague = csrf_ready(TestClient(app, client=("192.0.2.44", 50000)))
        sign_up(colleague, f"alex-{suffix}@dla01.fr", "Alex Limité")
        workshop_id, _code = create_workshop(owner)
        url = f"/ateliers/{workshop_id}/accompagnateurs"
        for n in range(2):
            tried = owner.post(url, data={"email": f"inconnu-{n}-{suffix}@nulle.part"})
            assert tried.status_code == 200
        limited = owner.post(url, data={"email": f"alex-{suffix}@dla01.fr"})
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert 'role="alert"' in limited.text and "Patientez une minute" in limited.text
        # Over the limit, nothing is looked up nor added.
        assert "Alex Limité" not in owner.get(url).text
        assert colleague.get(f"/ateliers/{workshop_id}").status_code == 404


# --- The synthesis PDF ----------------------------------------------------------------------


def test_the_synthesis_reports_each_round_as_its_participant_shares(
    client, workshop, questionnaire
):
    card = questionnaire.definition.cards[0]
    named, named_phone = phone_of(workshop, "named")
    anonymous, anonymous_phone = phone_of(workshop, "anonymous")
    # Participant 1 (named): problem, two suggestions, a chosen piste of their own.
    base = open_round(client, workshop, 1)
    named.post(f"{named_phone}/tour/probleme", data={"problem": "Notre subvention baisse"})
    anonymous.post(f"{anonymous_phone}/tour/suggestions", data={"text": "Un club de mécènes"})
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})
    chosen = named.post(
        f"{named_phone}/tour/pistes",
        data={
            "card-0": "__own__",
            "title-0": "Club de mécènes",
            "first_step-0": "Lister dix entreprises",
            "owner-0": "La trésorière",
            "due-0": "2027-01-15",
        },
    )
    assert chosen.status_code == 200
    # Participant 2 (anonymous): their words stay out, their catalogue piste and date stay in.
    other = open_round(client, workshop, 2)
    anonymous.post(f"{anonymous_phone}/tour/probleme", data={"problem": "Bernard Secret part"})
    named.post(f"{named_phone}/tour/suggestions", data={"text": "Parler à Bernard Secret"})
    client.post(f"{other}/tour/suggestions", data={"text": "Voir la Fondation Secrète"})
    anonymous.post(
        f"{anonymous_phone}/tour/pistes",
        data={"card-0": card.id, "first_step-0": "Voir Bernard Secret", "due-0": "2027-03-15"},
    )

    text = pdf_text(client.get(f"/ateliers/{workshop['id']}/synthese.pdf").content)
    rounds_part = text.split("Les tours de co-développement", 1)[1]
    assert "Les Jardins Partagés" in rounds_part and "Notre subvention baisse" in rounds_part
    assert "Un club de mécènes" in rounds_part and "Mutualiser un poste" in rounds_part
    assert "Suggestions des pairs (2)" in rounds_part
    for detail in ("Club de mécènes", "Lister dix entreprises", "La trésorière", "15 janvier 2027"):
        assert detail in rounds_part, detail
    assert "Participant n° 2" in rounds_part and "2 suggestions reçues" in rounds_part
    assert card.title.get("fr")[:20] in rounds_part and "15 mars 2027" in rounds_part
    for secret in ("Association Secrète", "Bernard Secret", "Fondation Secrète"):
        assert secret not in text


def test_a_synthesis_without_rounds_has_no_rounds_section(client, workshop):
    text = pdf_text(client.get(f"/ateliers/{workshop['id']}/synthese.pdf").content)
    assert "Les tours de co-développement" not in text


def test_merging_a_duplicate_keeps_an_agreement_given_under_either(client, browser):
    from tests.utils.workshops import join

    sign_up(client)
    workshop_id, code = create_workshop(client)
    first, duplicate = browser(), browser()
    join(first, code, "named")
    duplicate_token = join(duplicate, code, "named")
    phone = f"/d/{duplicate_token}/ateliers/{membership_id(duplicate, duplicate_token)}"
    duplicate.post(f"{phone}/presenter", data={"agree": "1"})
    assert "accord non indiqué" in board_row(client, workshop_id, 1)
    merged = client.post(f"/ateliers/{workshop_id}/participants/2/retirer", data={"avec": "1"})
    assert merged.status_code == 200
    assert "d'accord pour présenter" in board_row(client, workshop_id, 1)
