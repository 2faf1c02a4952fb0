"""The documents people hand over: the full report without near-empty pages, internal labels or
wrong plurals; the board note on two A4 pages."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from app.formatting import format_answer
from app.i18n import use_language
from app.plan import FIRST_STEP_MAX, HELP_MAX, OWNER_MAX, TITLE_MAX, PlanItem
from app.report.note import build_note_html, featured_cards
from app.report.pdf import build_report_html, render_pdf
from app.scoring.result import compute_result
from tests.utils.answers import full_answers

pytestmark = pytest.mark.slow

CREATED = date(2026, 12, 2)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def report_pages(questionnaire) -> list[str]:
    answers = full_answers(questionnaire, name="Club des Trois Vallées")
    plan = [PlanItem(None, "Refaire le site", "Lister les pages", "Paul", None, "")]
    result = compute_result(questionnaire, answers)
    html = build_report_html(questionnaire, answers, result, created_at=CREATED, plan=plan)
    return page_texts(render_pdf(html))


def test_no_page_of_the_report_is_nearly_empty(report_pages):
    # A page of this report holds 1 500 to 4 000 characters; the cover about 800.
    assert all(len(text) > 700 for text in report_pages[:-1]), [len(t) for t in report_pages]


def test_the_report_names_the_questionnaire_not_its_internal_id(report_pages, questionnaire):
    cover = " ".join(report_pages[0].split())
    assert questionnaire.definition.title.get() in cover
    assert f"{questionnaire.id}, version" not in cover


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [("fr", 1, "singular"), ("fr", 0, "singular"), ("fr", 2, "plural"), ("en", 1, "singular")]
    + [("en", 0, "plural"), ("en", 3, "plural")],
)
def test_units_agree_with_the_count(questionnaire, lang, count, expected):
    counted = [q for q in questionnaire.questions.values() if q.unit_one is not None]
    assert counted, "the questionnaire gives singular units"
    for question in counted:
        with use_language(lang):
            shown = format_answer(questionnaire, question, count, lang)
        unit = question.unit_one if expected == "singular" else question.unit
        assert shown.endswith(" " + unit.get(lang)), shown


def test_one_employee_is_singular_in_the_report_annex(questionnaire):
    answers = full_answers(questionnaire)
    for question in questionnaire.questions.values():
        if question.unit_one is not None:
            answers[question.id] = 1
    result = compute_result(questionnaire, answers)
    text = " ".join(
        page_texts(
            render_pdf(build_report_html(questionnaire, answers, result, created_at=CREATED))
        )
    )
    for question in questionnaire.questions.values():
        if question.unit_one is not None and question.id in answers:
            assert f"1 {question.unit.get()}" not in " ".join(text.split())


def test_the_board_note_is_two_pages_with_model_levers_pistes_and_plan(questionnaire):
    answers = full_answers(questionnaire, name="Club des Trois Vallées")
    plan = [PlanItem(None, "Refaire le site", "Lister les pages", "Paul Martin", CREATED, "")]
    pages = page_texts(
        render_pdf(build_note_html(questionnaire, answers, plan=plan, created_at=CREATED))
    )
    assert len(pages) == 2
    first, second = (" ".join(page.split()) for page in pages)
    result = compute_result(questionnaire, answers)
    dominant = questionnaire.model_by_id[result.barycentre.dominant]
    assert " ".join(dominant.name.get().split()) in first
    assert all(lever.label in first for lever in result.levers)
    assert "Paul Martin" in second and "Refaire le site" in second
    for card in featured_cards(result.cards):
        assert " ".join(card.title.get().split()) in second


def test_the_board_note_stays_on_two_pages_with_five_longest_plan_items(questionnaire):
    answers = full_answers(questionnaire)
    long_item = PlanItem(
        None,
        ("Titre " * 40)[:TITLE_MAX],
        ("Premier pas " * 50)[:FIRST_STEP_MAX],
        ("Qui " * 40)[:OWNER_MAX],
        CREATED,
        ("Aide " * 120)[:HELP_MAX],
    )
    pages = page_texts(
        render_pdf(
            build_note_html(questionnaire, answers, plan=[long_item] * 5, created_at=CREATED)
        )
    )
    assert len(pages) == 2, "the plan must fit the second page"


def test_featured_pistes_prefer_the_marked_ones():
    class Card:
        def __init__(self, featured):
            self.featured = featured

    cards = [Card(False), Card(True), Card(False), Card(True)]
    assert featured_cards(cards) == [cards[1], cards[3]]
    plain = [Card(False) for _ in range(5)]
    assert featured_cards(plain) == plain[:3]
