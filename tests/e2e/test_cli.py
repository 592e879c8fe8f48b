"""``manage.py`` end to end: error reporting, built-in commands and app commands."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import apps.settings as reference_settings
from lys.cli.main import cli
from tests.conftest import reset_database
from tests.e2e.conftest import (
    REPO_ROOT,
    assert_one_error_line,
    cli_runner_env,
    error_lines,
    manage,
    manage_ok,
)

pytestmark = pytest.mark.e2e

SETTINGS = "tests.testapps.cli_settings"
DOCS_SCHEMA = REPO_ROOT / "docs" / "schema.graphql"
BROKEN_MODELS = os.path.join("tests", "testapps", "cli_broken", "models.py")


# -- one line per failure ----------------------------------------------------------
# (id, arguments, environment, fragments the one error line must hold)
FAILURES = [
    (
        "unknown-app",
        ["--settings", f"{SETTINGS}.typo_app", "check", "--no-database"],
        {},
        ["installed app 'apps.catalgo'", "did you mean 'apps.catalog'?"],
    ),
    (
        "broken-app-module",
        ["--settings", f"{SETTINGS}.broken_app", "check", "--no-database"],
        {},
        [f"{BROKEN_MODELS}:3", "RuntimeError: cli_broken models exploded"],
    ),
    (
        "unknown-setting-in-module",
        ["--settings", f"{SETTINGS}.unknown_setting", "check", "--no-database"],
        {},
        [
            "unknown setting INSTALED_APPS",
            f"{SETTINGS}.unknown_setting",
            "did you mean INSTALLED_APPS?",
        ],
    ),
    (
        "unknown-setting-in-environment",
        ["check", "--no-database"],
        {"LYS_DATABSE_URL": "sqlite://"},
        ["unknown setting LYS_DATABSE_URL", "did you mean LYS_DATABASE_URL?"],
    ),
    (
        "prod-with-dev-secret",
        ["runserver", "--port", "0"],
        {"LYS_ENV": "prod"},
        ["refusing to start in prod", "SECRET_KEY is the development default"],
    ),
    (
        "missing-settings-module",
        ["--settings", "no_such_project.settings", "check", "--no-database"],
        {},
        ["settings module 'no_such_project.settings' not found"],
    ),
]


@pytest.mark.parametrize(
    ("arguments", "env", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in FAILURES],
)
def test_failures_print_one_error_line(
    arguments: list[str], env: dict[str, str], fragments: list[str]
) -> None:
    result = manage(*arguments, env=env, timeout=30)
    assert_one_error_line(result, *fragments)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("arguments", "env", "fragments"),
    [pytest.param(*case[1:], id=case[0]) for case in FAILURES[:2]],
)
def test_traceback_option_shows_the_stack(
    arguments: list[str], env: dict[str, str], fragments: list[str]
) -> None:
    result = manage("--traceback", *arguments, env=env, timeout=30)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "lys/registry" in result.stderr.replace(os.sep, "/")  # frames of the loader
    last = error_lines(result.stderr)[-1]
    assert last.startswith("Error: ")
    for fragment in fragments:
        assert fragment in last


def test_unexpected_exceptions_name_their_type_and_suggest_traceback() -> None:
    result = manage("shell", "-c", "1 / 0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result.stderr) == [
        "(run with --traceback to see where)",
        "Error: ZeroDivisionError: division by zero",
    ]


def test_unknown_command_is_a_usage_error() -> None:
    result = manage("chek")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Usage: manage.py [OPTIONS] COMMAND [ARGS]..." in result.stderr
    assert "Error: No such command 'chek'" in result.stderr


def test_help_still_works_with_broken_settings() -> None:
    result = manage("--settings", f"{SETTINGS}.unknown_setting", "--help")
    assert result.returncode == 0, result.stderr
    assert "  check " in result.stdout
    assert "  runserver " in result.stdout
    warnings = error_lines(result.stderr)
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(
        "Warning: app commands unavailable: unknown setting INSTALED_APPS"
    )


# -- app commands ------------------------------------------------------------------
def test_app_commands_appear_in_help_and_run() -> None:
    tools = ["--settings", f"{SETTINGS}.tools"]
    help_text = manage_ok(*tools, "--help").stdout
    assert "  hello " in help_text
    assert "Greet someone" in help_text
    plain = manage_ok("--help")  # the reference project: built-in commands only
    for command in ("check", "loadfixtures", "migrate", "printschema", "runserver", "startapp"):
        assert f"  {command} " in plain.stdout
    assert "  hello " not in plain.stdout
    assert plain.stderr == ""

    result = manage_ok(*tools, "hello", "--name", "Lys")
    assert result.stdout == "Hello, Lys! 2 apps installed.\n"
    # The settings may also come from the environment.
    by_env = manage_ok("hello", env={"LYS_SETTINGS_MODULE": f"{SETTINGS}.tools"})
    assert by_env.stdout == "Hello, world! 2 apps installed.\n"


def test_app_commands_in_process() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--settings", f"{SETTINGS}.tools", "hello"], env=cli_runner_env())
    assert result.exit_code == 0, result.output
    assert result.stdout == "Hello, world! 2 apps installed.\n"


# -- printschema -------------------------------------------------------------------
def test_docs_schema_is_current() -> None:
    """docs/schema.graphql is the reference project's schema, as printschema prints it."""
    printed = manage_ok("printschema").stdout
    assert DOCS_SCHEMA.is_file(), (
        "run: .venv/bin/python manage.py printschema -o docs/schema.graphql"
    )
    assert printed == DOCS_SCHEMA.read_text(encoding="utf-8"), (
        "docs/schema.graphql is stale; regenerate it with "
        "`.venv/bin/python manage.py printschema -o docs/schema.graphql`"
    )


def test_printschema_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    result = manage_ok("printschema", "-o", str(target))
    assert result.stdout == ""
    assert result.stderr.strip() == f"Wrote {target}"
    sdl = target.read_text(encoding="utf-8")
    assert "allProducts(" in sdl
    assert "type ProductNode implements Node {" in sdl
    # The framework's own root fields are printed too.
    assert "node(id: ID!): Node" in sdl
    assert "nodes(ids: [ID!]!): [Node]!" in sdl


# -- check -------------------------------------------------------------------------
SHIPPED_REVISIONS = sorted((Path(__file__).parents[2] / "apps" / "migrations").glob("*.py"))


def test_check_fails_until_migrations_are_applied(database_url: str) -> None:
    reset_database(database_url)
    env = {"LYS_DATABASE_URL": database_url}
    unmigrated = manage("check", env=env)
    assert unmigrated.returncode == 1
    assert "Traceback" not in unmigrated.stderr
    assert error_lines(unmigrated.stderr) == [
        f"- migrations: {len(SHIPPED_REVISIONS)} migration(s) not applied: run `manage.py migrate`",
        "Error: check found 1 problem(s)",
    ]

    manage_ok("migrate", env=env)
    migrated = manage_ok("check", env=env)
    apps = len(reference_settings.INSTALLED_APPS)
    assert migrated.stdout.startswith(f"No problems found ({apps} apps, ")


def test_check_reports_an_unreachable_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"
    result = manage("check", env={"LYS_DATABASE_URL": url})
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert lines[0].startswith("- database: cannot connect:"), result.stderr
    assert lines[-1] == "Error: check found 1 problem(s)"


# -- shell -------------------------------------------------------------------------
def test_shell_runs_code_with_the_project_loaded() -> None:
    code = "print(registry.model('product').__tablename__); print(settings.env.value)"
    result = manage_ok("shell", "-c", code)
    assert result.stdout == "product\ndev\n"


# -- startapp ----------------------------------------------------------------------
APP_FILES = {
    "__init__.py",
    "models.py",
    "services.py",
    "fixtures.py",
    "schema.graphql",
    "resolvers.py",
    "tasks.py",
    "commands.py",
}


def test_startapp_creates_an_app_a_project_can_install(tmp_path: Path) -> None:
    result = manage_ok("startapp", "blog", "--directory", str(tmp_path))
    app = tmp_path / "blog"
    assert {path.name for path in app.iterdir()} == APP_FILES
    assert "Add 'blog' to INSTALLED_APPS" in result.stdout

    (tmp_path / "blogsite.py").write_text(
        'INSTALLED_APPS = ["apps.catalog", "blog"]\nSECRET_KEY = "insecure-dev-only-blog"\n'
    )
    project = {"cwd": tmp_path, "pythonpath": [tmp_path]}
    checked = manage_ok("--settings", "blogsite", "check", "--no-database", **project)
    assert checked.stdout == "No problems found (2 apps, 3 models).\n"
    sdl = manage_ok("--settings", "blogsite", "printschema", **project).stdout
    assert "blog(id: ID!): BlogNode" in sdl
    assert "type BlogNode {" in sdl


def test_startapp_defaults_to_the_settings_package(tmp_path: Path) -> None:
    package = tmp_path / "mysite"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(
        textwrap.dedent(
            """\
            INSTALLED_APPS = ["mysite.news_feed"]
            SECRET_KEY = "insecure-dev-only-mysite"
            """
        )
    )
    project = {"cwd": tmp_path, "pythonpath": [tmp_path]}
    created = manage_ok("--settings", "mysite.settings", "startapp", "news_feed", **project)
    assert "Add 'mysite.news_feed' to INSTALLED_APPS" in created.stdout
    assert {path.name for path in (package / "news_feed").iterdir()} == APP_FILES
    sdl = manage_ok("--settings", "mysite.settings", "printschema", **project).stdout
    assert "newsFeed(id: ID!): NewsFeedNode" in sdl


@pytest.mark.parametrize("name", ["Blog", "my-app", "class", "9lives", ""])
def test_startapp_refuses_invalid_names(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(
        cli, ["startapp", name, "--directory", str(tmp_path)], env=cli_runner_env()
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {name!r} is not a valid app name; use a lower-case Python identifier\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_startapp_refuses_an_existing_directory(tmp_path: Path) -> None:
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(
        cli, ["startapp", "blog", "--directory", str(tmp_path)], env=cli_runner_env()
    )
    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path / 'blog'} already exists\n"
    assert [p.name for p in (tmp_path / "blog").iterdir()] == ["keep.txt"]


def test_startapp_refuses_a_name_shadowing_a_module(tmp_path: Path) -> None:
    name = "json"
    result = manage("startapp", name, "--directory", str(tmp_path))
    assert_one_error_line(result, f"{name!r} conflicts with an importable module")
    assert list(tmp_path.iterdir()) == []
