"""What every real-browser test needs: Debian's Chromium (never a downloaded one), the flags
it runs with here, and the pinned htmx file served where the CDN would be, or the CDN blocked
as on a venue's filtered Wi-Fi."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from app.config import PROJECT_ROOT
from app.templating import HTMX_LOCAL, HTMX_SRC

HTMX_FILE = PROJECT_ROOT / "static" / HTMX_LOCAL
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> str:
    """The system Chromium's path. Without one, skip the calling test module, unless
    REQUIRE_BROWSER is set (CI), where a missing browser is an error."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError("REQUIRE_BROWSER is set but no chromium is installed")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def serve_pinned_htmx(context) -> None:
    """This machine has no internet: answer the CDN's htmx URL with the pinned file (same
    bytes, so the integrity hash still checks)."""
    context.route(
        HTMX_SRC,
        lambda route: route.fulfill(
            path=str(HTMX_FILE),
            content_type="application/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )


# Every browser test runs twice: htmx from the CDN, and with the CDN unreachable, where the
# app's own copy (static/js/htmx-fallback.js) must do the same job.
CDN_MODES = ["cdn-reachable", "cdn-blocked"]


def route_htmx_cdn(context, mode: str) -> None:
    """The CDN as `mode` says: answering with the pinned file, or refusing the connection."""
    if mode == "cdn-reachable":
        serve_pinned_htmx(context)
    elif mode == "cdn-blocked":
        context.route(HTMX_SRC, lambda route: route.abort("connectionrefused"))
    else:  # pragma: no cover - a typo in a test
        raise ValueError(mode)


def htmx_copy_used(page, timeout_ms: int = 10_000) -> str:
    """Which htmx the page runs: "cdn", "local" (the app's copy) or "none". With the CDN
    refused, the app's copy arrives a moment after the page: wait for it (on a loaded machine
    that moment is long enough for an immediate check to read "none")."""
    # Polled from here: wait_for_function would evaluate a string, which the CSP refuses.
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate("!!window.htmx"):
        if time.monotonic() > deadline:
            return "none"
        page.wait_for_timeout(100)
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        " .filter(name => name.includes('htmx'))"
    )
    return "local" if any(name.endswith(HTMX_LOCAL) for name in loaded) else "cdn"


def is_cdn_failure(message: str) -> bool:
    """The console error Chromium logs for the blocked CDN script (expected when blocked)."""
    return "Failed to load resource" in message and "ERR_CONNECTION_REFUSED" in message
