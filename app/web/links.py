"""Absolute links handed to people: resume links (the only key to a diagnostic) and workshop
join links (projected as a QR code).

Their host is never simply the request's Host header: anyone can forge that header (or a
proxy can pass a client's through), and a resume link pointing at someone else's server would
hand them the diagnostic. The base is, in this order: PUBLIC_BASE_URL; the Host header when it
names a trusted host (TRUSTED_HOSTS) or exactly the address the connection reached; else that
address itself, which is not the client's to choose.
"""

from __future__ import annotations

import logging
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from fastapi import Request

logger = logging.getLogger("mse")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def absolute_url(request: Request, name: str, **params: str) -> str:
    """The URL of route `name` on the trusted base (see the module's docstring)."""
    return f"{link_base(request)}{request.app.url_path_for(name, **params)}"


def resume_url(request: Request, token: str) -> str:
    return absolute_url(request, "diagnostic_home", token=token)


def join_url(request: Request, code: str) -> str:
    return absolute_url(request, "join_workshop", code=code)


def link_base(request: Request) -> str:
    settings = request.app.state.settings
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    scheme = request.url.scheme
    root = request.scope.get("root_path", "").rstrip("/")
    named = _host_and_port(request.headers.get("host", ""), scheme)
    server = request.scope.get("server")
    if named is not None:
        host, port = named
        if _trusted(host, settings.trusted_hosts) or (
            server is not None and (host, port) == (str(server[0]).lower(), server[1])
        ):
            return f"{scheme}://{_netloc(host, port, scheme)}{root}"
    if server is None or server[1] is None:
        return root  # a Unix socket: no address to give; the link stays relative
    logger.warning(
        "untrusted Host header: links use the server's address; set PUBLIC_BASE_URL or "
        "TRUSTED_HOSTS"
    )
    return f"{scheme}://{_netloc(str(server[0]), server[1], scheme)}{root}"


def _host_and_port(header: str, scheme: str) -> tuple[str, int] | None:
    """The host name and port a Host header names; None when it is not a plain host[:port]
    (user info, a path, a bad port...)."""
    try:
        parts = urlsplit(f"//{header}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.netloc.lower() != header.lower() or "@" in header:
        return None
    return parts.hostname, port or _DEFAULT_PORTS.get(scheme, 80)


def _trusted(host: str, trusted_hosts: str) -> bool:
    patterns = [p.strip().lower() for p in trusted_hosts.split(",") if p.strip()]
    return any(fnmatchcase(host, pattern) for pattern in patterns)


def _netloc(host: str, port: int, scheme: str) -> str:
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address
    return shown if port == _DEFAULT_PORTS.get(scheme) else f"{shown}:{port}"
