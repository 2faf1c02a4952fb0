"""The Jinja2 environment shared by pages, htmx partials and the PDF report."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.datastructures import URL

from app.config import PROJECT_ROOT
from app.csrf import csrf_input, csrf_token
from app.formatting import date, euros, number, percent, text
from app.i18n import LANGUAGES, current_language, gettext, ngettext

HTMX_VERSION = "2.0.4"
HTMX_SRC = f"https://unpkg.com/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
HTMX_INTEGRITY = "sha384-HGfztofotfshcF7+8n44JQL2oJmowVChPTg48S+jvZoztPfvwD79OC/LTtG6dMp+"
# The same bytes served by the app, loaded when the CDN is unreachable (static/js/htmx-fallback.js).
HTMX_LOCAL = f"js/htmx-{HTMX_VERSION}.min.js"

templates = Jinja2Templates(directory=str(PROJECT_ROOT / "templates"))
jinja_env = templates.env
jinja_env.add_extension("jinja2.ext.i18n")
# newstyle: `_("… %(name)s", name=value)` escapes `value` and formats safely; a literal percent
# sign in a message is written `%%`.
jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
jinja_env.filters.update(euros=euros, percent=percent, number=number, date=date, text=text)


class _PathCache:
    """Route paths by (router, name, parameters). FastAPI's url_path_for walks every route
    (about 0.35 ms a call with ours): the workshop board links each of 40 participants three
    times, which made url_for two thirds of its render (issue 12's bench). Routes never change
    once the app runs, so a path computed once stays right."""

    def __init__(self, size: int = 8192):
        self.size = size
        self._paths: OrderedDict[tuple, str] = OrderedDict()
        self._lock = Lock()

    def path(self, provider: Any, name: str, params: dict[str, Any]) -> str:
        key = (id(provider), name, tuple(sorted((k, str(v)) for k, v in params.items())))
        with self._lock:
            found = self._paths.get(key)
            if found is not None:
                self._paths.move_to_end(key)
                return found
        path = str(provider.url_path_for(name, **params))
        with self._lock:
            self._paths[key] = path
            while len(self._paths) > self.size:
                self._paths.popitem(last=False)
        return path


_route_paths = _PathCache()


@jinja2.pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> URL:
    """Starlette's url_for (an absolute URL for this request's host), with the path cached."""
    request = context["request"]
    provider = request.scope.get("router") or request.scope.get("app")
    path = _route_paths.path(provider, name, path_params)
    return URL(str(request.base_url).rstrip("/") + path)


jinja_env.globals.update(
    url_for=url_for,
    HTMX_SRC=HTMX_SRC,
    HTMX_INTEGRITY=HTMX_INTEGRITY,
    HTMX_LOCAL=HTMX_LOCAL,
    csrf_input=csrf_input,
    csrf_token=csrf_token,
    current_language=current_language,
    LANGUAGES=LANGUAGES,
)
