"""One participant's view as the workshop board builds it, without a database."""

from __future__ import annotations

from app.scoring.result import compute_result
from app.workshops.group import member_view
from app.workshops.storage import GroupMember


def view(questionnaire, number: int, answers: dict):
    from datetime import UTC, datetime

    member = GroupMember(
        diagnostic_id=number,
        participant_id=number,
        number=number,
        sharing="anonymous",
        snapshot_id=1,
        updated_at=datetime.now(UTC),
        joined_at=datetime.now(UTC),
        partner_request="",
    )
    return member_view(member, questionnaire, answers, compute_result(questionnaire, answers))
