"""Name, in plain words, the answer or figure behind one test of a card rule ("Pourquoi ici ?").

Each reason is {"ref": question id | indicator id | lever or "lever.subdimension" id | model
id, "text": ...}: the ref lets the API consumer link it, the text says the actual value."""

from __future__ import annotations

from typing import Any

from app.formatting import format_answer, format_indicator, number, percent
from app.i18n import N_, gettext, use_language
from app.questionnaire.conditions import ConditionContext
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Condition

INDICATOR_LABELS = {
    "total_resources": N_("Ressources totales"),
    "monetary_resources": N_("Ressources financières"),
    "exchange_share": N_("Part des ressources reçues en échange d'un service"),
    "hhi": N_("Concentration des ressources"),
    "diversification": N_("Indice de diversification des ressources"),
    "largest_source_share": N_("Poids de la première source de ressources"),
    "largest_funder_share": N_("Poids du premier financeur"),
    "volunteering_share": N_("Part du bénévolat valorisé"),
    "reserve_months": N_("Mois de fonctionnement couverts par la trésorerie"),
    "residual": N_("Écart à tous les modèles types"),
    "percent_total": N_("Total des pourcentages saisis"),
    "subsidies_amount": N_("Subventions publiques"),
    "subsidies_share": N_("Part des subventions dans vos ressources financières"),
    "public_share": N_("Part de l'argent public dans vos ressources financières"),
    "public_exchange_amount": N_("Commande publique et tarifs"),
    "private_exchange_share": N_("Part des ventes de services dans vos ressources financières"),
}


def _question_reason(
    questionnaire: Questionnaire, test: Condition, context: ConditionContext, lang: str
) -> dict[str, str] | None:
    question = questionnaire.questions.get(test.question or "")
    if question is None:
        return None
    value: Any = context.answers.get(question.id)
    label = question.label.get(lang)
    if value is None or value == "" or value == []:
        return {"ref": question.id, "text": gettext("« %(q)s » : sans réponse") % {"q": label}}
    if test.op == "contains" and isinstance(value, list):
        # Name only the picked choices the rule looks for, not the whole list.
        wanted = test.value if isinstance(test.value, list) else [test.value]
        value = [v for v in value if v in wanted] or value
    answer = format_answer(questionnaire, question, value, lang)
    return {"ref": question.id, "text": gettext("« %(q)s » : %(a)s") % {"q": label, "a": answer}}


def reason_for(
    questionnaire: Questionnaire, test: Condition, context: ConditionContext, lang: str
) -> dict[str, str] | None:
    """The reason a test held, or None when it says nothing about this association (a
    catch-all rule such as "total resources ≥ 0")."""
    with use_language(lang):
        if test.question:
            return _question_reason(questionnaire, test, context, lang)
        if test.indicator:
            value = context.indicators.get(test.indicator)
            if value is None or (test.op == "gte" and test.value == 0):
                return None
            label = gettext(INDICATOR_LABELS.get(test.indicator, test.indicator))
            shown = format_indicator(test.indicator, value, lang)
            return {
                "ref": test.indicator,
                "text": gettext("%(label)s : %(value)s") % {"label": label, "value": shown},
            }
        if test.lever:
            score = context.lever_scores.get(test.lever)
            if score is None:
                return None
            lever_id, _, sub_id = test.lever.partition(".")
            lever = questionnaire.lever_by_id.get(lever_id)
            if lever is None:
                return None
            sub = next((s for s in lever.subdimensions if s.id == sub_id), None)
            name = sub.label.get(lang) if sub else lever.label.get(lang)
            return {
                "ref": test.lever,
                "text": gettext("Score « %(name)s » : %(score)s / 100")
                % {"name": name, "score": number(score, lang, digits=0)},
            }
        if test.dominant_model:
            model = questionnaire.model_by_id.get(context.dominant_model or "")
            if model is None:
                return None
            return {
                "ref": model.id,
                "text": gettext("Modèle dominant : %(name)s") % {"name": model.name.get(lang)},
            }
        if test.model:
            model = questionnaire.model_by_id.get(test.model)
            weight = context.model_weights.get(test.model)
            if model is None or weight is None:
                return None
            return {
                "ref": model.id,
                "text": gettext("Poids du modèle « %(name)s » : %(weight)s")
                % {"name": model.name.get(lang), "weight": percent(weight, lang)},
            }
    return None
