"""EntityService CRUD and the Entity / ParametricEntity bases, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from lys import Application
from tests.conftest import AppFactory, QueryCounter


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app(["apps.catalog"])
    with app.session() as session:
        categories = app.service("product_category")
        categories.create(session, id="BOOKS", description="Books")
        categories.create(session, id="TOOLS", description="Tools")
    return app


def _add_products(app: Application, *names: str) -> list[uuid.UUID]:
    with app.session() as session:
        products = app.service("product")
        return [
            products.create(session, name=name, price=Decimal("1.00"), category_id="BOOKS").id
            for name in names
        ]


def _warm_up(app: Application) -> None:
    """Connect once, so dialect start-up queries do not count as the test's queries."""
    with app.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def test_service_is_registered_by_model_name(app: Application) -> None:
    service = app.registry.service("product")
    assert service is app.service("product")
    assert service.model is app.model("product")
    assert app.service("product_category").model is app.model("product_category")


def test_get_returns_the_row_or_none(app: Application) -> None:
    (product_id,) = _add_products(app, "Dune")
    with app.session() as session:
        product = app.service("product").get(session, product_id)
        assert product is not None
        assert product.name == "Dune"
        assert product.category.id == "BOOKS"
        assert app.service("product").get(session, uuid.uuid4()) is None


def test_get_many_runs_one_query_keeps_order_and_skips_missing(
    app: Application, count_queries: Callable[[Application], QueryCounter]
) -> None:
    a, b, c = _add_products(app, "A", "B", "C")
    missing = uuid.uuid4()
    _warm_up(app)
    counter = count_queries(app)
    with app.session() as session:
        rows = app.service("product").get_many(session, [c, missing, a, b, a])
        assert [row.id for row in rows] == [c, a, b]
        assert [row.name for row in rows] == ["C", "A", "B"]
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, counter.statements


def test_get_many_of_nothing_runs_no_query(
    app: Application, count_queries: Callable[[Application], QueryCounter]
) -> None:
    _warm_up(app)
    counter = count_queries(app)
    with app.session() as session:
        assert app.service("product").get_many(session, []) == []
    assert len(counter) == 0


def test_list_orders_by_id_with_limit_and_offset(app: Application) -> None:
    ids = sorted((uuid.uuid4() for _ in range(5)), key=lambda u: u.hex)
    with app.session() as session:
        for number, product_id in enumerate(reversed(ids)):  # inserted in descending order
            app.service("product").create(
                session, id=product_id, name=f"P{number}", price=Decimal(1), category_id="BOOKS"
            )
    service = app.service("product")
    with app.session() as session:
        assert [row.id for row in service.list(session, limit=None)] == ids
        assert [row.id for row in service.list(session)] == ids
        assert [row.id for row in service.list(session, limit=2)] == ids[:2]
        assert [row.id for row in service.list(session, limit=2, offset=2)] == ids[2:4]
        assert list(service.list(session, limit=10, offset=5)) == []


def test_exists(app: Application) -> None:
    (product_id,) = _add_products(app, "A")
    with app.session() as session:
        assert app.service("product").exists(session, product_id) is True
        assert app.service("product").exists(session, uuid.uuid4()) is False
        assert app.service("product_category").exists(session, "BOOKS") is True
        assert app.service("product_category").exists(session, "NOPE") is False


def test_create_drops_unknown_keys_with_a_warning(
    app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lys.services")
    with app.session() as session:
        product = app.service("product").create(
            session,
            name="Guarded",
            price=Decimal("3.50"),
            category_id="BOOKS",
            is_admin=True,
            owner="mallory",
        )
        product_id = product.id
    assert not hasattr(product, "is_admin")
    warnings = [r for r in caplog.records if r.name == "lys.services"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "is_admin" in warnings[0].getMessage()
    assert "owner" in warnings[0].getMessage()
    with app.session() as session:
        stored = app.service("product").get(session, product_id)
        assert stored.name == "Guarded"
        assert stored.price == Decimal("3.50")


def test_create_without_unknown_keys_logs_nothing(
    app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lys.services")
    _add_products(app, "Quiet")
    assert [r for r in caplog.records if r.name == "lys.services"] == []


def test_create_accepts_relations(app: Application) -> None:
    with app.session() as session:
        tools = app.service("product_category").get(session, "TOOLS")
        product = app.service("product").create(
            session, name="Hammer", price=Decimal("9.99"), category=tools
        )
        product_id = product.id
    with app.session() as session:
        assert app.service("product").get(session, product_id).category_id == "TOOLS"


def test_update_changes_columns_but_never_the_primary_key(
    app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    (product_id,) = _add_products(app, "Old name")
    caplog.set_level(logging.WARNING, logger="lys.services")
    other_id = uuid.uuid4()
    with app.session() as session:
        updated = app.service("product").update(
            session, product_id, name="New name", price=Decimal("7.25"), id=other_id, bogus=1
        )
        assert updated is not None
        assert updated.id == product_id
    message = " ".join(r.getMessage() for r in caplog.records if r.name == "lys.services")
    assert "id" in message.split(": ")[-1].split(", ")
    assert "bogus" in message
    with app.session() as session:
        stored = app.service("product").get(session, product_id)
        assert (stored.name, stored.price) == ("New name", Decimal("7.25"))
        assert app.service("product").get(session, other_id) is None
        assert app.service("product").update(session, uuid.uuid4(), name="x") is None


def test_delete(app: Application) -> None:
    keep, drop = _add_products(app, "Keep", "Drop")
    with app.session() as session:
        assert app.service("product").delete(session, drop) is True
    with app.session() as session:
        assert app.service("product").get(session, drop) is None
        assert app.service("product").get(session, keep) is not None
        assert app.service("product").delete(session, uuid.uuid4()) is False


def test_get_or_404(app: Application) -> None:
    from lys import NotFoundError

    (product_id,) = _add_products(app, "Here")
    with app.session() as session:
        assert app.service("product").get_or_404(session, product_id).name == "Here"
        with pytest.raises(NotFoundError) as info:
            app.service("product").get_or_404(session, uuid.uuid4())
    assert info.value.code == "NOT_FOUND"


def test_created_at_is_set_per_row_and_updated_at_on_change(app: Application) -> None:
    before = datetime.now(UTC)
    with app.session() as session:
        products = app.service("product")
        first = products.create(session, name="First", price=Decimal(1), category_id="BOOKS")
        second = products.create(session, name="Second", price=Decimal(1), category_id="BOOKS")
        ids = (first.id, second.id)
    after = datetime.now(UTC)
    with app.session() as session:
        first, second = app.service("product").get_many(session, ids)
        # Per row, not the transaction's start time (a server-side now() would tie them).
        assert first.created_at != second.created_at
        assert before <= first.created_at < second.created_at <= after
        assert first.updated_at is None
        assert second.updated_at is None
        created = first.created_at

    with app.session() as session:
        app.service("product").update(session, ids[0], name="First, renamed")
    with app.session() as session:
        first, second = app.service("product").get_many(session, ids)
        assert first.created_at == created
        assert first.updated_at is not None
        assert first.updated_at > first.created_at
        assert second.updated_at is None


def _set_session_time_zone(app: Application, zone: str) -> None:
    if app.engine.dialect.name != "postgresql":
        return

    @sa.event.listens_for(app.engine, "connect")
    def set_zone(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET TIME ZONE '{zone}'")
        cursor.close()
        dbapi_connection.commit()

    app.engine.dispose()  # pooled connections were opened before the listener


def test_datetimes_read_back_aware_utc(make_app: AppFactory) -> None:
    app = make_app(["apps.catalog"])
    # A PostgreSQL session in another zone hands back +05:30 unless converted to UTC.
    _set_session_time_zone(app, "Asia/Kolkata")
    moment = datetime(2024, 2, 29, 23, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with app.session() as session:
        app.service("product_category").create(session, id="BOOKS", created_at=moment)
        product = app.service("product").create(
            session, name="Clock", price=Decimal(1), category_id="BOOKS"
        )
        product_id = product.id
    with app.session() as session:
        category = app.service("product_category").get(session, "BOOKS")
        product = app.service("product").get(session, product_id)
        for value in (category.created_at, product.created_at):
            assert value.tzinfo is not None
            assert value.utcoffset() == timedelta(0)
            assert value.tzinfo == UTC
        assert category.created_at == moment
        assert category.created_at.hour == 21  # 23:30 at +02:00 is 21:30 UTC
        assert category.created_at.microsecond == 123456


def test_naive_datetimes_are_refused(app: Application) -> None:
    with pytest.raises(StatementError, match="naive datetimes are refused"), app.session() as s:
        app.service("product").create(
            s,
            name="Naive",
            price=Decimal(1),
            category_id="BOOKS",
            created_at=datetime(2024, 1, 1, 12, 0),
        )
    with app.session() as session:
        assert list(app.service("product").list(session)) == []


def test_parametric_entity_code_is_its_id(app: Application) -> None:
    with app.session() as session:
        category = app.service("product_category").get(session, "BOOKS")
        assert category.code == "BOOKS" == category.id
        assert category.enabled is True
        assert category.description == "Books"
        assert category.updated_at is None
        assert category.created_at.tzinfo == UTC


def test_forget_copies_makes_reference_data_read_again(app: Application) -> None:
    """A disabled code is trusted from the copy for ``cache_seconds``; after rows change
    behind the application's back (a test restoring a snapshot), ``forget_copies``
    makes the next check read the table."""
    categories = app.service("product_category")
    with app.session() as session:
        assert categories.is_enabled(session, "BOOKS")
    with app.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE product_category SET enabled = false WHERE id = 'BOOKS'")
        )
    with app.session() as session:
        assert categories.is_enabled(session, "BOOKS")  # the copy, within cache_seconds
    app.forget_copies()
    with app.session() as session:
        assert not categories.is_enabled(session, "BOOKS")
        assert categories.is_enabled(session, "TOOLS")


def test_text_ids_are_accepted_for_uuid_keys(catalog_app):
    """Clients and commands send ids as text; a malformed one is simply not found."""
    service = catalog_app.service("product")
    with catalog_app.session() as session:
        catalog_app.service("product_category").create(session, id="BOOKS")
        product = service.create(session, name="Book", price=Decimal("1.00"), category_id="BOOKS")
        assert service.get(session, str(product.id)) is product
        assert service.exists(session, str(product.id))
        assert service.get_many(session, [str(product.id), "not-a-uuid"]) == [product]
        assert service.get(session, "not-a-uuid") is None
        assert not service.exists(session, "not-a-uuid")
