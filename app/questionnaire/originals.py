"""What a section page showed, carried back by its form, so that a stale page saves only what
its reader changed.

Two tabs on one diagnostic: the second saves an answer, then the first (drawn before, and
submitted without JavaScript) would write back its old value for every field it shows. Each
field therefore travels with the stored value it was drawn from (`shown:<question id>`); the
server saves a field only when the submitted answer differs from that value. A form without
these fields (an older page, a script) saves everything, as before.
"""

from __future__ import annotations

import json
from typing import Any

from app.questionnaire.answers import EMPTY

PREFIX = "shown:"


def field_name(question_id: str) -> str:
    return PREFIX + question_id


def encode(stored: Any) -> str:
    """The stored answer (None when there is none) as the hidden field's value."""
    return json.dumps(stored, ensure_ascii=False, separators=(",", ":"))


def unchanged(shown: Any, validated: Any) -> bool:
    """True when the submitted answer, once validated, is what the page showed: the reader
    left it alone, so it must not overwrite a newer answer saved elsewhere meanwhile."""
    if not isinstance(shown, str):
        return False  # absent (older page, script) or not text: save as before
    try:
        before = json.loads(shown)
    except ValueError:
        return False
    after = None if validated is EMPTY else validated
    if isinstance(before, list) and isinstance(after, list):
        return sorted(map(str, before)) == sorted(map(str, after))
    if isinstance(before, bool) or isinstance(after, bool):
        return before is after
    numbers = isinstance(before, int | float) and isinstance(after, int | float)
    return (numbers or type(before) is type(after)) and before == after
