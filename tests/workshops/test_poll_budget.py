"""A board poll recomputes at most a budget of changed results (the stalest first); the others
keep their last result and catch up at the next polls (app/workshops/group.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.workshops.group import ResultCache, member_views
from app.workshops.storage import GroupMember
from tests.utils.answers import full_answers

START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def members_at(moment: datetime, count: int) -> list[GroupMember]:
    return [
        GroupMember(
            participant_id=n,
            number=n,
            sharing="named",
            joined_at=START,
            diagnostic_id=100 + n,
            snapshot_id=1,
            updated_at=moment + timedelta(seconds=n),
            partner_request="",
        )
        for n in range(1, count + 1)
    ]


def test_a_poll_recomputes_a_budget_of_results_and_the_rest_catch_up(questionnaire):
    computed: list[int] = []

    def load(ids: list[int]):
        computed.extend(ids)
        return {i: full_answers(questionnaire, name=f"Asso {i}") for i in ids}

    cache = ResultCache()
    first = members_at(START, 5)
    # Never computed: all of them, whatever the budget (there is nothing else to show).
    member_views(first, lambda _: questionnaire, load, cache, budget=2)
    assert sorted(computed) == [101, 102, 103, 104, 105]

    # All five changed: two recomputed per poll, the stalest first, three shown a poll behind.
    changed = members_at(START + timedelta(minutes=1), 5)
    computed.clear()
    stale: list[int] = []
    views = member_views(changed, lambda _: questionnaire, load, cache, budget=2, stale=stale)
    assert computed == [101, 102] and sorted(stale) == [3, 4, 5]
    assert len(views) == 5 and all(v.result is not None for v in views)
    computed.clear()
    stale.clear()
    member_views(changed, lambda _: questionnaire, load, cache, budget=2, stale=stale)
    assert computed == [103, 104] and stale == [5]
    computed.clear()
    stale.clear()
    member_views(changed, lambda _: questionnaire, load, cache, budget=2, stale=stale)
    assert computed == [105] and stale == []
    # Up to date: nothing to recompute.
    computed.clear()
    member_views(changed, lambda _: questionnaire, load, cache, budget=2)
    assert computed == []
