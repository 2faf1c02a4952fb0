"""The group's results as rows for the counsellor's files (CSV and JSON), anonymised where the
participant chose so (pure)."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.i18n import _, current_language
from app.plan import PlanItem
from app.questionnaire.model import Questionnaire
from app.workshops.dla import dla_record
from app.workshops.group import GroupSummary, member_label

# Cells starting with these are formulas to a spreadsheet: a name typed as "=HYPERLINK(...)"
# must stay text when the counsellor opens the file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def result_rows(questionnaire: Questionnaire, summary: GroupSummary) -> list[dict[str, Any]]:
    rows = []
    for view in summary.members:
        barycentre = view.barycentre
        row: dict[str, Any] = {
            "number": view.number,
            "association": view.association_name,  # None when anonymous
            "sharing": view.member.sharing,
            "answered": view.progress.answered,
            "questions": view.progress.total,
            "progress_percent": view.progress.percent,
            "missing_required": len(view.progress.missing_required),
            "dominant_model": barycentre.dominant if barycentre else None,
            "runner_up_model": barycentre.runner_up if barycentre else None,
            "atypicality": round(barycentre.atypicality, 4) if barycentre else None,
            "weights": {
                model.id: round(barycentre.weights.get(model.id, 0.0), 4) if barycentre else None
                for model in questionnaire.models
            },
            "levers": {
                lever.id: None if (s := view.lever_score(lever.id)) is None else round(s, 1)
                for lever in questionnaire.definition.levers
            },
        }
        rows.append(row)
    return rows


def _cell(value: Any, decimal: str = ",") -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", decimal)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _number(value: Any, decimal: str) -> str:
    # No thousands separator: a spreadsheet reads "1 234,5" as text.
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, float):
        return _cell(value, decimal)
    return _cell(value, decimal)


def _choice_label(questionnaire: Questionnaire, question_id: str | None, value: str | None):
    if value is None or not question_id or question_id not in questionnaire.questions:
        return None
    return questionnaire.option_label(questionnaire.questions[question_id], value)


def _csv_date(iso: str) -> str:
    # French readers write 01/03/2027; elsewhere the ISO date is the unambiguous one.
    if current_language() != "fr":
        return iso
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def _piste_text(piste: dict[str, Any]) -> str:
    parts = [piste["title"] or _("piste propre")]
    details = [
        piste["first_step"] and _("première étape : %(step)s") % {"step": piste["first_step"]},
        piste["owner"] and _("porteur : %(owner)s") % {"owner": piste["owner"]},
        piste["due"] and _("échéance : %(date)s") % {"date": _csv_date(piste["due"])},
    ]
    details = [d for d in details if d]
    return parts[0] + (f" ({' ; '.join(details)})" if details else "")


def result_csv(
    questionnaire: Questionnaire,
    summary: GroupSummary,
    plans: dict[int, list[PlanItem]] | None = None,
) -> str:
    """The DLA's table, in the reader's language: readable headers, model and choice labels
    rather than ids, percentages rather than fractions, and the separators their spreadsheet
    expects (French: semicolons and decimal commas; English: commas and decimal points); a BOM
    so spreadsheets read it as UTF-8. Each participant's sharing choice holds (dla.py)."""
    plans = plans or {}
    lang = current_language()
    french = lang == "fr"
    delimiter, decimal = (";", ",") if french else (",", ".")
    roles = questionnaire.definition.roles
    models = questionnaire.models
    levers = questionnaire.definition.levers
    subs = [(lever, sub) for lever in levers for sub in lever.subdimensions]
    records = [
        dla_record(view, plans.get(view.member.diagnostic_id, [])) for view in summary.members
    ]
    header = [
        _("N°"),
        _("Association"),
        _("Partage"),
        _("Secteur"),
        _("Territoire"),
        _("Tranche de budget"),
        _("Employeur"),
        _("Salariés"),
        _("Avancement (%)"),
        _("Résultat partiel"),
        _("Modèle dominant"),
        _("Modèle second"),
        _("Écart aux modèles"),
        *[_("Poids %(model)s (%%)") % {"model": m.name.get(lang)} for m in models],
        *[_("Score %(lever)s (sur 100)") % {"lever": lv.label.get(lang)} for lv in levers],
        *[
            _("Sous-score %(lever)s : %(sub)s")
            % {"lever": lv.label.get(lang), "sub": sub.label.get(lang)}
            for lv, sub in subs
        ],
        _("Diversification des ressources (%)"),
        _("Part de la première source (%)"),
        _("Part du premier financeur (%)"),
        _("Part des recettes en contrepartie (%)"),
        _("Part du bénévolat valorisé (%)"),
        _("Mois de trésorerie"),
        _("Ressources totales (€)"),
        _("Pistes choisies"),
    ]
    model_names = {m.id: m.name.get(lang) for m in models}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for record in records:
        cells = [
            record.number,
            member_label(record.number, record.association),
            _("nommé") if record.named else _("anonyme"),
            _choice_label(questionnaire, roles.sector, record.sector),
            _choice_label(questionnaire, roles.territory, record.territory),
            _choice_label(questionnaire, roles.budget_band, record.budget_band),
            record.employer,
            record.employees,
            record.progress_percent,
            record.partial,
            model_names.get(record.dominant, record.dominant),
            model_names.get(record.runner_up, record.runner_up),
            record.atypicality,
            *[record.weights.get(m.id) for m in models],
            *[record.levers.get(lv.id) for lv in levers],
            *[record.subscores.get((lv.id, s.id)) for lv, s in subs],
            *record.indicators.values(),
            " | ".join(_piste_text(p) for p in record.chosen),
        ]
        writer.writerow([_number(value, decimal) for value in cells])
    return out.getvalue()
