"""A 500 MB form body sent to the real server (uvicorn) with no cookie, as an attacker would:
how long until the refusal, how much of the body the server had to take in, and how much its
memory grew. The floor is the same server answering a tiny form (the cost of any refusal)."""

from __future__ import annotations

import select
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.utils.live_server import start_server, stop_server  # noqa: E402

TOTAL = 500 * 1024 * 1024
CHUNK = 1024 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def post(port: int, total: int, chunked: bool) -> tuple[float, int, str]:
    """Stream `total` bytes of form body; stop as soon as the server answers."""
    sock = socket.create_connection(("127.0.0.1", port))
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    sock.sendall(
        (
            "POST /diagnostics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n{length}\r\n\r\n"
        ).encode()
    )
    start = time.perf_counter()
    sent = 0
    chunk = b"a" * CHUNK
    try:
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered
            data = chunk[: min(CHUNK, total - sent)]
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            sent += len(data)
        if chunked and sent >= total:
            sock.sendall(b"0\r\n\r\n")
        status = sock.recv(200).split(b"\r\n", 1)[0].decode()
    except (BrokenPipeError, ConnectionResetError):
        status = sock.recv(200).split(b"\r\n", 1)[0].decode() or "connection closed"
    elapsed = time.perf_counter() - start
    sock.close()
    return elapsed, sent, status


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_server(f"sqlite:///{tmp}/bench.sqlite3")
        port = int(url.rsplit(":", 1)[1])
        try:
            floor, _, floor_status = post(port, 10, chunked=False)
            print(f"floor: a 10-byte form, {floor_status}, {floor * 1000:.1f} ms")
            for chunked in (False, True):
                before = rss_mb(process.pid)
                elapsed, sent, status = post(port, TOTAL, chunked)
                grown = rss_mb(process.pid) - before
                mode = "chunked" if chunked else "Content-Length"
                print(
                    f"500 MB form ({mode}): {status} in {elapsed * 1000:.1f} ms "
                    f"({elapsed / floor:.1f}x floor), {sent / 1e6:.1f} MB sent before the "
                    f"answer, server memory +{grown:.1f} MB"
                )
        finally:
            stop_server(process)


if __name__ == "__main__":
    main()
