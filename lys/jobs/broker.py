"""The Dramatiq broker of one application, and the messages it carries.

``auto`` picks Redis when ``REDIS_URL`` is set; without it, ``dev`` runs jobs in the
committing process (``eager``) and other environments keep them in the outbox until a
worker with Redis pushes them (``outbox``). ``stub`` is Dramatiq's in-memory broker,
for tests with an in-process worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    CurrentMessage,
    Middleware,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from lys.conf.environments import Environment
from lys.conf.settings import Settings
from lys.jobs.actors import JobSpec
from lys.jobs.errors import PermanentJobError

Mode = Literal["redis", "stub", "eager", "outbox"]
#: Message option holding the caller (user, claims, client).
CALLER_OPTION = "lys_caller"
#: Redis client timeouts (seconds): a stalled Redis must not hang a request or a worker.
REDIS_CONNECT_TIMEOUT = 5.0
REDIS_SOCKET_TIMEOUT = 15.0


def resolve_mode(settings: Settings) -> Mode:
    if settings.job_broker != "auto":
        return settings.job_broker
    if settings.redis_url:
        return "redis"
    return "eager" if settings.env is Environment.DEV else "outbox"


def namespace(settings: Settings) -> str:
    """Prefix of the broker's Redis keys: projects sharing a Redis stay apart."""
    return f"{settings.redis_key_prefix}:jobs"


def build_broker(settings: Settings, mode: Mode) -> dramatiq.Broker:
    middleware: list[Middleware] = [AgeLimit(), ShutdownNotifications()]
    if mode == "redis":
        # Interrupts a job over its time limit; needs a worker process ("process_boot").
        middleware.append(TimeLimit(time_limit=settings.job_time_limit))
    middleware += [
        Retries(
            max_retries=settings.job_max_retries,
            min_backoff=settings.job_min_backoff,
            max_backoff=settings.job_max_backoff,
        ),
        CurrentMessage(),
    ]
    if mode != "redis":
        return StubBroker(middleware=middleware, fail_fast_default=False)
    import redis
    from dramatiq.brokers.redis import RedisBroker

    client = redis.Redis.from_url(
        settings.redis_url or "",
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        health_check_interval=30,
    )
    return RedisBroker(
        client=client,
        namespace=namespace(settings),
        middleware=middleware,
        heartbeat_timeout=settings.job_heartbeat_timeout,
        maintenance_chance=settings.job_maintenance_chance,
    )


def declare_actors(
    broker: dramatiq.Broker,
    specs: Iterable[JobSpec],
    run: Callable[[JobSpec], Callable[..., None]],
) -> dict[str, dramatiq.Actor[Any, Any]]:
    """One Dramatiq actor per job, bound to this broker only."""
    has_time_limit = any(isinstance(item, TimeLimit) for item in broker.middleware)
    actors = {}
    for spec in specs:
        options: dict[str, Any] = {"throws": (PermanentJobError, *spec.throws)}
        for name in ("max_retries", "min_backoff", "max_backoff"):
            value = getattr(spec, name)
            if value is not None:
                options[name] = value
        if spec.time_limit is not None and has_time_limit:
            options["time_limit"] = spec.time_limit
        actors[spec.name] = dramatiq.Actor(
            run(spec),
            broker=broker,
            actor_name=spec.name,
            queue_name=spec.queue,
            priority=0,
            options=options,
        )
    return actors


@dataclass(frozen=True)
class OutboxMessage:
    """An outbox row, detached from its session: what the broker is given."""

    id: str
    job_name: str
    queue: str
    args: list[Any]
    kwargs: dict[str, Any]
    caller: dict[str, Any] | None
    delay_ms: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> OutboxMessage:
        return cls(
            id=str(row.id),
            job_name=row.job_name,
            queue=row.queue,
            args=list(row.args or []),
            kwargs=dict(row.kwargs or {}),
            caller=row.caller,
            delay_ms=row.delay_ms,
            created_at=row.created_at,
        )

    def to_dramatiq(self) -> dramatiq.Message[Any]:
        # The outbox id is the message id: pushed twice, it is still one job (runner dedupe).
        options: dict[str, Any] = {}
        if self.caller:
            options[CALLER_OPTION] = self.caller
        return dramatiq.Message(
            queue_name=self.queue,
            actor_name=self.job_name,
            args=tuple(self.args),
            kwargs=self.kwargs,
            options=options,
            message_id=self.id,
            message_timestamp=int(self.created_at.timestamp() * 1000),
        )

    def remaining_delay(self, now: datetime) -> int | None:
        """Milliseconds still to wait, counted from when the job was enqueued."""
        if not self.delay_ms:
            return None
        elapsed = (now - self.created_at).total_seconds() * 1000
        remaining = int(self.delay_ms - elapsed)
        return remaining if remaining > 0 else None
