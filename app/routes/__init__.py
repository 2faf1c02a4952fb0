"""HTTP routes: the JSON API and the HTML pages."""

from app.web import ids

# Before any route module declares a path with `{…:dbid}`.
ids.register()
