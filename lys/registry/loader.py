"""Loads the installed apps into a :class:`Registry`, phase by phase.

Every app's models come first (so a later app can extend an earlier app's model before
any table exists), then services, fixtures, GraphQL schema files and resolvers, tasks
and commands; within a phase, apps follow ``INSTALLED_APPS`` and each app its
``__submodules__``.
"""

from __future__ import annotations

import inspect
import logging
import types
from collections.abc import Iterable
from typing import Any

import click

from lys.errors import ImproperlyConfigured
from lys.registry.app_config import AppConfig
from lys.registry.discovery import import_optional
from lys.registry.registry import Bindables, Registry, SchemaFile
from lys.registry.tables import build_tables, is_declared_model

logger = logging.getLogger("lys.registry")

MODELS = "models"
SERVICES = "services"
FIXTURES = "fixtures"
GRAPHQL = "graphql"
TASKS = "tasks"
COMMANDS = "commands"
#: Every component, in load order.
ALL_COMPONENTS = (MODELS, SERVICES, FIXTURES, GRAPHQL, TASKS, COMMANDS)


def populate(
    registry: Registry, installed_apps: Iterable[str], components: Iterable[str] = ALL_COMPONENTS
) -> None:
    """Load ``components`` of ``installed_apps`` in the conventional order."""
    wanted = set(components)
    unknown = wanted - set(ALL_COMPONENTS)
    if unknown:
        raise ValueError(f"unknown components: {sorted(unknown)}")
    installed = list(installed_apps)
    if not registry.apps:
        registry.apps = [AppConfig.create(name, installed) for name in installed]
    for component in ALL_COMPONENTS:
        if component in wanted and component not in registry.loaded:
            _LOADERS[component](registry)
            registry.loaded.add(component)


def _locations(registry: Registry) -> Iterable[tuple[AppConfig, types.ModuleType]]:
    for app in registry.apps:
        for location in app.locations:
            yield app, location


def _load_models(registry: Registry) -> None:
    for app, location in _locations(registry):
        module = import_optional(f"{location.__name__}.models")
        if module is None:
            continue
        for obj in vars(module).values():
            if is_declared_model(obj, module.__name__):
                name = obj.model_name()
                previous = registry.declared_models.get(name)
                if previous is not None:
                    logger.debug("app %s overrides model %r (%s)", app.name, name, previous)
                registry.declared_models[name] = obj
                registry.model_class_names.setdefault(name, obj.__name__)
    registry_, tables = build_tables(registry.declared_models, registry.model_class_names)
    registry.tables = tables
    registry.metadata = registry_.metadata


def _load_services(registry: Registry) -> None:
    from lys.services.base import EntityService, Service

    for _app, location in _locations(registry):
        module = import_optional(f"{location.__name__}.services")
        if module is None:
            continue
        for obj in vars(module).values():
            if not (
                inspect.isclass(obj)
                and issubclass(obj, Service)
                and obj.__module__ == module.__name__
                and not obj.__dict__.get("__abstract__", False)
            ):
                continue
            if not obj.service_name:
                raise ImproperlyConfigured(
                    f"{module.__file__}: service {obj.__qualname__} has no service_name "
                    "(subclass EntityService[Model] or set service_name)"
                )
            if issubclass(obj, EntityService) and obj.model_name not in registry.tables:
                raise ImproperlyConfigured(
                    f"{module.__file__}: service {obj.__qualname__} serves unknown model "
                    f"{obj.model_name!r}"
                )
            registry.services[obj.service_name] = obj(registry)
    # Every model gets a plain service unless an app provides one.
    for name in registry.tables:
        if name not in registry.services:
            default = type(f"{name}_service", (EntityService,), {"model_name": name})
            registry.services[name] = default(registry)


def _load_fixtures(registry: Registry) -> None:
    from lys.fixtures.base import Fixture

    for app, location in _locations(registry):
        module = import_optional(f"{location.__name__}.fixtures")
        if module is None:
            continue
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Fixture)
                and obj.__module__ == module.__name__
                and not obj.__dict__.get("__abstract__", False)
            ):
                registry.fixtures.append(obj)
                registry.fixture_apps[obj] = app.name


def _load_graphql(registry: Registry) -> None:
    from ariadne.types import SchemaBindable

    for app, location in _locations(registry):
        package_dir = next(iter(getattr(location, "__path__", [])), None)
        if package_dir is not None:
            from pathlib import Path

            for path in sorted(Path(package_dir).glob("*.graphql")):
                registry.schema_files.append(SchemaFile(app.name, path))
        module = import_optional(f"{location.__name__}.resolvers")
        if module is None:
            continue
        declared = getattr(module, "bindables", None)
        if declared is None:
            declared = [
                obj
                for obj in vars(module).values()
                if isinstance(obj, SchemaBindable) and not isinstance(obj, type)
            ]
        items: list[Any] = []
        for item in declared:
            if isinstance(item, list | tuple):
                items.extend(item)
            else:
                items.append(item)
        registry.bindables.append(Bindables(app.name, str(module.__file__), tuple(items)))


def _load_tasks(registry: Registry) -> None:
    from lys.jobs.actors import JobSpec

    for app, location in _locations(registry):
        module = import_optional(f"{location.__name__}.tasks")
        if module is None:
            continue
        registry.task_modules.append(module.__name__)
        # The declarations are plain objects read here, never a process-wide list:
        # two applications importing the same tasks module each get their own jobs.
        for obj in vars(module).values():
            if isinstance(obj, JobSpec) and obj.module == module.__name__:
                previous = registry.jobs.get(obj.name)
                if previous is not None:
                    logger.debug("app %s overrides job %r (%s)", app.name, obj.name, previous)
                registry.jobs[obj.name] = obj


def _load_commands(registry: Registry) -> None:
    for app, location in _locations(registry):
        module = import_optional(f"{location.__name__}.commands")
        if module is None:
            continue
        commands = getattr(module, "commands", None)
        if commands is None:
            raise ImproperlyConfigured(
                f"{module.__file__}: a commands module must list its click commands in "
                "`commands = [...]`"
            )
        for command in commands:
            if not isinstance(command, click.Command) or not command.name:
                raise ImproperlyConfigured(
                    f"{module.__file__}: {command!r} in `commands` is not a click command"
                )
            # Like Django, the app listed first wins a name clash.
            registry.commands.setdefault(command.name, (app.name, command))


_LOADERS = {
    MODELS: _load_models,
    SERVICES: _load_services,
    FIXTURES: _load_fixtures,
    GRAPHQL: _load_graphql,
    TASKS: _load_tasks,
    COMMANDS: _load_commands,
}
