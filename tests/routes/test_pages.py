"""The HTML flow: full pages, htmx partials, and forms that work without JavaScript."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from tests.utils.answers import full_answers
from tests.utils.pages import htmx, start


def test_landing_page_explains_and_offers_to_start(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "landing.html"
    assert "Commencer" in response.text
    assert 'integrity="sha384-' in response.text


def test_starting_shows_the_resume_link_to_keep(client):
    token = start(client)
    response = client.get(f"/d/{token}?nouveau=1")
    assert response.template.name == "home.html"
    assert f"/d/{token}" in response.text
    assert "Gardez ce lien" in response.text
    assert response.headers["x-robots-tag"].startswith("noindex")


def test_each_section_page_renders_with_progress(client, questionnaire):
    token = start(client)
    for section in questionnaire.sections:
        response = client.get(f"/d/{token}/s/{section.id}")
        assert response.status_code == 200
        assert response.template.name == "section.html"
        assert 'id="progress"' in response.text
        assert 'name="present"' in response.text


def test_htmx_autosave_returns_the_saved_state_and_out_of_band_progress(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    response = client.post(f"/d/{token}/q/{name}", data={name: "Les Amis"}, headers=htmx())
    assert response.status_code == 200
    assert response.template.name == "partials/answer_saved.html"
    assert "Enregistré" in response.text
    assert 'id="progress" class="progress" hx-swap-oob="true"' in response.text
    # The section form's record of the stored value follows the save (stale-form guard).
    assert f'name="shown:{name}" value="&#34;Les Amis&#34;"' in response.text
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][name] == "Les Amis"


def test_htmx_autosave_of_a_bad_value_shows_the_message_and_keeps_the_old_one(
    client, questionnaire
):
    token = start(client)
    budget = questionnaire.definition.roles.annual_budget
    client.post(f"/d/{token}/q/{budget}", data={budget: "12 500 €"}, headers=htmx())
    response = client.post(f"/d/{token}/q/{budget}", data={budget: "-3"}, headers=htmx())
    assert response.status_code == 200  # htmx swaps 2xx only
    assert "négative" in response.text
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][budget] == 12500


def test_answering_reveals_dependent_questions_out_of_band(client, questionnaire):
    dependent = next(
        q
        for q in questionnaire.questions.values()
        if q.show_if
        and q.show_if.question
        and q.show_if.op == "eq"
        and questionnaire.section_of[q.id] == questionnaire.section_of[q.show_if.question]
    )
    trigger = dependent.show_if.question
    token = start(client)
    response = client.post(
        f"/d/{token}/q/{trigger}", data={trigger: dependent.show_if.value}, headers=htmx()
    )
    assert f'id="q-{dependent.id}"' in response.text
    assert "hx-swap-oob" in response.text
    section = questionnaire.section_of[dependent.id].id
    page = client.get(f"/d/{token}/s/{section}").text
    assert f'name="present" value="{dependent.id}"' in page


def test_the_form_submits_without_javascript_and_moves_on(client, questionnaire):
    token = start(client)
    first, second = questionnaire.sections[0], questionnaire.sections[1]
    name = questionnaire.definition.roles.association_name
    response = client.post(
        f"/d/{token}/s/{first.id}",
        data={"present": [name], name: "Sans JS", "nav": "next"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/d/{token}/s/{second.id}"
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][name] == "Sans JS"


def test_a_form_with_errors_names_them_and_keeps_the_rest(client, questionnaire):
    token = start(client)
    budget = questionnaire.definition.roles.annual_budget
    section = questionnaire.section_of[budget]
    name = questionnaire.definition.roles.association_name
    client.put(f"/api/diagnostics/{token}/answers", json={name: "Déjà là"})
    response = client.post(
        f"/d/{token}/s/{section.id}",
        data={"present": [budget], budget: "beaucoup", "nav": "next"},
    )
    assert response.status_code == 422
    assert response.template.name == "section.html"
    assert "à corriger" in response.text
    assert "beaucoup" in response.text  # the typed value is shown back for correction
    assert client.get(f"/api/diagnostics/{token}").json()["answers"] == {name: "Déjà là"}


def test_summary_lists_missing_required_answers(client, questionnaire):
    token = start(client)
    response = client.get(f"/d/{token}/recapitulatif")
    assert response.template.name == "summary.html"
    required = [q for q in questionnaire.questions.values() if q.required and not q.show_if]
    for question in required:
        assert str(escape(question.label.fr)) in response.text


def test_results_page_shows_map_radar_indicators_and_cards(client, questionnaire):
    token = start(client)
    client.put(f"/api/diagnostics/{token}/answers", json=full_answers(questionnaire))
    response = client.get(f"/d/{token}/resultats")
    assert response.status_code == 200
    assert response.template.name == "results.html"
    assert response.text.count("<svg") >= 2
    result = client.get(f"/api/diagnostics/{token}/result").json()
    dominant = questionnaire.model_by_id[result["barycentre"]["dominant"]]
    assert dominant.name.fr in response.text
    assert result["cards"][0]["title"] in response.text


def test_results_without_any_answer_do_not_fail(client):
    token = start(client)
    response = client.get(f"/d/{token}/resultats")
    assert response.status_code == 200
    assert "Renseignez vos ressources" in response.text


def test_association_name_is_escaped_in_pages(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    evil = "<script>alert(1)</script> {{ 7*7 }}"
    client.put(f"/api/diagnostics/{token}/answers", json={name: evil})
    for path in (f"/d/{token}", f"/d/{token}/resultats"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page


def test_delete_asks_then_removes(client):
    token = start(client)
    assert client.get(f"/d/{token}/supprimer").template.name == "delete.html"
    response = client.post(f"/d/{token}/supprimer", follow_redirects=False)
    assert response.status_code == 303
    assert client.get(f"/d/{token}").status_code == 404


def test_unknown_tokens_and_sections_get_a_404_page(client):
    response = client.get("/d/nope/resultats")
    assert response.status_code == 404
    assert response.template.name == "error.html"
    token = start(client)
    assert client.get(f"/d/{token}/s/nope").status_code == 404
    assert client.post(f"/d/{token}/q/nope", data={}).status_code == 404


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.slow
def test_any_form_input_gets_a_page_never_a_server_error(client, questionnaire, data):
    """Whatever a browser (or anyone) posts, through htmx or the plain form: a page with the
    message, never a 500, and the section still renders afterwards."""
    token = start(client)
    question = data.draw(
        st.sampled_from(sorted(questionnaire.questions.values(), key=lambda q: q.id))
    )
    values = data.draw(st.lists(st.text(max_size=30), min_size=1, max_size=3))
    form = {question.id: values if len(values) > 1 else values[0]}
    response = client.post(f"/d/{token}/q/{question.id}", data=form, headers=htmx())
    assert response.status_code == 200, response.text
    section = questionnaire.section_of[question.id].id
    plain = client.post(
        f"/d/{token}/s/{section}", data={**form, "present": question.id}, follow_redirects=False
    )
    assert plain.status_code in (303, 422), plain.text
    assert client.get(f"/d/{token}/s/{section}").status_code == 200
    assert client.get(f"/d/{token}/resultats").status_code == 200


def test_percent_mode_explains_what_it_leaves_out_and_odd_totals(client):
    token = start(client)
    answers = {
        "ressources_unite": "percent",
        "ressources_dons": 100,
        "ressources_subventions": 100,
        "benevolat_heures": 1000,
    }
    assert client.put(f"/api/diagnostics/{token}/answers", json=answers).status_code == 200
    result = client.get(f"/api/diagnostics/{token}/result").json()
    assert result["indicators"]["volunteering_share"] is None
    assert result["indicators"]["percent_total"] == 200
    page = client.get(f"/d/{token}/resultats").text
    assert "totalisent 200 %" in page
    assert "le bénévolat valorisé (en euros) ne peut pas s" in page


def test_the_plain_save_button_confirms_the_save(client, questionnaire):
    token = start(client)
    name = questionnaire.definition.roles.association_name
    section = questionnaire.section_of[name].id
    response = client.post(
        f"/d/{token}/s/{section}", data={name: "Les Amis", "present": name, "nav": "save"}
    )
    assert response.status_code == 200
    assert "?enregistre=1" in str(response.url)
    assert "sont enregistrées" in response.text
    assert "Les Amis" in response.text


def test_odd_query_flags_are_ignored(client):
    token = start(client)
    assert client.get("/?supprime=abc").status_code == 200
    assert client.get(f"/d/{token}?nouveau=abc").status_code == 200
    assert client.get(f"/d/{token}/s/projet?enregistre=%ff").status_code == 200


def test_malformed_autosaves_never_erase_an_answer(client, questionnaire):
    token = start(client)
    sector = questionnaire.questions["secteur"]
    first = questionnaire.options(sector)[0].id
    client.post(f"/d/{token}/q/secteur", data={"secteur": first}, headers=htmx())
    missing = client.post(f"/d/{token}/q/secteur", data={}, headers=htmx())
    upload = client.post(
        f"/d/{token}/q/secteur", files={"secteur": ("x.txt", b"hello")}, headers=htmx()
    )
    as_json = client.post(f"/d/{token}/q/secteur", json={"secteur": "autre"}, headers=htmx())
    assert missing.status_code == 200
    assert "Enregistré" not in missing.text
    # Page forms are urlencoded text only: anything else is refused before it is parsed.
    for response in (upload, as_json):
        assert response.status_code == 415
        assert "champs texte" in response.text
    assert client.get(f"/api/diagnostics/{token}").json()["answers"]["secteur"] == first


def test_privacy_page_names_what_is_stored_and_the_only_external_resource(client):
    page = client.get("/confidentialite")
    assert page.status_code == 200
    for mention in ("unpkg.com", "htmx", "csrftoken", "mse_session", "Supprimer mon diagnostic"):
        assert mention in page.text
    assert 'href="/confidentialite"' in client.get("/").text


# Characteristic French chrome of the autodiagnostic pages (none of it comes from the YAML).
FRENCH_CHROME = (
    "Commencer",
    "Rejoindre un atelier",
    "Enregistrer",
    "Partie suivante",
    "(obligatoire)",
    "Avancement",
    "Récapitulatif",
    "Résultats",
    "Télécharger le rapport",
    "Supprimer mon diagnostic",
    "Supprimer définitivement",
    "Fil d'Ariane",
    "Mon diagnostic",
    "à corriger",
    "n'est pas un nombre",
    "n'est pas un montant",
    "Vos trois leviers",
    "Vos indicateurs",
    "Page introuvable",
    "Retour à l'accueil",
)


def assert_english(page, *expected):
    assert page.status_code < 500, page.text
    assert '<html lang="en"' in page.text
    for text in expected:
        assert text in page.text, text
    for french in FRENCH_CHROME:
        assert french not in page.text, french


def test_the_whole_flow_speaks_english_with_the_lang_cookie(client, questionnaire):
    client.cookies.set("lang", "en")
    assert_english(client.get("/"), "Start", "Join a workshop", "How it works")
    token = start(client)
    assert_english(client.get(f"/d/{token}?nouveau=1"), "Keep this link", "Summary")
    for number, section in enumerate(questionnaire.sections, start=1):
        page = client.get(f"/d/{token}/s/{section.id}")
        total = len(questionnaire.sections)
        assert_english(page, f"Part {number} of {total}", "Save", "Progress:", 'aria-label="Bre')

    budget = questionnaire.definition.roles.annual_budget
    section = questionnaire.section_of[budget].id
    bad = client.post(
        f"/d/{token}/s/{section}", data={"present": [budget], budget: "beaucoup", "nav": "next"}
    )
    assert bad.status_code == 422
    assert_english(bad, "1 answer to correct", "&#34;beaucoup&#34; is not an amount")
    assert re.search(rf'<a href="#q-{budget}">[^<]+</a>: ', bad.text), "the field is named"
    negative = client.post(f"/d/{token}/q/{budget}", data={budget: "-3"}, headers=htmx())
    assert "The value cannot be negative." in negative.text
    assert "négative" not in negative.text
    # English number writing: the comma groups thousands, and the form shows it back that way.
    client.post(f"/d/{token}/q/{budget}", data={budget: "12,500"}, headers=htmx())
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][budget] == 12500
    assert 'value="12,500"' in client.get(f"/d/{token}/s/{section}").text

    assert_english(client.get(f"/d/{token}/recapitulatif"), "required answers missing", "By part")
    client.put(f"/api/diagnostics/{token}/answers", json=full_answers(questionnaire))
    assert_english(
        client.get(f"/d/{token}/resultats"),
        "Download the PDF report",
        "Where you stand among the seven models",
        "Your three levers",
        "Ideas for your model",
    )
    assert_english(client.get(f"/d/{token}/recapitulatif"), "All required questions are answered")
    # The sheet's own words are questionnaire answers: their questions' English labels.
    assert_english(
        client.get(f"/d/{token}/fiche"), "Pitch sheet", "What do you expect from new partners?"
    )
    assert_english(client.get(f"/d/{token}/plan"), "My action plan", "First step")
    too_long = client.post(f"/d/{token}/fiche", data={"partner_request": "x" * 5000})
    assert_english(too_long, "The text is longer than")
    assert_english(client.get(f"/d/{token}/supprimer"), "Delete permanently", "Cancel")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert_english(missing, "Page not found", "This page does not exist.", "Back to the home page")
    cross_site = client.post(f"/d/{token}/fiche", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403 and "it came from another site" in cross_site.text
    client.headers.pop("x-csrftoken")
    expired = client.post(f"/d/{token}/fiche", data={"partner_request": "?"})
    assert expired.status_code == 403
    assert "<html lang=en>" in expired.text and "Form expired" in expired.text
    assert "Formulaire" not in expired.text


def test_a_stale_section_form_saves_only_the_fields_its_reader_changed(client, questionnaire):
    """Two tabs: the first draws the section, the second saves a newer answer, then the first
    is submitted without JavaScript with one other field changed. The newer answer stays."""
    token = start(client)
    name = questionnaire.definition.roles.association_name
    section = questionnaire.section_of[name]
    other = next(
        q for q in section.questions if q.id != name and q.type in ("short_text", "long_text")
    )
    client.post(f"/d/{token}/q/{name}", data={name: "Ancien nom"}, headers=htmx())
    stale_page = client.get(f"/d/{token}/s/{section.id}").text
    shown = dict(re.findall(r'name="(shown:[^"]+)" value="([^"]*)"', stale_page))
    assert f"shown:{name}" in shown
    # The other tab saves a newer name.
    client.post(f"/d/{token}/q/{name}", data={name: "Nouveau nom"}, headers=htmx())

    form = {key: html.unescape(value) for key, value in shown.items()}
    response = client.post(
        f"/d/{token}/s/{section.id}",
        data={
            **form,
            "present": [name, other.id],
            name: "Ancien nom",  # as the stale page still shows it
            other.id: "Tapé dans le premier onglet",
            "nav": "save",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    answers = client.get(f"/api/diagnostics/{token}").json()["answers"]
    assert answers[name] == "Nouveau nom"
    assert answers[other.id] == "Tapé dans le premier onglet"

    # A field the reader did change is saved, even over a newer answer: they typed it last.
    response = client.post(
        f"/d/{token}/s/{section.id}",
        data={**form, "present": [name], name: "Nom choisi ici", "nav": "save"},
        follow_redirects=False,
    )
    assert client.get(f"/api/diagnostics/{token}").json()["answers"][name] == "Nom choisi ici"
    # The page drawn after a save carries the new value as its original.
    page = client.get(f"/d/{token}/s/{section.id}").text
    assert f'name="shown:{name}" value="&#34;Nom choisi ici&#34;"' in page
