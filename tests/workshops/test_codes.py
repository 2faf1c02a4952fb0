"""Join codes (app/workshops/codes.py): an unambiguous alphabet, and typing forgiven."""

from __future__ import annotations

from app.workshops.codes import ALPHABET, display_code, new_join_code, normalise_code


def test_join_codes_use_an_unambiguous_alphabet_and_forgive_typing():
    codes = {new_join_code() for _ in range(200)}
    assert all(len(code) == 6 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("01OIL") & set(ALPHABET)
    assert len(codes) > 190
    assert normalise_code(" k7m-q2x ") == "K7MQ2X"
    assert display_code("K7MQ2X") == "K7M-Q2X"
    # A zero typed for an O, a one or an L for an I never matches a code (never issued).
    assert normalise_code("0l1") == "OII"
