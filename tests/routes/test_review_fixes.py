"""Regression tests for the review of the round, follow-up and join work: frozen suggestions,
a co-counsellor keeping a follow-up link, joins racing a closing workshop, typed text kept on
a validation error, and the before/after table's wording."""

from __future__ import annotations

import re

import pytest

from tests.utils.workshops import create_workshop, membership_id, sign_up

FROZEN = "Les résultats de cet atelier sont figés"


def suggestion_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r"/tour/suggestions/(\d+)/supprimer", page)]


def freeze(client, workshop_id) -> None:
    assert client.post(f"/ateliers/{workshop_id}/figer").status_code == 200


def test_suggestions_cannot_be_edited_or_taken_back_once_frozen(client, workshop):
    wid = workshop["id"]
    base = f"/ateliers/{wid}/participants/1"
    assert client.post(f"{base}/tour", data={"open": "1", "confirm": "1"}).status_code == 200
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})
    other, other_token = workshop["anonymous"]
    phone = f"/d/{other_token}/ateliers/{membership_id(other, other_token)}/tour"
    assert other.post(f"{phone}/suggestions", data={"text": "Demander au réseau"}).status_code in (
        200,
        303,
    )
    counsellors, own = suggestion_ids(client.get(f"{base}/tour").text)
    assert suggestion_ids(other.get(phone).text) == [own]
    freeze(client, wid)

    edited = client.post(f"{base}/tour/suggestions/{counsellors}/modifier", data={"text": "x"})
    deleted = client.post(f"{base}/tour/suggestions/{counsellors}/supprimer")
    taken_back = other.post(f"{phone}/suggestions/{own}/supprimer")
    for refused in (edited, deleted, taken_back):
        assert refused.status_code == 409 and FROZEN in refused.text
    page = client.get(f"{base}/tour").text
    assert "Mutualiser un poste" in page and "Demander au réseau" in page


def new_workshop(client, title: str, held_on: str, follows: int | str = "") -> int:
    response = client.post(
        "/ateliers",
        data={"title": title, "held_on": held_on, "place": "Lyon", "follows_id": str(follows)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def follows_of(client, workshop_id: int) -> int | None:
    from sqlalchemy.orm import Session

    from app.models import Workshop

    with Session(client.app.state.engine) as session:
        return session.get(Workshop, workshop_id).follows_id


def test_a_co_counsellor_keeps_the_follow_up_link_of_a_session_they_do_not_run(client, browser):
    """The co-counsellor of the follow-up only: the first session is not theirs, yet it is
    shown (selected) on the form and saving an edit keeps it; changing it to a workshop they
    do not run is still refused."""
    from app import accounts
    from app.workshops import storage

    sign_up(client)
    first = new_workshop(client, "Première séance de Lyon", "2026-01-10")
    follow_up = new_workshop(client, "Suivi de Lyon", "2026-06-10", first)
    other_first = new_workshop(client, "Autre première séance", "2026-02-10")
    colleague = browser()
    sign_up(colleague, "dominique@dla69.fr", "Dominique Petit")
    engine = client.app.state.engine
    colleague_id = accounts.get_by_email(engine=engine, email="dominique@dla69.fr").id
    workshop = storage.workshop_of(engine=engine, workshop_id=follow_up)
    assert storage.add_co_counsellor(engine=engine, workshop=workshop, facilitator_id=colleague_id)

    form = colleague.get(f"/ateliers/{follow_up}/modifier").text
    assert re.search(rf'<option value="{first}" selected>Première séance de Lyon', form)
    assert "Autre première séance" not in form  # not theirs: not offered
    fields = {"title": "Suivi de Lyon", "held_on": "2026-06-10", "place": "Villeurbanne"}
    kept = colleague.post(
        f"/ateliers/{follow_up}/modifier",
        data={**fields, "follows_id": str(first)},
        follow_redirects=False,
    )
    assert kept.status_code == 303, kept.text
    assert follows_of(client, follow_up) == first
    changed = colleague.post(
        f"/ateliers/{follow_up}/modifier", data={**fields, "follows_id": str(other_first)}
    )
    assert changed.status_code == 422 and "Atelier introuvable" in changed.text
    assert follows_of(client, follow_up) == first
    # Their own workshops stay choosable, and the link can be removed.
    theirs = new_workshop(colleague, "Leur première séance", "2026-03-01")
    moved = colleague.post(
        f"/ateliers/{follow_up}/modifier",
        data={**fields, "follows_id": str(theirs)},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and follows_of(client, follow_up) == theirs
    # Once moved away, the creator's first session is no longer offered to them.
    assert "Première séance de Lyon" not in colleague.get(f"/ateliers/{follow_up}/modifier").text


@pytest.mark.parametrize("diagnostic", ["new", "existing"])
def test_a_workshop_closed_while_joining_refuses_and_writes_nothing(
    client, browser, monkeypatch, diagnostic
):
    """The counsellor closes (so freezes) the workshop between the page's check of is_open
    and the join's write: the association gets the closed workshop's page, and neither a
    participant nor an orphan diagnostic is written, on SQLite and PostgreSQL."""
    from sqlalchemy import func, select

    from app.models import Diagnostic, Participant
    from app.workshops import opening, storage

    sign_up(client)
    _, code = create_workshop(client)
    participant = browser()
    form = {"diagnostic": "new", "sharing": "named"}
    if diagnostic == "existing":
        token = participant.post("/diagnostics").url.path.split("/")[2]
        form = {"diagnostic": "existing", "resume_link": token, "sharing": "named"}
    state = client.app.state
    looked_up = storage.workshop_by_code

    def found_then_closed(**kwargs):
        workshop = looked_up(**kwargs)
        opening.set_open(
            engine=state.engine, store=state.store, workshop_id=workshop.id, is_open=False
        )
        return workshop

    def count(table) -> int:
        with state.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()

    diagnostics = count(Diagnostic)
    monkeypatch.setattr(storage, "workshop_by_code", found_then_closed)
    response = participant.post(f"/rejoindre/{code.replace('-', '')}", data=form)
    assert response.status_code == 410, response.text
    assert "Cet atelier est fermé" in response.text
    assert count(Diagnostic) == diagnostics
    assert count(Participant) == 0


def textarea(page: str, field_id: str) -> str:
    found = re.search(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, field_id
    return found.group(1)


def test_typed_text_comes_back_with_the_error_on_the_controls(client, workshop):
    from app.workshops import rounds

    wid = workshop["id"]
    base = f"/ateliers/{wid}/participants/1"
    assert client.post(f"{base}/tour", data={"open": "1", "confirm": "1"}).status_code == 200
    client.post(f"{base}/tour/probleme", data={"problem": "Le problème enregistré"})
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})
    (sid,) = suggestion_ids(client.get(f"{base}/tour").text)

    long_suggestion = "Une suggestion trop longue " + "a" * rounds.SUGGESTION_MAX
    refused = client.post(f"{base}/tour/suggestions", data={"text": long_suggestion})
    assert refused.status_code == 422 and 'id="suggestion-error"' in refused.text
    assert textarea(refused.text, "suggestion-text") == long_suggestion

    long_problem = "Un problème trop long " + "b" * rounds.PROBLEM_MAX
    refused = client.post(f"{base}/tour/probleme", data={"problem": long_problem})
    assert refused.status_code == 422 and 'id="problem-error"' in refused.text
    assert textarea(refused.text, "problem") == long_problem

    refused = client.post(f"{base}/tour/suggestions/{sid}/modifier", data={"text": long_suggestion})
    assert refused.status_code == 422 and f'id="edit-{sid}-error"' in refused.text
    assert textarea(refused.text, f"edit-{sid}") == long_suggestion

    refused = client.post(f"{base}/tour/durees", data={"presentation": "75", "questions": "4"})
    assert refused.status_code == 422 and "Durées" in refused.text
    assert re.search(r'id="minutes-presentation" name="presentation" value="75"', refused.text)
    assert re.search(r'id="minutes-questions" name="questions" value="4"', refused.text)
    # Nothing refused was saved.
    page = client.get(f"{base}/tour").text
    assert textarea(page, "problem") == "Le problème enregistré"
    assert textarea(page, "suggestion-text") == ""
    assert textarea(page, f"edit-{sid}") == "Mutualiser un poste"


def test_typed_text_comes_back_with_the_error_on_the_phone(client, workshop):
    from app.workshops import rounds

    wid = workshop["id"]
    base = f"/ateliers/{wid}/participants/1"
    assert client.post(f"{base}/tour", data={"open": "1", "confirm": "1"}).status_code == 200
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    named_phone = f"/d/{named_token}/ateliers/{membership_id(named, named_token)}/tour"
    other_phone = f"/d/{other_token}/ateliers/{membership_id(other, other_token)}/tour"

    long_problem = "Notre problème " + "c" * rounds.PROBLEM_MAX
    refused = named.post(f"{named_phone}/probleme", data={"problem": long_problem})
    assert refused.status_code == 422 and 'id="problem-error"' in refused.text
    assert textarea(refused.text, "problem") == long_problem

    long_suggestion = "Ma suggestion " + "d" * rounds.SUGGESTION_MAX
    refused = other.post(f"{other_phone}/suggestions", data={"text": long_suggestion})
    assert refused.status_code == 422 and 'id="suggestion-error"' in refused.text
    assert textarea(refused.text, "suggestion-text") == long_suggestion

    client.post(f"{base}/tour/phase", data={"phase": "pitch"})
    typed = {
        "clear": "Le chiffre clé",
        "partner_question": "Quel budget ? " + "e" * rounds.FEEDBACK_MAX,
        "improvement": "Moins de sigles",
    }
    refused = other.post(f"{other_phone}/retour", data=typed)
    assert refused.status_code == 422
    for name, value in typed.items():
        assert textarea(refused.text, f"fb-{name}") == value
    # Saved nowhere: the next visit starts blank.
    page = other.get(other_phone).text
    assert textarea(page, "fb-clear") == ""
