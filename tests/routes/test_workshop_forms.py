"""The workshop form over HTTP: errors name the field and keep the input, dates outside
2000-2100 and control characters are refused or dropped, and no input gets a server error."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.clients import csrf_ready
from tests.utils.workshops import PASSWORD, sign_up


def test_workshop_form_errors_name_the_field_and_keep_the_input(client):
    sign_up(client)
    response = client.post(
        "/ateliers", data={"title": "  ", "held_on": "31/02/2026", "place": "Lyon", "notes": "n"}
    )
    assert response.status_code == 422
    assert "Donnez un titre" in response.text and "Date invalide" in response.text
    assert 'value="Lyon"' in response.text
    assert client.get("/ateliers").text.count("/ateliers/") <= 2  # nothing was created


@pytest.mark.parametrize("typed", ["31/12/9999", "9999-12-31", "01/01/1999", "0001-01-01"])
def test_a_workshop_date_outside_2000_2100_is_refused(client, typed):
    """A year-9999 date once broke the retention purge (OverflowError): refused by the form."""
    sign_up(client)
    response = client.post("/ateliers", data={"title": "Atelier", "held_on": typed})
    assert response.status_code == 422
    assert "Date hors limites : choisissez une date entre 2000 et 2100." in response.text
    assert f'value="{typed}"' in response.text
    edge = client.post("/ateliers", data={"title": "Atelier", "held_on": "31/12/2100"})
    assert edge.status_code == 200 and "31 décembre 2100" in edge.text
    # Digits of another script are not read as a date either.
    arabic = client.post("/ateliers", data={"title": "Atelier", "held_on": "٢٣/١١/٢٠٢٦"})
    assert arabic.status_code == 422 and "Date invalide" in arabic.text


def test_control_characters_never_reach_the_database_and_errors_name_the_field(client):
    sign_up(client)
    # Control characters are dropped from free text (PostgreSQL refuses NUL in text).
    response = client.post("/ateliers", data={"title": "Atelier\x00X", "place": "Lyon"})
    assert response.status_code == 200 and "AtelierX" in response.text
    notes = client.post("/ateliers", data={"title": "A", "notes": "x" * 4001})
    # The limit is written the French way ("4 000", with a narrow no-break space).
    assert notes.status_code == 422
    assert re.search(r"Les notes : le texte dépasse 4\s?000 caractères", notes.text)
    visitor = csrf_ready(TestClient(client.app))
    login = visitor.post("/compte/connexion", data={"email": "a\x00@b.fr", "password": PASSWORD})
    assert login.status_code == 401
    signup = visitor.post(
        "/compte/inscription",
        data={"email": "a\x00@b.fr", "name": "A\x00B", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert signup.status_code == 422 and 'id="f-email-error"' in signup.text


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.slow
def test_any_workshop_form_input_gets_a_page_never_a_server_error(client, workshop, data):
    """Odd text (control characters, lone surrogates, huge or empty values) in every workshop
    form: a page with a message or a redirect, never a 500, and nothing already saved lost."""
    text = st.text(max_size=300) | st.sampled_from(["\x00", "x" * 5000, "31/02/2026", "０"])
    fields = st.dictionaries(
        st.sampled_from(
            [
                "title",
                "held_on",
                "place",
                "notes",
                "code",
                "diagnostic",
                "resume_link",
                "sharing",
                "partner_request",
                "email",
                "name",
                "password",
                "confirm",
                "open",
            ]
        ),
        text,
        max_size=6,
    )
    named, token = workshop["named"]
    base = f"/ateliers/{workshop['id']}"
    target = data.draw(
        st.sampled_from(
            [
                (client, "/ateliers"),
                (client, f"{base}/modifier"),
                (client, f"{base}/ouverture"),
                (client, "/compte/mot-de-passe"),
                (csrf_ready(TestClient(client.app)), "/compte/connexion"),
                (csrf_ready(TestClient(client.app)), "/compte/inscription"),
                (csrf_ready(TestClient(client.app)), "/rejoindre"),
                (
                    csrf_ready(TestClient(client.app)),
                    f"/rejoindre/{workshop['code'].replace('-', '')}",
                ),
                (named, f"/d/{token}/fiche"),
            ]
        )
    )
    visitor, path = target
    response = visitor.post(path, data=data.draw(fields), follow_redirects=False)
    assert response.status_code < 500, response.text
    # Bytes that are not UTF-8 (a lone surrogate's encoding, a stray 0xFF) in the same fields.
    garbage = b"title=%ED%A0%80&code=%FF&email=%FF&partner_request=%ED%A0%80&sharing=%FF"
    response = visitor.post(
        path,
        content=garbage,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code < 500, response.text
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/tableau").text.count('class="map-point"') == 2
