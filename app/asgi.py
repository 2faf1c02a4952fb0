"""ASGI entry point for servers: `uvicorn app.asgi:app` (settings from the environment)."""

from app.config import settings
from app.logs import configure_logging
from app.main import create_app

# JSON logs with request ids, and uvicorn's access log (raw paths, tokens included) replaced.
configure_logging(settings.log_level)
app = create_app()
