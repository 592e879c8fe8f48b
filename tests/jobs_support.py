"""Shared by the job tests: a project with jobs, a loopback SMTP server, worker processes.

Test modules import the fixtures they use (``redis_namespace_fixture``, ...): pytest
registers them under their short names (``redis_namespace``, ``smtp``, ``start_worker``).

Redis tests give every test its own key prefix (``REDIS_KEY_PREFIX``): queues, heartbeats
and tick locks of parallel tests never meet, and only that prefix's keys are deleted.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lys import Application
from lys.fixtures import load_fixtures
from tests.services import REDIS_URL, require

JOBS_APPS = ["lys.apps.base", "tests.testapps.jobs_demo"]
JOBS_SETTINGS_MODULE = "tests.testapps.jobs_settings"
REPO_ROOT = Path(__file__).resolve().parent.parent
MANAGE = REPO_ROOT / "manage.py"

#: Retries in milliseconds: a failing job is retried and dead-lettered within a second.
FAST_RETRIES: dict[str, Any] = {
    "job_max_retries": 2,
    "job_min_backoff": 10,
    "job_max_backoff": 40,
    # The committing process pushes at once; a leftover is eligible for flushing at once.
    "job_outbox_retry_delay": 0,
}


def jobs_app(
    make_app: Callable[..., Application],
    apps: list[str] | None = None,
    *,
    create_tables: bool = True,
    **settings: Any,
) -> Application:
    """The demo project on the test's database, reference data loaded (stub broker)."""
    settings.setdefault("job_broker", "stub")
    for key, value in FAST_RETRIES.items():
        settings.setdefault(key, value)
    app = make_app(apps or JOBS_APPS, create_tables=create_tables, **settings)
    if create_tables:
        load_fixtures(app)
    return app


def rows(app: Application, model: str, **where: Any) -> list[Any]:
    table = app.model(model)
    stmt = select(table)
    for key, value in where.items():
        stmt = stmt.where(getattr(table, key) == value)
    with app.session() as session:
        found = list(session.scalars(stmt.order_by(table.created_at)).all())
        session.expunge_all()
        return found


def update_rows(app: Application, model: str, values: dict[str, Any], **where: Any) -> None:
    with app.session() as session:
        for row in session.scalars(select(app.model(model)).filter_by(**where)):
            for key, value in values.items():
                setattr(row, key, value)


def notes(app: Application) -> list[str]:
    return [row.text for row in rows(app, "jobs_demo_note")]


def executions(app: Application, job: str | None = None) -> list[Any]:
    where = {"job_id": job} if job else {}
    return rows(app, "job_execution", **where)


def wait_until(
    predicate: Callable[[], Any], timeout: float = 10.0, what: str = "the condition"
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- Redis -------------------------------------------------------------------------------
@dataclass
class RedisNamespace:
    url: str
    prefix: str

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url)

    def settings(self) -> dict[str, Any]:
        return {"redis_url": self.url, "redis_key_prefix": self.prefix}

    def environ(self) -> dict[str, str]:
        return {"LYS_REDIS_URL": self.url, "LYS_REDIS_KEY_PREFIX": self.prefix}

    def queue_length(self, queue: str) -> int:
        return int(self.client().llen(f"{self.prefix}:jobs:{queue}"))

    def dead_letters(self, queue: str) -> int:
        return int(self.client().zcard(f"{self.prefix}:jobs:{queue}.XQ"))

    def delete_all(self) -> None:
        client = self.client()
        keys = list(client.scan_iter(match=f"{self.prefix}:*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(name="redis_namespace")
def redis_namespace_fixture() -> Iterator[RedisNamespace]:
    """Real Redis, with keys of this test's own (deleted afterwards)."""
    require("Redis", REDIS_URL)
    namespace = RedisNamespace(REDIS_URL, f"lys-test-{uuid.uuid4().hex[:12]}")
    yield namespace
    namespace.delete_all()


# -- SMTP --------------------------------------------------------------------------------
@dataclass
class SmtpSink:
    """An SMTP server on loopback keeping what it receives; it can answer with errors."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    #: Replies given instead of accepting, one per incoming message, in order.
    refusals: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def settings(self) -> dict[str, Any]:
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_starttls": False}

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def received(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        wait_until(lambda: len(self.messages) >= count, timeout, f"{count} email(s)")
        return list(self.messages)


@pytest.fixture(name="smtp")
def smtp_fixture() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received email."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, message
    # Lines travel as CRLF over SMTP.
    return (
        text.get_content().replace("\r\n", "\n"),
        html.get_content().replace("\r\n", "\n"),
    )


# -- worker processes --------------------------------------------------------------------
class WorkerProcess:
    """``manage.py worker ...`` in its own process group, its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, str(MANAGE), "worker", *args],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_log(self, text: str, timeout: float = 20.0, count: int = 1) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and self.output().count(text) < count:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.output()}")
            return self.output().count(text) >= count

        deadline = time.monotonic() + timeout
        while not seen():
            if time.monotonic() > deadline:
                output = self.output()
                pytest.fail(f"no {text!r} in the worker's output after {timeout} s:\n{output}")
            time.sleep(0.05)

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def wait(self, timeout: float = 20.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker did not exit within {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


@pytest.fixture(name="start_worker")
def start_worker_fixture(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start worker processes; every one still running at the end is killed."""
    from tests.e2e.conftest import child_env

    started: list[WorkerProcess] = []

    def start(*args: str, env: dict[str, str]) -> WorkerProcess:
        variables = {"LYS_SETTINGS_MODULE": JOBS_SETTINGS_MODULE, **env}
        log = tmp_path / f"worker-{len(started)}.log"
        worker = WorkerProcess(list(args), child_env(variables), log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()
