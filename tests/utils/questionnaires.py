"""A copy of the shipped questionnaire, edited the way an expert would between versions."""

from __future__ import annotations

import shutil

from app.config import PROJECT_ROOT

REMOVED_QUESTION = "projet_specificite"


def edited_questionnaire(tmp_path):
    """A copy of the questionnaire at version 2026.2, without the 'what makes you unique'
    question, and with the vocation question reworded."""
    target = tmp_path / "questionnaires-v2"
    shutil.copytree(PROJECT_ROOT / "questionnaires", target)
    path = target / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', 'version: "2026.2"', 1)
    start = text.index(f"      - id: {REMOVED_QUESTION}\n")
    end = text.index("      - id: ", start + 1)
    text = text[:start] + text[end:]
    # The pitch sheet's role lists it too: an expert removing it edits both places.
    text = text.replace(f", {REMOVED_QUESTION}]", "]")
    path.write_text(text, encoding="utf-8")
    assert REMOVED_QUESTION not in text
    return target
