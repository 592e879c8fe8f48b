"""Clients: who may list, read, rename and sign up clients.

Every client operation, for every kind of caller (see ``organization_support``):
allowed, or the exact error code. Another client answers NOT_FOUND, like a client that
does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from lys.graphql.global_ids import encode_global_id
from tests.integration.organization_support import (
    CALLERS,
    DENIED,
    World,
    cast,
    email,
    listed_emails,
    listed_names,
    module_world,
)
from tests.integration.test_users_support import PASSWORD, emails, logged_in, rows

WHO = cast("clientadmin")

CLIENT = "query($id: ID!) { client(id: $id) { id name owner { email } } }"
ALL_CLIENTS = (
    "query($search: String) { allClients(search: $search) { edges { node { name } } totalCount } }"
)
UPDATE_CLIENT = """
mutation($id: ID!, $name: String!) { updateClient(id: $id, inputs: {name: $name}) { name } }"""
CREATE_CLIENT = """
mutation($inputs: CreateClientInput!) {
  createClient(inputs: $inputs) { id name owner { email client { name } } }
}"""

ON_CLIENT_A = {**DENIED, "other": "NOT_FOUND"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("clients"))


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    # Sign-ups count per application; each test starts from none.
    vars(shared.app.service("client")).pop("_signup_throttle", None)
    return shared


def client_names(world: World) -> set[str]:
    with world.app.session() as session:
        return set(session.scalars(select(world.app.model("client").name)))


# -- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_client(world: World, caller: str):
    answer = world.call(WHO[caller], CLIENT, {"id": world.client_gid("a")})
    assert answer.code == ON_CLIENT_A.get(caller)
    if answer.code is None:
        assert answer.data["client"]["name"] == "Client A"
        assert answer.data["client"]["owner"]["email"] == email("owner_a")
    else:
        assert answer.data is None


def test_another_client_answers_like_a_missing_one(world: World):
    hidden = world.call("clientadmin_b", CLIENT, {"id": world.client_gid("a")})
    missing = world.call(
        "clientadmin_b", CLIENT, {"id": encode_global_id("ClientNode", uuid.uuid4())}
    )
    assert hidden.code == missing.code == "NOT_FOUND"
    assert hidden.extensions["detail"] == missing.extensions["detail"]


#: allClients is the internal team's (ROLE): owners and members are refused.
ALL_CLIENTS_CODES = {
    **DENIED,
    "owner": "PERMISSION_DENIED",
    "member": "PERMISSION_DENIED",
    "other": "PERMISSION_DENIED",
}


@pytest.mark.parametrize("caller", CALLERS)
def test_all_clients(world: World, caller: str):
    answer = world.call(WHO[caller], ALL_CLIENTS)
    assert answer.code == ALL_CLIENTS_CODES.get(caller)
    if answer.code is None:
        assert listed_names(answer.data["allClients"]) == {"Client A", "Client B"}
    else:
        assert answer.data is None


def test_all_clients_searches_names_literally(world: World):
    found = world.call("super", ALL_CLIENTS, {"search": " client b "}).data["allClients"]
    assert listed_names(found) == {"Client B"}
    assert world.call("super", ALL_CLIENTS, {"search": "%"}).data["allClients"]["totalCount"] == 0


# -- nested lists and nodes ---------------------------------------------------------

CLIENT_USERS = "query($id: ID!) { client(id: $id) { users { email clientRoles { code } } } }"


def test_a_clients_users_are_listed_under_it(world: World):
    answer = world.call("clientadmin_a", CLIENT_USERS, {"id": world.client_gid("a")})
    assert answer.errors == []
    users = {user["email"]: user["clientRoles"] for user in answer.data["client"]["users"]}
    assert set(users) == world.members("a")
    assert users[email("useradmin_a")] == [{"code": "USER_ADMIN_ROLE"}]
    assert users[email("bare_a")] == []


NODE = "query($id: ID!) { node(id: $id) { id ... on ClientNode { name } } }"
NODE_SEES_A = {"owner": True, "member": True, "bare": True, "super": True}


@pytest.mark.parametrize("caller", CALLERS)
def test_node_shows_a_client_to_its_members(world: World, caller: str):
    answer = world.call(WHO[caller], NODE, {"id": world.client_gid("a")})
    assert answer.errors == []
    assert (answer.data["node"] is not None) is NODE_SEES_A.get(caller, False)


# -- writes -------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_update_client(world: World, caller: str):
    answer = world.call(WHO[caller], UPDATE_CLIENT, {"id": world.client_gid("a"), "name": " Acme "})
    assert answer.code == ON_CLIENT_A.get(caller)
    renamed = answer.code is None
    assert ("Acme" in client_names(world)) is renamed
    if renamed:
        assert answer.data["updateClient"]["name"] == "Acme"


def test_update_client_refuses_an_empty_name(world: World):
    answer = world.call("owner_a", UPDATE_CLIENT, {"id": world.client_gid("a"), "name": "  "})
    assert answer.code == "VALIDATION_ERROR"
    assert "Client A" in client_names(world)


def test_a_user_admin_may_not_rename_the_client(world: World):
    answer = world.call("useradmin_a", UPDATE_CLIENT, {"id": world.client_gid("a"), "name": "X"})
    assert answer.code == "PERMISSION_DENIED"


def sign_up(name: str, address: str, **extra: Any) -> dict[str, Any]:
    return {
        "inputs": {
            "clientName": name,
            "email": address,
            "password": PASSWORD,
            "languageCode": "en",
            **extra,
        }
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_create_client_is_open_to_everyone(world: World, caller: str):
    address = f"founder-{caller}@example.org"
    answer = world.call(WHO[caller], CREATE_CLIENT, sign_up(f"Shop of {caller}", address))
    assert answer.errors == []
    created = answer.data["createClient"]
    assert created["name"] == f"Shop of {caller}"
    assert created["owner"] == {"email": address, "client": {"name": f"Shop of {caller}"}}


# -- sign-up ------------------------------------------------------------------------


def test_sign_up_creates_the_owner_who_manages_the_client(world: World):
    answer = world.call(
        "anonymous",
        CREATE_CLIENT,
        sign_up("Bakery", "Baker@Example.org", firstName="Jeanne", genderCode="FEMALE"),
    )
    assert answer.errors == []
    client_id = answer.data["createClient"]["id"]
    (owner,) = rows(world.app, "user_email_address", address="baker@example.org")
    (user,) = rows(world.app, "user", id=owner.user_id)
    assert user.client_id is not None and not user.is_super_user
    # Like any new user with a password: the address must be verified.
    assert len(emails(world.app, "USER_EMAIL_VERIFICATION", "baker@example.org")) == 1
    baker = logged_in(world.client_for, world.app, "baker@example.org")
    read = baker.call(CLIENT, {"id": client_id})
    assert read.data["client"]["name"] == "Bakery"
    staff = baker.call("{ allClientUsers { edges { node { email } } } }")
    assert listed_emails(staff.data["allClientUsers"]) == {"baker@example.org"}
    # Nothing of the other clients.
    assert baker.call(CLIENT, {"id": world.client_gid("a")}).code == "NOT_FOUND"


def test_sign_up_with_a_taken_address_writes_nothing(world: World):
    before = client_names(world)
    answer = world.call("anonymous", CREATE_CLIENT, sign_up("Copycat", email("plain")))
    assert (answer.code, answer.extensions.get("field")) == ("USER_ALREADY_EXISTS", "email")
    assert client_names(world) == before


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"clientName": "   "}, "clientName"),
        ({"languageCode": "xx"}, "languageCode"),
        ({"firstName": "R2-D2"}, "firstName"),
        ({"genderCode": "ROBOT"}, "genderCode"),
        ({"password": "short"}, None),
    ],
)
def test_sign_up_checks_its_inputs(world: World, inputs: dict[str, str], field: str | None):
    before = client_names(world)
    variables = sign_up("Checked", "checked@example.org")
    variables["inputs"].update(inputs)
    answer = world.call("anonymous", CREATE_CLIENT, variables)
    assert answer.code is not None
    if field is not None:
        assert field in str(answer.extensions)
    assert client_names(world) == before
    assert rows(world.app, "user_email_address", address="checked@example.org") == []


def test_sign_ups_are_limited_per_network(world: World, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(type(world.app.service("client")), "signups_per_hour", 2)
    codes = [
        world.call("anonymous", CREATE_CLIENT, sign_up(f"Spam {n}", f"spam{n}@example.org")).code
        for n in range(3)
    ]
    assert codes == [None, None, "RATE_LIMIT_ERROR"]
    assert "Spam 2" not in client_names(world)
