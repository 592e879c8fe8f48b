"""The catalog's GraphQL API over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from lys import Application
from lys.graphql.global_ids import decode_global_id, encode_global_id
from lys.graphql.pagination import InvalidCursorError, decode_cursor, encode_cursor, paginate
from tests.conftest import AppFactory, gql

ClientFor = Callable[[Application], TestClient[Any]]

PAGE = """
query Page($first: Int, $after: String, $search: String, $categoryId: ID) {
  allProducts(first: $first, after: $after, search: $search, categoryId: $categoryId) {
    edges { cursor node { id name price category { code } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""

CREATE = """
mutation Create($inputs: CreateProductInput!) {
  createProduct(inputs: $inputs) {
    id name price clientId createdAt updatedAt category { id code enabled }
  }
}
"""

UPDATE_PRICE = """
mutation Price($id: ID!, $price: Decimal!) {
  updateProductPrice(id: $id, price: $price) { id price updatedAt }
}
"""

UPDATE = """
mutation Update($id: ID!, $inputs: UpdateProductInput!) {
  updateProduct(id: $id, inputs: $inputs) { id name price updatedAt category { code } }
}
"""

DELETE = """
mutation Delete($id: ID!) { deleteProduct(id: $id) { succeed message } }
"""


def product_gid(pk: uuid.UUID | str) -> str:
    """The global id clients see for a product."""
    return encode_global_id("ProductNode", pk)


def category_gid(code: str) -> str:
    return encode_global_id("ProductCategoryNode", code)


BOOKS = category_gid("BOOKS")


def product_pk(global_id: str) -> uuid.UUID:
    type_name, pk = decode_global_id(global_id)
    assert type_name == "ProductNode"
    return uuid.UUID(pk)


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app(["apps.catalog"])
    with app.session() as session:
        categories = app.service("product_category")
        categories.create(session, id="BOOKS", description="Books")
        categories.create(session, id="TOOLS", description="Tools")
        categories.create(session, id="RETIRED", enabled=False)
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def add_products(app: Application, rows: Iterable[tuple[str, str]]) -> dict[str, uuid.UUID]:
    """Insert (name, category) rows directly; returns the ids by name."""
    ids = {}
    with app.session() as session:
        for name, category in rows:
            product = app.service("product").create(
                session, name=name, price=Decimal("10.00"), category_id=category
            )
            ids[name] = product.id
    return ids


def product_rows(app: Application) -> list[tuple[Any, ...]]:
    product = app.model("product")
    with app.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(product.__table__).order_by(product.__table__.c.name)
            )
        ]


def page(client: TestClient[Any], **variables: Any) -> dict[str, Any]:
    body = gql(client, PAGE, variables)
    assert "errors" not in body, body
    return body["data"]["allProducts"]


def names(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in connection["edges"]]


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None or all(v is None for v in body["data"].values()), body
    (error,) = body["errors"]
    return error


def assert_validation_error(
    body: dict[str, Any], field: str | None = None, *, fields: list[str] | None = None
) -> dict[str, Any]:
    """One VALIDATION_ERROR naming ``field`` (a service's or the id decoder's check) or
    listing ``fields`` (pydantic's, prefixed by the argument and in camelCase)."""
    error = only_error(body)
    extensions = error["extensions"]
    assert error["message"] == extensions["code"] == "VALIDATION_ERROR"
    assert extensions["status_code"] == 400
    assert isinstance(extensions["detail"], str) and extensions["detail"]
    if field is not None:
        assert extensions["field"] == field
    if fields is not None:
        assert [f["field"] for f in extensions["fields"]] == fields, extensions
        assert all(isinstance(f["message"], str) and f["message"] for f in extensions["fields"])
    return error


def assert_not_found(body: dict[str, Any], path: list[str]) -> dict[str, Any]:
    error = only_error(body)
    extensions = error["extensions"]
    assert error["message"] == extensions["code"] == "NOT_FOUND"
    assert extensions["status_code"] == 404
    assert extensions["field"] == "id"
    assert extensions["detail"]
    assert error["path"] == path
    return error


# -- queries -------------------------------------------------------------------------


def test_product_by_id(app: Application, client: TestClient[Any]) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    body = gql(
        client,
        "query($id: ID!) { product(id: $id) { id name price category { code description } "
        "createdAt updatedAt clientId } }",
        {"id": product_gid(ids["Dune"])},
    )
    assert "errors" not in body, body
    product = body["data"]["product"]
    assert product["id"] == product_gid(ids["Dune"])
    assert base64.b64decode(product["id"]).decode() == f"ProductNode:{ids['Dune']}"
    assert product["name"] == "Dune"
    assert product["price"] == "10.00"
    assert product["category"] == {"code": "BOOKS", "description": "Books"}
    assert product["createdAt"].endswith("+00:00")
    assert product["updatedAt"] is None
    assert product["clientId"] is None


def test_unknown_product_is_not_found_and_a_malformed_id_a_validation_error(
    app: Application, client: TestClient[Any]
) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    query = "query($id: ID!) { product(id: $id) { id } }"
    body = gql(client, query, {"id": product_gid(uuid.uuid4())})
    assert body["data"] is None  # product is non-null: the error nulls the whole data
    assert_not_found(body, ["product"])
    for malformed in (
        "not-a-global-id",
        "",
        str(ids["Dune"]),  # the bare primary key is not a global id
        product_gid("not-a-uuid"),
        category_gid("BOOKS"),  # a real id, of another type
        base64.b64encode(f"ProductNode:{ids['Dune']}:x".encode()).decode(),
    ):
        body = gql(client, query, {"id": malformed})
        assert_validation_error(body, field="id")


def test_all_products_sorted_by_name_with_total(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [("Cherry", "BOOKS"), ("apple", "TOOLS"), ("Banana", "BOOKS")])
    connection = page(client)
    product = app.model("product")
    with app.session() as session:
        expected = list(session.scalars(sa.select(product.name).order_by(product.name)))
    assert names(connection) == expected
    assert sorted(names(connection)) == sorted(["Cherry", "apple", "Banana"])
    assert connection["totalCount"] == 3
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["pageInfo"]["hasPreviousPage"] is False


def test_search_is_case_insensitive(app: Application, client: TestClient[Any]) -> None:
    add_products(
        app,
        [("Noise-cancelling HEADPHONES", "TOOLS"), ("headphone stand", "TOOLS"), ("Book", "BOOKS")],
    )
    connection = page(client, search="HeadPhone")
    assert sorted(names(connection)) == ["Noise-cancelling HEADPHONES", "headphone stand"]
    assert connection["totalCount"] == 2
    assert names(page(client, search="  book  ")) == ["Book"]
    assert page(client, search="   ")["totalCount"] == 3


def test_search_treats_like_wildcards_literally(app: Application, client: TestClient[Any]) -> None:
    add_products(
        app,
        [
            ("100% cotton shirt", "TOOLS"),
            ("1000 screws", "TOOLS"),
            ("snake_case mug", "TOOLS"),
            ("snakeXcase mug", "TOOLS"),
            ("back\\slash", "TOOLS"),
            ("backslash", "TOOLS"),
        ],
    )
    assert names(page(client, search="%")) == ["100% cotton shirt"]
    assert names(page(client, search="0%")) == ["100% cotton shirt"]
    assert names(page(client, search="e_c")) == ["snake_case mug"]
    assert names(page(client, search="_")) == ["snake_case mug"]
    assert names(page(client, search="k\\s")) == ["back\\slash"]
    assert page(client, search="%%")["totalCount"] == 0


def test_filter_by_category(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [("Dune", "BOOKS"), ("Hammer", "TOOLS"), ("Emma", "BOOKS")])
    connection = page(client, categoryId=category_gid("BOOKS"))
    assert names(connection) == ["Dune", "Emma"]
    assert {e["node"]["category"]["code"] for e in connection["edges"]} == {"BOOKS"}
    assert connection["totalCount"] == 2
    assert names(page(client, categoryId=category_gid("BOOKS"), search="EM")) == ["Emma"]
    assert page(client, categoryId=category_gid("NOPE"))["totalCount"] == 0
    # categoryId takes a ProductCategoryNode id, not the bare code nor another type's id.
    for wrong in ("BOOKS", product_gid(uuid.uuid4())):
        body = gql(client, PAGE, {"categoryId": wrong})
        error = assert_validation_error(body, field="categoryId")
        assert error["path"] == ["allProducts"]


def test_forward_paging(app: Application, client: TestClient[Any]) -> None:
    all_names = [f"Product {n:02d}" for n in range(7)]
    add_products(app, [(name, "BOOKS") for name in reversed(all_names)])

    first = page(client, first=3)
    assert names(first) == all_names[:3]
    assert first["totalCount"] == 7
    info = first["pageInfo"]
    assert info["hasNextPage"] is True
    assert info["hasPreviousPage"] is False
    assert info["startCursor"] == first["edges"][0]["cursor"]
    assert info["endCursor"] == first["edges"][-1]["cursor"]

    second = page(client, first=3, after=info["endCursor"])
    assert names(second) == all_names[3:6]
    assert second["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["totalCount"] == 7

    third = page(client, first=3, after=second["pageInfo"]["endCursor"])
    assert names(third) == all_names[6:]
    assert third["pageInfo"]["hasNextPage"] is False

    # Exactly a full last page: no phantom next page.
    exact = page(client, first=4, after=first["edges"][2]["cursor"])
    assert names(exact) == all_names[3:]
    assert exact["pageInfo"]["hasNextPage"] is False

    empty = page(client, first=3, after=third["pageInfo"]["endCursor"])
    assert empty["edges"] == []
    assert empty["pageInfo"]["endCursor"] is None
    assert empty["pageInfo"]["hasNextPage"] is False


def test_paging_with_equal_names_uses_the_id_as_tie_breaker(
    app: Application, client: TestClient[Any]
) -> None:
    with app.session() as session:
        for _ in range(5):
            app.service("product").create(
                session, name="Same", price=Decimal(1), category_id="BOOKS"
            )
    seen: list[str] = []
    after = None
    for _ in range(5):
        connection = page(client, first=2, after=after)
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        after = connection["pageInfo"]["endCursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            break
    assert len(seen) == 5
    assert len(set(seen)) == 5


def test_pages_neither_skip_nor_repeat_when_rows_are_inserted(
    app: Application, client: TestClient[Any]
) -> None:
    original = ["b1", "b2", "b3", "b4", "b5", "b6"]
    add_products(app, [(name, "BOOKS") for name in original])
    first = page(client, first=3)
    assert names(first) == ["b1", "b2", "b3"]

    # Rows sorting before the cursor would shift an offset-based second page back (b3
    # again); rows after it must simply show up in their place.
    add_products(app, [("a0", "BOOKS"), ("a1", "BOOKS"), ("b35", "BOOKS")])

    second = page(client, first=3, after=first["pageInfo"]["endCursor"])
    assert names(second) == ["b35", "b4", "b5"]
    third = page(client, first=3, after=second["pageInfo"]["endCursor"])
    assert names(third) == ["b6"]
    assert third["pageInfo"]["hasNextPage"] is False
    seen = names(first) + names(second) + names(third)
    assert len(seen) == len(set(seen))
    assert set(original) <= set(seen)
    assert third["totalCount"] == 9


@pytest.mark.parametrize("first", [101, 1000, -1])
def test_page_size_out_of_range_is_a_validation_error(client: TestClient[Any], first: int) -> None:
    body = gql(client, PAGE, {"first": first})
    error = assert_validation_error(body, field="first")
    assert error["extensions"]["limit"] == 100
    assert "100" in error["extensions"]["detail"]
    assert error["path"] == ["allProducts"]


def test_page_size_at_the_limit_is_accepted(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [("A", "BOOKS")])
    assert page(client, first=100)["totalCount"] == 1
    zero = page(client, first=0)
    assert zero["edges"] == []
    assert zero["pageInfo"]["hasNextPage"] is True


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def tampered_cursors(real: str) -> list[str]:
    decoded = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    tag, name, product_id = decoded
    assert tag == "NAME:ASC"
    return [
        "garbage!!",
        "",
        real[:-3],
        real + "x",
        _b64([tag, name]),  # wrong arity
        _b64([name, product_id]),  # untagged
        _b64([tag, name, product_id, "extra"]),
        _b64([tag, name, "not-a-uuid"]),
        _b64([tag, name, 5]),  # a number where the uuid goes
        _b64([tag, name, None]),
        _b64([tag, 7, product_id]),  # a number where the name goes
        _b64(["NAME:DESC", name, product_id]),  # a well-formed cursor of another order
        _b64(["PRICE:ASC", name, product_id]),
        _b64([None, name, product_id]),
        _b64({"name": name}),
        _b64("just a string"),
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    ]


def test_tampered_cursor_is_invalid_cursor(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [("A", "BOOKS"), ("B", "BOOKS")])
    real = page(client, first=1)["pageInfo"]["endCursor"]
    for cursor in tampered_cursors(real):
        response = client.post("/graphql", json={"query": PAGE, "variables": {"after": cursor}})
        assert response.status_code == 200, cursor
        error = only_error(response.json())
        assert error["message"] == error["extensions"]["code"] == "INVALID_CURSOR", cursor
        assert error["extensions"]["status_code"] == 400
        assert error["extensions"]["detail"]
    # The genuine cursor still works afterwards.
    assert names(page(client, first=1, after=real)) == ["B"]


def test_cursor_decoding_refuses_values_of_the_wrong_type(app: Application) -> None:
    """Other sort keys (Decimal, datetime) are as strict as the catalog's name and id."""
    product = app.model("product")
    order = (product.price, product.created_at, product.id)
    valid = [str(Decimal("1.50")), "2024-01-01T00:00:00+00:00", str(uuid.uuid4())]
    assert decode_cursor(encode_cursor(valid), order)[0] == Decimal("1.50")
    for values in (
        ["abc", valid[1], valid[2]],  # not a decimal
        ["NaN", valid[1], valid[2]],
        [1.5, valid[1], valid[2]],
        [valid[0], "2024-01-01T00:00:00", valid[2]],  # naive
        [valid[0], 20240101, valid[2]],
        [valid[0], valid[1], ["x"]],
    ):
        with pytest.raises(InvalidCursorError):
            decode_cursor(encode_cursor(values), order)


def test_paginate_by_price_and_created_at(app: Application) -> None:
    """Keyset paging over Decimal and datetime sort keys round-trips through the cursor."""
    prices = ["3.00", "1.00", "2.00", "1.00", "2.00"]
    with app.session() as session:
        for index, price in enumerate(prices):
            app.service("product").create(
                session, name=f"P{index}", price=Decimal(price), category_id="BOOKS"
            )
    product = app.model("product")
    seen: list[str] = []
    after = None
    with app.session() as session:
        while True:
            result = paginate(
                session,
                sa.select(product),
                (product.price, product.created_at, product.id),
                first=2,
                after=after,
            )
            seen += [row.name for row in result.items]
            if not result.has_next_page:
                break
            after = result.cursors[-1]
    assert seen == ["P1", "P3", "P2", "P4", "P0"]


# -- mutations ---------------------------------------------------------------------


def test_create_product(app: Application, client: TestClient[Any]) -> None:
    client_id = str(uuid.uuid4())
    body = gql(
        client,
        CREATE,
        {
            "inputs": {
                "name": "  Dune  ",
                "price": "12.5",
                "categoryId": category_gid("BOOKS"),
                "clientId": client_id,
            }
        },
    )
    assert "errors" not in body, body
    created = body["data"]["createProduct"]
    assert created["name"] == "Dune"
    assert created["price"] == "12.50"
    assert created["clientId"] == client_id
    assert created["category"] == {"id": category_gid("BOOKS"), "code": "BOOKS", "enabled": True}
    assert created["createdAt"].endswith("+00:00")
    assert created["updatedAt"] is None
    with app.session() as session:
        stored = app.service("product").get(session, product_pk(created["id"]))
        assert stored.price == Decimal("12.50")
        assert str(stored.price) == "12.50"
        assert stored.client_id == uuid.UUID(client_id)
    fetched = gql(client, "query($id: ID!) { product(id: $id) { price } }", {"id": created["id"]})
    assert fetched["data"]["product"]["price"] == "12.50"


@pytest.mark.parametrize("price", ["12", 12, "0", "99999999.99"])
def test_create_product_quantizes_prices(client: TestClient[Any], price: Any) -> None:
    inputs = {"name": "P", "price": price, "categoryId": category_gid("BOOKS")}
    body = gql(client, CREATE, {"inputs": inputs})
    assert "errors" not in body, body
    expected = str(Decimal(str(price)).quantize(Decimal("0.01")))
    assert body["data"]["createProduct"]["price"] == expected


@pytest.mark.parametrize(
    ("inputs", "fields"),
    [
        ({"name": "", "price": "1.00", "categoryId": BOOKS}, ["inputs.name"]),
        ({"name": "   ", "price": "1.00", "categoryId": BOOKS}, ["inputs.name"]),
        ({"name": "x" * 256, "price": "1.00", "categoryId": BOOKS}, ["inputs.name"]),
        ({"name": "P", "price": "-0.01", "categoryId": BOOKS}, ["inputs.price"]),
        ({"name": "P", "price": "1.234", "categoryId": BOOKS}, ["inputs.price"]),
        ({"name": "P", "price": "100000000", "categoryId": BOOKS}, ["inputs.price"]),
        # The bare code, or an id of another type, is not a ProductCategoryNode id.
        ({"name": "P", "price": "1.00", "categoryId": "BOOKS"}, ["inputs.categoryId"]),
        (
            {"name": "P", "price": "1.00", "categoryId": encode_global_id("ProductNode", "B")},
            ["inputs.categoryId"],
        ),
        ({"name": "", "price": "-1", "categoryId": BOOKS}, ["inputs.name", "inputs.price"]),
    ],
)
def test_create_product_validation_errors(
    app: Application, client: TestClient[Any], inputs: dict[str, Any], fields: list[str]
) -> None:
    response = client.post("/graphql", json={"query": CREATE, "variables": {"inputs": inputs}})
    assert response.status_code == 200
    error = assert_validation_error(response.json(), fields=fields)
    assert error["path"] == ["createProduct"]
    assert product_rows(app) == []


def test_create_product_in_an_unknown_category(app: Application, client: TestClient[Any]) -> None:
    """The category's foreign key is the check; the failure names the argument's field."""
    inputs = {"name": "P", "price": "1.00", "categoryId": category_gid("NOPE")}
    error = assert_validation_error(gql(client, CREATE, {"inputs": inputs}), field="categoryId")
    assert error["path"] == ["createProduct"]
    assert product_rows(app) == []


def test_create_product_in_a_disabled_category_is_refused(
    app: Application, client: TestClient[Any]
) -> None:
    inputs = {"name": "P", "price": "1.00", "categoryId": category_gid("RETIRED")}
    assert_validation_error(gql(client, CREATE, {"inputs": inputs}), field="categoryId")
    assert product_rows(app) == []


def test_malformed_decimal_is_bad_user_input(app: Application, client: TestClient[Any]) -> None:
    body = gql(client, CREATE, {"inputs": {"name": "P", "price": "abc", "categoryId": BOOKS}})
    (error,) = body["errors"]
    assert error["message"] == error["extensions"]["code"] == "BAD_USER_INPUT"
    assert product_rows(app) == []


def test_update_product_price(app: Application, client: TestClient[Any]) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    body = gql(client, UPDATE_PRICE, {"id": product_gid(ids["Dune"]), "price": "8"})
    assert "errors" not in body, body
    updated = body["data"]["updateProductPrice"]
    assert updated["id"] == product_gid(ids["Dune"])
    assert updated["price"] == "8.00"
    assert updated["updatedAt"] is not None
    with app.session() as session:
        stored = app.service("product").get(session, ids["Dune"])
        assert stored.price == Decimal("8.00")
        assert stored.updated_at is not None


def test_update_price_of_unknown_product_is_not_found(
    app: Application, client: TestClient[Any]
) -> None:
    add_products(app, [("Dune", "BOOKS")])
    before = product_rows(app)
    body = gql(client, UPDATE_PRICE, {"id": product_gid(uuid.uuid4()), "price": "1.00"})
    assert body["data"] is None
    assert_not_found(body, ["updateProductPrice"])
    assert product_rows(app) == before


def test_update_price_is_validated(app: Application, client: TestClient[Any]) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    before = product_rows(app)
    for price in ("-1", "1.001", "100000000"):
        body = gql(client, UPDATE_PRICE, {"id": product_gid(ids["Dune"]), "price": price})
        assert_validation_error(body, field="price")
    for wrong_id in ("nope", str(ids["Dune"]), category_gid("BOOKS")):
        body = gql(client, UPDATE_PRICE, {"id": wrong_id, "price": "1.00"})
        assert_validation_error(body, field="id")
    assert product_rows(app) == before


def test_update_product_changes_only_the_fields_given(
    app: Application, client: TestClient[Any]
) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    gid = product_gid(ids["Dune"])
    body = gql(client, UPDATE, {"id": gid, "inputs": {"price": "7.5"}})
    assert "errors" not in body, body
    updated = body["data"]["updateProduct"]
    assert (updated["id"], updated["name"], updated["price"]) == (gid, "Dune", "7.50")
    assert updated["category"] == {"code": "BOOKS"}
    assert updated["updatedAt"] is not None

    inputs = {"name": "  Dune Messiah ", "categoryId": category_gid("TOOLS")}
    body = gql(client, UPDATE, {"id": gid, "inputs": inputs})
    assert "errors" not in body, body
    updated = body["data"]["updateProduct"]
    assert (updated["name"], updated["price"]) == ("Dune Messiah", "7.50")
    assert updated["category"] == {"code": "TOOLS"}
    with app.session() as session:
        stored = app.service("product").get(session, ids["Dune"])
        assert (stored.name, stored.price, stored.category_id) == (
            "Dune Messiah",
            Decimal("7.50"),
            "TOOLS",
        )


def test_update_product_is_validated(app: Application, client: TestClient[Any]) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    gid = product_gid(ids["Dune"])
    before = product_rows(app)
    for inputs, fields in (
        ({"name": "  "}, ["inputs.name"]),
        ({"price": "1.001"}, ["inputs.price"]),
        ({"categoryId": "TOOLS"}, ["inputs.categoryId"]),
    ):
        body = gql(client, UPDATE, {"id": gid, "inputs": inputs})
        assert_validation_error(body, fields=fields)
    body = gql(client, UPDATE, {"id": gid, "inputs": {"categoryId": category_gid("NOPE")}})
    assert_validation_error(body, field="categoryId")
    body = gql(client, UPDATE, {"id": product_gid(uuid.uuid4()), "inputs": {"name": "X"}})
    assert_not_found(body, ["updateProduct"])
    body = gql(client, UPDATE, {"id": category_gid("BOOKS"), "inputs": {"name": "X"}})
    assert_validation_error(body, field="id")
    assert product_rows(app) == before


def test_delete_product(app: Application, client: TestClient[Any]) -> None:
    ids = add_products(app, [("Dune", "BOOKS"), ("Emma", "BOOKS")])
    body = gql(client, DELETE, {"id": product_gid(ids["Dune"])})
    assert body == {"data": {"deleteProduct": {"succeed": True, "message": None}}}
    assert [row[3] for row in product_rows(app)] == ["Emma"]
    query = "query($id: ID!) { product(id: $id) { id } }"
    assert_not_found(gql(client, query, {"id": product_gid(ids["Dune"])}), ["product"])
    # Deleting it again, or an id of another type, changes nothing.
    assert_not_found(gql(client, DELETE, {"id": product_gid(ids["Dune"])}), ["deleteProduct"])
    assert_validation_error(gql(client, DELETE, {"id": category_gid("BOOKS")}), field="id")
    assert [row[3] for row in product_rows(app)] == ["Emma"]


TWO_MUTATIONS = """
mutation Two($books: ID!, $second: CreateProductInput!) {
  first: createProduct(inputs: {name: "Kept?", price: "1.00", categoryId: $books}) { id }
  second: createProduct(inputs: $second) { id }
}
"""


def test_a_failing_field_rolls_back_the_whole_operation(
    app: Application, client: TestClient[Any]
) -> None:
    add_products(app, [("Existing", "BOOKS")])
    before = product_rows(app)
    nope = category_gid("NOPE")
    body = gql(
        client,
        TWO_MUTATIONS,
        {"books": BOOKS, "second": {"name": "P", "price": "1.00", "categoryId": nope}},
    )
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["second"]]
    assert product_rows(app) == before

    # Same document, both fields fine: both are kept (the rollback above was the failure's).
    body = gql(
        client,
        TWO_MUTATIONS,
        {"books": BOOKS, "second": {"name": "P", "price": "1.00", "categoryId": BOOKS}},
    )
    assert "errors" not in body, body
    assert sorted(row[3] for row in product_rows(app)) == ["Existing", "Kept?", "P"]


def test_a_failing_update_rolls_back_an_earlier_update(
    app: Application, client: TestClient[Any]
) -> None:
    ids = add_products(app, [("Dune", "BOOKS")])
    before = product_rows(app)
    body = gql(
        client,
        """
        mutation($id: ID!, $missing: ID!) {
          a: updateProductPrice(id: $id, price: "99.00") { price }
          b: updateProductPrice(id: $missing, price: "1.00") { price }
        }
        """,
        {"id": product_gid(ids["Dune"]), "missing": product_gid(uuid.uuid4())},
    )
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["b"]]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert product_rows(app) == before


def test_all_product_categories_lists_enabled_ones(client: TestClient[Any]) -> None:
    body = gql(client, "{ allProductCategories { id code enabled description } }")
    assert body == {
        "data": {
            "allProductCategories": [
                {"id": BOOKS, "code": "BOOKS", "enabled": True, "description": "Books"},
                {
                    "id": category_gid("TOOLS"),
                    "code": "TOOLS",
                    "enabled": True,
                    "description": "Tools",
                },
            ]
        }
    }


def test_failed_mutation_reports_no_data_for_rolled_back_fields(catalog_app, client_for):
    """The first field's write is rolled back with the rest, so its result is not shown."""
    client = client_for(catalog_app)
    with catalog_app.session() as session:
        catalog_app.service("product_category").create(session, id="BOOKS")
    body = gql(
        client,
        'mutation($books: ID!) { ok: createProduct(inputs: {name: "Kept?", price: "1.00",'
        ' categoryId: $books}) { id } bad: createProduct(inputs: {name: "", price: "1.00",'
        " categoryId: $books}) { id } }",
        {"books": BOOKS},
    )
    assert body["data"] is None
    # Only the second field failed: the first one ran, and its write was undone.
    assert [e["path"] for e in body["errors"]] == [["bad"]]
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    with catalog_app.session() as session:
        assert catalog_app.service("product").list(session) == []


def test_failed_mutation_reports_no_data_even_for_nullable_fields(
    make_app: AppFactory, client_for: ClientFor
) -> None:
    """The catalog's mutation fields are non-null, so GraphQL itself nulls ``data`` when
    one fails; with nullable fields only the executor hides the rolled-back results."""
    app = make_app(["apps.catalog", "tests.testapps.mut_nullable"])
    client = client_for(app)
    two = (
        'mutation($b: String!) { a: addProductCategory(code: "NEW") { code }'
        " b: addProductCategory(code: $b) { code } }"
    )
    body = gql(client, two, {"b": "not upper"})
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["b"]]
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_ERROR"
    with app.session() as session:
        assert app.service("product_category").list(session) == []
    # Both fine: both results are reported, and kept.
    body = gql(client, two, {"b": "OTHER"})
    assert body == {"data": {"a": {"code": "NEW"}, "b": {"code": "OTHER"}}}
    with app.session() as session:
        assert sorted(c.id for c in app.service("product_category").list(session)) == [
            "NEW",
            "OTHER",
        ]
