"""In-process rate limits (the `limits` library, moving windows) for sign-in and join codes.

Counters live in this process: with several workers each counts on its own, which still bounds
guessing to a small multiple of the limit (see the README on running several workers).
"""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimits:
    def __init__(self, **rules: str):
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.rules = {name: parse(rule) for name, rule in rules.items()}

    def hit(self, rule: str, *keys: str) -> bool:
        """Count one attempt against every key; False when any of them is over the limit."""
        item = self.rules[rule]
        allowed = True
        for key in keys:
            allowed = self.limiter.hit(item, rule, key) and allowed
        return allowed

    def allows(self, rule: str, *keys: str) -> bool:
        """Whether every key is still under the limit, without counting an attempt."""
        item = self.rules[rule]
        return all(self.limiter.test(item, rule, key) for key in keys)

    def retry_after(self, rule: str, *keys: str) -> int:
        """Seconds until every key may try again."""
        item = self.rules[rule]
        waits = [self.limiter.get_window_stats(item, rule, key).reset_time for key in keys]
        return max(1, int(max(waits) - time.time()) + 1) if waits else 1

    def reset(self) -> None:
        self.storage.reset()
