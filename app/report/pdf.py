"""The PDF report: Jinja template -> HTML -> WeasyPrint, rendered off the event loop and cached
on the diagnostic's content hash."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import gc
import hashlib
import json
import mimetypes
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio.to_thread
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import PROJECT_ROOT
from app.formatting import format_answer
from app.i18n import N_, _, resolve, use_language
from app.questionnaire.conditions import visible_answers
from app.questionnaire.model import Questionnaire
from app.readings import atypicality_reading, indicator_rows, odd_percent_total, source_rows
from app.report import view as view_model
from app.report.charts import lever_radar_svg, map_description, model_map_svg
from app.report.mix_chart import mix_series, resource_mix_svg
from app.scoring.levers import Driver, LeverScore
from app.scoring.result import DiagnosticResult, compute_result
from app.templating import jinja_env

# Bump when the template, the CSS or the charts change, so cached PDFs are not served stale.
TEMPLATE_VERSION = "2026-5"
STATIC_DIR = PROJECT_ROOT / "static"
PRINT_CSS = STATIC_DIR / "css" / "print.css"
# The card kind labels and the default name now live in the view-model (one place for the
# page, the PDF and the pitch sheet); the names stay importable from here.
DEFAULT_ASSOCIATION_NAME = view_model.DEFAULT_ASSOCIATION_NAME
KIND_LABELS = view_model.KIND_LABELS
# The same, spelled out for the method note.
BROUGHT_BY_DETAILS = {
    "members": N_("Les membres"),
    "public": N_("Les acteurs publics (État, collectivités, organismes publics)"),
    "private": N_("Les acteurs privés (particuliers, entreprises, fondations)"),
    "volunteers": N_("Les bénévoles (temps donné, valorisé en euros)"),
    "other": N_("Autres"),
}


class URLRefused(ValueError):
    """The report asked for a resource outside the project's static/ directory."""


class StaticOnlyURLFetcher(URLFetcher):
    """Serves files under static/ (fonts, CSS) and data: URLs; refuses everything else, so a
    template or a user string can neither read the server's files nor reach the network."""

    def __init__(self, static_dir: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.static_dir = static_dir.resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise URLRefused(f"refused URL (only static/ files are served): {url[:200]}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"refused URL (remote file): {url[:200]}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise URLRefused(f"refused URL (not a file under static/): {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


class CyclicGcPause:
    """WeasyPrint allocates hundreds of thousands of short-lived objects per report, and the
    cyclic garbage collector, triggered again and again by that churn, costs about a fifth of
    the render time (measured in bench/). `paused()` pauses it for a render; it resumes when
    the last concurrent render ends and reclaims the ~20 MB of cycles a report leaves in its
    next passes. While other renders keep it paused, a finishing render collects the youngest
    generation itself (where all the new objects sit while paused), so a steady stream of
    reports cannot grow memory without bound. The collector is one per process, hence one
    instance of this class (`GC_PAUSE`) shared by every renderer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pauses = 0
        self._was_enabled = True

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._pauses == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._pauses += 1
        try:
            yield
        finally:
            with self._lock:
                self._pauses -= 1
                others_rendering = self._pauses > 0
                if not others_rendering and self._was_enabled:
                    gc.enable()
            if others_rendering and self._was_enabled:
                gc.collect(0)


GC_PAUSE = CyclicGcPause()


def render_pdf(html: str) -> bytes:
    """HTML string -> A4 PDF bytes (CPU-bound: call it off the event loop)."""
    with GC_PAUSE.paused():
        return weasyprint_render(html)


def weasyprint_render(html: str) -> bytes:
    """The plain WeasyPrint call, garbage collector untouched (the bench compares against it)."""
    fetcher = StaticOnlyURLFetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=PRINT_CSS.read_text(encoding="utf-8"),
        base_url=PRINT_CSS.as_uri(),
        url_fetcher=fetcher,
        font_config=fonts,
    )
    document = HTML(string=html, base_url=PROJECT_ROOT.as_uri() + "/", url_fetcher=fetcher)
    # Tagged PDF (structure tree) for screen readers; /Lang and /Title come from the HTML's
    # lang attribute and <title>. Measured: no visible cost on the 14-page report.
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_tags=True)


# --- What the template shows -------------------------------------------------------------


def association_name(questionnaire: Questionnaire, answers: dict[str, Any]) -> str:
    """The name to print (see app.report.view.display_name)."""
    return view_model.display_name(questionnaire, answers)


@dataclass
class SubScoreView:
    label: str
    score: float | None
    strongest: list[Driver] = field(default_factory=list)
    weakest: list[Driver] = field(default_factory=list)


@dataclass
class LeverView:
    id: str
    number: int
    label: str
    description: str
    score: float | None
    subscores: list[SubScoreView]


def lever_views(
    questionnaire: Questionnaire, levers: list[LeverScore], lang: str | None
) -> list[LeverView]:
    """Each lever with, per sub-dimension, the two answers that helped most and least."""
    views = []
    for index, lever in enumerate(levers, start=1):
        definition = questionnaire.lever_by_id.get(lever.id)
        subs = []
        for sub in lever.subscores:
            ranked = sorted(sub.drivers, key=lambda d: (-d.ratio, d.label))
            # Only what earns most of its points lifts the score; a middle answer holds back.
            strong = [d for d in ranked if d.is_strength][:2]
            weak = [d for d in reversed(ranked) if d.holds_back][:2]
            subs.append(
                SubScoreView(
                    sub.label,
                    sub.score,
                    strong,
                    weak,
                )
            )
        description = (
            definition.description.get(lang) if definition and definition.description else ""
        )
        views.append(LeverView(lever.id, index, lever.label, description, lever.score, subs))
    return views


def annex_sections(
    questionnaire: Questionnaire, answers: dict[str, Any], lang: str | None
) -> list[dict[str, Any]]:
    """Every answered (and shown) question with its answer, grouped by section."""
    shown = visible_answers(questionnaire, answers)
    sections = []
    for section in questionnaire.sections:
        rows = []
        for question in section.questions:
            value = shown.get(question.id)
            if value is None or value == "" or value == []:
                continue
            rows.append(
                {
                    "question": question.label.get(lang),
                    "answer": format_answer(questionnaire, question, value, lang),
                }
            )
        if rows:
            sections.append({"title": section.title.get(lang), "rows": rows})
    return sections


def two_questions_grid(questionnaire: Questionnaire, lang: str | None) -> list[dict[str, Any]]:
    """The sources placed by who brings them and whether a service is given in exchange."""
    grid = []
    for brought_by, label in BROUGHT_BY_DETAILS.items():
        sources = [s for s in questionnaire.sources if s.brought_by == brought_by]
        if not sources:
            continue
        grid.append(
            {
                "who": _(label),
                "exchange": [s.label.get(lang) for s in sources if s.in_exchange],
                "no_exchange": [s.label.get(lang) for s in sources if not s.in_exchange],
            }
        )
    return grid


def report_context(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    result: DiagnosticResult,
    *,
    created_at: datetime | date,
    lang: str | None = None,
    plan: list | tuple = (),
) -> dict[str, Any]:
    barycentre = result.barycentre
    weights = barycentre.weights if barycentre else {}
    model_weights = [(model, weights.get(model.id)) for model in questionnaire.models]
    dominant = questionnaire.model_by_id.get(barycentre.dominant) if barycentre else None
    runner_up = (
        questionnaire.model_by_id.get(barycentre.runner_up)
        if barycentre and barycentre.runner_up_to_mention
        else None
    )
    lang = resolve(lang)
    indicators = indicator_rows(questionnaire, result, lang)
    reading = view_model.build_view(questionnaire, answers, result)
    placement = result.placement
    money_only = (
        placement.money_only if placement and placement.volunteering_changes_dominant else None
    )
    return {
        "reading": reading,
        "mix_svg": resource_mix_svg(reading, width=500, id_prefix="report-mix"),
        "mix_series": mix_series(reading),
        "lang": lang,
        "q": questionnaire,
        "definition": questionnaire.definition,
        "result": result,
        "association_name": reading.display_name,
        "created_at": created_at,
        "barycentre": barycentre,
        "model_weights": model_weights,
        "dominant": dominant,
        "runner_up": runner_up,
        "atypicality_reading": atypicality_reading(barycentre.atypicality) if barycentre else "",
        "map_svg": model_map_svg(questionnaire, barycentre, lang, size=420, money_only=money_only),
        "map_description": map_description(questionnaire, barycentre, lang, money_only),
        # The sections under the radar list every sub-dimension: no legend inside the chart.
        "radar_svg": lever_radar_svg(result.levers, lang, size=360, legend=False),
        "levers": lever_views(questionnaire, result.levers, lang),
        "indicators": indicators,
        "key_indicators": [indicators[0], indicators[1], indicators[5]],
        "sources": source_rows(questionnaire, result, lang),
        "amounts_in_euros": result.indicators.get("total_resources") is not None,
        "percent_total": odd_percent_total(result),
        "cards": result.cards,
        "kind_labels": {kind: view_model.kind_label(kind) for kind in KIND_LABELS},
        "annex": annex_sections(questionnaire, answers, lang),
        "grid": two_questions_grid(questionnaire, lang),
        # The action plan (app/plan.py PlanItem), chosen by the association.
        "plan": list(plan),
        "missing_required": [
            questionnaire.questions[qid].label.get(lang)
            for qid in result.missing_required
            if qid in questionnaire.questions
        ],
    }


def build_report_html(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    result: DiagnosticResult,
    *,
    created_at: datetime | date,
    lang: str | None = None,
    plan: list | tuple = (),
) -> str:
    template = jinja_env.get_template("report/report.html")
    # The texts follow the current language: render in `lang` when it is given.
    with use_language(resolve(lang)):
        return template.render(
            report_context(
                questionnaire, answers, result, created_at=created_at, lang=lang, plan=plan
            )
        )


# --- Rendering service -------------------------------------------------------------------


@dataclass
class _KeyLock:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


def report_cache_key(
    questionnaire: Questionnaire,
    answers: dict[str, Any],
    created_at: datetime | date,
    lang: str | None,
    plan: list | tuple = (),
) -> str:
    day = created_at.date() if isinstance(created_at, datetime) else created_at
    payload = "\n".join(
        [
            questionnaire.content_hash,
            json.dumps(answers, sort_keys=True, ensure_ascii=False, default=str),
            json.dumps([item.to_json() for item in plan], ensure_ascii=False),
            day.isoformat(),
            resolve(lang),
            TEMPLATE_VERSION,
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class ReportRenderer:
    """Renders report PDFs off the event loop and keeps the last `cache_size` in memory."""

    def __init__(self, cache_size: int = 64, max_concurrent_renders: int | None = None):
        self.cache_size = cache_size
        # Rendering is CPU-bound: more renders at once than cores only slows each one down.
        self._render_slots = threading.BoundedSemaphore(
            max_concurrent_renders or max(1, os.cpu_count() or 1)
        )
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._in_flight: dict[str, _KeyLock] = {}

    def _cached(self, key: str) -> bytes | None:
        with self._cache_lock:
            pdf = self._cache.get(key)
            if pdf is not None:
                self._cache.move_to_end(key)
            return pdf

    def _store(self, key: str, pdf: bytes) -> None:
        if self.cache_size <= 0:
            return
        with self._cache_lock:
            self._cache[key] = pdf
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _render(
        self,
        questionnaire: Questionnaire,
        answers: dict[str, Any],
        created_at: datetime | date,
        lang: str | None,
        plan: list | tuple = (),
    ) -> bytes:
        with use_language(lang):
            result = compute_result(questionnaire, answers, lang)
            html = build_report_html(
                questionnaire, answers, result, created_at=created_at, lang=lang, plan=plan
            )
        with self._render_slots:
            return render_pdf(html)

    async def pdf_for(
        self,
        questionnaire: Questionnaire,
        answers: dict[str, Any],
        *,
        created_at: datetime | date,
        lang: str | None = None,
        plan: list | tuple = (),
    ) -> bytes:
        lang = resolve(lang)
        key = report_cache_key(questionnaire, answers, created_at, lang, plan)
        snapshot = copy.deepcopy(answers)  # the caller may change it meanwhile
        return await self._cached_or_rendered(
            key, self._render, questionnaire, snapshot, created_at, lang, tuple(plan)
        )

    async def pdf_of_html(self, html: str) -> bytes:
        """Any other document (pitch sheet, workshop synthesis): cached on its HTML."""
        key = hashlib.sha256(f"{TEMPLATE_VERSION}\n{html}".encode()).hexdigest()
        return await self._cached_or_rendered(key, self._render_html, html)

    def _render_html(self, html: str) -> bytes:
        with self._render_slots:
            return render_pdf(html)

    async def _cached_or_rendered(self, key: str, render, *args) -> bytes:
        pdf = self._cached(key)
        if pdf is not None:
            return pdf
        # One render per key: concurrent requests for the same document wait for the first.
        entry = self._in_flight.setdefault(key, _KeyLock())
        entry.users += 1
        try:
            async with entry.lock:
                pdf = self._cached(key)
                if pdf is None:
                    pdf = await anyio.to_thread.run_sync(render, *args)
                    self._store(key, pdf)
                return pdf
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._in_flight.pop(key, None)
