"""Scale benchmark: every measured page, and the retention purge, on a database holding
`--diagnostics` (100 000) diagnostics against an empty one. Prints figures and ratios; never
asserts on timing. Target (issue 13): within 1.2x of the empty database for every page and for
the purge.

For each backend (`--backend sqlite|postgresql|both`, default both): the pages on an empty
database, then on a generated one; the purge on a small generated one, then on the large one.
A generated database holds:
- `--diagnostics` diagnostics of the current questionnaire, each with a complete set of
  answers (69 with the questionnaire of this repository: 6.9 million answer rows for 100 000),
  last changed between 0 and 1 000 days ago (uniformly), so a retention of 770 days finds
  about 23 % of them stale, as the issue's measure did;
- one counsellor per 1 000 diagnostics, one workshop per 200 diagnostics with 20 participants
  each (created, and joined, between 0 and 1 000 days ago), and one counsellor session per 5
  diagnostics, half of them expired.
Generation goes around the app: diagnostics, workshops and sessions in batches
(executemany on SQLite, COPY on PostgreSQL), answers with one INSERT … SELECT per batch of
10 000 diagnostics from a table of 50 answer sets validated by the app's own validation. Then
PostgreSQL gets VACUUM ANALYZE (what autovacuum would do); SQLite gets nothing (the app never
runs ANALYZE, so its planner works without statistics, as in production).

Then the room and the pages, against one uvicorn process per database (as `make run` serves),
the empty one's and the large one's running side by side: on each, a room is made over HTTP (a
counsellor, a workshop, `--participants` associations with complete diagnostics, the first
one's round open), and each page is timed `--requests` times, one request at a time, the two
servers taking turns request by request (so a load spike on a shared machine hits both alike),
by the client (sending the request to reading the whole answer), after 10 untimed warm-up
requests: API save (`PUT /api/diagnostics/{token}/answers`, one answer), htmx save (`POST
/d/{token}/q/{question}`), section page, results page, plan page, workshop board poll (the
htmx partial, without a version: rendered every time), round screen, and the report PDF
(`--pdf-requests` times, each after an untimed save so the report cache misses: a cold render).

The purge: what `mse purge --days 770` runs (app.retention.purge), called in this process
(without the command's start-up and migration check, which do not depend on the data), timed
in two parts: finding the rows (the stale diagnostics with their answer counts, and the stale
workshops) and the whole purge (finding, then one transaction per diagnostic and workshop, and
the expired sessions; on the large database the room's sign-up has already deleted them, as
every sign-in does). An empty database has nothing to purge, so the purge is compared with a
small database of the same shape (`--baseline-diagnostics`, 1 000): per stale diagnostic found,
and per diagnostic deleted (the work is one transaction per row: a total grows with the rows by
design; what must not grow is the cost of each).

Also printed: the time the generation took, and the size of each table and index.

Backends: SQLite on temporary files; PostgreSQL on three databases named after `--pg-url`
(default postgresql://postgres@127.0.0.1:5432/bench_scale: bench_scale_small, _empty and
_large), created if missing, their `public` schema dropped and recreated each run: never
point it at a server whose databases of those names you care about.

    .venv/bin/python bench/bench_scale.py [--backend both] [--diagnostics 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import crud, retention  # noqa: E402
from app.db import create_db_engine, migrate  # noqa: E402
from app.questionnaire.answers import validate_answers  # noqa: E402
from app.questionnaire.loader import load_questionnaire  # noqa: E402
from app.questionnaire.model import Questionnaire  # noqa: E402
from bench.bench_workshop import (  # noqa: E402
    SERVER_ENV,
    TIMEOUT,
    fresh_postgres,
    ok,
    percentile,
    set_up_room,
    varied_answers,
)
from tests.utils.live_server import live_server  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_scale"
HTMX = {"HX-Request": "true"}
# Ages spread over 1 000 days; a retention of 770 days finds the oldest 23 % stale.
SPAN_DAYS = 1000
RETENTION_DAYS = 770
ANSWER_SETS = 50
BATCH = 10_000
WARM_UP = 10
TARGET = 1.2
PDF = "report PDF (cold)"


# --- Databases ----------------------------------------------------------------------------


@contextmanager
def database(backend: str, pg_url: str, name: str) -> Iterator[str | None]:
    """A clean database URL (None: PostgreSQL unreachable), migrated; on PostgreSQL the
    database `--pg-url` names, followed by "_" and `name`."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/{name}.sqlite3"
            migrate(url)
            yield url
        return
    parsed = make_url(pg_url)
    named = parsed.set(database=f"{parsed.database}_{name}").render_as_string(False)
    url = fresh_postgres(named)
    if url is not None:
        migrate(url)
    yield url


# --- Generation ---------------------------------------------------------------------------


def stamp(engine: Engine, moment: datetime):
    # SQLAlchemy's own storage format for SQLite (UTC, no offset), a datetime for psycopg.
    if engine.dialect.name == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def bulk_insert(connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        # A statement through SQLAlchemy first, so the COPY runs in its transaction (and the
        # caller's commit() commits it).
        connection.exec_driver_sql("SELECT 1")
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def answer_sets(questionnaire: Questionnaire) -> list[tuple[int, str, str]]:
    """(set, question id, stored JSON) for `ANSWER_SETS` complete diagnostics, each validated
    by the app, so the stored values are what the app itself stores."""
    rows = []
    for number in range(ANSWER_SETS):
        valid, errors = validate_answers(questionnaire, varied_answers(questionnaire, number))
        assert not errors, errors
        rows += [
            (number, question_id, json.dumps(value, ensure_ascii=False))
            for question_id, value in valid.items()
        ]
    return rows


@dataclass
class Generated:
    diagnostics: int = 0
    answers: int = 0
    workshops: int = 0
    participants: int = 0
    sessions: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


def generate(url: str, questionnaire: Questionnaire, diagnostics: int, seed: int = 13) -> Generated:
    rng = random.Random(seed)
    engine = create_db_engine(url)
    snapshot_id = crud.ensure_snapshot(engine=engine, questionnaire=questionnaire)
    now = datetime.now(UTC)
    out = Generated(diagnostics=diagnostics)
    started = time.perf_counter()

    def ago() -> datetime:
        return now - timedelta(days=rng.uniform(0, SPAN_DAYS))

    def step(name: str, since: float) -> float:
        out.steps[name] = time.perf_counter() - since
        return time.perf_counter()

    mark = started
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # A throw-away database: no need to sync each batch to disk (outside a transaction,
            # hence on the driver's connection, before SQLAlchemy begins one).
            connection.connection.dbapi_connection.execute("PRAGMA synchronous=OFF")
        connection.exec_driver_sql(
            "CREATE TABLE bench_answer_set (answer_set INTEGER, question_id VARCHAR(64), "
            "value_json TEXT)"
        )
        bulk_insert(
            connection,
            "bench_answer_set",
            ("answer_set", "question_id", "value_json"),
            answer_sets(questionnaire),
        )
        connection.commit()
        columns = ("id", "token", "snapshot_id", "created_at", "updated_at", "partner_request")
        for first in range(1, diagnostics + 1, BATCH):
            last = min(diagnostics, first + BATCH - 1)
            rows = []
            for diagnostic_id in range(first, last + 1):
                updated = ago()
                created = updated - timedelta(days=rng.uniform(0, 30))
                rows.append(
                    (
                        diagnostic_id,
                        secrets.token_urlsafe(crud.TOKEN_BYTES),
                        snapshot_id,
                        stamp(engine, created),
                        stamp(engine, updated),
                        "",
                    )
                )
            bulk_insert(connection, "diagnostic", columns, rows)
            connection.commit()
        mark = step("diagnostics", mark)
        for first in range(1, diagnostics + 1, BATCH):
            last = min(diagnostics, first + BATCH - 1)
            connection.execute(
                text(
                    "INSERT INTO answer (diagnostic_id, question_id, value_json, updated_at) "
                    "SELECT d.id, s.question_id, s.value_json, d.updated_at "
                    "FROM diagnostic d JOIN bench_answer_set s "
                    f"ON s.answer_set = d.id % {ANSWER_SETS} "
                    "WHERE d.id BETWEEN :first AND :last "
                    # A diagnostic's answers side by side, as when filled in at one sitting
                    # (a hash join would otherwise scatter them over 68 pages each).
                    "ORDER BY d.id, s.question_id"
                ),
                {"first": first, "last": last},
            )
            connection.commit()
        mark = step("answers", mark)
        out.answers = connection.exec_driver_sql("SELECT count(*) FROM answer").scalar()
        connection.exec_driver_sql("DROP TABLE bench_answer_set")
        connection.commit()

        # Counsellors, their workshops with 20 participants each, and sessions.
        counsellors = max(1, diagnostics // 1000)
        bulk_insert(
            connection,
            "facilitator",
            ("id", "email", "display_name", "password_hash", "created_at"),
            [
                (n, f"generated-{n}@example.org", f"Conseil {n}", "x", stamp(engine, now))
                for n in range(1, counsellors + 1)
            ],
        )
        out.workshops = diagnostics // 200
        workshops, participants = [], []
        for n in range(1, out.workshops + 1):
            created = ago()
            workshops.append(
                (
                    n,
                    rng.randint(1, counsellors),
                    f"Atelier {n}",
                    "",
                    "",
                    f"G{n:07d}",
                    False,
                    20,
                    stamp(engine, created),
                )
            )
            for number in range(1, 21):
                diagnostic_id = (n - 1) * 20 + number
                joined = created + timedelta(minutes=number)
                participants.append(
                    (
                        len(participants) + 1,
                        n,
                        diagnostic_id,
                        number,
                        "named",
                        stamp(engine, joined),
                        "",
                    )
                )
        bulk_insert(
            connection,
            "workshop",
            (
                "id",
                "facilitator_id",
                "title",
                "place",
                "notes",
                "join_code",
                "is_open",
                "last_number",
                "created_at",
            ),
            workshops,
        )
        bulk_insert(
            connection,
            "participant",
            (
                "id",
                "workshop_id",
                "diagnostic_id",
                "number",
                "sharing",
                "joined_at",
                "counsellor_note",
            ),
            participants,
        )
        out.participants = len(participants)
        out.sessions = diagnostics // 5
        sessions = []
        for _ in range(out.sessions):
            created = now - timedelta(days=rng.uniform(0, 60))
            expires = created + timedelta(days=30)  # about half already expired
            sessions.append(
                (
                    secrets.token_hex(32),
                    rng.randint(1, counsellors),
                    stamp(engine, created),
                    stamp(engine, expires),
                )
            )
        bulk_insert(
            connection,
            "facilitator_session",
            ("token_hash", "facilitator_id", "created_at", "expires_at"),
            sessions,
        )
        if connection.dialect.name == "postgresql":
            # Explicit ids do not move the sequences: the app's next rows would collide.
            for table in ("diagnostic", "facilitator", "workshop", "participant"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.commit()
        mark = step("workshops and sessions", mark)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        step("VACUUM ANALYZE", mark)
    engine.dispose()
    out.seconds = time.perf_counter() - started
    return out


# --- Sizes --------------------------------------------------------------------------------


def sizes(url: str) -> list[tuple[str, str, int]]:
    """(kind, name, bytes) of each table and index, largest first."""
    engine = create_db_engine(url)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql(
                "SELECT CASE relkind WHEN 'r' THEN 'table' ELSE 'index' END, relname, "
                "pg_relation_size(oid) FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i') "
                "ORDER BY 3 DESC"
            ).all()
        else:
            kinds = dict(connection.exec_driver_sql("SELECT name, type FROM sqlite_master").all())
            try:
                rows = [
                    (kinds.get(name, "table"), name, size)
                    for name, size in connection.exec_driver_sql(
                        "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
                    ).all()
                ]
            except Exception:  # noqa: BLE001 - SQLite built without the dbstat table
                rows = []
    engine.dispose()
    return [tuple(row) for row in rows]


def megabytes(size: int) -> str:
    return f"{size / 1e6:8.1f} MB"


# --- Pages --------------------------------------------------------------------------------


def timed(client: httpx.Client, method: str, url: str, **kw) -> float:
    start = time.perf_counter()
    ok(client.request(method, url, **kw))
    return (time.perf_counter() - start) * 1000


def page_runners(
    stack: ExitStack, base_url: str, questionnaire: Questionnaire, participants: int
) -> dict[str, Callable[[], float]]:
    """A room on the server at `base_url`, and for each measured page a function making one
    timed request (ms). The PDF one saves an answer first (untimed), so its render is cold."""
    roles = questionnaire.definition.roles
    section = questionnaire.sections[0].id
    room = set_up_room(base_url, questionnaire, participants)
    token = room.tokens[0]
    board = f"/ateliers/{room.workshop_id}/tableau"
    screen = f"/ateliers/{room.workshop_id}/participants/1"
    phone = stack.enter_context(httpx.Client(base_url=base_url, timeout=TIMEOUT))
    counsellor = stack.enter_context(
        httpx.Client(
            base_url=base_url,
            cookies=room.cookies,
            headers={"x-csrftoken": room.csrf_token},
            timeout=TIMEOUT,
        )
    )
    ok(phone.get(f"/d/{token}"))
    phone.headers["x-csrftoken"] = phone.cookies["csrftoken"]
    budget, name = roles.annual_budget, roles.association_name
    counter = iter(range(10**9))

    def pdf() -> float:
        ok(phone.put(f"/api/diagnostics/{token}/answers", json={budget: 500_000 + next(counter)}))
        return timed(phone, "GET", f"/d/{token}/rapport.pdf")

    return {
        "API save": lambda: timed(
            phone, "PUT", f"/api/diagnostics/{token}/answers", json={budget: 10_000 + next(counter)}
        ),
        "htmx save": lambda: timed(
            phone,
            "POST",
            f"/d/{token}/q/{name}",
            data={name: f"Association {next(counter)}"},
            headers=HTMX,
        ),
        "section page": lambda: timed(phone, "GET", f"/d/{token}/s/{section}"),
        "results page": lambda: timed(phone, "GET", f"/d/{token}/resultats"),
        "plan page": lambda: timed(phone, "GET", f"/d/{token}/plan"),
        "board poll": lambda: timed(counsellor, "GET", board, headers=HTMX),
        "round screen": lambda: timed(counsellor, "GET", screen),
        PDF: pdf,
    }


def measure_pages(
    urls: list[str], questionnaire: Questionnaire, participants: int, requests: int, pdfs: int
) -> list[dict[str, list[float]]]:
    """Each page on each database's server, the servers taking turns request by request (who
    goes first alternating), so a load spike on this shared machine hits both alike."""
    env = {**SERVER_ENV, "SAVE_RATE_LIMIT": "1000000/minute"}
    with ExitStack() as stack:
        servers = [
            page_runners(
                stack, stack.enter_context(live_server(url, **env)), questionnaire, participants
            )
            for url in urls
        ]
        results: list[dict[str, list[float]]] = [{} for _ in urls]
        for label in servers[0]:
            # The first PDF loads fonts and WeasyPrint's caches: not counted.
            warm_up, count = (1, pdfs) if label == PDF else (WARM_UP, requests)
            for runners in servers:
                for _ in range(warm_up):
                    runners[label]()
            for result in results:
                result[label] = []
            for turn in range(count):
                order = range(len(urls)) if turn % 2 == 0 else reversed(range(len(urls)))
                for index in order:
                    results[index][label].append(servers[index][label]())
    return results


# --- Purge --------------------------------------------------------------------------------


@dataclass
class PurgeTimes:
    found: int
    find_s: float
    total_s: float
    deleted: retention.Deleted


def measure_purge(url: str) -> PurgeTimes:
    engine = create_db_engine(url)
    now = datetime.now(UTC)
    cutoff = retention.cutoff_for(RETENTION_DAYS, now)
    try:
        start = time.perf_counter()
        found = len(retention.stale_diagnostics(engine=engine, cutoff=cutoff))
        retention.stale_workshops(engine=engine, cutoff=cutoff)
        find_s = time.perf_counter() - start
        start = time.perf_counter()
        deleted = retention.purge(engine=engine, cutoff=cutoff, now=now)
        total_s = time.perf_counter() - start
    finally:
        engine.dispose()
    return PurgeTimes(found, find_s, total_s, deleted)


# --- Report -------------------------------------------------------------------------------


def flag(ratio: float) -> str:
    return "ok" if ratio <= TARGET else f"OVER {TARGET}x"


def print_pages(empty: dict[str, list[float]], large: dict[str, list[float]], n: int) -> None:
    print(
        f"  {'page':<20}{'empty p50':>11}{'p95':>9}{f'{n:,} p50':>15}{'p95':>9}"
        f"{'ratio p50':>11}{'p95':>7}"
    )
    for label, values in empty.items():
        big = large[label]
        p50s = statistics.median(values), statistics.median(big)
        p95s = percentile(values, 0.95), percentile(big, 0.95)
        r50, r95 = p50s[1] / p50s[0], p95s[1] / p95s[0]
        print(
            f"  {label:<20}{p50s[0]:9.2f}ms{p95s[0]:7.2f}ms{p50s[1]:13.2f}ms{p95s[1]:7.2f}ms"
            f"{r50:10.2f}x{r95:6.2f}x  {flag(max(r50, r95))} ({len(values)} requests)"
        )


def print_purge(small: PurgeTimes, large: PurgeTimes, n_small: int, n_large: int) -> None:
    for label, times, n in (("small", small, n_small), ("large", large, n_large)):
        d = times.deleted
        print(
            f"  {label} ({n:,} diagnostics): found {times.found:,} stale in {times.find_s:.2f} s;"
            f" purge {times.total_s:.2f} s: {d.diagnostics:,} diagnostics, {d.answers:,} answers,"
            f" {d.workshops:,} workshops, {d.sessions:,} expired sessions deleted"
        )
    per_found = [t.find_s / max(1, t.found) * 1e6 for t in (small, large)]
    per_row = [t.total_s / max(1, t.deleted.diagnostics) * 1e3 for t in (small, large)]
    r_find, r_row = per_found[1] / per_found[0], per_row[1] / per_row[0]
    print(
        f"  finding, per stale diagnostic: {per_found[1]:.1f} µs (large) against"
        f" {per_found[0]:.1f} µs (small): {r_find:.2f}x {flag(r_find)}"
    )
    print(
        f"  whole purge, per diagnostic deleted: {per_row[1]:.2f} ms (large) against"
        f" {per_row[0]:.2f} ms (small): {r_row:.2f}x {flag(r_row)}"
    )


def bench_backend(backend: str, questionnaire: Questionnaire, args: argparse.Namespace) -> None:
    n = args.diagnostics
    print(f"== {backend}", flush=True)
    with database(backend, args.pg_url, "small") as url:
        if url is None:
            return
        small = generate(url, questionnaire, args.baseline_diagnostics)
        small_purge = measure_purge(url)
    with (
        database(backend, args.pg_url, "empty") as empty_url,
        database(backend, args.pg_url, "large") as large_url,
    ):
        print(f"  generating {n:,} diagnostics …", flush=True)
        generated = generate(large_url, questionnaire, n)
        steps = ", ".join(f"{name} {s:.1f} s" for name, s in generated.steps.items())
        print(
            f"  generated {generated.diagnostics:,} diagnostics, {generated.answers:,} answers, "
            f"{generated.workshops:,} workshops with {generated.participants:,} participants, "
            f"{generated.sessions:,} sessions in {generated.seconds:.1f} s ({steps})",
            flush=True,
        )
        empty, large = measure_pages(
            [empty_url, large_url],
            questionnaire,
            args.participants,
            args.requests,
            args.pdf_requests,
        )
        table_sizes = sizes(large_url)
        large_purge = measure_purge(large_url)
    print(
        f"  pages ({args.participants} participants in the measured room; "
        f"target ≤ {TARGET}x the empty database)"
    )
    print_pages(empty, large, n)
    print(
        f"  purge (retention {RETENTION_DAYS} days; compared per row with "
        f"{small.diagnostics:,} diagnostics of the same shape)"
    )
    print_purge(small_purge, large_purge, small.diagnostics, n)
    print(f"  sizes with {n:,} diagnostics (before the purge)")
    for kind, name, size in table_sizes[: args.sizes]:
        print(f"    {kind:<6}{name:<40}{megabytes(size)}")
    total = sum(size for _kind, _name, size in table_sizes)
    print(f"    {'':<6}{'all tables and indexes':<40}{megabytes(total)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--diagnostics", type=int, default=100_000)
    parser.add_argument("--baseline-diagnostics", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=20, help="in the measured room")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--pdf-requests", type=int, default=5)
    parser.add_argument("--sizes", type=int, default=12, help="largest tables/indexes shown")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL database (emptied!)")
    args = parser.parse_args()

    questionnaire = load_questionnaire(ROOT / "questionnaires")
    print(
        f"scale: {args.diagnostics:,} diagnostics against an empty database; machine load "
        f"average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        bench_backend(backend, questionnaire, args)


if __name__ == "__main__":
    main()
