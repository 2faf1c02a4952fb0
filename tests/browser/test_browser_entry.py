"""Data entry in a real headless Chromium: the running total of resources and a question
revealed by an answer (announced, brought into view)."""

from __future__ import annotations

import re

import pytest

from app.resource_tally import money_questions
from tests.utils.browser import CHROMIUM_ARGS, require_chromium, serve_pinned_htmx
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from playwright.sync_api import expect, sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    database = tmp_path_factory.mktemp("entry") / "entry.sqlite3"
    with live_server(f"sqlite:///{database}") as url:
        yield url


@pytest.fixture(params=["desktop", "phone"])
def page(request):
    viewport = (
        {"width": 1280, "height": 800}
        if request.param == "desktop"
        else {
            "width": 390,
            "height": 844,
        }
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        serve_pinned_htmx(context)
        yield context.new_page()
        context.close()
        browser.close()


def start(page, base_url) -> str:
    page.goto(base_url + "/")
    page.get_by_role("button", name="Commencer").click()
    return page.locator("#resume-url").input_value()


def test_the_running_total_follows_the_typing_and_is_announced_once(page, base_url, questionnaire):
    resume_url = start(page, base_url)
    first = money_questions(questionnaire)[0]
    page.goto(f"{resume_url}/s/{questionnaire.section_of[first].id}")
    unit = questionnaire.definition.roles.resource_unit
    page.locator(f"#q-{unit}").get_by_label("euros", exact=False).first.check()
    # The unit's save redraws the resource fields: type once it is back.
    expect(page.locator(f"#fb-{unit}")).to_contain_text("Enregistré")
    field = page.locator(f"#in-{first}")
    field.fill("230 k€")
    field.blur()
    total = page.locator("#resource-total")
    expect(total).to_contain_text(re.compile(r"230\s000\s€"))
    expect(total).to_contain_text("Indiquez votre budget annuel")
    # Read out once the reader pauses, with the same words as the block.
    expect(page.locator("#resource-total-live")).to_contain_text(re.compile(r"230\s000\s€"))


def revealed_pair(questionnaire):
    """A number question and a question its positive answer reveals (same section)."""
    for question in questionnaire.questions.values():
        condition = question.show_if
        if condition is None or condition.op != "gt" or condition.question is None:
            continue
        trigger = questionnaire.questions[condition.question]
        if questionnaire.section_of[trigger.id] == questionnaire.section_of[question.id]:
            return trigger, question, condition.value
    raise AssertionError("no question revealed by a number")


def test_a_revealed_question_is_announced_and_brought_into_view(page, base_url, questionnaire):
    trigger, revealed, threshold = revealed_pair(questionnaire)
    resume_url = start(page, base_url)
    page.goto(f"{resume_url}/s/{questionnaire.section_of[trigger.id].id}")
    target = page.locator(f"#q-{revealed.id}")
    expect(target).to_be_hidden()
    field = page.locator(f"#in-{trigger.id}")
    field.fill(str(int(threshold) + 2))
    field.blur()
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    label = revealed.label.fr
    expect(page.locator("#reveal-live")).to_contain_text(label)
    # Focus stays where the reader was typing.
    assert page.evaluate("document.activeElement.id") != f"in-{revealed.id}"


def test_no_page_of_a_full_diagnostic_scrolls_sideways(page, base_url, questionnaire):
    """WCAG reflow: at 390 px wide, wide tables scroll in their own box, never the page (the
    sources and indicators tables used to push the results page to 530 px)."""
    import httpx

    from tests.utils.answers import full_answers

    token = httpx.post(base_url + "/api/diagnostics").json()["token"]
    saved = httpx.put(
        f"{base_url}/api/diagnostics/{token}/answers", json=full_answers(questionnaire)
    )
    assert saved.status_code == 200
    paths = ["", "/resultats", "/recapitulatif", "/plan", "/fiche"]
    paths += [f"/s/{section.id}" for section in questionnaire.sections]
    width = page.viewport_size["width"]
    for path in paths:
        page.goto(f"{base_url}/d/{token}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
