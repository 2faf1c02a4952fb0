"""Sharing back: a participant's group page and take-away PDF (app/routes/sharing.py). Only
members see their workshop's group; others appear as they chose; no group figure under three."""

from __future__ import annotations

import re

from tests.utils.answers import full_answers
from tests.utils.pdf import pdf_text
from tests.utils.workshops import answer, join


def group_link(client, token) -> str:
    home = client.get(f"/d/{token}")
    return re.search(rf'href="[^"]*?(/d/{token}/ateliers/\d+/groupe)"', home.text).group(1)


def add_plan(client, token, card, owner):
    items = [{"card": card, "first_step": "Écrire au maire", "owner": owner, "due": "2027-01-15"}]
    assert client.put(f"/api/diagnostics/{token}/plan", json={"items": items}).status_code == 200


def test_group_page_hides_figures_under_three_and_names_only_the_named(
    client, workshop, questionnaire
):
    named, named_token = workshop["named"]
    anonymous, anonymous_token = workshop["anonymous"]
    card = questionnaire.definition.cards[0].id
    add_plan(named, named_token, card, "Claire Dupont")
    add_plan(anonymous, anonymous_token, card, "Bernard Secret")

    page = named.get(group_link(named, named_token))
    assert page.status_code == 200
    assert "Participant n° 2" in page.text and "Association Secrète" not in page.text
    assert "Bernard Secret" not in page.text  # an anonymous participant's owner stays private
    assert "Claire Dupont" in page.text  # one's own pistes in full
    assert "15 janvier 2027" in page.text
    assert "moins de 3 participants" in page.text
    assert "Les leviers du groupe" not in page.text and "<svg" not in page.text

    # The anonymous participant sees the named one's name, never their own in the list.
    other = anonymous.get(group_link(anonymous, anonymous_token))
    assert "Les Jardins Partagés" in other.text and "Vous (n° 2)" in other.text


def test_group_figures_appear_from_three_participants(client, workshop, browser, questionnaire):
    third = browser()
    token = join(third, workshop["code"], "anonymous")
    answer(third, token, full_answers(questionnaire, name="Troisième Asso"))
    page = third.get(group_link(third, token))
    assert "Les leviers du groupe" in page.text and "moins de 3" not in page.text
    assert "Troisième Asso" not in page.text and "Association Secrète" not in page.text


def test_only_members_reach_a_group_page_and_its_pdf(client, workshop, browser, questionnaire):
    named, named_token = workshop["named"]
    anonymous, anonymous_token = workshop["anonymous"]
    link = group_link(named, named_token)
    participant_id = link.rsplit("/", 2)[1]
    # The member: page and PDF.
    assert named.get(link).status_code == 200
    pdf = named.get(f"/d/{named_token}/ateliers/{participant_id}/bilan.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Bilan de l'atelier" in text and "Participant n° 2" in text
    assert "Association Secrète" not in text
    # Another participant's membership through one's own token, an outsider's diagnostic, the
    # counsellor, a guessed id: nothing.
    assert (
        anonymous.get(f"/d/{anonymous_token}/ateliers/{participant_id}/groupe").status_code == 404
    )
    assert (
        client.get(f"/d/{anonymous_token}/ateliers/{participant_id}/bilan.pdf").status_code == 404
    )
    # A newcomer's diagnostic cannot borrow an earlier member's participation.
    outsider = browser()
    outsider_token = join(outsider, workshop["code"], "named")
    assert outsider.get(f"/d/{outsider_token}/ateliers/{participant_id}/groupe").status_code == 404
    assert named.get(f"/d/{named_token}/ateliers/999999/groupe").status_code == 404
    assert named.get(f"/d/{named_token}/ateliers/abc/groupe").status_code == 404
    assert named.get(f"/d/inconnu/ateliers/{participant_id}/groupe").status_code == 404
    # After leaving, the page is gone too.
    named.post(f"/d/{named_token}/ateliers/{participant_id}/quitter")
    assert named.get(link).status_code == 404


def test_group_page_and_takeaway_in_english(client, workshop):
    named, named_token = workshop["named"]
    link = group_link(named, named_token)
    named.post("/langue", data={"lang": "en", "next": "/"})
    page = named.get(link)
    assert "Your chosen pistes" in page.text and "Participant no. 2" in page.text
    assert "fewer than 3 participants" in page.text
    for french in ("Vos pistes choisies", "Le groupe", "Télécharger"):
        assert french not in page.text
    pdf = named.get(link.replace("/groupe", "/bilan.pdf"))
    assert "Take-away from the workshop" in pdf_text(pdf.content)


def test_a_weak_spot_scored_by_fewer_than_three_stays_off_the_group_page():
    from app.workshops.group import GroupSummary, WeakSpot
    from app.workshops.sharing import SharedGroup

    spots = [
        WeakSpot(lever_label="L", label="shared", mean=30, weak=2, scored=4),
        WeakSpot(lever_label="L", label="one association's", mean=10, weak=1, scored=2),
    ]
    summary = GroupSummary(members=[], levers=[], dominant_counts=[], weak_spots=spots)
    group = SharedGroup(
        size=4,
        show_figures=True,
        summary=summary,
        peers=[],
        own_number=1,
        own_pistes=[],
        round={},
        map_svg=None,
    )
    assert [spot.label for spot in group.weak_spots] == ["shared"]
