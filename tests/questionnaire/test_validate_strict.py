"""`mse validate --strict`: every question must be used by something, and every condition or
card rule (priority rules included) must test a value and an operator its question can take."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.questionnaire.loader import QuestionnaireError, load_questionnaire
from app.questionnaire.schema import Roles
from app.questionnaire.usage import used_questions
from tests.utils.mini import MINI_YAML


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def strict_problems(path: Path) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, strict=True)
    return caught.value.problems


def shipped_copy(tmp_path: Path) -> Path:
    target = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", target)
    return target


@pytest.mark.slow
def test_the_shipped_questionnaire_passes_strict_validation():
    completed = run_cli("validate", "--strict", "questionnaires")
    assert completed.returncode == 0, completed.stdout
    assert "ok" in completed.stdout


def test_every_shipped_question_has_a_use(questionnaire):
    used = used_questions(questionnaire.definition)
    assert set(questionnaire.questions) <= set(used)
    # The answers that were once asked and ignored now each play a part (beyond a role: the
    # main worry also has one, for the round screen).
    scored = used_questions(questionnaire.definition.model_copy(update={"roles": Roles()}))
    for question_id in (
        "projet_phase",
        "part_masse_salariale",
        "part_charges_fixes",
        "inquietude_principale",
        "nb_benevoles_reguliers",
        "etp_salaries",
    ):
        assert scored[question_id].startswith(("card", "priority rule", "score")), question_id
    assert used["pitch_phrase"] == "role pitch_line"
    assert used["attentes_partenaires"] == "role partners_sought"


@pytest.mark.slow
def test_an_unused_question_fails_strict_validation_with_its_line(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(MINI_YAML, encoding="utf-8")
    load_questionnaire(path)  # not an error without --strict
    completed = run_cli("validate", "--strict", str(path))
    assert completed.returncode == 1
    where = f"{path}:{line_of(MINI_YAML, 'id: combien')}:"
    assert any(
        line.startswith(where) and "'combien' is not used" in line
        for line in completed.stdout.splitlines()
    ), completed.stdout
    # Used by a card's priority rule, it passes.
    used = MINI_YAML + (
        "    priority_rules:\n      - {when: {question: combien, op: gte, value: 10}, add: 5}\n"
    )
    path.write_text(used, encoding="utf-8")
    assert load_questionnaire(path, strict=True).id == "mini"


@pytest.mark.slow
def test_a_broken_condition_value_in_the_shipped_cards_fails_with_file_and_line(tmp_path):
    folder = shipped_copy(tmp_path)
    cards = folder / "cards.yaml"
    text = cards.read_text(encoding="utf-8")
    good = "{question: retards_versements, op: in, value: [souvent, toujours]}"
    assert good in text
    cards.write_text(text.replace(good, good.replace("souvent", "souvnt"), 1), encoding="utf-8")
    completed = run_cli("validate", "--strict", str(folder))
    assert completed.returncode == 1
    where = f"{cards}:{line_of(cards.read_text(encoding='utf-8'), 'souvnt')}:"
    assert where in completed.stdout, completed.stdout
    assert "'souvnt' is not a choice of 'retards_versements'" in completed.stdout


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{when: {question: inquietude_principale, op: eq, value: salaries}, add: 10}",
            "'salaries' is not a choice of 'inquietude_principale'",
        ),
        (
            "{when: {question: part_charges_fixes, op: contains, value: 60}, add: 10}",
            "op 'contains' does not apply to the number question 'part_charges_fixes'",
        ),
        (
            "{when: {question: priorites_3_ans, op: eq, value: investir}, add: 10}",
            "op 'eq' compares one value, but 'priorites_3_ans' is a multiple choice",
        ),
        (
            "{when: {question: projet_phase, op: gte, value: 2}, add: 10}",
            "op 'gte' compares numbers, but 'projet_phase' is a choice question",
        ),
    ],
    ids=["not-a-choice", "contains-on-number", "eq-on-multiple", "number-op-on-choice"],
)
def test_priority_rules_are_checked_like_conditions(tmp_path, rule, message):
    folder = shipped_copy(tmp_path)
    cards = folder / "cards.yaml"
    text = cards.read_text(encoding="utf-8")
    anchor = "      - {when: {question: inquietude_principale, op: eq, value: tresorerie}, add: 50}"
    assert anchor in text
    cards.write_text(text.replace(anchor, f"      - {rule}", 1), encoding="utf-8")
    problems = strict_problems(folder)
    line = line_of(cards.read_text(encoding="utf-8"), rule[:40])
    assert any(p.startswith(f"{cards}:{line}:") and message in p for p in problems), problems
