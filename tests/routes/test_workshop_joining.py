"""Joining a workshop over HTTP: with a code or a resume link, sharing chosen and changed,
leaving, a closed or deleted workshop, and joins at the same moment."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.utils.answers import full_answers
from tests.utils.clients import csrf_ready
from tests.utils.workshops import answer, create_workshop, join, sign_up


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


def test_simultaneous_joins_never_fail_and_get_distinct_numbers(client, browser):
    """A double click on "Rejoindre" (same diagnostic twice at once) gives one participant, and
    people joining at the same moment get distinct numbers, on SQLite and PostgreSQL."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app import crud
    from app.workshops import storage

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
        return storage.join_workshop(
            engine=engine, workshop_id=workshop_id, diagnostic_id=diagnostic_id, sharing="named"
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        joined = list(pool.map(attempt, attempts))
    assert len({p.id for p in joined if p.diagnostic_id == twice.id}) == 1
    members = storage.group_members(engine=engine, workshop_id=workshop_id)
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
    from app.workshops import storage

    sign_up(client)
    _, code = create_workshop(client)
    participant = browser()
    form = {"diagnostic": "new", "sharing": "named"}
    if diagnostic == "existing":
        token = participant.post("/diagnostics").url.path.split("/")[2]
        form = {"diagnostic": "existing", "resume_link": token, "sharing": "named"}
    engine = client.app.state.engine
    looked_up = storage.workshop_by_code

    def found_then_deleted(**kwargs):
        workshop = looked_up(**kwargs)
        storage.delete_workshop(engine=engine, workshop_id=workshop.id)
        return workshop

    def count(table) -> int:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(table)).scalar_one()

    diagnostics = count(Diagnostic)
    monkeypatch.setattr(storage, "workshop_by_code", found_then_deleted)
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
    from app.workshops import storage

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
                return storage.delete_workshop(engine=engine, workshop_id=workshop_id)
            if n < 4:
                return storage.join_workshop(
                    engine=engine,
                    workshop_id=workshop_id,
                    diagnostic_id=existing[n].id,
                    sharing="named",
                )
            return storage.join_with_new_diagnostic(
                engine=engine, workshop_id=workshop_id, snapshot_id=snapshot, sharing="named"
            )
        except storage.WorkshopGone as gone:
            return gone

    with ThreadPoolExecutor(max_workers=9) as pool:
        outcomes = list(pool.map(attempt, range(9)))
    started = [o for o in outcomes[4:8] if isinstance(o, Diagnostic)]
    assert all(isinstance(o, Participant | storage.WorkshopGone) for o in outcomes[:4])
    assert all(isinstance(o, Diagnostic | storage.WorkshopGone) for o in outcomes[4:8])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Participant)).scalar_one() == 0
        stored = connection.execute(select(func.count()).select_from(Diagnostic)).scalar_one()
    assert stored == len(existing) + len(started)
