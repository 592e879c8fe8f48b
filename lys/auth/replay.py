"""Each service token is accepted once.

A service token lives a minute; one copied off the wire (or out of a log) could be sent
again within that minute. Every token a client sends is new (``lys.client`` signs one
per attempt), so a ``jti`` seen twice is a replay and is refused.

With ``REDIS_URL`` the ``jti`` are shared by every process of the service
(``SET NX`` with the token's remaining lifetime, key
``<REDIS_KEY_PREFIX>:service-jti:<service>:<jti>``); without it, each process keeps its
own. If Redis does not answer, tokens are let through (the signature, audience and
expiry still hold) and a warning is logged: an outage of Redis does not cut the
services off from each other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from lys.redis_clients import redis_client

logger = logging.getLogger("lys.auth.replay")

REDIS_TIMEOUT = 0.5
#: Warnings about Redis failures, at most one per this many seconds.
WARN_EVERY = 30.0
MAX_REMEMBERED = 100_000


class ReplayGuard:
    def __init__(
        self, redis_url: str | None, prefix: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.redis_url = redis_url
        self.prefix = f"{prefix}:service-jti:"
        self.clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._warned_at = -WARN_EVERY

    def first_use(self, service: str, jti: str, expires_at: float) -> bool:
        """Record the token; ``False`` when it was already used."""
        key = f"{self.prefix}{service}:{jti}"
        ttl = max(1, int(expires_at - self.clock()) + 1)
        if self.redis_url:
            try:
                client = redis_client(self.redis_url, REDIS_TIMEOUT)
                return bool(client.set(key, "1", nx=True, ex=ttl))
            except Exception as exc:  # redis.RedisError, OSError
                self._warn(exc)
                return True
        return self._first_use_here(key, ttl)

    def _first_use_here(self, key: str, ttl: int) -> bool:
        now = self.clock()
        with self._lock:
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen = {k: until for k, until in self._seen.items() if until > now}
            until = self._seen.get(key)
            if until is not None and until > now:
                return False
            self._seen[key] = now + ttl
            return True

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            logger.warning(
                "Redis did not answer (%s): service tokens are not checked for replay", exc
            )
