"""The registry: everything the installed apps declare, looked up by name.

It belongs to one application object, never to the process, so tests can build
several projects side by side.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData

from lys.access import AccessPolicy, OpenAccess
from lys.errors import ImproperlyConfigured

if TYPE_CHECKING:
    import click

    from lys.models.entity import BaseEntity
    from lys.registry.app_config import AppConfig
    from lys.services.base import Service


@dataclass(frozen=True)
class SchemaFile:
    app: str
    path: Path


@dataclass(frozen=True)
class Bindables:
    app: str
    origin: str
    items: tuple[Any, ...]


class Registry:
    def __init__(self) -> None:
        self.apps: list[AppConfig] = []
        self.declared_models: dict[str, type[BaseEntity]] = {}
        self.model_class_names: dict[str, str] = {}
        self.tables: dict[str, type] = {}
        self.metadata: MetaData = MetaData()
        self.services: dict[str, Service] = {}
        self.fixtures: list[type[Any]] = []
        self.fixture_apps: dict[type, str] = {}
        self.schema_files: list[SchemaFile] = []
        self.bindables: list[Bindables] = []
        self.commands: dict[str, tuple[str, click.Command]] = {}
        self.task_modules: list[str] = []
        #: Jobs the apps' ``tasks.py`` declare (``@job`` / ``@periodic``), by name.
        self.jobs: dict[str, Any] = {}
        #: The application's job runtime (broker, outbox): what ``enqueue`` talks to.
        self.job_runtime: Any = None
        self.loaded: set[str] = set()
        #: GraphQL object type -> model name, from the SDL's ``@model`` directives.
        self.node_models: dict[str, str] = {}
        #: Model name -> the object type that represents it (the first declared).
        self.model_nodes: dict[str, str] = {}
        self.access_policy: AccessPolicy = OpenAccess()
        #: ``(context) -> Principal | None``, tried in order until one answers.
        self.authenticators: list[Callable[[Any], Any]] = []
        #: ``(context) -> None``, may raise a LysError to refuse the request (403 etc.).
        self.request_guards: list[Callable[[Any], None]] = []
        #: Root fields by snake_case name, with their ``@access`` declaration.
        self.webservices: dict[str, Any] = {}
        #: Later apps' changes to earlier apps' webservices, applied when they are read.
        self.webservice_overrides: list[Any] = []
        self.access_control: Any = None
        #: Permission classes the apps add to the chain, in ``INSTALLED_APPS`` order.
        self.permissions: list[Any] = []
        #: Whether access is checked at all (an app that authenticates turns it on).
        self.access_enforced: bool = False
        #: Run-time webservice switches (``is_off(name)``), provided by the base app.
        self.webservice_switches: Any = None
        #: Tenant column -> organization kind; such models must declare their scopes.
        self.tenant_columns: dict[str, str] = {}
        #: ``(session, application) -> None`` run after ``migrate`` and ``loadfixtures``
        #: to mirror code into tables (webservices, ...).
        self.sync_hooks: list[Callable[[Any, Any], Any]] = []
        #: ``(application) -> None`` run when a server process starts serving (not for
        #: commands or workers): e.g. registering webservices with the auth service.
        self.server_hooks: list[Callable[[Any], object]] = []
        #: ``(session, user) -> dict``: claims added to a user's access token.
        self.claim_providers: list[Callable[[Any, Any], dict[str, Any]]] = []

    # -- lookups -------------------------------------------------------------------
    def model(self, name: str) -> Any:
        """The table class for ``name`` (a table name such as ``"product"``)."""
        try:
            return self.tables[name]
        except KeyError:
            raise ImproperlyConfigured(_unknown("model", name, self.tables)) from None

    def service(self, name: str) -> Any:
        try:
            return self.services[name]
        except KeyError:
            raise ImproperlyConfigured(_unknown("service", name, self.services)) from None

    def app(self, label_or_name: str) -> AppConfig:
        for app in self.apps:
            if label_or_name in (app.name, app.label):
                return app
        names = {app.label: app for app in self.apps}
        raise ImproperlyConfigured(_unknown("installed app", label_or_name, names))

    def iter_models(self) -> Iterator[tuple[str, type]]:
        return iter(self.tables.items())


def _unknown(kind: str, name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    available = ", ".join(sorted(known)) or "none"
    return f"no {kind} named {name!r}{hint} (available: {available})"
