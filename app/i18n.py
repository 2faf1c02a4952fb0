"""Interface languages: French (the default and the source language) and English.

Every UI string is written in French and marked with `_()` (Python) or `{{ _("…") }}` (Jinja);
`make messages` extracts them into `app/locale/messages.pot` and updates the English catalog
`app/locale/en/LC_MESSAGES/messages.po`, which a translator edits. The catalog is compiled in
memory when the app starts, so there is no build step and no binary file in the repository.

The language of a request lives in a context variable, set once per request from the `lang`
cookie by `LanguageMiddleware`; gettext, the number and date formatters and the questionnaire's
labels all read it, so no function needs a `lang` argument to do the right thing. Code that runs
outside a request (the PDF worker threads, the CLI) sets it with `use_language`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "app" / "locale"
DEFAULT_LANGUAGE = "fr"
# Language code -> name written in that language (for the switch, which names each language in
# itself so a reader who does not understand the current one still finds theirs).
LANGUAGES = {"fr": "Français", "en": "English"}
COOKIE_NAME = "lang"

_current: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def supported(lang: str | None) -> str:
    """`lang` if the interface speaks it, else the default."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _current.get()


def resolve(lang: str | None) -> str:
    """An explicit language, or the current request's when None."""
    return supported(lang) if lang else _current.get()


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Run a block in `lang` (the PDF renderer's threads, the CLI, tests)."""
    token = _current.set(supported(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalog_path(lang: str):
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of `lang`; French, the source language, needs none. Fuzzy entries
    are left out (babel's compiler skips them), so a doubtful translation falls back to French
    rather than showing something wrong."""
    if lang == DEFAULT_LANGUAGE or not catalog_path(lang).exists():
        return NullTranslations()
    with catalog_path(lang).open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = _current.get()
    if lang == DEFAULT_LANGUAGE:
        # French, the source language, has no catalog; its rule makes 0 singular too.
        return singular if abs(n) < 2 else plural
    return translations(lang).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction without translating it yet: for module-level constants,
    translated with `_()` where they are shown (the language is only known per request)."""
    return message


class LanguageMiddleware:
    """Sets the request's language from the `lang` cookie (French when absent or unknown)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with use_language(_cookie(scope)):
            await self.app(scope, receive, send)


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _sep, found = part.strip().partition("=")
                if key == COOKIE_NAME:
                    return found.strip()
    return None
