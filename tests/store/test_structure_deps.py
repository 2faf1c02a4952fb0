"""The structure issue 13 asked for, kept: route modules import no other route module and
read the application's state only through app/deps.py; one UTC rule; one diagnostic lock."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from app import crud
from app.clock import as_utc
from app.config import PROJECT_ROOT
from app.db import write_session
from app.locks import lock_diagnostic
from app.models import Diagnostic

ROUTES = sorted((PROJECT_ROOT / "app" / "routes").glob("*.py"))


def test_no_route_module_imports_another():
    borrowed = []
    for path in ROUTES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.routes"):
                borrowed.append((path.name, node.module))
            if isinstance(node, ast.Import):
                borrowed += [
                    (path.name, a.name) for a in node.names if a.name.startswith("app.routes")
                ]
    assert len(ROUTES) >= 10
    assert borrowed == []


def test_routes_read_the_app_state_only_through_deps():
    reading = [p.name for p in ROUTES if "app.state" in p.read_text(encoding="utf-8")]
    assert reading == []


def test_as_utc_makes_every_stored_moment_the_same_aware_utc_moment():
    naive = datetime(2026, 12, 2, 17, 40)
    assert as_utc(naive) == datetime(2026, 12, 2, 17, 40, tzinfo=UTC)
    assert as_utc(naive).tzinfo is UTC
    paris = datetime(2026, 12, 2, 18, 40, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(paris) == datetime(2026, 12, 2, 17, 40, tzinfo=UTC)
    assert as_utc(paris).utcoffset() == timedelta(0)
    assert as_utc(None) is None


def test_lock_diagnostic_finds_by_id_or_token_touches_and_checks_on_the_locked_row(client):
    engine = client.app.state.engine
    snapshot_id = client.app.state.store.current_snapshot_id
    diagnostic = crud.create_diagnostic(engine=engine, snapshot_id=snapshot_id)
    later = datetime(2031, 1, 1, tzinfo=UTC)
    with write_session(engine) as session:
        by_id = lock_diagnostic(session, diagnostic_id=diagnostic.id)
        by_token = lock_diagnostic(session, token=diagnostic.token, touch=later)
        assert tuple(by_id) == tuple(by_token) == (diagnostic.id, snapshot_id)
        # Only if still untouched since 2030: it was touched just now (2031), so not found.
        since = Diagnostic.updated_at < datetime(2030, 1, 1, tzinfo=UTC)
        assert lock_diagnostic(session, diagnostic_id=diagnostic.id, only_if=since) is None
        assert lock_diagnostic(session, diagnostic_id=diagnostic.id + 1000) is None
        assert lock_diagnostic(session, token="unknown-token-0000", touch=later) is None
        session.commit()
    with write_session(engine) as session:
        stored = session.execute(
            select(Diagnostic.updated_at).where(Diagnostic.id == diagnostic.id)
        ).scalar_one()
    assert as_utc(stored) == later
