"""The answer save against its floor, on SQLite and PostgreSQL, in one run (issue 13, item 1).

The floor is bench/bare_app.py: a bare FastAPI endpoint doing the same single-row upsert on the
same database, with nothing else (no token lookup, no validation, no rate limit, no middleware).
Both run as one uvicorn process each, side by side on one database. Prints, per backend, each
figure with its floor and the ratio:

- API save, sequential: `PUT /api/diagnostics/{token}/answers` with one answer, `--saves`
  (1 000) times on one connection, after a warm-up; p50 and p95. Target: ≤ 1.5× the floor.
- htmx save, sequential: `POST /d/{token}/q/{question}` of one field (form-encoded, with the
  CSRF cookie and header a browser sends); p50 and p95. Target: ≤ 2× the floor (also printed
  against the API save: the page's extra work, reading the answers and drawing the partial).
  The three take turns, request by request (see `interleaved`).
- Saturated: `--connections` (16) keep-alive connections, each saving to its own diagnostic
  (the bare endpoint: to the same diagnostic ids) back to back, for `--seconds` (5) in all,
  in five rounds alternating with the floor's, after a warm-up round; throughput, p50/p95/p99,
  errors (any status outside 2xx, any exception). Target: throughput ≥ half the floor's,
  p99 < 150 ms, 0 errors.

Requests are sent by a minimal HTTP/1.1 client over asyncio streams (not httpx), so the load
generator, which shares the machine's cores with the servers, costs as little as possible and
latencies are close to the servers' own; both sides are measured with the same client.

The app runs with SAVE_RATE_LIMIT=1000000/minute: the benchmark measures the save (the limiter
included, counting every save), not the 429s a script this fast would earn.

PostgreSQL: `--pg-url` (default postgresql://postgres@127.0.0.1:5432/bench) is created if missing
and its public schema dropped and recreated before the run: never point it at a database you
care about. Skipped, with a note, when unreachable.

    .venv/bin/python bench/bench_save.py [--backend both] [--saves 1000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.questionnaire.loader import load_questionnaire  # noqa: E402
from bench.bench_workshop import PG_URL, database  # noqa: E402
from tests.utils.live_server import live_server  # noqa: E402

APP_ENV = {"SAVE_RATE_LIMIT": "1000000/minute", "CREATE_RATE_LIMIT": "1000000/minute"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- A minimal keep-alive HTTP/1.1 client ---------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: bytes
    headers: dict[str, str]

    def encode(self) -> bytes:
        head = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1"]
        head += [f"{name}: {value}" for name, value in self.headers.items()]
        head.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.body


class Connection:
    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> int:
        """Send one request, read the whole answer; its status."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no Content-Length in the answer ({lines[0]})")
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# --- Workloads ------------------------------------------------------------------------------


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


async def timed(connection: Connection, raw: bytes, figures: Figures) -> None:
    start = time.perf_counter()
    try:
        status = await connection.send(raw)
    except (OSError, asyncio.IncompleteReadError, RuntimeError):
        figures.errors += 1
        connection.close()
        connection.writer = None
        return
    if 200 <= status < 300:
        figures.latencies.append((time.perf_counter() - start) * 1000)
    else:
        figures.errors += 1


async def interleaved(
    targets: dict[str, tuple[str, list[bytes]]], warm_up: int = 50
) -> dict[str, Figures]:
    """Sequential requests, one connection per target, taking turns: request i of every
    target, then request i + 1, and so on. The machine is shared (other processes, the other
    server): taking turns gives each target the same conditions, where timing one after the
    other would compare a quiet minute with a busy one."""
    connections = {name: Connection(url) for name, (url, _requests) in targets.items()}
    figures = {name: Figures() for name in targets}
    count = min(len(requests) for _url, requests in targets.values())
    try:
        for i in range(warm_up):
            for name, (_url, requests) in targets.items():
                await timed(connections[name], requests[i % count], Figures())
        start = time.perf_counter()
        for i in range(count):
            for name, (_url, requests) in targets.items():
                await timed(connections[name], requests[i], figures[name])
        for name in targets:
            figures[name].seconds = time.perf_counter() - start
    finally:
        for connection in connections.values():
            connection.close()
    return figures


async def saturated(base_url: str, streams: list[list[bytes]], seconds: float) -> Figures:
    """One connection per stream, each sending its requests in a loop, back to back."""
    figures = Figures()

    async def run(connection: Connection, requests: list[bytes], until: float):
        turn = 0
        while time.perf_counter() < until:
            await timed(connection, requests[turn % len(requests)], figures)
            turn += 1

    connections = [Connection(base_url) for _ in streams]
    try:
        start = time.perf_counter()
        until = start + seconds
        await asyncio.gather(*(run(c, s, until) for c, s in zip(connections, streams, strict=True)))
        figures.seconds = time.perf_counter() - start
    finally:
        for connection in connections:
            connection.close()
    return figures


def alternating_load(
    loads: dict[str, tuple[str, list[list[bytes]]]], seconds: float, rounds: int = 5
) -> dict[str, Figures]:
    """Saturate each target in turn, `rounds` times for `seconds / rounds` (after one warm-up
    round of 0.5 s each, not counted, whose errors still count): the same shared-machine
    fairness as `interleaved`."""
    totals = {name: Figures() for name in loads}
    for name, (url, streams) in loads.items():
        totals[name].errors += asyncio.run(saturated(url, streams, 0.5)).errors
    for _round in range(rounds):
        for name, (url, streams) in loads.items():
            part = asyncio.run(saturated(url, streams, seconds / rounds))
            totals[name].latencies += part.latencies
            totals[name].errors += part.errors
            totals[name].seconds += part.seconds
    return totals


# --- Requests -------------------------------------------------------------------------------


def json_put(path: str, payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return Request("PUT", path, body, {"Content-Type": "application/json"}).encode()


def htmx_post(path: str, form: dict[str, str], csrf: str) -> bytes:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "HX-Request": "true",
    }
    return Request("POST", path, urlencode(form).encode(), headers).encode()


@dataclass
class Setup:
    tokens: list[str]
    csrf: str


def set_up(app_url: str, diagnostics: int) -> Setup:
    """`diagnostics` new diagnostics (ids 1..n on the fresh database) and a CSRF cookie."""
    with httpx.Client(base_url=app_url, timeout=30) as client:
        tokens = [client.post("/api/diagnostics").json()["token"] for _ in range(diagnostics)]
        client.get(f"/d/{tokens[0]}").raise_for_status()
        return Setup(tokens, client.cookies["csrftoken"])


def ratio_line(label: str, app: Figures, floor: Figures, target: float) -> str:
    a50, f50 = statistics.median(app.latencies), statistics.median(floor.latencies)
    a95, f95 = percentile(app.latencies, 0.95), percentile(floor.latencies, 0.95)
    worst = max(a50 / f50, a95 / f95)
    verdict = "ok" if worst <= target and not app.errors else "OVER"
    return (
        f"  {label:<11} p50 {a50:6.2f} ms (floor {f50:5.2f}, {a50 / f50:4.2f}×)"
        f"   p95 {a95:6.2f} ms (floor {f95:5.2f}, {a95 / f95:4.2f}×)"
        f"   errors {app.errors}   target ≤ {target}×: {verdict}"
    )


def load_line(label: str, figures: Figures) -> str:
    values = figures.latencies or [0.0]
    return (
        f"  {label:<11} {figures.throughput:7.0f} saves/s   p50 {statistics.median(values):6.1f}"
        f"   p95 {percentile(values, 0.95):6.1f}   p99 {percentile(values, 0.99):6.1f}"
        f"   max {max(values):7.1f} ms   errors {figures.errors}"
    )


def bench_backend(backend: str, database_url: str, args: argparse.Namespace) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires")
    budget = questionnaire.definition.roles.annual_budget
    with (
        live_server(database_url, **APP_ENV) as app_url,
        live_server(database_url, "bench.bare_app:app", probe_path="/docs") as bare_url,
    ):
        setup = set_up(app_url, args.connections)
        token = setup.tokens[0]
        payloads = [{budget: 10_000 + i} for i in range(args.saves)]
        api = [json_put(f"/api/diagnostics/{token}/answers", p) for p in payloads]
        bare = [json_put("/bare/1", p) for p in payloads]
        htmx = [
            htmx_post(
                f"/d/{token}/q/{budget}", {budget: f"{10_000 + i:,}".replace(",", " ")}, setup.csrf
            )
            for i in range(args.saves)
        ]
        sequential = asyncio.run(
            interleaved({"api": (app_url, api), "bare": (bare_url, bare), "htmx": (app_url, htmx)})
        )
        api_seq, bare_seq, htmx_seq = sequential["api"], sequential["bare"], sequential["htmx"]
        streams = [
            [json_put(f"/api/diagnostics/{t}/answers", {budget: 10_000 + i}) for i in range(50)]
            for t in setup.tokens
        ]
        bare_streams = [
            [json_put(f"/bare/{n + 1}", {budget: 10_000 + i}) for i in range(50)]
            for n in range(len(setup.tokens))
        ]
        load = alternating_load(
            {"api": (app_url, streams), "bare": (bare_url, bare_streams)}, args.seconds
        )
        api_load, bare_load = load["api"], load["bare"]
    print(f"{backend}: answer save against the bare upsert endpoint (floor)")
    print(f" sequential, {args.saves} saves of one answer on one connection")
    print(ratio_line("API save", api_seq, bare_seq, 1.5))
    print(ratio_line("htmx save", htmx_seq, bare_seq, 2.0))
    print(ratio_line("htmx / API", htmx_seq, api_seq, 2.0))
    print(
        f" saturated, {args.connections} connections, {args.seconds:g} s each in 5 alternating "
        "rounds"
    )
    print(load_line("API save", api_load))
    print(load_line("floor", bare_load))
    share = api_load.throughput / bare_load.throughput if bare_load.throughput else 0.0
    app_p99 = percentile(api_load.latencies or [0.0], 0.99)
    verdict = "ok" if share >= 0.5 and app_p99 < 150 and not api_load.errors else "OVER"
    print(
        f"  throughput {share:4.2f}× the floor's (target ≥ 0.5), p99 {app_p99:.1f} ms "
        f"(target < 150), errors {api_load.errors} (target 0): {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--saves", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with database(backend, args.pg_url) as url:
            if url is None:
                continue
            bench_backend(backend, url, args)


if __name__ == "__main__":
    main()
