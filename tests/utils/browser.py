"""What every real-browser test needs: Debian's Chromium (never a downloaded one), the flags
it runs with here, and the pinned htmx file served where the CDN would be."""

from __future__ import annotations

import os
import shutil

import pytest

from app.config import PROJECT_ROOT
from app.templating import HTMX_SRC

HTMX_FILE = PROJECT_ROOT / "tests" / "fixtures" / "htmx-2.0.4.min.js"
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
