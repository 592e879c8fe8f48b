"""The users of clients: who may list, read, create and change them, and their roles.

Every client-user operation, for every kind of caller (see ``organization_support``):
allowed, or the exact error code. The target is a member of client A without roles
("bare", who also calls as themselves). A user of another client answers NOT_FOUND,
like a user that does not exist.
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
    module_world,
)
from tests.integration.test_users_support import PASSWORD, emails, logged_in, rows

WHO = cast("useradmin")

CLIENT_USER = """
query($id: ID!) {
  clientUser(id: $id) { email client { name } clientRoles { code } privateData { firstName } }
}"""
ALL_CLIENT_USERS = """
query($clientId: ID, $search: String, $roleCode: String) {
  allClientUsers(clientId: $clientId, search: $search, roleCode: $roleCode) {
    edges { node { email } }
    totalCount
  }
}"""
CREATE_CLIENT_USER = """
mutation($inputs: CreateClientUserInput!) {
  createClientUser(inputs: $inputs) { email client { name } clientRoles { code } }
}"""
UPDATE_EMAIL = """
mutation($id: ID!, $email: String!) {
  updateClientUserEmail(id: $id, inputs: {newEmail: $email}) { email }
}"""
UPDATE_PRIVATE_DATA = """
mutation($id: ID!, $name: String) {
  updateClientUserPrivateData(id: $id, inputs: {firstName: $name}) { privateData { firstName } }
}"""
UPDATE_ROLES = """
mutation($id: ID!, $roles: [String!]!) {
  updateClientUserRoles(id: $id, inputs: {roleCodes: $roles}) { clientRoles { code } }
}"""

ON_A_USER = {**DENIED, "other": "NOT_FOUND"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("client-users"))


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


def client_roles(world: World, who: str) -> set[str]:
    return {row.role_id for row in rows(world.app, "client_user_role", user_id=world.users[who])}


def user_row(world: World, who: str) -> Any:
    (user,) = rows(world.app, "user", id=world.users[who])
    return user


# -- reads --------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_client_user(world: World, caller: str):
    answer = world.call(WHO[caller], CLIENT_USER, {"id": world.user_gid("bare_a")})
    assert answer.code == ON_A_USER.get(caller)
    if answer.code is None:
        assert answer.data["clientUser"] == {
            "email": email("bare_a"),
            "client": {"name": "Client A"},
            "clientRoles": [],
            "privateData": {"firstName": "Bare"},
        }


def test_another_clients_user_answers_like_a_missing_one(world: World):
    hidden = world.call("useradmin_b", CLIENT_USER, {"id": world.user_gid("bare_a")})
    missing = world.call(
        "useradmin_b", CLIENT_USER, {"id": encode_global_id("UserNode", uuid.uuid4())}
    )
    assert hidden.code == missing.code == "NOT_FOUND"
    assert hidden.extensions["detail"] == missing.extensions["detail"]


@pytest.mark.parametrize("who", ["plain", "roleholder", "super"])
def test_client_user_answers_not_found_for_users_of_no_client(world: World, who: str):
    """The internal team is no client's: even super users get NOT_FOUND there."""
    answer = world.call("super", CLIENT_USER, {"id": world.user_gid(who)})
    assert answer.code == "NOT_FOUND"


LISTS = {
    "owner": "a",
    "roleholder": "ab",
    "member": "a",
    "other": "b",
    "super": "ab",
}


@pytest.mark.parametrize("caller", CALLERS)
def test_all_client_users(world: World, caller: str):
    answer = world.call(WHO[caller], ALL_CLIENT_USERS)
    assert answer.code == DENIED.get(caller)
    if answer.code is None:
        expected = set().union(*(world.members(key) for key in LISTS[caller]))
        assert listed_emails(answer.data["allClientUsers"]) == expected
        assert answer.data["allClientUsers"]["totalCount"] == len(expected)


def test_all_client_users_of_another_client_is_empty(world: World):
    answer = world.call("useradmin_b", ALL_CLIENT_USERS, {"clientId": world.client_gid("a")})
    assert answer.errors == []
    assert answer.data["allClientUsers"]["totalCount"] == 0


def test_all_client_users_filters(world: World):
    by_client = world.call("super", ALL_CLIENT_USERS, {"clientId": world.client_gid("b")})
    assert listed_emails(by_client.data["allClientUsers"]) == world.members("b")
    by_role = world.call("super", ALL_CLIENT_USERS, {"roleCode": "CATALOG_MANAGER_ROLE"})
    assert listed_emails(by_role.data["allClientUsers"]) == {email("catalog_a"), email("catalog_b")}
    by_name = world.call("useradmin_a", ALL_CLIENT_USERS, {"search": "clientadmin"})
    assert listed_emails(by_name.data["allClientUsers"]) == {email("clientadmin_a")}


# -- node / nodes and nested lists ---------------------------------------------------

NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on UserNode { email } } }"


def test_nodes_reach_the_callers_client_only(world: World):
    ids = [world.user_gid(who) for who in ("bare_a", "bare_b", "plain")]
    seen = world.call("bare_a", NODES, {"ids": ids}).data["nodes"]
    assert [node and node["email"] for node in seen] == [email("bare_a"), None, None]
    seen = world.call("useradmin_b", NODES, {"ids": ids}).data["nodes"]
    assert [node and node["email"] for node in seen] == [None, email("bare_b"), None]


def test_a_users_client_and_its_users_stay_within_reach(world: World):
    query = """
    query($id: ID!) { clientUser(id: $id) { client { name users { email } } } }"""
    answer = world.call("useradmin_a", query, {"id": world.user_gid("bare_a")})
    assert answer.errors == []
    client = answer.data["clientUser"]["client"]
    assert client["name"] == "Client A"
    assert {user["email"] for user in client["users"]} == world.members("a")


# -- creation -----------------------------------------------------------------------


def new_user(world: World, address: str, **extra: Any) -> dict[str, Any]:
    return {
        "inputs": {
            "clientId": world.client_gid("a"),
            "email": address,
            "password": PASSWORD,
            "languageCode": "en",
            **extra,
        }
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_create_client_user(world: World, caller: str):
    address = f"hired-by-{caller}@example.org"
    variables = new_user(world, address, roleCodes=["USER_ADMIN_ROLE"])
    answer = world.call(WHO[caller], CREATE_CLIENT_USER, variables)
    # Client A is out of the other client's reach: like a client that does not exist.
    assert answer.code == ON_A_USER.get(caller)
    created = rows(world.app, "user_email_address", address=address)
    if answer.code is None:
        assert answer.data["createClientUser"] == {
            "email": address,
            "client": {"name": "Client A"},
            "clientRoles": [{"code": "USER_ADMIN_ROLE"}],
        }
        assert len(created) == 1
    else:
        assert created == []
        assert emails(world.app, "USER_EMAIL_VERIFICATION", address) == []


def test_a_new_client_user_without_password_is_invited(world: World):
    address = "invited@example.org"
    variables = new_user(world, address)
    del variables["inputs"]["password"]
    answer = world.call("useradmin_a", CREATE_CLIENT_USER, variables)
    assert answer.errors == []
    assert len(emails(world.app, "USER_INVITATION", address)) == 1


def test_a_new_client_user_acts_with_their_roles(world: World):
    address = "catalogue@example.org"
    variables = new_user(world, address, roleCodes=["CATALOG_MANAGER_ROLE"])
    assert world.call("owner_a", CREATE_CLIENT_USER, variables).errors == []
    newcomer = logged_in(world.client_for, world.app, address)
    listed = newcomer.call("{ allProducts { edges { node { name } } } }")
    assert [edge["node"]["name"] for edge in listed.data["allProducts"]["edges"]] == ["Product A"]


@pytest.mark.parametrize("who", ["owner_a", "super"])
def test_supervisor_only_roles_are_never_given_to_client_users(world: World, who: str):
    address = "supervisor@example.org"
    variables = new_user(world, address, roleCodes=["CLIENT_SUPERVISOR_ROLE"])
    answer = world.call(who, CREATE_CLIENT_USER, variables)
    assert answer.code == "SUPERVISOR_ONLY_ROLE"
    assert answer.extensions["status_code"] == 403
    assert rows(world.app, "user_email_address", address=address) == []


def test_a_member_grants_only_roles_they_hold(world: World):
    address = "escalation@example.org"
    variables = new_user(world, address, roleCodes=["CATALOG_MANAGER_ROLE"])
    answer = world.call("useradmin_a", CREATE_CLIENT_USER, variables)
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert answer.extensions["roles"] == ["CATALOG_MANAGER_ROLE"]
    assert rows(world.app, "user_email_address", address=address) == []


def test_unknown_roles_are_refused(world: World):
    variables = new_user(world, "unknown-role@example.org", roleCodes=["NOPE_ROLE"])
    answer = world.call("owner_a", CREATE_CLIENT_USER, variables)
    assert (answer.code, answer.extensions["field"]) == ("VALIDATION_ERROR", "roleCodes")


def test_a_taken_address_is_refused(world: World):
    answer = world.call("owner_a", CREATE_CLIENT_USER, new_user(world, email("bare_b")))
    assert (answer.code, answer.extensions["field"]) == ("USER_ALREADY_EXISTS", "email")
    assert user_row(world, "bare_b").client_id == world.clients["b"]


# -- changes ------------------------------------------------------------------------


@pytest.mark.parametrize("caller", CALLERS)
def test_update_client_user_email(world: World, caller: str):
    address = f"renamed-by-{caller}@example.org"
    answer = world.call(
        WHO[caller], UPDATE_EMAIL, {"id": world.user_gid("bare_a"), "email": address}
    )
    assert answer.code == ON_A_USER.get(caller)
    changed = rows(world.app, "user_email_address", address=address)
    assert len(changed) == (1 if answer.code is None else 0)
    if answer.code is None:
        assert len(emails(world.app, "USER_EMAIL_VERIFICATION", address)) == 1


@pytest.mark.parametrize("caller", CALLERS)
def test_update_client_user_private_data(world: World, caller: str):
    variables = {"id": world.user_gid("bare_a"), "name": "Zoé"}
    answer = world.call(WHO[caller], UPDATE_PRIVATE_DATA, variables)
    assert answer.code == ON_A_USER.get(caller)
    (private,) = rows(world.app, "user_private_data", user_id=world.users["bare_a"])
    assert private.first_name == ("Zoé" if answer.code is None else "Bare")


@pytest.mark.parametrize("caller", CALLERS)
def test_update_client_user_roles(world: World, caller: str):
    variables = {"id": world.user_gid("bare_a"), "roles": ["USER_ADMIN_ROLE"]}
    answer = world.call(WHO[caller], UPDATE_ROLES, variables)
    assert answer.code == ON_A_USER.get(caller)
    granted = answer.code is None
    assert client_roles(world, "bare_a") == ({"USER_ADMIN_ROLE"} if granted else set())
    if granted:
        assert answer.data["updateClientUserRoles"]["clientRoles"] == [{"code": "USER_ADMIN_ROLE"}]


def test_a_member_may_not_change_roles_they_lack(world: World):
    variables = {"id": world.user_gid("catalog_a"), "roles": []}
    answer = world.call("useradmin_a", UPDATE_ROLES, variables)
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert client_roles(world, "catalog_a") == {"CATALOG_MANAGER_ROLE"}
    # The owner may, and the role holder for roles they hold globally.
    assert world.call("roleholder", UPDATE_ROLES, variables).errors == []
    assert client_roles(world, "catalog_a") == set()


def test_supervisor_only_roles_are_refused_on_update(world: World):
    variables = {"id": world.user_gid("bare_a"), "roles": ["CLIENT_SUPERVISOR_ROLE"]}
    answer = world.call("super", UPDATE_ROLES, variables)
    assert answer.code == "SUPERVISOR_ONLY_ROLE"
    assert client_roles(world, "bare_a") == set()


@pytest.mark.parametrize(
    "operation",
    [
        (UPDATE_EMAIL, {"email": "taken-over@example.org"}),
        (UPDATE_PRIVATE_DATA, {"name": "Mallory"}),
        (UPDATE_ROLES, {"roles": ["USER_ADMIN_ROLE"]}),
    ],
    ids=["email", "private-data", "roles"],
)
def test_members_may_not_change_the_clients_owner(world: World, operation: tuple[str, Any]):
    query, variables = operation
    answer = world.call("useradmin_a", query, {"id": world.user_gid("owner_a"), **variables})
    assert answer.code == "PERMISSION_DENIED"
    assert rows(world.app, "user_email_address", address="taken-over@example.org") == []
    # The internal team may.
    assert (
        world.call("roleholder", query, {"id": world.user_gid("owner_a"), **variables}).errors == []
    )


def test_a_member_changes_their_own_details(world: World):
    answer = world.call(
        "useradmin_a", UPDATE_PRIVATE_DATA, {"id": world.user_gid("useradmin_a"), "name": "Me"}
    )
    assert answer.errors == []


# -- grants change within a token lifetime ------------------------------------------


def test_a_membership_change_takes_effect_at_the_next_refresh(world: World):
    admin = world.fresh_actor("useradmin_a")
    before = admin.call(ALL_CLIENT_USERS).data["allClientUsers"]
    assert listed_emails(before) == world.members("a")
    with world.app.session() as session:
        user = session.get(world.app.model("user"), world.users["useradmin_a"])
        user.client_id = world.clients["b"]
    # Until the token is refreshed, its claims still say client A (whose users no
    # longer include the one who moved).
    still = admin.call(ALL_CLIENT_USERS).data["allClientUsers"]
    assert listed_emails(still) == world.members("a") - {email("useradmin_a")}
    refreshed = admin.call("mutation { refreshAccessToken { success xsrfToken } }")
    admin.xsrf = refreshed.data["refreshAccessToken"]["xsrfToken"]
    after = admin.call(ALL_CLIENT_USERS).data["allClientUsers"]
    assert listed_emails(after) == world.members("b") | {email("useradmin_a")}
    assert admin.call(CLIENT_USER, {"id": world.user_gid("bare_a")}).code == "NOT_FOUND"


def test_a_role_withdrawn_from_the_owners_list_of_webservices_applies_at_once(world: World):
    """What a role opens is read at request time (cached a moment), not from the token."""
    admin = world.fresh_actor("useradmin_a")
    assert admin.call(ALL_CLIENT_USERS).code is None
    role_service = world.app.service("role")
    with world.app.session() as session:
        role_service.set_webservices(session, "USER_ADMIN_ROLE", ["client_user"])
    role_service.grants.invalidate()
    assert admin.call(ALL_CLIENT_USERS).code == "PERMISSION_DENIED"


def test_the_org_claim_is_small(world: World):
    from lys.apps.organization.claims import claim_provider

    with world.app.session() as session:
        user = session.get(world.app.model("user"), world.users["useradmin_a"])
        claims = claim_provider(world.app.registry)(session, user)
        super_user = session.get(world.app.model("user"), world.users["super"])
        plain = session.get(world.app.model("user"), world.users["plain"])
        owner = session.get(world.app.model("user"), world.users["owner_a"])
        assert claims == {
            "org": {
                "owner": [],
                "client": str(world.clients["a"]),
                "roles": ["USER_ADMIN_ROLE"],
            }
        }
        assert claim_provider(world.app.registry)(session, super_user) == {}
        assert claim_provider(world.app.registry)(session, plain) == {}
        owned = claim_provider(world.app.registry)(session, owner)["org"]
        assert owned["owner"] == [str(world.clients["a"])]
        assert session.scalar(select(world.app.model("client").owner_id)) is not None
