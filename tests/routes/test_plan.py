"""The action plan (one per diagnostic): API, plan page, deletion, export, purge, and where it
shows (results page, full report, board note, pitch sheet); on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pypdf import PdfReader
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from app import crud, retention
from app.models import ActionPlan, ActionPlanItem, Diagnostic, PitchSetting, utcnow
from app.plan import MAX_ITEMS, TITLE_MAX, parse_form_rows
from tests.utils.answers import full_answers

PLAN = "/api/diagnostics/{token}/plan"


def start(client, questionnaire, **extra) -> str:
    token = client.post("/api/diagnostics").json()["token"]
    answers = {**full_answers(questionnaire, name="Club des Trois Vallées"), **extra}
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    return token


def card_ids(client, token: str) -> list[str]:
    return [card["id"] for card in client.get(f"/api/diagnostics/{token}/result").json()["cards"]]


def item(**fields) -> dict:
    return {
        "card": None,
        "title": "Refaire le site",
        "first_step": "Lister les pages",
        "owner": "Paul",
        "due": None,
        "help": "",
        **fields,
    }


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def plan_rows(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(ActionPlanItem)).scalar_one()


def test_the_plan_is_empty_then_saved_and_read_back_in_order(client, questionnaire):
    token = start(client, questionnaire)
    assert client.get(PLAN.format(token=token)).json() == {"items": []}
    card = card_ids(client, token)[0]
    sent = [
        item(card=card, title="", due="2027-01-31", help="Le DLA"),
        item(title="  Une piste à nous  ", owner="La trésorière"),
    ]
    saved = client.put(PLAN.format(token=token), json={"items": sent})
    assert saved.status_code == 200, saved.text
    got = client.get(PLAN.format(token=token)).json()["items"]
    assert got == saved.json()["items"]
    # An empty title takes the card's; text is trimmed.
    title = next(c.title.get() for c in questionnaire.definition.cards if c.id == card)
    assert got[0] == {**sent[0], "title": title, "status": "todo"}
    assert got[1]["title"] == "Une piste à nous" and got[1]["card"] is None


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"card": "pas_une_carte"}, "items.1.card"),
        ({"due": "2027-02-30"}, "items.1.due"),
        ({"due": "31/01/2027"}, "items.1.due"),
        ({"title": "x" * (TITLE_MAX + 1)}, "items.1.title"),
        ({"first_step": "x" * 501}, "items.1.first_step"),
        ({"owner": "x" * 121}, "items.1.owner"),
        ({"help": "x" * 501}, "items.1.help"),
        ({"title": "", "card": None}, "items.1.title"),
    ],
)
def test_a_bad_field_is_named_and_the_saved_plan_is_kept(client, questionnaire, bad, field):
    token = start(client, questionnaire)
    first = {"items": [item(title="Déjà là")]}
    assert client.put(PLAN.format(token=token), json=first).status_code == 200
    refused = client.put(PLAN.format(token=token), json={"items": [item(), item(**bad)]})
    assert refused.status_code == 422
    assert field in [error["field"] for error in refused.json()["detail"]]
    assert client.get(PLAN.format(token=token)).json()["items"][0]["title"] == "Déjà là"
    assert len(client.get(PLAN.format(token=token)).json()["items"]) == 1


@pytest.mark.parametrize("count", [0, MAX_ITEMS + 1])
def test_a_plan_holds_one_to_five_pistes(client, questionnaire, count):
    token = start(client, questionnaire)
    refused = client.put(PLAN.format(token=token), json={"items": [item()] * count})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "items"


def test_an_unknown_token_has_no_plan(client):
    assert client.get(PLAN.format(token="inconnu")).status_code == 404
    assert client.put(PLAN.format(token="inconnu"), json={"items": [item()]}).status_code == 404


def test_deleting_a_diagnostic_deletes_its_plan_and_pitch_settings(client, questionnaire):
    engine = client.app.state.engine
    token = start(client, questionnaire)
    client.put(PLAN.format(token=token), json={"items": [item(), item()]})
    client.post(f"/d/{token}/fiche", data={"contact": "Marie, 06 00 00 00 00"})
    assert plan_rows(engine) == 2
    assert client.delete(f"/api/diagnostics/{token}").status_code == 204
    with Session(engine) as session:
        for table in (ActionPlan, ActionPlanItem, PitchSetting):
            assert session.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_the_retention_purge_takes_the_plan_with_the_diagnostic(client, questionnaire):
    engine = client.app.state.engine
    stale, fresh = start(client, questionnaire), start(client, questionnaire)
    for token in (stale, fresh):
        client.put(PLAN.format(token=token), json={"items": [item()]})
    with engine.begin() as connection:
        connection.execute(
            update(Diagnostic)
            .where(Diagnostic.token == stale)
            .values(updated_at=utcnow() - timedelta(days=800))
        )
    retention.purge_diagnostics(engine=engine, cutoff=utcnow() - timedelta(days=730))
    assert crud.get_diagnostic(engine=engine, token=stale) is None
    assert plan_rows(engine) == 1
    assert client.get(PLAN.format(token=fresh)).json()["items"][0]["title"] == "Refaire le site"


def test_saving_the_plan_counts_as_using_the_diagnostic(client, questionnaire):
    engine = client.app.state.engine
    token = start(client, questionnaire)
    with engine.begin() as connection:
        connection.execute(
            update(Diagnostic)
            .where(Diagnostic.token == token)
            .values(updated_at=utcnow() - timedelta(days=800))
        )
    client.put(PLAN.format(token=token), json={"items": [item()]})
    retention.purge_diagnostics(engine=engine, cutoff=utcnow() - timedelta(days=730))
    assert crud.get_diagnostic(engine=engine, token=token) is not None


def test_the_personal_data_export_holds_the_plan_and_the_contact_line(client, questionnaire):
    token = start(client, questionnaire)
    client.put(PLAN.format(token=token), json={"items": [item(due="2027-03-01")]})
    client.post(f"/d/{token}/fiche", data={"contact": "Marie, 06 00 00 00 00"})
    exported = client.get(f"/d/{token}/donnees.json").json()
    assert exported["action_plan"] == [{**item(due="2027-03-01"), "status": "todo"}]
    assert exported["pitch_sheet"]["contact"] == "Marie, 06 00 00 00 00"


# --- The plan page -------------------------------------------------------------------------


def form(rows: list[dict]) -> dict[str, str]:
    data = {}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{name}-{index}"] = value
    return data


def test_the_plan_page_offers_the_diagnostics_pistes_and_saves_without_javascript(
    client, questionnaire
):
    token = start(client, questionnaire)
    cards = card_ids(client, token)
    page = client.get(f"/d/{token}/plan")
    assert page.status_code == 200 and page.template.name == "plan.html"
    assert all(f'value="{card}"' in page.text for card in cards)
    assert page.text.count('name="first_step-') == MAX_ITEMS
    sent = form(
        [
            {"card": cards[0], "first_step": "Appeler la CCI", "due": "15/03/2027"},
            {"card": "", "title": ""},  # a blank row is no piste
            {"card": "__own__", "title": "Fête de la rentrée", "owner": "Le bureau"},
        ]
    )
    saved = client.post(f"/d/{token}/plan", data=sent, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?enregistre=1")
    plan = client.get(PLAN.format(token=token)).json()["items"]
    assert [p["card"] for p in plan] == [cards[0], None]
    assert plan[0]["due"] == "2027-03-15" and plan[1]["owner"] == "Le bureau"
    again = client.get(f"/d/{token}/plan?enregistre=1")
    assert "Appeler la CCI" in again.text and "est enregistré" in again.text


def test_the_plan_page_refuses_a_bad_row_whole_and_says_where(client, questionnaire):
    token = start(client, questionnaire)
    client.put(PLAN.format(token=token), json={"items": [item(title="Déjà là")]})
    refused = client.post(
        f"/d/{token}/plan",
        data=form([{"title": "Nouvelle"}, {"title": "Autre", "due": "pas une date"}]),
    )
    assert refused.status_code == 422
    assert 'id="err-due-1"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "pas une date" in refused.text  # what was typed stays in the form
    assert client.get(PLAN.format(token=token)).json()["items"][0]["title"] == "Déjà là"


def test_autosave_answers_a_status_line(client, questionnaire):
    token = start(client, questionnaire)
    headers = {"HX-Request": "true"}
    saved = client.post(f"/d/{token}/plan", data=form([{"title": "Vite"}]), headers=headers)
    assert saved.status_code == 200 and "Plan enregistré" in saved.text
    assert saved.template.name == "partials/plan_status.html"
    refused = client.post(
        f"/d/{token}/plan", data=form([{"title": "x" * (TITLE_MAX + 1)}]), headers=headers
    )
    assert "Non enregistré" in refused.text and 'href="#title-0"' in refused.text
    assert client.get(PLAN.format(token=token)).json()["items"][0]["title"] == "Vite"


def test_the_plan_page_needs_the_csrf_token(client, questionnaire):
    from fastapi.testclient import TestClient

    token = start(client, questionnaire)
    stranger = TestClient(client.app)
    refused = stranger.post(
        f"/d/{token}/plan",
        data=form([{"title": "Intrus"}]),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert refused.status_code == 403
    assert client.get(PLAN.format(token=token)).json()["items"] == []


def test_form_rows_read_french_dates_and_skip_blank_rows(questionnaire):
    items, errors = parse_form_rows(
        questionnaire,
        [
            {"card": "", "title": "", "first_step": " ", "owner": "", "due": "", "help": ""},
            {"card": "__own__", "title": "A", "due": "1/2/2027"},
        ],
    )
    assert errors == {}
    assert len(items) == 1 and items[0].due.isoformat() == "2027-02-01"


# --- Where the plan shows ------------------------------------------------------------------


def test_results_page_shows_the_plan_and_links_to_it(client, questionnaire):
    token = start(client, questionnaire)
    empty = client.get(f"/d/{token}/resultats")
    assert f'/d/{token}/plan"' in empty.text and "Écrire mon plan" in empty.text
    assert f'/d/{token}/note.pdf"' in empty.text
    client.put(PLAN.format(token=token), json={"items": [item(help="Un mécène")]})
    page = client.get(f"/d/{token}/resultats")
    assert "Refaire le site" in page.text and "Un mécène" in page.text


@pytest.mark.slow
def test_report_and_board_note_carry_the_plan(client, questionnaire):
    token = start(client, questionnaire)
    client.put(PLAN.format(token=token), json={"items": [item(owner="Jeanne Martin")]})
    _pages, report = pdf_text(client.get(f"/api/diagnostics/{token}/report.pdf").content)
    assert "Notre plan d'action" in report and "Jeanne Martin" in report
    note = client.get(f"/api/diagnostics/{token}/note.pdf")
    assert note.headers["content-type"] == "application/pdf"
    pages, text = pdf_text(note.content)
    assert pages == 2
    assert "Note pour le conseil d'administration" in text
    assert "Jeanne Martin" in text and "Les pistes mises en avant" in text
    assert client.get(f"/d/{token}/note.pdf").content[:4] == b"%PDF"


@pytest.mark.slow
def test_changing_the_plan_changes_the_cached_report(client, questionnaire):
    token = start(client, questionnaire)
    client.put(PLAN.format(token=token), json={"items": [item(owner="Avant")]})
    before = pdf_text(client.get(f"/d/{token}/rapport.pdf").content)[1]
    client.put(PLAN.format(token=token), json={"items": [item(owner="Après")]})
    after = pdf_text(client.get(f"/d/{token}/rapport.pdf").content)[1]
    assert "Avant" in before and "Après" in after and "Avant" not in after


# --- The pitch sheet -----------------------------------------------------------------------


def test_pitch_sheet_prints_the_associations_own_words_and_chosen_pistes(client, questionnaire):
    roles = questionnaire.definition.roles
    token = start(
        client,
        questionnaire,
        **{
            roles.pitch_line: "Grâce à nous, 300 enfants font du sport.",
            roles.partners_sought: "Un minibus et un partenaire pour nos tournois.",
            roles.founded_year: 1987,
        },
    )
    client.put(PLAN.format(token=token), json={"items": [item(title="Trouver un mécène")]})
    client.post(f"/d/{token}/fiche", data={"contact": "Marie Dupont, 06 12 34 56 78"})
    pdf = client.get(f"/api/diagnostics/{token}/pitch.pdf")
    pages, text = pdf_text(pdf.content)
    assert pages == 1
    assert "Grâce à nous, 300 enfants font du sport." in text
    assert "Un minibus et un partenaire pour nos tournois." in text
    assert "Non renseigné" not in text
    assert "Trouver un mécène" in text and "Marie Dupont, 06 12 34 56 78" in text
    assert "en 1987" in text


def sheet_block(html: str, heading: str) -> str:
    """The HTML under `heading` in the pitch page's preview of the sheet."""
    preview = html.split('class="pitch-preview"', 1)[1]
    return preview.split(heading, 1)[1].split("</div>", 1)[0]


def test_ce_que_nous_travaillons_is_the_plan_never_the_low_scores(client, questionnaire):
    token = start(client, questionnaire)
    page = client.get(f"/d/{token}/fiche")
    work_on = sheet_block(page.text, "Ce que nous travaillons")
    assert "Choisissez vos pistes dans le plan" in work_on and "<li>" not in work_on
    client.put(PLAN.format(token=token), json={"items": [item(title="Recruter un trésorier")]})
    page = client.get(f"/d/{token}/fiche")
    work_on = sheet_block(page.text, "Ce que nous travaillons")
    assert "Recruter un trésorier" in work_on and work_on.count("<li>") == 1


def test_pitch_page_edits_write_the_questionnaire_answers(client, questionnaire):
    roles = questionnaire.definition.roles
    token = start(client, questionnaire)
    saved = client.post(
        f"/d/{token}/fiche",
        data={"pitch_line": "Une phrase neuve", "partner_request": "Un local"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    answers = client.get(f"/api/diagnostics/{token}").json()["answers"]
    assert answers[roles.pitch_line] == "Une phrase neuve"
    assert answers[roles.partners_sought] == "Un local"


def test_the_user_picks_the_blocks_of_the_pitch_sheet(client, questionnaire):
    token = start(client, questionnaire)
    client.post(f"/d/{token}/fiche", data={"blocks_sent": "1", "block": ["project", "partners"]})
    page = client.get(f"/d/{token}/fiche")
    assert 'value="strengths">' in page.text and 'value="project" checked' in page.text
    _pages, text = pdf_text(client.get(f"/d/{token}/fiche.pdf").content)
    assert "Notre projet" in text and "Ce que nous recherchons" in text
    assert "Nos points forts" not in text and "Notre modèle socio-économique" not in text


def test_an_over_long_contact_line_is_refused_and_nothing_changes(client, questionnaire):
    token = start(client, questionnaire)
    client.post(f"/d/{token}/fiche", data={"contact": "Avant"})
    refused = client.post(f"/d/{token}/fiche", data={"contact": "x" * 301})
    assert refused.status_code == 422 and 'id="f-contact-error"' in refused.text
    assert 'value="Avant"' in client.get(f"/d/{token}/fiche").text


# --- The migration -------------------------------------------------------------------------


def test_the_migrations_build_exactly_the_models_tables(client):
    """The plan tables (migration 0003) match app/models.py on this backend."""
    with client.app.state.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_a_weakness_never_appears_as_a_strength_on_the_sheet(questionnaire):
    from datetime import date

    from app.report.pitch import STRENGTH_SCORE, pitch_context
    from app.scoring.result import compute_result

    answers = full_answers(questionnaire)
    result = compute_result(questionnaire, answers)
    context = pitch_context(
        questionnaire,
        answers,
        result,
        association_name="Club",
        partner_request="",
        created_at=date(2026, 12, 2),
    )
    weak = {
        sub.label
        for lever in result.levers
        for sub in lever.subscores
        if sub.score is not None and sub.score < STRENGTH_SCORE
    }
    assert weak, "the sample has low scores to leave out"
    assert context["strengths"] and all(s.score >= STRENGTH_SCORE for s in context["strengths"])
    assert not weak & {s.label for s in context["strengths"]}
    assert context["plan"] == []  # no plan: "Ce que nous travaillons" waits for one
