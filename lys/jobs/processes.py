"""A small supervisor: N child processes, restarted with backoff, stopped on SIGTERM.

Children are forked where the platform allows it (spawned elsewhere): the parent
opens no database or Redis connection before, and each child builds its own
application, so every process has connections of its own while starting in a moment. SIGTERM or SIGINT asks every child to stop gracefully; one still running
after the grace period is killed (its unfinished jobs return to the queue once its
heartbeat times out). A child that dies is restarted after a delay that doubles up to
a cap, so a broken deployment logs its reason at a slow pace instead of spinning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
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


def child_main(name: str, target: ChildTarget, args: tuple[Any, ...]) -> None:
    """Entry point of a child: signals set a stop event the target waits on."""
    stop = threading.Event()

    def request_stop(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    parent = os.getppid()

    def watch_parent() -> None:
        # An orphan stops too: nobody would ever send it SIGTERM.
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch_parent, name="lys-parent-watch", daemon=True).start()
    multiprocessing.current_process().name = name
    target(stop, *args)


class Supervisor:
    def __init__(self, children: list[Child], shutdown_timeout: float) -> None:
        self.children = children
        self.shutdown_timeout = shutdown_timeout
        self.stopping = threading.Event()
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def _start(self, child: Child) -> None:
        process = self.context.Process(
            target=child_main, args=(child.name, child.target, child.args), name=child.name
        )
        process.start()
        child.process = process
        child.started = time.monotonic()
        child.restart_at = None
        logger.info("started %s (pid %s)", child.name, process.pid)

    def run(self) -> int:
        def request_stop(signum: int, _frame: Any) -> None:
            if not self.stopping.is_set():
                logger.info("received %s: stopping", signal.Signals(signum).name)
            self.stopping.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        for child in self.children:
            self._start(child)
        while not self.stopping.wait(0.5):
            for child in self.children:
                self._watch(child)
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
