"""A diagnostic keeps the questionnaire it was answered with: after the YAML changes (new
version, a question removed, a label reworded), it still renders with its own questions, while
new diagnostics get the new version."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.main import create_app
from tests.utils.clients import csrf_ready
from tests.utils.questionnaires import REMOVED_QUESTION, edited_questionnaire
from tests.utils.settings import make_settings

pytestmark = pytest.mark.slow

OLD_LABEL = "Qu'est-ce qui rend votre projet unique ?"
NEW_LABEL = "Ce qui distingue votre projet"


def test_old_diagnostics_render_after_the_questionnaire_changes(database_url, tmp_path):
    old_app = create_app(make_settings(database_url))
    with TestClient(old_app) as client:
        csrf_ready(client)
        token = client.post("/api/diagnostics").json()["token"]
        saved = client.put(
            f"/api/diagnostics/{token}/answers",
            json={
                "association_nom": "Les Jardins Partagés",
                REMOVED_QUESTION: "Un potager ouvert à tous les habitants du quartier",
            },
        )
        assert saved.status_code == 200, saved.text

    new_app = create_app(
        make_settings(database_url, questionnaire_path=edited_questionnaire(tmp_path))
    )
    with TestClient(new_app) as client:
        csrf_ready(client)
        # The new questionnaire is served to newcomers...
        assert client.get("/api/questionnaire").json()["version"] == "2026.2"
        fresh = client.post("/api/diagnostics").json()["token"]
        refused = client.put(f"/api/diagnostics/{fresh}/answers", json={REMOVED_QUESTION: "x"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["field"] == REMOVED_QUESTION

        # ... while the old diagnostic keeps its questions, its answers and its version.
        answers = client.get(f"/api/diagnostics/{token}").json()
        assert answers["answers"][REMOVED_QUESTION].startswith("Un potager")
        section = client.get(f"/d/{token}/s/projet")
        assert section.status_code == 200
        assert re.search(r"Qu(&#39;|')est-ce qui rend votre projet unique", section.text)
        assert client.get(f"/d/{token}/resultats").status_code == 200
        still_editable = client.put(
            f"/api/diagnostics/{token}/answers", json={REMOVED_QUESTION: "Un verger aussi"}
        )
        assert still_editable.status_code == 200

        pdf = client.get(f"/api/diagnostics/{token}/report.pdf")
        assert pdf.status_code == 200
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        squashed = re.sub(r"\s+", " ", text)
        assert "version 2026.1" in squashed
        assert "Un verger aussi" in squashed
