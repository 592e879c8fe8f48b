"""``lys startproject``: a new project outside this repository, installed against this
checkout, passes its own ``make test`` and serves GraphQL on SQLite with ``make run``.

To stay fast and offline, the new project's virtual environment chains to this one's
site-packages (nothing is downloaded) and pip gets ``--no-index``; the generated
Makefile still creates nothing else: it installs Lys from this checkout and the project
itself, then runs the generated tests or the server.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lys.cli.main import cli
from tests.e2e.conftest import REPO_ROOT, Server, free_port

pytestmark = pytest.mark.e2e

LYS_SCRIPT = Path(sys.executable).with_name("lys")
INSTALL_TIMEOUT = 240.0


def project_env() -> dict[str, str]:
    """The environment of the new project's commands: nothing of this repository's."""
    dropped = ("PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LYS_") and key not in dropped
    }
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONUNBUFFERED="1")
    return env


def chained_venv(path: Path) -> Path:
    """A virtual environment that also sees this one's packages (pip included)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = path / "lib" / version / "site-packages"
    ours = sysconfig.get_paths()["purelib"]
    (site_packages / "chain-to-lys-venv.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    return path


def make_variables(venv: Path) -> list[str]:
    return [
        f"VENV={venv}",
        f"LYS_SOURCE=-e {REPO_ROOT}",
        "PIP_ARGS=--no-index --no-build-isolation",
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``lys startproject demo`` in a fresh folder, through the installed console script."""
    target = tmp_path_factory.mktemp("startproject") / "demo"
    result = subprocess.run(
        [str(LYS_SCRIPT), "startproject", "demo", str(target)],
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert f"cd {target}" in result.stdout and "make run" in result.stdout
    return target


@pytest.fixture(scope="module")
def venv(project: Path) -> Path:
    return chained_venv(project.parent / "venv")


def test_the_project_has_the_expected_files(project: Path) -> None:
    expected = [
        "manage.py",
        "Makefile",
        "pyproject.toml",
        "README.md",
        ".env.example",
        ".gitignore",
        "demo/__init__.py",
        "demo/settings.py",
        "demo/core/__init__.py",
        "demo/core/schema.graphql",
        "demo/core/resolvers.py",
        "demo/core/models.py",
        "tests/test_core.py",
    ]
    missing = [name for name in expected if not (project / name).is_file()]
    assert missing == []
    assert os.access(project / "manage.py", os.X_OK)
    settings = (project / "demo" / "settings.py").read_text()
    assert '"demo.core"' in settings and "insecure-dev-only-" in settings
    assert "LYS_SECRET_KEY=insecure-dev-only-" in (project / ".env.example").read_text()
    assert not (project / "demo" / "migrations").exists()


def test_make_test_passes_then_make_run_serves_graphql_on_sqlite(
    project: Path, venv: Path, tmp_path: Path
) -> None:
    """One test, as a newcomer would do it: ``make test`` (which installs), then ``make run``."""
    result = subprocess.run(
        ["make", "test", *make_variables(venv), "PYTEST_ARGS=-p no:cacheprovider -v"],
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.returncode == 0, output
    assert "tests/test_core.py::test_hello_answers_anyone PASSED" in result.stdout, output
    assert "2 passed" in result.stdout, output
    # Lys comes from this checkout, through the install the Makefile made.
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import lys, demo; print(lys.__file__, demo.__file__)",
        ],
        cwd=venv,  # elsewhere than the project, so that only the install can import it
        env=project_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    lys_file, demo_file = where.stdout.split()
    assert Path(lys_file).is_relative_to(REPO_ROOT / "lys")
    assert Path(demo_file).is_relative_to(project)

    port = free_port()
    with make_run(project, venv, port, tmp_path / "make-run.log") as server:
        server.wait_until_up(timeout=INSTALL_TIMEOUT)
        body = server.graphql("query Hello($name: String) { hello(name: $name) }", {"name": "Ada"})
        assert body == {"data": {"hello": "Hello, Ada!"}}, server.output()
        languages = server.graphql("{ allLanguages { totalCount } }")
        assert languages["data"]["allLanguages"]["totalCount"] > 0, server.output()
    migrations = list((project / "demo" / "migrations").glob("*_initial.py"))
    assert len(migrations) == 1, server.output()
    assert (project / "db.sqlite3").is_file()


@contextlib.contextmanager
def make_run(project: Path, venv: Path, port: int, log: Path) -> Iterator[Server]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "run", *make_variables(venv), f"PORT={port}"],
            cwd=project,
            env=project_env(),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log)
    try:
        yield server
    finally:
        server.stop()


# -- refusals (in process) ----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("My-Project", "is not a valid project name"),
        ("Demo", "is not a valid project name"),
        ("class", "is not a valid project name"),
        ("lys", "conflicts with an importable module"),
        ("json", "conflicts with an importable module"),
        ("tests", "is taken by the project layout"),
    ],
)
def test_startproject_refuses_bad_names(tmp_path: Path, name: str, reason: str) -> None:
    result = CliRunner().invoke(cli, ["startproject", name, str(tmp_path / "p")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and reason in result.output, result.output
    assert not (tmp_path / "p").exists()


def test_startproject_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["startproject", "demo", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_startproject_fills_an_empty_folder_and_names_the_first_app(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["startproject", "shop", str(tmp_path), "--app", "orders"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop" / "orders" / "schema.graphql").is_file()
    assert (tmp_path / "tests" / "test_orders.py").is_file()
    assert '"shop.orders"' in (tmp_path / "shop" / "settings.py").read_text()


def test_startproject_refuses_an_app_named_like_the_layout(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["startproject", "shop", str(tmp_path), "--app", "settings"])
    assert result.exit_code == 1
    assert "is taken by the project layout" in result.output
