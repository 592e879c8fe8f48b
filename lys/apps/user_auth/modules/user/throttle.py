"""Fixed-window counters for throttling (password reset requests).

With ``REDIS_URL`` the counters live in Redis and every process shares them;
otherwise, or while Redis does not answer, each process counts for itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from lys.redis_clients import redis_client

logger = logging.getLogger("lys.auth.throttle")

#: Redis must answer fast: it sits in front of a public operation.
REDIS_TIMEOUT = 0.5
_PRUNE_EVERY = 1024


class Throttle:
    def __init__(
        self,
        redis_url: str | None,
        *,
        prefix: str,
        window: int = 3600,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis_url = redis_url
        self.prefix = prefix
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}
        self._hits = 0

    @property
    def shared(self) -> bool:
        """Counters are shared by every process (Redis)."""
        return bool(self.redis_url)

    def hit(self, key: str, limit: int) -> bool:
        """Count one event for ``key``; False when it is over ``limit`` in this window."""
        if self.redis_url:
            try:
                return self._redis_hit(key) <= limit
            except Exception as exc:  # redis.RedisError, OSError
                logger.warning("Redis did not answer (%s); throttling in this process", exc)
        return self._memory_hit(key) <= limit

    def _redis(self) -> Any:
        # Callers check redis_url first; the cast only narrows the type.
        return redis_client(cast(str, self.redis_url), REDIS_TIMEOUT)

    def _redis_hit(self, key: str) -> int:
        name = f"{self.prefix}:{self._window_start()}:{key}"
        with self._redis().pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window + 60)
            count, _ = pipe.execute()
        return int(count)

    def _memory_hit(self, key: str) -> int:
        start = self._window_start()
        with self._lock:
            self._hits += 1
            if self._hits % _PRUNE_EVERY == 0:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == start}
            window, count = self._counts.get(key, (start, 0))
            count = count + 1 if window == start else 1
            self._counts[key] = (start, count)
            return count

    def _window_start(self) -> int:
        now = int(self.clock())
        return now - now % self.window
