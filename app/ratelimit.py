"""Rate limits (the `limits` library, moving windows): password checks, sign-ups, wrong join
codes, new diagnostics, answer saves.

Counters live in the storage RATELIMIT_STORAGE_URL names, through the `limits` library's own
storages: in this process by default (`memory://`; with several processes each counts on its
own, so the effective limit is the setting times the number of processes), or in a store every
instance counts in (`redis://…`), so several instances share one budget.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

# Once an email has had its slow cap of wrong passwords (from anywhere), an address may still
# try it while it has made fewer wrong attempts than this for it within the cap's window: its
# owner, who has not been guessing, is not locked out by others' guesses (see deps.py).
GRACE_FAILURES = 3


class LazyMemoryStorage(MemoryStorage):
    """limits' in-process storage, expiring old entries lazily instead of on a timer thread.

    MemoryStorage schedules its clean-up on a `threading.Timer` 10 ms ahead, and starts a new
    one (a new OS thread) on the next hit once that timer has run: under real, sparse traffic
    nearly every save spaced more than ~15 ms from the previous one paid 0.24-0.39 ms for it
    (issue 13). Here the same clean-up (the parent's own) runs in the caller's thread, at most
    once per SWEEP_INTERVAL. Counting is unchanged: the moving window reads each entry's own
    timestamp, expired or not, so sweeping later only holds old entries in memory longer.

    Chosen over a fix upstream (none released) and over another library: the `limits` API, and
    its Redis storage for several instances, stay as they are; only `memory://` uses this.
    """

    SWEEP_INTERVAL = 1.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        # The parent starts one timer on creation (a single 10 ms thread): harmless.
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_INTERVAL
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides a private name
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.SWEEP_INTERVAL
            self._MemoryStorage__expire_events()
        finally:
            self._sweeping.release()


class RateLimitStorageError(RuntimeError):
    """The configured storage does not answer: raised at start-up rather than on a request."""


def password_rules(per_address: str, per_email: str) -> dict[str, RateLimitItem]:
    """The three rules behind password checks: attempts per address, wrong passwords per email
    (the slow cap), and wrong passwords per email from one address, over the cap's window."""
    email_cap = parse(per_email)
    return {
        "login": parse(per_address),
        "login_email": email_cap,
        "login_email_here": type(email_cap)(GRACE_FAILURES, email_cap.multiples),
    }


class RateLimits:
    def __init__(
        self, storage_url: str = "memory://", key_prefix: str = "mse", **rules: str | RateLimitItem
    ):
        # Storage failures (Redis gone) raise limits' StorageError, answered 503 (see main.py).
        # In this process: no I/O, so callers may check on the event loop (see deps.py).
        self.in_process = urlsplit(storage_url).scheme == "memory"
        if self.in_process:
            self.storage = LazyMemoryStorage(storage_url, wrap_exceptions=True)
        else:
            self.storage = storage_from_string(storage_url, wrap_exceptions=True)
        if not self.storage.check():
            where = urlsplit(storage_url)
            raise RateLimitStorageError(
                f"RATELIMIT_STORAGE_URL: no answer from {where.scheme}://{where.hostname}"
                f":{where.port or ''} (rate-limit storage)"
            )
        self.limiter = MovingWindowRateLimiter(self.storage)
        # Part of every key: deployments sharing one store keep separate budgets.
        self.prefix = key_prefix
        self.rules = {
            name: rule if isinstance(rule, RateLimitItem) else parse(rule)
            for name, rule in rules.items()
        }

    def hit(self, rule: str, *keys: str) -> bool:
        """Count one attempt against every key; False when any of them is over the limit."""
        item = self.rules[rule]
        allowed = True
        for key in keys:
            allowed = self.limiter.hit(item, self.prefix, rule, key) and allowed
        return allowed

    def wait(self, rule: str, *keys: str) -> int | None:
        """The one way a request is limited: count one attempt against every key, and say how
        many seconds to wait when any of them is over the limit (None: go ahead). What the
        caller shows then (a 429 page, a form with its error, JSON) is the caller's."""
        if self.hit(rule, *keys):
            return None
        return self.retry_after(rule, *keys)

    def allows(self, rule: str, *keys: str) -> bool:
        """Whether every key is still under the limit, without counting an attempt."""
        item = self.rules[rule]
        return all(self.limiter.test(item, self.prefix, rule, key) for key in keys)

    def retry_after(self, rule: str, *keys: str) -> int:
        """Seconds until every key may try again."""
        item = self.rules[rule]
        waits = [
            self.limiter.get_window_stats(item, self.prefix, rule, key).reset_time for key in keys
        ]
        return max(1, int(max(waits) - time.time()) + 1) if waits else 1

    def clear(self, rule: str, *keys: str) -> None:
        """Forget the attempts counted against these keys."""
        item = self.rules[rule]
        for key in keys:
            self.limiter.clear(item, self.prefix, rule, key)
