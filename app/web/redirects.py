"""Where to send a reader next: a path on this site only (no open redirect), of a sane length."""

from __future__ import annotations

# Longer than any path of the app with its query; a longer "next" is not one of ours.
MAX_TARGET = 2048


def safe_next(target: str, fallback: str = "/ateliers") -> str:
    """Where to go next (after signing in, after switching language)."""
    if (
        len(target) <= MAX_TARGET
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return fallback
