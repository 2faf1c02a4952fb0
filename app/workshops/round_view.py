"""What a round screen shows, for the projection and the participants' phones, and the chosen
pistes as written into the action plan (pure functions; the routes load and save)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.formatting import format_answer
from app.i18n import _
from app.plan import PlanItem, keep_statuses, parse_form_rows, read_rows, rows_of, to_items
from app.questionnaire.conditions import visible_answers
from app.questionnaire.model import Questionnaire
from app.report.pitch import Fact, pitch_context
from app.scoring.result import DiagnosticResult
from app.workshops.rounds import MAX_CHOSEN, PHASE_LABELS, PHASES, Round


def timer(round_: Round | None, now: datetime) -> dict[str, Any] | None:
    """The countdown as every screen draws it: the phase, when it ends (epoch milliseconds,
    for the script) and the seconds left now (for the page as served, and without script)."""
    if round_ is None or not round_.phase:
        return None
    ends = round_.phase_ends_at()
    left = round_.seconds_left(now) or 0
    return {
        "phase": round_.phase,
        "label": _(PHASE_LABELS[round_.phase]),
        "ends_ms": int(ends.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "left": left,
        "text": f"{left // 60}:{left % 60:02d}",
    }


def phases(round_: Round | None) -> list[dict[str, Any]]:
    minutes = round_.minutes if round_ else {}
    return [
        {
            "id": phase,
            "label": _(PHASE_LABELS[phase]),
            "minutes": minutes.get(phase),
            "current": bool(round_ and round_.phase == phase),
        }
        for phase in PHASES
    ]


def screen_context(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    result: DiagnosticResult,
    *,
    label: str,
    named: bool,
    today: date,
    plan: list[PlanItem],
) -> dict[str, Any]:
    """The presenter's profile in a few lines, from the pitch sheet's own data. An anonymous
    presenter's one-line pitch is left out: written in their words, it often names them."""
    pitch = pitch_context(
        questionnaire,
        answers,
        result,
        association_name=label,
        partner_request="",
        created_at=today,
        plan=plan,
    )
    worry_id = questionnaire.definition.roles.main_worry
    worry = None
    if worry_id and (question := questionnaire.questions.get(worry_id)) is not None:
        worry = next(
            (f.answer for f in pitch_facts_of(questionnaire, answers, [question.id])), None
        )
    return {
        "label": label,
        "named": named,
        "facts": pitch["facts"] + pitch["key_figures"],
        "pitch_line": pitch["pitch_line"] if named else "",
        "worry": worry,
        "levers": result.levers,
        "cards": [card for card in result.cards if card.featured][:3] or result.cards[:3],
        "barycentre": result.barycentre,
        "dominant": pitch["dominant"],
        "plan": plan[:MAX_CHOSEN],
    }


def pitch_facts_of(questionnaire: Questionnaire, answers: dict[str, Any], ids: list[str]):
    # The same formatting as the pitch sheet's facts (choice labels, units).
    shown = visible_answers(questionnaire, answers)
    for question_id in ids:
        value = shown.get(question_id)
        if value in (None, "", []):
            continue
        question = questionnaire.questions[question_id]
        yield Fact(question.label.get(None), format_answer(questionnaire, question, value, None))


def choice_rows(plan: list[PlanItem]) -> list[dict[str, str]]:
    """The choice form's rows, from the plan's first pistes (then blank rows)."""
    return rows_of(plan, MAX_CHOSEN)


def form_rows(form) -> list[dict[str, str]]:
    return read_rows(form, MAX_CHOSEN)


def chosen_plan(
    questionnaire: Questionnaire, rows: list[dict[str, str]], plan: list[PlanItem]
) -> tuple[list[PlanItem] | None, dict[str, str]]:
    """The action plan once the round's choice is written in: the one to three chosen pistes
    first, then the plan's other pistes as they were (one plan, never a copy). None with the
    errors when the choice is refused."""
    items, errors = parse_form_rows(questionnaire, rows)
    if not items and not errors:
        errors["plan"] = _("Choisissez au moins une piste.")
    if errors:
        return None, errors
    chosen = keep_statuses(to_items(questionnaire, items), plan)
    return chosen + plan[MAX_CHOSEN:], {}
