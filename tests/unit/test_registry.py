"""The app loader and the registry: order, conventional files, failures, lookups, commands.

Static test apps live in ``tests/testapps/reg_*``; apps that only exist to break are
written to a temporary directory with a unique name per test.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from graphql import graphql_sync
from sqlalchemy import inspect as sa_inspect

from lys import Application, EntityService, ImproperlyConfigured
from lys.graphql.context import RequestContext
from lys.registry import ALL_COMPONENTS, Registry, populate
from tests.conftest import build_settings
from tests.testapps.reg_support import TRACE, forget_modules, unique_name, write_package

ORDER_A = "tests.testapps.reg_order_a"
ORDER_B = "tests.testapps.reg_order_b"
MODULAR = "tests.testapps.reg_modular"
# Where the loader finds the test apps (as imported, not resolved: that is what it names).
TESTAPPS = Path(next(iter(importlib.import_module("tests.testapps").__path__)))

AppWriter = Callable[[str, Mapping[str, str]], str]


def build(apps: list[str], **components: Any) -> Application:
    settings = build_settings(installed_apps=apps, database_url="sqlite://")
    return Application(settings, **components)


def load_error(apps: list[str]) -> str:
    with pytest.raises(ImproperlyConfigured) as info:
        build(apps)
    return str(info.value)


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def trace() -> Iterator[list[str]]:
    """The tracing apps, imported afresh by the next load; yields what they record."""
    apps = [ORDER_A, ORDER_B, MODULAR]
    forget_modules(apps)
    TRACE.clear()
    yield TRACE
    forget_modules(apps)
    TRACE.clear()


@pytest.fixture
def write_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppWriter]:
    """Write a throwaway app package; returns its (unique, importable) name."""
    root = tmp_path / "apps_root"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    names: list[str] = []

    def write(stem: str, files: Mapping[str, str]) -> str:
        name = unique_name(stem)
        write_package(root, name, files)
        names.append(name)
        return name

    yield write
    forget_modules(names)


def short(names: list[str]) -> list[str]:
    """``tests.testapps.reg_order_a.models`` -> ``reg_order_a.models``."""
    return [name.removeprefix("tests.testapps.") for name in names]


# -- order ------------------------------------------------------------------------------


def test_components_load_phase_by_phase_in_installed_apps_order(trace: list[str]) -> None:
    build([ORDER_A, ORDER_B])
    assert short(trace) == [
        "reg_order_a.models",
        "reg_order_b.models",
        "reg_order_a.services",
        "reg_order_b.services",
        "reg_order_a.fixtures",
        "reg_order_b.fixtures",
        "reg_order_a.resolvers",
        "reg_order_b.resolvers",
        "reg_order_a.tasks",
        "reg_order_b.tasks",
        "reg_order_a.commands",
        "reg_order_b.commands",
    ]


def test_installed_apps_order_decides_the_order(trace: list[str]) -> None:
    build([ORDER_B, ORDER_A])
    assert short(trace)[:4] == [
        "reg_order_b.models",
        "reg_order_a.models",
        "reg_order_b.services",
        "reg_order_a.services",
    ]
    assert short(trace)[-2:] == ["reg_order_b.commands", "reg_order_a.commands"]


def test_registry_contents_follow_installed_apps_order(trace: list[str]) -> None:
    registry = build([ORDER_B, ORDER_A]).registry
    assert [app.name for app in registry.apps] == [ORDER_B, ORDER_A]
    assert [f.app for f in registry.schema_files] == [ORDER_B, ORDER_A]
    assert [b.app for b in registry.bindables] == [ORDER_B, ORDER_A]
    assert registry.task_modules == [f"{ORDER_B}.tasks", f"{ORDER_A}.tasks"]
    assert [f.__name__ for f in registry.fixtures] == [
        "OrderThingBFixture",
        "OrderThingAFixture",
    ]
    assert registry.fixture_apps[registry.fixtures[0]] == ORDER_B
    assert registry.loaded == set(ALL_COMPONENTS)


def test_components_are_loaded_only_when_asked(trace: list[str]) -> None:
    app = build([ORDER_A], components=["models"])
    assert short(trace) == ["reg_order_a.models"]
    assert "reg_order_a_thing" in app.registry.tables
    assert app.registry.services == {}
    assert app.registry.commands == {}
    # The schema loads the GraphQL component on demand, and nothing else.
    result = graphql_sync(app.schema, "{ orderThingA }")
    assert result.data == {"orderThingA": "a"}
    assert short(trace) == ["reg_order_a.models", "reg_order_a.resolvers"]
    # A later populate adds the missing components once.
    populate(app.registry, [ORDER_A])
    populate(app.registry, [ORDER_A])
    assert short(trace).count("reg_order_a.services") == 1
    assert short(trace).count("reg_order_a.resolvers") == 1
    assert app.registry.loaded == set(ALL_COMPONENTS)


def test_unknown_component_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown components: \\['views'\\]"):
        populate(Registry(), ["apps.catalog"], ["models", "views"])


# -- missing and broken files -----------------------------------------------------------


def test_an_app_without_conventional_files_loads() -> None:
    app = build(["apps.catalog", "tests.testapps.reg_empty"])
    assert [a.label for a in app.registry.apps] == ["catalog", "reg_empty"]
    assert {f.app for f in app.registry.schema_files} == {"apps.catalog"}
    assert {b.app for b in app.registry.bindables} == {"apps.catalog"}
    assert set(app.registry.tables) == {"product", "product_category"}
    assert app.schema.query_type is not None


def test_only_some_conventional_files(write_app: AppWriter) -> None:
    name = write_app(
        "models_only",
        {"models.py": "from lys import Entity\n\n\nclass Lonely(Entity):\n    pass\n"},
    )
    app = build([name])
    assert list(app.registry.tables) == ["lonely"]
    assert isinstance(app.service("lonely"), EntityService)
    assert app.registry.schema_files == []


def test_models_file_that_raises_names_the_file_and_line() -> None:
    path = TESTAPPS / "reg_broken_models" / "models.py"
    message = load_error(["apps.catalog", "tests.testapps.reg_broken_models"])
    line = line_of(path, "raise RuntimeError")
    assert message.startswith(f"{path}:{line}: ")
    assert "failed to import tests.testapps.reg_broken_models.models" in message
    assert "RuntimeError: boom from reg_broken_models" in message


def test_services_file_with_a_syntax_error_names_the_file_and_line(
    write_app: AppWriter, tmp_path: Path
) -> None:
    name = write_app(
        "syntax",
        {
            "services.py": """
                from lys import Service


                class Broken(Service)
                    service_name = "broken"
                """,
        },
    )
    message = load_error(["apps.catalog", name])
    assert message.startswith(str(tmp_path / "apps_root" / name / "services.py") + ":4: ")
    assert f"failed to import {name}.services: SyntaxError" in message


def test_resolvers_file_with_a_bad_import_names_the_file() -> None:
    path = TESTAPPS / "reg_broken_resolvers" / "resolvers.py"
    message = load_error(["apps.catalog", "tests.testapps.reg_broken_resolvers"])
    assert message.startswith(f"{path}:{line_of(path, 'import helper')}: ")
    assert "ModuleNotFoundError" in message
    assert "no_such_helpers" in message


def test_a_broken_file_fails_every_time(write_app: AppWriter) -> None:
    """A failed import leaves nothing half-loaded behind that a second load would accept."""
    name = write_app("twice", {"tasks.py": "1 / 0\n"})
    for _ in range(2):
        assert "ZeroDivisionError" in load_error([name])


def test_a_missing_import_inside_an_existing_file_is_not_treated_as_missing(
    write_app: AppWriter,
) -> None:
    name = write_app("inner_missing", {"models.py": "import reg_surely_not_installed\n"})
    message = load_error([name])
    assert f"{name}/models.py:1: " in message
    assert "reg_surely_not_installed" in message


# -- unknown apps -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("apps.catalg", "apps.catalog"),
        ("apps.catalogs", "apps.catalog"),
        ("tests.testapps.reg_emtpy", "tests.testapps.reg_empty"),
    ],
)
def test_unknown_app_suggests_a_close_name(typo: str, meant: str) -> None:
    message = load_error([typo])
    assert f"installed app {typo!r} cannot be imported" in message
    assert f"did you mean {meant!r}?" in message


def test_unknown_app_suggests_another_installed_app() -> None:
    message = load_error(["tests.testapps.reg_empty", "tests.testapps.reg_empyt"])
    assert "did you mean 'tests.testapps.reg_empty'?" in message


def test_unknown_app_never_suggests_itself() -> None:
    message = load_error(["reg_nothing_like_this_exists"])
    assert "cannot be imported: no module named 'reg_nothing_like_this_exists'" in message
    assert "did you mean" not in message


def test_an_app_must_be_a_package() -> None:
    message = load_error(["tests.services"])
    assert "installed app 'tests.services' is a module, not a package" in message


def test_an_app_package_that_fails_to_import(write_app: AppWriter) -> None:
    name = write_app("bad_init", {"__init__.py": "raise ValueError('init broke')\n"})
    message = load_error([name])
    assert f"installed app {name!r} failed to import" in message
    assert "ValueError: init broke" in message


# -- modules/__submodules__ -------------------------------------------------------------


def test_submodules_are_searched_in_declared_order(trace: list[str]) -> None:
    app = build([MODULAR])
    prefix = "reg_modular.modules."
    assert [name.removeprefix(prefix) for name in short(trace)] == [
        "beta.models",
        "alpha.models",
        "beta.services",
        "alpha.services",
        "alpha.fixtures",
        "beta.resolvers",
        "alpha.resolvers",
        "beta.tasks",
        "alpha.tasks",
        "beta.commands",
        "alpha.commands",
    ]
    config = app.registry.app("reg_modular")
    assert [location.__name__ for location in config.locations] == [
        f"{MODULAR}.modules.beta",
        f"{MODULAR}.modules.alpha",
    ]


def test_submodules_contribute_every_component(trace: list[str]) -> None:
    app = build([MODULAR])
    registry = app.registry
    assert list(registry.tables) == ["reg_beta_thing", "reg_alpha_thing"]
    assert [f.path.parent.name for f in registry.schema_files] == ["beta", "alpha"]
    assert list(registry.commands) == ["reg-beta", "reg-alpha"]
    assert registry.commands["reg-alpha"][0] == MODULAR
    assert [f.__name__ for f in registry.fixtures] == ["AlphaThingFixture"]
    assert registry.task_modules == [
        f"{MODULAR}.modules.beta.tasks",
        f"{MODULAR}.modules.alpha.tasks",
    ]
    assert app.service("alpha_greeter").greet() == "hello from alpha"
    assert app.service("beta_greeter").greet() == "hello from beta"
    # A relationship across submodules, declared with a string annotation.
    alpha = app.model("reg_alpha_thing")
    relationship = sa_inspect(alpha).relationships["beta"]
    assert relationship.mapper.class_ is app.model("reg_beta_thing")
    assert relationship.uselist is False


def test_submodule_resolvers_use_submodule_services(trace: list[str]) -> None:
    app = build([MODULAR])
    context = RequestContext(app.settings, app.registry, app.engine)
    result = graphql_sync(app.schema, "{ alphaGreeting betaGreeting }", context_value=context)
    assert result.errors is None
    assert result.data == {"alphaGreeting": "hello from alpha", "betaGreeting": "hello from beta"}


def test_modules_package_without_submodules_is_refused(write_app: AppWriter) -> None:
    name = write_app("no_submodules", {"modules/__init__.py": "", "modules/one/models.py": ""})
    message = load_error([name])
    assert f"{name}/modules/__init__.py" in message
    assert "must define __submodules__" in message


def test_missing_submodule_is_named(write_app: AppWriter) -> None:
    name = write_app(
        "missing_submodule",
        {"modules/__init__.py": '__submodules__ = ["one", "two"]\n', "modules/one/models.py": ""},
    )
    message = load_error([name])
    assert f"submodule 'two' of app {name!r} does not exist" in message
    assert f"{name}/modules/__init__.py" in message


# -- lookups ----------------------------------------------------------------------------


def test_models_and_services_by_name() -> None:
    from apps.catalog import models, services

    app = build(["apps.catalog"])
    product = app.registry.model("product")
    assert issubclass(product, models.Product)
    assert product.__tablename__ == "product"
    assert product is app.model("product")
    assert set(product.__table__.c.keys()) >= {"id", "name", "price", "category_id"}
    service = app.registry.service("product")
    assert type(service) is services.ProductService
    assert service is app.service("product")
    assert service.registry is app.registry
    assert service.model is product
    assert type(app.service("product_category")) is services.ProductCategoryService


def test_unknown_model_lists_the_available_ones() -> None:
    registry = build(["apps.catalog"]).registry
    with pytest.raises(ImproperlyConfigured) as info:
        registry.model("prodcut")
    message = str(info.value)
    assert "no model named 'prodcut'" in message
    assert "did you mean 'product'?" in message
    assert "(available: product, product_category)" in message


def test_unknown_service_lists_the_available_ones() -> None:
    registry = build(["apps.catalog"]).registry
    with pytest.raises(ImproperlyConfigured) as info:
        registry.service("invoice")
    message = str(info.value)
    assert "no service named 'invoice'" in message
    assert "did you mean" not in message
    assert "(available: product, product_category)" in message


def test_empty_registry_says_none_are_available() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"no model named 'x' \(available: none\)"):
        Registry().model("x")


def test_apps_by_label_or_name() -> None:
    registry = build(["apps.catalog", "tests.testapps.reg_empty"]).registry
    assert registry.app("catalog") is registry.app("apps.catalog")
    assert registry.app("catalog").path == Path(__file__).resolve().parents[2] / "apps" / "catalog"
    with pytest.raises(ImproperlyConfigured, match="did you mean 'catalog'"):
        registry.app("catalogue")


def test_models_without_a_service_get_a_plain_one(trace: list[str]) -> None:
    app = build([MODULAR])
    service = app.service("reg_beta_thing")
    assert isinstance(service, EntityService)
    assert service.model is app.model("reg_beta_thing")


def test_a_service_needs_a_name(write_app: AppWriter) -> None:
    name = write_app(
        "nameless",
        {"services.py": "from lys import Service\n\n\nclass Nameless(Service):\n    pass\n"},
    )
    message = load_error([name])
    assert f"{name}/services.py" in message
    assert "service Nameless has no service_name" in message


def test_a_service_for_a_model_no_app_declares(write_app: AppWriter) -> None:
    name = write_app(
        "orphan_service",
        {
            "services.py": """
                from lys import EntityService
                from tests.testapps.reg_ext.models import Brand


                class BrandService(EntityService[Brand]):
                    pass
                """,
        },
    )
    message = load_error(["apps.catalog", name])
    assert f"{name}/services.py" in message
    assert "service BrandService serves unknown model 'brand'" in message


def test_two_models_with_the_same_class_name_are_refused(write_app: AppWriter) -> None:
    name = write_app(
        "same_class",
        {
            "models.py": """
                from lys import Entity


                class Product(Entity):
                    __tablename__ = "second_product"
                """,
        },
    )
    message = load_error(["apps.catalog", name])
    assert "models 'product' and 'second_product' are both classes named 'Product'" in message


def test_a_later_app_replaces_a_model_of_the_same_name(write_app: AppWriter) -> None:
    name = write_app(
        "replace",
        {
            "models.py": """
                from apps.catalog.models import ProductCategory as Base


                class ProductCategory(Base):
                    label: str = "none"
                """,
        },
    )
    app = build(["apps.catalog", name])
    category = app.model("product_category")
    assert category.__module__ == f"{name}.models"
    assert "label" in category.__table__.c
    # The catalog's product still points at the replaced class.
    assert sa_inspect(app.model("product")).relationships["category"].mapper.class_ is category


# -- commands ---------------------------------------------------------------------------


def test_commands_module_contributes_click_commands() -> None:
    from tests.testapps.reg_cmds import commands as module

    registry = build(["apps.catalog", "tests.testapps.reg_cmds"]).registry
    assert set(registry.commands) == {"reg-hello", "reg-apps"}
    assert registry.commands["reg-hello"] == ("tests.testapps.reg_cmds", module.hello)


def test_first_app_wins_a_command_name_clash(trace: list[str]) -> None:
    registry = build([ORDER_B, ORDER_A]).registry
    app_name, command = registry.commands["reg-shared"]
    assert app_name == ORDER_B
    result = CliRunner().invoke(command, [])
    assert result.output == "shared from reg_order_b\n"
    assert set(registry.commands) == {"reg-order-a", "reg-order-b", "reg-shared"}


def test_commands_module_must_list_its_commands(write_app: AppWriter) -> None:
    name = write_app("no_list", {"commands.py": "import click\n\nhello = click.Command('x')\n"})
    message = load_error([name])
    assert f"{name}/commands.py" in message
    assert "`commands = [...]`" in message


def test_commands_list_holds_only_click_commands(write_app: AppWriter) -> None:
    name = write_app("not_click", {"commands.py": "def hello():\n    pass\n\ncommands = [hello]\n"})
    message = load_error([name])
    assert f"{name}/commands.py" in message
    assert "is not a click command" in message


@pytest.fixture
def clean_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_app: AppWriter
) -> Iterator[str]:
    """No LYS_* variable nor .env leaks in; yields a settings module listing reg_cmds."""
    for key in list(os.environ):
        if key.startswith("LYS_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    name = write_app(
        "cli_project",
        {
            "settings.py": """
                INSTALLED_APPS = ["apps.catalog", "tests.testapps.reg_cmds"]
                DATABASE_URL = "sqlite://"
                """,
        },
    )
    yield f"{name}.settings"


def test_app_commands_run_from_the_command_line(clean_environment: str) -> None:
    from lys.cli.main import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["--settings", clean_environment, "reg-hello", "--name", "lys"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello lys\n"

    result = runner.invoke(cli, ["--settings", clean_environment, "reg-apps"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["apps.catalog", "tests.testapps.reg_cmds"]

    result = runner.invoke(cli, ["--settings", clean_environment, "--help"])
    assert result.exit_code == 0, result.output
    assert "reg-hello" in result.output
    assert "Greets someone." in result.output


def test_commands_are_click_commands_at_registry_level() -> None:
    registry = build(["tests.testapps.reg_cmds"]).registry
    assert all(isinstance(command, click.Command) for _, command in registry.commands.values())


# -- isolation --------------------------------------------------------------------------


def test_each_application_has_its_own_registry() -> None:
    first = build(["apps.catalog"])
    second = build(["apps.catalog"])
    assert first.registry is not second.registry
    assert first.model("product") is not second.model("product")
    assert first.registry.metadata is not second.registry.metadata
    assert first.service("product") is not second.service("product")
    assert first.service("product").model is first.model("product")
    assert second.service("product").model is second.model("product")
