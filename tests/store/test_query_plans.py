"""The hot queries run on an index, on SQLite and PostgreSQL, so a missing index fails the suite
rather than a user with 100 000 diagnostics in the database.

The SQL is not copied here: every statement the app sends while a counsellor runs a workshop,
associations answer, and the retention purge runs is captured (SQLAlchemy's
`before_cursor_execute`), then each captured SELECT, UPDATE and DELETE is explained with its own
parameters. A table read whole fails: "SCAN <table>" in SQLite's query plan (a SEARCH, or a
scan of a subquery's result, is fine), a "Seq Scan" node on PostgreSQL, or on either an index
read from end to end rather than searched. The test tables are
tiny, so PostgreSQL's planner would rightly prefer sequential scans: the plans are taken with
`enable_seqscan = off`, which leaves a sequential scan only where no index can serve the query.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, update
from sqlmodel import SQLModel

from app import retention
from app.models import Diagnostic, FacilitatorSession, Workshop, utcnow
from tests.utils.answers import full_answers
from tests.utils.clients import csrf_ready

PASSWORD = "une phrase de passe"
TABLES = set(SQLModel.metadata.tables)
_EXPLAINED = itertools.count()

# Each hot query the issue names, as a pattern of the SQL the app sends: the scenario below must
# send at least one statement of each kind (so the test cannot pass by capturing nothing), and
# every statement it sends must run on an index.
HOT = {
    "token lookup": r"FROM diagnostic\b.*WHERE diagnostic\.token = ",
    "answers of a diagnostic": r"FROM answer\b.*WHERE answer\.diagnostic_id = ",
    "a workshop's participants": r"FROM participant\b.*participant\.workshop_id = ",
    "a participant's diagnostic": r"JOIN diagnostic ON diagnostic\.id = participant\.diagnostic_id",
    "the diagnostics' workshops": r"WHERE participant\.diagnostic_id = ",
    "the plan of a diagnostic": r"WHERE action_plan\.diagnostic_id = ",
    "the round of a participant": r"WHERE workshop_round\.participant_id = ",
    "session lookup": r"WHERE facilitator_session\.token_hash = ",
    "purge: untouched diagnostics": r"WHERE diagnostic\.updated_at < ",
    "purge: old workshops": r"WHERE workshop\.created_at < ",
    "purge: expired sessions": r"WHERE facilitator_session\.expires_at < ",
}


@contextmanager
def captured(
    engine: Engine, statements: list[tuple[str, object]] | None = None
) -> Iterator[list[tuple[str, object]]]:
    """Every single statement (SQL text and parameters) the engine sends while the block runs,
    appended to `statements` (a new list by default)."""
    statements = [] if statements is None else statements

    def keep(_connection, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def explainable(statement: str) -> bool:
    head = statement.lstrip().split(None, 1)[0].upper()
    return head in ("SELECT", "UPDATE", "DELETE") and re.search(r"\b(FROM|UPDATE)\b", statement)


def full_scans(connection: Connection, statement: str, parameters) -> list[str]:
    """The tables the statement reads whole, according to the database's own plan."""
    if connection.dialect.name == "sqlite":
        # A fresh comment each time: sqlite3 caches prepared statements by text, and a cached
        # EXPLAIN keeps the plan of the schema it was prepared with (an index since dropped).
        explain = f"EXPLAIN QUERY PLAN /* {next(_EXPLAINED)} */ {statement}"
        rows = connection.exec_driver_sql(explain, parameters).all()
        scanned = []
        for row in rows:
            # "SCAN t", and "SCAN t USING [COVERING] INDEX i" (the whole index, in its order:
            # as long as the table); "SEARCH t USING …" is a lookup.
            found = re.match(r"SCAN (?:TABLE )?(\w+)", row[-1])
            if found and found.group(1) in TABLES:
                scanned.append(found.group(1))
        return scanned
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    scanned = []

    def walk(node: dict) -> None:
        kind, table = node.get("Node Type"), node.get("Relation Name")
        # An index scan without a condition reads the whole index (for its order, or because
        # no index fits and sequential scans are off): as long as the table.
        whole_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        if table in TABLES and (kind == "Seq Scan" or whole_index):
            scanned.append(table)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return scanned


def plans(engine: Engine, statements: list[tuple[str, object]]) -> dict[str, list[str]]:
    """{statement: tables it reads whole} for each explainable statement, each explained in a
    transaction rolled back (an UPDATE or DELETE is only planned, never run)."""
    result = {}
    with engine.connect() as connection:
        for statement, parameters in statements:
            if statement in result or not explainable(statement):
                continue
            with connection.begin() as transaction:
                result[statement] = full_scans(connection, statement, parameters)
                transaction.rollback()
    return result


# --- The scenario: everything a busy instance does ----------------------------------------


def visitor(client: TestClient) -> TestClient:
    return csrf_ready(TestClient(client.app, follow_redirects=True))


def ok(response):
    assert response.status_code < 400, (response.request.url, response.status_code)
    return response


def run_the_app(client: TestClient, questionnaire) -> list[tuple[str, object]]:
    """A counsellor runs a workshop with two associations; they answer, read their results and
    plan, one presents in an open round; the purge runs over a stale diagnostic, an old
    workshop and an expired session. Returns what the app sent (not the test's own set-up)."""
    engine = client.app.state.engine
    with captured(engine) as statements:
        workshop_id = run_a_workshop(client, questionnaire)
        stale = ok(client.post("/api/diagnostics")).json()["token"]
    # Something for each of the purge's deletions to find.
    long_ago = utcnow() - timedelta(days=800)
    with engine.begin() as connection:
        connection.execute(
            update(Diagnostic).where(Diagnostic.token == stale).values(updated_at=long_ago)
        )
        connection.execute(
            update(Workshop).where(Workshop.id == workshop_id).values(created_at=long_ago)
        )
        connection.execute(update(FacilitatorSession).values(expires_at=long_ago))
    with captured(engine, statements):
        deleted = retention.purge(engine=engine, cutoff=utcnow() - timedelta(days=730))
    assert deleted.diagnostics == 1 and deleted.sessions == 1
    return statements


def run_a_workshop(client: TestClient, questionnaire) -> int:
    ok(
        client.post(
            "/compte/inscription",
            data={
                "email": "plans@dla69.fr",
                "name": "Camille",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
    )
    created = ok(client.post("/ateliers", data={"title": "Atelier", "held_on": "2026-12-03"}))
    workshop_id = int(created.url.path.rsplit("/", 1)[1])
    code = re.search(r'class="join-code">([^<]+)<', created.text).group(1)
    tokens = []
    for number, sharing in enumerate(("named", "anonymous")):
        phone = visitor(client)
        joined = ok(
            phone.post(f"/rejoindre/{code}", data={"diagnostic": "new", "sharing": sharing})
        )
        token = re.search(r"/d/([^/?]+)", str(joined.url)).group(1)
        tokens.append(token)
        answers = full_answers(questionnaire, name=f"Association {number}")
        ok(phone.put(f"/api/diagnostics/{token}/answers", json=answers))
        ok(phone.get(f"/d/{token}/s/{questionnaire.sections[0].id}"))
        name = questionnaire.definition.roles.association_name
        htmx = {"HX-Request": "true"}
        ok(phone.post(f"/d/{token}/q/{name}", data={name: f"Asso {number}"}, headers=htmx))
        ok(phone.get(f"/d/{token}/resultats"))
        ok(phone.get(f"/d/{token}/plan"))
        ok(phone.get(f"/api/diagnostics/{token}"))
        home = ok(phone.get(f"/d/{token}")).text
        membership = re.search(rf"/d/{token}/ateliers/(\d+)/tour", home).group(1)
        if number == 1:
            ok(phone.get(f"/d/{token}/ateliers/{membership}/tour"))
    base = f"/ateliers/{workshop_id}/participants/1"
    ok(client.post(f"{base}/tour", data={"open": "1"}))
    ok(client.get(f"/ateliers/{workshop_id}"))
    ok(client.get(f"/ateliers/{workshop_id}/tableau"))
    ok(client.get(base))
    ok(client.get(f"{base}/direct"))
    ok(client.get("/ateliers"))
    return workshop_id


@pytest.fixture
def explained(client, questionnaire) -> dict[str, list[str]]:
    return plans(client.app.state.engine, run_the_app(client, questionnaire))


def test_every_hot_query_is_sent_and_every_query_runs_on_an_index(explained):
    missing = [
        name
        for name, pattern in HOT.items()
        if not any(re.search(pattern, sql, re.DOTALL) for sql in explained)
    ]
    assert missing == [], f"the scenario no longer sends these queries: {missing}"
    scans = {" ".join(sql.split()): tables for sql, tables in explained.items() if tables}
    assert scans == {}, "tables read whole:\n" + "\n".join(
        f"{tables}: {sql}" for sql, tables in scans.items()
    )


@pytest.mark.parametrize(
    ("index", "table", "query"),
    [
        ("ix_diagnostic_updated_at", "diagnostic", "purge: untouched diagnostics"),
        ("ix_facilitator_session_expires_at", "facilitator_session", "purge: expired sessions"),
        ("ix_workshop_created_at", "workshop", "purge: old workshops"),
        ("ix_participant_joined_at", "participant", "purge: untouched diagnostics"),
    ],
)
def test_a_dropped_index_is_caught(client, questionnaire, index, table, query):
    """The check itself works: without the index, the same captured query reads its table
    whole (the index is dropped inside a transaction that is rolled back)."""
    engine = client.app.state.engine
    if index == "ix_participant_joined_at" and engine.dialect.name == "sqlite":
        pytest.skip("SQLite looks for recent links per diagnostic, on ix_participant_diagnostic_id")
    statements = run_the_app(client, questionnaire)
    sql, parameters = next(
        (sql, parameters)
        for sql, parameters in statements
        if re.search(HOT[query], sql, re.DOTALL) and explainable(sql)
    )
    with engine.connect() as connection, connection.begin() as transaction:
        assert table not in full_scans(connection, sql, parameters)
        connection.exec_driver_sql(f"DROP INDEX {index}")
        assert table in full_scans(connection, sql, parameters)
        transaction.rollback()
