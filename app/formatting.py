"""Numbers, money, dates and answers formatted for people, per locale (Babel).

Pure functions shared by the pages, the PDF report and the score explanations."""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Label, Question

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


SHARE_INDICATORS = {
    "exchange_share",
    "largest_source_share",
    "largest_funder_share",
    "volunteering_share",
}


def format_answer(questionnaire: Questionnaire, question: Question, value: Any, lang: str) -> str:
    """An answer as a reader expects it: choice labels, euros, percentages, units."""
    if isinstance(value, list):
        return ", ".join(questionnaire.option_label(question, str(v), lang) for v in value)
    if question.type in ("single_choice", "likert", "multiple_choice"):
        return questionnaire.option_label(question, str(value), lang)
    if question.type == "amount" and isinstance(value, int | float):
        return euros(value, lang)
    if question.type == "percentage" and isinstance(value, int | float):
        return f"{number(value, lang, digits=1)} %"
    if question.type == "integer" and isinstance(value, int | float):
        unit = f" {question.unit.get(lang)}" if question.unit else ""
        return number(value, lang, digits=0) + unit
    return str(value)


def format_indicator(name: str, value: Any, lang: str = "fr") -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if name in SHARE_INDICATORS:
        return percent(value, lang)
    if name in ("total_resources", "monetary_resources"):
        return euros(value, lang)
    if name == "reserve_months":
        return f"{number(value, lang, digits=1)} mois"
    return number(value, lang, digits=2)
