"""Workshop benchmarks: the counsellor's live dashboard with a full room, and a room of
participants autosaving while the dashboard polls. Prints figures; never asserts on timing.

1. Dashboard render (over HTTP, one uvicorn process): a counsellor, a workshop and
   `--participants` (40) participants, each with a complete diagnostic whose resource amounts
   differ (so their points on the map differ). Times `GET /ateliers/{id}/tableau` (the partial
   htmx polls) `--renders` times:
   - cold: every participant saved an answer since the previous poll, so the app's result
     cache (keyed on each diagnostic's updated_at) misses for all of them;
   - warm: nothing changed, but the poll carries no board version, so the partial is rendered
     from cached results (what a first poll or an old page gets);
   - unchanged: nothing changed and the poll carries the version of the board it shows (as
     the page's `hx-vals` makes htmx send it): the app answers 204 without rendering;
   and the full page `GET /ateliers/{id}` (warm).
2. Load (asyncio + httpx against one uvicorn process, as `make run` serves): the same room;
   for `--seconds` (60) each participant autosaves one answer at a time as the browser does
   (`POST /d/{token}/q/{question}`, form-encoded, `HX-Request: true`), cycling through a text
   answer, resource amounts typed the French way ("12 500"), the resource unit, a count and a
   Likert answer, with a think time of `--think` (1 s) ± 50 % between saves (first save
   staggered over one think time); one counsellor polls the dashboard partial every `--poll`
   (3 s, the page's htmx interval, start to start), sending the version of the board it last
   received as htmx does (a 204 keeps the board and its version). Prints, per backend:
   requests, throughput, p50/p95/p99/max latency of saves and of polls apart, errors (any
   status outside 2xx/3xx, or any exception; redirects are not followed), the CPU time the
   load generator itself used and the machine's load average before and after (the generator
   shares the machine with the server, and anything else running, a test suite say, shows in
   the figures).
   Meanwhile the first participant's round is open: the round screen's live part is polled
   like the board (with its version), and every other participant sends one suggestion from
   their phone at a random moment.
   `--csv PATH` also writes every request (kind, start, latency, status) for a timeline.
   Target (issue 12): 0 errors and p95 under 100 ms for saves, board and round screen polls,
   on SQLite and on PostgreSQL.

Latencies are measured by the client, from sending the request to reading the whole answer.

Backends (`--backend sqlite|postgresql|both`, default both): SQLite on a temporary file, and
PostgreSQL on `--pg-url` (default postgresql://postgres@127.0.0.1:5432/bench). That database
is created if missing and its `public` schema is dropped and recreated before each part (the
app migrates at start-up): never point it at a database you care about. PostgreSQL is skipped,
with a note, when the server cannot be reached.

All participants come from 127.0.0.1, so the server runs with JOIN_RATE_LIMIT=10000/minute and
LOGIN_RATE_LIMIT=1000/minute (the defaults, 30 and 10 per minute per address, would refuse
most of the room).

    .venv/bin/python bench/bench_workshop.py [--backend both] [--seconds 60] [--think 1]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.questionnaire.loader import load_questionnaire  # noqa: E402
from app.questionnaire.model import Questionnaire  # noqa: E402
from tests.utils.answers import full_answers, resource_answers  # noqa: E402
from tests.utils.live_server import live_server  # noqa: E402

SERVER_ENV = {
    "JOIN_RATE_LIMIT": "10000/minute",
    "LOGIN_RATE_LIMIT": "1000/minute",
    "CREATE_RATE_LIMIT": "10000/minute",  # every simulated participant shares 127.0.0.1
}
PG_URL = "postgresql://postgres@127.0.0.1:5432/bench"
HTMX = {"HX-Request": "true"}
PASSWORD = "bench-password-123"
TIMEOUT = httpx.Timeout(60.0)  # a slow answer is a latency figure, not an error


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def french_amount(value: float) -> str:
    """An amount as a person types it in the French form: "12 500"."""
    return f"{round(value):,}".replace(",", " ")


# --- Databases ----------------------------------------------------------------------------


def fresh_postgres(url: str) -> str | None:
    """Create the bench database if missing and empty its public schema; None (with the reason)
    when PostgreSQL cannot be reached."""
    parsed = make_url(url)
    maintenance = parsed.set(drivername="postgresql", database="postgres")
    try:
        maintenance_dsn = maintenance.render_as_string(False)
        with psycopg.connect(maintenance_dsn, autocommit=True, connect_timeout=5) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{parsed.database}"')
        plain = parsed.set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {url} is not reachable ({' '.join(str(error).split())})")
        return None
    return url


@contextmanager
def database(backend: str, pg_url: str) -> Iterator[str | None]:
    """A clean database URL for one part of the benchmark (None: backend unavailable)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
    else:
        yield fresh_postgres(pg_url)


# --- The room -----------------------------------------------------------------------------


@dataclass
class Room:
    workshop_id: int
    tokens: list[str]
    # Each participant's membership id (their phone's round page is under it).
    memberships: list[str]
    cookies: httpx.Cookies
    csrf_token: str


def varied_answers(questionnaire: Questionnaire, number: int) -> dict[str, Any]:
    """A complete diagnostic whose resource mix and size depend on `number`."""
    rng = random.Random(number)
    sources = [q.source for q in questionnaire.resource_questions() if q.source]
    weights = {source: rng.random() ** 2 for source in sources}
    total = sum(weights.values())
    shares = {source: weight / total for source, weight in weights.items()}
    answers = full_answers(questionnaire, name=f"Association {number}")
    for question in questionnaire.resource_questions():
        answers.pop(question.id, None)
    answers.update(resource_answers(questionnaire, shares, total=rng.uniform(20_000, 500_000)))
    return answers


def failed(response: httpx.Response) -> bool:
    return not 200 <= response.status_code < 400


def ok(response: httpx.Response) -> httpx.Response:
    if failed(response):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: {response.status_code}"
        )
    return response


async def ok_async(request: Awaitable[httpx.Response]) -> httpx.Response:
    return ok(await request)


def like_a_browser(client: httpx.Client) -> httpx.Client:
    """Load a page first, as a browser does, and send its CSRF token with every request (the
    app refuses state-changing requests without it)."""
    ok(client.get("/"))
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


def set_up_room(base_url: str, questionnaire: Questionnaire, participants: int) -> Room:
    """A counsellor, a workshop, and `participants` joined with complete diagnostics."""
    with httpx.Client(base_url=base_url, timeout=TIMEOUT) as client:
        like_a_browser(client)
        email = f"bench-{time.time_ns()}@example.org"
        ok(
            client.post(
                "/compte/inscription",
                data={"email": email, "name": "Bench", "password": PASSWORD, "confirm": PASSWORD},
            )
        )
        created = ok(client.post("/ateliers", data={"title": "Atelier de charge"}))
        workshop_id = int(created.headers["location"].rstrip("/").rsplit("/", 1)[1])
        page = ok(client.get(f"/ateliers/{workshop_id}")).text
        code = re.search(r'<span class="join-code">([^<]+)</span>', page).group(1)
        code = code.replace("-", "")
        tokens, memberships = [], []
        with httpx.Client(base_url=base_url, timeout=TIMEOUT) as participant:
            like_a_browser(participant)
            for number in range(participants):
                sharing = "named" if number % 4 else "anonymous"
                joined = ok(
                    participant.post(
                        f"/rejoindre/{code}", data={"diagnostic": "new", "sharing": sharing}
                    )
                )
                token = re.search(r"/d/([^/?]+)", joined.headers["location"]).group(1)
                answers = varied_answers(questionnaire, number)
                ok(participant.put(f"/api/diagnostics/{token}/answers", json=answers))
                tokens.append(token)
                home = ok(participant.get(f"/d/{token}")).text
                memberships.append(re.search(rf"/d/{token}/ateliers/(\d+)/tour", home).group(1))
        # The counsellor opens the first participant's round, as at the start of the rounds.
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        ok(
            client.post(
                f"/ateliers/{workshop_id}/participants/1/tour", data={"open": "1", "confirm": "1"}
            )
        )
        return Room(workshop_id, tokens, memberships, client.cookies, client.cookies["csrftoken"])


# --- Part 1: dashboard render -------------------------------------------------------------


BOARD_VERSION = re.compile(r"""hx-vals='\{"v": "([^"]*)"\}'""")


def board_version(html: str) -> str | None:
    """The version the board carries in its `hx-vals` (None for an app without versions)."""
    found = BOARD_VERSION.search(html)
    return found.group(1) if found else None


def timed_get(client: httpx.Client, url: str, **params: str) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = ok(client.get(url, headers=HTMX, params=params))
    return (time.perf_counter() - start) * 1000, response


def figures(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):7.1f} ms   p95 {percentile(values, 0.95):7.1f} ms"
        f"   max {max(values):7.1f} ms"
    )


def bench_dashboard(
    backend: str, database_url: str, questionnaire: Questionnaire, participants: int, renders: int
) -> None:
    with live_server(database_url, **SERVER_ENV) as base_url:
        room = set_up_room(base_url, questionnaire, participants)
        board = f"/ateliers/{room.workshop_id}/tableau"
        page = f"/ateliers/{room.workshop_id}"
        unit = questionnaire.definition.roles.resource_unit
        with httpx.Client(
            base_url=base_url,
            cookies=room.cookies,
            headers={"x-csrftoken": room.csrf_token},
            timeout=TIMEOUT,
        ) as client:
            cold, version = [], None
            for _ in range(renders + 1):  # the first render also warms templates: not counted
                for token in room.tokens:
                    ok(client.put(f"/api/diagnostics/{token}/answers", json={unit: "euros"}))
                elapsed, response = timed_get(client, board, **({"v": version} if version else {}))
                cold.append(elapsed)
                version = board_version(response.text)
            cold = cold[1:]
            warm = [timed_get(client, board)[0] for _ in range(renders + 1)][1:]
            unchanged, statuses = [], Counter()
            if version:
                for _ in range(renders):
                    elapsed, response = timed_get(client, board, v=version)
                    unchanged.append(elapsed)
                    statuses[response.status_code] += 1
            full = [timed_get(client, page)[0] for _ in range(renders + 1)][1:]
    print(f"dashboard, {participants} complete diagnostics ({backend}, {renders} GETs each)")
    print(f"  partial, cold (all changed)           {figures(cold)}")
    print(f"  partial, warm (no change, no version) {figures(warm)}")
    if unchanged:
        answers = ", ".join(f"{n} × {code}" for code, n in sorted(statuses.items()))
        print(f"  partial, unchanged (same version)     {figures(unchanged)}   ({answers})")
    print(f"  full page, warm                       {figures(full)}")


# --- Part 2: load -------------------------------------------------------------------------


@dataclass
class Tally:
    started: float = field(default_factory=time.perf_counter)
    saves: list[float] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    # The round screen's live part (polled like the board) and suggestions sent from phones.
    round_polls: list[float] = field(default_factory=list)
    suggestions: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    poll_statuses: Counter = field(default_factory=Counter)
    # Every request: (kind, start in s from the beginning, latency in ms, status or exception).
    log: list[tuple[str, float, float, str]] = field(default_factory=list)


def save_cycle(questionnaire: Questionnaire, number: int) -> Iterator[tuple[str, str]]:
    """The answers participant `number` keeps retyping: (question id, form value) pairs."""
    roles = questionnaire.definition.roles
    resources = [q.id for q in questionnaire.resource_questions() if q.type == "amount"]
    likert = next(q for q in questionnaire.questions.values() if q.type == "likert")
    options = [o.id for o in questionnaire.options(likert)]
    rng = random.Random(1000 + number)
    for turn in itertools.count():
        yield roles.association_name, f"Association {number} ({turn})"
        yield rng.choice(resources), french_amount(rng.uniform(1_000, 150_000))
        yield "nb_benevoles", str(rng.randint(1, 200))
        yield rng.choice(resources), french_amount(rng.uniform(1_000, 150_000))
        yield likert.id, rng.choice(options)
        if turn % 3 == 0:
            yield roles.resource_unit, "euros"


async def timed(
    client: httpx.AsyncClient, tally: Tally, kind: str, method: str, url: str, **kw
) -> httpx.Response | None:
    """One request, logged; the response if it succeeded."""
    start = time.perf_counter()
    try:
        response = await client.request(method, url, headers=HTMX, **kw)
        outcome = str(response.status_code)
    except httpx.HTTPError as error:
        response, outcome = None, type(error).__name__
    elapsed = (time.perf_counter() - start) * 1000
    tally.log.append((kind, start - tally.started, elapsed, outcome))
    if response is None or failed(response):
        tally.errors[f"{method} {outcome}"] += 1
        return None
    by_kind = {
        "save": tally.saves,
        "poll": tally.polls,
        "round": tally.round_polls,
        "suggest": tally.suggestions,
    }
    by_kind[kind].append(elapsed)
    if kind in ("poll", "round"):
        tally.poll_statuses[f"{kind} {response.status_code}"] += 1
    return response


async def participant(
    client: httpx.AsyncClient,
    token: str,
    answers: Iterator[tuple[str, str]],
    think: float,
    deadline: float,
    tally: Tally,
    seed: int,
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think))
    while time.perf_counter() < deadline:
        question_id, value = next(answers)
        url = f"/d/{token}/q/{question_id}"
        await timed(client, tally, "save", "POST", url, data={question_id: value})
        pause = think * rng.uniform(0.5, 1.5)
        await asyncio.sleep(min(pause, max(0.0, deadline - time.perf_counter())))


async def counsellor(
    client: httpx.AsyncClient,
    url: str,
    version: str | None,
    interval: float,
    deadline: float,
    tally: Tally,
    kind: str = "poll",
) -> None:
    """Polls like htmx: with the version of the screen shown; a 200 brings a new one."""
    next_poll = time.perf_counter()
    while next_poll < deadline:
        await asyncio.sleep(max(0.0, next_poll - time.perf_counter()))
        params = {"v": version} if version else None
        response = await timed(client, tally, kind, "GET", url, params=params)
        if response is not None and response.status_code == 200:
            version = board_version(response.text)
        next_poll += interval


async def suggester(
    client: httpx.AsyncClient, url: str, deadline: float, tally: Tally, seed: int
) -> None:
    """A peer sends one suggestion from their phone at some moment of the round."""
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, max(0.0, deadline - time.perf_counter()) * 0.9))
    text = f"Suggestion {seed} : mutualiser un poste avec une association voisine"
    await timed(client, tally, "suggest", "POST", url, data={"text": text})


async def run_load(
    base_url: str, room: Room, questionnaire: Questionnaire, args: argparse.Namespace
) -> tuple[Tally, float]:
    async with AsyncExitStack() as stack:
        # One client (one keep-alive connection) per browser, made before the clock starts:
        # creating an httpx client costs tens of milliseconds of CPU (its TLS context), which
        # would otherwise stall this event loop and show up as server latency.
        participants = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT))
            for _ in room.tokens
        ]
        board = await stack.enter_async_context(
            httpx.AsyncClient(base_url=base_url, cookies=room.cookies, timeout=TIMEOUT)
        )
        # Each browser has its page open already: the diagnostic, the dashboard.
        *_, page = await asyncio.gather(
            *(ok_async(c.get(f"/d/{t}")) for c, t in zip(participants, room.tokens, strict=True)),
            ok_async(board.get(f"/ateliers/{room.workshop_id}")),
        )
        for client in participants:  # htmx sends the page's CSRF token with each autosave
            client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        tally = Tally()
        deadline = tally.started + args.seconds
        tasks = [
            participant(
                client, token, save_cycle(questionnaire, n), args.think, deadline, tally, seed=n
            )
            for n, (client, token) in enumerate(zip(participants, room.tokens, strict=True))
        ]
        live = f"/ateliers/{room.workshop_id}/tableau"
        version = board_version(page.text)
        tasks.append(counsellor(board, live, version, args.poll, deadline, tally))
        # The round of participant 1 is open on the projection; half the room suggests.
        screen = f"/ateliers/{room.workshop_id}/participants/1"
        round_page = await ok_async(board.get(screen))
        tasks.append(
            counsellor(
                board,
                f"{screen}/direct",
                board_version(round_page.text),
                args.poll,
                deadline,
                tally,
                kind="round",
            )
        )
        for n, (client, token) in enumerate(zip(participants, room.tokens, strict=True)):
            if n % 2 == 0:
                url = f"/d/{token}/ateliers/{room.memberships[n]}/tour/suggestions"
                tasks.append(suggester(client, url, deadline, tally, seed=n))
        await asyncio.gather(*tasks)
        return tally, time.perf_counter() - tally.started


def latency_line(label: str, values: list[float]) -> str:
    if not values:
        return f"  {label:<16} none"
    return (
        f"  {label:<16} n {len(values):5d}   p50 {statistics.median(values):6.1f}"
        f"   p95 {percentile(values, 0.95):6.1f}   p99 {percentile(values, 0.99):6.1f}"
        f"   max {max(values):7.1f} ms"
    )


def bench_load(
    backend: str, database_url: str, questionnaire: Questionnaire, args: argparse.Namespace
) -> None:
    with live_server(database_url, **SERVER_ENV) as base_url:
        room = set_up_room(base_url, questionnaire, args.participants)
        load_before = os.getloadavg()[0]
        cpu = time.process_time()
        tally, elapsed = asyncio.run(run_load(base_url, room, questionnaire, args))
        cpu = time.process_time() - cpu
    if args.csv:
        path = Path(str(args.csv).replace("{backend}", backend))
        with path.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(("kind", "start_s", "latency_ms", "outcome"))
            writer.writerows(sorted(tally.log, key=lambda row: row[1]))
    total = (
        len(tally.saves)
        + len(tally.polls)
        + len(tally.round_polls)
        + len(tally.suggestions)
        + sum(tally.errors.values())
    )
    errors = sum(tally.errors.values())
    detail = f" ({', '.join(f'{k}: {n}' for k, n in tally.errors.most_common())})" if errors else ""
    print(
        f"load ({backend}): {args.participants} participants autosaving, think "
        f"{args.think:g} s ± 50 %, dashboard and round screen polled every {args.poll:g} s, "
        f"{elapsed:.1f} s"
    )
    print(f"  requests {total}   throughput {total / elapsed:.1f} req/s   errors {errors}{detail}")
    print(latency_line("answer saves", tally.saves))
    print(latency_line("dashboard polls", tally.polls))
    print(latency_line("round screen", tally.round_polls))
    print(latency_line("suggestions", tally.suggestions))
    answers = ", ".join(f"{n} × {code}" for code, n in sorted(tally.poll_statuses.items()))
    print(f"  {'':<16} polls answered: {answers or 'none'} (204: unchanged, not rendered)")
    print(
        f"  load generator CPU {cpu:.1f} s ({100 * cpu / elapsed:.0f} % of one core); "
        f"machine load average before / after {load_before:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    if args.csv:
        print(f"  every request: {path}")


# --- Main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--part", choices=("dashboard", "load", "both"), default="both")
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between saves, s")
    parser.add_argument("--poll", type=float, default=3.0, help="dashboard poll interval, s")
    parser.add_argument("--renders", type=int, default=30, help="timed dashboard GETs per case")
    parser.add_argument(
        "--csv", help="write every load request to this CSV ({backend} is replaced)"
    )
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL database (emptied!)")
    args = parser.parse_args()

    questionnaire = load_questionnaire(ROOT / "questionnaires")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        if backend == "postgresql" and fresh_postgres(args.pg_url) is None:
            continue
        if args.part in ("dashboard", "both"):
            with database(backend, args.pg_url) as url:
                if url is not None:
                    bench_dashboard(backend, url, questionnaire, args.participants, args.renders)
        if args.part in ("load", "both"):
            with database(backend, args.pg_url) as url:
                if url is not None:
                    bench_load(backend, url, questionnaire, args)


if __name__ == "__main__":
    main()
