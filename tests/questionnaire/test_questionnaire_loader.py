"""Loading and validating questionnaire YAML: errors name the file and the line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.questionnaire.loader import QuestionnaireError, load_questionnaire
from tests.utils.mini import MINI_YAML


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(write(tmp_path, text))
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_questionnaire_is_valid_and_of_the_expected_size(questionnaire):
    assert 40 <= len(questionnaire.questions) <= 70
    assert len(questionnaire.models) == 7
    assert {lever.id for lever in questionnaire.definition.levers} == {
        "richesses_humaines",
        "ressources_financieres",
        "alliances_strategiques",
    }
    assert all(q.help for q in questionnaire.questions.values())


def test_every_money_source_has_a_resource_question(questionnaire):
    asked = {q.source for q in questionnaire.resource_questions()}
    assert asked == {s.id for s in questionnaire.sources}


def test_the_mini_questionnaire_loads(tmp_path):
    questionnaire = load_questionnaire(write(tmp_path, MINI_YAML))
    assert questionnaire.id == "mini"
    assert list(questionnaire.questions)[:2] == ["nom", "unite"]


def test_a_yaml_syntax_error_names_file_and_line(tmp_path):
    broken = MINI_YAML.replace("title: Mini", "title: [Mini")
    (problem,) = problems_for(tmp_path, broken)
    assert "q.yaml:" in problem
    assert "invalid YAML" in problem


def test_an_unknown_question_type_names_its_line(tmp_path):
    broken = MINI_YAML.replace("type: integer", "type: integr")
    problems = problems_for(tmp_path, broken)
    expected_line = line_of(broken, "type: integr")
    assert any(f"q.yaml:{expected_line}:" in p and "type" in p for p in problems), problems


def test_a_missing_french_label_is_refused(tmp_path):
    broken = MINI_YAML.replace("label: Combien ?", "label: {en: How many}")
    problems = problems_for(tmp_path, broken)
    assert any("fr" in p and "Field required" in p for p in problems), problems
    assert all(":" in p.split(" ")[0] for p in problems)


def test_an_unknown_source_in_a_resource_question_names_its_line(tmp_path):
    broken = MINI_YAML.replace("source: ventes}", "source: vente}")
    problems = problems_for(tmp_path, broken)
    line = line_of(broken, "source: vente}")
    assert problems == [
        f"{tmp_path / 'q.yaml'}:{line}: sections.0.questions.3.source: "
        "unknown resource source 'vente'"
    ]


def test_show_if_may_not_look_ahead(tmp_path):
    broken = MINI_YAML.replace(
        "{id: nom, type: short_text, label: Nom, required: true}",
        "{id: nom, type: short_text, label: Nom, required: true, "
        "show_if: {question: benevoles, op: answered}}",
    )
    problems = problems_for(tmp_path, broken)
    assert any("not asked before" in p for p in problems), problems


def test_prototypes_must_sum_to_one(tmp_path):
    broken = MINI_YAML.replace(
        "{dons: 0.8, ventes: 0.1, subventions: 0.1}", "{dons: 0.9, ventes: 0.1, subventions: 0.1}"
    )
    problems = problems_for(tmp_path, broken)
    line = line_of(broken, "{dons: 0.9")
    assert any(f":{line}:" in p and "sum to 1" in p for p in problems), problems


def test_prototypes_that_mix_others_are_refused(tmp_path):
    broken = MINI_YAML.replace(
        "{dons: 0.1, ventes: 0.1, subventions: 0.8}", "{dons: 0.45, ventes: 0.45, subventions: 0.1}"
    )
    problems = problems_for(tmp_path, broken)
    assert any("affinely independent" in p for p in problems), problems


def test_a_duplicate_key_is_refused_with_its_line(tmp_path):
    broken = MINI_YAML.replace('version: "1"', 'version: "1"\nversion: "2"')
    (problem,) = problems_for(tmp_path, broken)
    line = line_of(broken, 'version: "2"')
    assert f":{line}:" in problem
    assert "duplicate key 'version'" in problem


def test_card_conditions_are_checked(tmp_path):
    broken = MINI_YAML.replace("indicator: largest_source_share", "indicator: nope")
    problems = problems_for(tmp_path, broken)
    assert any("unknown indicator 'nope'" in p for p in problems), problems


CARD_WHEN = "when: {indicator: largest_source_share, op: gt, value: 0.5}"
SHOW_IF = "show_if: {question: benevoles, op: eq, value: oui}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # A typo in a choice id: the condition could never be true.
        (SHOW_IF, SHOW_IF.replace("oui}", "ouii}"), "'ouii' is not a choice of 'benevoles'"),
        (
            CARD_WHEN,
            "when: {question: benevoles, op: in, value: [oui, souvnt]}",
            "'souvnt' is not a choice of 'benevoles' (choices: oui, non)",
        ),
        (
            CARD_WHEN,
            "when: {not: {question: benevoles, op: contains, value: Oui}}",
            "'Oui' is not a choice of 'benevoles'",
        ),
        # Numbers compared with a choice, or the other way round.
        (
            CARD_WHEN,
            "when: {question: benevoles, op: gte, value: 1}",
            "op 'gte' compares numbers, but 'benevoles' is a choice question",
        ),
        (
            CARD_WHEN,
            "when: {question: nom, op: lt, value: 3}",
            "op 'lt' compares numbers, but 'nom' is a text question",
        ),
        (
            CARD_WHEN,
            "when: {question: combien, op: gt, value: beaucoup}",
            "'combien' is a number question: 'beaucoup' is not a number",
        ),
        (
            CARD_WHEN,
            "when: {question: combien, op: contains, value: 3}",
            "op 'contains' does not apply to the number question 'combien'",
        ),
        (
            CARD_WHEN,
            "when: {indicator: largest_source_share, op: gt, value: moitié}",
            "'largest_source_share' is a number: 'moitié' is not a number",
        ),
    ],
    ids=[
        "show_if-typo",
        "card-in-typo",
        "card-contains-case",
        "number-op-on-choice",
        "number-op-on-text",
        "word-for-number",
        "contains-on-number",
        "word-for-indicator",
    ],
)
def test_condition_values_must_fit_the_question(tmp_path, old, new, message):
    broken = MINI_YAML.replace(old, new)
    assert broken != MINI_YAML
    problems = problems_for(tmp_path, broken)
    assert [p for p in problems if p.startswith(f"{tmp_path / 'q.yaml'}:{line_of(broken, new)}:")]
    assert any(message in p for p in problems), problems


@pytest.mark.slow
def test_a_condition_value_that_is_not_a_choice_stops_validate_and_the_app(tmp_path):
    broken = write(tmp_path, MINI_YAML.replace(SHOW_IF, SHOW_IF.replace("oui}", "ouii}")))
    where = f"{broken}:{line_of(broken.read_text(), 'ouii')}:"
    completed = run_cli("validate", str(broken))
    assert completed.returncode == 1
    assert where in completed.stdout and "'ouii' is not a choice" in completed.stdout

    from app.main import create_app
    from tests.utils.settings import make_settings

    with pytest.raises(QuestionnaireError):
        create_app(make_settings(f"sqlite:///{tmp_path / 'x.sqlite3'}", questionnaire_path=broken))


def test_files_in_a_directory_are_merged_and_clashes_named(tmp_path):
    head, tail = MINI_YAML.split("sections:\n", 1)
    write(tmp_path, head, "a.yaml")
    write(tmp_path, "sections:\n" + tail, "b.yaml")
    assert load_questionnaire(tmp_path).id == "mini"
    write(tmp_path, 'version: "3"\n', "c.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(tmp_path)
    assert "c.yaml:1: key 'version' is already defined at" in caught.value.problems[0]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


@pytest.mark.slow
def test_cli_validate_prints_file_line_errors_and_exits_1(tmp_path):
    broken = write(tmp_path, MINI_YAML.replace("type: integer", "type: integr"))
    completed = run_cli("validate", str(broken))
    assert completed.returncode == 1
    assert f"{broken}:{line_of(broken.read_text(), 'type: integr')}:" in completed.stdout


@pytest.mark.slow
def test_cli_validate_accepts_the_shipped_questionnaire():
    completed = run_cli("validate", "questionnaires")
    assert completed.returncode == 0, completed.stdout
    assert "ok" in completed.stdout


@pytest.mark.slow
def test_cli_schema_publishes_the_json_schema():
    import json

    completed = run_cli("schema")
    schema = json.loads(completed.stdout)
    assert "Question" in schema["$defs"]
    assert "sections" in schema["properties"]


@pytest.mark.slow
def test_the_app_refuses_to_start_on_a_broken_questionnaire(tmp_path):
    broken = write(tmp_path, MINI_YAML.replace("type: integer", "type: integr"))
    expected = f"{broken}:{line_of(broken.read_text(), 'type: integr')}:"
    completed = run_cli(
        "serve",
        QUESTIONNAIRE_PATH=str(broken),
        DATABASE_URL=f"sqlite:///{tmp_path / 'never.sqlite3'}",
        PORT="1",  # never reached: start-up stops before listening
    )
    assert completed.returncode == 1
    assert expected in completed.stderr
    assert "will not start" in completed.stderr

    from app.main import create_app
    from tests.utils.settings import make_settings

    with pytest.raises(QuestionnaireError) as caught:
        create_app(make_settings(f"sqlite:///{tmp_path / 'x.sqlite3'}", questionnaire_path=broken))
    assert any(problem.startswith(expected) for problem in caught.value.problems)
