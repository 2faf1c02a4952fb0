"""Join codes: short, read aloud and typed from a projected screen, so the alphabet leaves out
characters that look or sound alike (0/O, 1/I/L)."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6  # 31**6 ≈ 887 million codes; guessing is also rate-limited
_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "L": "I"})


def new_join_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(typed: str) -> str:
    """What a participant typed, as stored: upper case, without spaces or dashes. Confusable
    characters are mapped the same way for every code, so a typo never matches another code
    (those characters are never issued)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum()).translate(_CONFUSABLE)[:16]


def display_code(code: str) -> str:
    """Grouped by three for reading aloud: K7M-Q2X."""
    return f"{code[:3]}-{code[3:]}" if len(code) == LENGTH else code
