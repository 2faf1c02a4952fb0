"""English interface: a complete catalog, a complete questionnaire, a switch that keeps the
reader's place, and numbers, money and dates written the way each language writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT, settings
from app.formatting import date, euros, format_indicator, number, percent
from app.i18n import catalog_path, gettext, use_language
from app.questionnaire.loader import load_questionnaire


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
        if m.id
        and not m.fuzzy
        and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(extracted_messages() - translated)
    assert missing == [], "run `make messages` and translate:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders(english_catalog):
    # Babel's checkers compare python-format placeholders between msgid and msgstr: a
    # translation that drops or renames %(name)s would raise at render time.
    problems = [
        f"{message.id!r}: {error}" for message, errors in english_catalog.check() for error in errors
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
    response = client.post(
        "/langue", data={"lang": "en", "suite": target}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_an_unknown_language_falls_back_to_french(client):
    response = client.post("/langue", data={"lang": "de", "suite": "/"}, follow_redirects=False)
    assert "lang=fr" in response.headers["set-cookie"]
    client.cookies.set("lang", "klingon")
    assert '<html lang="fr"' in client.get("/").text
