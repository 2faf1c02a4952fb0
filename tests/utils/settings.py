"""Settings for a test app and the Redis keys a test leaves behind."""

from __future__ import annotations

from app.config import PROJECT_ROOT, Settings


def make_settings(database_url: str, **overrides) -> Settings:
    """Settings for a test app. Rate limits are generous (the suite does far more than a
    person would, from one address); the tests of the limits set their own."""
    return Settings(
        **{
            "database_url": database_url,
            "questionnaire_path": PROJECT_ROOT / "questionnaires",
            "login_rate_limit": "10000/minute",
            "join_rate_limit": "10000/minute",
            "create_rate_limit": "10000/minute",
            "save_rate_limit": "10000/minute",
            **overrides,
        }
    )


def delete_redis_keys(url: str, prefix: str) -> None:
    import redis

    with redis.Redis.from_url(url) as connection:
        for key in connection.scan_iter(f"*/{prefix}/*"):
            connection.delete(key)
