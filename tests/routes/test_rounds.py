"""Rounds of co-development over HTTP: the counsellor opens a participant's round and runs its
phases, participants suggest from their phones during the open round, the presenter writes
the problem and chooses pistes, which become their diagnostic's action plan."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.workshops.rounds import DEFAULT_MINUTES, Round, clean_minutes
from tests.utils.answers import full_answers
from tests.utils.workshops import answer, create_workshop, join, membership_id, sign_up


def start(client, workshop_id: int, number: int) -> str:
    base = f"/ateliers/{workshop_id}/participants/{number}"
    # confirm=1: the counsellor confirms opening without the participant's agreement from
    # their phone (tests/routes/test_round_extras.py covers the agreement itself).
    response = client.post(f"{base}/tour", data={"open": "1", "confirm": "1"})
    assert response.status_code == 200, response.text
    return base


def test_a_round_runs_with_suggestions_from_phones_and_pistes_into_the_plan(client, workshop):
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    named_pid, other_pid = membership_id(named, named_token), membership_id(other, other_token)
    # No round open: a participant cannot suggest.
    refused = other.post(
        f"/d/{other_token}/ateliers/{other_pid}/tour/suggestions", data={"text": "x"}
    )
    assert refused.status_code == 409

    base = start(client, workshop["id"], 1)
    # The presenter writes the problem from their phone; a peer cannot.
    phone = f"/d/{named_token}/ateliers/{named_pid}/tour"
    assert (
        named.post(
            f"{phone}/probleme", data={"problem": "Trop dépendants d'une subvention"}
        ).status_code
        == 200
    )
    peer = f"/d/{other_token}/ateliers/{other_pid}/tour"
    assert other.post(f"{peer}/probleme", data={"problem": "détourné"}).status_code == 403
    # A peer suggests from their phone, the counsellor adds one.
    assert (
        other.post(f"{peer}/suggestions", data={"text": "Un club de <mécènes>"}).status_code == 200
    )
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})

    screen = client.get(base)
    assert screen.status_code == 200
    assert (
        "Trop dépendants d&#39;une subvention" in screen.text
        or "Trop dépendants d'une subvention" in screen.text
    )
    assert "Un club de &lt;mécènes&gt;" in screen.text and "Mutualiser un poste" in screen.text
    assert "Les Jardins Partagés" in screen.text
    # The peer sees the round on their phone, with the suggestions.
    assert "Un club de &lt;mécènes&gt;" in other.get(peer).text

    # The presenter chooses a piste of their own; it becomes the first of their plan.
    chosen = named.post(
        f"{phone}/pistes",
        data={
            "card-0": "__own__",
            "title-0": "Club de mécènes",
            "first_step-0": "Lister 10 entreprises",
            "owner-0": "La trésorière",
            "due-0": "2027-01-15",
        },
    )
    assert chosen.status_code == 200, chosen.text
    plan = named.get(f"/api/diagnostics/{named_token}/plan").json()
    assert plan["items"][0]["title"] == "Club de mécènes"
    assert plan["items"][0]["owner"] == "La trésorière" and plan["items"][0]["due"] == "2027-01-15"
    assert "Club de mécènes" in client.get(base).text
    # A peer cannot choose for the presenter.
    assert (
        other.post(f"{peer}/pistes", data={"card-0": "__own__", "title-0": "x"}).status_code == 403
    )

    # Closing the round stops the suggestions.
    client.post(f"{base}/tour", data={"open": "0"})
    assert other.post(f"{peer}/suggestions", data={"text": "trop tard"}).status_code == 409


def test_the_round_live_part_answers_204_when_nothing_changed(client, workshop):
    base = start(client, workshop["id"], 1)
    live = client.get(f"{base}/direct")
    version = re.search(r'"v": "([0-9a-f]+)"', live.text).group(1)
    assert client.get(f"{base}/direct", params={"v": version}).status_code == 204
    client.post(f"{base}/tour/suggestions", data={"text": "Une idée"})
    changed = client.get(f"{base}/direct", params={"v": version})
    assert changed.status_code == 200 and "Une idée" in changed.text
    # The presenter's plan is on the screen too, and freezing hides its forms: both change it.
    version = re.search(r'"v": "([0-9a-f]+)"', changed.text).group(1)
    assert client.get(f"{base}/direct", params={"v": version}).status_code == 204
    named, token = workshop["named"]
    named.put(f"/api/diagnostics/{token}/plan", json={"items": [{"title": "Piste du tour"}]})
    planned = client.get(f"{base}/direct", params={"v": version})
    assert planned.status_code == 200 and "Piste du tour" in planned.text
    version = re.search(r'"v": "([0-9a-f]+)"', planned.text).group(1)
    assert client.post(f"/ateliers/{workshop['id']}/figer").status_code == 200
    assert client.get(f"{base}/direct", params={"v": version}).status_code == 200


def test_an_anonymous_presenter_stays_anonymous_on_the_round_screen(client, workshop):
    base = start(client, workshop["id"], 2)
    screen = client.get(base)
    assert screen.status_code == 200
    assert "Participant n° 2" in screen.text and "Association Secrète" not in screen.text
    # Their phone page names nobody either.
    other, token = workshop["named"]
    assert (
        "Association Secrète"
        not in other.get(f"/d/{token}/ateliers/{membership_id(other, token)}/tour").text
    )


def test_opening_a_round_closes_the_other_one(client, workshop):
    start(client, workshop["id"], 1)
    start(client, workshop["id"], 2)
    first = client.get(f"/ateliers/{workshop['id']}/participants/1/tour").text
    assert "Ouvrir le tour" in first


def test_phases_run_on_a_server_side_timer_the_counsellor_configures(client, workshop):
    base = start(client, workshop["id"], 1)
    assert client.post(f"{base}/tour/durees", data={"presentation": "0"}).status_code == 422
    client.post(
        f"{base}/tour/durees",
        data={"presentation": "7", "questions": "5", "suggestions": "10", "choice": "5"},
    )
    client.post(f"{base}/tour/phase", data={"phase": "presentation"})
    live = client.get(f"{base}/direct").text
    ends = int(re.search(r'data-ends="(\d+)"', live).group(1))
    now = int(re.search(r'data-now="(\d+)"', live).group(1))
    assert ends - now <= 7 * 60 * 1000 and ends - now > 6 * 60 * 1000
    assert "Présentation du problème" in live
    assert client.post(f"{base}/tour/phase", data={"phase": "bogus"}).status_code == 422


def test_timer_arithmetic_and_minutes_validation():
    started = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    round_ = Round(1, 1, 1, "", True, "suggestions", started, dict(DEFAULT_MINUTES), started)
    assert round_.seconds_left(started) == 600
    assert round_.seconds_left(started + timedelta(minutes=9, seconds=30)) == 30
    assert round_.seconds_left(started + timedelta(hours=1)) == 0
    assert clean_minutes({"presentation": "3"})["presentation"] == 3
    assert clean_minutes({"presentation": "61"}) is None
    assert clean_minutes({"presentation": "٣"}) is None


def test_participants_act_only_on_their_own_workshop(client, browser, questionnaire, workshop):
    start(client, workshop["id"], 1)
    # A participant of another workshop of another counsellor.
    other_counsellor = browser()
    sign_up(other_counsellor, "autre@dla.fr", "Autre")
    _, code = create_workshop(other_counsellor, "Autre atelier")
    outsider = browser()
    token = join(outsider, code, "named")
    answer(outsider, token, full_answers(questionnaire, name="Dehors"))
    pid = membership_id(outsider, token)
    assert (
        outsider.post(f"/d/{token}/ateliers/{pid}/tour/suggestions", data={"text": "x"}).status_code
        == 409
    )
    # Nor through someone else's membership id.
    named, named_token = workshop["named"]
    assert (
        outsider.post(
            f"/d/{token}/ateliers/{membership_id(named, named_token)}/tour/suggestions",
            data={"text": "x"},
        ).status_code
        == 404
    )


def test_pitch_practice_timer_and_feedback_go_back_to_the_presenter(client, workshop):
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    named_pid, other_pid = membership_id(named, named_token), membership_id(other, other_token)
    base = start(client, workshop["id"], 1)
    peer = f"/d/{other_token}/ateliers/{other_pid}/tour"
    feedback = {
        "clear": "Votre public cible",
        "partner_question": "Combien coûte une journée d'animation ?",
        "improvement": "Un chiffre <clé> au début",
    }
    # Outside the pitch phase, no feedback.
    assert other.post(f"{peer}/retour", data=feedback).status_code == 409
    client.post(f"{base}/tour/phase", data={"phase": "pitch"})
    screen = client.get(f"{base}/pitch")
    assert screen.status_code == 200 and "Entraînement au pitch" in screen.text
    ends = int(re.search(r'data-ends="(\d+)"', screen.text).group(1))
    now = int(re.search(r'data-now="(\d+)"', screen.text).group(1))
    assert 2 * 60 * 1000 < ends - now <= 3 * 60 * 1000  # three minutes by default
    assert "Les Jardins Partagés" in screen.text  # the sheet itself
    # A peer's feedback; the presenter cannot give feedback on their own pitch.
    assert other.post(f"{peer}/retour", data={"clear": ""}).status_code == 422
    assert other.post(f"{peer}/retour", data=feedback).status_code == 200
    own = f"/d/{named_token}/ateliers/{named_pid}/tour"
    assert named.post(f"{own}/retour", data=feedback).status_code == 409
    # Given back to the presenter, and counted on the screen.
    mine = named.get(own).text
    assert "Combien coûte une journée d&#39;animation ?" in mine or "journée d'animation" in mine
    assert "Un chiffre &lt;clé&gt; au début" in mine
    assert "Un chiffre &lt;clé&gt; au début" not in other.get(peer).text.split("retours-titre")[1]
    assert "1 retour reçu" in client.get(f"{base}/pitch/direct").text
    # An anonymous participant's sheet is not projected.
    assert client.get(f"/ateliers/{workshop['id']}/participants/2/pitch").status_code == 403


def test_the_associations_data_download_carries_its_round(client, workshop):
    named, named_token = workshop["named"]
    base = start(client, workshop["id"], 1)
    client.post(f"{base}/tour/probleme", data={"problem": "Un local trop cher"})
    client.post(f"{base}/tour/suggestions", data={"text": "Partager le local"})
    exported = named.get(f"/d/{named_token}/donnees.json").json()
    assert exported["workshops"][0]["round"] == {
        "problem": "Un local trop cher",
        "suggestions": ["Partager le local"],
        "pitch_feedback": [],
    }


def test_the_workshop_data_carries_each_round_as_shared(client, workshop):
    """/ateliers/{id}/donnees.json: the named presenter's round (problem, suggestions, chosen
    pistes); an anonymous presenter's typed words stay out, like their own pistes."""
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    named_pid, other_pid = membership_id(named, named_token), membership_id(other, other_token)
    base = start(client, workshop["id"], 1)
    named.post(
        f"/d/{named_token}/ateliers/{named_pid}/tour/probleme", data={"problem": "Trésorerie"}
    )
    other.post(
        f"/d/{other_token}/ateliers/{other_pid}/tour/suggestions",
        data={"text": "Un fonds de dotation"},
    )
    client.post(f"{base}/tour", data={"open": "0"})
    start(client, workshop["id"], 2)
    client.post(
        f"/ateliers/{workshop['id']}/participants/2/tour/probleme", data={"problem": "Nom révélé"}
    )
    data = client.get(f"/ateliers/{workshop['id']}/donnees.json").json()
    rows = {row["number"]: row for row in data["workshop"]["participants"]}
    assert rows[1]["round"]["problem"] == "Trésorerie"
    assert rows[1]["round"]["suggestions"] == ["Un fonds de dotation"]
    assert rows[2]["sharing"] == "anonymous"
    assert rows[2]["round"]["problem"] is None and rows[2]["round"]["suggestions"] == []


def test_the_presenter_takes_their_round_home(client, workshop):
    """The group page and take-away PDF give the presenter their own round back: the problem
    they brought and the suggestions made to them."""
    named, named_token = workshop["named"]
    other, other_token = workshop["anonymous"]
    named_pid, other_pid = membership_id(named, named_token), membership_id(other, other_token)
    start(client, workshop["id"], 1)
    named.post(
        f"/d/{named_token}/ateliers/{named_pid}/tour/probleme", data={"problem": "Trésorerie"}
    )
    other.post(
        f"/d/{other_token}/ateliers/{other_pid}/tour/suggestions",
        data={"text": "Un fonds de dotation"},
    )
    page = named.get(f"/d/{named_token}/ateliers/{named_pid}/groupe")
    assert page.status_code == 200
    assert "Trésorerie" in page.text and "Un fonds de dotation" in page.text
    # The peer's own page carries no round of theirs.
    assert "Trésorerie" not in other.get(f"/d/{other_token}/ateliers/{other_pid}/groupe").text
