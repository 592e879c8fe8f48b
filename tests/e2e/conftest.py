"""Helpers for tests that run ``manage.py`` and real servers as child processes.

Children get ``sys.executable``, ``PYTHONPATH`` holding the repository root and an
environment stripped of the developer's ``LYS_*`` variables (and ``.env`` file), so only
what a test sets reaches them. Servers start in their own session and the whole process
group is killed at teardown, reloader and workers included.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MANAGE = REPO_ROOT / "manage.py"
#: Commands never touch the repository's db.sqlite3 unless a test says otherwise.
IN_MEMORY_DATABASE = "sqlite://"
STARTUP_TIMEOUT = 20.0


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def child_env(
    variables: Mapping[str, str] | None = None, pythonpath: Sequence[Path] = ()
) -> dict[str, str]:
    """The inherited environment minus ``LYS_*``, plus ``variables``.

    ``LYS_DATABASE_URL`` defaults to an in-memory SQLite database and ``LYS_ENV_FILE`` to
    nothing, so neither the repository's database nor a developer's ``.env`` is used.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("LYS_")}
    env["PYTHONPATH"] = os.pathsep.join(str(path) for path in [*pythonpath, REPO_ROOT])
    # Stale bytecode would hide a same-size edit from --reload within one second.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["LYS_ENV_FILE"] = ""
    env["LYS_DATABASE_URL"] = IN_MEMORY_DATABASE
    env.update(variables or {})
    return env


def cli_runner_env(variables: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """``CliRunner.invoke(env=...)`` for in-process runs: the same isolation as children."""
    env: dict[str, str | None] = {key: None for key in os.environ if key.startswith("LYS_")}
    env.update({"LYS_ENV_FILE": "", "LYS_DATABASE_URL": IN_MEMORY_DATABASE})
    env.update(variables or {})
    return env


def manage(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    pythonpath: Sequence[Path] = (),
    timeout: float = 60.0,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python manage.py ARGS`` to completion and return its output."""
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        cwd=cwd,
        env=child_env(env, pythonpath),
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
    )


def manage_ok(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """:func:`manage`, failing the test (with the child's output) when it fails."""
    result = manage(*args, **kwargs)
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """A failed command: non-zero exit, no stack, one ``Error:`` line holding ``fragments``."""
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = error_lines(result.stderr)
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    line = lines[0]
    assert line.startswith("Error: "), line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"
    return line


def live_group_members(pgid: int) -> list[int]:
    """Processes of the group that are still running (zombies excluded); Linux only."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    members = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


class Server:
    """A ``manage.py runserver`` child process and the log it writes."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.pgid = process.pid  # start_new_session: the child leads its own group
        self.url = f"http://127.0.0.1:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_until_up(self, path: str = "/health", timeout: float = STARTUP_TIMEOUT) -> None:
        """Poll ``path`` until it answers; fail with the server's output if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                response = httpx.get(self.url + path, timeout=2.0)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 200:
                return
            time.sleep(0.1)
        pytest.fail(f"the server did not answer {path} within {timeout} s:\n{self.output()}")

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        client: httpx.Client | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        post = client.post if client is not None else httpx.post
        response = post(self.url + "/graphql", json=payload, timeout=10.0, headers=headers)
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body

    def stop(self) -> None:
        """SIGTERM the whole group, then SIGKILL what is left; reap the child."""
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pgid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
            deadline = time.monotonic() + grace
            while live_group_members(self.pgid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.process.poll() is not None and not live_group_members(self.pgid):
                return


ServerFactory = Callable[..., Server]


def start_server(
    args: Sequence[str],
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    pythonpath: Sequence[Path] = (),
) -> Server:
    """Start ``python manage.py ARGS`` (which must include ``--port``) in a new session."""
    args = list(args)
    port = int(args[args.index("--port") + 1])
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, str(MANAGE), *args],
            cwd=cwd,
            env=child_env(env, pythonpath),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(process, port, log)


class ServerPool:
    """Servers started for one test (or module), all stopped by :meth:`stop_all`."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[Server] = []

    def __call__(self, args: Sequence[str], **kwargs: Any) -> Server:
        log = self.log_dir / f"server-{len(self.started)}.log"
        server = start_server(args, log, **kwargs)
        self.started.append(server)
        return server

    def stop_all(self) -> None:
        """Stop every server; fail if a process of any of their groups survives."""
        leftovers = {}
        for server in self.started:
            server.stop()
            alive = live_group_members(server.pgid)
            if alive:
                leftovers[server.pgid] = alive
        self.started.clear()
        assert not leftovers, f"processes left behind (group: pids): {leftovers}"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers with ``servers(args, env=..., cwd=..., pythonpath=...)``.

    Every server this test started is stopped afterwards, pass or fail, and the test
    fails if any process of its group survives.
    """
    pool = ServerPool(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
