"""The scheduler: fires periodic jobs, each tick once however many schedulers run.

Every scheduler computes the same absolute ticks (see :mod:`lys.jobs.schedules`) and
takes a Redis lock keyed by job and tick (``SET key NX PX ttl``) before enqueuing: the
first one fires the tick, the others see the key and skip it. The job then goes through
the outbox like any other, so a Redis hiccup right after the lock loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from lys.db.session import transaction
from lys.db.types import utcnow
from lys.jobs.actors import JobSpec
from lys.jobs.broker import namespace
from lys.jobs.outbox import enqueue
from lys.jobs.schedules import due_tick, next_tick

if TYPE_CHECKING:
    from lys.jobs.runtime import JobRuntime

logger = logging.getLogger("lys.jobs.scheduler")

#: A scheduler started (or restarted) this soon after a tick still fires it: the lock
#: keeps a tick another scheduler fired from firing twice.
START_GRACE = timedelta(seconds=60)
MIN_LOCK_TTL = timedelta(minutes=2)
MAX_ERROR_BACKOFF = 30.0


class TickLock(Protocol):
    def acquire(self, key: str, ttl: timedelta) -> bool: ...

    def release(self, key: str) -> None: ...


class RedisTickLock:
    """Shared by every scheduler of the deployment."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def acquire(self, key: str, ttl: timedelta) -> bool:
        return bool(self.client.set(key, b"1", nx=True, px=int(ttl.total_seconds() * 1000)))

    def release(self, key: str) -> None:
        self.client.delete(key)


class LocalTickLock:
    """One process only: for ``eager`` and ``stub`` modes (dev without Redis, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.held: dict[str, float] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, ttl: timedelta) -> bool:
        now = self.clock()
        with self._lock:
            self.held = {k: until for k, until in self.held.items() if until > now}
            if key in self.held:
                return False
            self.held[key] = now + ttl.total_seconds()
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self.held.pop(key, None)


def default_lock(runtime: JobRuntime) -> TickLock:
    if runtime.mode == "redis":
        from lys.redis_clients import redis_client

        return RedisTickLock(redis_client(runtime.settings.redis_url or "", 5.0))
    return LocalTickLock()


class Scheduler:
    def __init__(
        self,
        runtime: JobRuntime,
        lock: TickLock | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.runtime = runtime
        self.lock = lock if lock is not None else default_lock(runtime)
        self.clock = clock
        self.started_at = clock()
        self.checked: dict[str, datetime] = {}

    @property
    def specs(self) -> list[JobSpec]:
        return [spec for spec in self.runtime.specs.values() if spec.schedule is not None]

    def lock_key(self, spec: JobSpec, tick: datetime) -> str:
        return f"{namespace(self.runtime.settings)}:tick:{spec.name}:{int(tick.timestamp())}"

    def tick(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Fire what is due at ``now``; return the ``(job, tick)`` pairs this one fired."""
        now = now or self.clock()
        due: list[tuple[JobSpec, datetime]] = []
        for spec in self.specs:
            after = self.checked.get(spec.name, self.started_at - START_GRACE)
            assert spec.schedule is not None
            tick = due_tick(spec.schedule, after, now)
            if tick is None:
                self.checked[spec.name] = max(now, after)
            else:
                due.append((spec, tick))
        if not due:
            return []
        disabled = self._disabled({spec.name for spec, _tick in due})
        fired = []
        for spec, tick in due:
            if spec.name in disabled:
                logger.debug("periodic job %s is disabled: tick %s skipped", spec.name, tick)
            elif self._fire(spec, tick):
                fired.append((spec.name, tick))
            # Only now: a tick whose enqueue failed (raised) is tried again next loop.
            self.checked[spec.name] = now
        return fired

    def _fire(self, spec: JobSpec, tick: datetime) -> bool:
        assert spec.schedule is not None
        key = self.lock_key(spec, tick)
        period = next_tick(spec.schedule, tick) - tick
        if not self.lock.acquire(key, max(period * 2, MIN_LOCK_TTL)):
            logger.debug("tick %s of %s was fired by another scheduler", tick, spec.name)
            return False
        try:
            with transaction(self.runtime.engine) as session:
                enqueue(session, self.runtime.registry, spec.name, caller=None)
        except Exception:
            # Give the tick back: the next loop (here or elsewhere) fires it.
            self.lock.release(key)
            raise
        logger.info("fired %s for tick %s", spec.name, tick.isoformat())
        return True

    def _disabled(self, names: set[str]) -> set[str]:
        """Jobs switched off in the ``job`` table (``enabled = false``)."""
        job = self.runtime.model("job")
        with transaction(self.runtime.engine) as session:
            stmt = select(job.id).where(job.id.in_(names), job.enabled.is_(False))
            return set(session.scalars(stmt).all())

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Tick until ``stop`` is set; errors (Redis, database) are logged and retried."""
        logger.info(
            "scheduler started: %s",
            ", ".join(
                f"{spec.name} ({spec.schedule.describe()})" for spec in self.specs if spec.schedule
            )
            or "no periodic jobs",
        )
        backoff = interval
        while not stop.is_set():
            try:
                self.tick()
                backoff = interval
                wait = interval - (time.time() % interval)
            except Exception as exc:
                logger.error(
                    "scheduler tick failed (%s: %s); retrying in %.0f s",
                    type(exc).__name__,
                    exc,
                    backoff,
                )
                wait = backoff
                backoff = min(backoff * 2, MAX_ERROR_BACKOFF)
            stop.wait(wait)
        logger.info("scheduler stopped")
