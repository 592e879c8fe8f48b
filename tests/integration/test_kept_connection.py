"""lys.db.kept and the read session: one autocommit connection lent from request to request.

``KeptConnection`` must behave like the pool it stands in for: the same connection
lent again while it is sound, a fresh checkout for a nested borrower, anything broken
or too old handed back to the pool, an idle one pinged first, nothing left in a
transaction between borrowers. ``ReadSession`` hands that connection to the fast row
paths and gives it back on close. Through HTTP, inline requests share it, ``threads``
never touch it, and ``dispose()`` returns it before the engines go. Every test runs on
SQLite and PostgreSQL unless it says otherwise.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, Engine, event, select, text
from sqlalchemy.pool import QueuePool

import lys.db.engine as engine_module
import lys.db.kept as kept_module
from lys import Application
from lys.db.kept import KeptConnection, borrow, give_back, idle_limits
from lys.db.session import ReadSession, autocommit_engine, make_read_session
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    ClientFor,
    add_categories,
    add_products,
    call,
    gid,
    post,
    product_table,
)

PRODUCT = "query($id: ID!) { product(id: $id) { id name price category { code } } }"
ALL_PRODUCTS = "{ allProducts(first: 10) { edges { node { name } } totalCount } }"
CREATE = """
mutation($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) { id name price }
}
"""
NAMES = ("alpha", "bravo", "charlie")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG])
    add_categories(app, "BOOKS", "TOOLS")
    return app


@pytest.fixture
def ids(app: Application) -> list[Any]:
    return add_products(
        app, [{"name": name, "price": f"{i + 1}.25"} for i, name in enumerate(NAMES)]
    )


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def checked_out(engine: Engine) -> int:
    """Connections of ``engine``'s pool in use (SQLite files and PostgreSQL: QueuePool)."""
    pool = engine.pool
    assert isinstance(pool, QueuePool), pool
    return pool.checkedout()


def dbapi(connection: Connection) -> Any:
    """The driver's connection under ``connection`` (psycopg or sqlite3)."""
    return connection.connection.dbapi_connection


def backend_pid(connection: Connection) -> int:
    return int(dbapi(connection).info.backend_pid)


def held(kept: KeptConnection) -> Connection | None:
    """What ``kept`` holds between borrowers (private, but the point of these tests)."""
    return kept._connection


@pytest.fixture
def make_kept(app: Application) -> Iterator[Callable[..., KeptConnection]]:
    """``make_kept(idle_seconds=0, recycle_seconds=0)`` on the read engine, closed after."""
    made: list[KeptConnection] = []

    def factory(*, idle_seconds: float = 0.0, recycle_seconds: float = 0.0) -> KeptConnection:
        kept = KeptConnection(
            app.read_engine, idle_seconds=idle_seconds, recycle_seconds=recycle_seconds
        )
        made.append(kept)
        return kept

    yield factory
    for kept in made:
        kept.close()


@dataclass
class Clock:
    """A ``time`` stand-in for lys.db.kept alone: the pool's own clock keeps running."""

    now: float = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # The module's ``time`` is replaced rather than ``time.monotonic`` itself, which the
    # engines' idle-ping listeners and the event loop also read.
    fake = Clock()
    monkeypatch.setattr(kept_module, "time", fake)
    return fake


# -- KeptConnection ------------------------------------------------------------------------


def test_the_same_connection_is_lent_again_and_stays_checked_out(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    engine = app.read_engine
    kept = make_kept()
    assert checked_out(engine) == 0
    first = kept.borrow()
    assert checked_out(engine) == 1
    kept.give_back(first)
    # Between borrowers it stays out of the pool: no check-in, no checkout next time.
    assert not first.closed and held(kept) is first
    assert checked_out(engine) == 1
    for _ in range(3):
        again = kept.borrow()
        assert again is first
        assert again.execute(text("SELECT 1")).scalar_one() == 1
        kept.give_back(again)
        assert checked_out(engine) == 1


def test_a_nested_borrower_gets_its_own_connection_closed_on_give_back(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    engine = app.read_engine
    kept = make_kept()
    outer = kept.borrow()
    inner = kept.borrow()
    assert inner is not outer
    assert checked_out(engine) == 2
    assert inner.execute(text("SELECT 2")).scalar_one() == 2
    kept.give_back(inner)
    assert inner.closed
    assert checked_out(engine) == 1
    # The outer borrowing was left alone and ends as usual.
    assert not outer.closed
    kept.give_back(outer)
    assert kept.borrow() is outer
    kept.give_back(outer)
    assert checked_out(engine) == 1


def test_a_nested_borrower_given_back_after_the_outer_one_is_closed_too(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    """The order of the give-backs does not matter: only the kept one is kept."""
    engine = app.read_engine
    kept = make_kept()
    outer = kept.borrow()
    inner = kept.borrow()
    kept.give_back(outer)
    kept.give_back(inner)
    assert inner.closed and not outer.closed
    assert held(kept) is outer
    assert checked_out(engine) == 1
    assert kept.borrow() is outer
    kept.give_back(outer)


@pytest.mark.parametrize("breakage", ["invalidated", "closed"])
def test_a_broken_connection_is_not_lent_again(
    app: Application, make_kept: Callable[..., KeptConnection], breakage: str
) -> None:
    engine = app.read_engine
    kept = make_kept()
    broken = kept.borrow()
    if breakage == "invalidated":
        broken.invalidate()
    else:
        broken.close()
    kept.give_back(broken)
    assert held(kept) is None
    assert broken.closed
    assert checked_out(engine) == 0
    fresh = kept.borrow()
    assert fresh is not broken
    assert fresh.execute(text("SELECT 1")).scalar_one() == 1
    kept.give_back(fresh)
    assert held(kept) is fresh
    assert checked_out(engine) == 1


def test_a_connection_invalidated_while_kept_is_replaced_at_the_next_borrow(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    """Broken between two borrowers (the borrower could not tell): dropped on borrow."""
    engine = app.read_engine
    kept = make_kept()
    first = kept.borrow()
    kept.give_back(first)
    first.invalidate()
    second = kept.borrow()
    assert second is not first
    assert first.closed
    assert checked_out(engine) == 1
    assert second.execute(text("SELECT 1")).scalar_one() == 1
    kept.give_back(second)


def test_an_idle_connection_is_pinged_before_the_next_borrow(
    app: Application,
    make_kept: Callable[..., KeptConnection],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = app.read_engine
    kept = make_kept(idle_seconds=10.0)
    pings: list[Any] = []
    real_ping = engine.dialect.do_ping

    def ping(driver_connection: Any) -> bool:
        pings.append(driver_connection)
        return real_ping(driver_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    first = kept.borrow()
    clock.now += 60.0  # a long borrowing does not count as idleness
    kept.give_back(first)
    clock.now += 10.0  # not longer than the limit: lent without a ping
    assert kept.borrow() is first
    kept.give_back(first)
    assert pings == []
    clock.now += 10.5  # idle too long: pinged, and kept since it answers
    assert kept.borrow() is first
    assert len(pings) == 1
    kept.give_back(first)
    assert checked_out(engine) == 1


def test_an_idle_connection_that_does_not_answer_is_replaced(
    app: Application,
    make_kept: Callable[..., KeptConnection],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = app.read_engine
    kept = make_kept(idle_seconds=10.0)
    first = kept.borrow()
    kept.give_back(first)

    def dead(_driver_connection: Any) -> bool:
        raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection")

    monkeypatch.setattr(engine.dialect, "do_ping", dead)
    clock.now += 10.5
    second = kept.borrow()
    assert second is not first
    assert first.closed
    assert checked_out(engine) == 1
    monkeypatch.undo()
    assert second.execute(text("SELECT 1")).scalar_one() == 1
    kept.give_back(second)
    assert kept.borrow() is second
    kept.give_back(second)


def test_a_connection_kept_too_long_is_recycled_however_busy(
    app: Application, make_kept: Callable[..., KeptConnection], clock: Clock
) -> None:
    engine = app.read_engine
    kept = make_kept(idle_seconds=10.0, recycle_seconds=30.0)
    first = kept.borrow()
    kept.give_back(first)
    for _ in range(5):  # used every 6 seconds: never idle, 30 seconds old at the end
        clock.now += 6.0
        assert kept.borrow() is first
        kept.give_back(first)
    clock.now += 1.0
    second = kept.borrow()
    assert second is not first
    assert first.closed
    assert checked_out(engine) == 1
    kept.give_back(second)
    # The new one's age counts from its own checkout: busy for 29 more seconds, kept.
    for step in (6.0, 6.0, 6.0, 6.0, 5.0):
        clock.now += step
        assert kept.borrow() is second
        kept.give_back(second)


def test_no_idle_limit_means_never_released_for_idleness(
    app: Application, make_kept: Callable[..., KeptConnection], clock: Clock
) -> None:
    kept = make_kept(idle_seconds=0.0, recycle_seconds=0.0)
    first = kept.borrow()
    kept.give_back(first)
    clock.now += 7 * 24 * 3600.0
    assert kept.borrow() is first
    kept.give_back(first)
    assert checked_out(app.read_engine) == 1


def test_idle_limits_follow_the_pool_settings(make_app: AppFactory) -> None:
    """The kept connection obeys the limits the pool would apply to a checkout."""
    app = make_app(
        [CATALOG],
        create_tables=False,
        database_pool_ping_idle=4.5,
        database_pool_recycle=120,
    )
    assert idle_limits(app.settings) == {"idle_seconds": 4.5, "recycle_seconds": 120.0}
    kept = app.kept_connection
    assert (kept.idle_seconds, kept.recycle_seconds) == (4.5, 120.0)
    assert kept.engine is app.read_engine
    assert app.kept_connection is kept
    no_ping = make_app([CATALOG], create_tables=False, database_pool_pre_ping=False)
    assert idle_limits(no_ping.settings)["idle_seconds"] == 0.0


def test_autobegin_bookkeeping_is_ended_on_give_back(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    kept = make_kept()
    connection = kept.borrow()
    assert connection.execute(text("SELECT 1")).scalar_one() == 1
    assert connection.in_transaction()  # SQLAlchemy autobegins even in autocommit
    kept.give_back(connection)
    assert not connection.in_transaction()
    assert held(kept) is connection
    driver = dbapi(connection)
    if app.engine.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus

        assert driver.autocommit
        assert driver.info.transaction_status == TransactionStatus.IDLE
    else:
        assert driver.isolation_level is None  # sqlite3 autocommit
        assert not driver.in_transaction
    again = kept.borrow()
    assert again is connection
    assert again.execute(text("SELECT 3")).scalar_one() == 3
    kept.give_back(again)


def test_close_returns_the_connection_to_the_pool_and_borrowing_goes_on(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    engine = app.read_engine
    kept = make_kept()
    first = kept.borrow()
    kept.give_back(first)
    assert checked_out(engine) == 1
    kept.close()
    assert first.closed
    assert held(kept) is None
    assert checked_out(engine) == 0
    kept.close()  # twice is harmless
    second = kept.borrow()
    assert second is not first
    assert second.execute(text("SELECT 1")).scalar_one() == 1
    kept.give_back(second)
    assert checked_out(engine) == 1


def test_close_while_lent_leaves_the_borrower_a_clean_end(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    """A close during a borrowing (a shutdown) then the borrower's give-back: no error,
    nothing kept, nothing left checked out."""
    engine = app.read_engine
    kept = make_kept()
    lent = kept.borrow()
    kept.close()
    kept.give_back(lent)
    assert lent.closed
    assert held(kept) is None
    assert checked_out(engine) == 0


def test_borrow_for_another_engine_leaves_the_kept_connection_alone(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    read = app.read_engine
    kept = make_kept()
    mine = borrow(kept, read)  # the kept one
    give_back(kept, mine)
    assert held(kept) is mine
    # The write engine (on SQLite: the same pool, another engine) checks out its own.
    other = borrow(kept, app.engine)
    assert other is not mine
    assert other.engine is app.engine
    assert other.execute(text("SELECT 1")).scalar_one() == 1
    give_back(kept, other)
    assert other.closed
    assert held(kept) is mine and not mine.closed
    assert borrow(kept, read) is mine
    give_back(kept, mine)
    # No kept connection at all: plain checkouts.
    plain = borrow(None, read)
    assert plain is not mine
    give_back(None, plain)
    assert plain.closed
    assert checked_out(read) == 1


# -- ReadSession ---------------------------------------------------------------------------


def test_a_read_session_runs_on_the_read_engine(app: Application) -> None:
    assert autocommit_engine(app.engine) is app.read_engine
    session = make_read_session(app.engine)
    try:
        assert isinstance(session, ReadSession)
        assert session.get_bind() is app.read_engine
    finally:
        session.close()


def test_a_read_session_hands_out_the_kept_connection_and_gives_it_back(
    app: Application, ids: list[Any], make_kept: Callable[..., KeptConnection]
) -> None:
    read = app.read_engine
    kept = make_kept()
    product = app.model("product")
    session = make_read_session(app.engine, kept)
    connection = session.connection()
    assert session.connection() is connection
    assert held(kept) is connection
    assert checked_out(read) == 1
    # ORM queries keep SQLAlchemy's own path, and work.
    names = list(session.scalars(select(product.name).order_by(product.name)))
    assert names == list(NAMES)
    loaded = session.get(product, ids[1])
    assert loaded is not None and loaded.name == "bravo"
    assert loaded.price == Decimal("2.25")
    assert session.connection() is connection
    session.close()
    # Given back, not closed: kept for the next borrower, nothing else checked out.
    assert not connection.closed
    assert checked_out(read) == 1
    again = make_read_session(app.engine, kept)
    try:
        assert again.connection() is connection
    finally:
        again.close()
    assert kept.borrow() is connection
    kept.give_back(connection)


def test_a_read_session_without_a_kept_connection_returns_it_to_the_pool(
    app: Application, ids: list[Any]
) -> None:
    read = app.read_engine
    session = make_read_session(app.engine)
    connection = session.connection()
    assert session.connection() is connection
    assert connection.engine is read
    assert checked_out(read) == 1
    session.close()
    assert connection.closed
    assert checked_out(read) == 0


def test_a_read_session_replaces_a_connection_that_broke(
    app: Application, make_kept: Callable[..., KeptConnection]
) -> None:
    kept = make_kept()
    session = make_read_session(app.engine, kept)
    try:
        broken = session.connection()
        broken.invalidate()
        fresh = session.connection()
        assert fresh is not broken
        assert broken.closed
        assert fresh.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        session.close()
    assert held(kept) is fresh
    assert checked_out(app.read_engine) == 1


def test_a_read_session_with_execution_options_takes_sqlalchemys_path(
    app: Application, ids: list[Any], make_kept: Callable[..., KeptConnection]
) -> None:
    read = app.read_engine
    kept = make_kept()
    session = make_read_session(app.engine, kept)
    plain = session.connection()
    options = session.connection(execution_options={"stream_results": False})
    # The session's own transaction and checkout, not the kept connection.
    assert options is not plain
    assert session.in_transaction()
    assert options.execute(text("SELECT 1")).scalar_one() == 1
    assert checked_out(read) == 2
    session.close()
    assert options.closed
    assert not plain.closed and held(kept) is plain
    assert checked_out(read) == 1


# -- through HTTP --------------------------------------------------------------------------


@contextmanager
def connections_used(app: Application) -> Iterator[list[Connection]]:
    """The Connection objects statements ran on, in order."""
    used: list[Connection] = []

    def record(conn: Connection, *_args: Any) -> None:
        used.append(conn)

    engines = [app.engine]
    if app.read_engine.pool is not app.engine.pool:
        engines.append(app.read_engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield used
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_inline_queries_share_one_kept_connection(
    app: Application, ids: list[Any], client: TestClient[Any]
) -> None:
    read = app.read_engine
    with connections_used(app) as used:
        first = call(client, PRODUCT, {"id": gid("ProductNode", ids[0])})
        kept = app._kept_connection
        assert kept is not None
        connection = held(kept)
        assert connection is not None
        assert checked_out(read) == 1
        for _ in range(3):
            listed = call(client, ALL_PRODUCTS)
            again = call(client, PRODUCT, {"id": gid("ProductNode", ids[2])})
            assert app._kept_connection is kept and held(kept) is connection
            assert not kept._lent
            assert checked_out(read) == 1
    assert first["product"] == {
        "id": gid("ProductNode", ids[0]),
        "name": "alpha",
        "price": "1.25",
        "category": {"code": "BOOKS"},
    }
    assert [edge["node"]["name"] for edge in listed["allProducts"]["edges"]] == list(NAMES)
    assert listed["allProducts"]["totalCount"] == len(NAMES)
    assert again["product"]["name"] == "charlie"
    assert used, "no statement ran"
    # Every read (a product, a page and its count) ran on the kept connection.
    assert all(used_one is connection for used_one in used), used
    assert not connection.in_transaction()


def test_a_lone_insert_runs_on_the_kept_connection(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    call(client, CREATE, {"inputs": {"name": "warm-up", "price": "1.00", "categoryId": TOOLS}})
    kept = app._kept_connection
    assert kept is not None
    connection = held(kept)
    assert connection is not None
    counter = count_queries(app)
    with connections_used(app) as used:
        data = call(
            client, CREATE, {"inputs": {"name": "Dune", "price": "12.50", "categoryId": BOOKS}}
        )
    assert len(counter) == 1, counter.statements
    assert counter.statements[0].split(None, 1)[0].upper() == "INSERT"
    assert used == [connection]
    assert held(kept) is connection and not kept._lent
    assert not connection.in_transaction()
    assert checked_out(app.read_engine) == 1
    row = next(row for row in product_table(app) if row["name"] == "Dune")
    assert data["createProduct"] == {
        "id": gid("ProductNode", row["id"]),
        "name": "Dune",
        "price": "12.50",
    }
    assert (row["price"], row["category_id"]) == (Decimal("12.50"), "BOOKS")
    # Read back through the API on the same connection.
    product = call(client, PRODUCT, {"id": data["createProduct"]["id"]})["product"]
    assert product["name"] == "Dune"
    assert held(kept) is connection


BOOKS = gid("ProductCategoryNode", "BOOKS")
TOOLS = gid("ProductCategoryNode", "TOOLS")


def test_threads_never_use_a_kept_connection(
    make_app: AppFactory, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app([CATALOG], http_execution="threads")
    add_categories(app, "BOOKS", "TOOLS")
    ids = add_products(app, [{"name": name} for name in NAMES])
    borrowed: list[KeptConnection] = []
    original = KeptConnection.borrow

    def spy(self: KeptConnection) -> Connection:
        borrowed.append(self)
        return original(self)

    monkeypatch.setattr(KeptConnection, "borrow", spy)
    client = client_for(app)
    for pk, name in zip(ids, NAMES, strict=True):
        assert call(client, PRODUCT, {"id": gid("ProductNode", pk)})["product"]["name"] == name
        listed = call(client, ALL_PRODUCTS)["allProducts"]
        assert listed["totalCount"] == len(NAMES)
        # Every connection went back to the pool at the end of its request.
        assert checked_out(app.read_engine) == 0
    created = call(
        client, CREATE, {"inputs": {"name": "new", "price": "2.00", "categoryId": BOOKS}}
    )
    assert created["createProduct"]["name"] == "new"
    assert "new" in [row["name"] for row in product_table(app)]
    assert app._kept_connection is None
    assert borrowed == []
    assert checked_out(app.read_engine) == 0


def test_dispose_returns_the_kept_connection_before_the_engines_go(
    app: Application, ids: list[Any], client: TestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    call(client, PRODUCT, {"id": gid("ProductNode", ids[0])})
    kept = app._kept_connection
    assert kept is not None
    connection = held(kept)
    assert connection is not None
    read = app.read_engine
    pool = read.pool
    assert isinstance(pool, QueuePool)
    assert checked_out(read) == 1
    seen: list[tuple[str, int]] = []
    engines = {"read": read, "write": app.engine}
    for name, engine in engines.items():
        dispose = engine.dispose

        def spy(*args: Any, _name: str = name, _dispose: Any = dispose, **kw: Any) -> None:
            seen.append((_name, pool.checkedout()))
            _dispose(*args, **kw)

        monkeypatch.setattr(engine, "dispose", spy)
    app.dispose()
    assert connection.closed
    assert app._kept_connection is None
    assert seen and all(count == 0 for _, count in seen), seen
    assert [name for name, _ in seen][-1] == "write"
    # Nothing left for the garbage collector to check in behind the disposed pools.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del kept, connection
        gc.collect()
    garbage = [w for w in caught if "garbage collector" in str(w.message)]
    assert garbage == [], [str(w.message) for w in garbage]


def terminate(app: Application, connection: Connection) -> int:
    """Kill ``connection``'s PostgreSQL backend from another connection; its pid."""
    pid = backend_pid(connection)
    with app.engine.connect() as admin:
        killed = admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert killed.scalar() is True
        admin.commit()
    return pid


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_kept_connection_killed_server_side_is_replaced(
    app: Application, ids: list[Any], client: TestClient[Any]
) -> None:
    """The first request after the kill finds the connection dead: the kept connection
    cannot tell before using it (it was used a moment ago, so neither it nor the pool
    pings it). What that request answers is asserted below; the next one runs on a
    fresh connection either way."""
    variables = {"id": gid("ProductNode", ids[0])}
    call(client, PRODUCT, variables)
    kept = app._kept_connection
    assert kept is not None
    dead = held(kept)
    assert dead is not None
    pid = terminate(app, dead)

    response = post(client, PRODUCT, variables)
    assert "Traceback" not in response.text
    assert response.status_code == 200
    body = response.json()
    # What happens: the read fails once, with the clean error of a lost database
    # connection (SERVICE_UNAVAILABLE rather than INTERNAL_ERROR: the driver's error is
    # recognised as a disconnect), and the connection is invalidated and dropped.
    assert body.get("data") is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", body
    assert "debug" not in error["extensions"]
    assert dead.invalidated or dead.closed
    assert held(kept) is not dead

    data = call(client, PRODUCT, variables)
    assert data["product"]["name"] == "alpha"
    fresh = held(kept)
    assert fresh is not None and fresh is not dead
    assert backend_pid(fresh) != pid
    assert checked_out(app.read_engine) == 1
    assert call(client, ALL_PRODUCTS)["allProducts"]["totalCount"] == len(NAMES)
    assert held(kept) is fresh


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lone_insert_on_a_killed_kept_connection_writes_nothing_then_recovers(
    app: Application, ids: list[Any], client: TestClient[Any]
) -> None:
    """The INSERT of a one-row mutation borrows the kept connection too: killed
    server-side, that mutation fails cleanly (nothing written), the next one works."""
    call(client, PRODUCT, {"id": gid("ProductNode", ids[0])})
    kept = app._kept_connection
    assert kept is not None
    dead = held(kept)
    assert dead is not None
    pid = terminate(app, dead)
    lost = {"inputs": {"name": "lost", "price": "1.00", "categoryId": BOOKS}}
    response = post(client, CREATE, lost)
    assert "Traceback" not in response.text
    body = response.json()
    assert body["data"] is None, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", body
    assert "lost" not in [row["name"] for row in product_table(app)]
    assert held(kept) is not dead

    kept_one = {"inputs": {"name": "kept", "price": "1.00", "categoryId": BOOKS}}
    assert call(client, CREATE, kept_one)["createProduct"]["name"] == "kept"
    assert "kept" in [row["name"] for row in product_table(app)]
    fresh = held(kept)
    assert fresh is not None
    assert backend_pid(fresh) != pid


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    "mode",
    [
        "inline",
        "threads",
    ],
)
def test_a_connection_that_died_while_idle_is_replaced_before_use(
    make_app: AppFactory,
    client_for: ClientFor,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """The promise of DATABASE_POOL_PING_IDLE: a connection idle longer than that is
    checked before a request uses it, so a server that dropped it (a restart, an idle
    timeout, a firewall) costs no failed request. ``threads`` (the pool alone) keeps
    it; ``inline`` (the kept connection) should too."""
    clock = Clock()
    # One clock for the kept connection and the engines' idle-ping listeners.
    monkeypatch.setattr(kept_module, "time", clock)
    monkeypatch.setattr(engine_module, "time", clock)
    app = make_app([CATALOG], http_execution=mode, database_pool_ping_idle=10.0)
    add_categories(app, "BOOKS")
    add_products(app, [{"name": "alpha"}])
    client = client_for(app)
    assert call(client, ALL_PRODUCTS)["allProducts"]["totalCount"] == 1
    if mode == "inline":
        kept = app._kept_connection
        assert kept is not None
        idle = held(kept)
        assert idle is not None
        pid = terminate(app, idle)
    else:
        assert app._kept_connection is None
        with app.read_engine.connect() as pooled:  # the one the request used
            pid = terminate(app, pooled)
    assert checked_out(app.read_engine) == (1 if mode == "inline" else 0)
    clock.now += 60.0  # idle well past DATABASE_POOL_PING_IDLE

    response = post(client, ALL_PRODUCTS)
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["allProducts"]["totalCount"] == 1
    with app.read_engine.connect() as connection:
        assert backend_pid(connection) != pid
