"""Per-user message rate limit and per-session token budget: pure bookkeeping, no I/O.

The practice service asks `MessageRateLimiter.wait_seconds` and `budget_left` before any model call
and turns a refusal into a clear one-line error (roleplay.services.practice.TooManyMessages,
TokenBudgetSpent). State is per process: several replicas each keep their own window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class MessageRateLimiter:
    """At most `per_minute` admitted messages per user in any sliding 60-second window (0 = no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._admitted: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, user: str) -> int:
        """0 and the message is counted; else the whole seconds to wait (nothing is counted)."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        with self._lock:
            window = self._admitted.setdefault(user, deque())
            while window and window[0] <= now - WINDOW_SECONDS:
                window.popleft()
            if len(window) >= self.per_minute:
                return max(1, math.ceil(window[0] + WINDOW_SECONDS - now))
            window.append(now)
            return 0


def budget_left(spent_tokens: int, budget: int) -> int | None:
    """Tokens the session may still spend; None when there is no budget (0)."""
    if budget <= 0:
        return None
    return max(0, budget - spent_tokens)
