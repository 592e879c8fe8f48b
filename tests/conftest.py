"""Shared fixtures: applications built from test settings, on SQLite and PostgreSQL.

The machinery is the ``lys.testing`` plugin's (loaded by pytest through its entry
point): per-process server databases, test settings, ``client_for`` and
``count_queries`` come from there. This file adds what only this suite needs: every
database test runs on SQLite and PostgreSQL, with applications built per test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from lys.testing import QueryCounter, build_settings, post_graphql
from lys.testing.databases import (
    create_database,
    drop_database,
    reset_database,
    worker_database_name,
)
from tests.services import MARIADB_ADMIN_URL, POSTGRES_ADMIN_URL, require

__all__ = [
    "CATALOG",
    "REPO_ROOT",
    "AppFactory",
    "QueryCounter",
    "build_settings",
    "gql",
    "reset_database",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG = ["apps.catalog"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test worker's own on the PostgreSQL server."""
    require("PostgreSQL", POSTGRES_ADMIN_URL)
    name = worker_database_name()
    yield create_database(POSTGRES_ADMIN_URL, name)
    drop_database(POSTGRES_ADMIN_URL, name)


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    require("MariaDB", MARIADB_ADMIN_URL)
    name = worker_database_name()
    yield create_database(MARIADB_ADMIN_URL, name)
    drop_database(MARIADB_ADMIN_URL, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every database test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_url")


AppFactory = Callable[..., Application]


@pytest.fixture
def make_app(database_url: str) -> Iterator[AppFactory]:
    """Build applications on this test's database; tables are created unless told not to.

    ``make_app(["apps.catalog", ...], create_tables=True, **settings)``.
    """
    built: list[Application] = []
    reset_database(database_url)

    def factory(
        installed_apps: list[str] | None = None, *, create_tables: bool = True, **settings: Any
    ) -> Application:
        settings.setdefault("database_url", database_url)
        app = Application(build_settings(installed_apps=installed_apps or CATALOG, **settings))
        if create_tables:
            app.registry.metadata.create_all(app.engine)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


@pytest.fixture
def catalog_app(make_app: AppFactory) -> Application:
    return make_app(CATALOG)


def gql(
    client: TestClient[Any], query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST an operation and return the decoded body."""
    return post_graphql(client, query, variables)[1]
