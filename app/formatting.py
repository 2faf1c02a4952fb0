"""Numbers, money, dates and answers formatted for people, per locale (Babel).

Pure functions shared by the pages, the PDF report and the score explanations."""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from app.i18n import ngettext, resolve
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Label, Question

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


PERCENT_SIGN = {"fr": " %", "en": "%"}
# Whole euros, with the symbol where each language puts it: "12 500 €", "€12,500".
EURO_PATTERNS = {"fr": "#,##0 ¤", "en": "¤#,##0"}


def locale_for(lang: str | None) -> str:
    """The Babel locale of `lang`, or of the current request's language when None."""
    return LOCALES[resolve(lang)]


def euros(value: Any, lang: str | None = None) -> str:
    if not isinstance(value, int | float):
        return "—"
    return format_currency(
        value,
        "EUR",
        locale=locale_for(lang),
        format=EURO_PATTERNS[resolve(lang)],
        currency_digits=False,
    )


def percent(value: Any, lang: str | None = None, digits: int = 0) -> str:
    """A fraction (0.25) as a percentage (25 %)."""
    if not isinstance(value, int | float):
        return "—"
    locale = locale_for(lang)
    if digits == 0:
        return format_percent(value, locale=locale)
    # The locale's own pattern ("#,##0 %" in French, "#,##0%" in English) with decimals.
    pattern = Locale.parse(locale).percent_formats[None].pattern
    return format_percent(value, format=pattern.replace("0", "0." + "0" * digits, 1), locale=locale)


def number(value: Any, lang: str | None = None, digits: int = 1) -> str:
    if not isinstance(value, int | float):
        return "—"
    pattern = "#,##0" if digits == 0 else "#,##0." + "#" * digits
    return format_decimal(value, format=pattern, locale=locale_for(lang))


def date(value: Any, lang: str | None = None) -> str:
    return format_date(value, format="long", locale=locale_for(lang))


def text(value: Label | str | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return value.get(lang) if isinstance(value, Label) else str(value)


SHARE_INDICATORS = {
    "exchange_share",
    "largest_source_share",
    "largest_funder_share",
    "volunteering_share",
    "subsidies_share",
    "public_share",
    "private_exchange_share",
}
AMOUNT_INDICATORS = {
    "total_resources",
    "monetary_resources",
    "subsidies_amount",
    "public_exchange_amount",
}


def unit_for(question: Question, count: float, lang: str | None = None) -> str:
    """The question's unit agreeing with `count`: French takes the singular below 2 ("1,5
    salarié"), English only for exactly 1."""
    if question.unit is None:
        return ""
    singular = abs(count) < 2 if resolve(lang) == "fr" else count == 1
    if singular and question.unit_one is not None:
        return question.unit_one.get(lang)
    return question.unit.get(lang)


def format_answer(
    questionnaire: Questionnaire, question: Question, value: Any, lang: str | None = None
) -> str:
    """An answer as a reader expects it: choice labels, euros, percentages, units."""
    if isinstance(value, list):
        return ", ".join(questionnaire.option_label(question, str(v), lang) for v in value)
    if question.type in ("single_choice", "likert", "multiple_choice"):
        return questionnaire.option_label(question, str(value), lang)
    if question.type == "amount" and isinstance(value, int | float):
        return euros(value, lang)
    if question.type == "percentage" and isinstance(value, int | float):
        return format_percent(
            value / 100, format="#,##0.#" + PERCENT_SIGN[resolve(lang)], locale=locale_for(lang)
        )
    if question.type == "integer" and isinstance(value, int | float):
        unit = f" {unit_for(question, value, lang)}" if question.unit else ""
        return number(value, lang, digits=0) + unit
    if question.type == "decimal" and isinstance(value, int | float):
        unit = f" {unit_for(question, value, lang)}" if question.unit else ""
        return number(value, lang, digits=2) + unit
    return str(value)


def format_indicator(name: str, value: Any, lang: str | None = None) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "—"
    if name in SHARE_INDICATORS:
        return percent(value, lang)
    if name in AMOUNT_INDICATORS:
        return euros(value, lang)
    if name == "reserve_months":
        # Exactly one month is singular; 0.5 or 1.5 months are plural in English.
        count = 1 if value == 1 else 2
        return ngettext("%(num)s mois", "%(num)s mois", count) % {
            "num": number(value, lang, digits=1)
        }
    return number(value, lang, digits=2)
