"""The follow-up session's before/after, the counsellor's projectable page. Each returning
participant's own before/after is on their group page (app/routes/sharing.py)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.deps import BoardDep, FacilitatorDep, WorkshopDep
from app.i18n import _
from app.report.charts.followup_map import followup_map_svg
from app.web.pages import render
from app.workshops.followup_view import lever_columns, load_follow_up, table_rows

router = APIRouter(include_in_schema=False)


@router.get(
    "/ateliers/{workshop_id:dbid}/avant-apres",
    response_class=HTMLResponse,
    name="workshop_followup",
)
def before_after_page(
    request: Request, facilitator: FacilitatorDep, workshop: WorkshopDep, board: BoardDep
):
    found = load_follow_up(board, workshop)
    if found is None:
        raise HTTPException(
            status_code=404, detail=_("Cet atelier ne fait suite à aucune première séance.")
        )
    current = board.store.current
    moves = [(r.number, r.figures.before.point, r.figures.after.point) for r in found.returning]
    return render(
        request,
        "workshops/before_after.html",
        {
            "facilitator": facilitator,
            "workshop": workshop,
            "follow": found,
            "rows": table_rows(current, found.returning),
            "levers": lever_columns(current),
            "map_svg": followup_map_svg(current, moves, id_prefix="followup-map"),
            "projector": True,
            "wide": True,
        },
    )
