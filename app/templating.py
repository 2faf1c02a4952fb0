"""The Jinja2 environment shared by pages, htmx partials and the PDF report."""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from fastapi.templating import Jinja2Templates

from app.config import PROJECT_ROOT
from app.questionnaire.schema import Label

HTMX_SRC = "https://unpkg.com/htmx.org@2.0.4/dist/htmx.min.js"
HTMX_INTEGRITY = "sha384-HGfztofotfshcF7+8n44JQL2oJmowVChPTg48S+jvZoztPfvwD79OC/LTtG6dMp+"

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def euros(value: Any, lang: str = "fr") -> str:
    if not isinstance(value, int | float):
        return "—"
    return format_currency(
        value, "EUR", locale=LOCALES.get(lang, "fr_FR"), format="#,##0 ¤", currency_digits=False
    )


def percent(value: Any, lang: str = "fr", digits: int = 0) -> str:
    """A fraction (0.25) as a percentage (25 %)."""
    if not isinstance(value, int | float):
        return "—"
    locale = LOCALES.get(lang, "fr_FR")
    if digits == 0:
        return format_percent(value, locale=locale)
    return format_percent(value, format="#,##0." + "0" * digits + " %", locale=locale)


def number(value: Any, lang: str = "fr", digits: int = 1) -> str:
    if not isinstance(value, int | float):
        return "—"
    pattern = "#,##0" if digits == 0 else "#,##0." + "#" * digits
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "fr_FR"))


def date(value: Any, lang: str = "fr") -> str:
    return format_date(value, format="long", locale=LOCALES.get(lang, "fr_FR"))


def text(value: Label | str | None, lang: str = "fr") -> str:
    if value is None:
        return ""
    return value.get(lang) if isinstance(value, Label) else str(value)


templates = Jinja2Templates(directory=str(PROJECT_ROOT / "templates"))
jinja_env = templates.env
jinja_env.filters.update(euros=euros, percent=percent, number=number, date=date, text=text)
jinja_env.globals.update(HTMX_SRC=HTMX_SRC, HTMX_INTEGRITY=HTMX_INTEGRITY)
