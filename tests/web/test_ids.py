"""Database ids in paths (`{…:dbid}`, app/web/ids.py): only 1 to 12 ASCII digits reach a
route, as an int; anything else is an unknown address (404), never a 422 or a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from app.web.ids import DatabaseIdConvertor


@pytest.mark.parametrize(
    "segment", ["abc", "-1", "+1", "1.0", "١٢", "１２", "1" * 13, "0x1", "%31%00"]
)
def test_anything_but_a_short_ascii_number_is_an_unknown_address(client, segment):
    visitor = TestClient(client.app, follow_redirects=False)
    response = visitor.get(f"/ateliers/{segment}")
    assert response.status_code == 404, (segment, response.status_code)
    assert "Page introuvable" in response.text


def test_a_well_formed_id_reaches_the_route_which_asks_to_sign_in(client):
    visitor = TestClient(client.app, follow_redirects=False)
    response = visitor.get(f"/ateliers/{'9' * 12}")
    assert response.status_code == 303
    assert "/compte/connexion" in response.headers["location"]


def test_the_convertor_writes_ints_and_digit_strings_back():
    convertor = DatabaseIdConvertor()
    assert convertor.convert("0042") == 42
    assert convertor.to_string(42) == "42" and convertor.to_string("7") == "7"
    with pytest.raises(ValueError):
        convertor.to_string(-3)
