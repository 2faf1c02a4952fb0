"""A workshop's one state switch, chosen so that a counsellor never has to think about two:
open and live, or closed and frozen. Freezing the results closes the workshop to new joiners,
closing it freezes them; reopening it brings the results back live."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app import formatting
from app.clock import as_utc
from app.i18n import _, current_language
from app.models import Workshop
from app.scoring.result import compute_result
from app.workshops import storage
from app.workshops.freeze import freeze_workshop, result_figures, unfreeze_workshop

PARIS = ZoneInfo("Europe/Paris")


def set_open(*, engine: Engine, store: Any, workshop_id: int, is_open: bool) -> datetime | None:
    """Open (results live again) or close (results frozen now, unless they already are);
    returns the freezing time. Closed first, so nobody joins between the freeze's reads and
    its write; unfrozen first, so a reopened workshop is never open with stale frozen rows."""

    def figures_of(snapshot_id: int, answers: dict[str, Any]) -> dict[str, Any]:
        return result_figures(compute_result(store.for_snapshot(snapshot_id), answers))

    if is_open:
        unfreeze_workshop(engine=engine, workshop_id=workshop_id)
        storage.set_open(engine=engine, workshop_id=workshop_id, is_open=True)
        return None
    storage.set_open(engine=engine, workshop_id=workshop_id, is_open=False)
    # Already frozen: kept as it was. A second click, or a form left open in another tab,
    # must not slip later edits into results the counsellor froze (reopen, then freeze).
    with Session(engine) as session:
        already = session.execute(
            select(Workshop.frozen_at).where(Workshop.id == workshop_id)
        ).scalar_one_or_none()
    if already is not None:
        return already
    return freeze_workshop(engine=engine, workshop_id=workshop_id, figures_of=figures_of)


def frozen_message() -> str:
    return _(
        "Les résultats de cet atelier sont figés : les tours et les retours ne se modifient "
        "plus. Rouvrez l'atelier (résultats en direct) pour les modifier."
    )


def frozen_label(frozen_at: datetime | None) -> str | None:
    """The frozen moment as shown, in Paris time ("Résultats figés le 2 décembre 2026 à
    17 h 40"); None while the results are live."""
    if frozen_at is None:
        return None
    local = as_utc(frozen_at).astimezone(PARIS)
    lang = current_language()
    clock = f"{local:%H} h {local:%M}" if lang == "fr" else f"{local:%H:%M}"
    return _("Résultats figés le %(date)s à %(time)s") % {
        "date": formatting.date(local.date(), lang),
        "time": clock,
    }
