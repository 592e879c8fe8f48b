"""The pytest plugin every project with Lys installed gets (entry point ``lys``).

Options: ``--lys-settings=MODULE`` (else the ``lys_settings`` ini option, else
``$LYS_SETTINGS_MODULE``) and ``--lys-db=URL`` (``sqlite``, the default: a file per test
process; or a server URL such as ``postgresql://user@host/postgres``, next to which a
database per test process is created and dropped at the end).

The application is built once per test process from the project's settings, its tables
created and its reference data loaded; after each test the data is put back as it was
(see :mod:`lys.testing.databases`). Nothing here runs unless a test asks for a fixture,
so suites that build their own applications are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from lys.testing.client import HTTPS_BASE_URL, ClientPool, open_client

if TYPE_CHECKING:
    from litestar.testing import TestClient
    from sqlmodel import Session

    from lys.application import Application
    from lys.conf.settings import Settings
    from lys.testing.databases import Snapshot
    from lys.testing.jobs import JobWorker
    from lys.testing.queries import QueryCounter
    from lys.testing.users import Caller, GraphQL, Users

SETTINGS_INI = "lys_settings"
SQLITE = "sqlite"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lys", "Lys applications")
    group.addoption(
        "--lys-settings",
        dest="lys_settings",
        default=None,
        metavar="MODULE",
        help="settings module of the application under test (default: the lys_settings "
        "ini option, then $LYS_SETTINGS_MODULE)",
    )
    group.addoption(
        "--lys-db",
        dest="lys_db",
        default=SQLITE,
        metavar="URL",
        help="'sqlite' (default: a file per test process) or a server URL such as "
        "postgresql://user@127.0.0.1:5432/postgres: a database per test process is "
        "created on that server and dropped at the end",
    )
    parser.addini(SETTINGS_INI, "settings module of the application under test", default="")


# -- the database and the application, once per test process ---------------------------
@pytest.fixture(scope="session")
def lys_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of this test process's own database (see ``--lys-db``)."""
    from lys.testing.databases import (
        create_database,
        drop_database,
        is_server_url,
        worker_database_name,
    )

    option = request.config.getoption("lys_db")
    if option == SQLITE:
        yield f"sqlite:///{tmp_path_factory.mktemp('lys-db') / 'test.sqlite3'}"
        return
    if not is_server_url(option):
        yield option  # an explicit SQLite URL, used as given
        return
    name = worker_database_name()
    try:
        url = create_database(option, name)
    except Exception as exc:
        pytest.fail(f"--lys-db: cannot create the test database {name}: {exc}", pytrace=False)
    yield url
    drop_database(option, name)


@pytest.fixture(scope="session")
def lys_settings_module(request: pytest.FixtureRequest) -> str:
    """The project's settings module (``--lys-settings``, ``lys_settings``, then env)."""
    config = request.config
    module = (
        config.getoption("lys_settings")
        or config.getini(SETTINGS_INI)
        or os.environ.get("LYS_SETTINGS_MODULE")
    )
    if not module:
        pytest.fail(
            'no settings module for the Lys fixtures: set `lys_settings = "myproject.settings"` '
            "in the pytest configuration, or pass --lys-settings",
            pytrace=False,
        )
    return str(module)


@pytest.fixture(scope="session")
def lys_settings_overrides() -> dict[str, Any]:
    """Settings tests change on top of the project's (override in a conftest.py)."""
    return {}


@pytest.fixture(scope="session")
def lys_settings(
    lys_settings_module: str, lys_database_url: str, lys_settings_overrides: dict[str, Any]
) -> Settings:
    """The project's settings with test values: its own database, cheap password hashing,
    no rate limit; the environment and ``.env`` are ignored."""
    from lys.testing.settings import project_settings

    return project_settings(lys_settings_module, lys_database_url, lys_settings_overrides)


@pytest.fixture(scope="session")
def lys_session_app(lys_settings: Settings) -> Iterator[Application]:
    """The application of the whole test process, its tables created (empty)."""
    from lys.application import Application

    application = Application(lys_settings)
    application.registry.metadata.create_all(application.engine)
    yield application
    application.dispose()


@pytest.fixture(scope="session")
def lys_initial_data(lys_session_app: Application) -> None:
    """What every test starts with: the reference data production loads (fixtures that
    load in ``prod``; no demo data). Override (session scope) to load more."""
    from lys.conf.environments import Environment
    from lys.fixtures import load_fixtures

    load_fixtures(lys_session_app, env=Environment.PROD)


@pytest.fixture(scope="session")
def lys_snapshot(lys_session_app: Application, lys_initial_data: None) -> Snapshot:
    from lys.testing.databases import Snapshot

    return Snapshot.capture(lys_session_app.engine, lys_session_app.registry.metadata)


# -- per test -----------------------------------------------------------------------------
@pytest.fixture
def lys_app(lys_session_app: Application, lys_snapshot: Snapshot) -> Iterator[Application]:
    """The application under test; whatever the test wrote is gone after it."""
    from lys.testing.context import use_application

    try:
        with use_application(lys_session_app):
            yield lys_session_app
    finally:
        lys_snapshot.restore(lys_session_app.engine)
        lys_session_app.forget_copies()


@pytest.fixture
def db_session(lys_app: Application) -> Session:
    """The session factories write with (commit to make rows visible to requests)."""
    from lys.testing.context import current_session

    return current_session()


@pytest.fixture
def client(lys_app: Application) -> Iterator[TestClient[Any]]:
    """An HTTP client (HTTPS, so session cookies come back) against the application."""
    http = open_client(lys_app, HTTPS_BASE_URL)
    try:
        yield http
    finally:
        http.__exit__(None, None, None)


@pytest.fixture
def lys_users(lys_app: Application, client: TestClient[Any]) -> Users:
    """Callers at each access level: ``login_as(user)``, ``anonymous()``, ``at_level()``."""
    from lys.testing.context import current_session
    from lys.testing.users import Users

    return Users(lys_app, current_session(), client)


@pytest.fixture
def login_as(lys_users: Users) -> Callable[[Any], Caller]:
    """``login_as(user)``: a caller logged in as a user row, an email or an id."""
    return lys_users.login_as


@pytest.fixture
def anonymous(lys_users: Users) -> Caller:
    return lys_users.at_level("anonymous")


@pytest.fixture
def user(lys_users: Users) -> Caller:
    """A plain connected user (a new one per test)."""
    return lys_users.at_level("user")


@pytest.fixture
def super_user(lys_users: Users) -> Caller:
    return lys_users.at_level("super_user")


@pytest.fixture
def graphql(lys_users: Users) -> GraphQL:
    """``graphql(query, variables=None, as_user=None)`` -> data; raises
    ``GraphQLOperationError`` (``.code``, ``.errors``) when the answer holds errors."""
    from lys.testing.users import GraphQL

    return GraphQL(lys_users)


@pytest.fixture
def count_queries(request: pytest.FixtureRequest) -> Iterator[Callable[..., QueryCounter]]:
    """``count_queries(app=None)``: count the SQL statements of ``app`` (default: the
    application under test) from now on, or inside ``with count_queries() as queries:``."""
    from lys.testing.queries import QueryCounter

    counters: list[QueryCounter] = []

    def count(application: Application | None = None) -> QueryCounter:
        target = application if application is not None else request.getfixturevalue("lys_app")
        counter = QueryCounter(target.engine, target.read_engine).start()
        counters.append(counter)
        return counter

    yield count
    for counter in counters:
        counter.stop()


@pytest.fixture
def client_for() -> Iterator[ClientPool]:
    """``client_for(app)``: an HTTP client for any application, closed after the test."""
    pool = ClientPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def jobs(lys_app: Application) -> Iterator[JobWorker]:
    """An in-process worker on the stub broker: ``jobs.run()`` returns once every job
    enqueued so far (and every job those enqueue) has run, each in its own session."""
    from lys.testing.jobs import JobWorker

    with lys_app.jobs.worker(threads=1) as worker:
        worker.pause()
        yield JobWorker(lys_app, worker)
