"""A database prepared once per module, and the applications its tests run on.

Creating an application's tables and loading its reference data is most of what a test
of the user apps costs when it builds its own application. Here that is done once per
module and database kind, and the rows are captured. A test then gets either

- a *new* ``Application`` on the database put back to those rows
  (:meth:`PreparedDatabase.app`): nothing a process keeps in memory carries over from
  one test to the next, for tests that change settings, throttles or reference data;
- or the module's application, put back before each test (:meth:`PreparedDatabase.reset`):
  the rows, and the copies of reference data and role grants a new application would
  not have (:meth:`lys.Application.forget_copies`). Building an application (its models and schema)
  is then paid once per module too.

On PostgreSQL the module has a database of its own next to the worker's, so the tests of
the module that still build their applications with ``make_app`` (which drops every
table of the worker's database) leave it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lys import Application
from lys.testing import build_settings
from lys.testing.databases import Snapshot, create_database, drop_database, worker_database_name
from tests.integration import test_users_support
from tests.services import POSTGRES_ADMIN_URL, require

#: ``module_database``'s fixture parameters: every test runs on both.
DATABASES = ["sqlite", "postgresql"]
#: The settings ``test_users_support.users_app`` builds with (prepare: ``load_fixtures``).
USERS_APP_SETTINGS: dict[str, Any] = {
    "installed_apps": test_users_support.APPS,
    "secret_key": test_users_support.SECRET_KEY,
    "rate_limit_per_minute": 0,
    "rate_limit_service_per_minute": 0,
}


@dataclass(frozen=True)
class PreparedDatabase:
    url: str
    settings: dict[str, Any]
    snapshot: Snapshot
    #: What ``prepare`` returned (the ids of the rows it wrote, say).
    data: Any = None

    def app(self, **settings: Any) -> Application:
        """A new application on the database put back as prepared; ``settings`` must be
        ones the prepared rows do not depend on."""
        app = Application(build_settings(**{**self.settings, **settings}, database_url=self.url))
        self.snapshot.restore(app.engine)
        # Loading the fixtures built the schema (it reads the webservices into the
        # registry); tests may look at them before any request does.
        app.schema  # noqa: B018
        return app

    def reset(self, app: Application) -> None:
        """Put ``app`` (one of :meth:`app`'s, shared by the module) back as a new one
        would find things: the rows as prepared, no copies read from the old ones."""
        self.snapshot.restore(app.engine)
        app.forget_copies()


def module_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    prepare: Callable[[Application], object],
    **settings: Any,
) -> Iterator[PreparedDatabase]:
    """For a module-scoped fixture parametrized with :data:`DATABASES`: the tables of
    an application built with ``settings``, filled by ``prepare(app)`` (what it returns
    is kept as ``data``)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('prepared') / 'module.sqlite3'}"
        name = None
    else:
        require("PostgreSQL", POSTGRES_ADMIN_URL)
        name = worker_database_name("lys_module")
        url = create_database(POSTGRES_ADMIN_URL, name)
    try:
        app = Application(build_settings(**settings, database_url=url))
        try:
            app.registry.metadata.create_all(app.engine)
            data = prepare(app)
            snapshot = Snapshot.capture(app.engine, app.registry.metadata)
        finally:
            app.dispose()
        yield PreparedDatabase(url, settings, snapshot, data)
    finally:
        if name is not None:
            drop_database(POSTGRES_ADMIN_URL, name)


def module_application_fixtures() -> tuple[Any, Any]:
    """The ``shared_app`` and ``app`` fixtures of a module whose ``database`` fixture
    comes from :func:`module_database`: one application for the module, put back as
    prepared before each test. Assign them in the module:
    ``shared_app, app = module_application_fixtures()``."""

    @pytest.fixture(scope="module")
    def shared_app(database: PreparedDatabase) -> Iterator[Application]:
        app = database.app()
        yield app
        app.dispose()

    @pytest.fixture
    def app(database: PreparedDatabase, shared_app: Application) -> Application:
        """The module's application, put back as prepared."""
        database.reset(shared_app)
        return shared_app

    return shared_app, app
