"""Migrations (lys.migrations): the shipped ones, and generated ones on three databases."""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import apps.settings as reference_settings
from lys import Application, CommandError
from lys.cli.main import cli
from lys.cli.state import CLIState
from lys.migrations import make_migrations, migrate, pending_model_changes, show_migrations
from tests.conftest import REPO_ROOT, AppFactory, build_settings, reset_database

SHIPPED = REPO_ROOT / "apps" / "migrations"
GADGETS = "tests.testapps.fx_gadgets"
GADGETS_COLOR = "tests.testapps.fx_gadgets_color"


def table_names(app: Application) -> set[str]:
    return set(sa.inspect(app.engine).get_table_names())


def column_names(app: Application, table: str) -> set[str]:
    return {column["name"] for column in sa.inspect(app.engine).get_columns(table)}


def revision_of(path: Path) -> str:
    match = re.search(r"^revision: str = ['\"](\w+)['\"]", path.read_text(), re.MULTILINE)
    assert match, path.read_text()
    return match.group(1)


# -- the reference project's migrations (SQLite and PostgreSQL) --------------------------

#: The reference project's apps (apps/settings.py), whose models the shipped revisions build.
REFERENCE_APPS = list(reference_settings.INSTALLED_APPS)


def test_shipped_migrations_build_exactly_the_models_schema(make_app: AppFactory) -> None:
    app = make_app(REFERENCE_APPS, create_tables=False)
    assert table_names(app) == set()
    before = show_migrations(app, SHIPPED)
    assert before and not any(state.applied for state in before)
    # An empty database differs from the models: every table is missing.
    missing = {diff[0] for diff in pending_model_changes(app)}
    assert "add_table" in missing

    assert migrate(app, SHIPPED) == "upgraded"

    assert pending_model_changes(app) == []
    assert table_names(app) == {"alembic_version", *app.registry.metadata.tables}
    after = show_migrations(app, SHIPPED)
    assert [s.revision for s in after] == [s.revision for s in before]
    assert all(state.applied for state in after)
    assert after[0].message == "initial catalog"

    # The migrated schema serves the app: foreign keys and types included.
    with app.session() as session:
        app.service("product_category").create(session, id="BOOKS")
        product = app.service("product").create(
            session, name="Dune", price=Decimal("9.99"), category_id="BOOKS"
        )
        assert product.created_at.tzinfo is not None
    with pytest.raises(sa.exc.IntegrityError), app.session() as session:
        app.service("product").create(session, name="X", price=Decimal(1), category_id="NOPE")


def test_migrating_twice_changes_nothing(make_app: AppFactory) -> None:
    app = make_app(REFERENCE_APPS, create_tables=False)
    migrate(app, SHIPPED)
    assert migrate(app, SHIPPED) == "upgraded"
    assert pending_model_changes(app) == []
    assert all(state.applied for state in show_migrations(app, SHIPPED))


@pytest.mark.parametrize("target", ["base", "zero"])
def test_downgrade_to_base_empties_the_database(make_app: AppFactory, target: str) -> None:
    app = make_app(REFERENCE_APPS, create_tables=False)
    migrate(app, SHIPPED)
    with app.session() as session:
        app.service("product_category").create(session, id="BOOKS")
        app.service("product").create(session, name="Dune", price=Decimal(1), category_id="BOOKS")

    assert migrate(app, SHIPPED, target) == "downgraded"
    assert table_names(app) == {"alembic_version"}
    assert not any(state.applied for state in show_migrations(app, SHIPPED))

    # ... and back up again.
    migrate(app, SHIPPED)
    assert table_names(app) == {"alembic_version", *app.registry.metadata.tables}
    assert pending_model_changes(app) == []


def test_unknown_revision_and_missing_migrations_are_command_errors(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app(REFERENCE_APPS, create_tables=False)
    with pytest.raises(CommandError, match="unknown revision 'deadbeef'"):
        migrate(app, SHIPPED, "deadbeef")
    empty = tmp_path / "none"
    empty.mkdir()
    with pytest.raises(CommandError, match="no migrations"):
        migrate(app, empty)
    assert table_names(app) == set()


def test_pending_model_changes_reports_a_model_change_without_migration(
    make_app: AppFactory,
) -> None:
    """The schema matches fx_gadgets; then a later app adds a column to its model."""
    base = make_app([GADGETS], create_tables=True)
    assert pending_model_changes(base) == []

    extended = make_app([GADGETS, GADGETS_COLOR], create_tables=False)
    diff = pending_model_changes(extended)
    assert len(diff) == 1
    operation, _schema, table, column = diff[0]
    assert (operation, table, column.name) == ("add_column", "fx_gadget", "color")


# -- generated migrations (SQLite, PostgreSQL and MariaDB) -------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    fixture = {"postgresql": "postgres_url", "mariadb": "mariadb_url"}[request.param]
    url = request.getfixturevalue(fixture)
    reset_database(url)
    return url


@pytest.fixture
def build(any_database_url: str) -> Iterator[Callable[[list[str]], Application]]:
    built: list[Application] = []

    def factory(installed_apps: list[str]) -> Application:
        app = Application(
            build_settings(installed_apps=installed_apps, database_url=any_database_url)
        )
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


def test_makemigrations_generates_revisions_that_apply_cleanly(
    build: Callable[[list[str]], Application], tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    app = build([GADGETS])

    initial = make_migrations(app, versions, "initial gadgets")
    assert initial is not None and initial.parent == versions
    text = initial.read_text()
    assert "create_table" in text
    assert "fx_gadget_kind" in text
    assert "lys.db.types.UTCDateTime()" in text
    assert [s.applied for s in show_migrations(app, versions)] == [False]

    assert migrate(app, versions) == "upgraded"
    assert {"fx_gadget", "fx_gadget_kind"} <= table_names(app)
    assert pending_model_changes(app) == []
    # Nothing changed: no new file.
    assert make_migrations(app, versions, "again") is None
    assert sorted(p.name for p in versions.glob("*.py")) == [initial.name]

    # The migrated tables work, microseconds and time zone included.
    with app.session() as session:
        app.service("fx_gadget_kind").create(session, id="SMALL")
        gadget = app.service("fx_gadget").create(session, name="Widget", kind_id="SMALL")
        created = gadget.created_at
        gadget_id = gadget.id
    with app.session() as session:
        assert app.service("fx_gadget").get(session, gadget_id).created_at == created


def test_a_column_added_by_a_model_extension_migrates(
    build: Callable[[list[str]], Application], tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    base = build([GADGETS])
    first = make_migrations(base, versions, "initial")
    assert first is not None
    migrate(base, versions)
    with base.session() as session:
        base.service("fx_gadget_kind").create(session, id="SMALL")
        base.service("fx_gadget").create(session, name="Old", kind_id="SMALL")

    extended = build([GADGETS, GADGETS_COLOR])
    diff = pending_model_changes(extended)
    assert [(d[0], d[2], d[3].name) for d in diff] == [("add_column", "fx_gadget", "color")]

    second = make_migrations(extended, versions, "gadget color")
    assert second is not None
    text = second.read_text()
    assert "add_column" in text and "'color'" in text
    assert "create_table" not in text
    if extended.engine.dialect.name == "sqlite":
        assert "batch_alter_table('fx_gadget'" in text
    assert f"down_revision: str | Sequence[str] | None = '{revision_of(first)}'" in text

    assert migrate(extended, versions) == "upgraded"
    assert "color" in column_names(extended, "fx_gadget")
    assert pending_model_changes(extended) == []
    assert make_migrations(extended, versions, "again") is None
    states = show_migrations(extended, versions)
    assert [(s.message, s.applied) for s in states] == [("initial", True), ("gadget color", True)]

    # Existing rows survived the ALTER (a batch copy on SQLite).
    with extended.session() as session:
        rows = extended.service("fx_gadget").list(session)
        assert [(r.name, r.color) for r in rows] == [("Old", None)]
        extended.service("fx_gadget").create(session, name="New", kind_id="SMALL", color="red")

    # Back to the first revision: the column goes, the rows stay.
    assert migrate(extended, versions, revision_of(first)) == "downgraded"
    assert "color" not in column_names(extended, "fx_gadget")
    assert [d[0] for d in pending_model_changes(extended)] == ["add_column"]
    with base.session() as session:
        assert sorted(r.name for r in base.service("fx_gadget").list(session)) == ["New", "Old"]

    assert migrate(extended, versions, "base") == "downgraded"
    assert table_names(extended) == {"alembic_version"}


def test_makemigrations_refuses_a_database_behind_the_migrations(
    build: Callable[[list[str]], Application], tmp_path: Path
) -> None:
    versions = tmp_path / "versions"
    app = build([GADGETS])
    assert make_migrations(app, versions, "initial") is not None
    with pytest.raises(CommandError, match="not at the latest migration"):
        make_migrations(app, versions, "second")
    assert len(list(versions.glob("*.py"))) == 1


# -- the commands -------------------------------------------------------------------------


@pytest.fixture
def settings_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[Callable[[list[str], Path], str]]:
    for name in list(os.environ):
        if name.startswith("LYS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    built: list[Application] = []
    original = CLIState.application

    def remember(self: CLIState, *args: Any, **kwargs: Any) -> Application:
        app = original(self, *args, **kwargs)
        if app not in built:
            built.append(app)
        return app

    monkeypatch.setattr(CLIState, "application", remember)
    names: list[str] = []

    def write(apps: list[str], versions: Path) -> str:
        name = f"fx_settings_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(
            f"INSTALLED_APPS = {apps!r}\nDATABASE_URL = {database_url!r}\n"
            f"MIGRATIONS_DIR = {str(versions)!r}\n"
        )
        names.append(name)
        return name

    yield write
    for app in built:
        app.dispose()
    for name in names:
        sys.modules.pop(name, None)


def test_migration_commands(
    make_app: AppFactory,
    settings_module: Callable[[list[str], Path], str],
    tmp_path: Path,
) -> None:
    app = make_app([GADGETS], create_tables=False)
    versions = tmp_path / "versions"
    settings = settings_module([GADGETS], versions)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["--settings", settings, *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        return result.output

    assert "No migrations in" in run("showmigrations")
    assert "Created " in run("makemigrations", "-m", "first")
    (path,) = versions.glob("*.py")
    revision = revision_of(path)
    assert f"[ ] {revision}  first" in run("showmigrations")
    assert "Database upgraded to head." in run("migrate")
    assert f"[X] {revision}  first" in run("showmigrations")
    assert {"fx_gadget", "fx_gadget_kind"} <= table_names(app)
    assert "No changes detected." in run("makemigrations")
    assert "Database downgraded to zero." in run("migrate", "zero")
    assert table_names(app) == {"alembic_version"}

    failed = runner.invoke(cli, ["--settings", settings, "migrate", "nope"])
    assert failed.exit_code == 1
    assert "unknown revision 'nope'" in failed.stderr
