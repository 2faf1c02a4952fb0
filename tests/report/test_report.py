"""The PDF report and its SVG charts: content, escaping, safe fetching, caching."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

import anyio
import pytest
from pypdf import PdfReader

import app.report.pdf as report_pdf
from app.config import PROJECT_ROOT
from app.questionnaire.loader import QuestionnaireError, load_questionnaire
from app.questionnaire.model import Questionnaire
from app.report.charts import lever_radar_svg, model_map_svg
from app.report.pdf import (
    ReportRenderer,
    StaticOnlyURLFetcher,
    URLRefused,
    build_report_html,
    render_pdf,
)
from app.scoring.barycentre import compute_barycentre
from app.scoring.levers import Driver, LeverScore, SubScore
from app.scoring.result import compute_result

NASTY_NAME = '<b>Les "Amis"</b> & {{ 7*7 }}'
CREATED_AT = datetime(2026, 3, 14, 10, 30)

SOURCES = [
    ("cotisations", "members", False),
    ("dons", "private", False),
    ("mecenat", "private", False),
    ("subventions", "public", False),
    ("commande_publique", "public", True),
    ("ventes", "private", True),
    ("benevolat", "volunteers", False),
]
# Each model leans on one source, with a little of the next one: affinely independent.
PROTOTYPES = {f"modele_{n}": {SOURCES[n - 1][0]: 0.8, SOURCES[n % 7][0]: 0.2} for n in range(1, 8)}


def tiny_questionnaire(model_label: str = "Modèle", lever_label: str = "Levier") -> Questionnaire:
    """A small but complete questionnaire: seven models, three levers, a few questions."""
    levers = [
        {
            "id": lever_id,
            "label": f"{lever_label} {title}",
            "subdimensions": [
                {"id": "a", "label": f"Première facette de {title.lower()}"},
                {"id": "b", "label": f"Seconde facette de {title.lower()}"},
            ],
        }
        for lever_id, title in (
            ("humain", "Richesses humaines"),
            ("finance", "Ressources financières"),
            ("alliances", "Alliances stratégiques"),
        )
    ]
    likert = [{"id": f"n{i}", "label": f"Niveau {i}"} for i in range(5)]
    return Questionnaire.from_json(
        {
            "id": "mini",
            "version": "1",
            "title": "Mini questionnaire",
            "roles": {
                "association_name": "nom",
                "cash_reserves": "tresorerie",
                "largest_funder_share": "premier_financeur",
            },
            "sources": [
                {"id": sid, "label": f"Source {sid}", "brought_by": who, "in_exchange": ex}
                for sid, who, ex in SOURCES
            ],
            "models": [
                {
                    "id": model_id,
                    "number": n,
                    "name": f"{model_label} numéro {n}",
                    "short_name": f"{model_label} {n}",
                    "description": f"Description du modèle {n}.",
                    "typical_sectors": "Culture, sport",
                    "example": "Une association de quartier",
                    "prototype": prototype,
                }
                for n, (model_id, prototype) in enumerate(PROTOTYPES.items(), start=1)
            ],
            "levers": levers,
            "sections": [
                {
                    "id": "identite",
                    "title": "Identité",
                    "questions": [
                        {"id": "nom", "type": "short_text", "label": "Nom de l'association"},
                    ],
                },
                {
                    "id": "ressources",
                    "title": "Ressources",
                    "questions": [
                        {
                            "id": f"r_{sid}",
                            "type": "amount",
                            "label": f"Montant {sid}",
                            "source": sid,
                        }
                        for sid, _, _ in SOURCES
                    ]
                    + [
                        {"id": "tresorerie", "type": "amount", "label": "Trésorerie"},
                        {
                            "id": "premier_financeur",
                            "type": "percentage",
                            "label": "Part du premier financeur",
                        },
                    ],
                },
                {
                    "id": "leviers",
                    "title": "Leviers",
                    "questions": [
                        {
                            "id": f"q_{lever['id']}_{sub}",
                            "type": "likert",
                            "label": f"Question sur {lever['id']} {sub}",
                            "choices": likert,
                            "scoring": {"lever": lever["id"], "subdimension": sub},
                        }
                        for lever in levers
                        for sub in ("a", "b")
                    ]
                    + [
                        {
                            "id": "partenaires",
                            "type": "multiple_choice",
                            "label": "Vos partenaires",
                            "choices": [
                                {"id": "ecoles", "label": "Écoles"},
                                {"id": "entreprises", "label": "Entreprises"},
                            ],
                        }
                    ],
                },
            ],
            "cards": [
                {
                    "id": f"piste_{i}",
                    "title": f"Piste numéro {i}",
                    "kind": "increase_resources",
                    "lever": "finance",
                    "what": "Ce que c'est.",
                    "why": "Pourquoi ici.",
                    "skills": ["Savoir compter"],
                    "risks": ["Se disperser"],
                    "help": ["Le DLA"],
                    "when": {"indicator": "total_resources", "op": "gt", "value": 0},
                    "priority": i,
                }
                for i in range(1, 5)
            ],
            "resources": [
                {
                    "title": "Le DLA",
                    "description": "Un accompagnement.",
                    "url": "https://www.info-dla.fr",
                },
            ],
        }
    )


def tiny_answers(name: str = NASTY_NAME) -> dict:
    answers = {
        "nom": name,
        "r_cotisations": 4000,
        "r_dons": 2500,
        "r_subventions": 60000,
        "r_ventes": 15000,
        "r_benevolat": 12000,
        "tresorerie": 20000,
        "premier_financeur": 45,
        "partenaires": ["ecoles", "entreprises"],
    }
    for index, lever in enumerate(("humain", "finance", "alliances")):
        answers[f"q_{lever}_a"] = f"n{index + 1}"
    answers["q_humain_b"] = "n4"  # finance.b and alliances.b stay unanswered
    return answers


def real_questionnaire() -> Questionnaire:
    try:
        return load_questionnaire(PROJECT_ROOT / "questionnaires")
    except QuestionnaireError as error:  # being written by someone else
        pytest.skip(f"questionnaires/ does not validate yet: {str(error)[:300]}")


def filled_answers(questionnaire: Questionnaire, name: str = NASTY_NAME) -> dict:
    """Plausible answers to every question of any questionnaire, varied but deterministic."""
    roles = questionnaire.definition.roles
    source_amounts = [3000, 1500, 12000, 6000, 70000, 20000, 35000, 2000, 9000]
    source_index = {s.id: i for i, s in enumerate(questionnaire.sources)}
    numbers = {
        roles.annual_budget: 180_000,
        roles.annual_costs: 175_000,
        roles.cash_reserves: 40_000,
        roles.largest_funder_share: 35,
    }
    answers: dict = {}
    for index, question in enumerate(questionnaire.questions.values()):
        options = questionnaire.options(question)
        if question.computed_from:
            continue
        if question.id == roles.association_name:
            answers[question.id] = name
        elif question.id == roles.resource_unit:
            answers[question.id] = "euros"
        elif question.type in ("single_choice", "likert"):
            answers[question.id] = options[(2 * index + 1) % len(options)].id
        elif question.type == "multiple_choice":
            answers[question.id] = [o.id for o in options if not o.exclusive][:2]
        elif question.id in numbers:
            answers[question.id] = numbers[question.id]
        elif question.type == "amount" and question.source:
            answers[question.id] = source_amounts[source_index[question.source] % 9]
        elif question.type == "amount":
            answers[question.id] = question.default or 5000
        elif question.type == "percentage":
            answers[question.id] = 40
        elif question.type in ("integer", "decimal"):
            answers[question.id] = 2500 if "heure" in question.id else 12
        else:
            answers[question.id] = f"Réponse libre à « {question.label.get()} »."
    return answers


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("which", ["tiny", "real"])
@pytest.mark.slow
def test_filled_diagnostic_renders_a_readable_pdf_naming_model_and_levers(which, caplog):
    questionnaire = tiny_questionnaire() if which == "tiny" else real_questionnaire()
    answers = tiny_answers() if which == "tiny" else filled_answers(questionnaire)
    result = compute_result(questionnaire, answers)
    assert result.barycentre is not None

    html = build_report_html(questionnaire, answers, result, created_at=CREATED_AT)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(html)
    pages, text = pdf_text(pdf)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "fr" and "/StructTreeRoot" in root  # tagged, with its language

    # Nothing refused, unsupported or unreadable while rendering (fonts, CSS, SVG).
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert pages >= 4
    dominant = questionnaire.model_by_id[result.barycentre.dominant]
    assert squash(dominant.name.get()) in text
    for lever in result.levers:
        assert squash(lever.label) in text
    assert "Diagnostic du modèle socio-économique" in text
    assert "14 mars 2026" in text
    assert "page 2 / " in text


@pytest.mark.slow
def test_report_renders_in_english_with_its_language_tagged():
    questionnaire, answers = tiny_questionnaire(), tiny_answers("Friends of the Park")

    pdf = anyio.run(
        lambda: ReportRenderer(cache_size=0).pdf_for(
            questionnaire, answers, created_at=CREATED_AT, lang="en"
        )
    )
    _, text = pdf_text(pdf)
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]

    assert root["/Lang"] == "en" and "/StructTreeRoot" in root
    assert PdfReader(io.BytesIO(pdf)).metadata.title == (
        "Socio-economic model assessment — Friends of the Park"
    )
    for heading in ("Key points", "Your levers", "Avenues to explore", "Methodology note"):
        assert heading in text
    assert "14 March 2026" in text
    for french in ("L'essentiel", "Vos leviers", "Pistes à explorer", "Note de méthode"):
        assert french not in text
    assert "Diagnostic du modèle socio-économique" not in text  # nor in the running header


@pytest.mark.slow
def test_association_name_is_printed_literally_never_interpreted():
    questionnaire = tiny_questionnaire()
    answers = tiny_answers(NASTY_NAME)
    result = compute_result(questionnaire, answers)

    html = build_report_html(questionnaire, answers, result, created_at=CREATED_AT)
    assert "<b>Les" not in html
    assert "&lt;b&gt;Les" in html
    _, text = pdf_text(render_pdf(html))

    assert NASTY_NAME in text
    assert 'Les "Amis"</b> & 49' not in text


def test_map_svg_escapes_model_names_and_describes_the_barycentre():
    questionnaire = tiny_questionnaire(model_label="<script>alert(1)</script>")
    profile = {sid: 0.0 for sid, _, _ in SOURCES} | PROTOTYPES["modele_3"]
    barycentre = compute_barycentre(profile, PROTOTYPES)

    svg = str(model_map_svg(questionnaire, barycentre))

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'role="img"' in svg and "aria-labelledby=" in svg
    assert "<title" in svg
    assert "modèle 3" in svg and "100" in svg
    assert "gradient" not in svg.lower() and "filter" not in svg.lower()


def test_map_svg_without_resources_asks_for_them():
    svg = str(model_map_svg(tiny_questionnaire(), None))

    assert "Renseignez vos ressources pour vous situer" in svg
    assert svg.count("<circle") == 7


def test_radar_svg_escapes_labels_and_marks_unanswered_axes():
    levers = [
        LeverScore(
            "humain",
            '<img src=x onerror="alert(1)">',
            50.0,
            [
                SubScore("a", "<i>Facette</i> & co", 75.0, [Driver("q", "Question", "Oui", 3, 4)]),
                SubScore("b", "Sans réponse", None),
            ],
        ),
        LeverScore("finance", "Finances", 20.0, [SubScore("c", "Trésorerie", 20.0)]),
    ]

    svg = str(lever_radar_svg(levers))

    assert "<img" not in svg and "<i>" not in svg
    assert "&lt;img" in svg and "&lt;i&gt;Facette&lt;/i&gt; &amp; co" in svg
    assert 'stroke-dasharray="3 3"' in svg  # the unanswered axis
    assert "compté 0" in svg
    assert 'role="img"' in svg and "<title" in svg


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/x.css",
        "http://127.0.0.1:8000/static/css/print.css",
        "file:///etc/passwd",
        (PROJECT_ROOT / "static" / ".." / "pyproject.toml").as_uri(),
        "ftp://example.org/font.ttf",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(URLRefused):
        StaticOnlyURLFetcher().fetch(url)


def test_url_fetcher_serves_the_project_fonts_and_data_urls():
    fetcher = StaticOnlyURLFetcher()
    font = fetcher.fetch((PROJECT_ROOT / "static" / "fonts" / "DejaVuSans.ttf").as_uri())
    data = fetcher.fetch("data:text/plain;base64,b2s=")

    assert font.read()[:4] == b"\x00\x01\x00\x00"
    assert data.read() == b"ok"
    font.close()
    data.close()


def test_pdf_renderer_serves_the_same_bytes_from_its_cache(monkeypatch):
    calls = []

    def counting_render(html: str) -> bytes:
        calls.append(html)
        return render_pdf(html)

    monkeypatch.setattr(report_pdf, "render_pdf", counting_render)
    renderer = ReportRenderer(cache_size=4)
    questionnaire, answers = tiny_questionnaire(), tiny_answers()

    async def twice() -> tuple[bytes, bytes]:
        first = await renderer.pdf_for(questionnaire, answers, created_at=CREATED_AT)
        second = await renderer.pdf_for(questionnaire, dict(answers), created_at=CREATED_AT)
        return first, second

    first, second = anyio.run(twice)

    assert first == second
    assert first.startswith(b"%PDF")
    assert len(calls) == 1


def test_concurrent_requests_for_one_report_render_it_once(monkeypatch):
    calls = []
    monkeypatch.setattr(report_pdf, "render_pdf", lambda html: calls.append(html) or b"%PDF-1.7")
    renderer = ReportRenderer()
    questionnaire, answers = tiny_questionnaire(), tiny_answers()
    results: list[bytes] = []

    async def many() -> None:
        async def one() -> None:
            results.append(await renderer.pdf_for(questionnaire, answers, created_at=CREATED_AT))

        async with anyio.create_task_group() as group:
            for _ in range(5):
                group.start_soon(one)

    anyio.run(many)

    assert results == [b"%PDF-1.7"] * 5
    assert len(calls) == 1


def test_a_changed_answer_or_language_renders_a_new_report(monkeypatch):
    calls = []
    monkeypatch.setattr(report_pdf, "render_pdf", lambda html: calls.append(html) or b"%PDF")
    renderer = ReportRenderer(cache_size=1)
    questionnaire, answers = tiny_questionnaire(), tiny_answers()

    async def scenario() -> None:
        await renderer.pdf_for(questionnaire, answers, created_at=CREATED_AT)
        await renderer.pdf_for(questionnaire, answers | {"r_dons": 9999}, created_at=CREATED_AT)
        await renderer.pdf_for(questionnaire, answers, created_at=CREATED_AT, lang="en")

    anyio.run(scenario)

    assert len(calls) == 3


@pytest.mark.slow
def test_report_without_resources_still_renders():
    questionnaire = tiny_questionnaire()
    answers = {"nom": "Association sans budget"}
    result = compute_result(questionnaire, answers)

    html = build_report_html(questionnaire, answers, result, created_at=CREATED_AT)
    pages, text = pdf_text(render_pdf(html))

    assert pages >= 4
    assert "Renseignez vos ressources pour vous situer" in text


def test_print_stylesheet_only_loads_fonts_from_static():
    css = (PROJECT_ROOT / "static" / "css" / "print.css").read_text()
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls and all(u.strip("\"'").startswith("../fonts/") for u in urls)
    assert Path(PROJECT_ROOT / "static" / "fonts" / "DejaVuSans-Bold.ttf").is_file()


def test_the_garbage_collector_is_paused_only_while_reports_render():
    import gc

    from app.report.pdf import CyclicGcPause

    pause = CyclicGcPause()
    assert gc.isenabled()
    with pause.paused():
        assert not gc.isenabled()
        with pause.paused():  # a second, overlapping render
            assert not gc.isenabled()
        assert not gc.isenabled(), "still paused while the first render runs"
    assert gc.isenabled()
    with pytest.raises(RuntimeError), pause.paused():
        raise RuntimeError("a failing render")
    assert gc.isenabled(), "a failed render must not leave the collector off"
