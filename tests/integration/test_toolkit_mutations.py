"""Mutation helpers over HTTP: creation, edition, deletion, input validation, atomicity
and the error shape (message, code, status, detail, error id)."""

from __future__ import annotations

import logging
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory
from tests.log_records import log_records
from tests.testapps.tk_misc.resolvers import BOOM_SECRET
from tests.testapps.tk_support import (
    CATALOG,
    PROD_SECRET,
    TK_MISC,
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
  createProduct(inputs: $inputs) { id name price clientId category { code } }
}
"""
UPDATE = """
mutation($id: ID!, $inputs: UpdateProductInput!) {
  updateProduct(id: $id, inputs: $inputs) { id name price category { code } }
}
"""
UPDATE_PRICE = """
mutation($id: ID!, $price: Decimal!) { updateProductPrice(id: $id, price: $price) { id price } }
"""
DELETE = "mutation($id: ID!) { deleteProduct(id: $id) { succeed message } }"
PRODUCT = "query($id: ID!) { product(id: $id) { name } }"
MISSING = uuid.UUID("33333333-3333-4333-8333-333333333333")
BOOKS = gid("ProductCategoryNode", "BOOKS")
TOOLS = gid("ProductCategoryNode", "TOOLS")


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG, TK_MISC])
    add_categories(app, "BOOKS", "TOOLS")
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def failed(client: TestClient[Any], query: str, variables: dict[str, Any], code: str) -> Any:
    """The one error of a mutation that must fail as a whole."""
    response = post(client, query, variables)
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None, body
    return error_of(body, code)


# -- the happy path ------------------------------------------------------------------------


def test_create_update_reprice_and_delete_through_http(
    app: Application, client: TestClient[Any]
) -> None:
    client_id = uuid.uuid4()
    created = call(
        client,
        CREATE,
        {
            "inputs": {
                "name": "  Dune  ",
                "price": "12.5",
                "categoryId": BOOKS,
                "clientId": str(client_id),
            }
        },
    )["createProduct"]
    (row,) = product_table(app)
    assert created == {
        "id": gid("ProductNode", row["id"]),
        "name": "Dune",
        "price": "12.50",
        "clientId": str(client_id),
        "category": {"code": "BOOKS"},
    }
    assert (row["name"], row["price"], row["category_id"], row["client_id"]) == (
        "Dune",
        Decimal("12.50"),
        "BOOKS",
        client_id,
    )

    updated = call(
        client, UPDATE, {"id": created["id"], "inputs": {"name": "Dune II", "categoryId": TOOLS}}
    )["updateProduct"]
    assert updated == {
        "id": created["id"],
        "name": "Dune II",
        "price": "12.50",
        "category": {"code": "TOOLS"},
    }
    # Only the fields given change.
    call(client, UPDATE, {"id": created["id"], "inputs": {"price": "3.00"}})
    (row,) = product_table(app)
    assert (row["name"], row["price"], row["category_id"]) == ("Dune II", Decimal("3.00"), "TOOLS")

    repriced = call(client, UPDATE_PRICE, {"id": created["id"], "price": "7.25"})
    assert repriced["updateProductPrice"] == {"id": created["id"], "price": "7.25"}
    assert product_table(app)[0]["price"] == Decimal("7.25")

    deleted = call(client, DELETE, {"id": created["id"]})
    assert deleted == {"deleteProduct": {"succeed": True, "message": None}}
    assert product_table(app) == []
    error_of(post(client, PRODUCT, {"id": created["id"]}).json(), "NOT_FOUND")


# -- input validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "fields"),
    [
        ({"name": "   "}, ["inputs.name"]),
        ({"name": ""}, ["inputs.name"]),
        ({"name": "x" * 256}, ["inputs.name"]),
        ({"price": "-0.01"}, ["inputs.price"]),
        ({"price": "1.234"}, ["inputs.price"]),
        ({"price": "100000000"}, ["inputs.price"]),
        ({"categoryId": "not an id"}, ["inputs.categoryId"]),
        ({"categoryId": gid("ProductNode", MISSING)}, ["inputs.categoryId"]),
        ({"categoryId": gid("ProductCategoryNode", "")}, ["inputs.categoryId"]),
        (
            {"name": " ", "price": "-1", "categoryId": "?"},
            ["inputs.name", "inputs.price", "inputs.categoryId"],
        ),
    ],
    ids=[
        "blank-name",
        "empty-name",
        "long-name",
        "negative-price",
        "three-decimals",
        "huge-price",
        "malformed-category",
        "product-id-as-category",
        "empty-category-pk",
        "several",
    ],
)
def test_invalid_inputs_are_validation_errors_naming_the_fields(
    app: Application, client: TestClient[Any], inputs: dict[str, Any], fields: list[str]
) -> None:
    valid = {"name": "Dune", "price": "10.00", "categoryId": BOOKS}
    error = failed(client, CREATE, {"inputs": {**valid, **inputs}}, "VALIDATION_ERROR")
    reported = error["extensions"]["fields"]
    assert sorted(f["field"] for f in reported) == sorted(fields)
    assert all(isinstance(f["message"], str) and f["message"] for f in reported)
    assert error["path"] == ["createProduct"]
    assert product_table(app) == []

    existing = add_product(app, "Existing", price="1.00")
    before = product_table(app)
    update_inputs = {key: inputs[key] for key in inputs}
    error = failed(
        client,
        UPDATE,
        {"id": gid("ProductNode", existing), "inputs": update_inputs},
        "VALIDATION_ERROR",
    )
    assert sorted(f["field"] for f in error["extensions"]["fields"]) == sorted(fields)
    assert product_table(app) == before


def test_an_unknown_category_is_a_validation_error_and_nothing_is_written(
    app: Application, client: TestClient[Any]
) -> None:
    unknown = gid("ProductCategoryNode", "NO_SUCH_CATEGORY")
    error = failed(
        client,
        CREATE,
        {"inputs": {"name": "Dune", "price": "1.00", "categoryId": unknown}},
        "VALIDATION_ERROR",
    )
    assert error["extensions"]["field"] == "categoryId"
    assert product_table(app) == []

    existing = add_product(app, "Existing")
    before = product_table(app)
    failed(
        client,
        UPDATE,
        {"id": gid("ProductNode", existing), "inputs": {"categoryId": unknown}},
        "VALIDATION_ERROR",
    )
    assert product_table(app) == before


def test_a_name_the_database_cannot_store_is_a_validation_error(
    app: Application, client: TestClient[Any]
) -> None:
    body = post(
        client, CREATE, {"inputs": {"name": "nul\u0000byte", "price": "1.00", "categoryId": BOOKS}}
    ).json()
    if app.engine.dialect.name == "postgresql":  # text cannot hold NUL there
        error_of(body, "VALIDATION_ERROR")
        assert product_table(app) == []
    else:
        assert "errors" not in body, body


@pytest.mark.parametrize("price", ["-1", "0.001", "abc", "NaN", "Infinity"])
def test_update_price_refuses_bad_prices(
    app: Application, client: TestClient[Any], price: str
) -> None:
    product_id = add_product(app, "Dune", price="5.00")
    body = post(client, UPDATE_PRICE, {"id": gid("ProductNode", product_id), "price": price}).json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] in ("VALIDATION_ERROR", "BAD_USER_INPUT"), body
    error_of(body, error["message"])
    assert product_table(app)[0]["price"] == Decimal("5.00")


# -- unknown objects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (DELETE, {}),
        (UPDATE, {"inputs": {"name": "x"}}),
        (UPDATE_PRICE, {"price": "1.00"}),
    ],
    ids=["delete", "update", "update-price"],
)
def test_changing_an_unknown_object_is_not_found(
    app: Application, client: TestClient[Any], query: str, variables: dict[str, Any]
) -> None:
    add_product(app, "Bystander")
    before = product_table(app)
    error = failed(client, query, {"id": gid("ProductNode", MISSING), **variables}, "NOT_FOUND")
    assert error["extensions"]["status_code"] == 404
    assert product_table(app) == before


# -- atomicity -----------------------------------------------------------------------------------


def test_a_later_failing_field_leaves_nothing_written_and_no_data(
    app: Application, client: TestClient[Any]
) -> None:
    query = """
    mutation($good: CreateProductInput!, $bad: CreateProductInput!) {
      first: createProduct(inputs: $good) { id }
      second: createProduct(inputs: $good) { id }
      third: createProduct(inputs: $bad) { id }
    }
    """
    good = {"name": "Good", "price": "1.00", "categoryId": BOOKS}
    bad = {"name": "Bad", "price": "-1.00", "categoryId": BOOKS}
    body = post(client, query, {"good": good, "bad": bad}).json()
    assert body["data"] is None
    error = error_of(body, "VALIDATION_ERROR")
    assert error["path"] == ["third"]
    assert product_table(app) == []


def test_a_later_not_found_undoes_an_earlier_deletion(
    app: Application, client: TestClient[Any]
) -> None:
    existing = add_product(app, "Keep me")
    before = product_table(app)
    query = """
    mutation($a: ID!, $b: ID!) {
      a: deleteProduct(id: $a) { succeed }
      b: deleteProduct(id: $b) { succeed }
    }
    """
    body = post(
        client, query, {"a": gid("ProductNode", existing), "b": gid("ProductNode", MISSING)}
    ).json()
    assert body["data"] is None
    assert error_of(body, "NOT_FOUND")["path"] == ["b"]
    assert product_table(app) == before


def test_an_unexpected_failure_undoes_earlier_fields(
    app: Application, client: TestClient[Any]
) -> None:
    existing = add_product(app, "Original")
    before = product_table(app)
    query = """
    mutation($id: ID!, $inputs: CreateProductInput!) {
      updateProduct(id: $id, inputs: {name: "Changed"}) { name }
      createProduct(inputs: $inputs) { id }
      tkBoom
    }
    """
    body = post(
        client,
        query,
        {
            "id": gid("ProductNode", existing),
            "inputs": {"name": "New", "price": "1.00", "categoryId": BOOKS},
        },
    ).json()
    assert body["data"] is None
    assert error_of(body, "INTERNAL_ERROR")["path"] == ["tkBoom"]
    assert product_table(app) == before


# -- the error shape ------------------------------------------------------------------------------


def test_every_error_carries_code_status_and_detail(
    app: Application, client: TestClient[Any]
) -> None:
    locked = add_product(app, "Locked")

    class ReadOnly:
        def filter_rows(self, stmt: Any, model: type, context: Any) -> Any:
            return stmt

        def can_see(self, obj: Any, context: Any) -> bool:
            return True

        def can_write(self, obj: Any, context: Any) -> bool:
            return False

    cases = [
        (
            CREATE,
            {"inputs": {"name": "", "price": "1", "categoryId": BOOKS}},
            "VALIDATION_ERROR",
            400,
        ),
        (DELETE, {"id": gid("ProductNode", MISSING)}, "NOT_FOUND", 404),
        (DELETE, {"id": gid("ProductNode", locked)}, "PERMISSION_DENIED", 403),
        ("mutation { tkBoom }", {}, "INTERNAL_ERROR", 500),
    ]
    app.registry.access_policy = ReadOnly()
    for query, variables, code, status in cases:
        body = post(client, query, variables).json()
        error = error_of(body, code)
        assert error["message"] == error["extensions"]["code"] == code
        assert error["extensions"]["status_code"] == status
        assert error["locations"] and error["path"]
    assert product_table(app)[0]["name"] == "Locked"


@pytest.fixture
def graphql_log() -> Any:
    """Records of the ``lys.graphql`` logger (Litestar replaces the root handlers, so
    caplog's would miss them)."""
    with log_records("lys.graphql") as records:
        yield records


@pytest.mark.parametrize("env", ["demo", "prod"])
def test_an_unexpected_error_gives_an_error_id_and_hides_the_rest(
    make_app: AppFactory,
    client_for: ClientFor,
    graphql_log: list[logging.LogRecord],
    env: str,
) -> None:
    client = client_for(make_app([CATALOG, TK_MISC], env=env, secret_key=PROD_SECRET))
    response = post(client, "mutation { tkBoom }")
    assert response.status_code == 200
    body = response.json()
    error = error_of(body, "INTERNAL_ERROR")
    error_id = error["extensions"]["error_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", error_id)
    assert error_id in error["extensions"]["detail"]
    assert "debug" not in error["extensions"]
    assert BOOM_SECRET not in response.text and "RuntimeError" not in response.text
    # The log line has what the client does not: the id, the message and the stack.
    (record,) = [r for r in graphql_log if error_id in r.getMessage()]
    assert BOOM_SECRET in record.getMessage()
    assert record.exc_info is not None

    second = error_of(post(client, "{ tkBoom }").json(), "INTERNAL_ERROR")
    assert second["extensions"]["error_id"] != error_id


def test_an_unexpected_error_shows_its_cause_in_development(
    make_app: AppFactory, client_for: ClientFor
) -> None:
    client = client_for(make_app([CATALOG, TK_MISC], env="dev"))
    error = error_of(post(client, "{ tkBoom }").json(), "INTERNAL_ERROR")
    assert error["extensions"]["debug"]["exception"] == f"RuntimeError: {BOOM_SECRET}"
    assert re.fullmatch(r"[0-9a-f]{32}", error["extensions"]["error_id"])
