"""Sharing back: a participant's group page and take-away PDF. Both hang off the participant's
own membership (the diagnostic's token in the path, the membership checked to be its own), so
only members of a workshop ever see its group: anyone else gets 404."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from app.deps import BoardDep, DiagnosticDep, ReportsDep
from app.i18n import _
from app.report.charts.followup_map import followup_map_svg
from app.templating import jinja_env
from app.web.downloads import download, today_in_france
from app.web.pages import render
from app.workshops import storage
from app.workshops.board import Board
from app.workshops.followup_view import lever_columns, load_follow_up, table_rows
from app.workshops.opening import frozen_label
from app.workshops.sharing import MIN_GROUP, load_summary, shared_group
from app.workshops.source import plans_of

router = APIRouter(include_in_schema=False)


def _context(board: Board, opened, participant_id: int) -> dict:
    engine = board.engine
    membership = storage.membership(
        engine=engine, diagnostic_id=opened.diagnostic.id, participant_id=participant_id
    )
    if membership is None:
        raise HTTPException(status_code=404, detail=_("Participation introuvable."))
    workshop = next(
        w
        for p, w in storage.memberships(engine=engine, diagnostic_id=opened.diagnostic.id)
        if p.id == membership.id
    )
    summary = load_summary(board, workshop.id)
    # Frozen plans with frozen results, once the workshop's results are frozen.
    plans = plans_of(engine=engine, members=[v.member for v in summary.members])
    return {
        "token": opened.diagnostic.token,
        "membership": membership,
        "workshop": workshop,
        "group": shared_group(board, summary, membership.number, plans),
        "questionnaire": board.store.current,
        "min_group": MIN_GROUP,
        "frozen_label": frozen_label(workshop.frozen_at),
        "cards": {card.id: card for card in board.store.current.definition.cards},
    }


@router.get(
    "/d/{token}/ateliers/{participant_id:dbid}/groupe",
    response_class=HTMLResponse,
    name="membership_group",
)
def group_page(request: Request, opened: DiagnosticDep, board: BoardDep, participant_id: int):
    context = _context(board, opened, participant_id)
    context["before_after"] = _own_before_after(board, context["workshop"], context["membership"])
    return render(request, "join/group.html", context)


def _own_before_after(board: Board, workshop, membership) -> dict | None:
    """In a follow-up session, this participant's own before/after (None elsewhere)."""
    found = load_follow_up(board, workshop)
    if found is None:
        return None
    mine = [item for item in found.returning if item.member.participant_id == membership.id]
    current = board.store.current
    moves = [(r.number, r.figures.before.point, r.figures.after.point) for r in mine]
    return {
        "follow": found,
        "rows": table_rows(current, mine),
        "levers": lever_columns(current),
        "map_svg": followup_map_svg(current, moves, size=420, id_prefix="own-followup-map")
        if mine
        else None,
    }


@router.get("/d/{token}/ateliers/{participant_id:dbid}/bilan.pdf", name="membership_takeaway")
async def takeaway_pdf(
    opened: DiagnosticDep, board: BoardDep, reports: ReportsDep, participant_id: int
):
    context = await run_in_threadpool(_context, board, opened, participant_id)
    context["created_at"] = today_in_france()
    html = jinja_env.get_template("report/takeaway.html").render(context)
    pdf = await reports.pdf_of_html(html)
    workshop = context["workshop"]
    return download(
        pdf, "application/pdf", f"bilan-atelier-{workshop.id}-{today_in_france():%Y-%m-%d}.pdf"
    )
