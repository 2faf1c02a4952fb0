"""Reading posted forms."""

from __future__ import annotations

from starlette.datastructures import FormData


def form_text(form: FormData, name: str) -> str:
    """A text field as sent, or "" when absent or not text (a file upload)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""
