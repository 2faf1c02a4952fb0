"""Regression tests for the review of the round, follow-up and join work: frozen suggestions,
a co-counsellor keeping a follow-up link, joins racing a closing workshop, typed text kept on
a validation error, and the before/after table's wording."""

from __future__ import annotations

import re

from tests.utils.workshops import membership_id

FROZEN = "Les résultats de cet atelier sont figés"


def suggestion_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r"/tour/suggestions/(\d+)/supprimer", page)]


def freeze(client, workshop_id) -> None:
    assert client.post(f"/ateliers/{workshop_id}/figer").status_code == 200


def test_suggestions_cannot_be_edited_or_taken_back_once_frozen(client, workshop):
    wid = workshop["id"]
    base = f"/ateliers/{wid}/participants/1"
    assert client.post(f"{base}/tour", data={"open": "1", "confirm": "1"}).status_code == 200
    client.post(f"{base}/tour/suggestions", data={"text": "Mutualiser un poste"})
    other, other_token = workshop["anonymous"]
    phone = f"/d/{other_token}/ateliers/{membership_id(other, other_token)}/tour"
    assert other.post(f"{phone}/suggestions", data={"text": "Demander au réseau"}).status_code in (
        200,
        303,
    )
    counsellors, own = suggestion_ids(client.get(f"{base}/tour").text)
    assert suggestion_ids(other.get(phone).text) == [own]
    freeze(client, wid)

    edited = client.post(f"{base}/tour/suggestions/{counsellors}/modifier", data={"text": "x"})
    deleted = client.post(f"{base}/tour/suggestions/{counsellors}/supprimer")
    taken_back = other.post(f"{phone}/suggestions/{own}/supprimer")
    for refused in (edited, deleted, taken_back):
        assert refused.status_code == 409 and FROZEN in refused.text
    page = client.get(f"{base}/tour").text
    assert "Mutualiser un poste" in page and "Demander au réseau" in page
