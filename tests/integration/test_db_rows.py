"""lys.db.rows and the read side: rows loaded with Core are the ORM's own instances.

``load_all``/``load_by_pk``/``load_with_column`` build instances of plain models from
Core rows. They must be what ``session.scalars()`` would give: persistent, in the
identity map, the same object for the same row, never overwriting what the session
holds, lazy loads and flushes working. Anything the ORM must load itself (options,
joins, several entities, load listeners, models that are not plain) goes through it.

Also the read engine: read-only operations run on autocommit connections (a pool of
their own on PostgreSQL), and ``UTCDateTime`` values come back as aware UTC datetimes.
Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    column_property,
    deferred,
    joinedload,
    mapped_column,
    selectinload,
)
from sqlmodel import Session

from lys import Application
from lys.db import rows
from lys.db.rows import RowReader, load_all, load_by_pk, load_with_column, reader_for
from lys.db.session import autocommit_engine, make_session
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    TK_LIBRARY,
    ClientFor,
    add_categories,
    add_products,
    call,
    gid,
)

NAMES = ("alpha", "bravo", "charlie", "delta")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG, TK_LIBRARY])
    add_categories(app, "BOOKS", "TOOLS")
    return app


@pytest.fixture
def ids(app: Application) -> list[Any]:
    return add_products(
        app,
        [
            {"name": name, "price": f"{i + 1}.50", "category": ("BOOKS", "TOOLS")[i % 2]}
            for i, name in enumerate(NAMES)
        ],
    )


@pytest.fixture
def session(app: Application) -> Iterator[Session]:
    session = make_session(app.engine)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def lean(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """The models whose rows were built by a ``RowReader`` (not by the ORM)."""
    built: list[type] = []
    original = RowReader.instances

    def instances(self: RowReader, session: Any, found: Any) -> list[Any]:
        built.append(self.model)
        return original(self, session, found)

    monkeypatch.setattr(RowReader, "instances", instances)
    return built


class Statements:
    """The statements an engine runs, with the DBAPI connection's mode at the time."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self.rows: list[Statement] = []
        read = app.read_engine
        self.engines = [app.engine] + ([read] if read.pool is not app.engine.pool else [])

    def __enter__(self) -> Statements:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._record)

    def _record(self, conn: Any, cursor: Any, statement: str, _params: Any, *_args: Any) -> None:
        read_pool = self.app.read_engine.pool
        self.rows.append(
            Statement(
                verb=statement.split(None, 1)[0].upper(),
                sql=statement,
                autocommit=in_autocommit(cursor.connection),
                on_read_pool=conn.engine.pool is read_pool,
                read_checked_out=read_pool.checkedout(),
            )
        )

    @property
    def verbs(self) -> list[str]:
        return [row.verb for row in self.rows]


@dataclass(frozen=True)
class Statement:
    verb: str
    sql: str
    autocommit: bool
    on_read_pool: bool
    read_checked_out: int


def in_autocommit(dbapi_connection: Any) -> bool:
    """Whether the driver sends statements alone (no BEGIN before, no COMMIT after)."""
    if hasattr(dbapi_connection, "isolation_level") and not hasattr(dbapi_connection, "pgconn"):
        return bool(dbapi_connection.isolation_level is None)  # sqlite3
    return bool(dbapi_connection.autocommit)  # psycopg


def column_values(obj: Any) -> dict[str, Any]:
    return {prop.key: getattr(obj, prop.key) for prop in sa.inspect(type(obj)).column_attrs}


def assert_persistent_in(session: Session, obj: Any) -> None:
    state = sa.inspect(obj)
    assert state.persistent, state
    assert state.session is session
    assert state.key is not None
    assert session.identity_map.get(state.key) is obj
    assert obj in session
    assert not session.is_modified(obj)
    assert obj not in session.new and obj not in session.dirty


# -- plain rows: persistent instances -------------------------------------------------------


def test_load_all_gives_persistent_instances_equal_to_the_orms(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    stmt = select(product).where(product.name != "delta").order_by(product.name)
    loaded = load_all(session, product, stmt)
    assert lean == [product]
    assert [p.name for p in loaded] == ["alpha", "bravo", "charlie"]
    for obj in loaded:
        assert type(obj) is product
        assert_persistent_in(session, obj)

    # What the ORM loads in a session of its own, value for value (types included).
    with make_session(app.engine) as other:
        expected = list(other.scalars(stmt))
        assert [column_values(p) for p in loaded] == [column_values(p) for p in expected]
        assert [p.model_dump() for p in loaded] == [p.model_dump() for p in expected]
        # pydantic's own slots as SQLModel.__new__ leaves them for the ORM's loading.
        for ours, orms in zip(loaded, expected, strict=True):
            assert ours.model_fields_set == orms.model_fields_set == set()
            assert ours.__pydantic_extra__ is orms.__pydantic_extra__ is None
            assert ours.__pydantic_private__ is orms.__pydantic_private__ is None
            assert ours.model_fields_set is not loaded[0].model_fields_set or ours is loaded[0]
    first = loaded[0]
    assert isinstance(first.price, Decimal) and first.price == Decimal("1.50")
    assert first.created_at.utcoffset() == timedelta(0)

    # The same row is the same object: a second lean load, the ORM, load_by_pk.
    again = load_all(session, product, stmt)
    assert all(a is b for a, b in zip(again, loaded, strict=True))
    assert list(session.scalars(stmt)) == loaded
    assert all(a is b for a, b in zip(session.scalars(stmt), loaded, strict=True))
    assert session.get(product, first.id) is first
    assert load_by_pk(session, product, first.id) is first

    session.close()
    assert sa.inspect(first).detached


def test_load_by_pk_loads_once_and_answers_none_for_a_missing_row(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    with Statements(app) as statements:
        obj = load_by_pk(session, product, ids[2])
        assert statements.verbs == ["SELECT"]
        assert load_by_pk(session, product, ids[2]) is obj  # the identity map: no query
        assert session.get(product, ids[2]) is obj
        assert statements.verbs == ["SELECT"]
    assert lean == [product]
    assert obj.name == "charlie"
    assert_persistent_in(session, obj)
    alpha = session.scalars(select(product).where(product.name == "alpha")).one()
    assert load_by_pk(session, product, ids[0]) is alpha
    missing = type(ids[0])("33333333-3333-4333-8333-333333333333")
    assert load_by_pk(session, product, missing) is None
    category = load_by_pk(session, app.model("product_category"), "TOOLS")
    assert category.description == "TOOLS desc"
    assert_persistent_in(session, category)


def test_an_object_the_session_holds_is_returned_as_it_is(
    app: Application, ids: list[Any], session: Session
) -> None:
    product = app.model("product")
    stmt = select(product).order_by(product.name)
    obj = session.get(product, ids[0])
    assert obj is not None
    with session.no_autoflush:
        obj.name = "changed in memory"
        obj.price = Decimal("9.99")
        loaded = load_all(session, product, stmt)
        assert loaded[0] is obj
        assert load_by_pk(session, product, ids[0]) is obj
        found, _ = load_with_column(session, product, stmt)
        assert found[0] is obj
    # Not overwritten by the row read: the pending change is still there, still pending.
    assert obj.name == "changed in memory" and obj.price == Decimal("9.99")
    assert session.is_modified(obj) and obj in session.dirty
    assert [p.name for p in loaded[1:]] == ["bravo", "charlie", "delta"]

    # With autoflush (the default), the change is written before the read, as the
    # ORM's own queries do, and the row read is that object.
    (renamed,) = load_all(session, product, select(product).where(product.name == obj.name))
    assert renamed is obj
    session.rollback()
    assert load_by_pk(session, product, ids[0]).name == "alpha"


def test_an_expired_object_is_kept_and_refreshes_on_access(
    app: Application, ids: list[Any], session: Session
) -> None:
    product = app.model("product")
    obj = load_by_pk(session, product, ids[1])
    with app.engine.begin() as connection:
        table = product.__table__
        connection.execute(table.update().where(table.c.id == ids[1]).values(name="renamed"))
    session.expire(obj)
    (again,) = load_all(session, product, select(product).where(product.id == ids[1]))
    assert again is obj
    assert obj.name == "renamed"
    assert_persistent_in(session, obj)


def test_relationships_of_lean_instances_lazy_load(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    category = app.model("product_category")
    obj = load_by_pk(session, product, ids[1])
    assert "category" not in obj.__dict__
    with Statements(app) as statements:
        assert obj.category.id == "TOOLS"
    assert statements.verbs == ["SELECT"]
    assert obj.category is session.get(category, "TOOLS")
    assert_persistent_in(session, obj.category)

    # One-to-many and many-to-one on models of another app.
    author_model, book_model, publisher_model = (
        app.model("tk_author"),
        app.model("tk_book"),
        app.model("tk_publisher"),
    )
    with app.session() as writing:
        author = author_model(name="Ursula")
        publisher = publisher_model(name="Ace")
        writing.add_all([author, publisher])
        writing.flush()
        writing.add_all(
            [
                book_model(title=title, author_id=author.id, publisher_id=publisher.id)
                for title in ("Earthsea", "Lathe")
            ]
        )
        author_id = author.id
    (loaded_author,) = load_all(session, author_model, select(author_model))
    assert sorted(book.title for book in loaded_author.books) == ["Earthsea", "Lathe"]
    book = load_all(session, book_model, select(book_model).order_by(book_model.title))[0]
    assert book in loaded_author.books
    assert book.author is loaded_author and book.publisher.name == "Ace"
    assert loaded_author.id == author_id
    assert author_model in lean and book_model in lean


def test_changes_to_lean_instances_flush_as_updates(
    app: Application, ids: list[Any], session: Session
) -> None:
    product = app.model("product")
    first, second = load_all(
        session, product, select(product).where(product.id.in_(ids[:2])).order_by(product.name)
    )
    first.price = Decimal("42.00")
    first.category_id = "TOOLS"
    session.delete(second)
    with Statements(app) as statements:
        session.commit()
    assert sorted(statements.verbs) == ["DELETE", "UPDATE"], statements.rows
    assert not sa.inspect(first).modified
    table = product.__table__
    with app.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.name, table.c.price, table.c.category_id, table.c.updated_at).where(
                table.c.id.in_(ids[:2])
            )
        ).all()
    assert len(rows) == 1
    name, price, category_id, updated_at = rows[0]
    assert (name, price, category_id) == ("alpha", Decimal("42.00"), "TOOLS")
    assert updated_at is not None  # the column's onupdate ran: a real ORM UPDATE


def test_load_with_column_gives_the_extra_value_of_each_row(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    stmt = select(product).where(product.category_id == "BOOKS").order_by(product.name)
    found, totals = load_with_column(session, product, stmt, func.count().over())
    assert lean == [product]
    assert [p.name for p in found] == ["alpha", "charlie"]
    assert totals == [2, 2]
    for obj in found:
        assert_persistent_in(session, obj)
    found_again, none = load_with_column(session, product, stmt)
    assert none == [] and all(a is b for a, b in zip(found_again, found, strict=True))
    # No model: the ORM loads, the objects are the same.
    orm_found, orm_totals = load_with_column(session, None, stmt, func.count().over())
    assert lean == [product, product]
    assert orm_totals == [2, 2] and all(a is b for a, b in zip(orm_found, found, strict=True))


# -- what the ORM loads itself -----------------------------------------------------------------


def _fallbacks(app: Application) -> dict[str, tuple[type, Any]]:
    product = app.model("product")
    category = app.model("product_category")
    author = app.model("tk_author")
    by_name = product.name
    return {
        "selectinload": (
            product,
            select(product).options(selectinload(product.category)).order_by(by_name),
        ),
        "joinedload": (
            product,
            select(product).options(joinedload(product.category)).order_by(by_name),
        ),
        "joinedload of a collection": (
            author,
            select(author).options(joinedload(author.books)).order_by(author.name),
        ),
        "join": (
            product,
            select(product)
            .join(product.category)
            .where(category.description == "BOOKS desc")
            .order_by(by_name),
        ),
        "several entities": (
            product,
            select(product, category)
            .join(product.category)
            .where(category.id == "TOOLS")
            .order_by(by_name),
        ),
    }


@pytest.mark.parametrize(
    "case", ["selectinload", "joinedload", "joinedload of a collection", "join", "several entities"]
)
def test_statements_the_columns_cannot_answer_go_through_the_orm(
    app: Application, ids: list[Any], session: Session, lean: list[type], case: str
) -> None:
    with app.session() as writing:
        author = app.model("tk_author")(name="Iain")
        publisher = app.model("tk_publisher")(name="Orbit")
        writing.add_all([author, publisher])
        writing.flush()
        for title in ("Excession", "Matter"):
            writing.add(
                app.model("tk_book")(title=title, author_id=author.id, publisher_id=publisher.id)
            )
    model, stmt = _fallbacks(app)[case]
    loaded = load_all(session, model, stmt)
    assert lean == []
    assert loaded
    with make_session(app.engine) as other:
        expected = list(other.scalars(stmt).unique())
        assert [column_values(o) for o in loaded] == [column_values(o) for o in expected]
    # The objects are the session's, the same the ORM gives again.
    assert all(a is b for a, b in zip(session.scalars(stmt).unique(), loaded, strict=True))
    for obj in loaded:
        assert_persistent_in(session, obj)
    if "load" in case:
        relation = "books" if model is app.model("tk_author") else "category"
        assert all(relation in obj.__dict__ for obj in loaded)  # eagerly loaded
    # load_with_column falls back the same way (it is given a select(model) only).
    if case != "several entities":
        found, totals = load_with_column(session, model, stmt, func.count().over())
        assert lean == []
        assert found and all(obj in loaded for obj in found)
        assert all(isinstance(total, int) for total in totals)


def test_a_model_with_a_load_listener_is_loaded_by_the_orm(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    seen: list[str] = []

    def on_load(target: Any, _context: Any) -> None:
        seen.append(target.name)

    event.listen(product, "load", on_load)
    try:
        loaded = load_all(session, product, select(product).order_by(product.name))
        assert seen == list(NAMES)
        with make_session(app.engine) as other:
            obj = load_by_pk(other, product, ids[3])
            assert obj.name == "delta" and seen[-1] == "delta"
        _, totals = load_with_column(session, product, select(product), func.count().over())
        assert totals == [4] * 4
    finally:
        event.remove(product, "load", on_load)
    assert lean == []
    for obj in loaded:
        assert_persistent_in(session, obj)
    # Without the listener, the lean path is back.
    with make_session(app.engine) as other:
        load_all(other, product, select(product))
    assert lean == [product]


def test_a_session_with_a_loaded_as_persistent_listener_is_loaded_by_the_orm(
    app: Application, ids: list[Any], session: Session, lean: list[type]
) -> None:
    product = app.model("product")
    seen: list[Any] = []
    event.listen(session, "loaded_as_persistent", lambda _s, obj: seen.append(obj))
    loaded = load_all(session, product, select(product).order_by(product.name))
    assert load_by_pk(session, product, ids[0]) is loaded[0]
    category = load_by_pk(session, app.model("product_category"), "BOOKS")
    assert lean == []
    assert seen[:4] == loaded and seen[4] is category


class _Base(DeclarativeBase):
    pass


class _WithDeferred(_Base):
    __tablename__ = "lean_rows_deferred"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    notes: Mapped[str] = deferred(mapped_column(sa.String(50)))


class _WithExpression(_Base):
    __tablename__ = "lean_rows_expression"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    shout: Mapped[str] = column_property(func.upper(name))


class _Animal(_Base):
    __tablename__ = "lean_rows_animal"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    kind: Mapped[str] = mapped_column(sa.String(10))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "animal"}


class _Dog(_Animal):
    __mapper_args__ = {"polymorphic_identity": "dog"}


@pytest.mark.parametrize("model", [_WithDeferred, _WithExpression, _Animal, _Dog])
def test_models_that_are_not_plain_are_loaded_by_the_orm(
    app: Application, lean: list[type], model: type
) -> None:
    _Base.metadata.create_all(app.engine)
    with make_session(app.engine) as writing:
        writing.add(_WithDeferred(id=1, name="d", notes="n"))
        writing.add(_WithExpression(id=1, name="e"))
        writing.add_all([_Animal(id=1, name="generic"), _Dog(id=2, name="rex")])
        writing.commit()
    with make_session(app.engine) as session:
        assert reader_for(model, session) is None
        loaded = load_all(session, model, select(model).order_by(model.id))  # type: ignore[attr-defined]
        assert loaded and all(isinstance(obj, model) for obj in loaded)
        assert load_by_pk(session, model, loaded[0].id) is loaded[0]  # type: ignore[attr-defined]
        if model is _WithDeferred:
            assert loaded[0].notes == "n"
        if model is _WithExpression:
            assert loaded[0].shout == "E"
        if model is _Animal:
            assert [type(obj) for obj in loaded] == [_Animal, _Dog]
    assert lean == []
    rows._READERS.pop(model, None)


class _Counted(_Base):
    """A plain mapped class with a ``__new__`` of its own: loading must call it."""

    __tablename__ = "lys_test_counted"
    created: ClassVar[list[int]] = []
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20))

    def __new__(cls, *args: Any, **kwargs: Any) -> _Counted:
        cls.created.append(1)
        return super().__new__(cls)


def test_a_class_with_its_own_new_is_created_by_it(app: Application, lean: list[type]) -> None:
    _Counted.__table__.create(app.engine)  # type: ignore[attr-defined]
    with make_session(app.engine) as writing:
        writing.add_all([_Counted(id=1, name="one"), _Counted(id=2, name="two")])
        writing.commit()
    _Counted.created.clear()
    with make_session(app.engine) as session:
        loaded = load_all(session, _Counted, select(_Counted).order_by(_Counted.id))
        assert lean == [_Counted]
        assert [obj.name for obj in loaded] == ["one", "two"]
        assert len(_Counted.created) == 2
    rows._READERS.pop(_Counted, None)


def test_attribute_reads_of_mapped_objects_match_the_orms(
    app: Application, ids: list[Any], session: Session
) -> None:
    from lys.graphql.resolvers import attribute_resolver

    product = app.model("product")
    (obj,) = load_all(session, product, select(product).where(product.name == "alpha"))
    name = attribute_resolver("name").lys_plain
    assert name(obj, None) == "alpha"
    # Changed in the database behind the session's back, then expired: the read loads.
    with make_session(app.engine) as other:
        other.get(product, obj.id).name = "changed"
        other.commit()
    assert name(obj, None) == "alpha"  # still the loaded value
    session.expire(obj, ["name"])
    assert "name" not in obj.__dict__
    assert name(obj, None) == "changed"
    # A property of a mapped class is read through the class, not from __dict__.
    category = session.get(app.model("product_category"), "BOOKS")
    assert attribute_resolver("code").lys_plain(category, None) == "BOOKS"
    assert attribute_resolver("missing").lys_plain(obj, None) is None


# -- the read engine and UTC datetimes -------------------------------------------------------


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


PRODUCT = "query($id: ID!) { product(id: $id) { id name createdAt category { code } } }"


def test_read_only_operations_run_on_autocommit_connections_of_the_read_pool(
    app: Application, ids: list[Any], client: TestClient[Any], count_queries: Any
) -> None:
    postgres = app.engine.dialect.name == "postgresql"
    # A pool of its own on server databases; SQLite shares the engine's.
    assert (app.read_engine.pool is not app.engine.pool) is postgres
    call(client, PRODUCT, {"id": gid("ProductNode", ids[0])})  # warm up
    counter = count_queries(app)
    with Statements(app) as statements:
        data = call(client, PRODUCT, {"id": gid("ProductNode", ids[0])})
        call(client, "{ allProductCategories { code } }")
        call(client, "{ allProducts(first: 2) { edges { node { name } } totalCount } }")
    assert data["product"]["name"] == "alpha"
    assert data["product"]["category"] == {"code": "BOOKS"}
    assert statements.verbs and set(statements.verbs) == {"SELECT"}, statements.rows
    assert all(row.autocommit for row in statements.rows), statements.rows
    assert all(row.on_read_pool for row in statements.rows), statements.rows
    assert all(row.read_checked_out >= 1 for row in statements.rows), statements.rows
    # count_queries sees them, whichever engine ran them.
    assert len(counter) == len(statements.rows)


def test_mutations_run_in_a_transaction_of_the_main_pool(
    app: Application, ids: list[Any], client: TestClient[Any]
) -> None:
    mutation = 'mutation($id: ID!) { updateProductPrice(id: $id, price: "3.00") { id price } }'
    with Statements(app) as statements:
        data = call(client, mutation, {"id": gid("ProductNode", ids[0])})
    assert data["updateProductPrice"]["price"] == "3.00"
    assert "UPDATE" in statements.verbs
    assert not any(row.autocommit for row in statements.rows), statements.rows
    if app.engine.dialect.name == "postgresql":
        assert not any(row.on_read_pool for row in statements.rows), statements.rows


AWARE = datetime(2024, 2, 29, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))


def assert_utc(value: datetime, expected: datetime) -> None:
    assert value == expected
    assert value.tzinfo is not None and value.utcoffset() == timedelta(0), value


def test_utc_datetimes_read_back_aware_in_utc(app: Application, client: TestClient[Any]) -> None:
    (pk,) = add_products(app, [{"name": "dated", "created_at": AWARE}])
    product = app.model("product")
    with make_session(app.engine) as session:
        assert_utc(load_by_pk(session, product, pk).created_at, AWARE)
    with make_session(app.engine) as session:
        assert_utc(session.get(product, pk).created_at, AWARE)
    with make_session(app.engine) as session:
        (loaded,) = load_all(session, product, select(product))
        assert_utc(loaded.created_at, AWARE)
    with app.read_engine.connect() as connection:
        value = connection.execute(select(product.created_at)).scalar_one()
        assert_utc(value, AWARE)
    data = call(client, PRODUCT, {"id": gid("ProductNode", pk)})
    assert datetime.fromisoformat(data["product"]["createdAt"]) == AWARE
    assert data["product"]["createdAt"].startswith("2024-03-01T04:30:15.123456")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_sessions_are_in_utc_whatever_the_url_says(
    make_app: AppFactory, database_url: str, client_for: ClientFor
) -> None:
    url = sa.engine.make_url(database_url).update_query_dict({"options": "-c timezone=Asia/Tokyo"})
    rendered = url.render_as_string(hide_password=False)
    # Without Lys's own setting, these connections would be in Tokyo time.
    plain = sa.create_engine(rendered)
    try:
        with plain.connect() as connection:
            assert connection.execute(sa.text("SHOW timezone")).scalar() == "Asia/Tokyo"
    finally:
        plain.dispose()
    app = make_app([CATALOG], database_url=rendered)
    for engine in (app.engine, app.read_engine):
        with engine.connect() as connection:
            assert connection.execute(sa.text("SHOW timezone")).scalar() == "UTC"
    add_categories(app, "BOOKS")
    (pk,) = add_products(app, [{"name": "dated", "created_at": AWARE}])
    product = app.model("product")
    with make_session(app.engine) as session:
        assert_utc(load_by_pk(session, product, pk).created_at, AWARE)
        now = session.execute(select(func.now())).scalar_one()
        assert now.utcoffset() == timedelta(0)
        assert abs(now - datetime.now(UTC)) < timedelta(minutes=5)
    data = call(client_for(app), PRODUCT, {"id": gid("ProductNode", pk)})
    assert data["product"]["createdAt"].startswith("2024-03-01T04:30:15.123456")


def test_lean_loads_in_a_read_only_session_match_the_orm(
    app: Application, ids: list[Any], lean: list[type]
) -> None:
    """Read-only operations load on autocommit connections (on psycopg, straight from
    the driver's cursor): the same values, types and instances as the ORM."""
    product = app.model("product")
    (dated,) = add_products(app, [{"name": "echo", "created_at": AWARE}])
    stmt = select(product).order_by(product.name)
    with make_session(app.engine) as other:
        expected = [column_values(p) for p in other.scalars(stmt)]
    with make_session(autocommit_engine(app.engine)) as session:
        loaded = load_all(session, product, stmt)
        assert [column_values(p) for p in loaded] == expected
        for obj in loaded:
            assert_persistent_in(session, obj)
            assert type(obj.id) is uuid.UUID and type(obj.price) is Decimal
            assert obj.created_at.utcoffset() == timedelta(0)
        assert_utc(loaded[-1].created_at, AWARE)
        assert load_by_pk(session, product, dated) is loaded[-1]
        found, totals = load_with_column(session, product, stmt, func.count().over())
        assert totals == [5] * 5 and all(a is b for a, b in zip(found, loaded, strict=True))
    with make_session(autocommit_engine(app.engine)) as session:
        obj = load_by_pk(session, product, dated)
        assert obj.name == "echo" and obj.category.id == "BOOKS"
        assert_utc(obj.created_at, AWARE)
        assert column_values(obj) == expected[-1]
    assert lean == [product] * 3
