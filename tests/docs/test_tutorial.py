"""``docs/tutorial.md``, followed as written: ``lys startproject shop``, ``startapp
catalog``, every ``<!-- file: PATH -->`` block written to PATH, the migrations, the
fixtures, the project's own tests, then ``runserver`` and the tutorial's API script.

The project runs on this checkout's interpreter (its venv has Lys and the test extras):
nothing is installed or downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.markdown import DOCS, blocks
from tests.e2e.conftest import Server, free_port

pytestmark = pytest.mark.e2e

TUTORIAL = DOCS / "tutorial.md"
LYS_SCRIPT = Path(sys.executable).with_name("lys")
FILE_MARKER = "file:"


def files() -> dict[str, str]:
    written = {}
    for block in blocks(TUTORIAL):
        if block.marker and block.marker.startswith(FILE_MARKER):
            written[block.marker.removeprefix(FILE_MARKER).strip()] = block.source
    return written


def shell_lines() -> str:
    return "\n".join(block.source for block in blocks(TUTORIAL) if block.language == "sh")


def project_env() -> dict[str, str]:
    """Nothing of this repository's environment: no LYS_* settings, no PYTHONPATH."""
    dropped = ("PYTHONPATH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LYS_") and key not in dropped
    }
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    return env


def run(project: Path, *args: str, timeout: float = 120.0) -> str:
    result = subprocess.run(
        args, cwd=project, env=project_env(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result.stdout


def manage(project: Path, *args: str) -> str:
    return run(project, sys.executable, "manage.py", *args)


def test_the_tutorial_names_its_files_and_commands() -> None:
    written = files()
    for path in (
        "shop/settings.py",
        "shop/catalog/models.py",
        "shop/catalog/schema.graphql",
        "shop/catalog/resolvers.py",
        "shop/catalog/tasks.py",
        "shop/catalog/fixtures.py",
        "tests/test_catalog.py",
        "call_api.py",
    ):
        assert path in written, path
    commands = shell_lines()
    for command in (
        "lys startproject shop",
        "manage.py startapp catalog",
        "manage.py makemigrations -m initial",
        "manage.py migrate",
        "manage.py loadfixtures",
        "manage.py createsuperuser --dev",
        "make test",
        "manage.py runserver",
        "call_api.py",
    ):
        assert command in commands, command


def test_following_the_tutorial_gives_a_working_api(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    run(tmp_path, str(LYS_SCRIPT), "startproject", "shop", timeout=60)
    manage(project, "startapp", "catalog")
    for path, source in files().items():
        target = project / path
        assert target.resolve().is_relative_to(project), path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")

    manage(project, "makemigrations", "-m", "initial")
    assert len(list((project / "shop" / "migrations").glob("*_initial.py"))) == 1
    manage(project, "migrate")
    manage(project, "loadfixtures")
    manage(project, "createsuperuser", "--dev")

    # `make test`, without the install: the project's pytest configuration and tests.
    tests = run(project, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q")
    assert "7 passed" in tests, tests  # its 5 and the 2 of startproject

    port = free_port()
    log = tmp_path / "runserver.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--port", str(port)],
            cwd=project,
            env=project_env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        server.wait_until_up()
        public = server.graphql("{ allProductCategories { code } }")
        codes = [row["code"] for row in public["data"]["allProductCategories"]]
        assert codes == ["BOOKS", "ELECTRONICS"], server.output()

        env = {**project_env(), "SHOP_URL": f"http://127.0.0.1:{port}/graphql"}
        script = subprocess.run(
            [sys.executable, "call_api.py"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert script.returncode == 0, f"{script.stderr}\n{server.output()}"
        assert "The Hobbit" in script.stdout and "'totalCount': 1" in script.stdout, script.stdout
        # The job ran after the commit (eagerly: dev without Redis).
        assert "'listed': True" in script.stdout, f"{script.stdout}\n{server.output()}"
    finally:
        server.stop()
