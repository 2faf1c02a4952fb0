"""Database ids in paths: `{workshop_id:dbid}` matches 1 to 12 ASCII digits and hands the route
an int. Anything else (letters, signs, other scripts' digits, 13 digits and more) matches no
route: the 404 every unknown address gets, never a 422 or an overflow in the database."""

from __future__ import annotations

import re

from starlette.convertors import Convertor, register_url_convertor


class DatabaseIdConvertor(Convertor[int]):
    regex = "[0-9]{1,12}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int | str) -> str:
        number = int(value)
        if number < 0:
            raise ValueError("a database id is not negative")
        return str(number)


def register() -> None:
    """Called before any route module is imported (app/routes/__init__.py): a route's pattern
    is compiled when the route is declared."""
    register_url_convertor("dbid", DatabaseIdConvertor())


def id_from_text(raw: str) -> int | None:
    """The same rule for an id typed or posted in a form field (not in the path): an int, or
    None for anything the path convertor would not match."""
    if re.fullmatch(DatabaseIdConvertor.regex, raw, flags=re.ASCII) is None:
        return None
    return int(raw)
