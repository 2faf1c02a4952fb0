"""Settings: every knob is an environment variable with a sane default."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Longest retention accepted (a century): beyond it a cutoff means nothing, and far beyond it
# the date arithmetic overflows.
MAX_RETENTION_DAYS = 36_500


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Where the app listens (make run reads these too).
    host: str = "127.0.0.1"
    port: int = 8000
    # SQLite file by default; e.g. postgresql://user@host/db for PostgreSQL.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'mse.sqlite3'}"
    # Directory (or single file) holding the questionnaire YAML.
    questionnaire_path: Path = PROJECT_ROOT / "questionnaires"
    # Absolute base URL of resume and join links (e.g. https://mse.example.org behind a proxy).
    public_base_url: str = ""
    # Without PUBLIC_BASE_URL: host names (comma-separated, "*.example.org" allowed) whose Host
    # header links may follow; any other Host gets links to the address the server was reached
    # at (see app/web/links.py).
    trusted_hosts: str = "localhost"
    # Maximum accepted request body for answer saves, in bytes.
    max_body_bytes: int = 64 * 1024
    # How many rendered PDFs are kept in memory.
    pdf_cache_size: int = 64
    # Apply Alembic migrations when the app starts.
    auto_migrate: bool = True
    # Counsellors may create their own account from the web (else only `mse facilitator create`).
    allow_signup: bool = True
    # How long a counsellor stays signed in without signing in again, in days.
    session_days: int = 14
    # Mark the session cookie Secure even when the request looks like plain HTTP (set it behind a
    # TLS-terminating proxy that does not send X-Forwarded-Proto).
    cookie_secure: bool = False
    # Password attempts (sign-in, account deletion, password change) and sign-ups allowed per
    # client address ("limits" notation).
    login_rate_limit: str = "10/minute"
    # Wrong passwords allowed per email from all addresses together; over it, only addresses
    # that have not been guessing that email may still try it (its owner is not locked out).
    login_email_rate_limit: str = "50/hour"
    # New diagnostics allowed per client address.
    create_rate_limit: str = "60/minute"
    # Answer saves allowed per diagnostic (autosave sends one per answer).
    save_rate_limit: str = "600/minute"
    # Log level of the JSON logs (debug, info, warning, error).
    log_level: str = "info"
    # Signs the CSRF tokens. Empty: a random key kept in data/secret_key (fine for one
    # machine); set the same value on every instance when running several.
    secret_key: str = ""
    # Wrong join codes allowed per client address (a right code is never limited).
    join_rate_limit: str = "30/minute"
    # Where rate-limit counters live (a `limits` storage URL): "memory://" counts in each
    # process; "redis://host:6379/0" shares one budget between every instance using it.
    ratelimit_storage_url: str = "memory://"
    # Part of every rate-limit key: deployments sharing one Redis keep separate budgets.
    ratelimit_key_prefix: str = "mse"
    # Personal-data retention, in days: `mse purge` deletes diagnostics left unmodified for
    # longer (with their answers and workshop links) and workshops without activity for longer.
    # 0 keeps them until someone deletes them.
    retention_days: int = Field(default=730, ge=0, le=MAX_RETENTION_DAYS)


settings = Settings()
