"""The DLA's exports: a CSV read back as a spreadsheet would (French headers and labels,
percentages, decimal commas), the workshop's data JSON with each participant's `round`, the
synthesis PDF's chosen pistes, and anonymity throughout."""

from __future__ import annotations

import csv
import io
import json

from tests.utils.pdf import pdf_text
from tests.utils.workshops import plan_for


def with_plans(workshop, questionnaire):
    card = questionnaire.definition.cards[0]
    named, named_token = workshop["named"]
    anonymous, anonymous_token = workshop["anonymous"]
    plan_for(
        named,
        named_token,
        [
            {
                "card": card.id,
                "first_step": "Appeler la mairie",
                "owner": "Claire Dupont",
                "due": "2027-02-01",
            }
        ],
    )
    plan_for(
        anonymous,
        anonymous_token,
        [
            {
                "card": card.id,
                "first_step": "Voir Bernard Secret",
                "owner": "Bernard Secret",
                "due": "2027-03-15",
            },
            {"title": "Fusion avec Association Secrète bis", "owner": "Bernard Secret"},
        ],
    )
    return card


def read_csv(response, delimiter=";"):
    text = response.content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    return text, [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_reads_back_with_french_headers_labels_and_percentages(client, workshop, questionnaire):
    card = with_plans(workshop, questionnaire)
    text, rows = read_csv(client.get(f"/ateliers/{workshop['id']}/resultats.csv"))
    named, anonymous = rows
    lang = "fr"
    models = {m.name.get(lang) for m in questionnaire.models}
    assert named["Association"] == "Les Jardins Partagés" and named["Partage"] == "nommé"
    assert named["Modèle dominant"] in models  # a name, not an id
    secteurs = questionnaire.options(questionnaire.questions["secteur"])
    assert named["Secteur"] in {o.label.get(lang) for o in secteurs}
    assert named["Tranche de budget"] and named["Employeur"] in ("oui", "non")
    assert named["Résultat partiel"] in ("oui", "non")
    # Weights are percentages with a decimal comma that add up to 100.
    weights = [
        float(named[f"Poids {m.name.get(lang)} (%)"].replace(",", ".") or 0)
        for m in questionnaire.models
    ]
    assert abs(sum(weights) - 100) < 0.5 and max(weights) > 1
    assert any("," in named[f"Poids {m.name.get(lang)} (%)"] for m in questionnaire.models)
    lever = questionnaire.definition.levers[0]
    sub = lever.subdimensions[0]
    assert f"Sous-score {lever.label.get(lang)} : {sub.label.get(lang)}" in named
    assert "Diversification des ressources (%)" in named
    # Chosen pistes: all of it for the named one, catalogue card and date only when anonymous.
    assert card.title.get(lang) in named["Pistes choisies"]
    assert "Claire Dupont" in named["Pistes choisies"]
    assert "échéance : 01/02/2027" in named["Pistes choisies"]
    assert anonymous["Association"] == "Participant n° 2"
    assert card.title.get(lang) in anonymous["Pistes choisies"]
    assert "piste propre" in anonymous["Pistes choisies"]
    for secret in ("Association Secrète", "Bernard Secret"):
        assert secret not in text


def test_csv_in_english_when_the_ui_is(client, workshop, questionnaire):
    with_plans(workshop, questionnaire)
    client.post("/langue", data={"lang": "en", "next": "/ateliers"})
    text, rows = read_csv(client.get(f"/ateliers/{workshop['id']}/resultats.csv"), ",")
    assert rows[0]["Sharing"] == "named" and rows[1]["Sharing"] == "anonymous"
    assert rows[0]["Dominant model"] in {m.name.get("en") for m in questionnaire.models}
    assert "Chosen pistes" in rows[0] and rows[0]["Employer"] in ("yes", "no")


def test_workshop_data_json_carries_each_round_and_hides_the_anonymous(
    client, workshop, questionnaire
):
    card = with_plans(workshop, questionnaire)
    response = client.get(f"/ateliers/{workshop['id']}/donnees.json")
    exported = response.json()
    assert exported["workshop"]["frozen_at"] is None
    rows = {row["number"]: row for row in exported["workshop"]["participants"]}
    named, anonymous = rows[1], rows[2]
    assert set(named["round"]) == {"problem", "suggestions", "chosen", "pitch_feedback"}
    assert named["round"]["problem"] is None and named["round"]["suggestions"] == []
    assert named["frozen_at"] is None
    assert named["round"]["chosen"] == [
        {
            "card": card.id,
            "title": card.title.get("fr"),
            "first_step": "Appeler la mairie",
            "owner": "Claire Dupont",
            "due": "2027-02-01",
            "help": "",
            "status": "todo",
        }
    ]
    assert named["sector"] and named["budget_band"] and "diversification" in named["indicators"]
    assert set(named["subscores"]) == set(named["levers"])
    first, own = anonymous["round"]["chosen"]
    assert first == {
        "card": card.id,
        "title": card.title.get("fr"),
        "first_step": None,
        "owner": None,
        "due": "2027-03-15",
        "help": None,
    }
    assert own["title"] is None and own["owner"] is None
    assert anonymous["association"] is None
    text = json.dumps(exported, ensure_ascii=False)
    for secret in ("Association Secrète", "Bernard Secret"):
        assert secret not in text


def test_synthesis_lists_the_chosen_pistes_as_shared(client, workshop, questionnaire):
    card = with_plans(workshop, questionnaire)
    text = pdf_text(client.get(f"/ateliers/{workshop['id']}/synthese.pdf").content)
    assert "Les pistes choisies" in text and "Appeler la mairie" in text
    assert "Claire Dupont" in text and "Piste propre (non partagée)" in text
    assert card.title.get("fr")[:20] in text
    for secret in ("Association Secrète", "Bernard Secret"):
        assert secret not in text
