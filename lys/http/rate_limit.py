"""Per-client rate limiting: a fixed one-minute window per client address.

Two buckets per address: ``RATE_LIMIT_PER_MINUTE`` for ordinary requests and
``RATE_LIMIT_SERVICE_PER_MINUTE`` for requests carrying ``Authorization: Service ...``
(service-to-service calls). A limit of 0 turns its bucket off. Past the limit the
answer is 429 with ``Retry-After`` (seconds to the end of the window) and the usual
error body with code ``RATE_LIMIT_ERROR``. ``/health`` and ``/ready`` are never limited.

Counters live in Redis when ``REDIS_URL`` is set (one ``INCR`` + ``EXPIRE`` transaction
per request, keys ``lys:ratelimit:<bucket>:<client>:<window>``, one connection pool per
process), otherwise in this process. If Redis fails, the request goes through
(fail open) and a warning is logged; Redis is tried again after a short pause.

Why not Litestar's ``RateLimitMiddleware``: it reads then writes a JSON history per key
(not atomic across processes), has a single limit per middleware, reads the wall clock
directly and fails closed with a 500 when the store is down.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from lys.http.client_ip import ClientAddressResolver

logger = logging.getLogger("lys.http.rate_limit")

WINDOW_SECONDS = 60
KEY_PREFIX = "lys:ratelimit:"
RATE_LIMIT_ERROR = "RATE_LIMIT_ERROR"
EXEMPT_PATHS = frozenset({"/health", "/ready"})
#: After a store failure, requests skip the store (and pass) for this long.
STORE_RETRY_AFTER_FAILURE = 5.0
#: Redis must answer fast: a stalled limiter would stall every request.
REDIS_TIMEOUT = 0.5

Clock = Callable[[], float]


class RateLimitStore(Protocol):
    async def increment(self, key: str, now: float, expires_at: float) -> int:
        """Add one to ``key`` and return the new count; the key dies at ``expires_at``."""
        ...

    async def aclose(self) -> None: ...


class MemoryRateLimitStore:
    """Counters in this process (thread-safe). Each process counts on its own."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    async def increment(self, key: str, now: float, expires_at: float) -> int:
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + WINDOW_SECONDS
            count, expiry = self._counts.get(key, (0, 0.0))
            if expiry <= now:
                count = 0
            count += 1
            self._counts[key] = (count, expires_at)
            # Bounded memory: past the cap the oldest counters are forgotten.
            while len(self._counts) > self.max_keys:
                del self._counts[next(iter(self._counts))]
            return count

    async def aclose(self) -> None:
        with self._lock:
            self._counts.clear()


class RedisRateLimitStore:
    """Counters in Redis, shared by every process and server.

    The client (and its connection pool) is created on first use, in the event loop
    that serves requests, and closed when the application stops.
    """

    def __init__(self, url: str, *, timeout: float = REDIS_TIMEOUT) -> None:
        self.url = url
        self.timeout = timeout
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            self._client = Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),
            )
        return self._client

    async def increment(self, key: str, now: float, expires_at: float) -> int:
        ttl = max(1, math.ceil(expires_at - now)) + 1
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl)
            count, _ = await asyncio.wait_for(pipe.execute(), self.timeout * 2)
        return int(count)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    count: int
    retry_after: int


class RateLimiter:
    """Fixed one-minute windows, counted in a store; fails open when the store fails."""

    def __init__(
        self,
        store: RateLimitStore,
        *,
        per_minute: int,
        service_per_minute: int,
        clock: Clock = time.time,
        key_prefix: str = KEY_PREFIX,
    ) -> None:
        self.store = store
        self.limits = {"client": per_minute, "service": service_per_minute}
        self.clock = clock
        self.key_prefix = key_prefix
        self._store_down_until = 0.0

    @property
    def enabled(self) -> bool:
        return any(self.limits.values())

    async def hit(self, client: str, *, service: bool = False) -> Decision | None:
        """Count one request; ``None`` when its bucket is off or the store failed."""
        bucket = "service" if service else "client"
        limit = self.limits[bucket]
        if not limit:
            return None
        now = self.clock()
        window = math.floor(now / WINDOW_SECONDS)
        window_end = (window + 1) * WINDOW_SECONDS
        if now < self._store_down_until:
            return None
        key = f"{self.key_prefix}{bucket}:{limit_key(client)}:{window}"
        try:
            count = await self.store.increment(key, now, window_end)
        except Exception as exc:
            self._store_down_until = now + STORE_RETRY_AFTER_FAILURE
            logger.warning(
                "Rate limiting is off for %.0f s: its store failed (%s: %s); "
                "requests are let through meanwhile.",
                STORE_RETRY_AFTER_FAILURE,
                type(exc).__name__,
                exc,
            )
            return None
        retry_after = max(1, math.ceil(window_end - now))
        return Decision(allowed=count <= limit, limit=limit, count=count, retry_after=retry_after)

    async def aclose(self) -> None:
        await self.store.aclose()


def limit_key(client: str) -> str:
    """What one client is counted under: its address, or its /64 for IPv6.

    One IPv6 subscriber usually holds a whole /64, so counting single addresses would
    give them billions of buckets.
    """
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def is_service_call(scope: Scope) -> bool:
    """``Authorization: Service ...`` (the scheme is case-insensitive)."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"authorization":
            scheme = value.split(None, 1)[0] if value.strip() else b""
            return scheme.lower() == b"service"
    return False


def build_rate_limiter(
    *,
    per_minute: int,
    service_per_minute: int,
    redis_url: str | None,
    clock: Clock | None = None,
    store: RateLimitStore | None = None,
    key_prefix: str = KEY_PREFIX,
) -> RateLimiter | None:
    """The limiter the settings ask for, or ``None`` when both limits are 0."""
    if not per_minute and not service_per_minute:
        return None
    if store is None:
        store = RedisRateLimitStore(redis_url) if redis_url else MemoryRateLimitStore()
    return RateLimiter(
        store,
        per_minute=per_minute,
        service_per_minute=service_per_minute,
        clock=clock or time.time,
        key_prefix=key_prefix,
    )


def rate_limit_body(retry_after: int) -> dict[str, Any]:
    detail = f"Too many requests; retry in {retry_after} s."
    extensions = {"code": RATE_LIMIT_ERROR, "status_code": 429, "detail": detail}
    return {"errors": [{"message": RATE_LIMIT_ERROR, "extensions": extensions}]}


class RateLimitMiddleware(ASGIMiddleware):
    """Counts every routed HTTP request except the probes, before the handler runs."""

    scopes = (ScopeType.HTTP,)

    def __init__(
        self,
        limiter: RateLimiter,
        resolver: ClientAddressResolver,
        exempt_paths: Iterable[str] = EXEMPT_PATHS,
    ) -> None:
        self.limiter = limiter
        self.resolver = resolver
        self.exempt_paths = frozenset(exempt_paths)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        path = scope["path"].rstrip("/") or "/"
        if path in self.exempt_paths:
            await next_app(scope, receive, send)
            return
        service = is_service_call(scope)
        if not self.limiter.limits["service" if service else "client"]:
            # This request's bucket is off: nothing to count, no address to work out.
            await next_app(scope, receive, send)
            return
        decision = await self.limiter.hit(self.resolver.client_ip(scope), service=service)
        if decision is None or decision.allowed:
            await next_app(scope, receive, send)
            return
        body = json.dumps(rate_limit_body(decision.retry_after)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(decision.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
