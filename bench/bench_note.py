"""Benchmark of the two-page board note: a cold render (HTML built, PDF rendered, nothing
cached) against WeasyPrint alone on the same HTML and against the bare WeasyPrint floor (a
one-paragraph A4 document with the same stylesheet). Prints figures; the target is a cold
render under 400 ms."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.plan import PlanItem  # noqa: E402
from app.questionnaire.loader import load_questionnaire  # noqa: E402
from app.report.note import build_note_html  # noqa: E402
from app.report.pdf import ReportRenderer, weasyprint_render  # noqa: E402
from tests.utils.answers import full_answers  # noqa: E402

RUNS = 7
TARGET_MS = 400
BARE_HTML = (
    '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body><p>x</p></body></html>'
)


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires")
    answers = full_answers(questionnaire)
    created = date(2026, 12, 2)
    plan = [
        PlanItem(None, f"Piste {n}", "Réunir le bureau", "La trésorière", created, "Le DLA")
        for n in range(1, 6)
    ]
    name_role = questionnaire.definition.roles.association_name
    # The process's first render loads fonts and WeasyPrint's caches: not counted (a running
    # server has done it long before).
    weasyprint_render(build_note_html(questionnaire, answers, plan=plan, created_at=created))
    renderer = ReportRenderer(cache_size=64)
    cold, direct, bare = [], [], []
    for i in range(RUNS):
        variant = {**answers, name_role: f"Association {i}"}  # a new document each time
        start = time.perf_counter()
        html = build_note_html(questionnaire, variant, plan=plan, created_at=created)
        asyncio.run(renderer.pdf_of_html(html))
        cold.append(ms_since(start))
        start = time.perf_counter()
        weasyprint_render(html)
        direct.append(ms_since(start))
        start = time.perf_counter()
        weasyprint_render(BARE_HTML)
        bare.append(ms_since(start))
    cold_ms, direct_ms, bare_ms = (statistics.median(v) for v in (cold, direct, bare))
    print(f"board note, two pages (median of {RUNS})")
    print(f"  cold render (HTML + PDF, not cached)  {cold_ms:7.1f} ms   target < {TARGET_MS} ms")
    print(f"  WeasyPrint alone on the same HTML     {direct_ms:7.1f} ms")
    print(f"  bare WeasyPrint floor (one paragraph) {bare_ms:7.1f} ms")
    print(f"  cold / same-HTML ratio {cold_ms / direct_ms:.2f}")
    print(f"  cold / floor ratio     {cold_ms / bare_ms:.2f}")
    print(f"  {'under' if cold_ms < TARGET_MS else 'OVER'} the {TARGET_MS} ms target")


if __name__ == "__main__":
    main()
