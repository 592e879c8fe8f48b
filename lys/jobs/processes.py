"""A small supervisor: N child processes, restarted with backoff, stopped on SIGTERM.

Children are forked where the platform allows it (spawned elsewhere): the parent opens
no database or Redis connection first, and each child builds its own application, so
every process has connections of its own and still starts in a moment.

SIGTERM or SIGINT asks every child to stop gracefully; one still running after the
grace period is killed (its unfinished jobs return to the queue once its heartbeat
times out). A child that dies is restarted after a delay that doubles up to a cap, so
a broken deployment logs its reason at a slow pace instead of spinning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("lys.jobs.worker")

FIRST_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 30.0
#: A child that lived this long was healthy: its next restart starts the backoff over.
HEALTHY_UPTIME = 60.0
#: ``target(stop_event, *args)``: runs in the child until the event is set.
ChildTarget = Callable[..., None]


@dataclass
class Child:
    name: str
    target: ChildTarget
    args: tuple[Any, ...]
    process: Any = None
    started: float = 0.0
    restart_delay: float = FIRST_RESTART_DELAY
    restart_at: float | None = None
    history: list[int] = field(default_factory=list)


class _Signals:
    """What a signal handler may touch: a plain attribute, never a lock.

    A handler runs in the main thread between two bytecodes, possibly while that
    thread holds the lock of the very ``Event`` the handler would set: setting one
    from a handler can deadlock. The main thread polls this flag instead.
    """

    def __init__(self) -> None:
        self.received: int | None = None

    def install(self) -> None:
        def on_signal(signum: int, _frame: Any) -> None:
            self.received = signum

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)


def child_main(name: str, target: ChildTarget, args: tuple[Any, ...]) -> None:
    """Entry point of a child: the target runs in a thread, the main thread relays stops."""
    signals = _Signals()
    signals.install()
    multiprocessing.current_process().name = name
    parent = os.getppid()
    stop = threading.Event()
    failed: list[BaseException] = []

    def work() -> None:
        try:
            target(stop, *args)
        except BaseException as exc:
            failed.append(exc)
            logger.exception("%s failed", name)

    thread = threading.Thread(target=work, name=f"{name}-main")
    thread.start()
    while thread.is_alive():
        # An orphan stops too: nobody would ever send it SIGTERM.
        if signals.received is not None or os.getppid() != parent:
            stop.set()
        thread.join(0.2)
    if failed:
        sys.exit(1)


class Supervisor:
    def __init__(self, children: list[Child], shutdown_timeout: float) -> None:
        self.children = children
        self.shutdown_timeout = shutdown_timeout
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def _start(self, child: Child) -> None:
        # typeshed types get_context(str) as BaseContext, which lacks Process.
        process = self.context.Process(  # type: ignore[attr-defined]
            target=child_main, args=(child.name, child.target, child.args), name=child.name
        )
        process.start()
        child.process = process
        child.started = time.monotonic()
        child.restart_at = None
        logger.info("started %s (pid %s)", child.name, process.pid)

    def run(self) -> int:
        signals = _Signals()
        signals.install()
        for child in self.children:
            self._start(child)
        while signals.received is None:
            for child in self.children:
                self._watch(child)
            time.sleep(0.2)
        logger.info("received %s: stopping", signal.Signals(signals.received).name)
        return self._stop_all()

    def _watch(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                self._start(child)
            return
        if child.process is None or child.process.is_alive():
            return
        code = child.process.exitcode
        child.process.join()
        child.history.append(code)
        if now - child.started >= HEALTHY_UPTIME:
            child.restart_delay = FIRST_RESTART_DELAY
        logger.error(
            "%s (pid %s) exited with code %s; restarting in %.0f s",
            child.name,
            child.process.pid,
            code,
            child.restart_delay,
        )
        child.restart_at = now + child.restart_delay
        child.restart_delay = min(child.restart_delay * 2, MAX_RESTART_DELAY)

    def _stop_all(self) -> int:
        running = [c for c in self.children if c.process is not None and c.process.is_alive()]
        for child in running:
            child.process.terminate()  # SIGTERM: the child stops gracefully
        deadline = time.monotonic() + self.shutdown_timeout + 5.0
        for child in running:
            child.process.join(max(0.0, deadline - time.monotonic()))
        killed = 0
        for child in running:
            if child.process.is_alive():
                logger.warning("%s did not stop in time: killed", child.name)
                child.process.kill()
                child.process.join()
                killed += 1
        logger.info("all worker processes stopped")
        return 1 if killed else 0
