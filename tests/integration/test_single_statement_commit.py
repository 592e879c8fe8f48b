"""lys.db.writes: a transaction whose only write is one new row runs as that INSERT alone.

Through the GraphQL API (``createProduct`` of the reference project) and with
``commit(session)`` directly: one statement on an autocommit connection (no BEGIN, no
COMMIT) when the new row is all there is; the usual transaction as soon as anything
else happened (a read, a second row, a change, listeners, values still to come from
the database or the ORM), every row written either way; a single INSERT that fails
writes nothing and answers an error. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
import sqlmodel
from litestar.testing import TestClient
from sqlalchemy import ForeignKey, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from lys import Application
from lys.db.session import make_session
from lys.db.writes import commit, needs_flush
from tests.conftest import AppFactory
from tests.integration.test_db_rows import Statements
from tests.testapps.tk_support import (
    CATALOG,
    ClientFor,
    add_categories,
    add_product,
    call,
    error_of,
    gid,
    post,
    product_table,
)

CREATE = """
mutation($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) { id name price clientId createdAt }
}
"""
BOOKS = gid("ProductCategoryNode", "BOOKS")
TOOLS = gid("ProductCategoryNode", "TOOLS")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG])
    add_categories(app, "BOOKS", "TOOLS")
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def inputs(name: str, category: str = BOOKS, **more: Any) -> dict[str, Any]:
    return {"inputs": {"name": name, "price": "12.50", "categoryId": category, **more}}


def warm_up(client: TestClient[Any]) -> None:
    """A first creation: the category cache is loaded (a read in its transaction)."""
    call(client, CREATE, inputs("warm-up", TOOLS))


def names(app: Application) -> list[str]:
    return [row["name"] for row in product_table(app)]


def in_one_transaction(statements: Statements) -> None:
    assert statements.rows, "no statement ran"
    assert not any(row.autocommit for row in statements.rows), statements.rows


# -- through the API ---------------------------------------------------------------------------


def test_a_creation_alone_is_one_insert_without_begin_or_commit(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    client_id = uuid.uuid4()
    # Cold cache: the categories are read first, outside the request's transaction (the
    # cache is the process's), which the INSERT then still has to itself.
    with Statements(app) as cold:
        call(client, CREATE, inputs("first", clientId=str(client_id)))
    assert cold.verbs == ["SELECT", "INSERT"], cold.rows
    assert all(row.autocommit for row in cold.rows), cold.rows

    counter = count_queries(app)
    with Statements(app) as statements:
        data = call(client, CREATE, inputs("  Dune  ", TOOLS, clientId=str(client_id)))
    assert len(counter) == 1, counter.statements
    assert statements.verbs == ["INSERT"], statements.rows
    (insert,) = statements.rows
    assert insert.autocommit, "the INSERT ran inside a transaction (BEGIN ... COMMIT)"

    created = data["createProduct"]
    row = next(row for row in product_table(app) if row["name"] == "Dune")
    assert created == {
        "id": gid("ProductNode", row["id"]),
        "name": "Dune",
        "price": "12.50",
        "clientId": str(client_id),
        "createdAt": created["createdAt"],
    }
    assert (row["price"], row["category_id"], row["client_id"]) == (
        Decimal("12.50"),
        "TOOLS",
        client_id,
    )
    assert row["updated_at"] is None
    assert datetime.fromisoformat(created["createdAt"]) == row["created_at"]
    # The row is there for the next request, read back through the API.
    product = "query($id: ID!) { product(id: $id) { name category { code } } }"
    assert call(client, product, {"id": created["id"]})["product"] == {
        "name": "Dune",
        "category": {"code": "TOOLS"},
    }
    assert sorted(names(app)) == ["Dune", "first"]


def test_a_creation_answering_a_relation_reads_in_the_transaction(
    app: Application, client: TestClient[Any]
) -> None:
    warm_up(client)
    query = (
        "mutation($inputs: CreateProductInput!) "
        "{ createProduct(inputs: $inputs) { name category { code } } }"
    )
    with Statements(app) as statements:
        data = call(client, query, inputs("with category"))
    assert data["createProduct"] == {"name": "with category", "category": {"code": "BOOKS"}}
    assert statements.verbs == ["INSERT", "SELECT"], statements.rows
    in_one_transaction(statements)
    assert "with category" in names(app)


def test_two_creations_commit_as_one_transaction(app: Application, client: TestClient[Any]) -> None:
    warm_up(client)
    query = """
    mutation($a: CreateProductInput!, $b: CreateProductInput!) {
      a: createProduct(inputs: $a) { name }
      b: createProduct(inputs: $b) { name }
    }
    """
    variables = {"a": inputs("one")["inputs"], "b": inputs("two", TOOLS)["inputs"]}
    with Statements(app) as statements:
        data = call(client, query, variables)
    assert data == {"a": {"name": "one"}, "b": {"name": "two"}}
    assert set(statements.verbs) == {"INSERT"}, statements.rows
    in_one_transaction(statements)
    assert sorted(names(app)) == ["one", "two", "warm-up"]


@pytest.mark.parametrize("update_first", [True, False])
def test_an_update_and_a_creation_commit_as_one_transaction(
    app: Application, client: TestClient[Any], update_first: bool
) -> None:
    warm_up(client)
    existing = add_product(app, "existing", price="1.00")
    update = 'updateProductPrice(id: $id, price: "7.25") { price }'
    create = "createProduct(inputs: $inputs) { name }"
    fields = [update, create] if update_first else [create, update]
    query = "mutation($id: ID!, $inputs: CreateProductInput!) { " + " ".join(fields) + " }"
    variables = {"id": gid("ProductNode", existing), **inputs("new one")}
    with Statements(app) as statements:
        data = call(client, query, variables)
    assert data["updateProductPrice"] == {"price": "7.25"}
    assert data["createProduct"] == {"name": "new one"}
    assert {"UPDATE", "INSERT"} <= set(statements.verbs), statements.rows
    in_one_transaction(statements)
    rows = {row["name"]: row for row in product_table(app)}
    assert rows["existing"]["price"] == Decimal("7.25")
    assert "new one" in rows


@pytest.fixture
def after_commit_listener() -> Iterator[list[Any]]:
    calls: list[Any] = []

    def listener(session: Any) -> None:
        calls.append(session)

    event.listen(sqlmodel.Session, "after_commit", listener)
    try:
        yield calls
    finally:
        event.remove(sqlmodel.Session, "after_commit", listener)


def test_a_session_listener_keeps_the_transaction(
    app: Application, client: TestClient[Any], after_commit_listener: list[Any]
) -> None:
    warm_up(client)
    after_commit_listener.clear()
    with Statements(app) as statements:
        call(client, CREATE, inputs("listened"))
    assert statements.verbs == ["INSERT"]
    in_one_transaction(statements)
    assert len(after_commit_listener) == 1
    assert "listened" in names(app)


def test_a_mapper_listener_keeps_the_transaction(app: Application, client: TestClient[Any]) -> None:
    warm_up(client)
    inserted: list[str] = []
    product = app.model("product")

    def after_insert(_mapper: Any, _connection: Any, target: Any) -> None:
        inserted.append(target.name)

    event.listen(product, "after_insert", after_insert)
    try:
        with Statements(app) as statements:
            call(client, CREATE, inputs("watched"))
    finally:
        event.remove(product, "after_insert", after_insert)
    assert inserted == ["watched"]
    assert statements.verbs == ["INSERT"]
    in_one_transaction(statements)
    assert "watched" in names(app)


def test_a_failing_single_insert_writes_nothing_and_answers_an_error(
    app: Application, client: TestClient[Any]
) -> None:
    warm_up(client)
    # Deleted behind the category cache's back: the check passes, the foreign key fails.
    table = app.model("product_category").__table__
    with app.engine.begin() as connection:
        connection.execute(table.delete().where(table.c.id == "BOOKS"))
    before = product_table(app)
    with Statements(app) as statements:
        response = post(client, CREATE, inputs("orphan"))
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "CONFLICT", body
    assert "Traceback" not in response.text
    # The lone INSERT was tried, on its own.
    assert statements.verbs == ["INSERT"]
    assert statements.rows[0].autocommit
    assert product_table(app) == before
    # The connection it ran on is healthy: the next creation works, alone again.
    with Statements(app) as statements:
        call(client, CREATE, inputs("fine", TOOLS))
    assert statements.verbs == ["INSERT"] and statements.rows[0].autocommit
    assert sorted(names(app)) == ["fine", "warm-up"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_value_postgresql_refuses_writes_nothing(
    app: Application, client: TestClient[Any]
) -> None:
    warm_up(client)
    with Statements(app) as statements:
        response = post(client, CREATE, inputs("nul\x00byte"))
    assert response.status_code == 200
    error_of(response.json(), "VALIDATION_ERROR")
    assert statements.verbs == ["INSERT"] and statements.rows[0].autocommit
    assert names(app) == ["warm-up"]


# -- commit() and needs_flush() directly ----------------------------------------------------------


class _Base(DeclarativeBase):
    pass


class _Parent(_Base):
    __tablename__ = "lone_parent"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(50))


class _Child(_Base):
    __tablename__ = "lone_child"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(sa.String(50))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("lone_parent.id"))
    parent: Mapped[_Parent | None] = relationship()


class _Counter(_Base):
    """An autoincrement key: only the database gives it."""

    __tablename__ = "lone_counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))


class _Defaults(_Base):
    __tablename__ = "lone_defaults"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str | None] = mapped_column(sa.String(10), server_default="new")
    level: Mapped[int | None] = mapped_column(default=5)


@pytest.fixture
def tables(app: Application) -> None:
    _Base.metadata.create_all(app.engine)


def stored(app: Application, model: type) -> list[tuple[Any, ...]]:
    table = model.__table__  # type: ignore[attr-defined]
    with app.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(table.c.id))]


def committed(app: Application, *objects: Any, setup: Any = None) -> Statements:
    """``commit()`` a session holding ``objects`` (added), after ``setup(session)``."""
    with make_session(app.engine) as session:
        if setup is not None:
            setup(session)
        session.add_all(objects)
        with Statements(app) as statements:
            commit(session)
    return statements


def test_commit_of_one_complete_row_is_one_insert(app: Application, tables: None) -> None:
    parent = _Parent(id=1, name="alone")
    assert not needs_flush(parent)
    statements = committed(app, parent)
    assert statements.verbs == ["INSERT"] and statements.rows[0].autocommit
    assert stored(app, _Parent) == [(1, "alone")]
    # The object is what a load would give, outside the (closed) session.
    state = sa.inspect(parent)
    assert state.detached and state.key is not None
    assert parent.name == "alone"
    with make_session(app.engine) as session:
        merged = session.merge(parent, load=False)
        assert merged.name == "alone"


def test_commit_of_nothing_runs_nothing(app: Application, tables: None) -> None:
    assert committed(app).rows == []


@pytest.mark.parametrize(
    "case",
    [
        "generated key",
        "server default missing",
        "server default given as None",
        "default given as None",
        "relationship set",
        "two rows",
        "a read before",
        "a change",
    ],
)
def test_commit_falls_back_to_the_transaction_and_writes_as_the_orm(
    app: Application, tables: None, case: str
) -> None:
    with make_session(app.engine) as session:
        session.add(_Parent(id=1, name="existing parent"))
        session.commit()
    setup = None
    if case == "generated key":
        objects: list[Any] = [_Counter(name="counted")]
    elif case == "server default missing":
        objects = [_Defaults(id=1, level=1)]
    elif case == "server default given as None":
        objects = [_Defaults(id=1, status=None, level=1)]
    elif case == "default given as None":
        objects = [_Defaults(id=1, status="set", level=None)]
    elif case == "relationship set":
        objects = [_Child(id=1, name="child", parent=_Parent(id=2, name="new parent"))]
    elif case == "two rows":
        objects = [_Parent(id=2, name="a"), _Parent(id=3, name="b")]
    elif case == "a read before":
        objects = [_Parent(id=2, name="after a read")]

        def setup(session: Any) -> None:
            session.execute(select(_Parent.id)).all()

    else:  # a change to a persistent row and a new one

        def setup(session: Any) -> None:
            session.get(_Parent, 1).name = "changed"

        objects = [_Parent(id=2, name="new")]
    waits_for_the_database = needs_flush(objects[0])
    statements = committed(app, *objects, setup=setup)
    in_one_transaction(statements)
    assert waits_for_the_database is case.startswith(("generated", "server", "default"))
    if case == "generated key":
        assert stored(app, _Counter) == [(objects[0].id, "counted")]
    elif case.startswith("server default"):
        assert stored(app, _Defaults) == [(1, "new", 1)]
    elif case == "default given as None":
        assert stored(app, _Defaults) == [(1, "set", 5)]
    elif case == "relationship set":
        assert stored(app, _Child) == [(1, "child", 2)]
        assert stored(app, _Parent) == [(1, "existing parent"), (2, "new parent")]
    elif case == "two rows":
        assert stored(app, _Parent) == [(1, "existing parent"), (2, "a"), (3, "b")]
    elif case == "a read before":
        assert stored(app, _Parent) == [(1, "existing parent"), (2, "after a read")]
    else:
        assert stored(app, _Parent) == [(1, "changed"), (2, "new")]


def test_a_complete_row_with_defaults_given_is_still_one_insert(
    app: Application, tables: None
) -> None:
    row = _Defaults(id=1, status="given", level=7)
    assert not needs_flush(row)
    statements = committed(app, row)
    assert statements.verbs == ["INSERT"] and statements.rows[0].autocommit
    assert stored(app, _Defaults) == [(1, "given", 7)]
    # A nullable column without any default may be None: the ORM writes NULL too.
    child = _Child(id=1, name=None)
    statements = committed(app, child)
    assert statements.verbs == ["INSERT"] and statements.rows[0].autocommit
    assert stored(app, _Child) == [(1, None, None)]


def test_needs_flush_of_the_catalog_models(app: Application) -> None:
    product = app.model("product")(
        name="p", price=Decimal("1.00"), category_id="BOOKS", client_id=None
    )
    # A random UUID key and the creation time are given in Python: nothing to wait for.
    assert not needs_flush(product)
    category = app.model("product_category")(id="NEW", description=None)
    assert not needs_flush(category)
    assert needs_flush(_Counter(name="x"))
    assert needs_flush(_Defaults(id=1, level=1))
    assert not needs_flush(_Parent(id=1, name="x"))
