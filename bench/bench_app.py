"""Benchmarks: answer-save latency against a bare upsert endpoint, result computation, and
PDF rendering (cold, cached, and WeasyPrint alone on the same HTML). Prints figures."""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.questionnaire.loader import load_questionnaire  # noqa: E402
from app.report.pdf import ReportRenderer, build_report_html, weasyprint_render  # noqa: E402
from app.scoring.result import compute_result  # noqa: E402
from tests.utils.answers import full_answers  # noqa: E402
from tests.utils.live_server import live_server  # noqa: E402

SAVES = 1000


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def timed_puts(client: httpx.Client, url: str, payloads: list[dict]) -> list[float]:
    durations = []
    for payload in payloads:
        start = time.perf_counter()
        response = client.put(url, json=payload)
        durations.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return durations


def bench_saves(questionnaire) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
        with (
            # 1 000 saves to one diagnostic in seconds: far over the per-diagnostic save limit
            # (which answers 429); the benchmark measures the save, not the limiter.
            live_server(database_url, SAVE_RATE_LIMIT="100000/minute") as app_url,
            live_server(database_url, "bench.bare_app:app", probe_path="/docs") as bare_url,
        ):
            with httpx.Client(base_url=app_url) as client:
                token = client.post("/api/diagnostics").json()["token"]
                budget = questionnaire.definition.roles.annual_budget
                payloads = [{budget: 10_000 + i} for i in range(SAVES)]
                timed_puts(client, f"/api/diagnostics/{token}/answers", payloads[:50])  # warm-up
                app_ms = timed_puts(client, f"/api/diagnostics/{token}/answers", payloads)
            with httpx.Client(base_url=bare_url) as client:
                timed_puts(client, "/bare/1", payloads[:50])
                bare_ms = timed_puts(client, "/bare/1", payloads)
    app_p50, bare_p50 = statistics.median(app_ms), statistics.median(bare_ms)
    print(f"answer save (SQLite, {SAVES} sequential PUTs over HTTP)")
    print(f"  app   p50 {app_p50:6.2f} ms   p95 {percentile(app_ms, 0.95):6.2f} ms")
    print(f"  bare  p50 {bare_p50:6.2f} ms   p95 {percentile(bare_ms, 0.95):6.2f} ms")
    print(f"  ratio p50 {app_p50 / bare_p50:6.2f}")


def bench_result(questionnaire, answers) -> None:
    compute_result(questionnaire, answers)
    runs = 300
    start = time.perf_counter()
    for _ in range(runs):
        compute_result(questionnaire, answers)
    per_run = (time.perf_counter() - start) * 1000 / runs
    print(f"result computation: {per_run:.2f} ms per diagnostic (mean of {runs})")


def bench_pdf(questionnaire, answers) -> None:
    created_at = datetime(2026, 11, 23)
    result = compute_result(questionnaire, answers)
    html = build_report_html(questionnaire, answers, result, created_at=created_at)
    weasyprint_render(html)  # first render loads fonts and WeasyPrint's caches; not counted
    renderer = ReportRenderer(cache_size=64)
    cold, cached, direct = [], [], []
    for i in range(5):
        variant = {**answers, questionnaire.definition.roles.association_name: f"Association {i}"}
        start = time.perf_counter()
        asyncio.run(renderer.pdf_for(questionnaire, variant, created_at=created_at))
        cold.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        asyncio.run(renderer.pdf_for(questionnaire, variant, created_at=created_at))
        cached.append((time.perf_counter() - start) * 1000)
        variant_html = build_report_html(
            questionnaire, variant, compute_result(questionnaire, variant), created_at=created_at
        )
        start = time.perf_counter()
        weasyprint_render(variant_html)
        direct.append((time.perf_counter() - start) * 1000)
    print("PDF report (median of 5)")
    print(f"  cold    {statistics.median(cold):8.1f} ms")
    print(f"  cached  {statistics.median(cached):8.3f} ms")
    print(
        f"  WeasyPrint alone on the same HTML (plain call) {statistics.median(direct):8.1f} ms "
        f"(cold / direct ratio {statistics.median(cold) / statistics.median(direct):.2f})"
    )


def main() -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires")
    answers = full_answers(questionnaire)
    bench_saves(questionnaire)
    bench_result(questionnaire, answers)
    bench_pdf(questionnaire, answers)


if __name__ == "__main__":
    main()
