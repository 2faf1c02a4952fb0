"""Accessibility in a real headless Chromium (Debian's package, driven by Playwright; no browser
is downloaded): axe-core finds no serious or critical violation on any main page, in French and
in English, and the whole flow works with the keyboard alone, with a visible focus throughout.

axe is injected with `page.evaluate` (Chrome DevTools Protocol), which the page's
Content-Security-Policy does not govern: the app's policy stays as strict as in production, and
any CSP report the app's own pages cause still fails the test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from app.config import PROJECT_ROOT
from app.questionnaire.loader import load_questionnaire
from tests.utils.answers import full_answers
from tests.utils.browser import CHROMIUM_ARGS, require_chromium, serve_pinned_htmx
from tests.utils.live_server import live_server

CHROMIUM = require_chromium()

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "une phrase de passe assez longue"
NAMED_ASSOCIATION = "Les Jardins du Lac"
AXE = Axe()
# Every part of the questionnaire gets its own check (the parameters are needed at collection).
SECTION_COUNT = len(load_questionnaire(PROJECT_ROOT / "questionnaires").sections)


# --- One server, one browser, a few people for the whole module --------------------------------


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("a11y") / "a11y.sqlite3"
    # Every request comes from 127.0.0.1: the per-address limits must not get in the way.
    with live_server(
        f"sqlite:///{database}",
        LOGIN_RATE_LIMIT="1000/minute",
        JOIN_RATE_LIMIT="1000/minute",
        CREATE_RATE_LIMIT="1000/minute",
        SAVE_RATE_LIMIT="1000/minute",
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Person:
    context: BrowserContext
    page: Page
    csp_reports: list[str]


def new_person(
    browser: Browser,
    base_url: str,
    lang: str = "fr",
    phone: bool = False,
    like: Person | None = None,
) -> Person:
    """A context of its own (cookies, as on another device), in `lang`, on a laptop's screen or
    a small phone's; `like` copies another person's cookies (signed in as them)."""
    context = browser.new_context(
        locale="en-GB" if lang == "en" else "fr-FR",
        viewport={"width": 360, "height": 740} if phone else {"width": 1280, "height": 800},
        storage_state=like.context.storage_state() if like else None,
    )
    serve_pinned_htmx(context)
    if lang != "fr":
        context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    reports: list[str] = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return Person(context, page, reports)


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def post_form(person: Person, url: str, form: dict[str, str], action: str | None = None):
    """Posts the form of the page at `url` (to `action`, by default the same URL) with the
    context's own cookies, as the browser would."""
    request = person.context.request
    token = csrf_from(request.get(url).text())
    response = request.post(action or url, form={"csrftoken": token, **form})
    assert response.ok, f"{url}: {response.status} {response.text()[:300]}"
    return response


@dataclass
class Site:
    base_url: str
    visitor: Person
    visitor_en: Person
    phone: Person
    counsellor: Person
    counsellor_phone: Person
    full: str  # a diagnostic with every answer
    partial: str  # a diagnostic with only a name: required answers are missing
    sections: list[str]
    board: str  # a workshop's dashboard path
    join_code: str
    group: str = ""  # the named joiner's group page


@pytest.fixture(scope="module")
def site(browser, base_url, questionnaire) -> Iterator[Site]:
    visitor = new_person(browser, base_url)
    visitor_en = new_person(browser, base_url, "en")
    phone = new_person(browser, base_url, phone=True)
    counsellor = new_person(browser, base_url)
    # The JSON API, from a context that never gets a cookie (as a script would call it).
    api_context = browser.new_context()
    api = api_context.request

    def new_diagnostic(answers: dict) -> str:
        token = api.post(base_url + "/api/diagnostics").json()["token"]
        saved = api.put(f"{base_url}/api/diagnostics/{token}/answers", data=answers)
        assert saved.ok, saved.text()
        return token

    full = new_diagnostic(full_answers(questionnaire))
    name_role = questionnaire.definition.roles.association_name
    partial = new_diagnostic({name_role: "Compagnie des Tréteaux"})

    post_form(
        counsellor,
        base_url + "/compte/inscription",
        {"email": "camille@dla.example", "name": "Camille Martin"}
        | {"password": PASSWORD, "confirm": PASSWORD},
    )
    created = post_form(
        counsellor,
        base_url + "/ateliers/nouveau",
        {"title": "Atelier MSE du Pays de Gex", "place": "Ferney-Voltaire", "held_on": ""},
        action=base_url + "/ateliers",
    )
    board = re.sub(r"^https?://[^/]+", "", created.url)
    assert re.fullmatch(r"/ateliers/\d+", board), board
    found = re.search(r'class="join-code">\s*([A-Z0-9-]+)', created.text())
    assert found, "no join code on the dashboard"
    join_code = found.group(1)

    # Two associations join and answer: one named, one anonymous.
    joined_tokens = []
    for sharing, name in (("named", NAMED_ASSOCIATION), ("anonymous", "Compagnie Secrète")):
        joined = post_form(
            visitor, f"{base_url}/rejoindre/{join_code}", {"diagnostic": "new", "sharing": sharing}
        )
        token = re.search(r"/d/([^/?]+)", joined.url).group(1)
        joined_tokens.append(token)
        saved = api.put(
            f"{base_url}/api/diagnostics/{token}/answers",
            data=full_answers(questionnaire, name=name),
        )
        assert saved.ok, saved.text()

    counsellor_phone = new_person(browser, base_url, phone=True, like=counsellor)
    home = api.get(f"{base_url}/d/{joined_tokens[0]}").text()
    group = re.search(r'href="(?:https?://[^/"]+)?(/d/[^"]+/groupe)"', home).group(1)
    people = (visitor, visitor_en, phone, counsellor, counsellor_phone)
    yield Site(
        base_url=base_url,
        visitor=visitor,
        visitor_en=visitor_en,
        phone=phone,
        counsellor=counsellor,
        counsellor_phone=counsellor_phone,
        full=f"/d/{full}",
        partial=f"/d/{partial}",
        sections=[section.id for section in questionnaire.sections],
        board=board,
        join_code=join_code,
        group=group,
    )
    for context in (*(person.context for person in people), api_context):
        context.close()


# --- axe on every main page ---------------------------------------------------------------------


def blocking_violations(page: Page) -> list[str]:
    """axe's serious and critical violations on the page as it is now, one readable line per
    element (rule, impact, CSS target, what is wrong)."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {' '.join(map(str, node['target']))} — {summary[:300]}")
    return lines


def show_inline_error(page: Page, site: Site) -> None:
    """An amount refused while typing: htmx puts the message next to the field."""
    field = page.locator("input.number").first
    field.fill("-12")
    field.blur()
    feedback = page.locator(f"#fb-{field.get_attribute('id').removeprefix('in-')}")
    expect(feedback.locator(".error")).to_be_visible()


def submit_with_errors(page: Page, site: Site) -> None:
    """The no-JavaScript path: the whole section is posted, the page comes back with a summary
    of the answers to correct."""
    page.locator("input.number").first.fill("-12")
    page.locator("button[name=nav][value=save]").press("Enter")
    expect(page.locator(".error-summary")).to_be_visible()


def answer_one_radio(page: Page, site: Site) -> None:
    page.locator("fieldset input[type=radio]").first.check()
    expect(page.locator(".feedback .saved").first).to_be_visible()


@dataclass
class Check:
    id: str
    who: str  # a Site attribute: visitor, visitor_en, phone, counsellor, counsellor_phone
    path: Callable[[Site], str]
    then: Callable[[Page, Site], None] | None = None
    status: int = 200


CHECKS = [
    Check("landing", "visitor", lambda s: "/"),
    Check("landing-en", "visitor_en", lambda s: "/"),
    Check("diagnostic-home-new", "visitor", lambda s: s.partial + "?nouveau=1"),
    Check("diagnostic-home", "visitor", lambda s: s.full),
    Check("diagnostic-home-en", "visitor_en", lambda s: s.full),
    *(
        Check(f"section-{i + 1}", "visitor", lambda s, i=i: f"{s.full}/s/{s.sections[i]}")
        for i in range(SECTION_COUNT)
    ),
    Check("section-1-en", "visitor_en", lambda s: f"{s.full}/s/{s.sections[0]}"),
    Check("section-3-en", "visitor_en", lambda s: f"{s.full}/s/{s.sections[2]}"),
    Check("section-empty", "visitor", lambda s: f"{s.partial}/s/{s.sections[1]}"),
    Check(
        "section-autosaved", "visitor", lambda s: f"{s.partial}/s/{s.sections[1]}", answer_one_radio
    ),
    Check(
        "section-inline-error",
        "visitor",
        lambda s: f"{s.full}/s/{s.sections[2]}",
        show_inline_error,
    ),
    Check(
        "section-error-summary",
        "visitor",
        lambda s: f"{s.full}/s/{s.sections[2]}",
        submit_with_errors,
    ),
    Check("summary-missing", "visitor", lambda s: f"{s.partial}/recapitulatif"),
    Check("summary-complete", "visitor", lambda s: f"{s.full}/recapitulatif"),
    Check("results", "visitor", lambda s: f"{s.full}/resultats"),
    Check("results-partial", "visitor", lambda s: f"{s.partial}/resultats"),
    Check("results-en", "visitor_en", lambda s: f"{s.full}/resultats"),
    Check("pitch", "visitor", lambda s: f"{s.full}/fiche"),
    Check("action-plan", "visitor", lambda s: f"{s.full}/plan"),
    Check("phone-action-plan", "phone", lambda s: f"{s.full}/plan"),
    Check("delete-confirmation", "visitor", lambda s: f"{s.full}/supprimer"),
    Check("privacy", "visitor", lambda s: "/confidentialite"),
    Check("join-code", "visitor", lambda s: "/rejoindre"),
    Check("join-workshop", "visitor", lambda s: f"/rejoindre/{s.join_code}"),
    Check("login", "visitor", lambda s: "/compte/connexion"),
    Check("signup", "visitor", lambda s: "/compte/inscription"),
    Check("account", "counsellor", lambda s: "/compte"),
    Check("workshops", "counsellor", lambda s: "/ateliers"),
    Check("new-workshop", "counsellor", lambda s: "/ateliers/nouveau"),
    Check("workshop-board", "counsellor", lambda s: s.board),
    Check("workshop-board-paused", "counsellor", lambda s: s.board + "?pause=1"),
    Check("projection", "counsellor", lambda s: s.board + "/projection"),
    Check("code-screen", "counsellor", lambda s: s.board + "/code"),
    Check("edit-workshop", "counsellor", lambda s: s.board + "/modifier"),
    Check("delete-workshop", "counsellor", lambda s: s.board + "/supprimer"),
    Check("focus-view", "counsellor", lambda s: s.board + "/participants/1"),
    Check("group-page", "visitor", lambda s: s.group),
    Check("group-page-en", "visitor_en", lambda s: s.group),
    Check("phone-group-page", "phone", lambda s: s.group),
    Check("co-counsellors", "counsellor", lambda s: s.board + "/accompagnateurs"),
    Check("manage-participant", "counsellor", lambda s: s.board + "/participants/1/gerer"),
    Check("remove-participant", "counsellor", lambda s: s.board + "/participants/1/retirer"),
    # Narrow screens: the header wraps, wide tables scroll.
    Check("phone-landing", "phone", lambda s: "/"),
    Check("phone-section-3", "phone", lambda s: f"{s.full}/s/{s.sections[2]}"),
    Check("phone-results", "phone", lambda s: f"{s.full}/resultats"),
    Check("phone-workshop-board", "counsellor_phone", lambda s: s.board),
    Check("phone-focus-view", "counsellor_phone", lambda s: s.board + "/participants/1"),
    Check(
        "phone-manage-participant", "counsellor_phone", lambda s: s.board + "/participants/1/gerer"
    ),
    Check("not-found", "visitor", lambda s: "/page-qui-n-existe-pas", status=404),
    Check("not-found-diagnostic", "visitor", lambda s: "/d/jeton-inconnu", status=404),
]


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_no_serious_axe_violation(site, check):
    person: Person = getattr(site, check.who)
    page = person.page
    person.csp_reports.clear()
    response = page.goto(site.base_url + check.path(site))
    assert response is not None and response.status == check.status, response and response.url
    if check.then:
        check.then(page, site)
    violations = blocking_violations(page)
    assert not violations, f"axe on {page.url}:\n" + "\n".join(violations)
    assert person.csp_reports == []


def test_pages_in_english_are_in_english(site):
    """The English checks above really ran on English pages (the lang cookie took effect)."""
    page = site.visitor_en.page
    page.goto(site.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "en"


# --- The keyboard alone -------------------------------------------------------------------------

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing has the focus";
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const shown = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
    && box.left < innerWidth;
  if ((outline || shadow) && shown) return "";
  return `no visible focus on <${el.tagName.toLowerCase()}> ${el.outerHTML.slice(0, 120)}`;
}"""


def assert_focus_visible(page: Page) -> None:
    problem = page.evaluate(FOCUS_STYLE)
    assert not problem, problem


def has_focus(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, checking at every stop that the
    focus is visible."""
    target.wait_for(state="attached")
    for _ in range(limit):
        if has_focus(target):
            return
        page.keyboard.press(key)
        assert_focus_visible(page)
    raise AssertionError(f"{key} never reached {target}")


def test_the_flow_with_the_keyboard_only(browser, base_url, questionnaire):
    person = new_person(browser, base_url)
    page = person.page
    roles = questionnaire.definition.roles
    first, second = questionnaire.sections[0], questionnaire.sections[1]
    text_question = roles.association_name
    assert questionnaire.section_of[text_question].id == first.id
    radio_question = next(
        q for q in first.questions if q.type == "single_choice" and q.show_if is None
    )
    long_text = next((q for q in first.questions if q.type == "long_text"), None)
    radio_question_2 = next(
        q for q in second.questions if q.type in ("single_choice", "likert") and q.show_if is None
    )
    number_question = next(
        q
        for q in second.questions
        if q.type in ("integer", "amount")
        and q.show_if is None
        and (q.min is None or q.min <= 42)  # what the test types (a year takes 1800 and up)
    )
    try:
        # The skip link is the first stop, shows when focused, and moves the focus to <main>.
        page.goto(base_url + "/")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Aller au contenu")
        assert has_focus(skip)
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # From there the next stop is the page's own first control, past the header.
        page.keyboard.press("Tab")
        start = page.get_by_role("button", name="Commencer", exact=True)
        expect(start).to_be_focused()
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/d/[^/?]+\?nouveau=1$"))
        home = page.url.split("?")[0]

        tab_to(page, page.get_by_role("link", name="Commencer le questionnaire"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{home}/s/{first.id}")

        # A text field: type, then leave it with Tab; htmx saves it.
        tab_to(page, page.locator(f"#in-{text_question}"))
        page.keyboard.type("Les Amis du Clavier")
        page.keyboard.press("Tab")
        expect(page.locator(f"#fb-{text_question}")).to_contain_text("Enregistré")
        if long_text is not None:
            tab_to(page, page.locator(f"#in-{long_text.id}"))
            page.keyboard.type("Jardiner ensemble.")
            page.keyboard.press("Tab")
            expect(page.locator(f"#fb-{long_text.id}")).to_contain_text("Enregistré")

        # A radio group: Tab enters it, Space chooses, the arrows move the choice.
        radios = page.locator(f"#q-{radio_question.id} input[type=radio]")
        tab_to(page, radios.first)
        page.keyboard.press("Space")
        expect(radios.first).to_be_checked()
        page.keyboard.press("ArrowDown")
        expect(radios.nth(1)).to_be_checked()
        expect(radios.nth(1)).to_be_focused()
        assert_focus_visible(page)
        expect(page.locator(f"#fb-{radio_question.id}")).to_contain_text("Enregistré")

        # On to the next part with the form's own button.
        tab_to(page, page.get_by_role("button", name=re.compile("Partie suivante")))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{home}/s/{second.id}")

        radios = page.locator(f"#q-{radio_question_2.id} input[type=radio]")
        tab_to(page, radios.first)
        page.keyboard.press("ArrowDown")  # moves to the second option and chooses it
        expect(radios.nth(1)).to_be_checked()
        expect(page.locator(f"#fb-{radio_question_2.id}")).to_contain_text("Enregistré")
        tab_to(page, page.locator(f"#in-{number_question.id}"))
        page.keyboard.type("42")
        page.keyboard.press("Tab")
        expect(page.locator(f"#fb-{number_question.id}")).to_contain_text("Enregistré")

        # Back up the page to the breadcrumb, to the diagnostic's home, then to the results.
        tab_to(page, page.get_by_role("link", name="Mon diagnostic"), key="Shift+Tab")
        page.keyboard.press("Enter")
        expect(page).to_have_url(home)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Les Amis du Clavier")
        tab_to(page, page.get_by_role("link", name="Voir les résultats"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{home}/resultats")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Les Amis du Clavier")

        # And from the results to the summary, which counts what was typed.
        tab_to(page, page.get_by_role("link", name="Mon diagnostic"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(home)
        tab_to(page, page.get_by_role("link", name="Récapitulatif", exact=True))
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{home}/recapitulatif")
        expect(page.get_by_role("heading", level=1)).to_have_text("Récapitulatif")
        typed_in_first = 3 if long_text is not None else 2
        expect(page.locator(".section-list > li").first).to_contain_text(f"{typed_in_first} / ")
        expect(page.locator(".section-list > li").nth(1)).to_contain_text("2 / ")
        assert person.csp_reports == []
    finally:
        person.context.close()
