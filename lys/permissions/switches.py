"""Run-time switches: webservices a super user turned off, seen by every process.

The switched-off names live in a Redis set; each process keeps a copy no older than
``refresh`` seconds, so a switch reaches every server within a second without a Redis
round trip per request. The durable copy is the store's (the ``webservice`` table):
when Redis has lost the set (restart), it is rebuilt from there. Without Redis (one
process in development) the copy in memory is the only one besides the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from lys.redis_clients import redis_client

logger = logging.getLogger("lys.permissions")

#: ``() -> names`` switched off according to the durable store.
StoreLoader = Callable[[], set[str]]


class NoSwitches:
    """Nothing can be switched off at run time (no app provides a store)."""

    def is_off(self, name: str) -> bool:
        return False


class WebserviceSwitches:
    def __init__(
        self,
        load_store: StoreLoader,
        *,
        redis_url: str | None = None,
        key: str = "lys:webservices:off",
        refresh: float = 0.5,
        timeout: float = 0.5,
    ) -> None:
        self.load_store = load_store
        self.redis_url = redis_url
        self.key = key
        self.refresh = refresh
        self.timeout = timeout
        self._off: set[str] = set()
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def is_off(self, name: str) -> bool:
        if time.monotonic() - self._read_at > self.refresh:
            self._reload()
        return name in self._off

    def switch(self, name: str, enabled: bool) -> None:
        """Record a switch made in the store; other processes see it within ``refresh``."""
        with self._lock:
            if enabled:
                self._off.discard(name)
            else:
                self._off.add(name)
        if self.redis_url is None:
            return
        client = redis_client(self.redis_url, self.timeout)
        with client.pipeline() as pipe:
            pipe.sadd(self.key, "")  # the set exists (so it is not rebuilt) even when empty
            if enabled:
                pipe.srem(self.key, name)
            else:
                pipe.sadd(self.key, name)
            pipe.execute()

    def _reload(self) -> None:
        with self._lock:
            if time.monotonic() - self._read_at <= self.refresh:
                return
            try:
                self._off = self._read()
            except Exception as exc:
                # Keep the last known switches: an outage must not re-enable anything.
                logger.warning("webservice switches not refreshed: %s", exc)
            self._read_at = time.monotonic()

    def _read(self) -> set[str]:
        if self.redis_url is None:
            if self._read_at == float("-inf"):
                return self.load_store()
            return self._off
        client = redis_client(self.redis_url, self.timeout)
        members = client.smembers(self.key)
        if not members:
            names = self.load_store()
            with client.pipeline() as pipe:
                pipe.sadd(self.key, "", *names)
                pipe.execute()
            return names
        return {m.decode() if isinstance(m, bytes) else m for m in members} - {""}
