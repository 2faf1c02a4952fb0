"""English interface: a complete catalog, a complete questionnaire, a switch that keeps the
reader's place, and numbers, money and dates written the way each language writes them."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from starlette.routing import Match

from app.config import PROJECT_ROOT, settings
from app.formatting import date, euros, format_indicator, number, percent
from app.i18n import catalog_path, gettext, use_language
from app.questionnaire.loader import load_questionnaire
from tests.utils.clients import csrf_ready


def extracted_messages() -> set[str]:
    """What `make messages` extracts today, read straight from the sources (so a string added
    to the code without running `make messages` is caught too)."""
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.fixture(scope="module")
def english_catalog():
    with catalog_path("en").open("rb") as source:
        return read_po(source, locale="en")


def test_every_interface_string_has_an_english_translation(english_catalog):
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in english_catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(extracted_messages() - translated)
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders(english_catalog):
    # Babel's checkers compare python-format placeholders between msgid and msgstr: a
    # translation that drops or renames %(name)s would raise at render time.
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in english_catalog.check()
        for error in errors
    ]
    assert problems == []


def test_the_shipped_questionnaire_has_english_for_every_text():
    questionnaire = load_questionnaire(settings.questionnaire_path)
    assert questionnaire.untranslated() == []


def test_gettext_follows_the_language_of_the_block():
    assert gettext("Mes ateliers") == "Mes ateliers"
    with use_language("en"):
        assert gettext("Mes ateliers") == "My workshops"
        with use_language("fr"):
            assert gettext("Mes ateliers") == "Mes ateliers"
    with use_language("xx"):  # unknown: French
        assert gettext("Mes ateliers") == "Mes ateliers"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", ["12\u202f500\xa0€", "25\xa0%", "1\u202f234,6", "23 novembre 2026", "2,5 mois"]),
        ("en", ["€12,500", "25%", "1,234.6", "23 November 2026", "2.5 months"]),
    ],
)
def test_numbers_money_and_dates_follow_the_language(lang, expected):
    with use_language(lang):
        written = [
            euros(12500.4),
            percent(0.25),
            number(1234.56),
            date(dt.date(2026, 11, 23)),
            format_indicator("reserve_months", 2.5),
        ]
    # Babel's separators (narrow no-break spaces in French) are part of the expectation.
    assert [w.replace(" ", "\xa0") for w in written] == [e.replace(" ", "\xa0") for e in expected]


def test_the_language_switch_keeps_the_reader_on_the_same_page(client):
    page = client.get("/confidentialite")
    assert '<html lang="fr"' in page.text
    assert 'name="suite" value="/confidentialite"' in page.text

    switched = client.post(
        "/langue", data={"lang": "en", "suite": "/confidentialite"}, follow_redirects=False
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/confidentialite"
    cookie = switched.headers["set-cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie

    english = client.get("/confidentialite")
    assert '<html lang="en"' in english.text
    assert "My workshops" in english.text or "Join a workshop" in english.text
    # The switch now offers French, named in French.
    assert 'lang="fr"' in english.text and "Français" in english.text

    back = client.post("/langue", data={"lang": "fr", "suite": "/"}, follow_redirects=False)
    assert back.headers["location"] == "/"
    assert '<html lang="fr"' in client.get("/").text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "\\\\evil", ""])
def test_the_language_switch_only_returns_to_this_site(client, target):
    response = client.post("/langue", data={"lang": "en", "suite": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_a_long_return_path_costs_a_few_route_lookups_only(client):
    """`suite` is walked up parent by parent to a readable page: each step matches every route
    against the whole path, so a 60 000-character path of short segments cost O(n²) CPU."""
    from types import SimpleNamespace

    from app.routes.language import readable_page

    class CountingRoute:
        calls = 0

        def matches(self, scope):
            CountingRoute.calls += 1
            return Match.NONE, {}

    request = SimpleNamespace(app=SimpleNamespace(router=SimpleNamespace(routes=[CountingRoute()])))
    assert readable_page(request, "/a" * 30_000) == "/"
    assert CountingRoute.calls <= 10
    response = client.post(
        "/langue", data={"lang": "en", "suite": "/a" * 12_000}, follow_redirects=False
    )
    assert response.headers["location"] == "/"


def test_an_unknown_language_falls_back_to_french(client):
    response = client.post("/langue", data={"lang": "de", "suite": "/"}, follow_redirects=False)
    assert "lang=fr" in response.headers["set-cookie"]
    client.cookies.set("lang", "klingon")
    assert '<html lang="fr"' in client.get("/").text


# --- The whole interface in English -------------------------------------------------------

# Words that mean nothing in English but fill every French sentence: one of them in English
# chrome means a string escaped translation.
FRENCH_WORDS = re.compile(
    r"\b(le|la|les|des|du|une|est|sont|vos|votre|nous|vous|pour|avec|dans|sur|pas|aux|et|ou|"
    r"ce|cette|qui|que|mon|mes|ses|leur|leurs|par|entre|sans|être|été|aussi|très|moins|"
    r"selon|chaque|atelier|ateliers|résultats|réponses|compte|rejoindre|accompagnateur)\b",
    re.IGNORECASE,
)
ACCENTED = re.compile(r"\w*[éèêàâçùûîôœ]\w*", re.IGNORECASE)


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the labels in attributes, minus what
    is marked as another language (the switch names French in French)."""

    SKIP = {"script", "style"}
    SPOKEN = ("aria-label", "title", "alt", "placeholder")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content skipped?

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = (self.stack and self.stack[-1]) or tag in self.SKIP
        skipped = skipped or attributes.get("lang", "en") != "en"
        if not skipped:
            self.parts += [attributes[a] for a in self.SPOKEN if attributes.get(a)]
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.parts.append(attributes.get("value") or "")
        if tag not in self.VOID:
            self.stack.append(bool(skipped))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def french_in(html: str, user_data: list[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    text = re.sub(r"\S*://\S+|/\S+", " ", text)  # addresses are identifiers, not prose
    for value in sorted(user_data, key=len, reverse=True):  # what the user typed stays theirs
        text = text.replace(value, " ")
    found = FRENCH_WORDS.findall(text) + ACCENTED.findall(text)
    return sorted(set(found))


@pytest.mark.slow
def test_every_page_speaks_english_when_asked(client, questionnaire):
    from tests.utils.answers import full_answers
    from tests.utils.workshops import PASSWORD, create_workshop, join, sign_up

    client.cookies.set("lang", "en")
    answers = full_answers(questionnaire, name="Green Gardens Club")
    user_data = [str(v) for v in answers.values() if isinstance(v, str)] + [
        "Green Gardens Club",
        "Camille Martin",
        "Regional workshop",
        "Lyon",
    ]
    pages: dict[str, str] = {}

    def visit(path: str, expected: int = 200) -> None:
        response = client.get(path)
        assert response.status_code == expected, (path, response.status_code)
        pages[path] = response.text

    for path in ("/", "/confidentialite", "/rejoindre", "/compte/connexion", "/compte/inscription"):
        visit(path)
    visit("/no-such-page", 404)

    token = client.post("/diagnostics").url.path.split("/")[2]
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    visit(f"/d/{token}")
    for section in questionnaire.sections:
        visit(f"/d/{token}/s/{section.id}")
    for suffix in ("recapitulatif", "resultats", "fiche", "supprimer"):
        visit(f"/d/{token}/{suffix}")
    visit(f"/d/{'x' * 43}", 404)
    # A bad answer: the error message is English too.
    number_question = next(q for q in questionnaire.questions.values() if q.type == "amount")
    section = questionnaire.section_of[number_question.id]
    bad = client.post(f"/d/{token}/s/{section.id}", data={number_question.id: "a lot"})
    pages["bad answer"] = bad.text

    client.cookies.delete("lang")
    sign_up(client, email="camille@example.org", name="Camille Martin")
    client.cookies.set("lang", "en")
    workshop_id, code = create_workshop(client, title="Regional workshop")
    visit(f"/rejoindre/{code}")
    member = csrf_ready(TestClient(client.app, follow_redirects=True))
    member.cookies.set("lang", "en")
    member_token = join(member, code, "named")
    member.put(f"/api/diagnostics/{member_token}/answers", json=answers)
    pages["membership"] = member.get(f"/d/{member_token}").text
    for path in ("/compte", "/ateliers", "/ateliers/nouveau", f"/ateliers/{workshop_id}"):
        visit(path)
    for suffix in ("tableau", "projection", "code", "modifier", "supprimer", "participants/1"):
        visit(f"/ateliers/{workshop_id}/{suffix}")
    assert PASSWORD not in "".join(pages.values())

    leftovers = {
        name: found for name, html in pages.items() if (found := french_in(html, user_data))
    }
    assert leftovers == {}


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/compte/mot-de-passe", "/compte"),  # drawn by a refused form post: its GET parent
        ("/confidentialite?x=1", "/confidentialite?x=1"),
        ("/no/such/page", "/"),
    ],
)
def test_the_language_switch_never_lands_on_a_post_only_address(client, target, landing):
    response = client.post("/langue", data={"lang": "en", "suite": target}, follow_redirects=False)
    assert response.headers["location"] == landing
