"""Personal data (RGPD): retention (`mse purge` and app/retention.py), JSON exports of a
diagnostic, a workshop and a counsellor account, and deleting a counsellor account."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import accounts, crud, retention
from app.models import (
    Answer,
    Diagnostic,
    Facilitator,
    FacilitatorSession,
    Participant,
    Workshop,
    utcnow,
)
from tests.utils.answers import full_answers, resource_answers
from tests.utils.clients import csrf_ready

PASSWORD = "une phrase de passe"
LONG_AGO = datetime(2020, 1, 15, 12, 0, tzinfo=UTC)


# --- Helpers ------------------------------------------------------------------------------


def visitor(client: TestClient) -> TestClient:
    """Another browser on the same app, with its own cookies."""
    return csrf_ready(TestClient(client.app))


def sign_up(client: TestClient, email: str, name: str = "Camille Martin") -> None:
    response = client.post(
        "/compte/inscription",
        data={"email": email, "name": name, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200 and response.url.path == "/ateliers", response.text


def create_workshop(client: TestClient, title: str, **fields) -> tuple[int, str]:
    response = client.post("/ateliers", data={"title": title, **fields})
    assert response.status_code == 200, response.text
    code = re.search(r'class="join-code">([^<]+)<', response.text).group(1)
    return int(response.url.path.rsplit("/", 1)[1]), code


def new_diagnostic(client: TestClient) -> str:
    return client.post("/api/diagnostics").json()["token"]


def join(client: TestClient, code: str, sharing: str) -> str:
    response = client.post(f"/rejoindre/{code}", data={"diagnostic": "new", "sharing": sharing})
    assert response.status_code == 200, response.text
    return re.search(r"/d/([^/?]+)", str(response.url)).group(1)


def answer(client: TestClient, token: str, answers: dict) -> None:
    response = client.put(f"/api/diagnostics/{token}/answers", json=answers)
    assert response.status_code == 200, response.text


def diagnostic_id(engine, token: str) -> int:
    return crud.get_diagnostic(engine=engine, token=token).id


def age(engine, token: str, moment: datetime = LONG_AGO) -> None:
    """Make a diagnostic (and its joining of workshops) look untouched since `moment`."""
    with engine.begin() as connection:
        connection.execute(
            update(Diagnostic).where(Diagnostic.token == token).values(updated_at=moment)
        )
        connection.execute(
            update(Participant)
            .where(Participant.diagnostic_id == diagnostic_id(engine, token))
            .values(joined_at=moment)
        )


def count(engine, model, *where) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def counts(engine) -> dict[str, int]:
    return {
        model.__tablename__: count(engine, model)
        for model in (Diagnostic, Answer, Participant, Workshop, Facilitator, FacilitatorSession)
    }


# --- Retention ----------------------------------------------------------------------------


@pytest.fixture
def aged(client, questionnaire):
    """Two stale diagnostics (one in a workshop, one joined to it long ago) and fresh ones."""
    engine = client.app.state.engine
    sign_up(client, "camille@dla69.fr")
    _workshop_id, code = create_workshop(client, "Atelier récent")
    association = visitor(client)
    stale = new_diagnostic(association)
    answer(association, stale, full_answers(questionnaire, name="Vieille Asso"))
    stale_member = join(association, code, "named")
    answer(association, stale_member, {questionnaire.definition.roles.association_name: "X"})
    fresh = new_diagnostic(association)
    answer(association, fresh, full_answers(questionnaire, name="Asso Active"))
    # Untouched for long, but linked to a workshop just now: its owner is still using it.
    rejoined = join(association, code, "anonymous")
    for token in (stale, stale_member, rejoined):
        age(engine, token)
    with engine.begin() as connection:
        connection.execute(
            update(Participant)
            .where(Participant.diagnostic_id == diagnostic_id(engine, rejoined))
            .values(joined_at=utcnow())
        )
    return {
        "engine": engine,
        "stale": [stale, stale_member],
        "kept": [fresh, rejoined],
        "stale_ids": [diagnostic_id(engine, t) for t in (stale, stale_member)],
    }


def test_purge_deletes_exactly_the_diagnostics_untouched_since_the_cutoff(aged):
    engine = aged["engine"]
    before = counts(engine)
    stale_answers = count(engine, Answer, Answer.diagnostic_id.in_(aged["stale_ids"]))
    assert stale_answers > 10
    cutoff = retention.cutoff_for(730)

    deleted = retention.purge_diagnostics(engine=engine, cutoff=cutoff)

    assert (deleted.diagnostics, deleted.answers, deleted.memberships) == (2, stale_answers, 1)
    for token in aged["stale"]:
        assert crud.get_diagnostic(engine=engine, token=token) is None
    assert count(engine, Answer, Answer.diagnostic_id.in_(aged["stale_ids"])) == 0
    assert count(engine, Participant, Participant.diagnostic_id.in_(aged["stale_ids"])) == 0
    for token in aged["kept"]:
        kept = crud.get_diagnostic(engine=engine, token=token)
        assert kept is not None
    after = counts(engine)
    assert after["diagnostic"] == before["diagnostic"] - 2
    assert after["answer"] == before["answer"] - stale_answers
    assert after["participant"] == before["participant"] - 1
    assert after["workshop"] == before["workshop"] == 1  # a recent workshop stays
    # Nothing more to do the next night.
    assert retention.purge_diagnostics(engine=engine, cutoff=cutoff).diagnostics == 0


def test_a_dry_run_deletes_nothing_and_counts_the_same(aged):
    engine = aged["engine"]
    before = counts(engine)
    cutoff = retention.cutoff_for(730)
    dry = retention.purge(engine=engine, cutoff=cutoff, dry_run=True)
    assert counts(engine) == before
    assert dry.diagnostics == 2
    real = retention.purge(engine=engine, cutoff=cutoff)
    assert real == dry


def test_a_save_after_listing_keeps_the_diagnostic(aged, questionnaire):
    """The purge re-checks under the row lock: a diagnostic touched since it was listed
    stays (what a save racing the nightly purge does)."""
    engine = aged["engine"]
    cutoff = retention.cutoff_for(730)
    listed = retention.stale_diagnostics(engine=engine, cutoff=cutoff)
    assert len(listed) == 2
    name_question = questionnaire.definition.roles.association_name
    crud.save_answers(engine=engine, diagnostic_id=listed[0][0], values={name_question: "Revenue"})
    condition = retention.untouched_since(cutoff)
    assert not crud.delete_diagnostic(engine=engine, diagnostic_id=listed[0][0], only_if=condition)
    assert crud.delete_diagnostic(engine=engine, diagnostic_id=listed[1][0], only_if=condition)
    assert count(engine, Diagnostic, Diagnostic.id == listed[0][0]) == 1


def test_workshops_without_activity_go_with_their_links_not_the_diagnostics(client):
    engine = client.app.state.engine
    sign_up(client, "camille@dla69.fr")
    old_id, old_code = create_workshop(client, "Atelier 2019", held_on="2019-03-01")
    undated_id, _undated = create_workshop(client, "Atelier sans date")
    coming_id, _coming = create_workshop(client, "Atelier à venir", held_on="2099-01-01")
    recent_id, recent_code = create_workshop(client, "Atelier ancien mais rejoint")
    association = visitor(client)
    member = join(association, old_code, "named")
    late = join(association, recent_code, "named")
    with engine.begin() as connection:
        connection.execute(update(Workshop).values(created_at=LONG_AGO))
        connection.execute(update(Participant).values(joined_at=LONG_AGO))
        connection.execute(
            update(Participant)
            .where(Participant.workshop_id == recent_id)
            .values(joined_at=utcnow() - timedelta(days=3))
        )
    cutoff = retention.cutoff_for(730)

    assert sorted(w for w, _ in retention.stale_workshops(engine=engine, cutoff=cutoff)) == [
        old_id,
        undated_id,
    ]
    deleted = retention.purge_workshops(engine=engine, cutoff=cutoff)

    assert (deleted.workshops, deleted.workshop_memberships) == (2, 1)
    with Session(engine) as session:
        left = set(session.execute(select(Workshop.id)).scalars())
    assert left == {coming_id, recent_id}
    # The member's diagnostic is still its association's (recently modified).
    assert crud.get_diagnostic(engine=engine, token=member) is not None
    assert count(engine, Participant, Participant.workshop_id == old_id) == 0
    assert crud.get_diagnostic(engine=engine, token=late) is not None
    # The end of the workshop's day counts as activity.
    assert retention.last_activity(LONG_AGO, date(2021, 6, 1), None) == datetime(
        2021, 6, 2, tzinfo=UTC
    )


def test_expired_sessions_are_purged_and_live_ones_kept(client):
    engine = client.app.state.engine
    sign_up(client, "camille@dla69.fr")
    other = visitor(client)
    other.post("/compte/connexion", data={"email": "camille@dla69.fr", "password": PASSWORD})
    with engine.begin() as connection:
        first = connection.execute(select(FacilitatorSession.token_hash)).scalars().first()
        connection.execute(
            update(FacilitatorSession)
            .where(FacilitatorSession.token_hash == first)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert count(engine, FacilitatorSession) == 2
    assert retention.purge_expired_sessions(engine=engine, dry_run=True) == 1
    assert count(engine, FacilitatorSession) == 2
    assert retention.purge_expired_sessions(engine=engine) == 1
    assert count(engine, FacilitatorSession) == 1
    # Retention off: sessions are still swept, diagnostics and workshops kept.
    assert retention.purge(engine=engine, cutoff=None).sessions == 0


def test_purge_command_line(tmp_path, monkeypatch, capsys, questionnaire):
    from app import cli
    from app.config import settings
    from app.db import create_db_engine, migrate

    url = f"sqlite:///{tmp_path / 'purge.sqlite3'}"
    monkeypatch.setattr(settings, "database_url", url)
    monkeypatch.setattr(settings, "retention_days", 730)
    migrate(url)
    engine = create_db_engine(url)
    snapshot = crud.ensure_snapshot(engine=engine, questionnaire=questionnaire)
    old = crud.create_diagnostic(engine=engine, snapshot_id=snapshot)
    middle = crud.create_diagnostic(engine=engine, snapshot_id=snapshot)
    new = crud.create_diagnostic(engine=engine, snapshot_id=snapshot)
    name = questionnaire.definition.roles.association_name
    for diagnostic in (old, middle, new):
        crud.save_answers(engine=engine, diagnostic_id=diagnostic.id, values={name: "Asso"})
    with engine.begin() as connection:
        for diagnostic, days in ((old, 800), (middle, 100)):
            connection.execute(
                update(Diagnostic)
                .where(Diagnostic.id == diagnostic.id)
                .values(updated_at=utcnow() - timedelta(days=days))
            )

    try:
        assert cli.main(["purge", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "Retention: 730 days" in out
        assert "Would delete 1 diagnostic(s)" in out and "with 1 answer(s)" in out
        assert "Dry run: nothing was deleted." in out
        assert count(engine, Diagnostic) == 3

        assert cli.main(["purge"]) == 0
        out = capsys.readouterr().out
        assert "Deleted 1 diagnostic(s)" in out and "Deleted 0 expired counsellor session(s)" in out
        assert count(engine, Diagnostic) == 2 and count(engine, Answer) == 2

        assert cli.main(["purge", "--days", "30"]) == 0
        assert "Deleted 1 diagnostic(s)" in capsys.readouterr().out
        assert count(engine, Diagnostic, Diagnostic.id == new.id) == 1
        assert count(engine, Diagnostic) == 1

        monkeypatch.setattr(settings, "retention_days", 0)
        assert cli.main(["purge"]) == 0
        assert "Retention is off" in capsys.readouterr().out
        assert count(engine, Diagnostic) == 1

        with pytest.raises(SystemExit):
            cli.main(["purge", "--days", "0"])
        assert "from 1 to 36500" in capsys.readouterr().err
    finally:
        engine.dispose()


def test_a_workshop_dated_year_9999_never_stops_the_purge(client, monkeypatch, capsys):
    """Such a row (stored before the form refused it) once made `mse purge` and its dry run
    die with OverflowError, so nothing was ever purged again. On SQLite and PostgreSQL."""
    from app import cli
    from app.config import settings

    engine = client.app.state.engine
    sign_up(client, "camille@dla69.fr")
    far_id, _far = create_workshop(client, "Atelier de l'an 9999")
    old_id, _old = create_workshop(client, "Atelier 2019", held_on="2019-03-01")
    with engine.begin() as connection:
        connection.execute(update(Workshop).values(created_at=LONG_AGO))
        connection.execute(
            update(Workshop).where(Workshop.id == far_id).values(held_on=date(9999, 12, 31))
        )
    monkeypatch.setattr(settings, "database_url", client.app.state.settings.database_url)
    monkeypatch.setattr(settings, "retention_days", 730)

    assert cli.main(["purge", "--dry-run"]) == 0
    assert "Would delete 1 workshop(s)" in capsys.readouterr().out
    assert cli.main(["purge"]) == 0
    assert "Deleted 1 workshop(s)" in capsys.readouterr().out
    with Session(engine) as session:
        assert set(session.execute(select(Workshop.id)).scalars()) == {far_id}


def test_one_row_that_cannot_be_purged_does_not_stop_the_others(client, monkeypatch, capsys):
    """Whatever goes wrong with one workshop or diagnostic, the purge goes on with the rest,
    names what it skipped and exits non-zero (so cron reports it)."""
    from app import cli
    from app.config import settings

    engine = client.app.state.engine
    sign_up(client, "camille@dla69.fr")
    first_id, _ = create_workshop(client, "Atelier A", held_on="2019-03-01")
    create_workshop(client, "Atelier B", held_on="2019-03-02")
    with engine.begin() as connection:
        connection.execute(update(Workshop).values(created_at=LONG_AGO))
    delete = retention.delete_stale_workshop

    def broken_on_first(*, engine, workshop_id, cutoff):
        if workshop_id == first_id:
            raise OverflowError("date value out of range")
        return delete(engine=engine, workshop_id=workshop_id, cutoff=cutoff)

    monkeypatch.setattr(retention, "delete_stale_workshop", broken_on_first)
    monkeypatch.setattr(settings, "database_url", client.app.state.settings.database_url)
    monkeypatch.setattr(settings, "retention_days", 730)
    assert cli.main(["purge"]) == 1
    captured = capsys.readouterr()
    assert "Deleted 1 workshop(s)" in captured.out
    assert f"workshop {first_id}: OverflowError: date value out of range" in captured.err
    with Session(engine) as session:
        assert set(session.execute(select(Workshop.id)).scalars()) == {first_id}


@pytest.mark.parametrize("days", ["99999999", "36501", "-5", "abc"])
def test_purge_days_out_of_range_is_a_one_line_error(days, capsys):
    from app import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["purge", "--days", days])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "a whole number of days, from 1 to 36500" in err and "Traceback" not in err
    with pytest.raises(ValueError):
        retention.cutoff_for(99999999)


@pytest.mark.parametrize("value", ["-1", "99999999", "deux ans"])
def test_a_bad_retention_setting_is_a_one_line_error(tmp_path, value):
    """RETENTION_DAYS is read when the command starts: a bad value is named in one line,
    without a traceback."""
    import os
    import subprocess
    import sys

    from app.config import PROJECT_ROOT

    env = {
        **os.environ,
        "RETENTION_DAYS": value,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mse.sqlite3'}",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "purge", "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("mse: invalid setting RETENTION_DAYS=")
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_retention_setting_defaults_to_two_years_and_shows_on_the_privacy_page(client):
    from app.config import Settings

    assert Settings().retention_days == 730
    assert Settings(retention_days=0).retention_days == 0
    with pytest.raises(ValueError):
        Settings(retention_days=-1)
    page = client.get("/confidentialite").text
    assert "Un diagnostic resté 730 jours sans modification" in page
    assert "au bout de 14 jours" in page and "Supprimer mon diagnostic" in page
    client.cookies.set("lang", "en")
    assert "left 730 days without any change" in client.get("/confidentialite").text
    client.cookies.set("lang", "fr")


def test_the_privacy_page_follows_the_instance_settings(database_url):
    from app.main import create_app
    from tests.utils.settings import make_settings

    settings = make_settings(database_url, retention_days=0, session_days=1)
    with TestClient(create_app(settings)) as browser:
        page = browser.get("/confidentialite").text
    assert "Votre diagnostic est conservé jusqu'à ce que vous le supprimiez" in page
    assert "Un diagnostic resté" not in page and "sans activité" not in page
    assert "expirent au bout de 1 jour " in page


# --- Exports ------------------------------------------------------------------------------


def json_of(response) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    return response.json()


@pytest.fixture
def group(client, questionnaire):
    """Counsellor A's workshop with a named and an anonymous association; counsellor B's
    workshop with a third association; a diagnostic in no workshop."""
    sign_up(client, "camille@dla69.fr", "Camille Martin")
    workshop_id, code = create_workshop(
        client, "Atelier du Rhône", held_on="2026-12-03", place="Lyon", notes="Salle B"
    )
    named, anonymous, outsider = visitor(client), visitor(client), visitor(client)
    named_token = join(named, code, "named")
    answer(named, named_token, full_answers(questionnaire, name="Les Jardins Partagés"))
    anonymous_token = join(anonymous, code, "anonymous")
    answers = full_answers(questionnaire, name="Association Secrète")
    answers.update(resource_answers(questionnaire, {"subventions": 0.7, "dons": 0.3}))
    answer(anonymous, anonymous_token, answers)
    other = visitor(client)
    sign_up(other, "dominique@reseau.fr", "Dominique Autre")
    other_id, other_code = create_workshop(other, "Atelier de Dominique", notes="Privé B")
    other_member = join(outsider, other_code, "named")
    answer(outsider, other_member, full_answers(questionnaire, name="Asso de Dominique"))
    alone = new_diagnostic(outsider)
    answer(outsider, alone, {questionnaire.definition.roles.association_name: "Asso Seule"})
    return {
        "id": workshop_id,
        "code": code,
        "named": (named, named_token),
        "anonymous": (anonymous, anonymous_token),
        "other": other,
        "other_id": other_id,
    }


def test_a_diagnostic_exports_its_own_data_only(client, group, questionnaire):
    browser, token = group["named"]
    home = browser.get(f"/d/{token}")
    assert f'/d/{token}/donnees.json" download' in home.text
    exported = json_of(browser.get(f"/d/{token}/donnees.json"))
    assert exported["export"]["kind"] == "diagnostic"
    meta = exported["diagnostic"]
    assert meta["questionnaire_version"] == questionnaire.version
    assert meta["created_at"] and meta["updated_at"] >= meta["created_at"]
    stored = client.get(f"/api/diagnostics/{token}").json()["answers"]
    by_id = {row["question_id"]: row for row in exported["answers"]}
    assert set(by_id) == set(stored)
    name_question = questionnaire.definition.roles.association_name
    assert by_id[name_question]["value"] == "Les Jardins Partagés"
    assert by_id[name_question]["question"] == questionnaire.questions[name_question].label.get()
    assert exported["result"]["levers"] and "indicators" in exported["result"]
    assert exported["workshops"] == [
        {
            "title": "Atelier du Rhône",
            "held_on": "2026-12-03",
            "participant_number": 1,
            "sharing": "named",
            "joined_at": exported["workshops"][0]["joined_at"],
            "round": None,
        }
    ]
    text = json.dumps(exported, ensure_ascii=False)
    for foreign in ("Association Secrète", "Asso de Dominique", "Asso Seule", "Salle B", "Lyon"):
        assert foreign not in text
    assert token not in text  # the key stays out of a file that may be passed around
    # A diagnostic without answers: no result, an unknown token: 404.
    empty = new_diagnostic(browser)
    assert json_of(browser.get(f"/d/{empty}/donnees.json"))["result"] is None
    assert browser.get("/d/inconnu/donnees.json").status_code == 404


@pytest.mark.slow
def test_a_workshop_exports_its_participants_as_the_counsellor_sees_them(client, group):
    board = client.get(f"/ateliers/{group['id']}")
    assert f'/ateliers/{group["id"]}/donnees.json" download' in board.text
    exported = json_of(client.get(f"/ateliers/{group['id']}/donnees.json"))
    workshop = exported["workshop"]
    assert workshop["title"] == "Atelier du Rhône" and workshop["held_on"] == "2026-12-03"
    assert workshop["place"] == "Lyon" and workshop["notes"] == "Salle B"
    assert workshop["join_code"] == group["code"] and workshop["is_open"] is True
    rows = {row["number"]: row for row in workshop["participants"]}
    assert rows[1]["association"] == "Les Jardins Partagés" and rows[1]["sharing"] == "named"
    assert rows[2]["association"] is None and rows[2]["sharing"] == "anonymous"
    assert rows[2]["levers"] and rows[2]["joined_at"]
    text = json.dumps(exported, ensure_ascii=False)
    for foreign in ("Association Secrète", "Asso de Dominique", "Dominique", "Privé B"):
        assert foreign not in text

    # Another counsellor, a guessed id, a signed-out visitor: not theirs to read.
    assert group["other"].get(f"/ateliers/{group['id']}/donnees.json").status_code == 404
    assert client.get(f"/ateliers/{group['other_id']}/donnees.json").status_code == 404
    assert client.get("/ateliers/999999/donnees.json").status_code == 404
    signed_out = visitor(client).get(
        f"/ateliers/{group['id']}/donnees.json", follow_redirects=False
    )
    assert signed_out.status_code == 303 and "/compte/connexion" in signed_out.headers["location"]


@pytest.mark.slow
def test_an_account_exports_itself_and_its_workshops(client, group):
    page = client.get("/compte")
    assert '/compte/donnees.json" download' in page.text
    assert '/compte/supprimer"' in page.text
    exported = json_of(client.get("/compte/donnees.json"))
    assert exported["account"]["email"] == "camille@dla69.fr"
    assert exported["account"]["display_name"] == "Camille Martin"
    assert exported["account"]["created_at"]
    assert exported["open_sessions"] == 1
    assert [w["title"] for w in exported["workshops"]] == ["Atelier du Rhône"]
    names = [p["association"] for p in exported["workshops"][0]["participants"]]
    assert names == ["Les Jardins Partagés", None]
    text = json.dumps(exported, ensure_ascii=False)
    for foreign in ("dominique@reseau.fr", "Atelier de Dominique", "Association Secrète"):
        assert foreign not in text
    assert "argon2" not in text and "password" not in text
    signed_out = visitor(client).get("/compte/donnees.json", follow_redirects=False)
    assert signed_out.status_code == 303


# --- Deleting a counsellor account --------------------------------------------------------


def test_a_wrong_password_deletes_nothing(client, group):
    engine = client.app.state.engine
    page = client.get("/compte/supprimer")
    assert page.status_code == 200 and 'name="current"' in page.text
    assert page.headers["cache-control"] == "no-store"
    before = counts(engine)
    refused = client.post("/compte/supprimer", data={"current": "pas le bon mot de passe"})
    assert refused.status_code == 422
    assert "Mot de passe incorrect" in refused.text and 'aria-invalid="true"' in refused.text
    assert counts(engine) == before
    assert client.get("/ateliers").url.path == "/ateliers"


def test_deleting_an_account_keeps_the_associations_diagnostics(client, group):
    engine = client.app.state.engine
    session_cookie = client.cookies["mse_session"]
    named_browser, named_token = group["named"]
    _anonymous_browser, anonymous_token = group["anonymous"]
    before = counts(engine)
    answers_before = count(engine, Answer)

    response = client.post("/compte/supprimer", data={"current": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/?compte_supprime=1"
    assert 'mse_session=""' in response.headers["set-cookie"]
    landing = client.get(response.headers["location"])
    assert "Votre compte accompagnateur a été supprimé" in landing.text

    assert accounts_named(engine, "camille@dla69.fr") == 0
    assert accounts_named(engine, "dominique@reseau.fr") == 1
    after = counts(engine)
    assert after["facilitator"] == before["facilitator"] - 1
    assert after["facilitator_session"] == before["facilitator_session"] - 1
    assert after["workshop"] == before["workshop"] - 1
    assert after["participant"] == before["participant"] - 2
    assert after["diagnostic"] == before["diagnostic"]
    assert count(engine, Answer) == answers_before
    for token in (named_token, anonymous_token):
        assert named_browser.get(f"/d/{token}").status_code == 200
    # The old session cookie signs nobody in any more.
    replay = visitor(client)
    replay.cookies.set("mse_session", session_cookie)
    assert replay.get("/ateliers", follow_redirects=False).status_code == 303
    assert replay.get("/compte/donnees.json", follow_redirects=False).status_code == 303
    # The other counsellor's workshop is untouched.
    assert group["other"].get(f"/ateliers/{group['other_id']}").status_code == 200


def accounts_named(engine, email: str) -> int:
    return count(engine, Facilitator, Facilitator.email == email)


@pytest.mark.slow
def test_deleting_an_account_is_rate_limited(database_url, ratelimit_storage):
    from app.main import create_app
    from tests.utils.settings import make_settings

    settings = make_settings(database_url, **ratelimit_storage, login_rate_limit="3/minute")
    with TestClient(create_app(settings)) as app:
        browser = csrf_ready(app)
        email = f"limite-{datetime.now().timestamp()}@dla.fr"
        sign_up(browser, email)  # one attempt of the three
        statuses = [
            browser.post("/compte/supprimer", data={"current": "mauvais"}).status_code
            for _ in range(3)
        ]
        assert statuses == [422, 422, 429]
        refused = browser.post("/compte/supprimer", data={"current": PASSWORD})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        engine = app.app.state.engine
        assert accounts_named(engine, email) == 1
        accounts.delete_facilitator(
            engine=engine, facilitator_id=accounts.get_by_email(engine=engine, email=email).id
        )
