"""A 0-100 score per lever and sub-dimension, with the answers that drove it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from app.formatting import format_answer, format_indicator
from app.questionnaire.model import Questionnaire
from app.questionnaire.schema import Band, Question, QuestionScoring

STRENGTH_RATIO = 0.75
WEAKNESS_RATIO = 0.5


@dataclass(frozen=True)
class Driver:
    """One answer (or indicator) and what it brought to a sub-dimension."""

    source: str  # question id or "indicator:<name>"
    label: str
    answer: str
    points: float
    max_points: float
    # What would raise it, in words: the better answer to aim for ("reach"), or the missing
    # choices of a multiple choice ("add"); empty when the answer already gets full points.
    better: str = ""
    better_kind: str = ""

    @property
    def ratio(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0

    # A driver lifts the score when it earns most of its points; "moyennement" (half) does
    # not: it is room to progress, shown with what would raise it.
    @property
    def is_strength(self) -> bool:
        return self.ratio >= STRENGTH_RATIO

    @property
    def holds_back(self) -> bool:
        return self.ratio <= WEAKNESS_RATIO

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "label": self.label,
            "answer": self.answer,
            "points": self.points,
            "max_points": self.max_points,
            "better": self.better or None,
        }


@dataclass
class SubScore:
    id: str
    label: str
    score: float | None
    drivers: list[Driver] = field(default_factory=list)


@dataclass
class LeverScore:
    id: str
    label: str
    score: float | None
    subscores: list[SubScore]

    @property
    def partial(self) -> bool:
        """The score rests on only some of its sub-dimensions (the others had no answer)."""
        return self.score is not None and any(s.score is None for s in self.subscores)

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "partial": self.partial,
            "score": self.score,
            "subscores": {s.id: s.score for s in self.subscores},
            "drivers": {s.id: [d.to_json() for d in s.drivers] for s in self.subscores},
        }


def _band_points(bands: list[Band], number: float) -> float | None:
    return next((band.points for band in bands if band.contains(number)), None)


def _rule_points(
    questionnaire: Questionnaire, question: Question, rule: QuestionScoring, value: Any
) -> tuple[float, float] | None:
    """(points, max points) for one answer, or None when it does not score."""
    if rule.bands:
        if not isinstance(value, int | float):
            return None
        points = _band_points(rule.bands, float(value))
        best = rule.max_points if rule.max_points is not None else max(b.points for b in rule.bands)
        return None if points is None else (points, best)
    option_ids = [o.id for o in questionnaire.options(question)]
    points_by_option = rule.points or {oid: float(i) for i, oid in enumerate(option_ids)}
    if question.type == "multiple_choice":
        picked = value if isinstance(value, list) else [value]
        best = (
            rule.max_points
            if rule.max_points is not None
            else sum(p for p in points_by_option.values() if p > 0)
        )
        points = min(best, sum(points_by_option.get(item, 0.0) for item in picked))
        return points, best
    best = (
        rule.max_points
        if rule.max_points is not None
        else max(points_by_option.values(), default=0)
    )
    return points_by_option.get(str(value), 0.0), best


def _band_target(band: Band, show) -> str:
    """The figure to reach for a band's points: "≥ 6 mois", or "< 50 %" when lower is better."""
    if band.min is not None:
        return f"≥ {show(band.min)}"
    if band.max is not None:
        return f"< {show(band.max)}"
    return ""


def _better_answer(
    questionnaire: Questionnaire,
    question: Question,
    rule: QuestionScoring,
    value: Any,
    points: float,
    lang: str | None,
) -> tuple[str, str]:
    """What answer would earn more points than `value` did: ("reach", best answer) or
    ("add", missing choices). ("", "") when nothing would."""
    if rule.bands:
        best = max(rule.bands, key=lambda band: band.points)
        if best.points <= points:
            return "", ""
        target = _band_target(best, lambda n: format_answer(questionnaire, question, n, lang))
        return ("reach", target) if target else ("", "")
    option_ids = [o.id for o in questionnaire.options(question)]
    points_by_option = rule.points or {oid: float(i) for i, oid in enumerate(option_ids)}
    if question.type == "multiple_choice":
        picked = set(value if isinstance(value, list) else [value])
        missing = sorted(
            (oid for oid, p in points_by_option.items() if p > 0 and oid not in picked),
            key=lambda oid: (-points_by_option[oid], option_ids.index(oid)),
        )[:3]
        if not missing:
            return "", ""
        labels = [questionnaire.option_label(question, oid, lang) for oid in missing]
        return "add", ", ".join(labels)
    top = max(points_by_option.values(), default=0)
    if top <= points:
        return "", ""
    best_id = next(oid for oid in option_ids if points_by_option.get(oid) == top)
    return "reach", questionnaire.option_label(question, best_id, lang)


def score_levers(
    questionnaire: Questionnaire,
    visible_answers: dict[str, Any],
    indicators: dict[str, Any],
    lang: str | None = None,
) -> list[LeverScore]:
    drivers: dict[tuple[str, str], list[Driver]] = {}
    for question in questionnaire.questions.values():
        if question.id not in visible_answers:
            continue
        value = visible_answers[question.id]
        for rule in question.scoring:
            scored = _rule_points(questionnaire, question, rule, value)
            if scored is None or scored[1] <= 0:
                continue
            better_kind, better = (
                _better_answer(questionnaire, question, rule, value, scored[0], lang)
                if scored[0] < scored[1]
                else ("", "")
            )
            drivers.setdefault((rule.lever, rule.subdimension), []).append(
                Driver(
                    source=question.id,
                    label=question.label.get(lang),
                    answer=format_answer(questionnaire, question, value, lang),
                    points=scored[0],
                    max_points=scored[1],
                    better=better,
                    better_kind=better_kind,
                )
            )
    levers = []
    for lever in questionnaire.definition.levers:
        subscores = []
        for sub in lever.subdimensions:
            sub_drivers = drivers.get((lever.id, sub.id), [])
            for rule in sub.indicators:
                value = indicators.get(rule.indicator)
                if not isinstance(value, int | float):
                    continue
                points = _band_points(rule.bands, float(value))
                best = (
                    rule.max_points
                    if rule.max_points is not None
                    else max(b.points for b in rule.bands)
                )
                if points is None or best <= 0:
                    continue
                top = max(rule.bands, key=lambda band: band.points)
                better = (
                    _band_target(top, partial(format_indicator, rule.indicator, lang=lang))
                    if points < best
                    else ""
                )
                sub_drivers.append(
                    Driver(
                        source=f"indicator:{rule.indicator}",
                        label=rule.label.get(lang) if rule.label else rule.indicator,
                        answer=format_indicator(rule.indicator, value, lang),
                        points=points,
                        max_points=best,
                        better=better,
                        better_kind="reach" if better else "",
                    )
                )
            total_max = sum(d.max_points for d in sub_drivers)
            score = (
                round(100 * sum(d.points for d in sub_drivers) / total_max, 1)
                if total_max > 0
                else None
            )
            subscores.append(SubScore(sub.id, sub.label.get(lang), score, sub_drivers))
        known = [s.score for s in subscores if s.score is not None]
        # Each sub-dimension weighs the same, however many questions feed it.
        lever_score = round(sum(known) / len(known), 1) if known else None
        levers.append(LeverScore(lever.id, lever.label.get(lang), lever_score, subscores))
    return levers
