"""Frozen results over HTTP: "Figer les résultats" (or closing the workshop) keeps each
participant's result, plan and round as they were; later edits change neither the board nor
the exports; reopening brings everything back live; rounds are read-only while frozen."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ParticipantFreeze
from app.workshops.group import CachedResult, ResultCache
from app.workshops.opening import frozen_label
from app.workshops.storage import GroupMember
from tests.utils.answers import full_answers, resource_answers
from tests.utils.pdf import pdf_text
from tests.utils.workshops import answer, create_workshop, join, membership_id, plan_for, sign_up

NEW_NAME = "Les Jardins Renommés"


def later_edit(workshop, questionnaire) -> None:
    """The named association renames itself, changes its resources and its plan."""
    named, token = workshop["named"]
    role = questionnaire.definition.roles.association_name
    edit = {role: NEW_NAME}
    edit.update(resource_answers(questionnaire, {"ventes": 0.9, "dons": 0.1}))
    answer(named, token, edit)
    plan_for(named, token, [{"title": "Une piste écrite après le gel", "owner": "Personne"}])


def freeze(client, workshop_id) -> None:
    response = client.post(f"/ateliers/{workshop_id}/figer")
    assert response.status_code == 200, response.text
    assert "Résultats figés" in response.text


def frozen_rows(client, workshop_id) -> int:
    with Session(client.app.state.engine) as session:
        return session.execute(
            select(func.count())
            .select_from(ParticipantFreeze)
            .where(ParticipantFreeze.workshop_id == workshop_id)
        ).scalar_one()


def exports(client, workshop_id) -> dict:
    base = f"/ateliers/{workshop_id}"
    data = client.get(f"{base}/donnees.json").json()
    return {
        "board": client.get(f"{base}/tableau").text,
        "projection": client.get(f"{base}/projection").text,
        "round": client.get(f"{base}/participants/1").text,
        "csv": client.get(f"{base}/resultats.csv").text,
        "json": client.get(f"{base}/resultats.json").json()["participants"],
        "data": data["workshop"],
        "synthesis": pdf_text(client.get(f"{base}/synthese.pdf").content),
    }


def test_a_later_edit_changes_nothing_of_a_frozen_workshop(client, workshop, questionnaire):
    wid = workshop["id"]
    named, token = workshop["named"]
    plan_for(named, token, [{"title": "Piste choisie avant le gel", "owner": "Claire"}])
    freeze(client, wid)
    before = exports(client, wid)
    assert (
        "Les Jardins Partagés" in before["board"]
        and "Piste choisie avant le gel" in (before["csv"])
    )
    assert "Les Jardins Partagés" in before["synthesis"]

    later_edit(workshop, questionnaire)
    # The association's own diagnostic has the edit: it is theirs.
    own = named.get(f"/api/diagnostics/{token}/plan").json()
    assert own["items"][0]["title"] == "Une piste écrite après le gel"
    after = exports(client, wid)
    for name in before:
        assert after[name] == before[name], name
    assert NEW_NAME not in after["board"] + after["csv"] + after["synthesis"] + after["round"]
    assert "Une piste écrite après le gel" not in after["csv"] + after["synthesis"]

    # The participant's own group page shows the group as frozen too.
    pid = membership_id(named, token)
    group = named.get(f"/d/{token}/ateliers/{pid}/groupe").text
    assert "Résultats figés le" in group and NEW_NAME not in group


def test_donnees_json_carries_the_frozen_result_and_plan(client, workshop, questionnaire):
    wid = workshop["id"]
    live = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]
    assert live["frozen_at"] is None
    assert all(row["frozen_at"] is None and row["frozen"] is None for row in live["participants"])
    named, token = workshop["named"]
    # A status other than the default: the frozen plan keeps it (it read "todo" once).
    plan_for(
        named,
        token,
        [{"title": "Piste du jour", "owner": "Claire", "due": "2027-01-15", "status": "done"}],
    )
    anonymous, anonymous_token = workshop["anonymous"]
    plan_for(anonymous, anonymous_token, [{"title": "Piste qui nomme Bernard", "owner": "Bernard"}])
    freeze(client, wid)

    exported = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]
    assert datetime.fromisoformat(exported["frozen_at"]).tzinfo is not None
    rows = {row["number"]: row for row in exported["participants"]}
    # The existing keys keep their shape; only frozen_at and frozen are filled.
    assert set(rows[1]) == set(live["participants"][0])
    for key in set(rows[1]) - {"frozen_at", "frozen"}:
        assert rows[1][key] == live["participants"][0][key] or key == "round", key
    named_row = rows[1]
    assert named_row["frozen_at"] == exported["frozen_at"]
    result = named_row["frozen"]["result"]
    assert result["dominant"] == named_row["dominant_model"]
    assert set(result["levers"]) == set(named_row["levers"])
    for lever, score in named_row["levers"].items():
        assert score == round(result["levers"][lever], 1)
    assert named_row["frozen"]["plan"] == [
        {
            "card": None,
            "title": "Piste du jour",
            "first_step": "",
            "owner": "Claire",
            "due": "2027-01-15",
            "help": "",
            "status": "done",
        }
    ]
    # An anonymous participant's own words stay out of the frozen plan as out of the round.
    assert "Bernard" not in str(rows[2]["frozen"])

    later_edit(workshop, questionnaire)
    again = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]
    assert again == exported


def test_reopening_shows_live_results_again_and_says_so(client, workshop, questionnaire, browser):
    wid = workshop["id"]
    freeze(client, wid)
    later_edit(workshop, questionnaire)
    assert NEW_NAME not in client.get(f"/ateliers/{wid}/tableau").text
    reopened = client.post(f"/ateliers/{wid}/ouverture", data={"open": "1"})
    assert reopened.status_code == 200
    assert "les résultats sont de nouveau en direct" in reopened.text
    assert "Figer les résultats" in reopened.text and "Résultats figés le" not in reopened.text
    assert frozen_rows(client, wid) == 0
    assert NEW_NAME in client.get(f"/ateliers/{wid}/tableau").text
    assert "Une piste écrite après le gel" in client.get(f"/ateliers/{wid}/resultats.csv").text
    data = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]
    assert data["frozen_at"] is None and data["is_open"] is True
    # Open again: a new association can join.
    assert join(browser(), workshop["code"])


def test_closing_freezes_and_a_frozen_workshop_refuses_joiners(
    client, workshop, questionnaire, browser
):
    wid = workshop["id"]
    closed = client.post(f"/ateliers/{wid}/ouverture", data={"open": "0"})
    assert closed.status_code == 200
    assert re.search(r"Résultats figés le \d{1,2} \w+ \d{4} à \d{2} h \d{2}", closed.text)
    assert "Rouvrir l&#39;atelier (résultats en direct)" in closed.text or (
        "Rouvrir l'atelier (résultats en direct)" in closed.text
    )
    assert frozen_rows(client, wid) == 2
    later_edit(workshop, questionnaire)
    assert NEW_NAME not in client.get(f"/ateliers/{wid}/tableau").text
    newcomer = browser()
    refused = newcomer.post("/rejoindre", data={"code": workshop["code"]})
    assert refused.status_code == 410 and "Cet atelier est fermé" in refused.text
    # Freezing a frozen workshop again keeps the first freeze: the edit stays out.
    first = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]["frozen_at"]
    freeze(client, wid)
    client.post(f"/ateliers/{wid}/ouverture", data={"open": "0"})
    assert frozen_rows(client, wid) == 2
    assert client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]["frozen_at"] == first
    assert NEW_NAME not in client.get(f"/ateliers/{wid}/resultats.csv").text


def test_the_board_poll_sees_the_freeze_but_not_later_edits(client, workshop, questionnaire):
    wid = workshop["id"]
    live = client.get(f"/ateliers/{wid}/tableau").text
    version = re.search(r'"v": "([0-9a-f]+)"', live).group(1)
    freeze(client, wid)
    changed = client.get(f"/ateliers/{wid}/tableau", params={"v": version})
    assert changed.status_code == 200 and "Résultats figés le" in changed.text
    frozen_version = re.search(r'"v": "([0-9a-f]+)"', changed.text).group(1)
    later_edit(workshop, questionnaire)
    poll = client.get(f"/ateliers/{wid}/tableau", params={"v": frozen_version})
    assert poll.status_code == 204


def test_rounds_and_feedback_are_read_only_while_frozen(client, workshop):
    wid = workshop["id"]
    base = f"/ateliers/{wid}/participants/1"
    assert client.post(f"{base}/tour", data={"open": "1", "confirm": "1"}).status_code == 200
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})
    client.post(f"{base}/tour/phase", data={"phase": "pitch"})
    freeze(client, wid)
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    writes = [
        (f"{base}/tour", {"open": "0"}),
        (f"{base}/tour/phase", {"phase": "questions"}),
        (f"{base}/tour/durees", {"presentation": "5"}),
        (f"{base}/tour/probleme", {"problem": "Réécrit après le gel"}),
        (f"{base}/tour/suggestions", {"text": "Une suggestion trop tard"}),
        (f"{base}/tour/pistes", {"card-0": "__own__", "title-0": "Trop tard"}),
    ]
    for url, form in writes:
        refused = client.post(url, data=form)
        assert refused.status_code == 409, url
        assert "Les résultats de cet atelier sont figés" in refused.text, url
    named_phone = f"/d/{named_token}/ateliers/{membership_id(named, named_token)}/tour"
    other_phone = f"/d/{other_token}/ateliers/{membership_id(other, other_token)}/tour"
    phone_writes = [
        (named, f"{named_phone}/probleme", {"problem": "x"}),
        (named, f"{named_phone}/pistes", {"card-0": "__own__", "title-0": "x"}),
        (other, f"{other_phone}/suggestions", {"text": "x"}),
        (other, f"{other_phone}/retour", {"clear": "Très clair"}),
    ]
    for phone, url, form in phone_writes:
        refused = phone.post(url, data=form)
        assert refused.status_code == 409, url
        assert "Les résultats de cet atelier sont figés" in refused.text, url

    # The screens say so and offer no form.
    control = client.get(f"{base}/tour").text
    assert "Résultats figés" in control and "Mutualiser un poste" in control
    for action in ("/tour/suggestions", "/tour/probleme", "/tour/pistes", "/tour/phase"):
        assert f'action="{base}{action}"' not in control
    phone_page = other.get(other_phone).text
    assert "Résultats figés" in phone_page and 'action="' + other_phone not in phone_page
    assert "Résultats figés" in client.get(base).text
    assert "Réécrit après le gel" not in client.get(base).text
    # The participant still edits their own diagnostic.
    answer(named, named_token, {})
    assert named.get(f"/d/{named_token}").status_code == 200


def test_another_account_gets_404(client, workshop, browser):
    other = browser()
    sign_up(other, "autre@dla.fr", "Autre")
    wid = workshop["id"]
    assert other.post(f"/ateliers/{wid}/figer").status_code == 404
    assert other.post(f"/ateliers/{wid}/ouverture", data={"open": "0"}).status_code == 404
    assert frozen_rows(client, wid) == 0
    freeze(client, wid)
    assert other.post(f"/ateliers/{wid}/ouverture", data={"open": "1"}).status_code == 404
    assert other.get(f"/ateliers/{wid}/donnees.json").status_code == 404
    assert frozen_rows(client, wid) == 2


def test_one_diagnostic_frozen_in_one_workshop_and_live_in_another(client, workshop, questionnaire):
    """The result cache holds one diagnostic's frozen and live results apart."""
    named, token = workshop["named"]
    second_id, second_code = create_workshop(client, "Atelier de suivi")
    joined = named.post(
        f"/rejoindre/{second_code.replace('-', '')}",
        data={"diagnostic": "existing", "resume_link": token, "sharing": "named"},
    )
    assert joined.status_code == 200
    freeze(client, workshop["id"])
    # Both boards computed (and cached) before the edit.
    assert "Les Jardins Partagés" in client.get(f"/ateliers/{second_id}/tableau").text
    later_edit(workshop, questionnaire)
    for _ in range(2):  # the second read comes from the cache
        assert NEW_NAME in client.get(f"/ateliers/{second_id}/tableau").text
        frozen = client.get(f"/ateliers/{workshop['id']}/tableau").text
        assert NEW_NAME not in frozen and "Les Jardins Partagés" in frozen


def test_the_cache_keys_frozen_and_live_apart():
    cache = ResultCache()
    moment = datetime(2026, 12, 2, 16, 40, tzinfo=UTC)
    live = GroupMember(1, 1, "named", moment, 7, 1, moment, "")
    frozen = GroupMember(1, 1, "named", moment, 7, 1, moment, "", frozen_at=moment)
    cache.put(live, CachedResult({"a": 1}, None, None))  # type: ignore[arg-type]
    assert cache.get(frozen) is None
    cache.put(frozen, CachedResult({"a": 2}, None, None))  # type: ignore[arg-type]
    assert cache.get(live).answers == {"a": 1} and cache.get(frozen).answers == {"a": 2}


def test_leaving_removing_or_merging_after_freezing_drops_their_frozen_row(
    client, browser, questionnaire
):
    sign_up(client)
    wid, code = create_workshop(client)
    people = [browser() for _ in range(4)]
    tokens = [join(person, code, "named") for person in people]
    for index, (person, token) in enumerate(zip(people, tokens, strict=True)):
        answer(person, token, full_answers(questionnaire, name=f"Association {index + 1}"))
    freeze(client, wid)
    assert frozen_rows(client, wid) == 4
    # The participant leaves from their phone.
    leaver, leaver_token = people[3], tokens[3]
    pid = membership_id(leaver, leaver_token)
    assert leaver.post(f"/d/{leaver_token}/ateliers/{pid}/quitter").status_code == 200
    # The counsellor removes one and merges a duplicate into another.
    base = f"/ateliers/{wid}/participants"
    assert client.post(f"{base}/3/retirer").status_code == 200
    assert client.post(f"{base}/2/retirer", data={"avec": "1"}).status_code == 200
    assert frozen_rows(client, wid) == 1
    board = client.get(f"/ateliers/{wid}/tableau").text
    assert board.count("<tr data-number=") == 1 and "Association 1" in board
    rows = client.get(f"/ateliers/{wid}/donnees.json").json()["workshop"]["participants"]
    assert [row["number"] for row in rows] == [1] and rows[0]["frozen"] is not None
    assert client.get(f"{base}/2").status_code == 404


def test_the_frozen_moment_reads_the_french_way():
    moment = datetime(2026, 12, 2, 16, 40, tzinfo=UTC)  # 17 h 40 in Paris
    assert frozen_label(moment) == "Résultats figés le 2 décembre 2026 à 17 h 40"
    assert frozen_label(moment.replace(tzinfo=None)) == frozen_label(moment)
    assert frozen_label(None) is None
