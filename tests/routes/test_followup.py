"""Follow-up sessions: a status per plan piste, the "Suite de l'atelier" link with its rules,
and the before/after of each returning association (app/workshops/followup.py,
followup_view.py, app/routes/followup.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.plan import PlanItem, keep_statuses
from app.scoring.result import compute_result
from app.workshops import followup_link, round_view
from app.workshops.followup import PlanProgress, lever_deltas, plan_progress, signed
from app.workshops.freeze import freeze_workshop, result_figures
from tests.utils.answers import full_answers, resource_answers
from tests.utils.workshops import answer, create_workshop, join, sign_up

PLAN = "/api/diagnostics/{token}/plan"


def freeze(client, workshop_id: int) -> None:
    state = client.app.state

    def figures_of(snapshot_id, answers):
        return result_figures(compute_result(state.store.for_snapshot(snapshot_id), answers))

    freeze_workshop(engine=state.engine, workshop_id=workshop_id, figures_of=figures_of)


def new_workshop(client, title: str, held_on: str, follows: int | str = "", expect=303):
    response = client.post(
        "/ateliers",
        data={"title": title, "held_on": held_on, "place": "Lyon", "follows_id": str(follows)},
        follow_redirects=False,
    )
    assert response.status_code == expect, response.text
    if expect != 303:
        return response
    return int(response.headers["location"].rsplit("/", 1)[1])


def code_of(client, workshop_id: int) -> str:
    page = client.get(f"/ateliers/{workshop_id}")
    return re.search(r'class="join-code">([^<]+)<', page.text).group(1)


def rejoin(participant, code: str, token: str, sharing: str) -> None:
    joined = participant.post(
        f"/rejoindre/{code}",
        data={"diagnostic": "existing", "resume_link": token, "sharing": sharing},
    )
    assert joined.status_code == 200 and joined.url.path == f"/d/{token}", joined.text


def better(questionnaire, answers: dict) -> dict:
    """The same association months later: every scale answered at its best option."""
    improved = dict(answers)
    for question in questionnaire.questions.values():
        if question.type == "likert" and question.id in improved:
            improved[question.id] = questionnaire.options(question)[-1].id
    return improved


# --- Plan statuses ------------------------------------------------------------------------


def test_statuses_round_trip_through_the_api_and_the_plan_page(client, questionnaire):
    token = client.post("/diagnostics").url.path.split("/")[2]
    card = questionnaire.definition.cards[0].id
    items = [{"card": card, "status": "done"}, {"title": "Un local", "status": "in_progress"}]
    saved = client.put(PLAN.format(token=token), json={"items": items})
    assert saved.status_code == 200, saved.text
    got = client.get(PLAN.format(token=token)).json()["items"]
    assert [item["status"] for item in got] == ["done", "in_progress"]
    # Without a status, a piste is "todo"; an unknown one is refused by name.
    client.put(PLAN.format(token=token), json={"items": [{"title": "Sans état"}]})
    assert client.get(PLAN.format(token=token)).json()["items"][0]["status"] == "todo"
    refused = client.put(
        PLAN.format(token=token), json={"items": [{"title": "X", "status": "fini"}]}
    )
    assert refused.status_code == 422 and "items.0.status" in refused.text

    # The plan page: a labelled select per piste, saved with the rest of the form.
    page = client.get(f"/d/{token}/plan")
    assert '<label for="status-0">Où en êtes-vous ?</label>' in page.text
    assert '<option value="todo" selected>À faire</option>' in page.text
    form = {"card-0": "__own__", "title-0": "Un local", "status-0": "dropped"}
    form |= {"card-1": card, "status-1": "done", "status-2": "todo"}
    posted = client.post(f"/d/{token}/plan", data=form)
    assert posted.status_code == 200 and "enregistre=1" in str(posted.url)
    got = client.get(PLAN.format(token=token)).json()["items"]
    assert [(item["title"], item["status"]) for item in got][0] == ("Un local", "dropped")
    assert got[1]["status"] == "done" and len(got) == 2  # a status alone is no piste
    page = client.get(f"/d/{token}/plan").text
    assert '<option value="dropped" selected>Abandonné</option>' in page
    assert '<option value="done" selected>Fait</option>' in page
    # A forged status: the French message, nothing saved.
    bad = client.post(
        f"/d/{token}/plan", data={"card-0": "__own__", "title-0": "Y", "status-0": "x"}
    )
    assert bad.status_code == 422 and "Choisissez un état dans la liste." in bad.text
    assert client.get(PLAN.format(token=token)).json()["items"][0]["status"] == "dropped"
    # The board note shows it.
    note = client.get(f"/d/{token}/note.pdf")
    assert note.status_code == 200
    from tests.utils.pdf import pdf_text

    assert "Abandonné" in pdf_text(note.content)


def test_a_round_choice_keeps_each_pistes_status(questionnaire):
    card = questionnaire.definition.cards[0].id
    plan = [
        PlanItem(
            card=card, title="Carte", first_step="", owner="", due=None, help="", status="done"
        ),
        PlanItem(
            card=None,
            title="Un local",
            first_step="",
            owner="",
            due=None,
            help="",
            status="in_progress",
        ),
    ]
    # The round's form posts no status: the chosen pistes keep theirs, a new one is "todo".
    form = {"card-0": "__own__", "title-0": "un  LOCAL", "card-1": card, "card-2": "__own__"}
    form["title-2"] = "Nouvelle"
    chosen, errors = round_view.chosen_plan(questionnaire, round_view.form_rows(form), plan)
    assert not errors
    assert [(item.title, item.status) for item in chosen] == [
        ("un LOCAL", "in_progress"),
        (next(c.title.get() for c in questionnaire.definition.cards if c.id == card), "done"),
        ("Nouvelle", "todo"),
    ]
    assert keep_statuses([], plan) == []


# --- The follow-up link -------------------------------------------------------------------


def test_follow_up_rules_give_clear_errors_and_keep_the_input(client, browser):
    sign_up(client)
    first = new_workshop(client, "Première séance", "2026-12-03")
    undated = new_workshop(client, "Sans date", "")
    form = client.get("/ateliers/nouveau").text
    assert '<label for="f-follows_id">Suite de l\'atelier' in form
    assert f'<option value="{first}">Première séance (3 décembre 2026)</option>' in form

    cases = [
        ("", first, "Donnez la date de cet atelier"),
        ("2027-02-10", first, "de 3 à 18 mois après la première"),
        ("2028-07-01", first, "entre le 03/03/2027 et le 03/06/2028"),
        ("2027-06-01", undated, "« Sans date » n&#39;a pas de date"),
        ("2027-06-01", 999999, "Atelier introuvable"),
        ("2027-06-01", "abc", "Atelier introuvable"),
    ]
    for held_on, follows, message in cases:
        refused = new_workshop(client, "Suivi", held_on, follows, expect=422)
        assert message in refused.text, (held_on, follows)
        assert 'aria-invalid="true"' in refused.text and 'value="Suivi"' in refused.text
        if isinstance(follows, int) and follows == first:
            assert f'<option value="{first}" selected>' in refused.text  # nothing lost

    # Another account's workshop is not offered, and refused if forged.
    other = browser()
    sign_up(other, "autre@dla01.fr", "Autre")
    theirs = new_workshop(other, "Leur atelier", "2026-12-01")
    assert "Leur atelier" not in client.get("/ateliers/nouveau").text
    forged = new_workshop(client, "Suivi", "2027-06-01", theirs, expect=422)
    assert "Atelier introuvable" in forged.text

    # Three months to the day is fine; it is stored.
    follow = new_workshop(client, "Suivi", "2027-03-03", first)
    edit = client.get(f"/ateliers/{follow}/modifier").text
    assert f'<option value="{first}" selected>' in edit
    assert f'<option value="{follow}"' not in edit  # not itself
    # Not itself (forged), and the first cannot follow its own follow-up.
    data = {"title": "Suivi", "held_on": "2027-03-03", "follows_id": str(follow)}
    itself = client.post(f"/ateliers/{follow}/modifier", data=data, follow_redirects=False)
    assert itself.status_code == 422 and "ne peut pas être la suite de lui-même" in itself.text
    data = {"title": "Première séance", "held_on": "2026-12-03", "follows_id": str(follow)}
    loop = client.post(f"/ateliers/{first}/modifier", data=data, follow_redirects=False)
    assert loop.status_code == 422 and "« Suivi » est déjà la suite de cet atelier" in loop.text
    # Editing without a first session removes the link.
    data = {"title": "Suivi", "held_on": "2027-03-03", "follows_id": ""}
    assert client.post(f"/ateliers/{follow}/modifier", data=data).status_code == 200
    assert client.get(f"/ateliers/{follow}/avant-apres").status_code == 404


def test_months_are_counted_on_the_calendar():
    assert followup_link.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert followup_link.add_months(date(2026, 1, 31), 18) == date(2027, 7, 31)
    first = followup_link.FirstSession(1, "A", date(2026, 1, 31), None)
    assert followup_link.follow_up_error(first, this_id=2, held_on=date(2026, 4, 30)) is None
    assert followup_link.follow_up_error(first, this_id=2, held_on=date(2026, 4, 29))
    assert followup_link.follow_up_error(first, this_id=2, held_on=date(2027, 8, 1))


# --- Before / after -----------------------------------------------------------------------


def test_plan_progress_and_deltas_are_pure_figures():
    def item(title, status, card=None):
        return PlanItem(
            card=card, title=title, first_step="", owner="", due=None, help="", status=status
        )

    frozen = [
        {"card": "c1", "title": "Carte un"},
        {"card": None, "title": "Un local"},
        {"card": None, "title": "Partie"},
        {"card": "c2", "title": "Carte deux"},
        {"card": None, "title": "Un local"},
    ]
    current = [
        item("Renommée", "done", "c1"),
        item(" un LOCAL ", "in_progress"),
        item("Carte deux", "todo", "c2"),
        item("Nouvelle", "done"),
    ]
    # The second "Un local" finds no piste left: gone, so dropped (as "Partie").
    assert plan_progress(frozen, current) == PlanProgress(
        done=1, in_progress=1, dropped=2, not_started=1
    )
    assert lever_deltas({"a": 40.4, "b": None}, {"a": 52.6, "b": 10}) == {"a": 13, "b": None}
    assert [signed(d) for d in (12, -3, 0, None)] == ["+12", "−3", "0", "—"]


@pytest.fixture
def two_sessions(client, browser, questionnaire):
    """A first session (frozen) with two associations, then a follow-up that one of them
    rejoins (anonymous this time) with changed answers and plan, beside a newcomer."""
    sign_up(client)
    first, first_code = create_workshop(client, "Première séance")  # held 2026-12-03
    returning, leaving = browser(), browser()
    token = join(returning, first_code, "named")
    before_answers = full_answers(questionnaire, name="Les Jardins Partagés")
    before_answers.update(resource_answers(questionnaire, {"subventions": 0.8, "dons": 0.2}))
    answer(returning, token, before_answers)
    cards = [card.id for card in questionnaire.definition.cards[:3]]
    plan = [
        {"card": cards[0]},
        {"card": cards[1]},
        {"title": "Trouver un local"},
        {"title": "Former les bénévoles"},
    ]
    assert returning.put(PLAN.format(token=token), json={"items": plan}).status_code == 200
    other_token = join(leaving, first_code, "anonymous")
    answer(leaving, other_token, full_answers(questionnaire, name="Association Partie"))
    follow = new_workshop(client, "Séance de suivi", "2027-06-10", first)
    return {
        "first": first,
        "follow": follow,
        "returning": (returning, token),
        "before_answers": before_answers,
        "cards": cards,
    }


def change_and_rejoin(client, browser, questionnaire, scene) -> dict:
    returning, token = scene["returning"]
    cards = scene["cards"]
    after_answers = better(questionnaire, scene["before_answers"])
    after_answers.update(resource_answers(questionnaire, {"ventes": 0.7, "dons": 0.3}))
    answer(returning, token, after_answers)
    plan = [
        {"card": cards[0], "status": "done"},  # done
        {"title": "trouver un LOCAL", "status": "in_progress"},  # same own piste, by title
        {"title": "Former les bénévoles"},  # not started
        {"card": cards[2], "status": "done"},  # new: not counted
    ]  # cards[1] is gone: dropped
    assert returning.put(PLAN.format(token=token), json={"items": plan}).status_code == 200
    code = code_of(client, scene["follow"])
    rejoin(returning, code, token, "anonymous")
    newcomer = browser()
    join(newcomer, code, "named")
    return after_answers


def test_before_after_of_a_returning_association(client, browser, questionnaire, two_sessions):
    scene = two_sessions
    freeze(client, scene["first"])
    after_answers = change_and_rejoin(client, browser, questionnaire, scene)
    returning, token = scene["returning"]

    # The figures, from the frozen first session and the live diagnostic.
    from app.workshops.followup_view import load_follow_up
    from app.workshops.storage import workshop_of

    state = client.app.state
    follow = workshop_of(engine=state.engine, workshop_id=scene["follow"])
    found = load_follow_up(state, follow)
    assert found.first_frozen and found.newcomers == 1 and len(found.returning) == 1
    back = found.returning[0]
    assert back.number == 1 and not back.named and back.label == "Participant n° 1"
    before = compute_result(questionnaire, scene["before_answers"])
    after = compute_result(questionnaire, after_answers)
    expected = {
        lever.id: round(lever_after.score) - round(lever.score)
        for lever, lever_after in zip(before.levers, after.levers, strict=True)
    }
    assert back.figures.deltas == expected and any(expected.values())
    assert back.figures.before.dominant == before.barycentre.dominant
    assert back.figures.after.dominant == after.barycentre.dominant
    assert back.figures.before.point != back.figures.after.point
    assert back.figures.progress == PlanProgress(done=1, in_progress=1, dropped=1, not_started=1)

    # The counsellor's page: linked from the follow-up's board, map with an arrow, the table.
    board = client.get(f"/ateliers/{scene['follow']}").text
    assert f'/ateliers/{scene["follow"]}/avant-apres"' in board
    page = client.get(f"/ateliers/{scene['follow']}/avant-apres")
    assert page.status_code == 200
    text = page.text
    assert 'id="followup-map-title"' in text and 'class="map-before" data-marker="A"' in text
    assert "<polygon" in text and 'data-marker="A"' in text
    for lever_id, delta in expected.items():
        assert f"({signed(delta)})" in text, lever_id
    assert "1 faite" in text and "1 en cours" in text and "1 abandonnée" in text
    assert "1 non commencée" in text and "pas commencée" not in text
    assert "Participant n° 1" in text
    # Anonymous in the follow-up: the name it gave in the first session is not shown.
    assert "Les Jardins Partagés" not in text
    assert "1 participant de cet atelier n'était pas à la première séance" in text

    # A later edit does not move the "before": it is the frozen row.
    answer(returning, token, {**after_answers})
    assert client.get(f"/ateliers/{scene['follow']}/avant-apres").text.count("(+") == text.count(
        "(+"
    )

    # The association's own group page in the follow-up.
    home = returning.get(f"/d/{token}").text
    links = re.findall(rf"/d/{token}/ateliers/(\d+)/groupe", home)
    pages = [returning.get(f"/d/{token}/ateliers/{pid}/groupe").text for pid in set(links)]
    own = next(p for p in pages if "Votre avant / après" in p)
    assert 'id="own-followup-map-title"' in own and "1 en cours" in own
    assert f"({signed(next(iter(expected.values())))})" in own


def test_an_unfrozen_first_session_asks_to_freeze_it(client, browser, questionnaire, two_sessions):
    change_and_rejoin(client, browser, questionnaire, two_sessions)
    page = client.get(f"/ateliers/{two_sessions['follow']}/avant-apres")
    assert page.status_code == 200
    assert "Les résultats de la première séance ne sont pas figés." in page.text
    assert "figez (« Figer les résultats »)" in page.text and 'role="status"' in page.text
    assert "followup-map" not in page.text
    returning, token = two_sessions["returning"]
    home = returning.get(f"/d/{token}").text
    pages = [
        returning.get(f"/d/{token}/ateliers/{pid}/groupe").text
        for pid in set(re.findall(rf"/d/{token}/ateliers/(\d+)/groupe", home))
    ]
    assert any("quand l'accompagnateur aura figé" in p for p in pages)


def test_before_after_is_the_counsellors_only(client, browser, questionnaire, two_sessions):
    url = f"/ateliers/{two_sessions['follow']}/avant-apres"
    other = browser()
    sign_up(other, "autre@dla01.fr", "Autre")
    assert other.get(url).status_code == 404
    assert other.get(f"/ateliers/{two_sessions['first']}/avant-apres").status_code == 404
    # A workshop that follows nothing, a guessed id.
    assert client.get(f"/ateliers/{two_sessions['first']}/avant-apres").status_code == 404
    assert client.get("/ateliers/999999/avant-apres").status_code == 404
    # Signed out: the sign-in page, never the figures.
    outsider = browser()
    response = outsider.get(url, follow_redirects=False)
    assert response.status_code in (303, 307, 401, 404) and "avant" not in response.text.lower()


def test_before_after_in_english(client, browser, questionnaire, two_sessions):
    freeze(client, two_sessions["first"])
    change_and_rejoin(client, browser, questionnaire, two_sessions)
    client.post("/langue", data={"lang": "en", "next": "/"})
    text = client.get(f"/ateliers/{two_sessions['follow']}/avant-apres").text
    assert "Before / after" in text and "1 in progress" in text and "1 not started" in text
    assert "Avant / après" not in text
