"""The group's results as rows for the counsellor's files (CSV and JSON), anonymised where the
participant chose so (pure)."""

from __future__ import annotations

import csv
import io
from typing import Any

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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def result_csv(questionnaire: Questionnaire, summary: GroupSummary) -> str:
    """Semicolon-separated with decimal commas, as French spreadsheets expect; a BOM so they
    read it as UTF-8."""
    rows = result_rows(questionnaire, summary)
    model_ids = [model.id for model in questionnaire.models]
    lever_ids = [lever.id for lever in questionnaire.definition.levers]
    header = [
        "numero",
        "association",
        "partage",
        "reponses",
        "questions",
        "avancement_pct",
        "obligatoires_manquantes",
        "modele_dominant",
        "modele_second",
        "ecart_aux_modeles",
        *[f"poids_{m}" for m in model_ids],
        *[f"score_{lever}" for lever in lever_ids],
    ]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [
                _cell(row["number"]),
                _cell(member_label(row["number"], row["association"])),
                _cell("nommé" if row["sharing"] == "named" else "anonyme"),
                _cell(row["answered"]),
                _cell(row["questions"]),
                _cell(row["progress_percent"]),
                _cell(row["missing_required"]),
                _cell(row["dominant_model"]),
                _cell(row["runner_up_model"]),
                _cell(row["atypicality"]),
                *[_cell(row["weights"][m]) for m in model_ids],
                *[_cell(row["levers"][lever]) for lever in lever_ids],
            ]
        )
    return out.getvalue()
