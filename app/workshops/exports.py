"""The group's results as rows for the counsellor's files (CSV and JSON), anonymised where the
participant chose so (pure)."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.i18n import _, current_language
from app.questionnaire.model import Questionnaire
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


def result_csv(questionnaire: Questionnaire, summary: GroupSummary) -> str:
    """In the reader's language: headers, and the separators their spreadsheet expects
    (French: semicolons and decimal commas; English: commas and decimal points); a BOM so
    spreadsheets read it as UTF-8. Model and lever ids stay ids, as in the JSON export."""
    rows = result_rows(questionnaire, summary)
    model_ids = [model.id for model in questionnaire.models]
    lever_ids = [lever.id for lever in questionnaire.definition.levers]
    french = current_language() == "fr"
    delimiter, decimal = (";", ",") if french else (",", ".")
    header = [
        _("numero"),
        _("association"),
        _("partage"),
        _("reponses"),
        _("questions"),
        _("avancement_pct"),
        _("obligatoires_manquantes"),
        _("modele_dominant"),
        _("modele_second"),
        _("ecart_aux_modeles"),
        *[_("poids_%(model)s") % {"model": m} for m in model_ids],
        *[_("score_%(lever)s") % {"lever": lever} for lever in lever_ids],
    ]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = [
            row["number"],
            member_label(row["number"], row["association"]),
            _("nommé") if row["sharing"] == "named" else _("anonyme"),
            row["answered"],
            row["questions"],
            row["progress_percent"],
            row["missing_required"],
            row["dominant_model"],
            row["runner_up_model"],
            row["atypicality"],
            *[row["weights"][m] for m in model_ids],
            *[row["levers"][lever] for lever in lever_ids],
        ]
        writer.writerow([_cell(value, decimal) for value in cells])
    return out.getvalue()
