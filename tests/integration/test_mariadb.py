"""MariaDB smoke test: a ``mysql://`` URL, the catalog's tables, services and GraphQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

import apps.settings as reference_settings
from lys import Application
from lys.db import normalize_url
from lys.fixtures import load_fixtures
from lys.graphql.global_ids import encode_global_id
from lys.migrations import migrate, pending_model_changes, show_migrations
from tests.conftest import REPO_ROOT, build_settings, gql, reset_database

pytestmark = pytest.mark.mariadb

MOMENT = datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=UTC)


@pytest.fixture
def plain_url(mariadb_url: str) -> str:
    """The worker's MariaDB database as a bare ``mysql://`` URL, as users write it."""
    reset_database(mariadb_url)
    scheme, _, rest = mariadb_url.partition("://")
    assert scheme == "mysql+pymysql"
    return f"mysql://{rest}"


@pytest.fixture
def build(plain_url: str) -> Iterator[Callable[..., Application]]:
    built: list[Application] = []

    def factory(
        installed_apps: list[str] | None = None, *, create_tables: bool = True
    ) -> Application:
        app = Application(
            build_settings(
                installed_apps=installed_apps or ["apps.catalog"], database_url=plain_url
            )
        )
        if create_tables:
            app.registry.metadata.create_all(app.engine)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.dispose()


def test_mysql_url_gets_the_pymysql_driver(build: Callable[..., Application]) -> None:
    assert normalize_url("mysql://u@h/db") == "mysql+pymysql://u@h/db"
    assert normalize_url("mariadb://u@h/db") == "mariadb+pymysql://u@h/db"
    assert normalize_url("mysql+mysqldb://u@h/db") == "mysql+mysqldb://u@h/db"
    app = build(create_tables=False)
    assert app.engine.url.drivername == "mysql+pymysql"
    with app.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT VERSION()")).scalar_one()
    assert "mariadb" in version.lower()


def test_catalog_crud_through_services(build: Callable[..., Application]) -> None:
    app = build()
    assert {"product", "product_category"} <= set(sa.inspect(app.engine).get_table_names())
    categories = app.service("product_category")
    products = app.service("product")
    with app.session() as session:
        categories.create(session, id="BOOKS", description="Books", created_at=MOMENT)
        dune = products.create(session, name="Dune", price=Decimal("9.99"), category_id="BOOKS")
        emma = products.create(session, name="Emma", price=Decimal("5.00"), category_id="BOOKS")
        ids = [emma.id, dune.id]

    with app.session() as session:
        books = categories.get(session, "BOOKS")
        assert books.code == "BOOKS"
        assert books.created_at == MOMENT
        assert books.created_at.microsecond == 123456
        emma, dune = products.get_many(session, ids)
        assert (emma.name, dune.name) == ("Emma", "Dune")
        assert dune.price == Decimal("9.99")
        assert dune.category.description == "Books"
        # Aware UTC, microseconds kept (DATETIME alone would round to the second).
        assert dune.created_at.tzinfo == UTC
        assert emma.created_at != dune.created_at
        assert dune.updated_at is None
        assert products.exists(session, dune.id)
        assert len(products.list(session)) == 2

    with app.session() as session:
        products.update(session, dune.id, price=Decimal("11.50"))
    with app.session() as session:
        dune = products.get(session, dune.id)
        assert dune.price == Decimal("11.50")
        assert dune.updated_at is not None and dune.updated_at.tzinfo == UTC
        assert products.delete(session, emma.id) is True
    with app.session() as session:
        assert products.get(session, emma.id) is None
        assert [p.name for p in products.list(session)] == ["Dune"]

    with pytest.raises(sa.exc.IntegrityError), app.session() as session:
        products.create(session, name="X", price=Decimal(1), category_id="NOPE")


def test_catalog_graphql(
    build: Callable[..., Application], client_for: Callable[[Application], TestClient[Any]]
) -> None:
    app = build()
    with app.session() as session:
        app.service("product_category").create(session, id="BOOKS")
        for name in ("100% wool", "Dune", "Emma", "snake_case"):
            app.service("product").create(
                session, name=name, price=Decimal("1.00"), category_id="BOOKS"
            )
    client = client_for(app)
    query = """
      query($search: String, $after: String) {
        allProducts(first: 2, search: $search, after: $after) {
          edges { node { name price category { code } createdAt } }
          pageInfo { hasNextPage endCursor }
          totalCount
        }
      }
    """
    first = gql(client, query)["data"]["allProducts"]
    assert [e["node"]["name"] for e in first["edges"]] == ["100% wool", "Dune"]
    assert first["totalCount"] == 4
    assert first["edges"][0]["node"]["createdAt"].endswith("+00:00")
    second = gql(client, query, {"after": first["pageInfo"]["endCursor"]})["data"]["allProducts"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Emma", "snake_case"]
    assert second["pageInfo"]["hasNextPage"] is False

    assert gql(client, query, {"search": "%"})["data"]["allProducts"]["totalCount"] == 1
    assert gql(client, query, {"search": "E_C"})["data"]["allProducts"]["totalCount"] == 1

    books = encode_global_id("ProductCategoryNode", "BOOKS")
    created = gql(
        client,
        "mutation($books: ID!) {"
        ' createProduct(inputs: {name: "Ivanhoe", price: "3.5", categoryId: $books})'
        " { id price category { id } } }",
        {"books": books},
    )
    assert "errors" not in created, created
    product = created["data"]["createProduct"]
    assert (product["price"], product["category"]["id"]) == ("3.50", books)
    fetched = gql(client, "query($id: ID!) { product(id: $id) { name } }", {"id": product["id"]})
    assert fetched == {"data": {"product": {"name": "Ivanhoe"}}}

    # The category's foreign key refuses an unknown one, and nothing is written.
    nope = encode_global_id("ProductCategoryNode", "NOPE")
    refused = gql(
        client,
        "mutation($nope: ID!) {"
        ' createProduct(inputs: {name: "Lost", price: "1", categoryId: $nope}) { id } }',
        {"nope": nope},
    )
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert refused["errors"][0]["extensions"]["field"] == "categoryId"

    # Ordering by a decimal, backwards, pages by keyset on MariaDB too.
    by_price = """
      query($after: String) {
        allProducts(first: 2, after: $after, orderBy: {field: PRICE, direction: DESC}) {
          edges { node { name price } }
          pageInfo { hasNextPage endCursor }
        }
      }
    """
    seen = []
    after = None
    while True:
        connection = gql(client, by_price, {"after": after})["data"]["allProducts"]
        seen += [(e["node"]["price"], e["node"]["name"]) for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen[0] == ("3.50", "Ivanhoe")
    assert sorted(name for _, name in seen) == [
        "100% wool",
        "Dune",
        "Emma",
        "Ivanhoe",
        "snake_case",
    ]
    assert [Decimal(price) for price, _ in seen] == sorted(
        (Decimal(price) for price, _ in seen), reverse=True
    )


def test_shipped_migrations_up_and_down(build: Callable[..., Application]) -> None:
    app = build(list(reference_settings.INSTALLED_APPS), create_tables=False)
    versions = REPO_ROOT / "apps" / "migrations"
    assert migrate(app, versions) == "upgraded"
    assert pending_model_changes(app) == []
    assert all(state.applied for state in show_migrations(app, versions))
    assert migrate(app, versions, "zero") == "downgraded"
    assert set(sa.inspect(app.engine).get_table_names()) == {"alembic_version"}


def test_fixtures_load_idempotently(build: Callable[..., Application]) -> None:
    app = build(["tests.testapps.fx_inventory"])
    first = load_fixtures(app)
    assert sum(r.added for r in first) == 6
    second = load_fixtures(app)
    assert sum(r.added + r.updated + r.disabled for r in second) == 0
