"""Settings: sources and their precedence, parsing, typo detection, environments, prod guards.

Every call passes ``environ`` and ``env_file`` explicitly so the developer's own
environment and ``.env`` never leak into a test.
"""

from __future__ import annotations

import textwrap
import types
import uuid
from pathlib import Path
from typing import Any

import pytest

from lys import Environment, ImproperlyConfigured, Settings, load_settings
from lys.conf import INSECURE_SECRET_MARKER

GOOD_KEY = "k" * 32
DEV_KEY = "insecure-dev-only-secret-key-do-not-use-in-production"


def settings_module(**constants: Any) -> types.ModuleType:
    """An in-memory settings module holding ``constants``."""
    module = types.ModuleType(f"reg_settings_{uuid.uuid4().hex[:8]}")
    for name, value in constants.items():
        setattr(module, name, value)
    return module


def write_module(root: Path, source: str) -> str:
    """Write an importable settings module under ``root``; returns its dotted name."""
    name = f"reg_settings_{uuid.uuid4().hex[:8]}"
    (root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return name


def write_env(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test.env"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(
    module: str | types.ModuleType | None = None,
    *,
    environ: dict[str, str] | None = None,
    env_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    return load_settings(module, environ=environ or {}, env_file=env_file, overrides=overrides)


def error_of(**kwargs: Any) -> str:
    with pytest.raises(ImproperlyConfigured) as info:
        load(**kwargs)
    return str(info.value)


@pytest.fixture
def importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on ``sys.path`` for settings modules written as files."""
    root = tmp_path / "importable"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


# -- the settings module ----------------------------------------------------------------


def test_defaults_without_any_source() -> None:
    settings = load()
    assert settings.env is Environment.DEV
    assert settings.installed_apps == []
    assert settings.database_url == "sqlite:///db.sqlite3"
    assert settings.secret_key is None


def test_module_constants_become_settings(importable: Path) -> None:
    name = write_module(
        importable,
        """
        import os

        ENV = "demo"
        INSTALLED_APPS = ["apps.catalog"]
        DATABASE_URL = "sqlite:///from-module.sqlite3"
        DATABASE_POOL_SIZE = 3
        SECRET_KEY = "s" * 40
        """,
    )
    settings = load(name)
    assert settings.env is Environment.DEMO
    assert settings.installed_apps == ["apps.catalog"]
    assert settings.database_url == "sqlite:///from-module.sqlite3"
    assert settings.database_pool_size == 3
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "s" * 40


def test_lower_case_module_names_are_not_settings() -> None:
    module = settings_module(DATABASE_URL="sqlite:///x.sqlite3")
    module.helper = "ignored"  # type: ignore[attr-defined]
    module.database_pool_size = "not even an int"  # type: ignore[attr-defined]
    settings = load(module)
    assert settings.database_url == "sqlite:///x.sqlite3"
    assert settings.database_pool_size == 10


def test_module_named_by_environment_variable(importable: Path) -> None:
    name = write_module(importable, 'DATABASE_URL = "sqlite:///by-variable.sqlite3"\n')
    settings = load(environ={"LYS_SETTINGS_MODULE": name})
    assert settings.database_url == "sqlite:///by-variable.sqlite3"


def test_missing_settings_module_is_a_clear_error() -> None:
    message = error_of(module="reg_no_such_settings_module")
    assert "settings module 'reg_no_such_settings_module' not found" in message
    assert "LYS_SETTINGS_MODULE" in message


def test_missing_settings_module_from_environment_variable() -> None:
    message = error_of(environ={"LYS_SETTINGS_MODULE": "reg_no_such_settings_module"})
    assert "'reg_no_such_settings_module' not found" in message


def test_settings_module_with_a_broken_import_is_not_reported_missing(importable: Path) -> None:
    name = write_module(importable, "import reg_no_such_dependency\n")
    message = error_of(module=name)
    assert f"settings module {name!r} failed to import" in message
    assert "reg_no_such_dependency" in message
    assert "not found" not in message


def test_settings_module_raising_names_the_error(importable: Path) -> None:
    name = write_module(importable, 'raise RuntimeError("settings exploded")\n')
    message = error_of(module=name)
    assert f"settings module {name!r} failed to import" in message
    assert "RuntimeError: settings exploded" in message


# -- precedence -------------------------------------------------------------------------


def test_precedence_defaults_module_env_file_environment_overrides(tmp_path: Path) -> None:
    module = settings_module(
        DATABASE_URL="sqlite:///module.sqlite3",
        SERVER_HOST="module-host",
        SERVER_PORT=1001,
        GRAPHQL_PATH="/module",
    )
    env_file = write_env(
        tmp_path,
        """
        LYS_SERVER_HOST=file-host
        LYS_SERVER_PORT=2002
        LYS_GRAPHQL_PATH=/file
        """,
    )
    environ = {"LYS_SERVER_PORT": "3003", "LYS_GRAPHQL_PATH": "/environment"}
    settings = load(
        module, environ=environ, env_file=env_file, overrides={"GRAPHQL_PATH": "/override"}
    )
    assert settings.database_pool_size == 10  # default: nobody set it
    assert settings.database_url == "sqlite:///module.sqlite3"  # module only
    assert settings.server_host == "file-host"  # .env beats the module
    assert settings.server_port == 3003  # the environment beats .env
    assert settings.graphql_path == "/override"  # overrides beat everything


def test_env_file_reads_only_lys_prefixed_keys(tmp_path: Path) -> None:
    env_file = write_env(
        tmp_path,
        """
        # a comment
        DATABASE_URL=sqlite:///unprefixed-is-ignored.sqlite3
        LYS_SERVER_HOST=from-file
        OTHER_TOOL_SETTING=whatever
        """,
    )
    settings = load(env_file=env_file)
    assert settings.server_host == "from-file"
    assert settings.database_url == "sqlite:///db.sqlite3"


def test_environment_ignores_other_variables() -> None:
    settings = load(environ={"PATH": "/bin", "DATABASE_URL": "postgresql://elsewhere/db"})
    assert settings.database_url == "sqlite:///db.sqlite3"


def test_env_file_named_by_lys_env_file(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_SERVER_HOST=chosen-by-variable\n")
    other = tmp_path / "other.env"
    other.write_text("LYS_SERVER_HOST=from-the-argument\n", encoding="utf-8")
    settings = load(environ={"LYS_ENV_FILE": str(env_file)}, env_file=other)
    assert settings.server_host == "chosen-by-variable"
    # An empty LYS_ENV_FILE turns the file off.
    assert load(environ={"LYS_ENV_FILE": ""}, env_file=other).server_host == "127.0.0.1"


def test_env_file_defaults_to_dot_env_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("LYS_SERVER_HOST=from-dot-env\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, environ={}).server_host == "from-dot-env"
    assert load_settings(None, environ={}, env_file=None).server_host == "127.0.0.1"


def test_missing_env_file_is_fine(tmp_path: Path) -> None:
    settings = load(env_file=tmp_path / "absent.env")
    assert settings.server_host == "127.0.0.1"


def test_environment_values_are_parsed_to_their_types() -> None:
    settings = load(
        environ={
            "LYS_DATABASE_POOL_SIZE": "7",
            "LYS_DATABASE_POOL_TIMEOUT": "2.5",
            "LYS_DATABASE_ECHO": "true",
            "LYS_DEBUG": "false",
            "LYS_ENV": "preprod",
            "LYS_SECRET_KEY": "from-environment",
        }
    )
    assert settings.database_pool_size == 7
    assert settings.database_pool_timeout == 2.5
    assert settings.database_echo is True
    assert settings.debug is False
    assert settings.env is Environment.PREPROD
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "from-environment"


# -- list settings from text ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '["apps.catalog", "tests.testapps.reg_empty"]',
        "apps.catalog,tests.testapps.reg_empty",
        " apps.catalog , tests.testapps.reg_empty , ",
    ],
    ids=["json", "comma", "comma-with-spaces"],
)
def test_list_setting_from_environment(text: str) -> None:
    settings = load(environ={"LYS_INSTALLED_APPS": text})
    assert settings.installed_apps == ["apps.catalog", "tests.testapps.reg_empty"]


def test_list_setting_from_env_file_as_json(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_INSTALLED_APPS='[\"apps.catalog\"]'\n")
    assert load(env_file=env_file).installed_apps == ["apps.catalog"]


def test_list_setting_from_env_file_comma_separated(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_INSTALLED_APPS=apps.catalog,tests.testapps.reg_empty\n")
    assert load(env_file=env_file).installed_apps == ["apps.catalog", "tests.testapps.reg_empty"]


def test_empty_list_from_environment() -> None:
    module = settings_module(INSTALLED_APPS=["apps.catalog"])
    assert load(module, environ={"LYS_INSTALLED_APPS": ""}).installed_apps == []


def test_invalid_json_list_names_the_setting_and_its_source(tmp_path: Path) -> None:
    message = error_of(environ={"LYS_INSTALLED_APPS": '["apps.catalog"'})
    assert "invalid setting INSTALLED_APPS (from environment): invalid JSON list" in message
    env_file = write_env(tmp_path, "LYS_INSTALLED_APPS=[oops\n")
    message = error_of(env_file=env_file)
    assert f"invalid setting INSTALLED_APPS (from {env_file}): invalid JSON list" in message


def test_json_list_of_wrong_items_is_refused() -> None:
    message = error_of(environ={"LYS_INSTALLED_APPS": "[1, 2]"})
    assert "invalid setting INSTALLED_APPS (from environment)" in message


def test_an_app_listed_twice_is_refused() -> None:
    message = error_of(overrides={"INSTALLED_APPS": ["apps.catalog", "apps.catalog"]})
    assert "INSTALLED_APPS" in message
    assert "'apps.catalog' is listed twice" in message


# -- unknown names ----------------------------------------------------------------------


def test_unknown_environment_variable_suggests_the_close_name() -> None:
    message = error_of(environ={"LYS_DATABSE_URL": "sqlite://"})
    assert "unknown setting LYS_DATABSE_URL" in message
    assert "did you mean LYS_DATABASE_URL?" in message


def test_unknown_env_file_key_names_the_file_and_suggests(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_INSTALED_APPS=apps.catalog\n")
    message = error_of(env_file=env_file)
    assert "unknown setting LYS_INSTALED_APPS" in message
    assert str(env_file) in message
    assert "did you mean LYS_INSTALLED_APPS?" in message


def test_unknown_module_constant_names_the_module_and_suggests() -> None:
    module = settings_module(SECRET_KY="x")
    message = error_of(module=module)
    assert "unknown setting SECRET_KY" in message
    assert module.__name__ in message
    assert "did you mean SECRET_KEY?" in message
    # A module constant is not an environment variable: no LYS_ prefix in the hint.
    assert "LYS_" not in message


def test_unknown_override_is_refused() -> None:
    message = error_of(overrides={"DEBUGG": True})
    assert "unknown setting DEBUGG in overrides" in message
    assert "did you mean DEBUG?" in message


def test_unknown_name_without_a_close_match_has_no_suggestion() -> None:
    message = error_of(environ={"LYS_ZZZZZZZZZZ": "1"})
    assert "unknown setting LYS_ZZZZZZZZZZ" in message
    assert "did you mean" not in message


def test_lower_case_environment_variable_is_unknown() -> None:
    message = error_of(environ={"LYS_debug": "true"})
    assert "unknown setting LYS_debug" in message
    assert "did you mean LYS_DEBUG?" in message


def test_settings_module_and_env_file_variables_are_not_settings(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_SERVER_HOST=h\n")
    module = settings_module()
    # Neither variable is reported as an unknown setting.
    settings = load(
        module,
        environ={
            "LYS_SETTINGS_MODULE": "ignored.when.a.module.is.given",
            "LYS_ENV_FILE": str(env_file),
        },
    )
    assert settings.server_host == "h"


# -- wrong types ------------------------------------------------------------------------


def test_wrong_type_from_environment_names_setting_and_source() -> None:
    message = error_of(environ={"LYS_DATABASE_POOL_SIZE": "many"})
    assert "invalid setting DATABASE_POOL_SIZE (from environment)" in message
    assert "integer" in message


def test_wrong_type_from_module_names_the_module() -> None:
    module = settings_module(SERVER_PORT="eighty")
    message = error_of(module=module)
    assert f"invalid setting SERVER_PORT (from settings module {module.__name__})" in message


def test_wrong_type_from_env_file_names_the_file(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, "LYS_DATABASE_ECHO=perhaps\n")
    message = error_of(env_file=env_file)
    assert f"invalid setting DATABASE_ECHO (from {env_file})" in message


def test_wrong_type_from_overrides_names_overrides() -> None:
    message = error_of(overrides={"DATABASE_POOL_SIZE": 0})
    assert "invalid setting DATABASE_POOL_SIZE (from overrides)" in message


def test_unknown_environment_name_is_refused() -> None:
    message = error_of(environ={"LYS_ENV": "staging"})
    assert "invalid setting ENV (from environment)" in message
    for name in ("dev", "demo", "preprod", "prod"):
        assert name in message


def test_unknown_log_level_is_refused() -> None:
    message = error_of(overrides={"LOG_LEVEL": "LOUD"})
    assert "invalid setting LOG_LEVEL (from overrides)" in message


def test_graphql_path_must_be_absolute_and_loses_its_trailing_slash() -> None:
    assert "GRAPHQL_PATH" in error_of(overrides={"GRAPHQL_PATH": "graphql"})
    assert load(overrides={"GRAPHQL_PATH": "/api/graphql/"}).graphql_path == "/api/graphql"


def test_several_problems_are_reported_together() -> None:
    message = error_of(
        environ={"LYS_SERVER_PORT": "99999", "LYS_DATABASE_POOL_SIZE": "0"},
    )
    assert "SERVER_PORT" in message
    assert "DATABASE_POOL_SIZE" in message


def test_settings_are_frozen() -> None:
    settings = load()
    with pytest.raises(Exception, match="frozen"):
        settings.debug = False  # type: ignore[misc]


# -- environments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "debug", "graphiql", "introspection", "log_level"),
    [
        ("dev", True, True, True, "DEBUG"),
        ("demo", False, False, True, "INFO"),
        ("preprod", False, False, False, "WARNING"),
        ("prod", False, False, False, "ERROR"),
    ],
)
def test_environment_derives_its_defaults(
    env: str, debug: bool, graphiql: bool, introspection: bool, log_level: str
) -> None:
    settings = load(overrides={"ENV": env, "SECRET_KEY": GOOD_KEY})
    assert settings.env == Environment(env)
    assert settings.debug is debug
    assert settings.is_debug is debug
    assert settings.graphiql is graphiql
    assert settings.introspection is introspection
    assert settings.log_level == log_level


def test_env_from_environment_variable_derives_defaults() -> None:
    settings = load(environ={"LYS_ENV": "demo"})
    assert (settings.debug, settings.graphiql, settings.introspection) == (False, False, True)
    assert settings.log_level == "INFO"


@pytest.mark.parametrize("env", ["dev", "demo", "preprod"])
def test_explicit_values_win_over_the_environment(env: str) -> None:
    flipped = load(overrides={"ENV": env})
    settings = load(
        environ={
            "LYS_ENV": env,
            "LYS_DEBUG": str(not flipped.debug).lower(),
            "LYS_GRAPHIQL": str(not flipped.graphiql).lower(),
            "LYS_INTROSPECTION": str(not flipped.introspection).lower(),
            "LYS_LOG_LEVEL": "CRITICAL",
        }
    )
    assert settings.debug is not flipped.debug
    assert settings.graphiql is not flipped.graphiql
    assert settings.introspection is not flipped.introspection
    assert settings.log_level == "CRITICAL"


def test_explicit_values_in_prod_win_where_allowed() -> None:
    settings = load(
        overrides={
            "ENV": "prod",
            "SECRET_KEY": GOOD_KEY,
            "INTROSPECTION": True,
            "LOG_LEVEL": "INFO",
        }
    )
    assert settings.introspection is True
    assert settings.log_level == "INFO"
    assert settings.debug is False


# -- prod guards ------------------------------------------------------------------------


def test_prod_requires_a_secret_key() -> None:
    message = error_of(overrides={"ENV": "prod"})
    assert "refusing to start in prod" in message
    assert "SECRET_KEY is not set" in message
    assert "LYS_SECRET_KEY" in message


def test_prod_treats_an_empty_secret_key_as_missing() -> None:
    message = error_of(environ={"LYS_ENV": "prod", "LYS_SECRET_KEY": ""})
    assert "SECRET_KEY is not set" in message


def test_prod_refuses_the_development_default_key() -> None:
    assert INSECURE_SECRET_MARKER in DEV_KEY
    message = error_of(overrides={"ENV": "prod", "SECRET_KEY": DEV_KEY})
    assert "refusing to start in prod" in message
    assert "SECRET_KEY is the development default" in message


def test_prod_refuses_the_reference_project_settings() -> None:
    """apps/settings.py ships the development key: switching it to prod must fail."""
    message = error_of(module="apps.settings", environ={"LYS_ENV": "prod"})
    assert "SECRET_KEY is the development default" in message


def test_prod_refuses_any_key_carrying_the_marker() -> None:
    key = "x" * 40 + INSECURE_SECRET_MARKER
    message = error_of(overrides={"ENV": "prod", "SECRET_KEY": key})
    assert "development default" in message


def test_prod_refuses_a_short_key() -> None:
    message = error_of(overrides={"ENV": "prod", "SECRET_KEY": "k" * 31})
    assert "refusing to start in prod" in message
    assert "SECRET_KEY is shorter than 32 bytes" in message


def test_prod_counts_key_length_in_bytes_not_characters() -> None:
    # 16 characters, 32 bytes in UTF-8.
    settings = load(overrides={"ENV": "prod", "SECRET_KEY": "é" * 16})
    assert settings.secret_key is not None
    assert "SECRET_KEY is shorter" in error_of(overrides={"ENV": "prod", "SECRET_KEY": "é" * 15})


def test_prod_refuses_debug() -> None:
    message = error_of(environ={"LYS_ENV": "prod", "LYS_SECRET_KEY": GOOD_KEY, "LYS_DEBUG": "1"})
    assert "refusing to start in prod" in message
    assert "DEBUG is on" in message


def test_prod_refuses_graphiql() -> None:
    message = error_of(overrides={"ENV": "prod", "SECRET_KEY": GOOD_KEY, "GRAPHIQL": True})
    assert "GRAPHIQL is on" in message


def test_prod_lists_every_problem() -> None:
    message = error_of(overrides={"ENV": "prod", "DEBUG": True})
    assert "SECRET_KEY is not set" in message
    assert "DEBUG is on" in message


def test_prod_loads_with_a_good_key(tmp_path: Path) -> None:
    env_file = write_env(tmp_path, f"LYS_SECRET_KEY={GOOD_KEY}\n")
    settings = load(settings_module(ENV="prod"), env_file=env_file)
    assert settings.env is Environment.PROD
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == GOOD_KEY
    assert settings.debug is False
    assert settings.production_problems() == []


def test_the_secret_key_is_never_printed() -> None:
    settings = load(overrides={"ENV": "prod", "SECRET_KEY": GOOD_KEY})
    assert GOOD_KEY not in repr(settings)
    assert GOOD_KEY not in str(settings.model_dump())


@pytest.mark.parametrize("env", ["dev", "demo", "preprod"])
def test_other_environments_accept_the_development_key(env: str) -> None:
    settings = load(overrides={"ENV": env, "SECRET_KEY": DEV_KEY})
    assert settings.production_problems() == []
