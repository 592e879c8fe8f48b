"""Who may call each operation of the user_role app, and each user operation it opens
to roles: anonymous, a user without roles, the user the row belongs to, a holder of
USER_SUPERVISOR_ROLE, a super user. Refusals answer their exact code and change nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_users_support import NEW_PASSWORD, PASSWORD, gid, rows
from tests.integration.user_role_support import (
    EMAILS,
    SUPERVISOR,
    World,
    module_world,
    roles_of,
)

DENIED = {"anonymous": "ACCESS_DENIED_ERROR"}
#: ROLE only: the owner of the row is a user like any other.
ROLE_ONLY = {**DENIED, "plain": "PERMISSION_DENIED", "owner": "PERMISSION_DENIED"}
#: OWNER or ROLE: another user's row is out of reach, hidden like a missing one.
OWNER_OR_ROLE = {**DENIED, "plain": "NOT_FOUND"}
CALLERS = ("anonymous", "plain", "owner", "holder", "super_user")


def expected(table: dict[str, str]) -> list[tuple[str, str | None]]:
    return [(who, table.get(who)) for who in CALLERS]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("user_role"))


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


ALL_ROLES = "{ allRoles { totalCount edges { node { code supervisorOnly webservices } } } }"


@pytest.mark.parametrize(("who", "code"), expected(DENIED))
def test_all_roles(world: World, who: str, code: str | None):
    answer = world.call(who, ALL_ROLES)
    assert answer.code == code
    if code is None:
        (role,) = [e["node"] for e in answer.data["allRoles"]["edges"]]
        assert role["code"] == SUPERVISOR and role["supervisorOnly"] is True
        assert "update_user_roles" in role["webservices"]


ALL_USERS = "{ allUsers { totalCount edges { node { email } } } }"


@pytest.mark.parametrize(("who", "code"), expected(ROLE_ONLY))
def test_all_users(world: World, who: str, code: str | None):
    answer = world.call(who, ALL_USERS)
    assert answer.code == code
    if code is None:
        emails = {e["node"]["email"] for e in answer.data["allUsers"]["edges"]}
        everyone = set(EMAILS.values())
        # Super users are listed to super users only.
        assert emails == (everyone if who == "super_user" else everyone - {EMAILS["super_user"]})
    else:
        assert answer.data is None


CREATE_USER = """
mutation($codes: [String!]) {
  createUser(inputs: {email: "new@example.com", password: "Correct-horse-42", roleCodes: $codes}) {
    email roles { code }
  }
}"""


@pytest.mark.parametrize(("who", "code"), expected(ROLE_ONLY))
@pytest.mark.parametrize("codes", [None, [SUPERVISOR]])
def test_create_user(world: World, who: str, code: str | None, codes: list[str] | None):
    answer = world.call(who, CREATE_USER, {"codes": codes})
    assert answer.code == code
    created = rows(world.app, "user_email_address", address="new@example.com")
    assert len(created) == (1 if code is None else 0)
    if code is None:
        assert answer.data["createUser"]["roles"] == [{"code": c} for c in codes or ()]
        assert roles_of(world.app, created[0].user_id) == set(codes or ())


UPDATE_ROLES = """
mutation($id: ID!, $codes: [String!]!) {
  updateUserRoles(id: $id, inputs: {roleCodes: $codes}) { roles { code } }
}"""


@pytest.mark.parametrize(("who", "code"), expected(ROLE_ONLY))
def test_update_user_roles(world: World, who: str, code: str | None):
    alice = world.ids["owner"]
    answer = world.call(who, UPDATE_ROLES, {"id": gid(alice), "codes": [SUPERVISOR]})
    assert answer.code == code
    assert roles_of(world.app, alice) == ({SUPERVISOR} if code is None else set())
    if code is None:
        assert answer.data["updateUserRoles"]["roles"] == [{"code": SUPERVISOR}]


USER = "query($id: ID!) { user(id: $id) { email roles { code } } }"


@pytest.mark.parametrize(("who", "code"), expected(OWNER_OR_ROLE))
def test_user(world: World, who: str, code: str | None):
    answer = world.call(who, USER, {"id": gid(world.ids["owner"])})
    assert answer.code == code
    if code is None:
        assert answer.data["user"] == {"email": EMAILS["owner"], "roles": []}


UPDATE_EMAIL = """
mutation($id: ID!) { updateUserEmail(id: $id, inputs: {newEmail: "z@example.com"}) { email } }"""
UPDATE_PRIVATE_DATA = """
mutation($id: ID!) {
  updateUserPrivateData(id: $id, inputs: {firstName: "Zoé"}) { privateData { firstName } }
}"""
SEND_VERIFICATION = "mutation($id: ID!) { sendEmailVerification(id: $id) { email } }"
UPDATE_PASSWORD = """
mutation($id: ID!, $current: String!, $new: String!) {
  updatePassword(id: $id, inputs: {currentPassword: $current, newPassword: $new}) { id }
}"""


@pytest.mark.parametrize(("who", "code"), expected(OWNER_OR_ROLE))
def test_update_user_email(world: World, who: str, code: str | None):
    answer = world.call(who, UPDATE_EMAIL, {"id": gid(world.ids["owner"])})
    assert answer.code == code
    (address,) = rows(world.app, "user_email_address", user_id=world.ids["owner"])
    assert address.address == ("z@example.com" if code is None else EMAILS["owner"])


@pytest.mark.parametrize(("who", "code"), expected(OWNER_OR_ROLE))
def test_update_user_private_data(world: World, who: str, code: str | None):
    answer = world.call(who, UPDATE_PRIVATE_DATA, {"id": gid(world.ids["owner"])})
    assert answer.code == code
    (private,) = rows(world.app, "user_private_data", user_id=world.ids["owner"])
    assert private.first_name == ("Zoé" if code is None else "Alice")


@pytest.mark.parametrize(("who", "code"), expected(OWNER_OR_ROLE))
def test_send_email_verification(world: World, who: str, code: str | None):
    answer = world.call(who, SEND_VERIFICATION, {"id": gid(world.ids["owner"])})
    assert answer.code == code
    sent = rows(world.app, "emailing", type_id="USER_EMAIL_VERIFICATION")
    assert len(sent) == (1 if code is None else 0)


@pytest.mark.parametrize(("who", "code"), expected(OWNER_OR_ROLE))
def test_update_password(world: World, who: str, code: str | None):
    variables = {"id": gid(world.ids["owner"]), "current": PASSWORD, "new": NEW_PASSWORD}
    answer = world.call(who, UPDATE_PASSWORD, variables)
    assert answer.code == code
    (alice,) = rows(world.app, "user", id=world.ids["owner"])
    from lys.auth.passwords import verify_password

    assert verify_password(alice.password, NEW_PASSWORD) is (code is None)


UPDATE_STATUS = """
mutation($id: ID!) {
  updateUserStatus(id: $id, inputs: {statusCode: "DISABLED", reason: "Fraud suspected here"}) {
    status { code }
  }
}"""


@pytest.mark.parametrize(("who", "code"), expected(ROLE_ONLY))
def test_update_user_status(world: World, who: str, code: str | None):
    answer = world.call(who, UPDATE_STATUS, {"id": gid(world.ids["owner"])})
    assert answer.code == code
    (alice,) = rows(world.app, "user", id=world.ids["owner"])
    assert alice.status_id == ("DISABLED" if code is None else "ENABLED")


ACCESSIBLE = """
query($role: String) {
  allAccessibleWebservices(roleCode: $role, first: 100) { edges { node { code } } }
}"""
#: What USER_SUPERVISOR_ROLE opens that a user reaches on their own rows anyway.
OWN_ROW_OPERATIONS = {
    "user",
    "update_user_email",
    "update_password",
    "update_user_private_data",
    "send_email_verification",
}
SUPERVISOR_OPENS = OWN_ROW_OPERATIONS | {
    "all_users",
    "create_user",
    "update_user_status",
    "update_user_roles",
}


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("anonymous", set()),
        ("plain", OWN_ROW_OPERATIONS),
        ("owner", OWN_ROW_OPERATIONS),
        ("holder", SUPERVISOR_OPENS),
        ("super_user", SUPERVISOR_OPENS),
    ],
)
def test_all_accessible_webservices_of_a_role(world: World, who: str, names: set[str]):
    """Public: what the caller may call among what the role opens."""
    answer = world.call(who, ACCESSIBLE, {"role": SUPERVISOR})
    assert answer.code is None, answer.body
    found = {e["node"]["code"] for e in answer.data["allAccessibleWebservices"]["edges"]}
    assert found == names


# -- super users are out of reach of role holders --------------------------------------

ON_A_USER = [
    (USER, {}),
    (UPDATE_EMAIL, {}),
    (UPDATE_PRIVATE_DATA, {}),
    (SEND_VERIFICATION, {}),
    (UPDATE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD}),
    (UPDATE_STATUS, {}),
    (UPDATE_ROLES, {"codes": [SUPERVISOR]}),
]


@pytest.mark.parametrize(("query", "extra"), ON_A_USER)
def test_a_role_holder_cannot_reach_a_super_user(world: World, query: str, extra: dict[str, Any]):
    root = world.ids["super_user"]
    answer = world.call("holder", query, {"id": gid(root), **extra})
    assert answer.code == "NOT_FOUND"
    (row,) = rows(world.app, "user", id=root)
    assert row.status_id == "ENABLED"
    assert not rows(world.app, "emailing")
    assert roles_of(world.app, root) == set()


def test_a_super_user_reaches_another_super_user(world: World):
    from tests.integration.test_users_support import make_user

    other = make_user(world.app, "root2@example.com", super_user=True)
    answer = world.call("super_user", UPDATE_STATUS, {"id": gid(other)})
    assert answer.code is None
    assert answer.data["updateUserStatus"]["status"]["code"] == "DISABLED"
