"""Turn a raw answer (JSON value or form text) into the stored value, or explain what is wrong.

Numbers accept French writing: `12 500`, `12,5`, `12 500 €`, `35 %`; in English, `12,500`
and `12.5` too (a comma grouping thousands, as English numbers are displayed back in the form).
Amounts also take the thousands and millions treasurers write: `230 k€`, `1,5 M€`, `1,565 M€`.
Error messages are shown next to the field, in the request's language.
"""

from __future__ import annotations

import math
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal

from app.formatting import number as format_number
from app.i18n import _, current_language
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Question

EMPTY = object()  # marker: the answer was cleared
_UNIT_MARKS = re.compile(r"(€|eur(os?)?|%|h(eures?)?)\s*$", re.IGNORECASE)
_LEADING_EURO = re.compile(r"^€\s*")  # "€12,500", as English writes amounts
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Lone UTF-16 surrogates can arrive through JSON escapes (\ud800) but cannot be stored or sent
# back as UTF-8.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# "12.500" or "1.250.000": dots grouping thousands, as many people write amounts by hand.
_DOT_THOUSANDS = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$")
# What a number may hold once units and spaces are normalised: an optional sign, ASCII digits,
# and the separators the locales below use. Python's Decimal, which does the parsing, also
# reads `1_000`, exponents and any script's digits ("١٠٠٠"): nobody means those in a form.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9.,\u202f]+")
# "230 k€", "230k", "1,5 M€", "1,5 MEUR", "2 m€": a thousands or millions suffix after the
# digits. A lone lowercase "m" is refused (minutes? metres?); before a euro mark it can only
# mean millions.
_MULTIPLIER = re.compile(
    r"^(?P<number>.*?[0-9])[\s\u00a0\u202f\u2009]*"
    r"(?:(?P<kilo>[kK])|(?P<mega>M)|(?P<mega_euro>m)(?=[\s\u00a0\u202f\u2009]*(?i:€|eur)))"
    r"[\s\u00a0\u202f\u2009]*(?i:€|eur(?:os?)?)?$"
)
_MULTIPLIERS = {"kilo": 1_000, "mega": 1_000_000, "mega_euro": 1_000_000}


class AnswerError(ValueError):
    """A bad answer; the message names what is expected, in the request's language."""


class NotANumber(AnswerError):
    """Text that reads as no number at all (an amount's message then shows k€ / M€ writing)."""


def printable(text: str) -> str:
    """Text safe to echo back in a message or a field name (no lone surrogates)."""
    return _SURROGATES.sub("\ufffd", text)


def parse_number(
    text: str, dots_group_thousands: bool = False, *, multipliers: bool = False
) -> float:
    """French number writing first; `dots_group_thousands` reads "12.500" as twelve thousand
    five hundred (for euros and whole numbers, where three decimals make no sense). In English,
    strict English writing comes first, so "12,500" (how the form shows twelve thousand five
    hundred back to an English reader) stays 12500, while "12,5" still reads as 12.5.

    With `multipliers` (amounts), a "k" or "M" suffix multiplies: before it, a single comma or
    dot is a decimal mark in every language ("1,565 M€" is 1 565 000 €: nobody means
    1 565 million for an association)."""
    factor = 1
    original = text
    suffixed = _MULTIPLIER.match(text.strip())
    if suffixed:
        if not multipliers:
            raise AnswerError(
                _(
                    "« %(text)s » : les suffixes k et M ne s'emploient que pour les "
                    "montants en euros."
                )
                % {"text": printable(text[:40])}
            )
        factor = next(
            _MULTIPLIERS[name]
            for name, hit in suffixed.groupdict().items()
            if hit and name != "number"
        )
        text = suffixed.group("number")
        dots_group_thousands = False
    cleaned = _UNIT_MARKS.sub("", text.strip()).strip()
    cleaned = _LEADING_EURO.sub("", cleaned)
    cleaned = _SPACES.sub("\u202f", cleaned)
    if not cleaned:
        raise AnswerError(_("Saisissez un nombre."))
    if not _PLAIN_NUMBER.fullmatch(cleaned):
        raise _not_a_number(original)
    if dots_group_thousands and _DOT_THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    attempts = [("fr_FR", False), ("de_DE", False), ("en_US", False)]
    if current_language() == "en" and factor == 1:
        attempts.insert(0, ("en_GB", True))
    for locale, strict in attempts:
        try:
            number = parse_decimal(cleaned, locale=locale, strict=strict)
            break
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
    else:
        raise _not_a_number(original)
    if (
        not isinstance(number, Decimal)
        or not number.is_finite()
        or not math.isfinite(float(number))
    ):
        raise AnswerError(_("Saisissez un nombre fini."))
    # Multiply as decimals: 1.565 × 1 000 000 is exactly 1 565 000, not 1 565 000.0000000002.
    return float(number * factor)


def _not_a_number(text: str) -> AnswerError:
    return NotANumber(
        _("« %(text)s » n'est pas un nombre (exemple : 12 500 ou 12,5).")
        % {"text": printable(text[:40])}
    )


def _not_an_amount(text: str) -> AnswerError:
    return AnswerError(
        _("« %(text)s » n'est pas un montant (exemples : 12 500, 230 k€ ou 1,5 M€).")
        % {"text": printable(text[:40])}
    )


def _number(question: Question, raw: Any) -> float | int:
    if isinstance(raw, bool):
        raise AnswerError(_("Saisissez un nombre, pas vrai/faux."))
    if isinstance(raw, int | float):
        try:
            number = float(raw)
        except OverflowError:  # an integer beyond any float: sort it out with the bounds below
            number = sys.float_info.max if raw > 0 else -sys.float_info.max
    elif isinstance(raw, str):
        amount = question.type == "amount"
        try:
            number = parse_number(
                raw, dots_group_thousands=question.type in ("amount", "integer"), multipliers=amount
            )
        except NotANumber as error:
            # An amount's message shows the k€ / M€ writing too, so the user learns it exists.
            if amount:
                raise _not_an_amount(raw) from error
            raise
    else:
        raise AnswerError(_("Saisissez un nombre."))
    if not math.isfinite(number):
        raise AnswerError(_("Saisissez un nombre fini."))
    if number < question.lower_bound:
        if question.lower_bound == 0:
            raise AnswerError(_("La valeur ne peut pas être négative."))
        raise AnswerError(
            _("La valeur doit être au moins %(min)s.")
            % {"min": format_number(question.lower_bound, digits=2)}
        )
    if number > question.upper_bound:
        raise AnswerError(
            _("La valeur ne peut pas dépasser %(max)s.")
            % {"max": format_number(question.upper_bound, digits=0)}
        )
    if question.type == "integer":
        if number != int(number):
            raise AnswerError(_("Saisissez un nombre entier."))
        return int(number)
    return round(number, 2)


def clean_text(raw: Any, max_length: int, *, single_line: bool = False) -> str:
    """Free text as stored: control characters dropped, trimmed, within `max_length`."""
    if not isinstance(raw, str):
        raise AnswerError(_("Saisissez un texte."))
    if _SURROGATES.search(raw):
        raise AnswerError(_("Le texte contient des caractères invalides."))
    text = _CONTROL.sub("", raw).strip()
    if single_line:
        text = _SPACES.sub(" ", text)
    if len(text) > max_length:
        raise AnswerError(
            _("Le texte dépasse %(max)s caractères (%(count)s saisis).")
            % {
                "max": format_number(max_length, digits=0),
                "count": format_number(len(text), digits=0),
            }
        )
    return text


def _text(question: Question, raw: Any) -> str:
    return clean_text(raw, question.text_max_length, single_line=question.type == "short_text")


def _choice(questionnaire: Questionnaire, question: Question, raw: Any) -> str:
    option_ids = [o.id for o in questionnaire.options(question)]
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise AnswerError(_("Choisissez une des réponses proposées."))
    value = str(raw)
    if value not in option_ids:
        raise AnswerError(_("Choisissez une des réponses proposées."))
    return value


def _choices(questionnaire: Questionnaire, question: Question, raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise AnswerError(_("Choisissez une ou plusieurs réponses proposées."))
    options = {o.id: o for o in questionnaire.options(question)}
    picked: list[str] = []
    for item in raw:
        if not isinstance(item, str) or item not in options:
            raise AnswerError(_("Choisissez parmi les réponses proposées."))
        if item not in picked:
            picked.append(item)
    exclusive = [item for item in picked if options[item].exclusive]
    if exclusive and len(picked) > 1:
        label = options[exclusive[0]].label.get(current_language())
        raise AnswerError(
            _("« %(option)s » ne se combine pas avec d'autres réponses.") % {"option": label}
        )
    order = list(options)
    return sorted(picked, key=order.index)


def validate_answer(questionnaire: Questionnaire, question_id: str, raw: Any) -> Any:
    """The value to store, or EMPTY when the answer is cleared. Raises AnswerError."""
    question = questionnaire.questions.get(question_id)
    if question is None:
        raise AnswerError(_("Question inconnue."))
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return EMPTY
    match question.type:
        case "amount" | "percentage" | "integer" | "decimal":
            return _number(question, raw)
        case "short_text" | "long_text":
            text = _text(question, raw)
            return text if text else EMPTY
        case "single_choice" | "likert":
            return _choice(questionnaire, question, raw)
        case "multiple_choice":
            return _choices(questionnaire, question, raw)
    raise AnswerError(_("Type de question non géré."))  # pragma: no cover - schema forbids it


def validate_answers(
    questionnaire: Questionnaire, raw_answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Split a batch into valid values (EMPTY for clears) and errors keyed by question id."""
    valid: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question_id, raw in raw_answers.items():
        try:
            valid[question_id] = validate_answer(questionnaire, question_id, raw)
        except AnswerError as error:
            errors[printable(question_id)] = str(error)
    return valid, errors
