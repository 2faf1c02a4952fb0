"""The Jinja2 environment shared by pages, htmx partials and the PDF report."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

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
jinja_env.globals.update(
    HTMX_SRC=HTMX_SRC,
    HTMX_INTEGRITY=HTMX_INTEGRITY,
    HTMX_LOCAL=HTMX_LOCAL,
    csrf_input=csrf_input,
    csrf_token=csrf_token,
    current_language=current_language,
    LANGUAGES=LANGUAGES,
)
