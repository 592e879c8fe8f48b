"""The catalog's products belong to clients: who may read and change which product.

Every product operation, for every kind of caller (see ``organization_support``):
allowed, or the exact error code. A product of another client answers NOT_FOUND, like
a product that does not exist; a write that would put a product in a client the
caller does not act for answers PERMISSION_DENIED and keeps nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from lys.graphql.global_ids import encode_global_id
from tests.integration.organization_support import (
    CALLERS,
    DENIED,
    World,
    cast,
    listed_names,
    make_product,
    module_world,
    products,
)

WHO = cast("catalog")

PRODUCT = "query($id: ID!) { product(id: $id) { id name clientId } }"
ALL_PRODUCTS = "{ allProducts { edges { node { name } } totalCount } }"
CREATE = """
mutation($inputs: CreateProductInput!) { createProduct(inputs: $inputs) { name clientId } }"""
UPDATE = """
mutation($id: ID!, $inputs: UpdateProductInput!) {
  updateProduct(id: $id, inputs: $inputs) { name clientId }
}"""
UPDATE_PRICE = """
mutation($id: ID!) { updateProductPrice(id: $id, price: "12.34") { price } }"""
DELETE = "mutation($id: ID!) { deleteProduct(id: $id) { succeed } }"
BOOKS = encode_global_id("ProductCategoryNode", "BOOKS")

#: Who reaches a product of client A, and what the others hear.
ON_A_PRODUCT = {**DENIED, "other": "NOT_FOUND"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("catalog"))


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


def expected(caller: str, codes: dict[str, str]) -> str | None:
    return codes.get(caller)


# -- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_product(world: World, caller: str):
    answer = world.call(WHO[caller], PRODUCT, {"id": world.product_gid("a")})
    assert answer.code == expected(caller, ON_A_PRODUCT)
    if answer.code is None:
        assert answer.data["product"]["name"] == "Product A"
        assert answer.data["product"]["clientId"] == str(world.clients["a"])
    else:
        assert answer.data is None


#: What allProducts lists for each caller (the internal product: full access only).
ALL = {"Product A", "Product B", "Internal product"}
LISTS = {
    "owner": {"Product A"},
    "roleholder": ALL,
    "member": {"Product A"},
    "other": {"Product B"},
    "super": ALL,
}


@pytest.mark.parametrize("caller", CALLERS)
def test_all_products(world: World, caller: str):
    answer = world.call(WHO[caller], ALL_PRODUCTS)
    assert answer.code == expected(caller, DENIED)
    if answer.code is None:
        page = answer.data["allProducts"]
        assert listed_names(page) == LISTS[caller]
        assert page["totalCount"] == len(LISTS[caller])


def test_another_clients_product_answers_like_a_missing_one(world: World):
    hidden = world.call("catalog_b", PRODUCT, {"id": world.product_gid("a")})
    missing = world.call(
        "catalog_b", PRODUCT, {"id": encode_global_id("ProductNode", uuid.uuid4())}
    )
    assert hidden.code == missing.code == "NOT_FOUND"
    assert hidden.extensions["detail"] == missing.extensions["detail"]


def test_product_categories_stay_public(world: World):
    answer = world.call("anonymous", "{ allProductCategories { code } }")
    assert answer.errors == []
    assert len(answer.data["allProductCategories"]) == 3


# -- node / nodes -------------------------------------------------------------------

NODE = "query($id: ID!) { node(id: $id) { id ... on ProductNode { name } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on ProductNode { name } } }"
#: ``node`` reaches what a caller reaches outside any operation: their clients' rows
#: (a member without roles included), everything for super users.
NODE_SEES_A = {
    "anonymous": False,
    "plain": False,
    "owner": True,
    "roleholder": False,
    "member": True,
    "bare": True,
    "other": False,
    "super": True,
}


@pytest.mark.parametrize("caller", CALLERS)
def test_node_reaches_the_callers_clients_rows(world: World, caller: str):
    answer = world.call(WHO[caller], NODE, {"id": world.product_gid("a")})
    assert answer.errors == []
    assert (answer.data["node"] is not None) is NODE_SEES_A[caller]


def test_nodes_hides_the_other_clients_products(world: World):
    ids = [world.product_gid(key) for key in ("a", "b", "internal")]
    answer = world.call("catalog_a", NODES, {"ids": ids})
    assert answer.errors == []
    assert [node and node["name"] for node in answer.data["nodes"]] == ["Product A", None, None]
    answer = world.call("super", NODES, {"ids": ids})
    assert [node["name"] for node in answer.data["nodes"]] == [
        "Product A",
        "Product B",
        "Internal product",
    ]


# -- writes -------------------------------------------------------------------------

#: Where a product created without clientId goes, per caller allowed to create one.
DEFAULT_CLIENT = {"owner": "a", "roleholder": None, "member": "a", "other": "b", "super": None}


@pytest.mark.parametrize("caller", CALLERS)
def test_create_product_in_the_callers_client(world: World, caller: str):
    inputs = {"name": f"New by {caller}", "price": "5", "categoryId": BOOKS}
    answer = world.call(WHO[caller], CREATE, {"inputs": inputs})
    assert answer.code == expected(caller, DENIED)
    created = products(world.app).get(f"New by {caller}", "absent")
    if answer.code is None:
        key = DEFAULT_CLIENT[caller]
        client = world.clients[key] if key else None
        assert created == client
        assert answer.data["createProduct"]["clientId"] == (str(client) if client else None)
    else:
        assert created == "absent"


@pytest.mark.parametrize("caller", CALLERS)
def test_create_product_for_client_a(world: World, caller: str):
    inputs = {
        "name": f"A's by {caller}",
        "price": "5",
        "categoryId": BOOKS,
        "clientId": str(world.clients["a"]),
    }
    answer = world.call(WHO[caller], CREATE, {"inputs": inputs})
    # Another client's member is refused after the write, which is rolled back.
    assert answer.code == expected(caller, {**DENIED, "other": "PERMISSION_DENIED"})
    created = products(world.app).get(f"A's by {caller}", "absent")
    assert created == (world.clients["a"] if answer.code is None else "absent")


def test_an_owner_of_two_clients_says_which_one(world: World):
    with world.app.session() as session:
        session.get(world.app.model("client"), world.clients["b"]).owner_id = world.users["owner_a"]
    owner = world.fresh_actor("owner_a")
    inputs = {"name": "Whose?", "price": "5", "categoryId": BOOKS}
    answer = owner.call(CREATE, {"inputs": inputs})
    assert (answer.code, answer.extensions.get("field")) == ("VALIDATION_ERROR", "clientId")
    answer = owner.call(CREATE, {"inputs": {**inputs, "clientId": str(world.clients["b"])}})
    assert answer.errors == []
    assert products(world.app)["Whose?"] == world.clients["b"]


@pytest.mark.parametrize("caller", CALLERS)
def test_update_product(world: World, caller: str):
    answer = world.call(
        WHO[caller], UPDATE, {"id": world.product_gid("a"), "inputs": {"name": "Renamed"}}
    )
    assert answer.code == expected(caller, ON_A_PRODUCT)
    names = products(world.app)
    assert ("Renamed" in names) is (answer.code is None)


@pytest.mark.parametrize("caller", CALLERS)
def test_update_product_price(world: World, caller: str):
    answer = world.call(WHO[caller], UPDATE_PRICE, {"id": world.product_gid("a")})
    assert answer.code == expected(caller, ON_A_PRODUCT)
    if answer.code is None:
        assert answer.data["updateProductPrice"]["price"] == "12.34"


@pytest.mark.parametrize("caller", CALLERS)
def test_delete_product(world: World, caller: str):
    answer = world.call(WHO[caller], DELETE, {"id": world.product_gid("a")})
    assert answer.code == expected(caller, ON_A_PRODUCT)
    assert ("Product A" in products(world.app)) is (answer.code is not None)


@pytest.mark.parametrize("caller", ["owner", "member"])
def test_moving_a_product_to_another_client_is_refused_and_rolled_back(world: World, caller: str):
    variables = {
        "id": world.product_gid("a"),
        "inputs": {"name": "Moved", "clientId": str(world.clients["b"])},
    }
    answer = world.call(WHO[caller], UPDATE, variables)
    assert answer.code == "PERMISSION_DENIED"
    assert products(world.app)["Product A"] == world.clients["a"]
    assert "Moved" not in products(world.app)


def test_a_super_user_moves_a_product(world: World):
    variables = {"id": world.product_gid("a"), "inputs": {"clientId": str(world.clients["b"])}}
    answer = world.call("super", UPDATE, variables)
    assert answer.errors == []
    assert products(world.app)["Product A"] == world.clients["b"]
    listed = world.call("catalog_b", ALL_PRODUCTS).data["allProducts"]
    assert listed_names(listed) == {"Product A", "Product B"}


# -- grants change within a token lifetime ------------------------------------------


def test_a_withdrawn_client_role_takes_effect_at_the_next_refresh(world: World):
    member = world.fresh_actor("catalog_a")
    assert member.call(ALL_PRODUCTS).code is None
    roles = "mutation($id: ID!) { updateClientUserRoles(id: $id, inputs: {roleCodes: []}) { id } }"
    assert world.call("owner_a", roles, {"id": world.user_gid("catalog_a")}).errors == []
    # The access token still carries the role until it is refreshed.
    assert member.call(ALL_PRODUCTS).code is None
    refresh = "mutation { refreshAccessToken { success xsrfToken } }"
    refreshed = member.call(refresh)
    assert refreshed.data["refreshAccessToken"]["success"] is True
    member.xsrf = refreshed.data["refreshAccessToken"]["xsrfToken"]
    assert member.call(ALL_PRODUCTS).code == "PERMISSION_DENIED"


def test_a_disabled_member_is_refused_at_once(world: World):
    member = world.fresh_actor("catalog_a")
    assert member.call(ALL_PRODUCTS).code is None
    disable = """
    mutation($id: ID!) {
      updateUserStatus(id: $id, inputs: {statusCode: "DISABLED", reason: "Left the company"}) {
        id
      }
    }"""
    assert world.call("super", disable, {"id": world.user_gid("catalog_a")}).errors == []
    assert member.call(ALL_PRODUCTS).code == "ACCESS_DENIED_ERROR"


def test_a_new_product_of_a_client_reaches_its_members_only(world: World):
    make_product(world.app, "Fresh", world.clients["b"])
    seen_by_a = listed_names(world.call("catalog_a", ALL_PRODUCTS).data["allProducts"])
    seen_by_b = listed_names(world.call("catalog_b", ALL_PRODUCTS).data["allProducts"])
    assert "Fresh" not in seen_by_a
    assert "Fresh" in seen_by_b
