"""The body of a worker process: wait for Redis, consume, flush the outbox, stop cleanly.

With Redis down the process neither crashes nor spins: it logs why and tries again
with a capped backoff; once consuming, Dramatiq itself reconnects its consumers.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from lys.jobs.runtime import JobRuntime

logger = logging.getLogger("lys.jobs.worker")

FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 30.0


def redis_location(url: str | None) -> str:
    """The Redis URL without credentials, for log lines."""
    parts = urlsplit(url or "")
    return f"{parts.hostname or '?'}:{parts.port or 6379}{parts.path or ''}"


def wait_for_broker(
    runtime: JobRuntime,
    stop: threading.Event,
    first_delay: float = FIRST_RETRY_DELAY,
    max_delay: float = MAX_RETRY_DELAY,
) -> bool:
    """Block until Redis answers (``True``) or ``stop`` is set (``False``)."""
    import redis

    client = runtime.broker.client  # type: ignore[attr-defined]
    delay = first_delay
    where = redis_location(runtime.settings.redis_url)
    while not stop.is_set():
        try:
            client.ping()
        except redis.RedisError as exc:
            logger.error(
                "Redis at %s is unreachable (%s: %s); retrying in %.0f s",
                where,
                type(exc).__name__,
                exc,
                delay,
            )
            stop.wait(delay)
            delay = min(delay * 2, max_delay)
            continue
        logger.info("connected to Redis at %s", where)
        return True
    return False


def flush_outbox_forever(runtime: JobRuntime, stop: threading.Event) -> None:
    """Push outbox rows the committing processes could not push (Redis was down)."""
    interval = runtime.settings.job_outbox_flush_interval
    while True:
        try:
            pushed = runtime.flush_outbox()
            if pushed:
                logger.info("pushed %d job(s) left in the outbox", pushed)
        except Exception as exc:
            logger.warning("outbox flush failed (%s: %s)", type(exc).__name__, exc)
        if stop.wait(interval):
            return


def run_worker(
    runtime: JobRuntime, stop: threading.Event, threads: int, queues: list[str] | None
) -> None:
    """Consume until ``stop`` is set, then let running jobs finish (or requeue them)."""
    runtime.announce()
    if not wait_for_broker(runtime, stop):
        return
    runtime.sync_jobs()
    with runtime.worker(threads=threads, queues=queues, worker_timeout=1000):
        flusher = threading.Thread(
            target=flush_outbox_forever, args=(runtime, stop), name="lys-outbox", daemon=True
        )
        flusher.start()
        listened = ", ".join(queues) if queues else "all queues"
        logger.info("worker ready: %s, %d thread(s)", listened, threads)
        stop.wait()
        logger.info(
            "stopping: running jobs get %.0f s to finish, the others go back to the queue",
            runtime.settings.job_shutdown_timeout,
        )
    flusher.join(timeout=5)
    logger.info("worker stopped")


def run_scheduler(runtime: JobRuntime, stop: threading.Event) -> None:
    from lys.jobs.scheduler import Scheduler

    runtime.announce()
    if runtime.mode == "redis" and not wait_for_broker(runtime, stop):
        return
    runtime.sync_jobs()
    Scheduler(runtime).run(stop)
