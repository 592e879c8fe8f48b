"""Fixture loading (lys.fixtures) and ``loadfixtures``, on SQLite and PostgreSQL.

The test apps live in ``tests/testapps/fx_inventory`` (colours, items, users) and
``tests/testapps/fx_more_colors`` (a later app adding a colour and an item).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from pydantic import BaseModel, ConfigDict

from lys import Application, BusinessFixture, Environment, ImproperlyConfigured, ParametricFixture
from lys.cli.main import cli
from lys.cli.state import CLIState
from lys.fixtures import FixtureError, FixtureReport, load_fixtures
from lys.fixtures.base import Fixture
from lys.fixtures.ordering import order_fixtures
from tests.conftest import AppFactory
from tests.testapps.fx_inventory.fixtures import ColorFixture, ItemFixture, ItemRow, UserFixture

INVENTORY = "tests.testapps.fx_inventory"
MORE_COLORS = "tests.testapps.fx_more_colors"
BOTH = [INVENTORY, MORE_COLORS]

Snapshot = dict[str, set[tuple[Any, ...]]]


# -- helpers -----------------------------------------------------------------------


def snapshot(app: Application) -> Snapshot:
    """Every row of every table, to compare the whole database before and after."""
    with app.engine.connect() as connection:
        return {
            table.name: {tuple(row) for row in connection.execute(sa.select(table))}
            for table in app.registry.metadata.sorted_tables
        }


def by_name(reports: list[FixtureReport]) -> dict[str, FixtureReport]:
    return {report.fixture: report for report in reports}


def counts(report: FixtureReport) -> tuple[int, int, int, int]:
    return report.added, report.updated, report.disabled, report.unchanged


def colors(app: Application) -> dict[str, bool]:
    with app.session() as session:
        model = app.model("fx_color")
        return {row.id: row.enabled for row in session.scalars(sa.select(model))}


def items(app: Application) -> dict[str, tuple[int, str]]:
    with app.session() as session:
        model = app.model("fx_item")
        return {row.name: (row.quantity, row.color_id) for row in session.scalars(sa.select(model))}


def add_fixture(app: Application, fixture: type[Fixture], app_name: str = INVENTORY) -> None:
    """Install an extra fixture class in this application's registry only."""
    app.registry.fixtures.append(fixture)
    app.registry.fixture_apps[fixture] = app_name


@pytest.fixture
def inventory(make_app: AppFactory) -> Application:
    return make_app([INVENTORY])


# -- loading and idempotency ---------------------------------------------------------


def test_first_load_adds_everything(inventory: Application) -> None:
    reports = by_name(load_fixtures(inventory))
    assert counts(reports["ColorFixture"]) == (3, 0, 0, 0)
    assert counts(reports["ItemFixture"]) == (2, 0, 0, 0)
    assert counts(reports["UserFixture"]) == (1, 0, 0, 0)
    assert colors(inventory) == {"RED": True, "GREEN": True, "BLUE": True}
    assert items(inventory) == {"Red pen": (10, "RED"), "Green pen": (5, "GREEN")}
    with inventory.session() as session:
        red = inventory.service("fx_color").get(session, "RED")
        assert red.description == "Red"
        assert red.code == "RED"


def test_loading_twice_is_a_no_op(inventory: Application) -> None:
    load_fixtures(inventory)
    before = snapshot(inventory)
    reports = load_fixtures(inventory)
    assert all(r.skipped is None for r in reports)
    assert sum(r.added + r.updated + r.disabled for r in reports) == 0
    assert by_name(reports)["ColorFixture"].unchanged == 3
    assert by_name(reports)["ItemFixture"].unchanged == 2
    assert by_name(reports)["UserFixture"].unchanged == 1
    # Nothing was written: not even updated_at or a re-hashed password.
    assert snapshot(inventory) == before


def test_depends_on_loads_dependencies_first(inventory: Application) -> None:
    declared = [f.name() for f in inventory.registry.fixtures]
    assert declared.index("ItemFixture") < declared.index("ColorFixture")  # as written
    reports = load_fixtures(inventory)
    order = [r.fixture for r in reports]
    assert order.index("ColorFixture") < order.index("ItemFixture")
    # Items point at colours: this only loads because the colours came first.
    assert items(inventory)["Red pen"] == (10, "RED")


def test_order_fixtures_keeps_declaration_order_otherwise() -> None:
    class First(ParametricFixture):
        model = "fx_color"

    class Second(ParametricFixture):
        model = "fx_color"
        depends_on = ("Third",)

    class Third(ParametricFixture):
        model = "fx_color"

    assert [f.name() for f in order_fixtures([First, Second, Third])] == [
        "First",
        "Third",
        "Second",
    ]


# -- parametric fixtures ---------------------------------------------------------------


def test_removed_parametric_row_is_disabled_never_deleted(
    inventory: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fixtures(inventory)
    with inventory.session() as session:  # a row that must stay valid: it points at BLUE
        inventory.service("fx_item").create(session, name="Blue pen", color_id="BLUE")

    monkeypatch.setattr(ColorFixture, "rows", [r for r in ColorFixture.rows if r["id"] != "BLUE"])
    reports = by_name(load_fixtures(inventory))
    assert counts(reports["ColorFixture"]) == (0, 0, 1, 2)
    assert colors(inventory) == {"RED": True, "GREEN": True, "BLUE": False}
    assert items(inventory)["Blue pen"] == (0, "BLUE")

    # Loading again disables nothing more.
    assert counts(by_name(load_fixtures(inventory))["ColorFixture"]) == (0, 0, 0, 2)

    # Listed again: enabled again.
    monkeypatch.undo()
    reports = by_name(load_fixtures(inventory))
    assert counts(reports["ColorFixture"]) == (0, 1, 0, 2)
    assert colors(inventory)["BLUE"] is True


def test_changed_parametric_row_is_updated(
    inventory: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fixtures(inventory)
    rows = [dict(r) for r in ColorFixture.rows]
    rows[0]["description"] = "Crimson"
    monkeypatch.setattr(ColorFixture, "rows", rows)
    assert counts(by_name(load_fixtures(inventory))["ColorFixture"]) == (0, 1, 0, 2)
    with inventory.session() as session:
        red = inventory.service("fx_color").get(session, "RED")
        assert red.description == "Crimson"
        assert red.updated_at is not None


def test_rows_created_outside_fixtures_are_disabled_when_unlisted(
    inventory: Application,
) -> None:
    with inventory.session() as session:
        inventory.service("fx_color").create(session, id="ORPHAN")
    assert counts(by_name(load_fixtures(inventory))["ColorFixture"]) == (3, 0, 1, 0)
    assert colors(inventory)["ORPHAN"] is False


def test_a_later_app_adds_rows_without_disabling_the_earlier_apps(
    make_app: AppFactory,
) -> None:
    earlier = make_app([INVENTORY])
    load_fixtures(earlier)

    both = make_app(BOTH, create_tables=False)
    reports = by_name(load_fixtures(both))
    assert counts(reports["ColorFixture"]) == (0, 0, 0, 3)
    assert counts(reports["MoreColorFixture"]) == (1, 0, 0, 0)
    assert colors(both) == {"RED": True, "GREEN": True, "BLUE": True, "PURPLE": True}
    assert items(both)["Purple pen"] == (1, "PURPLE")

    # Stable with both apps installed...
    reports = load_fixtures(both)
    assert sum(r.added + r.updated + r.disabled for r in reports) == 0

    # ... and uninstalling the later app disables only its rows.
    reports = by_name(load_fixtures(make_app([INVENTORY], create_tables=False)))
    assert reports["ColorFixture"].disabled == 1
    assert colors(both) == {"RED": True, "GREEN": True, "BLUE": True, "PURPLE": False}


# -- business fixtures -----------------------------------------------------------------


def test_business_fixtures_upsert_by_natural_key(
    inventory: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fixtures(inventory)
    item = inventory.model("fx_item")
    with inventory.session() as session:
        red = session.scalars(sa.select(item).where(item.name == "Red pen")).one()
        red_id = red.id
        red.quantity = 99
        inventory.service("fx_item").create(session, name="Made by a user", color_id="RED")

    reports = by_name(load_fixtures(inventory))
    assert counts(reports["ItemFixture"]) == (0, 1, 0, 1)
    assert items(inventory) == {
        "Red pen": (10, "RED"),
        "Green pen": (5, "GREEN"),
        "Made by a user": (0, "RED"),
    }
    with inventory.session() as session:
        # Same row, updated in place: never a duplicate.
        assert session.scalars(sa.select(item.id).where(item.name == "Red pen")).all() == [red_id]

    # A row dropped from the fixture stays in the database, as does the user's row.
    monkeypatch.setattr(ItemFixture, "rows", [ItemFixture.rows[0]])
    reports = by_name(load_fixtures(inventory))
    assert counts(reports["ItemFixture"]) == (0, 0, 0, 1)
    assert set(items(inventory)) == {"Red pen", "Green pen", "Made by a user"}


def test_format_hook_hashes_passwords_through_a_service(
    inventory: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_fixtures(inventory)
    users = inventory.service("fx_user")
    with inventory.session() as session:
        admin = users.by_email(session, "admin@example.com")
        first_hash = admin.password
    assert first_hash.startswith("$argon2")
    assert "s3cret-admin" not in first_hash
    assert users.verify_password(first_hash, "s3cret-admin")

    # Reloading keeps the hash (the hook sees the row and the session).
    assert counts(by_name(load_fixtures(inventory))["UserFixture"]) == (0, 0, 0, 1)

    monkeypatch.setattr(
        UserFixture, "rows", [{"email": "admin@example.com", "password": "rotated"}]
    )
    assert counts(by_name(load_fixtures(inventory))["UserFixture"]) == (0, 1, 0, 0)
    with inventory.session() as session:
        new_hash = users.by_email(session, "admin@example.com").password
    assert new_hash != first_hash
    assert users.verify_password(new_hash, "rotated")
    assert not users.verify_password(new_hash, "s3cret-admin")


# -- environments ----------------------------------------------------------------------


class DemoColorFixture(ParametricFixture):
    model = "fx_color"
    environments = frozenset({Environment.DEMO})
    rows: ClassVar[list[dict[str, Any]]] = [{"id": "DEMO_PINK"}]


def test_business_fixtures_never_load_in_prod(inventory: Application) -> None:
    reports = by_name(load_fixtures(inventory, env=Environment.PROD))
    assert counts(reports["ColorFixture"]) == (3, 0, 0, 0)
    # UserFixture lists prod in its environments: still skipped.
    assert reports["UserFixture"].skipped == "not loaded in prod"
    assert reports["ItemFixture"].skipped == "not loaded in prod"
    assert "skipped" in reports["UserFixture"].summary()
    snap = snapshot(inventory)
    assert snap["fx_user"] == set()
    assert snap["fx_item"] == set()


def test_environments_are_respected(inventory: Application) -> None:
    add_fixture(inventory, DemoColorFixture)
    reports = by_name(load_fixtures(inventory, env=Environment.PREPROD))
    assert reports["UserFixture"].added == 1  # business, asks for preprod
    assert reports["ItemFixture"].skipped == "not loaded in preprod"  # default: dev and demo
    assert reports["DemoColorFixture"].skipped == "not loaded in preprod"
    assert "DEMO_PINK" not in colors(inventory)

    reports = by_name(load_fixtures(inventory, env=Environment.DEMO))
    assert reports["ItemFixture"].added == 2
    assert reports["DemoColorFixture"].added == 1
    assert colors(inventory)["DEMO_PINK"] is True


def test_env_defaults_to_the_settings(make_app: AppFactory) -> None:
    app = make_app([INVENTORY], env="preprod")
    reports = by_name(load_fixtures(app))
    assert reports["ItemFixture"].skipped == "not loaded in preprod"
    assert reports["UserFixture"].added == 1


# -- failures roll everything back -------------------------------------------------------


class UnknownFieldFixture(ParametricFixture):
    model = "fx_color"
    depends_on = ("ItemFixture",)
    rows: ClassVar[list[dict[str, Any]]] = [{"id": "OK1"}, {"id": "BAD", "colour": "red"}]


class WrongTypeFixture(BusinessFixture):
    model = "fx_item"
    row_schema = ItemRow
    natural_key = ("name",)
    depends_on = ("ItemFixture",)
    rows: ClassVar[list[dict[str, Any]]] = [
        {"name": "Fine", "quantity": 1, "color_id": "RED"},
        {"name": "Bad", "quantity": "many", "color_id": "RED"},
    ]


class DanglingForeignKeyFixture(BusinessFixture):
    model = "fx_item"
    row_schema = ItemRow
    natural_key = ("name",)
    depends_on = ("ItemFixture",)
    rows: ClassVar[list[dict[str, Any]]] = [
        {"name": "Fine", "quantity": 1, "color_id": "RED"},
        {"name": "Dangling", "quantity": 1, "color_id": "NO_SUCH_COLOR"},
    ]


class LooseRow(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str


class NotAColumnFixture(BusinessFixture):
    """The row schema lets ``weight`` through; the model has no such column."""

    model = "fx_item"
    row_schema = LooseRow
    natural_key = ("name",)
    depends_on = ("ItemFixture",)
    rows: ClassVar[list[dict[str, Any]]] = [
        {"name": "Fine", "color_id": "RED"},
        {"name": "Odd", "color_id": "RED", "weight": 3},
    ]


@pytest.mark.parametrize(
    ("fixture", "reasons"),
    [
        (UnknownFieldFixture, ["colour", "Extra inputs are not permitted"]),
        (NotAColumnFixture, ["weight: not a column or relation of fx_item"]),
        (WrongTypeFixture, ["quantity", "integer"]),
        (DanglingForeignKeyFixture, ["IntegrityError", "foreign key"]),
    ],
    ids=["unknown-field", "not-a-column", "wrong-type", "dangling-foreign-key"],
)
def test_a_failing_row_rolls_back_everything(
    inventory: Application,
    monkeypatch: pytest.MonkeyPatch,
    fixture: type[Fixture],
    reasons: list[str],
) -> None:
    load_fixtures(inventory)
    with inventory.session() as session:
        inventory.service("fx_item").create(session, name="User's", quantity=7, color_id="GREEN")
    before = snapshot(inventory)

    # This run would add, update and disable rows before reaching the bad row.
    monkeypatch.setattr(
        ColorFixture, "rows", [{"id": "RED", "description": "Crimson"}, {"id": "YELLOW"}]
    )
    monkeypatch.setattr(
        ItemFixture, "rows", [{"name": "Red pen", "quantity": 1, "color_id": "YELLOW"}]
    )
    add_fixture(inventory, fixture)
    with pytest.raises(FixtureError) as info:
        load_fixtures(inventory)
    message = str(info.value)
    assert message.startswith(f"fixture {fixture.__name__}: row 1: ")
    for reason in reasons:
        assert reason.lower() in message.lower(), message
    assert snapshot(inventory) == before


def test_failure_on_an_empty_database_leaves_it_empty(inventory: Application) -> None:
    add_fixture(inventory, DanglingForeignKeyFixture)
    with pytest.raises(FixtureError, match="DanglingForeignKeyFixture: row 1"):
        load_fixtures(inventory)
    assert all(rows == set() for rows in snapshot(inventory).values())


# -- dependencies ------------------------------------------------------------------------


class NeedsGhostFixture(ParametricFixture):
    model = "fx_color"
    depends_on = ("GhostFixture",)


class ChickenFixture(ParametricFixture):
    model = "fx_color"
    depends_on = ("EggFixture",)


class EggFixture(ParametricFixture):
    model = "fx_color"
    depends_on = ("ChickenFixture",)


def test_unknown_dependency_fails_naming_both_fixtures(inventory: Application) -> None:
    add_fixture(inventory, NeedsGhostFixture)
    with pytest.raises(ImproperlyConfigured) as info:
        load_fixtures(inventory)
    message = str(info.value)
    assert "NeedsGhostFixture" in message
    assert "GhostFixture" in message.replace("NeedsGhostFixture", "")
    assert all(rows == set() for rows in snapshot(inventory).values())


def test_dependency_cycle_fails_naming_the_cycle(inventory: Application) -> None:
    add_fixture(inventory, ChickenFixture)
    add_fixture(inventory, EggFixture)
    with pytest.raises(ImproperlyConfigured, match="cycle") as info:
        load_fixtures(inventory)
    message = str(info.value)
    assert "ChickenFixture" in message
    assert "EggFixture" in message
    assert all(rows == set() for rows in snapshot(inventory).values())


# -- dry run and app selection ---------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(
    inventory: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = by_name(load_fixtures(inventory, dry_run=True))
    assert counts(reports["ColorFixture"]) == (3, 0, 0, 0)
    assert counts(reports["ItemFixture"]) == (2, 0, 0, 0)
    assert all(rows == set() for rows in snapshot(inventory).values())

    load_fixtures(inventory)
    before = snapshot(inventory)
    monkeypatch.setattr(ColorFixture, "rows", [{"id": "RED", "description": "Crimson"}])
    reports = by_name(load_fixtures(inventory, dry_run=True))
    assert counts(reports["ColorFixture"]) == (0, 1, 2, 0)
    assert snapshot(inventory) == before


def test_selected_apps_load_with_their_dependencies(make_app: AppFactory) -> None:
    app = make_app(BOTH)
    reports = by_name(load_fixtures(app, apps=["fx_more_colors"]))
    assert reports["ItemFixture"].skipped == "not selected"
    assert reports["UserFixture"].skipped == "not selected"
    assert reports["ColorFixture"].skipped is None  # a dependency of PurpleItemFixture
    assert counts(reports["MoreColorFixture"]) == (1, 0, 0, 0)
    assert counts(reports["PurpleItemFixture"]) == (1, 0, 0, 0)
    assert set(colors(app)) == {"RED", "GREEN", "BLUE", "PURPLE"}
    assert set(items(app)) == {"Purple pen"}
    assert snapshot(app)["fx_user"] == set()

    reports = by_name(load_fixtures(app, apps=[INVENTORY]))  # the full name works too
    assert reports["MoreColorFixture"].skipped == "not selected"
    assert reports["ItemFixture"].added == 2
    assert colors(app)["PURPLE"] is True  # listed by an installed app, not disabled


def test_selecting_an_unknown_app_fails(inventory: Application) -> None:
    with pytest.raises(ImproperlyConfigured, match="no_such_app"):
        load_fixtures(inventory, apps=["no_such_app"])


# -- the loadfixtures command ------------------------------------------------------------------


SettingsWriter = Callable[..., str]


@pytest.fixture
def settings_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[SettingsWriter]:
    """Write a settings module on the test's database; returns a writer taking the apps."""
    for name in list(os.environ):
        if name.startswith("LYS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
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

    def write(apps: list[str], env: str = "dev") -> str:
        name = f"fx_settings_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text(
            f"ENV = {env!r}\nINSTALLED_APPS = {apps!r}\nDATABASE_URL = {database_url!r}\n"
        )
        names.append(name)
        return name

    yield write
    for app in built:
        app.dispose()
    for name in names:
        sys.modules.pop(name, None)


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_loadfixtures_command(make_app: AppFactory, settings_module: SettingsWriter) -> None:
    app = make_app(BOTH)
    settings = settings_module(BOTH)

    result = run_cli("--settings", settings, "loadfixtures")
    assert result.exit_code == 0, result.output
    assert "ColorFixture (fx_color): 3 added, 0 updated, 0 disabled, 0 unchanged" in result.output
    assert "Loaded 5 fixture(s): 8 added, 0 updated, 0 disabled." in result.output
    loaded = snapshot(app)
    assert len(loaded["fx_color"]) == 4
    assert len(loaded["fx_item"]) == 3

    again = run_cli("--settings", settings, "loadfixtures")
    assert again.exit_code == 0, again.output
    assert "Loaded 5 fixture(s): 0 added, 0 updated, 0 disabled." in again.output
    assert snapshot(app) == loaded


def test_loadfixtures_command_options(
    make_app: AppFactory, settings_module: SettingsWriter
) -> None:
    app = make_app(BOTH)
    settings = settings_module(BOTH)

    dry = run_cli("--settings", settings, "loadfixtures", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would load 5 fixture(s): 8 added" in dry.output
    assert "Nothing was written." in dry.output
    assert all(rows == set() for rows in snapshot(app).values())

    prod = run_cli("--settings", settings, "loadfixtures", "--env", "prod")
    assert prod.exit_code == 0, prod.output
    assert "UserFixture (fx_user): skipped, not loaded in prod" in prod.output
    assert "Loaded 2 fixture(s): 4 added" in prod.output
    assert snapshot(app)["fx_item"] == set()

    selected = run_cli("--settings", settings, "loadfixtures", "fx_inventory")
    assert selected.exit_code == 0, selected.output
    assert "MoreColorFixture (fx_color): skipped, not selected" in selected.output
    assert set(items(app)) == {"Red pen", "Green pen"}


def test_loadfixtures_command_failure(
    make_app: AppFactory, settings_module: SettingsWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app([INVENTORY])
    settings = settings_module([INVENTORY])
    assert run_cli("--settings", settings, "loadfixtures").exit_code == 0
    before = snapshot(app)

    rows = [{"name": "Red pen", "quantity": 1, "color_id": "RED"}, {"name": "X", "quantity": 1}]
    monkeypatch.setattr(ItemFixture, "rows", rows)
    result = run_cli("--settings", settings, "loadfixtures")
    assert result.exit_code == 1
    assert "fixture ItemFixture: row 1: color_id" in result.stderr
    assert "nothing was saved" in result.stderr
    assert snapshot(app) == before


class KeylessFixture(BusinessFixture):
    model = "fx_item"
    row_schema = ItemRow
    rows: ClassVar[list[dict[str, Any]]] = []


class UnknownModelFixture(ParametricFixture):
    model = "no_such_model"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [(KeylessFixture, "natural_key"), (UnknownModelFixture, "no model named 'no_such_model'")],
)
def test_badly_declared_fixtures_fail_before_anything_loads(
    inventory: Application, fixture: type[Fixture], message: str
) -> None:
    add_fixture(inventory, fixture)
    before = snapshot(inventory)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_fixtures(inventory)
    assert snapshot(inventory) == before


@pytest.mark.parametrize(
    ("rows", "apps", "expected"),
    [
        (None, ["nosuchapp"], "no installed app named 'nosuchapp'"),
        (
            [{"name": "Pen", "quantity": 1, "color_id": "RED", "shade": "dark"}],
            [],
            "row 0: shade",
        ),
        ([{"name": "Pen", "quantity": "many", "color_id": "RED"}], [], "row 0: quantity"),
        ([{"name": "Pen", "quantity": 1, "color_id": "NO_SUCH_COLOR"}], [], "row 0: Integrity"),
    ],
    ids=["unknown-app", "unknown-field", "wrong-type", "dangling-foreign-key"],
)
def test_loadfixtures_command_errors_are_one_line(
    make_app: AppFactory,
    settings_module: SettingsWriter,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[dict[str, Any]] | None,
    apps: list[str],
    expected: str,
) -> None:
    app = make_app([INVENTORY])
    settings = settings_module([INVENTORY])
    before = snapshot(app)
    if rows is not None:
        monkeypatch.setattr(ItemFixture, "rows", rows)
    result = run_cli("--settings", settings, "loadfixtures", *apps)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.output
    assert snapshot(app) == before
