"""``manage.py runserver`` as a real process: HTTP, probes, port clashes, reload, workers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lys.graphql.global_ids import decode_global_id, encode_global_id
from tests.conftest import reset_database
from tests.e2e.conftest import (
    Server,
    ServerFactory,
    ServerPool,
    assert_one_error_line,
    free_port,
    live_group_members,
    manage,
    manage_ok,
)

pytestmark = pytest.mark.e2e

RELOAD_TIMEOUT = 20.0

ALL_PRODUCTS = """
query ($search: String, $first: Int) {
  allProducts(search: $search, first: $first) {
    edges { node { id name price category { code } } }
    pageInfo { hasNextPage }
    totalCount
  }
}
"""
CREATE_PRODUCT = """
mutation ($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) { id name price category { code } }
}
"""
PRODUCT = "query ($id: ID!) { product(id: $id) { id name price category { code } } }"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def catalog_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The reference project, migrated and loaded with its fixtures, served for real.

    Once per database (SQLite, then PostgreSQL), shared by the tests of this module.
    """
    workdir = tmp_path_factory.mktemp(f"catalog-{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite:///{workdir / 'db.sqlite3'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
        reset_database(database_url)
    env = {"LYS_DATABASE_URL": database_url}
    manage_ok("migrate", env=env)
    manage_ok("loadfixtures", env=env)
    manage_ok("createsuperuser", "--email", ADMIN, env=env, input=ADMIN_PASSWORD + "\n")
    pool = ServerPool(workdir)
    try:
        server = pool(["runserver", "--port", str(free_port())], env=env)
        server.wait_until_up()
        yield server
    finally:
        pool.stop_all()


def logged_in_admin(server: Server) -> tuple[httpx.Client, dict[str, str]]:
    """A client logged in as the super user: cookies travel with it, the XSRF token in
    the header returned."""
    client = httpx.Client()
    logged = server.graphql(
        LOGIN, {"inputs": {"login": ADMIN, "password": ADMIN_PASSWORD}}, client=client
    )
    assert logged["data"]["login"]["success"] is True, logged
    return client, {"x-xsrf-token": logged["data"]["login"]["xsrfToken"]}


def test_runserver_serves_the_catalog(catalog_server: Server) -> None:
    server = catalog_server
    assert httpx.get(server.url + "/health").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})

    categories = server.graphql("{ allProductCategories { code } }")
    assert categories == {
        "data": {
            "allProductCategories": [{"code": c} for c in ("BOOKS", "CLOTHING", "ELECTRONICS")]
        }
    }
    # Products belong to clients: reading them takes a connection (a super user here).
    anonymous = server.graphql(ALL_PRODUCTS, {"first": 5})
    assert anonymous["errors"][0]["extensions"]["code"] == "ACCESS_DENIED_ERROR"
    client, xsrf = logged_in_admin(server)

    def graphql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return server.graphql(query, variables, client=client, headers=xsrf)

    page = graphql(ALL_PRODUCTS, {"first": 5})["data"]["allProducts"]
    names = [edge["node"]["name"] for edge in page["edges"]]
    assert page["totalCount"] == 300  # 6 curated + 294 generated demo products
    assert page["pageInfo"]["hasNextPage"] is True
    assert len(names) == 5
    assert names == sorted(names)
    found = graphql(ALL_PRODUCTS, {"search": "pragmatic"})["data"]["allProducts"]
    assert [edge["node"] for edge in found["edges"]] == [
        {
            "id": found["edges"][0]["node"]["id"],
            "name": "The Pragmatic Programmer",
            "price": "42.00",
            "category": {"code": "BOOKS"},
        }
    ]


ADMIN = "admin@example.com"
ADMIN_PASSWORD = "e2e-Secret-2026"
LOGIN = """mutation($inputs: LoginInput!) {
  login(inputs: $inputs) { success xsrfToken accessTokenExpireIn }
}"""


def test_runserver_creates_then_reads_a_product(catalog_server: Server) -> None:
    server = catalog_server
    books = encode_global_id("ProductCategoryNode", "BOOKS")
    inputs = {"name": "  End-to-end testing  ", "price": "12.5", "categoryId": books}
    anonymous = server.graphql(CREATE_PRODUCT, {"inputs": inputs})
    assert anonymous["errors"][0]["extensions"]["code"] == "ACCESS_DENIED_ERROR"

    # Log in: the cookies travel with the client, the XSRF token in a header.
    client, xsrf = logged_in_admin(server)

    def graphql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return server.graphql(query, variables, client=client, headers=xsrf)

    before = graphql(ALL_PRODUCTS, {"first": 1})["data"]["allProducts"]["totalCount"]
    created = graphql(CREATE_PRODUCT, {"inputs": inputs})
    assert "errors" not in created, created
    product = created["data"]["createProduct"]
    assert product == {
        "id": product["id"],
        "name": "End-to-end testing",
        "price": "12.50",
        "category": {"code": "BOOKS"},
    }
    assert decode_global_id(product["id"])[0] == "ProductNode"

    # A separate request (and transaction) reads what the first one committed.
    assert graphql(PRODUCT, {"id": product["id"]}) == {"data": {"product": product}}
    total = graphql(ALL_PRODUCTS, {"first": 1})["data"]["allProducts"]["totalCount"]
    assert total == before + 1

    nope = encode_global_id("ProductCategoryNode", "NOPE")
    refused = graphql(CREATE_PRODUCT, {"inputs": {**inputs, "categoryId": nope}})
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert refused["errors"][0]["extensions"]["field"] == "categoryId"
    total = graphql(ALL_PRODUCTS, {"first": 1})["data"]["allProducts"]["totalCount"]
    assert total == before + 1


def test_ready_fails_while_health_passes_without_a_database(
    tmp_path: Path, servers: ServerFactory
) -> None:
    unreachable = f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"
    server = servers(
        ["runserver", "--port", str(free_port())], env={"LYS_DATABASE_URL": unreachable}
    )
    server.wait_until_up("/health")
    ready = httpx.get(server.url + "/ready")
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"


def test_runserver_refuses_a_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = manage("runserver", "--port", str(port))
    assert_one_error_line(result, f"port {port}", "already in use")
    assert "Serving on" not in result.stdout + result.stderr


def test_runserver_with_two_workers_serves(servers: ServerFactory) -> None:
    server = servers(["runserver", "--port", str(free_port()), "--workers", "2"])
    server.wait_until_up()
    # Both workers start (each logs its own pid) and every request gets an answer.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _worker_pids(server.output()) < 2:
        time.sleep(0.1)
    assert _worker_pids(server.output()) == 2, server.output()
    assert len(live_group_members(server.pgid)) >= 3  # the supervisor and two workers
    for _ in range(6):
        assert server.graphql("{ __typename }") == {"data": {"__typename": "Query"}}
    assert "2 workers" in server.output()


def _worker_pids(log: str) -> int:
    return len(
        {line.split("[")[-1] for line in log.splitlines() if "Started server process" in line}
    )


# -- --reload ------------------------------------------------------------------------
RELOAD_SETTINGS = '''\
"""A minimal project: one app, no models."""

INSTALLED_APPS = ["reloadproj.greeter"]
SECRET_KEY = "insecure-dev-only-reload-test"
'''
GREETER_SDL = """\
extend type Query {
  greeting: String!
}
"""
GREETER_RESOLVERS = """\
from ariadne import QueryType

query = QueryType()


@query.field("greeting")
def resolve_greeting(*_args):
    return "hello v1"
"""


def _write_reload_project(root: Path) -> Path:
    package = root / "reloadproj"
    app = package / "greeter"
    app.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text(RELOAD_SETTINGS)
    (app / "__init__.py").write_text("")
    (app / "schema.graphql").write_text(GREETER_SDL)
    (app / "resolvers.py").write_text(GREETER_RESOLVERS)
    return app


def _poll(server: Server, query: str, expected: dict[str, Any]) -> None:
    """Ask until the (restarting) server gives ``expected``; fail after the timeout."""
    deadline = time.monotonic() + RELOAD_TIMEOUT
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = server.graphql(query)
        except (httpx.TransportError, ValueError) as exc:
            last = exc
        if last == expected:
            return
        time.sleep(0.2)
    pytest.fail(f"no {expected} within {RELOAD_TIMEOUT} s; last answer {last!r}\n{server.output()}")


def test_runserver_reload_picks_up_python_and_sdl_changes(
    tmp_path: Path, servers: ServerFactory
) -> None:
    project = tmp_path / "project"
    app = _write_reload_project(project)
    server = servers(
        ["--settings", "reloadproj.settings", "runserver", "--reload", "--port", str(free_port())],
        env={"LYS_DATABASE_URL": f"sqlite:///{tmp_path / 'reload.sqlite3'}"},
        cwd=project,
        pythonpath=[project],
    )
    server.wait_until_up()
    assert server.graphql("{ greeting }") == {"data": {"greeting": "hello v1"}}

    resolvers = app / "resolvers.py"
    resolvers.write_text(resolvers.read_text().replace("hello v1", "hello v2"))
    _poll(server, "{ greeting }", {"data": {"greeting": "hello v2"}})

    (app / "schema.graphql").write_text(GREETER_SDL.replace("}", "  farewell: String\n}"))
    _poll(server, "{ greeting farewell }", {"data": {"greeting": "hello v2", "farewell": None}})


def test_runserver_refuses_reload_with_workers() -> None:
    result = manage("runserver", "--reload", "--workers", "2", "--port", str(free_port()))
    assert_one_error_line(result, "--reload and --workers")
