"""Extending an installed app without editing it: ``tests.testapps.reg_ext`` adds a Brand
model, a column and a relationship to the catalog's Product, replaces its service and its
``product`` resolver, and extends ``ProductNode`` in SDL.

Every test runs on SQLite and PostgreSQL (``make_app``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlalchemy import inspect as sa_inspect

import apps.catalog.models as catalog_models
import apps.catalog.services as catalog_services
from lys import Application
from lys.graphql.global_ids import decode_global_id, encode_global_id
from tests.conftest import CATALOG, AppFactory, gql
from tests.testapps.reg_ext import models as ext_models
from tests.testapps.reg_ext import services as ext_services

EXTENDED = ["apps.catalog", "tests.testapps.reg_ext"]
ClientFor = Callable[[Application], TestClient[Any]]

CREATE = """
mutation($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) { id name price rating brand { name } category { code } }
}
"""
PRODUCT = "query($id: ID!) { product(id: $id) { name price rating brand { name } } }"
MISSING_ID = encode_global_id("ProductNode", "00000000-0000-0000-0000-000000000000")
BOOKS = encode_global_id("ProductCategoryNode", "BOOKS")
#: What the catalog's own ``product`` resolver says about an unknown id.
CATALOG_NOT_FOUND = "No ProductNode with this id."


@pytest.fixture
def extended(make_app: AppFactory) -> Application:
    return make_app(EXTENDED)


def seed(app: Application, *, brand: str | None = "Acme") -> dict[str, Any]:
    """A category, optionally a brand, and one product of that brand; returns their ids."""
    with app.session() as session:
        app.service("product_category").create(session, id="BOOKS")
        brand_row = app.service("brand").create_brand(session, brand) if brand else None
        product = app.service("product").create_product(
            session, name="Field guide", price=Decimal("12.5"), category_id="BOOKS"
        )
        if brand_row is not None:
            product.brand = brand_row
        session.flush()
        return {"product": product.id, "brand": brand_row.id if brand_row else None}


# -- the model --------------------------------------------------------------------------


def test_extended_model_has_the_new_column_and_relationship(extended: Application) -> None:
    product = extended.registry.model("product")
    brand = extended.registry.model("brand")
    assert issubclass(product, ext_models.Product)
    assert issubclass(product, catalog_models.Product)
    assert issubclass(brand, ext_models.Brand)

    columns = product.__table__.c
    assert {"id", "name", "price", "category_id", "client_id", "rating", "brand_id"} <= set(
        columns.keys()
    )
    assert [fk.target_fullname for fk in columns["brand_id"].foreign_keys] == ["brand.id"]
    assert columns["brand_id"].nullable is True

    relationships = sa_inspect(product).relationships
    assert relationships["brand"].mapper.class_ is brand
    assert relationships["brand"].uselist is False
    # The catalog's own relationship survives the extension.
    assert relationships["category"].mapper.class_ is extended.registry.model("product_category")
    assert set(extended.registry.metadata.tables) == {"product", "product_category", "brand"}


def test_database_tables_have_the_new_column(extended: Application) -> None:
    inspector = sa.inspect(extended.engine)
    assert "brand" in inspector.get_table_names()
    columns = {column["name"] for column in inspector.get_columns("product")}
    assert {"rating", "brand_id"} <= columns
    foreign_keys = inspector.get_foreign_keys("product")
    assert {"brand", "product_category"} == {fk["referred_table"] for fk in foreign_keys}


def test_extended_model_round_trips(extended: Application) -> None:
    ids = seed(extended)
    with extended.session() as session:
        product = extended.service("product").get(session, ids["product"])
        assert product is not None
        assert product.rating == ext_services.DEFAULT_RATING
        assert product.brand.name == "Acme"
        assert product.brand_id == ids["brand"]
        assert product.category.id == "BOOKS"
        assert product.price == Decimal("12.50")


def test_catalog_services_work_on_the_extended_model(extended: Application) -> None:
    ids = seed(extended)
    service = extended.service("product")
    with extended.session() as session:
        # Inherited from the catalog's ProductService, untouched by the extension.
        updated = service.update_price(session, ids["product"], Decimal("20"))
        assert updated.price == Decimal("20.00")
        assert isinstance(updated, extended.model("product"))
        # The plain EntityService CRUD accepts the new column.
        service.update(session, ids["product"], rating=5)
    with extended.session() as session:
        product = service.get_or_404(session, ids["product"])
        assert (product.price, product.rating) == (Decimal("20.00"), 5)
        categories = extended.service("product_category").enabled(session)
        assert [c.id for c in categories] == ["BOOKS"]


def test_extended_search_also_matches_the_brand(extended: Application) -> None:
    seed(extended)
    with extended.session() as session:
        app_service = extended.service("product")
        extended.service("product").create_product(
            session, name="Acme-free atlas", price=Decimal("1"), category_id="BOOKS"
        )
        by_brand = session.scalars(app_service.search("acme")).all()
        assert sorted(p.name for p in by_brand) == ["Acme-free atlas", "Field guide"]
        by_name = session.scalars(app_service.search("atlas")).all()
        assert [p.name for p in by_name] == ["Acme-free atlas"]


# -- the service ------------------------------------------------------------------------


def test_the_service_override_is_the_registered_one(extended: Application) -> None:
    service = extended.registry.service("product")
    assert type(service) is ext_services.ProductService
    assert isinstance(service, catalog_services.ProductService)
    assert service.model is extended.model("product")
    assert type(extended.service("brand")) is ext_services.BrandService


def test_catalog_mutation_uses_the_service_override(
    extended: Application, client_for: ClientFor
) -> None:
    seed(extended, brand=None)
    client = client_for(extended)
    body = gql(
        client,
        CREATE,
        {"inputs": {"name": " Atlas ", "price": "30.5", "categoryId": BOOKS}},
    )
    assert "errors" not in body, body
    created = body["data"]["createProduct"]
    assert created["rating"] == ext_services.DEFAULT_RATING
    # The catalog's own rules still apply through super().
    assert created["name"] == "Atlas"
    assert created["price"] == "30.50"
    assert created["brand"] is None
    assert created["category"] == {"code": "BOOKS"}
    with extended.session() as session:
        _type, pk = decode_global_id(created["id"], "ProductNode")
        stored = extended.service("product").get(session, uuid.UUID(pk))
        assert stored.rating == ext_services.DEFAULT_RATING


def test_catalog_validation_still_runs_through_the_override(
    extended: Application, client_for: ClientFor
) -> None:
    seed(extended, brand=None)
    client = client_for(extended)
    nope = encode_global_id("ProductCategoryNode", "NOPE")
    body = gql(client, CREATE, {"inputs": {"name": "Atlas", "price": "1", "categoryId": nope}})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert body["errors"][0]["extensions"]["field"] == "categoryId"
    # The catalog's input validation runs before the overriding service is called.
    body = gql(client, CREATE, {"inputs": {"name": "Atlas", "price": "-1", "categoryId": BOOKS}})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    assert [f["field"] for f in body["errors"][0]["extensions"]["fields"]] == ["inputs.price"]
    with extended.session() as session:
        assert (
            session.scalar(sa.select(sa.func.count()).select_from(extended.model("product"))) == 1
        )


def test_catalog_list_query_uses_the_extended_search(
    extended: Application, client_for: ClientFor
) -> None:
    seed(extended)
    body = gql(
        client_for(extended),
        '{ allProducts(search: "acme") { edges { node { name rating brand { name } } } '
        "totalCount } }",
    )
    assert "errors" not in body, body
    assert body["data"]["allProducts"] == {
        "edges": [{"node": {"name": "Field guide", "rating": 3, "brand": {"name": "Acme"}}}],
        "totalCount": 1,
    }


# -- the resolver and the SDL -----------------------------------------------------------


def test_the_resolver_override_answers_over_http(
    extended: Application, client_for: ClientFor
) -> None:
    ids = seed(extended)
    client = client_for(extended)
    body = gql(client, PRODUCT, {"id": encode_global_id("ProductNode", ids["product"])})
    assert body == {
        "data": {
            "product": {
                "name": "Field guide",
                "price": "12.50",
                "rating": 3,
                "brand": {"name": "Acme"},
            }
        }
    }
    # Both resolvers refuse an unknown id; the override's own message shows it answered.
    body = gql(client, PRODUCT, {"id": MISSING_ID})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["detail"] == f"reg_ext: no product {MISSING_ID}."
    assert error["extensions"]["detail"] != CATALOG_NOT_FOUND
    # Catalog behaviour the override delegates to is kept: a malformed id, or one of
    # another type, is refused.
    for wrong in ("not-a-global-id", BOOKS):
        body = gql(client, PRODUCT, {"id": wrong})
        assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
        assert body["errors"][0]["extensions"]["field"] == "id"


def test_sdl_extension_adds_fields_to_the_catalog_type(extended: Application) -> None:
    product_node = extended.schema.type_map["ProductNode"]
    fields = product_node.fields  # type: ignore[attr-defined]
    assert list(fields)[-2:] == ["rating", "brand"]
    assert str(fields["rating"].type) == "Int!"
    assert str(fields["brand"].type) == "BrandNode"
    assert "BrandNode" in extended.schema.type_map


# -- two projects in one process --------------------------------------------------------


@pytest.mark.parametrize("extended_first", [False, True], ids=["catalog-first", "extended-first"])
def test_two_applications_in_one_process_stay_independent(
    make_app: AppFactory, client_for: ClientFor, tmp_path: Path, extended_first: bool
) -> None:
    other_db = f"sqlite:///{tmp_path / 'catalog-only.sqlite3'}"
    if extended_first:
        extended = make_app(EXTENDED)
        plain = make_app(CATALOG, database_url=other_db)
    else:
        plain = make_app(CATALOG, database_url=other_db)
        extended = make_app(EXTENDED)

    # Metadata: the catalog-only project knows nothing of the extension.
    plain_product = plain.model("product")
    assert "rating" not in plain_product.__table__.c
    assert "brand_id" not in plain_product.__table__.c
    assert "brand" not in sa_inspect(plain_product).relationships
    assert set(plain.registry.metadata.tables) == {"product", "product_category"}
    assert "rating" in extended.model("product").__table__.c
    assert plain_product is not extended.model("product")
    assert not issubclass(plain_product, ext_models.Product)
    # Nor did building the extended project change the catalog's abstract model.
    assert "rating" not in catalog_models.Product.model_fields
    assert "brand" not in getattr(catalog_models.Product, "__sqlmodel_relationships__", {})
    assert {c["name"] for c in sa.inspect(plain.engine).get_columns("product")} == {
        "id",
        "name",
        "price",
        "category_id",
        "client_id",
        "created_at",
        "updated_at",
    }

    # Services: each project has its own, bound to its own models.
    assert type(plain.service("product")) is catalog_services.ProductService
    assert type(extended.service("product")) is ext_services.ProductService
    assert plain.service("product").model is plain_product

    # Both serve queries; each with its own schema and behaviour.
    seed(extended)
    with plain.session() as session:
        plain.service("product_category").create(session, id="BOOKS")
    plain_client = client_for(plain)
    extended_client = client_for(extended)
    inputs = {"name": "Plain", "price": "2", "categoryId": BOOKS}
    body = gql(
        plain_client,
        "mutation($i: CreateProductInput!) { createProduct(inputs: $i) { name price } }",
        {"i": inputs},
    )
    assert body == {"data": {"createProduct": {"name": "Plain", "price": "2.00"}}}
    body = gql(plain_client, "{ allProducts { edges { node { name } } totalCount } }")
    assert body["data"]["allProducts"]["totalCount"] == 1
    body = gql(plain_client, "{ allProducts { edges { node { rating } } } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field 'rating'" in body["errors"][0]["extensions"]["detail"]
    body = gql(plain_client, PRODUCT.replace(" rating brand { name }", ""), {"id": MISSING_ID})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["extensions"]["detail"] == CATALOG_NOT_FOUND

    body = gql(extended_client, CREATE, {"inputs": inputs})
    assert body["data"]["createProduct"]["rating"] == ext_services.DEFAULT_RATING
    body = gql(extended_client, "{ allProducts { edges { node { name rating } } totalCount } }")
    assert body["data"]["allProducts"]["totalCount"] == 2
    body = gql(extended_client, PRODUCT, {"id": MISSING_ID})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["extensions"]["detail"] == f"reg_ext: no product {MISSING_ID}."

    # The databases were written independently.
    with plain.session() as session:
        names = session.scalars(sa.select(plain_product.name)).all()
        assert names == ["Plain"]
