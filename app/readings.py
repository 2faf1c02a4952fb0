"""Plain-language readings of a diagnostic result: what each indicator means, where each
resource comes from, how atypical the model is. Shared by the results page and the PDF; the
texts follow the current language."""

from __future__ import annotations

from app.formatting import format_indicator, number, percent
from app.i18n import N_, _
from app.questionnaire.model import Questionnaire
from app.resource_tally import PERCENT_ROUNDING
from app.scoring.result import DiagnosticResult

BROUGHT_BY_LABELS = {
    "members": N_("Membres"),
    "public": N_("Acteurs publics"),
    "private": N_("Acteurs privés"),
    "volunteers": N_("Bénévoles"),
    "other": N_("Autres"),
}


def interest_reading(result: DiagnosticResult) -> list[str]:
    """General interest or social-utility operator, read from the two-question table (all
    resources, volunteering included) and, when it reads otherwise, from the money alone."""
    matrix = result.resource_matrix or {}
    if not result.profile:
        return []
    exchange = sum(cells.get("exchange", 0.0) for cells in matrix.values())
    readings = [
        (
            _(
                "%(share)s de l'ensemble de vos ressources rémunère un service rendu : moins de "
                "la moitié. Votre modèle relève d'une logique de structure d'intérêt général."
            )
            if exchange < 0.5
            else _(
                "%(share)s de l'ensemble de vos ressources rémunère un service rendu : plus de "
                "la moitié. Votre modèle relève d'une logique d'opérateur d'utilité sociale."
            )
        )
        % {"share": percent(exchange)}
    ]
    money_exchange = result.indicators.get("exchange_share")
    volunteering = result.indicators.get("volunteering_share") or 0.0
    if (
        money_exchange is not None
        and volunteering > 0
        and (money_exchange < 0.5) != (exchange < 0.5)
    ):
        readings.append(
            (
                _(
                    "Sur l'argent seul, la part est de %(share)s : un financeur qui lit vos "
                    "comptes vous verra plutôt comme un opérateur d'utilité sociale."
                )
                if money_exchange >= 0.5
                else _(
                    "Sur l'argent seul, la part est de %(share)s : un financeur qui lit vos "
                    "comptes vous verra plutôt comme une structure d'intérêt général."
                )
            )
            % {"share": percent(money_exchange)}
        )
    return readings


def atypicality_reading(atypicality: float) -> str:
    if atypicality < 0.1:
        return _(
            "Vos ressources se décrivent bien comme un mélange des modèles types : "
            "la carte vous représente fidèlement."
        )
    if atypicality < 0.25:
        return _(
            "Vos ressources s'écartent un peu des modèles types : la carte donne une tendance, "
            "à lire avec un peu de recul."
        )
    return _(
        "Vos ressources s'écartent nettement des modèles types : vous inventez en partie "
        "votre propre modèle. La carte indique les modèles les plus proches, sans vous résumer."
    )


def indicator_rows(
    questionnaire: Questionnaire, result: DiagnosticResult, lang: str | None
) -> list[dict[str, str]]:
    """Each indicator with its value and what it means, in plain words."""
    ind = result.indicators
    rows = []
    exchange = ind.get("exchange_share")
    # The same general-interest reading as everywhere else (from the two-question table),
    # so the indicator table never says otherwise than the summary.
    if exchange is not None:
        reading = " ".join(interest_reading(result))
    else:
        reading = _("Sans ressources financières renseignées, cette lecture n'est pas possible.")
    rows.append(
        {
            "label": _("Part des ressources reçues en échange d'un service"),
            "value": format_indicator("exchange_share", exchange, lang),
            "meaning": _(
                "Ventes, commande publique, cotisations-abonnements… rapportées à "
                "l'ensemble de vos ressources financières."
            )
            + " "
            + reading,
        }
    )
    diversification = ind.get("diversification")
    hhi = ind.get("hhi")
    equivalent = (
        " "
        + _("Ici, c'est comme si vous aviez %(count)s sources de même poids.")
        % {"count": number(1 / hhi, lang, digits=1)}
        if isinstance(hhi, int | float) and hhi > 0
        else ""
    )
    rows.append(
        {
            "label": _("Diversification des ressources (1 − indice de Herfindahl)"),
            "value": format_indicator("diversification", diversification, lang),
            "meaning": _(
                "0 signifie une source unique ; plus la valeur approche de 1, plus vos "
                "ressources sont réparties entre des sources de poids comparable."
            )
            + equivalent,
        }
    )
    largest = ind.get("largest_source")
    largest_label = (
        questionnaire.source_by_id[largest].label.get(lang)
        if largest in questionnaire.source_by_id
        else "—"
    )
    largest_share = format_indicator("largest_source_share", ind.get("largest_source_share"), lang)
    rows.append(
        {
            "label": _("Première source de ressources"),
            "value": f"{largest_label} ({largest_share})" if largest else "—",
            "meaning": _(
                "La source qui pèse le plus dans l'ensemble : plus son poids est fort, "
                "plus sa baisse se ferait sentir."
            ),
        }
    )
    rows.append(
        {
            "label": _("Poids du premier financeur"),
            "value": format_indicator(
                "largest_funder_share", ind.get("largest_funder_share"), lang
            ),
            "meaning": _(
                "La part apportée par un seul financeur (une collectivité, un client, un "
                "mécène) : elle mesure votre dépendance à un acteur unique."
            ),
        }
    )
    rows.append(
        {
            "label": _("Part du bénévolat valorisé"),
            "value": format_indicator("volunteering_share", ind.get("volunteering_share"), lang),
            "meaning": _(
                "Le temps donné par les bénévoles, converti en euros, dans l'ensemble de "
                "vos ressources : il rend visible ce que l'argent ne montre pas."
            ),
        }
    )
    rows.append(
        {
            "label": _("Mois de fonctionnement couverts par la trésorerie"),
            "value": format_indicator("reserve_months", ind.get("reserve_months"), lang),
            "meaning": _(
                "Combien de mois de dépenses vos réserves permettraient de payer. Un "
                "matelas de quelques mois (souvent visé : environ six) aide à traverser un retard "
                "de paiement ou une perte de financement."
            ),
        }
    )
    return rows


def source_rows(
    questionnaire: Questionnaire, result: DiagnosticResult, lang: str | None
) -> list[dict]:
    profile = result.profile or {}
    return [
        {
            "label": source.label.get(lang),
            "amount": result.amounts.get(source.id, 0.0),
            "share": profile.get(source.id),
            "in_exchange": source.in_exchange,
            "brought_by": _(BROUGHT_BY_LABELS[source.brought_by])
            if source.brought_by in BROUGHT_BY_LABELS
            else source.brought_by,
        }
        for source in questionnaire.sources
    ]


def odd_percent_total(result: DiagnosticResult) -> float | None:
    """In percent mode, the total of the money percentages when it is not 100 beyond rounding
    (the shares are then recomputed on that total, and the reader must know); otherwise None."""
    total = result.indicators.get("percent_total")
    return total if total is not None and abs(total - 100) > PERCENT_ROUNDING else None
