"""The application object: settings, the registry built from them, the engine and schema.

Everything a process needs hangs off one instance instead of module globals, so two
projects with different apps can live in one test process.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlmodel import Session

from lys.auth.passwords import configure_hasher
from lys.conf.loader import load_settings
from lys.conf.settings import Settings
from lys.db.engine import create_db_engine, create_read_engine
from lys.db.kept import KeptConnection, idle_limits
from lys.db.session import transaction
from lys.jobs.runtime import JobRuntime
from lys.permissions.install import install_access
from lys.redis_clients import close_redis_clients
from lys.registry.loader import ALL_COMPONENTS, GRAPHQL, TASKS, populate
from lys.registry.registry import Registry

if TYPE_CHECKING:
    from graphql import GraphQLSchema
    from litestar import Litestar

    from lys.graphql.executor import GraphQLExecutor


class Application:
    """A Lys project: its settings, the registry of its installed apps and its ASGI app."""

    def __init__(self, settings: Settings, components: Iterable[str] = ALL_COMPONENTS) -> None:
        self.settings = settings
        configure_hasher(
            settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
        )
        self.registry = Registry()
        populate(self.registry, settings.installed_apps, components)
        self._engine: Engine | None = None
        self._read_engine: Engine | None = None
        self._kept_connection: KeptConnection | None = None
        self._schema: GraphQLSchema | None = None
        self._executor: GraphQLExecutor | None = None
        #: Background jobs: this application's own broker and outbox (see lys.jobs).
        self.jobs = JobRuntime(
            settings,
            self.registry,
            engine=lambda: self.engine,
            load_tasks=lambda: populate(self.registry, settings.installed_apps, [TASKS]),
        )
        self.registry.job_runtime = self.jobs
        for app in self.registry.apps:
            # Like Django's AppConfig.ready(): an app's `ready(application)` wires itself
            # in (authenticators, request guards, access policy) once everything loaded.
            ready = getattr(app.module, "ready", None)
            if callable(ready):
                ready(self)
        install_access(self.registry, settings)

    @classmethod
    def from_settings(
        cls,
        module: str | types.ModuleType | None = None,
        *,
        overrides: Mapping[str, Any] | None = None,
        components: Iterable[str] = ALL_COMPONENTS,
        environ: Mapping[str, str] | None = None,
    ) -> Application:
        settings = load_settings(module, overrides=overrides, environ=environ)
        return cls(settings, components)

    # -- database --------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_db_engine(self.settings)
            # Creating an engine connects nothing; reads find theirs from now on.
            self._read_engine = create_read_engine(self.settings, self._engine)
        return self._engine

    @property
    def read_engine(self) -> Engine:
        """Where read-only operations run: the same database, autocommit connections.

        A pool of its own for server databases, so connections never switch isolation
        level on the way in and out (two driver calls and their bookkeeping per request);
        SQLite shares the engine's connections (an in-memory database lives in one).
        """
        engine = self.engine
        if self._read_engine is None:
            self._read_engine = create_read_engine(self.settings, engine)
        return self._read_engine

    @property
    def kept_connection(self) -> KeptConnection:
        """The read engine's connection the web endpoint lends to one request after
        another when operations run inline (see :mod:`lys.db.kept`)."""
        if self._kept_connection is None:
            self._kept_connection = KeptConnection(self.read_engine, **idle_limits(self.settings))
        return self._kept_connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in its own transaction: committed on success, rolled back on error."""
        with transaction(self.engine) as session:
            yield session

    def forget_copies(self) -> None:
        """Make every service read the database again instead of what it copied from
        it (enabled reference codes, the roles' webservices): for code that changes
        rows behind the application's back, such as tests restoring a snapshot."""
        for service in self.registry.services.values():
            service.forget_copies()

    def model(self, name: str) -> Any:
        return self.registry.model(name)

    def service(self, name: str) -> Any:
        return self.registry.service(name)

    # -- GraphQL and HTTP --------------------------------------------------------------
    @property
    def schema(self) -> GraphQLSchema:
        if self._schema is None:
            from lys.graphql.schema import build_schema

            populate(self.registry, self.settings.installed_apps, [GRAPHQL])
            self._schema = build_schema(self.registry)
        return self._schema

    @property
    def executor(self) -> GraphQLExecutor:
        if self._executor is None:
            from lys.graphql.executor import GraphQLExecutor

            self._executor = GraphQLExecutor(self.schema, self.settings)
        return self._executor

    def asgi(self) -> Litestar:
        from lys.http.app import create_asgi_app

        return create_asgi_app(self)

    def dispose(self) -> None:
        self.jobs.close()
        close_redis_clients()
        if self._kept_connection is not None:
            self._kept_connection.close()
            self._kept_connection = None
        if self._read_engine is not None:
            self._read_engine.dispose()
            self._read_engine = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
