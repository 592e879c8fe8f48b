"""Relay connections over HTTP (allProducts): page sizes, keyset paging both ways in
every order, cursors, totalCount and pageInfo."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from litestar.testing import TestClient

from lys import Application
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    TK_LIBRARY,
    ClientFor,
    add_categories,
    add_products,
    call,
    error_of,
    gid,
    post,
)

PAGE = """
query Page(
  $first: Int, $after: String, $last: Int, $before: String,
  $orderBy: ProductOrder, $search: String, $categoryId: ID
) {
  allProducts(
    first: $first, after: $after, last: $last, before: $before,
    orderBy: $orderBy, search: $search, categoryId: $categoryId
  ) {
    edges { cursor node { id name price createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
"""
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG])
    add_categories(app, "BOOKS", "TOOLS")
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


def page(client: TestClient[Any], **variables: Any) -> dict[str, Any]:
    return call(client, PAGE, variables)["allProducts"]


def page_error(client: TestClient[Any], code: str, **variables: Any) -> dict[str, Any]:
    body = post(client, PAGE, variables).json()
    assert body["data"] is None, body
    return error_of(body, code)


def node_ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def check_page_info(connection: dict[str, Any]) -> None:
    cursors = [edge["cursor"] for edge in connection["edges"]]
    info = connection["pageInfo"]
    assert info["startCursor"] == (cursors[0] if cursors else None)
    assert info["endCursor"] == (cursors[-1] if cursors else None)


# Ties on every sort key: the id breaks them.
ROWS = [
    ("delta", "5.00", 3),
    ("alpha", "20.00", 1),
    ("charlie", "5.00", 2),
    ("alpha", "7.50", 3),
    ("bravo", "20.00", 0),
    ("delta", "0.00", 1),
    ("alpha", "5.00", 1),
    ("echo", "99.99", 4),
    ("bravo", "7.50", 2),
    ("charlie", "0.00", 0),
    ("alpha", "20.00", 3),
]


def seed_rows(app: Application) -> list[dict[str, Any]]:
    """The rows of ROWS as (name, price, created_at, id), for computing orders in Python."""
    rows = [
        {"name": n, "price": p, "created_at": T0 + timedelta(hours=h), "category": "BOOKS"}
        for n, p, h in ROWS
    ]
    ids = add_products(app, rows)
    return [{**row, "id": pk} for row, pk in zip(rows, ids, strict=True)]


SORT_KEYS = {
    "NAME": lambda r: r["name"],
    "PRICE": lambda r: Decimal(r["price"]),
    "CREATED_AT": lambda r: r["created_at"],
}


def expected_order(rows: list[dict[str, Any]], field: str, direction: str) -> list[str]:
    ordered = sorted(rows, key=lambda r: (SORT_KEYS[field](r), r["id"]))
    if direction == "DESC":
        ordered.reverse()
    return [gid("ProductNode", r["id"]) for r in ordered]


# -- page sizes ------------------------------------------------------------------------


def test_default_page_is_100_and_100_is_the_largest_page(
    app: Application, client: TestClient[Any]
) -> None:
    add_products(app, [{"name": f"item {i:03d}"} for i in range(101)])

    default = page(client)
    assert len(default["edges"]) == 100
    assert default["pageInfo"]["hasNextPage"] is True
    assert default["totalCount"] == 101
    assert len(page(client, first=100)["edges"]) == 100
    backward = page(client, last=100)
    assert len(backward["edges"]) == 100
    assert backward["pageInfo"]["hasPreviousPage"] is True
    assert backward["edges"][-1]["node"]["name"] == "item 100"


@pytest.mark.parametrize(
    ("argument", "value"),
    [("first", 101), ("last", 101), ("first", -1), ("last", -1), ("first", 10_000)],
)
def test_page_sizes_out_of_range_are_refused_naming_the_limit(
    client: TestClient[Any], argument: str, value: int
) -> None:
    error = page_error(client, "VALIDATION_ERROR", **{argument: value})
    assert error["extensions"]["field"] == argument
    assert error["extensions"]["limit"] == 100
    assert "100" in error["extensions"]["detail"]


def test_first_and_last_together_are_refused(client: TestClient[Any]) -> None:
    error = page_error(client, "VALIDATION_ERROR", first=2, last=2)
    assert "first" in error["extensions"]["detail"] and "last" in error["extensions"]["detail"]


def test_page_sizes_follow_the_settings(make_app: AppFactory, client_for: ClientFor) -> None:
    app = make_app([CATALOG], page_size_default=2, page_size_max=4)
    add_categories(app, "BOOKS")
    add_products(app, [{"name": f"item {i}"} for i in range(6)])
    client = client_for(app)

    assert len(page(client)["edges"]) == 2
    assert len(page(client, first=4)["edges"]) == 4
    error = page_error(client, "VALIDATION_ERROR", first=5)
    assert error["extensions"]["limit"] == 4


def test_an_empty_page_is_allowed(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [{"name": "a"}, {"name": "b"}])
    empty = page(client, first=0)
    assert empty["edges"] == []
    assert empty["totalCount"] == 2
    assert empty["pageInfo"]["hasNextPage"] is True
    check_page_info(empty)


# -- walking every order -----------------------------------------------------------------


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", ["NAME", "PRICE", "CREATED_AT"])
def test_paging_forward_and_backward_covers_every_row_once_in_order(
    app: Application, client: TestClient[Any], field: str, direction: str
) -> None:
    rows = seed_rows(app)
    expected = expected_order(rows, field, direction)
    order = {"field": field, "direction": direction}

    whole = page(client, orderBy=order)
    assert node_ids(whole) == expected

    forward: list[str] = []
    after = None
    for number in range(10):
        connection = page(client, first=4, after=after, orderBy=order)
        check_page_info(connection)
        assert connection["totalCount"] == len(rows)
        assert connection["pageInfo"]["hasPreviousPage"] is (number > 0)
        forward += node_ids(connection)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert number == 2  # 11 rows: 4 + 4 + 3
    assert forward == expected

    backward: list[str] = []
    before = None
    for number in range(10):
        connection = page(client, last=4, before=before, orderBy=order)
        check_page_info(connection)
        assert connection["pageInfo"]["hasNextPage"] is (number > 0)
        backward = node_ids(connection) + backward
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]
    assert number == 2
    assert backward == expected


def test_page_info_at_the_exact_ends(app: Application, client: TestClient[Any]) -> None:
    add_products(app, [{"name": f"item {i}"} for i in range(6)])

    exact = page(client, first=6)
    assert exact["pageInfo"]["hasNextPage"] is False
    assert exact["pageInfo"]["hasPreviousPage"] is False
    assert page(client, first=5)["pageInfo"]["hasNextPage"] is True
    assert page(client, last=6)["pageInfo"]["hasPreviousPage"] is False
    assert page(client, last=5)["pageInfo"]["hasPreviousPage"] is True

    end = exact["pageInfo"]["endCursor"]
    beyond = page(client, first=3, after=end)
    assert beyond["edges"] == []
    assert beyond["totalCount"] == 6
    assert beyond["pageInfo"]["hasNextPage"] is False
    check_page_info(beyond)

    start = exact["pageInfo"]["startCursor"]
    before_start = page(client, last=3, before=start)
    assert before_start["edges"] == []
    assert before_start["pageInfo"]["hasPreviousPage"] is False


def test_walking_back_from_the_middle_returns_the_rows_before_the_cursor(
    app: Application, client: TestClient[Any]
) -> None:
    rows = seed_rows(app)
    expected = expected_order(rows, "PRICE", "ASC")
    order = {"field": "PRICE", "direction": "ASC"}
    middle = page(client, first=6, orderBy=order)
    cursor = middle["edges"][5]["cursor"]

    back = page(client, last=2, before=cursor, orderBy=order)
    assert node_ids(back) == expected[3:5]
    onward = page(client, first=2, after=cursor, orderBy=order)
    assert node_ids(onward) == expected[6:8]


# -- stable under inserts ----------------------------------------------------------------


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_rows_inserted_between_pages_are_neither_skipped_nor_repeated(
    app: Application, client: TestClient[Any], direction: str
) -> None:
    rows = seed_rows(app)
    order = {"field": "NAME", "direction": direction}
    first_page = page(client, first=4, orderBy=order)
    seen = node_ids(first_page)
    last_seen = next(r for r in rows if gid("ProductNode", r["id"]) == seen[-1])

    # Before the cursor, after it, and with the very name of the cursor's row (the id
    # decides on which side those fall).
    inserted = [
        {"name": "aaa", "price": "1.00", "created_at": T0},
        {"name": "zzz", "price": "1.00", "created_at": T0},
        {"name": last_seen["name"], "price": "1.00", "created_at": T0},
        {"name": last_seen["name"], "price": "2.00", "created_at": T0},
    ]
    ids = add_products(app, inserted)
    rows += [{**row, "id": pk} for row, pk in zip(inserted, ids, strict=True)]

    rest: list[str] = []
    after = first_page["pageInfo"]["endCursor"]
    while after is not None:
        connection = page(client, first=4, after=after, orderBy=order)
        rest += node_ids(connection)
        after = (
            connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] else None
        )

    everything = expected_order(rows, "NAME", direction)
    assert rest == everything[everything.index(seen[-1]) + 1 :]
    assert not set(rest) & set(seen)
    assert gid("ProductNode", ids[0 if direction == "ASC" else 1]) not in rest
    assert gid("ProductNode", ids[1 if direction == "ASC" else 0]) in rest


def test_rows_inserted_while_walking_backward_are_neither_skipped_nor_repeated(
    app: Application, client: TestClient[Any]
) -> None:
    rows = seed_rows(app)
    order = {"field": "PRICE", "direction": "ASC"}
    last_page = page(client, last=4, orderBy=order)
    seen = node_ids(last_page)
    first_seen = next(r for r in rows if gid("ProductNode", r["id"]) == seen[0])

    inserted = [
        {"name": "cheap", "price": "0.01"},
        {"name": "dear", "price": "500.00"},
        {"name": "same", "price": first_seen["price"]},
    ]
    ids = add_products(app, inserted)
    rows += [{**row, "id": pk, "created_at": T0} for row, pk in zip(inserted, ids, strict=True)]

    earlier: list[str] = []
    before = last_page["pageInfo"]["startCursor"]
    while before is not None:
        connection = page(client, last=4, before=before, orderBy=order)
        earlier = node_ids(connection) + earlier
        info = connection["pageInfo"]
        before = info["startCursor"] if info["hasPreviousPage"] else None

    everything = expected_order(rows, "PRICE", "ASC")
    assert earlier == everything[: everything.index(seen[0])]
    assert gid("ProductNode", ids[0]) in earlier
    assert gid("ProductNode", ids[1]) not in earlier


# -- cursors -----------------------------------------------------------------------------


def _tampered(cursor: str) -> list[str]:
    padded = cursor + "=" * (-len(cursor) % 4)
    values = json.loads(base64.urlsafe_b64decode(padded))

    def encode(value: Any) -> str:
        text = json.dumps(value).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    # The first character always encodes the JSON's opening "[": changing it breaks it.
    flipped = ("A" if cursor[0] != "A" else "B") + cursor[1:]
    return [
        "garbage",
        "",
        "!!!!",
        flipped,
        cursor + "x" * 3000,
        encode(values[:-1]),  # an element short
        encode([*values, "extra"]),
        encode({"not": "a list"}),
        encode([values[0], values[1], "not-a-uuid"]),
        encode([values[0], 12, values[-1]]),  # a name that is a number
        encode([values[0], None, values[-1]]),
        encode(["PRICE:ASC", "NaN", values[-1]]),
        encode(["PRICE:ASC", "1e999999", values[-1]]),
        encode(["PRICE:ASC", "not a number", values[-1]]),
        encode(["PRICE:ASC", "1e999999", values[-1]]),  # beyond any numeric column
        encode(["PRICE:ASC", "-1e-999999", values[-1]]),
        encode(["CREATED_AT:ASC", "2024-01-01T00:00:00", values[-1]]),  # naive
        encode(["CREATED_AT:ASC", "yesterday", values[-1]]),
        encode(["CREATED_AT:ASC", "0001-01-01T00:00:00+01:00", values[-1]]),  # before year 1 in UTC
        encode(["CREATED_AT:ASC", "9999-12-31T23:59:59-01:00", values[-1]]),
        encode([values[0], "nul\u0000inside", values[-1]]),
        encode([values[0], "\ud800", values[-1]]),  # a lone surrogate
        base64.urlsafe_b64encode(b"\xff\xfe not json").decode(),
    ]


def test_tampered_cursors_are_invalid_cursor(app: Application, client: TestClient[Any]) -> None:
    seed_rows(app)
    name_cursor = page(client, first=1)["pageInfo"]["endCursor"]
    for order in (None, {"field": "PRICE"}, {"field": "CREATED_AT"}):
        for cursor in _tampered(name_cursor):
            for argument in ("after", "before"):
                error = page_error(client, "INVALID_CURSOR", orderBy=order, **{argument: cursor})
                assert error["extensions"]["status_code"] == 400


@pytest.mark.parametrize(
    ("issued_for", "used_for"),
    [
        ({"field": "PRICE"}, {"field": "NAME"}),
        ({"field": "NAME"}, {"field": "PRICE"}),
        ({"field": "CREATED_AT"}, {"field": "PRICE"}),
        ({"field": "NAME", "direction": "ASC"}, {"field": "NAME", "direction": "DESC"}),
        ({"field": "PRICE", "direction": "DESC"}, {"field": "PRICE", "direction": "ASC"}),
    ],
)
def test_a_cursor_of_another_order_is_invalid_cursor(
    app: Application,
    client: TestClient[Any],
    issued_for: dict[str, str],
    used_for: dict[str, str],
) -> None:
    seed_rows(app)
    cursor = page(client, first=2, orderBy=issued_for)["pageInfo"]["endCursor"]
    assert page(client, first=2, after=cursor, orderBy=issued_for)["edges"]
    for argument in ("after", "before"):
        page_error(client, "INVALID_CURSOR", orderBy=used_for, **{argument: cursor})


# -- totalCount and filters ---------------------------------------------------------------


def test_total_count_counts_every_matching_row_whatever_the_page(
    app: Application, client: TestClient[Any]
) -> None:
    add_products(
        app,
        [{"name": f"Red thing {i}", "category": "BOOKS"} for i in range(5)]
        + [{"name": f"Red tool {i}", "category": "TOOLS"} for i in range(3)]
        + [{"name": f"Blue thing {i}", "category": "BOOKS"} for i in range(4)],
    )
    books = gid("ProductCategoryNode", "BOOKS")
    cases = [
        ({}, 12),
        ({"search": "red"}, 8),
        ({"categoryId": books}, 9),
        ({"search": "red", "categoryId": books}, 5),
        ({"search": "nothing like it"}, 0),
    ]
    for filters, total in cases:
        for size in ({"first": 2}, {"last": 2}, {"first": 0}, {}):
            connection = page(client, **filters, **size)
            assert connection["totalCount"] == total, (filters, size)
        first = page(client, first=2, **filters)
        if first["edges"]:
            after = page(client, first=2, after=first["pageInfo"]["endCursor"], **filters)
            assert after["totalCount"] == total
    matching = page(client, search="red", categoryId=books)
    assert sorted(e["node"]["name"] for e in matching["edges"]) == [
        f"Red thing {i}" for i in range(5)
    ]


def test_category_filter_refuses_an_id_of_another_type(
    app: Application, client: TestClient[Any]
) -> None:
    error = page_error(client, "VALIDATION_ERROR", categoryId=gid("ProductNode", uuid.uuid4()))
    assert error["extensions"]["field"] == "categoryId"


def test_a_search_the_database_cannot_take_is_a_validation_error(
    app: Application, client: TestClient[Any]
) -> None:
    add_products(app, [{"name": "nul"}])
    body = post(client, PAGE, {"search": "nul\u0000"}).json()
    if app.engine.dialect.name == "postgresql":  # text cannot hold NUL there
        error_of(body, "VALIDATION_ERROR")
    else:
        assert "errors" not in body, body


# -- orderBy given as variables ---------------------------------------------------------


def test_order_by_given_in_variables(app: Application, client: TestClient[Any]) -> None:
    rows = seed_rows(app)
    query = """
    query($field: ProductOrderField!, $direction: OrderDirection!) {
      allProducts(orderBy: {field: $field, direction: $direction}) { edges { node { id } } }
    }
    """
    data = call(client, query, {"field": "PRICE", "direction": "DESC"})
    assert node_ids(data["allProducts"]) == expected_order(rows, "PRICE", "DESC")


@pytest.mark.parametrize("value", ["PRIC", "price", 3, ["PRICE"], {"field": "PRICE"}, None])
def test_an_invalid_order_in_variables_is_bad_user_input(
    client: TestClient[Any], value: Any
) -> None:
    body = post(client, PAGE, {"orderBy": {"field": value}}).json()
    assert body["data"] is None
    for error in body["errors"]:
        assert error["message"] == "BAD_USER_INPUT", body


# -- configuration errors ---------------------------------------------------------------


def test_ordering_by_a_nullable_column_is_a_configuration_error(
    make_app: AppFactory, client_for: ClientFor
) -> None:
    app = make_app([TK_LIBRARY])
    with app.session() as session:
        session.add(app.model("tk_author")(name="Ann", nickname="A"))
    client = client_for(app)
    query = "query($o: TkAuthorOrder) { allTkAuthors(orderBy: $o) { edges { node { name } } } }"

    assert call(client, query, {"o": {"field": "NAME"}})["allTkAuthors"]["edges"] == [
        {"node": {"name": "Ann"}}
    ]
    body = post(client, query, {"o": {"field": "NICKNAME"}}).json()
    error = error_of(body, "INTERNAL_ERROR")
    # Development shows what is wrong: the declaration, not the client's request.
    exception = error["extensions"]["debug"]["exception"]
    assert exception.startswith("ImproperlyConfigured")
    assert "nickname" in exception and "nullable" in exception
