"""Run the real app in a uvicorn subprocess on a free port, for browser, fault and bench runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from app.config import PROJECT_ROOT

# Servers started by tests sign CSRF tokens with this key rather than writing a key file into
# the project's data/ directory.
TEST_SECRET_KEY = "test-server-secret-key"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    database_url: str,
    *,
    port: int | None = None,
    asgi_app: str = "app.asgi:app",
    probe_path: str = "/",
    **env: str,
) -> tuple[subprocess.Popen, str]:
    """uvicorn serving `asgi_app` in a subprocess whose pid is the server's own (no reloader,
    no worker processes); returns once `probe_path` answers without a server error."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            asgi_app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "warning",
            "SECRET_KEY": TEST_SECRET_KEY,
            **env,
        },
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base_url + probe_path, timeout=2).status_code < 500:
                return process, base_url
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(f"{asgi_app} did not start (exit code {process.returncode})")
        time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def live_server(
    database_url: str, asgi_app: str = "app.asgi:app", probe_path: str = "/", **env: str
) -> Iterator[str]:
    """The server's base URL while the block runs; stopped afterwards."""
    process, base_url = start_server(database_url, asgi_app=asgi_app, probe_path=probe_path, **env)
    try:
        yield base_url
    finally:
        stop_server(process)
