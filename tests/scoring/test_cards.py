"""The pistes: ranked by their YAML priority rules, at most three featured, each saying which
answers and figures brought it here; every answer the questionnaire asks changes something."""

from __future__ import annotations

import pytest

from app.questionnaire.conditions import ConditionContext
from app.questionnaire.schema import LeverCard
from app.scoring.cards import card_weight
from app.scoring.result import compute_result

SPORTS_CLUB = {  # rural sports club, 51 k€, 4 200 volunteer hours
    "association_nom": "US Campagne",
    "secteur": "sport",
    "territoire": "commune",
    "projet_phase": "maturite",
    "nb_adherents": 180,
    "nb_benevoles": 40,
    "nb_salaries": 1,
    "tranche_budget": "de_50k_a_200k",
    "budget_annuel": 51000,
    "ressources_unite": "euros",
    "ressources_cotisations_abonnement": 18000,
    "ressources_subventions": 4000,
    "ressources_ventes": 13000,
    "ressources_mecenat": 3000,
    "ressources_commande_publique": 0,
    "ressources_dons": 1000,
    "ressources_autres": 0,
    "ressources_cotisations_militantes": 0,
    "benevolat_heures": 4200,
    "charges_annuelles": 50000,
    "tresorerie_disponible": 15000,
    "resultat_habituel": "equilibre",
    "relation_entreprises": "dons_ponctuels",
    "inquietude_principale": "essoufflement_benevoles",
    "part_charges_fixes": 40,
    "conventions_pluriannuelles": "aucun",
    "retards_versements": "rarement",
    "recrutement_benevoles": "plutot_non",
    "fidelisation_benevoles": "moyennement",
}
HOME_CARE_EMPLOYER = {  # home-care employer, 45 employees, public tariffs
    "association_nom": "Aide à domicile du Val",
    "secteur": "services_personne",
    "territoire": "departement",
    "projet_phase": "maturite",
    "nb_benevoles": 12,
    "nb_salaries": 45,
    "etp_salaries": 38,
    "tranche_budget": "de_500k_a_2m",
    "budget_annuel": 1565000,
    "ressources_unite": "euros",
    "ressources_commande_publique": 1200000,
    "ressources_subventions": 90000,
    "ressources_ventes": 250000,
    "ressources_dons": 0,
    "ressources_mecenat": 0,
    "charges_annuelles": 1600000,
    "tresorerie_disponible": 200000,
    "part_masse_salariale": 82,
    "part_charges_fixes": 85,
    "resultat_habituel": "deficit_repete",
    "conventions_pluriannuelles": "minoritaire",
    "inquietude_principale": "recrutement_salaries",
    "relations_collectivites": "regulieres",
    "personne_cle": "plutot_oui",
    "couverture_frais_fonctionnement": "plutot_non",
    "part_premier_financeur": 70,
}
BIKE_WORKSHOP = {  # 100 % volunteer bike workshop, percent mode
    "association_nom": "Atelier vélo",
    "secteur": "environnement",
    "territoire": "quartier",
    "projet_phase": "developpement",
    "nb_adherents": 300,
    "nb_benevoles": 25,
    "nb_salaries": 0,
    "tranche_budget": "de_10k_a_50k",
    "ressources_unite": "percent",
    "ressources_cotisations_abonnement": 60,
    "ressources_ventes": 25,
    "ressources_subventions": 15,
    "benevolat_heures": 3000,
    "inquietude_principale": "tresorerie",
    "resultat_habituel": "variable",
    "besoins_investissement": "important",
    "projet_innovation_sociale": "oui",
    "projet_phase_innovation": "experimentation",
}


def ranked(questionnaire, answers, lang="fr"):
    return compute_result(questionnaire, answers, lang).cards


def ids(cards) -> list[str]:
    return [card.id for card in cards]


def featured(cards) -> list[str]:
    return [card.id for card in cards if card.featured]


def by_id(cards, card_id: str):
    return next(card for card in cards if card.id == card_id)


@pytest.mark.parametrize("answers", [SPORTS_CLUB, HOME_CARE_EMPLOYER, BIKE_WORKSHOP])
def test_cards_are_ranked_with_at_most_three_featured_first(questionnaire, answers):
    cards = ranked(questionnaire, answers)
    assert [card.priority for card in cards] == list(range(1, len(cards) + 1))
    assert [card.weight for card in cards] == sorted((c.weight for c in cards), reverse=True)
    assert 1 <= len(featured(cards)) <= 3
    assert featured(cards) == ids(cards)[: len(featured(cards))]


def test_the_employer_worried_about_its_employees_gets_the_employees_piste_first(questionnaire):
    cards = ranked(questionnaire, HOME_CARE_EMPLOYER)
    assert cards[0].id == "recruter_fideliser_salaries" and cards[0].featured
    refs = [reason["ref"] for reason in cards[0].reasons]
    assert "inquietude_principale" in refs and "nb_salaries" in refs
    # Its tariffs, its public funders and its deficit years running are spoken to as well.
    assert {"cout_revient_tarifs", "convention_pluriannuelle", "deficit_structurel"} <= set(
        ids(cards)
    )
    # Volunteers are not its problem: no volunteer card crowds the featured three.
    assert "mobiliser_benevoles" not in featured(cards)


def test_the_same_employer_worried_about_cash_gets_the_cash_pistes_first(questionnaire):
    cards = ranked(questionnaire, {**HOME_CARE_EMPLOYER, "inquietude_principale": "tresorerie"})
    assert "recruter_fideliser_salaries" not in featured(cards)
    assert {"reconstituer_tresorerie", "deficit_structurel"} <= set(featured(cards))


WORRIES = [
    "baisse_financements_publics",
    "tresorerie",
    "essoufflement_benevoles",
    "recrutement_salaries",
    "mise_en_concurrence",
    "gouvernance",
    "derive_projet",
]


def test_every_main_worry_changes_the_ranking(questionnaire):
    """Each of the seven worries raises at least one piste above where it stands without any
    worry, on the same association (the employer, whose answers open most cards)."""
    calm = {**HOME_CARE_EMPLOYER, "inquietude_principale": "aucune"}
    baseline = {card.id: card.weight for card in ranked(questionnaire, calm)}
    options = {
        o.id for o in questionnaire.options(questionnaire.questions["inquietude_principale"])
    }
    assert set(WORRIES) | {"aucune"} == options
    for worry in WORRIES:
        cards = ranked(questionnaire, {**calm, "inquietude_principale": worry})
        raised = [c.id for c in cards if c.weight > baseline.get(c.id, -1)]
        assert raised, worry
        assert any(
            reason["ref"] == "inquietude_principale"
            for card in cards
            if card.id in raised
            for reason in card.reasons
        ), worry


def test_reasons_name_only_the_conditions_that_held(questionnaire):
    """The cash card holds on late payments alone: its reasons say so, and do not mention a
    cash position that is fine, nor hedge with "or"."""
    answers = {
        **SPORTS_CLUB,
        "tresorerie_disponible": 60_000,  # more than a year
        "retards_versements": "souvent",
        "inquietude_principale": "aucune",
    }
    card = by_id(ranked(questionnaire, answers), "reconstituer_tresorerie")
    refs = [reason["ref"] for reason in card.reasons]
    assert refs[0] == "retards_versements"
    assert "reserve_months" not in refs
    label = questionnaire.option_label(questionnaire.questions["retards_versements"], "souvent")
    assert label in card.reasons[0]["text"]
    assert all(" ou " not in reason["text"].split("»")[-1] for reason in card.reasons)


def test_reasons_quote_figures_and_scores(questionnaire):
    cards = ranked(questionnaire, HOME_CARE_EMPLOYER)
    tariffs = by_id(cards, "cout_revient_tarifs")
    texts = {reason["ref"]: reason["text"] for reason in tariffs.reasons}
    assert "1 200 000" in texts["public_exchange_amount"].replace("\u202f", " ").replace(
        "\xa0", " "
    )
    cpo = by_id(cards, "convention_pluriannuelle")
    score_reason = next(r for r in cpo.reasons if r["ref"] == "ressources_financieres.visibilite")
    assert "/ 100" in score_reason["text"]
    # A size floor decides but is not named.
    assert "monetary_resources" not in texts


def test_reasons_are_in_the_requested_language(questionnaire):
    card = ranked(questionnaire, HOME_CARE_EMPLOYER, "en")[0]
    worry = next(r for r in card.reasons if r["ref"] == "inquietude_principale")
    assert worry["text"] == "“What is your main worry today?”: Hiring or keeping staff"


def test_no_multi_year_agreement_on_a_few_thousand_euros_of_grants(questionnaire):
    assert "convention_pluriannuelle" not in ids(ranked(questionnaire, SPORTS_CLUB))  # 4 k€
    larger = {**SPORTS_CLUB, "ressources_subventions": 30_000}  # 30 k€, over 40 % of money
    assert "convention_pluriannuelle" in ids(ranked(questionnaire, larger))
    # Large in euros but a sliver of a big budget: not worth a multi-year agreement either.
    sliver = {**SPORTS_CLUB, "ressources_subventions": 25_000, "ressources_ventes": 400_000}
    assert "convention_pluriannuelle" not in ids(ranked(questionnaire, sliver))


def test_the_project_phase_moves_the_innovation_pistes(questionnaire):
    testing = ids(ranked(questionnaire, BIKE_WORKSHOP))
    assert "financer_rd_sociale" in testing and "transition_innovation" not in testing
    scaling = ids(
        ranked(questionnaire, {**BIKE_WORKSHOP, "projet_phase_innovation": "changement_echelle"})
    )
    assert "transition_innovation" in scaling and "financer_rd_sociale" not in scaling
    # The life stage of the project weighs too: a young project needing to invest.
    mature = {**BIKE_WORKSHOP, "projet_phase": "maturite"}
    assert (
        by_id(ranked(questionnaire, BIKE_WORKSHOP), "financer_investissement").weight
        > by_id(ranked(questionnaire, mature), "financer_investissement").weight
    )


def test_fixed_costs_and_payroll_weigh_on_the_cash_piste(questionnaire):
    light = {**HOME_CARE_EMPLOYER, "part_charges_fixes": 30, "part_masse_salariale": 40}
    heavy = {**HOME_CARE_EMPLOYER, "part_charges_fixes": 85, "part_masse_salariale": 82}
    weight = {
        name: by_id(ranked(questionnaire, answers), "reconstituer_tresorerie").weight
        for name, answers in (("light", light), ("heavy", heavy))
    }
    assert weight["heavy"] > weight["light"]


def test_the_cash_buffer_aimed_at_depends_on_the_organisation_profile(questionnaire):
    """About six months for an employer, three for an all-volunteer association (low
    structure costs); small and medium employers are the most exposed in the short term."""
    four_months = {
        **SPORTS_CLUB,
        "charges_annuelles": 60_000,
        "tresorerie_disponible": 20_000,
        "retards_versements": "jamais",
        "inquietude_principale": "aucune",
    }
    volunteers = {**four_months, "nb_salaries": 0}
    assert "reconstituer_tresorerie" in ids(ranked(questionnaire, four_months))
    assert "reconstituer_tresorerie" not in ids(ranked(questionnaire, volunteers))
    two_months = {**four_months, "tresorerie_disponible": 10_000}
    small = by_id(
        ranked(questionnaire, {**two_months, "nb_salaries": 8}), "reconstituer_tresorerie"
    )
    large = by_id(
        ranked(questionnaire, {**two_months, "nb_salaries": 80}), "reconstituer_tresorerie"
    )
    assert small.weight > large.weight


def test_a_priority_rule_adds_its_weight_only_when_it_holds(questionnaire):
    card = LeverCard.model_validate(
        {
            "id": "essai",
            "title": "Essai",
            "kind": "alliance",
            "lever": "alliances_strategiques",
            "what": "x",
            "why": "x",
            "skills": ["x"],
            "risks": ["x"],
            "help": ["x"],
            "when": {"question": "secteur", "op": "answered"},
            "priority": 10,
            "priority_rules": [
                {"when": {"question": "secteur", "op": "eq", "value": "sport"}, "add": 25},
                {"when": {"question": "secteur", "op": "eq", "value": "culture"}, "add": 99},
            ],
        }
    )
    assert card_weight(card, ConditionContext({"secteur": "sport"})) == 35
    assert card_weight(card, ConditionContext({"secteur": "insertion"})) == 10


def test_the_api_gives_ranked_cards_with_featured_and_reasons(client):
    token = client.post("/api/diagnostics").json()["token"]
    saved = client.put(f"/api/diagnostics/{token}/answers", json=HOME_CARE_EMPLOYER)
    assert saved.status_code == 200, saved.text
    cards = client.get(f"/api/diagnostics/{token}/result").json()["cards"]
    assert [card["priority"] for card in cards] == list(range(1, len(cards) + 1))
    assert sum(card["featured"] for card in cards) == 3
    assert [card["featured"] for card in cards[:3]] == [True, True, True]
    assert cards[0]["id"] == "recruter_fideliser_salaries"
    for card in cards:
        for reason in card["reasons"]:
            assert set(reason) == {"ref", "text"} and reason["text"]
    assert "inquietude_principale" in [reason["ref"] for reason in cards[0]["reasons"]]


def test_the_openapi_schema_documents_the_card_fields(client):
    models = client.get("/openapi.json").json()["components"]["schemas"]
    card = models["CardOut"]
    assert {"priority", "featured", "reasons"} <= set(card["required"])
    assert card["properties"]["reasons"]["items"]["$ref"].endswith("/CardReasonOut")
    assert set(models["CardReasonOut"]["properties"]) == {"ref", "text"}


def test_fixed_costs_lower_the_cash_score(questionnaire):
    def cash_score(share):
        result = compute_result(questionnaire, {**HOME_CARE_EMPLOYER, "part_charges_fixes": share})
        lever = result.lever("ressources_financieres")
        return next(sub.score for sub in lever.subscores if sub.id == "tresorerie")

    assert cash_score(20) > cash_score(50) > cash_score(85)
