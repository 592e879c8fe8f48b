"""Relay over HTTP: global ids, node/nodes, safe id decoding and the access policy."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Select

from lys import Application
from tests.conftest import AppFactory
from tests.testapps.tk_support import (
    CATALOG,
    TK_MISC,
    ClientFor,
    add_categories,
    add_product,
    b64,
    call,
    error_of,
    gid,
    post,
    product_table,
)

TENANT = uuid.UUID("11111111-1111-4111-8111-111111111111")
OTHER_TENANT = uuid.UUID("22222222-2222-4222-8222-222222222222")
MISSING = uuid.UUID("33333333-3333-4333-8333-333333333333")

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on ProductNode { name price category { code } }
    ... on ProductCategoryNode { code description }
  }
}
"""
NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on ProductNode { name category { code } }
    ... on ProductCategoryNode { code }
  }
}
"""
PRODUCT = "query($id: ID!) { product(id: $id) { id name clientId category { code } } }"
ALL_PRODUCTS = """
query($search: String) {
  allProducts(search: $search) { edges { node { name } } totalCount }
}
"""
UPDATE = """
mutation($id: ID!, $inputs: UpdateProductInput!) {
  updateProduct(id: $id, inputs: $inputs) { id name category { code } }
}
"""
UPDATE_PRICE = 'mutation($id: ID!) { updateProductPrice(id: $id, price: "99.00") { price } }'
DELETE = "mutation($id: ID!) { deleteProduct(id: $id) { succeed } }"
CREATE = """
mutation($inputs: CreateProductInput!) { createProduct(inputs: $inputs) { id name } }
"""


@pytest.fixture
def app(make_app: AppFactory) -> Application:
    app = make_app([CATALOG])
    add_categories(app, "BOOKS", "TOOLS", "SECRET")
    return app


@pytest.fixture
def client(app: Application, client_for: ClientFor) -> TestClient[Any]:
    return client_for(app)


class TenantPolicy:
    """Shows one tenant's products outside the SECRET category; names starting with
    'Locked' are read-only."""

    def __init__(self, tenant: uuid.UUID) -> None:
        self.tenant = tenant

    def filter_rows(self, stmt: Select[Any], model: type, context: Any) -> Select[Any]:
        if model.model_name() == "product":  # type: ignore[attr-defined]
            return stmt.where(
                model.client_id == self.tenant,  # type: ignore[attr-defined]
                model.category_id != "SECRET",  # type: ignore[attr-defined]
            )
        if model.model_name() == "product_category":  # type: ignore[attr-defined]
            return stmt.where(model.id != "SECRET")  # type: ignore[attr-defined]
        return stmt

    def can_see(self, obj: Any, context: Any) -> bool:
        if type(obj).model_name() == "product":
            return obj.client_id == self.tenant and obj.category_id != "SECRET"
        if type(obj).model_name() == "product_category":
            return obj.id != "SECRET"
        return True

    def can_write(self, obj: Any, context: Any) -> bool:
        return self.can_see(obj, context) and not str(getattr(obj, "name", "")).startswith("Locked")


# -- global ids and node ---------------------------------------------------------------


def test_global_ids_are_base64_of_type_name_and_primary_key(
    app: Application, client: TestClient[Any]
) -> None:
    product_id = add_product(app, "Dune", category="BOOKS")
    data = call(client, "{ allProducts { edges { node { id category { id } } } } }")
    (edge,) = data["allProducts"]["edges"]
    assert edge["node"]["id"] == gid("ProductNode", product_id)
    assert edge["node"]["category"]["id"] == gid("ProductCategoryNode", "BOOKS")

    created = call(
        client,
        CREATE,
        {
            "inputs": {
                "name": "Emma",
                "price": "3.00",
                "categoryId": gid("ProductCategoryNode", "BOOKS"),
            }
        },
    )["createProduct"]
    (row,) = [r for r in product_table(app) if r["name"] == "Emma"]
    assert created["id"] == gid("ProductNode", row["id"])


def test_node_returns_each_object_as_its_own_type(
    app: Application, client: TestClient[Any]
) -> None:
    product_id = add_product(app, "Dune", price="12.50", category="TOOLS")

    product = call(client, NODE, {"id": gid("ProductNode", product_id)})["node"]
    assert product == {
        "__typename": "ProductNode",
        "id": gid("ProductNode", product_id),
        "name": "Dune",
        "price": "12.50",
        "category": {"code": "TOOLS"},
    }
    category = call(client, NODE, {"id": gid("ProductCategoryNode", "BOOKS")})["node"]
    assert category == {
        "__typename": "ProductCategoryNode",
        "id": gid("ProductCategoryNode", "BOOKS"),
        "code": "BOOKS",
        "description": "BOOKS desc",
    }


@pytest.mark.parametrize(
    "global_id",
    [gid("ProductNode", MISSING), gid("ProductCategoryNode", "NO_SUCH_CATEGORY")],
    ids=["product", "category"],
)
def test_node_of_an_unknown_object_is_null(client: TestClient[Any], global_id: str) -> None:
    response = post(client, NODE, {"id": global_id})
    assert response.status_code == 200
    assert response.json() == {"data": {"node": None}}


def test_nodes_keeps_the_order_asked_mixes_types_and_gives_null_for_missing(
    app: Application, client: TestClient[Any]
) -> None:
    first = add_product(app, "First", category="BOOKS")
    second = add_product(app, "Second", category="TOOLS")
    ids = [
        gid("ProductNode", second),
        gid("ProductCategoryNode", "TOOLS"),
        gid("ProductNode", MISSING),
        gid("ProductNode", first),
        gid("ProductCategoryNode", "NOPE"),
        gid("ProductNode", second),
    ]
    nodes = call(client, NODES, {"ids": ids})["nodes"]
    assert [n and (n["__typename"], n["id"]) for n in nodes] == [
        ("ProductNode", ids[0]),
        ("ProductCategoryNode", ids[1]),
        None,
        ("ProductNode", ids[3]),
        None,
        ("ProductNode", ids[5]),
    ]
    # Relations of the products resolve although their siblings include other types
    # and nulls.
    assert nodes[0]["category"] == {"code": "TOOLS"}
    assert nodes[3]["category"] == {"code": "BOOKS"}
    assert nodes[1]["code"] == "TOOLS"


def test_nodes_with_a_missing_first_entry_still_resolves_relations(
    app: Application, client: TestClient[Any]
) -> None:
    product_id = add_product(app, "Only", category="TOOLS")
    nodes = call(
        client, NODES, {"ids": [gid("ProductNode", MISSING), gid("ProductNode", product_id)]}
    )
    assert nodes["nodes"][0] is None
    assert nodes["nodes"][1]["category"] == {"code": "TOOLS"}


def test_nodes_runs_one_query_per_type_asked(
    app: Application, client: TestClient[Any], count_queries: Any
) -> None:
    products = [add_product(app, f"P{i}") for i in range(6)]
    ids = [gid("ProductNode", p) for p in products]
    ids += [gid("ProductCategoryNode", c) for c in ("BOOKS", "TOOLS")]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    call(client, query, {"ids": ids})  # warm up the connection pool

    counter = count_queries(app)
    data = call(client, query, {"ids": ids})
    assert len(counter) == 2, counter.statements
    assert [n["id"] for n in data["nodes"]] == ids

    counter.statements.clear()
    call(client, query, {"ids": ids[:6]})
    assert len(counter) == 1, counter.statements


def test_nodes_refuses_more_ids_than_the_limit(client: TestClient[Any]) -> None:
    ids = [gid("ProductNode", uuid.uuid4()) for _ in range(101)]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    error = error_of(post(client, query, {"ids": ids}).json(), "VALIDATION_ERROR")
    assert "100" in error["extensions"]["detail"]
    assert error["extensions"]["limit"] == 100

    assert call(client, query, {"ids": ids[:100]}) == {"nodes": [None] * 100}


def test_nodes_limit_follows_the_page_size_setting(
    make_app: AppFactory, client_for: ClientFor
) -> None:
    client = client_for(make_app([CATALOG], page_size_max=3, page_size_default=3))
    ids = [gid("ProductNode", uuid.uuid4()) for _ in range(4)]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    error = error_of(post(client, query, {"ids": ids}).json(), "VALIDATION_ERROR")
    assert error["extensions"]["limit"] == 3
    assert call(client, query, {"ids": ids[:3]}) == {"nodes": [None] * 3}


# -- decoding is safe ------------------------------------------------------------------

MALFORMED = {
    "not-base64": "not base64 at all!",
    "bad-padding": "A",
    "not-utf8": b64(b"\xff\xfe\xfd:\x80"),
    "no-separator": b64(f"ProductNode{MISSING}".encode()),
    "only-type": b64(b"ProductNode"),
    "extra-part": gid("ProductNode", f"{MISSING}:extra"),
    "empty-pk": gid("ProductNode", ""),
    "empty-type": b64(f":{MISSING}".encode()),
    "bad-type-name": gid("Product Node", MISSING),
    "unknown-type": gid("NoSuchNode", MISSING),
    "non-uuid-pk": gid("ProductNode", "not-a-uuid"),
    "numeric-pk": gid("ProductNode", "12345"),
    "empty-string": "",
    "huge": "QUJD" * 50_000,
    "huge-valid-shape": gid("ProductNode", "x" * 5_000),
    "newline": gid("ProductNode", MISSING) + "\n",
    "unicode": "ÄÖÜ",
    "nul-in-pk": gid("ProductCategoryNode", "BO\u0000OKS"),
}


@pytest.mark.parametrize("global_id", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_ids_are_validation_errors(client: TestClient[Any], global_id: str) -> None:
    for query, variables, field in [
        (NODE, {"id": global_id}, "id"),
        (PRODUCT, {"id": global_id}, "id"),
        (
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            {"ids": [gid("ProductCategoryNode", "BOOKS"), global_id]},
            "ids.1",
        ),
        (DELETE, {"id": global_id}, "id"),
    ]:
        response = post(client, query, variables)
        error = error_of(response.json(), "VALIDATION_ERROR")
        assert error["extensions"]["field"] == field
        # The id is quoted at most in part: a huge id is not echoed back.
        assert len(error["extensions"]["detail"]) < 300


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ node(id: 12345) { id } }", None),
        ('{ node(id: "12345") { id } }', None),
        ("query($id: ID!) { node(id: $id) { id } }", {"id": 12345}),
    ],
    ids=["int-literal", "string-literal", "int-variable"],
)
def test_a_number_given_as_id_is_a_validation_error(
    client: TestClient[Any], query: str, variables: dict[str, Any] | None
) -> None:
    error_of(post(client, query, variables).json(), "VALIDATION_ERROR")


@pytest.mark.parametrize("value", [True, [gid("ProductNode", MISSING)], {"id": "x"}, 1.5])
def test_an_id_of_the_wrong_json_type_is_refused_before_resolvers(
    client: TestClient[Any], value: Any
) -> None:
    error_of(post(client, NODE, {"id": value}).json(), "BAD_USER_INPUT")


def test_a_product_field_refuses_the_id_of_another_type(client: TestClient[Any]) -> None:
    body = post(client, PRODUCT, {"id": gid("ProductCategoryNode", "BOOKS")}).json()
    error = error_of(body, "VALIDATION_ERROR")
    assert "ProductCategoryNode" in error["extensions"]["detail"]
    assert "ProductNode" in error["extensions"]["detail"].replace("ProductCategoryNode", "")
    assert body["data"] is None


def test_node_in_a_schema_without_node_types_refuses_every_id(
    make_app: AppFactory, client_for: ClientFor
) -> None:
    client = client_for(make_app([TK_MISC]))
    node = "query($id: ID!) { node(id: $id) { id } }"
    error_of(post(client, node, {"id": gid("ProductNode", MISSING)}).json(), "VALIDATION_ERROR")
    nodes = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    error_of(post(client, nodes, {"ids": [gid("TkLoop", "1")]}).json(), "VALIDATION_ERROR")


# -- the access policy -----------------------------------------------------------------


def test_a_hidden_object_answers_exactly_like_a_missing_one(
    app: Application, client: TestClient[Any]
) -> None:
    visible = add_product(app, "Mine", client_id=TENANT)
    other_tenant = add_product(app, "Theirs", client_id=OTHER_TENANT)
    secret = add_product(app, "Secret", client_id=TENANT, category="SECRET")
    app.registry.access_policy = TenantPolicy(TENANT)

    assert call(client, PRODUCT, {"id": gid("ProductNode", visible)})["product"]["name"] == "Mine"
    missing = post(client, PRODUCT, {"id": gid("ProductNode", MISSING)})
    error_of(missing.json(), "NOT_FOUND")
    for hidden in (other_tenant, secret):
        response = post(client, PRODUCT, {"id": gid("ProductNode", hidden)})
        assert (response.status_code, response.content) == (missing.status_code, missing.content)

    missing_node = post(client, NODE, {"id": gid("ProductNode", MISSING)})
    assert missing_node.json() == {"data": {"node": None}}
    for hidden_id in (gid("ProductNode", other_tenant), gid("ProductCategoryNode", "SECRET")):
        response = post(client, NODE, {"id": hidden_id})
        assert (response.status_code, response.content) == (
            missing_node.status_code,
            missing_node.content,
        )

    nodes = call(
        client,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [gid("ProductNode", i) for i in (other_tenant, visible, secret, MISSING)]},
    )["nodes"]
    assert nodes == [None, {"id": gid("ProductNode", visible)}, None, None]


def test_the_policy_row_filter_restricts_connections_and_their_total(
    app: Application, client: TestClient[Any]
) -> None:
    for name in ("Apple mine", "Banana mine", "Cherry mine"):
        add_product(app, name, client_id=TENANT)
    add_product(app, "Apple theirs", client_id=OTHER_TENANT)
    add_product(app, "Apple nobody's")
    add_product(app, "Apple secret", client_id=TENANT, category="SECRET")
    app.registry.access_policy = TenantPolicy(TENANT)

    everything = call(client, ALL_PRODUCTS)["allProducts"]
    assert [e["node"]["name"] for e in everything["edges"]] == [
        "Apple mine",
        "Banana mine",
        "Cherry mine",
    ]
    assert everything["totalCount"] == 3
    apples = call(client, ALL_PRODUCTS, {"search": "apple"})["allProducts"]
    assert [e["node"]["name"] for e in apples["edges"]] == ["Apple mine"]
    assert apples["totalCount"] == 1
    paged = call(client, "{ allProducts(first: 1) { totalCount pageInfo { hasNextPage } } }")
    assert paged["allProducts"] == {"totalCount": 3, "pageInfo": {"hasNextPage": True}}


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        (UPDATE, {"inputs": {"name": "Renamed"}}),
        (UPDATE_PRICE, {}),
        (DELETE, {}),
    ],
    ids=["update", "update-price", "delete"],
)
def test_a_read_only_object_cannot_be_changed(
    app: Application, client: TestClient[Any], mutation: str, variables: dict[str, Any]
) -> None:
    locked = add_product(app, "Locked box", client_id=TENANT)
    app.registry.access_policy = TenantPolicy(TENANT)
    before = product_table(app)

    body = post(client, mutation, {"id": gid("ProductNode", locked), **variables}).json()
    assert body["data"] is None
    error = error_of(body, "PERMISSION_DENIED")
    assert error["extensions"]["status_code"] == 403
    assert product_table(app) == before


def test_changing_an_object_out_of_reach_is_denied_and_rolled_back(
    app: Application, client: TestClient[Any]
) -> None:
    mine = add_product(app, "Mine", client_id=TENANT, category="BOOKS")
    app.registry.access_policy = TenantPolicy(TENANT)
    before = product_table(app)

    body = post(
        client,
        UPDATE,
        {
            "id": gid("ProductNode", mine),
            "inputs": {"name": "Moved", "categoryId": gid("ProductCategoryNode", "SECRET")},
        },
    ).json()
    error_of(body, "PERMISSION_DENIED")
    assert body["data"] is None
    assert product_table(app) == before

    # The same edit inside the caller's reach goes through.
    moved = call(
        client,
        UPDATE,
        {
            "id": gid("ProductNode", mine),
            "inputs": {"name": "Moved", "categoryId": gid("ProductCategoryNode", "TOOLS")},
        },
    )["updateProduct"]
    assert moved == {"id": gid("ProductNode", mine), "name": "Moved", "category": {"code": "TOOLS"}}


@pytest.mark.parametrize(
    "inputs",
    [
        {"categoryId": gid("ProductCategoryNode", "SECRET"), "clientId": str(TENANT)},
        {"categoryId": gid("ProductCategoryNode", "BOOKS"), "clientId": str(OTHER_TENANT)},
        {"categoryId": gid("ProductCategoryNode", "BOOKS")},
    ],
    ids=["hidden-category", "other-tenant", "no-tenant"],
)
def test_creating_an_object_out_of_reach_is_denied_and_nothing_is_written(
    app: Application, client: TestClient[Any], inputs: dict[str, Any]
) -> None:
    app.registry.access_policy = TenantPolicy(TENANT)
    body = post(client, CREATE, {"inputs": {"name": "New", "price": "1.00", **inputs}}).json()
    error_of(body, "PERMISSION_DENIED")
    assert body["data"] is None
    assert product_table(app) == []

    created = call(
        client,
        CREATE,
        {
            "inputs": {
                "name": "New",
                "price": "1.00",
                "categoryId": gid("ProductCategoryNode", "BOOKS"),
                "clientId": str(TENANT),
            }
        },
    )
    assert created["createProduct"]["name"] == "New"
    assert [row["client_id"] for row in product_table(app)] == [TENANT]
