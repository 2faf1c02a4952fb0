"""Answer validation: French number writing, bounds, choices, and messages naming the problem."""

from __future__ import annotations

import pytest

from app.questionnaire import originals
from app.questionnaire.answers import EMPTY, AnswerError, parse_number, validate_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 500", 12500),
        ("12\u202f500", 12500),
        ("12\u00a0500 €", 12500),
        ("12,5", 12.5),
        ("12 500,50 €", 12500.5),
        ("12.5", 12.5),
        ("1.234,5", 1234.5),
        ("35 %", 35),
        ("1000 euros", 1000),
    ],
)
def test_french_number_writing_is_understood(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["douze", "12abc", "€", "1e400", "nan", "inf"])
def test_non_numbers_are_refused(text):
    with pytest.raises(AnswerError):
        parse_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "1_000",
        "1_000 €",
        "\u0661\u0660\u0660\u0660",
        "\u06f1\u06f2",
        "\uff11\uff12",
        "1e5",
        "1.5E3",
    ],
)
def test_only_ascii_digits_make_a_number(text):
    """Python's Decimal reads `1_000`, Arabic-Indic or full-width digits and exponents, which
    nobody types in a form by intent: refused like any other non-number, with its message."""
    with pytest.raises(AnswerError, match="n'est pas un nombre"):
        parse_number(text)


def amount_question(questionnaire):
    return next(q.id for q in questionnaire.questions.values() if q.type == "amount")


def test_amounts_refuse_negative_non_finite_and_absurd_values(questionnaire):
    question_id = amount_question(questionnaire)
    for bad in (-1, float("nan"), float("inf"), 1e15, True, {"a": 1}, [1]):
        with pytest.raises(AnswerError):
            validate_answer(questionnaire, question_id, bad)
    assert validate_answer(questionnaire, question_id, "12 500 €") == 12500


def test_percentages_stay_between_0_and_100(questionnaire):
    question_id = next(q.id for q in questionnaire.questions.values() if q.type == "percentage")
    assert validate_answer(questionnaire, question_id, "12,5 %") == 12.5
    with pytest.raises(AnswerError, match="dépasser"):
        validate_answer(questionnaire, question_id, 101)


def test_integers_refuse_fractions(questionnaire):
    question_id = next(
        q.id
        for q in questionnaire.questions.values()
        if q.type == "integer" and (q.min is None or q.min <= 1200)  # not a year
    )
    assert validate_answer(questionnaire, question_id, "1 200") == 1200
    with pytest.raises(AnswerError, match="entier"):
        validate_answer(questionnaire, question_id, 2.5)


def test_choices_must_be_listed_options(questionnaire):
    single = next(q for q in questionnaire.questions.values() if q.type == "single_choice")
    option = questionnaire.options(single)[0].id
    assert validate_answer(questionnaire, single.id, option) == option
    with pytest.raises(AnswerError):
        validate_answer(questionnaire, single.id, "not-an-option")


def test_an_exclusive_option_does_not_combine(questionnaire):
    multiple = next(
        q
        for q in questionnaire.questions.values()
        if q.type == "multiple_choice" and any(o.exclusive for o in questionnaire.options(q))
    )
    options = questionnaire.options(multiple)
    exclusive = next(o.id for o in options if o.exclusive)
    other = next(o.id for o in options if not o.exclusive)
    with pytest.raises(AnswerError, match="ne se combine pas"):
        validate_answer(questionnaire, multiple.id, [exclusive, other])
    assert validate_answer(questionnaire, multiple.id, [other, other]) == [other]


def test_empty_answers_clear_and_text_is_cleaned(questionnaire):
    name = questionnaire.definition.roles.association_name
    assert validate_answer(questionnaire, name, "  ") is EMPTY
    assert validate_answer(questionnaire, name, None) is EMPTY
    assert validate_answer(questionnaire, name, " Les\x00  Amis ") == "Les Amis"
    with pytest.raises(AnswerError, match="dépasse"):
        validate_answer(questionnaire, name, "x" * 10_000)


def test_unknown_questions_are_refused(questionnaire):
    with pytest.raises(AnswerError, match="inconnue"):
        validate_answer(questionnaire, "no_such_question", 1)


def test_an_answer_left_as_the_page_showed_it_is_recognised(questionnaire):
    """The section form's originals: numbers typed with spaces, choices in another order and
    a cleared field compare by value with what the page was drawn from."""
    budget = questionnaire.definition.roles.annual_budget
    shown = originals.encode(12500)
    assert originals.unchanged(shown, validate_answer(questionnaire, budget, "12 500 €"))
    assert not originals.unchanged(shown, validate_answer(questionnaire, budget, "12 501"))
    assert originals.unchanged(originals.encode(None), validate_answer(questionnaire, budget, ""))
    assert not originals.unchanged(originals.encode(12500), EMPTY)
    assert originals.unchanged(originals.encode(["a", "b"]), ["b", "a"])
    assert not originals.unchanged(originals.encode(["a"]), ["a", "b"])
    assert not originals.unchanged(originals.encode("1"), 1)
    # Absent or tampered originals: saved as before.
    assert not originals.unchanged(None, "x")
    assert not originals.unchanged("{not json", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("230 k€", 230_000),
        ("230k€", 230_000),
        ("230 K€", 230_000),
        ("230k", 230_000),
        ("230 K", 230_000),
        ("4 keur", 4_000),
        ("1,5 M€", 1_500_000),
        ("1,5M", 1_500_000),
        ("1,565 M€", 1_565_000),
        ("1.565 M€", 1_565_000),
        ("1 565 k€", 1_565_000),
        ("2 m€", 2_000_000),
        ("3 MEUR", 3_000_000),
    ],
)
def test_amounts_take_thousands_and_millions_suffixes(questionnaire, text, expected):
    """Treasurers write "230 k€" and "1,565 M€"; before a suffix one comma or dot is a decimal
    mark, so "1,565 M€" is 1 565 000 €, never 1 565 million nor 1 565 €."""
    budget = questionnaire.definition.roles.annual_budget
    assert validate_answer(questionnaire, budget, text) == expected


def test_suffixes_read_the_same_in_english(questionnaire):
    from app.i18n import use_language

    budget = questionnaire.definition.roles.annual_budget
    with use_language("en"):
        assert validate_answer(questionnaire, budget, "1,565 M€") == 1_565_000
        assert validate_answer(questionnaire, budget, "12,500") == 12_500


@pytest.mark.parametrize("text", ["2 m", "1,5 Mds", "k€", "M€", "1e3 k€", "1_000 k€", "12 kg"])
def test_ambiguous_or_odd_suffixes_are_refused_with_an_amount_example(questionnaire, text):
    """A lone lowercase "m" (minutes? metres?), billions, a suffix without digits, exponents
    and underscores stay refused; the message shows how to write an amount."""
    budget = questionnaire.definition.roles.annual_budget
    with pytest.raises(AnswerError, match="n'est pas un montant.*230 k€ ou 1,5 M€"):
        validate_answer(questionnaire, budget, text)


def test_suffixes_only_apply_to_amounts(questionnaire):
    members = next(q.id for q in questionnaire.questions.values() if q.type == "integer")
    with pytest.raises(AnswerError, match="que pour les montants en euros"):
        validate_answer(questionnaire, members, "2k")
    share = next(q.id for q in questionnaire.questions.values() if q.type == "percentage")
    with pytest.raises(AnswerError, match="que pour les montants en euros"):
        validate_answer(questionnaire, share, "1 M")


def test_full_time_equivalents_take_decimals(questionnaire):
    """The YAML says which counts may have decimals (type `decimal`): FTEs do, members do not."""
    fte = next(
        q
        for q in questionnaire.questions.values()
        if q.unit and q.unit.fr == "équivalents temps plein"
    )
    assert fte.type == "decimal"
    assert validate_answer(questionnaire, fte.id, "38,5") == 38.5
    assert validate_answer(questionnaire, fte.id, "0.8") == 0.8
    assert validate_answer(questionnaire, fte.id, "12") == 12
    with pytest.raises(AnswerError, match="négative"):
        validate_answer(questionnaire, fte.id, "-1")
    with pytest.raises(AnswerError, match="montants en euros"):
        validate_answer(questionnaire, fte.id, "38,5 k€")
