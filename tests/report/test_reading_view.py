"""The view-model that reads a diagnostic out (app/report/view.py) and its figures: one reading
for the page, the PDF and the pitch sheet; a reading that says where the dominant model does not
fit; the mix chart; map labels that never cover a pole, a label or a marker."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from app.i18n import use_language
from app.report.charts import model_map_svg
from app.report.charts.svg import _CHAR_EM
from app.report.mix_chart import resource_mix_svg
from app.report.pdf import build_report_html
from app.report.pitch import build_pitch_html, pitch_context
from app.report.view import KIND_LABELS, build_view, kind_label
from app.scoring.barycentre import compute_barycentre
from app.scoring.result import compute_result
from tests.utils.answers import bike_workshop, resource_answers, sports_club

SVG = "{http://www.w3.org/2000/svg}"


def read(questionnaire, answers):
    with use_language("fr"):
        result = compute_result(questionnaire, answers, "fr")
        return result, build_view(questionnaire, answers, result)


def test_the_reading_says_where_the_dominant_model_does_not_fit(questionnaire):
    answers = sports_club(questionnaire) | {"association_nom": "US Rurale"}
    result, view = read(questionnaire, answers)
    assert view.dominant.model.id == "militant_benevole"
    # The model is described "without public money": the reading says the club has some.
    public = round(100 * result.amounts["subventions"] / result.indicators["monetary_resources"])
    assert "contrairement à ce modèle" in view.caveat
    assert "argent public" in view.caveat and f"{public}\u00a0%" in view.caveat


def test_a_profile_equal_to_its_model_needs_no_caveat(questionnaire):
    for model in questionnaire.models:
        answers = resource_answers(questionnaire, model.prototype)
        _result, view = read(questionnaire, answers)
        assert view.dominant.model.id == model.id
        assert view.caveat == "", model.id
        assert view.mix_sentences == [], model.id


def test_the_interest_reading_comes_from_the_table_and_names_the_money_view(questionnaire):
    result, view = read(questionnaire, sports_club(questionnaire))
    exchange = sum(cell["exchange"] for cell in result.resource_matrix.values())
    assert exchange < 0.5 <= result.indicators["exchange_share"]
    assert "intérêt général" in view.interest_reading[0]
    assert "Sur l'argent seul" in view.interest_reading[1]
    assert "opérateur d'utilité sociale" in view.interest_reading[1]


def test_an_operator_reads_as_an_operator_once(questionnaire):
    answers = resource_answers(questionnaire, {"commande_publique": 0.8, "ventes": 0.2})
    _result, view = read(questionnaire, answers)
    assert len(view.interest_reading) == 1
    assert "opérateur d'utilité sociale" in view.interest_reading[0]


def test_both_placements_are_explained_only_when_they_differ(questionnaire):
    _result, club = read(questionnaire, sports_club(questionnaire))
    assert len(club.placement_sentences) == 2
    assert club.money_dominant.model.id != club.dominant.model.id
    assert "financeur" in club.placement_sentences[1]
    _result, bike = read(questionnaire, bike_workshop(questionnaire))
    assert bike.placement_sentences == []


def test_the_mix_compares_the_association_with_its_two_closest_models(questionnaire):
    result, view = read(questionnaire, sports_club(questionnaire))
    rows = {row.source: row for row in view.mix_rows}
    assert rows["subventions"].own == pytest.approx(result.profile["subventions"])
    assert rows["subventions"].dominant == view.dominant.model.prototype.get("subventions", 0)
    assert rows["ventes"].runner_up == view.runner_up.model.prototype["ventes"]
    assert any(sentence.startswith("Subventions publiques") for sentence in view.mix_sentences)
    with use_language("fr"):
        svg = str(resource_mix_svg(view))
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}desc").text
    # One bar per series and source, when its share is not zero; each series in the legend.
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Votre association" in texts
    assert sum(1 for t in texts if t and "(profil type)" in t) == 2


def test_page_pdf_and_pitch_sheet_say_the_same_thing(client, questionnaire):
    answers = sports_club(questionnaire) | {"association_nom": "US Rurale"}
    token = client.post("/api/diagnostics").json()["token"]
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    page = html.unescape(client.get(f"/d/{token}/resultats").text)
    result, view = read(questionnaire, answers)
    with use_language("fr"):
        report = html.unescape(
            build_report_html(questionnaire, answers, result, created_at=date(2026, 12, 2))
        )
        pitch = html.unescape(
            build_pitch_html(
                pitch_context(
                    questionnaire,
                    answers,
                    result,
                    association_name=view.display_name,
                    partner_request="",
                    created_at=date(2026, 12, 2),
                )
            )
        )
        we_sentence = html.unescape(str(view.model_sentence("we")))
        you_sentence = html.unescape(str(view.model_sentence()))
    for text in (page, report):
        assert view.caveat in text
        assert view.interest_reading[0] in text
        assert view.placement_sentences[0] in text
    assert you_sentence in page
    assert we_sentence in pitch
    # No leftover reading that contradicts the table ("du côté des opérateurs…").
    assert "vous situent du côté" not in report


def test_card_kind_labels_come_from_one_place(client, questionnaire):
    assert {kind_label(kind) for kind in KIND_LABELS} == {
        "Augmenter les ressources",
        "Réduire les coûts",
        "Richesses humaines",
        "Alliances",
    }
    assert kind_label("unknown") == "unknown"


# --- Map labels -----------------------------------------------------------------------------


def _boxes(svg: str):
    """(text, box) of every text, and the box of every circle and polygon marker."""
    root = ET.fromstring(svg)
    texts = []
    for node in root.iter(f"{SVG}text"):
        if node.get("stroke"):  # the white halo copy under a label
            continue
        x, y, size = float(node.get("x")), float(node.get("y")), float(node.get("font-size"))
        width = len(node.text or "") * size * _CHAR_EM
        anchor = node.get("text-anchor", "start")
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        texts.append((node.text, (left, y - size * 0.8, left + width, y + size * 0.25)))
    circles = [
        (
            float(c.get("cx")) - float(c.get("r")),
            float(c.get("cy")) - float(c.get("r")),
            float(c.get("cx")) + float(c.get("r")),
            float(c.get("cy")) + float(c.get("r")),
        )
        for c in root.iter(f"{SVG}circle")
    ]
    diamonds = []
    for polygon in root.iter(f"{SVG}polygon"):
        points = [tuple(map(float, p.split(","))) for p in polygon.get("points").split()]
        if len(points) == 4:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            diamonds.append((min(xs), min(ys), max(xs), max(ys)))
    return texts, circles, diamonds


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("size", [420, 300])
def test_you_never_covers_a_pole_a_label_or_a_marker_even_on_a_corner(questionnaire, size):
    prototypes = {m.id: m.prototype for m in questionnaire.models}
    sources = [s.id for s in questionnaire.sources]
    corners = [{s: model.prototype.get(s, 0.0) for s in sources} for model in questionnaire.models]
    centre = {s: sum(m.prototype.get(s, 0.0) for m in questionnaire.models) / 7 for s in sources}
    for profile in [*corners, centre]:
        barycentre = compute_barycentre(profile, prototypes)
        money = compute_barycentre(
            corners[
                (questionnaire.models.index(questionnaire.model_by_id[barycentre.dominant]) + 1) % 7
            ],
            prototypes,
        )
        with use_language("fr"):
            svg = str(model_map_svg(questionnaire, barycentre, size=size, money_only=money))
        texts, circles, diamonds = _boxes(svg)
        legend_top = min(box[1] for text, box in texts if text == "Modèle dominant")
        map_texts = [(t, b) for t, b in texts if b[1] < legend_top]
        mine = [(t, b) for t, b in map_texts if t in ("Vous", "Argent seul")]
        assert len(mine) == 2
        others = [b for t, b in map_texts if t not in ("Vous", "Argent seul")]
        markers = circles + [d for d in diamonds if d[1] < legend_top]
        for text, box in mine:
            assert not any(_overlap(box, other) for other in others), (text, barycentre.dominant)
            assert not any(_overlap(box, marker) for marker in markers), (text, barycentre.dominant)
        assert not _overlap(mine[0][1], mine[1][1])


def test_the_map_draws_no_shape_without_meaning(questionnaire):
    barycentre = compute_barycentre(
        {s.id: questionnaire.models[0].prototype.get(s.id, 0.0) for s in questionnaire.sources},
        {m.id: m.prototype for m in questionnaire.models},
    )
    svg = str(model_map_svg(questionnaire, barycentre))
    # The old inner "depth" polygon had no legend: gone. Poles, lines and markers are legended.
    assert 'stroke-dasharray="2 3"' not in svg
    # The outline of the models, the marker (a white halo under a black diamond) and its
    # legend sample (the same two layers).
    assert svg.count("<polygon") == 1 + 2 + 2
    assert re.search(r"Votre position", svg)


def test_published_figures_are_cited_beside_prototypes_and_in_the_method_note(questionnaire):
    cited = [m for m in questionnaire.models if m.published_figures]
    assert cited, "models.yaml cites published figures"
    for model in cited:
        for figure in model.published_figures:
            assert figure.source and 1990 <= figure.year <= 2100 and figure.text.en
    answers = sports_club(questionnaire)
    with use_language("fr"):
        result = compute_result(questionnaire, answers, "fr")
        report = html.unescape(
            build_report_html(questionnaire, answers, result, created_at=date(2026, 12, 2))
        )
    assert "Chiffres publiés cités" in report
    for model in cited:
        figure = model.published_figures[0]
        assert f"{figure.source}, {figure.year}" in report


def test_a_published_figure_without_a_year_is_refused(tmp_path):
    from app.questionnaire.loader import load_questionnaire
    from tests.utils.mini import MINI_YAML

    broken = MINI_YAML.replace(
        "    prototype: {dons: 0.8, ventes: 0.1, subventions: 0.1}\n",
        "    prototype: {dons: 0.8, ventes: 0.1, subventions: 0.1}\n"
        "    published_figures: [{text: Un chiffre, source: Une enquête}]\n",
        1,
    )
    (tmp_path / "q.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(Exception, match="year"):
        load_questionnaire(tmp_path)


def test_the_indicator_table_reads_general_interest_as_the_summary_does(questionnaire):
    from app.readings import indicator_rows

    answers = sports_club(questionnaire)
    with use_language("fr"):
        result, view = read(questionnaire, answers)
        rows = indicator_rows(questionnaire, result, "fr")
    exchange_row = rows[0]
    for sentence in view.interest_reading:
        assert sentence in exchange_row["meaning"]
    assert "Lecture : opérateur" not in exchange_row["meaning"]
