"""A small but complete questionnaire as YAML text, for loader tests that break it on purpose."""

MINI_YAML = """\
id: mini
version: "1"
title: Mini
roles:
  association_name: nom
  resource_unit: unite
choice_lists:
  oui_non:
    - {id: oui, label: Oui}
    - {id: non, label: Non}
sources:
  - {id: dons, label: Dons, brought_by: private, in_exchange: false}
  - {id: ventes, label: Ventes, brought_by: private, in_exchange: true}
  - {id: subventions, label: Subventions, brought_by: public, in_exchange: false}
models:
  - id: genereux
    number: 1
    name: Générosité
    description: Des dons.
    typical_sectors: Solidarité
    example: Exemple
    prototype: {dons: 0.8, ventes: 0.1, subventions: 0.1}
  - id: marchand
    number: 2
    name: Vente
    description: Des ventes.
    typical_sectors: Culture
    example: Exemple
    prototype: {dons: 0.1, ventes: 0.8, subventions: 0.1}
  - id: public
    number: 3
    name: Public
    description: Des subventions.
    typical_sectors: Social
    example: Exemple
    prototype: {dons: 0.1, ventes: 0.1, subventions: 0.8}
levers:
  - id: rh
    label: Richesses humaines
    subdimensions:
      - {id: benevoles, label: Bénévoles}
sections:
  - id: projet
    title: Projet
    questions:
      - {id: nom, type: short_text, label: Nom, required: true}
      - id: unite
        type: single_choice
        label: Unité
        choices:
          - {id: euros, label: Euros}
          - {id: percent, label: Pourcentages}
      - {id: r_dons, type: amount, label: Dons, source: dons}
      - {id: r_ventes, type: amount, label: Ventes, source: ventes}
      - {id: r_subventions, type: amount, label: Subventions, source: subventions}
      - id: benevoles
        type: single_choice
        label: Des bénévoles ?
        choices: oui_non
        scoring: {lever: rh, subdimension: benevoles, points: {oui: 2, non: 0}}
      - id: combien
        type: integer
        label: Combien ?
        show_if: {question: benevoles, op: eq, value: oui}
cards:
  - id: dons
    title: Développer les dons
    kind: increase_resources
    lever: rh
    what: Quoi
    why: Pourquoi
    skills: [Collecte]
    risks: [Dépendance]
    help: [DLA]
    when: {indicator: largest_source_share, op: gt, value: 0.5}
"""
