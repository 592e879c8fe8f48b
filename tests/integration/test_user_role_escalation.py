"""Granting roles never raises anyone above the grantor: a caller grants or withdraws
only roles they hold (super users excepted), at creation and with updateUserRoles;
super users hold no roles. A refused call writes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.test_users_support import gid, rows
from tests.integration.user_role_support import (
    SUPERVISOR,
    World,
    grant,
    make_role,
    module_world,
    roles_of,
)

AUDITOR = "AUDITOR_ROLE"
CREATE_USER = """
mutation($codes: [String!]) {
  createUser(inputs: {email: "new@example.com", password: "Correct-horse-42", roleCodes: $codes}) {
    id
  }
}"""
UPDATE_ROLES = """
mutation($id: ID!, $codes: [String!]!) {
  updateUserRoles(id: $id, inputs: {roleCodes: $codes}) { roles { code } }
}"""


def with_auditor(world: World) -> None:
    make_role(world.app, AUDITOR, ["all_users"])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    yield from module_world(request, tmp_path_factory.mktemp("user_role"), build=with_auditor)


@pytest.fixture
def world(shared: World) -> World:
    shared.reset()
    return shared


def created(world: World) -> list[object]:
    return rows(world.app, "user_email_address", address="new@example.com")


def test_creating_a_user_with_a_role_the_caller_does_not_hold_is_refused(world: World):
    answer = world.call("holder", CREATE_USER, {"codes": [SUPERVISOR, AUDITOR]})
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert answer.extensions["status_code"] == 403
    assert answer.extensions["roles"] == [AUDITOR]
    assert created(world) == []
    assert rows(world.app, "emailing") == []


def test_a_super_user_grants_any_role_at_creation(world: World):
    answer = world.call("super_user", CREATE_USER, {"codes": [SUPERVISOR, AUDITOR]})
    assert answer.code is None
    (address,) = created(world)
    assert roles_of(world.app, address.user_id) == {SUPERVISOR, AUDITOR}


@pytest.mark.parametrize("who", ["holder", "super_user"])
@pytest.mark.parametrize("codes", [["NO_SUCH_ROLE"], ["DISABLED_ROLE"]])
def test_unknown_or_disabled_roles_are_refused_at_creation(
    world: World, who: str, codes: list[str]
):
    make_role(world.app, "DISABLED_ROLE", enabled=False)
    answer = world.call(who, CREATE_USER, {"codes": codes})
    assert answer.code == "VALIDATION_ERROR"
    assert answer.extensions["field"] == "roleCodes"
    assert created(world) == []


def test_granting_a_role_the_caller_does_not_hold_is_refused(world: World):
    alice = world.ids["owner"]
    answer = world.call("holder", UPDATE_ROLES, {"id": gid(alice), "codes": [AUDITOR]})
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert roles_of(world.app, alice) == set()


def test_a_holder_cannot_grant_themselves_another_role(world: World):
    hugo = world.ids["holder"]
    answer = world.call("holder", UPDATE_ROLES, {"id": gid(hugo), "codes": [SUPERVISOR, AUDITOR]})
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert roles_of(world.app, hugo) == {SUPERVISOR}


def test_withdrawing_a_role_the_caller_does_not_hold_is_refused(world: World):
    """Withdrawing counts like granting: else a holder could strip colleagues of roles
    they cannot give back."""
    alice = world.ids["owner"]
    grant(world.app, alice, SUPERVISOR, AUDITOR)
    answer = world.call("holder", UPDATE_ROLES, {"id": gid(alice), "codes": [SUPERVISOR]})
    assert answer.code == "UNAUTHORIZED_ROLE_ASSIGNMENT"
    assert answer.extensions["roles"] == [AUDITOR]
    assert roles_of(world.app, alice) == {SUPERVISOR, AUDITOR}


def test_roles_the_caller_does_not_hold_may_stay_untouched(world: World):
    alice = world.ids["owner"]
    grant(world.app, alice, AUDITOR)
    answer = world.call("holder", UPDATE_ROLES, {"id": gid(alice), "codes": [AUDITOR, SUPERVISOR]})
    assert answer.code is None
    assert roles_of(world.app, alice) == {AUDITOR, SUPERVISOR}


def test_a_role_disabled_since_it_was_granted_can_be_kept(world: World):
    alice = world.ids["owner"]
    make_role(world.app, "OLD_ROLE", enabled=False)
    grant(world.app, alice, "OLD_ROLE")
    answer = world.call(
        "super_user", UPDATE_ROLES, {"id": gid(alice), "codes": ["OLD_ROLE", AUDITOR]}
    )
    assert answer.code is None
    assert roles_of(world.app, alice) == {"OLD_ROLE", AUDITOR}


def test_a_holder_may_give_up_their_own_role(world: World):
    hugo = world.ids["holder"]
    answer = world.call("holder", UPDATE_ROLES, {"id": gid(hugo), "codes": []})
    assert answer.code is None
    assert roles_of(world.app, hugo) == set()


def test_a_super_user_replaces_roles_freely(world: World):
    alice = world.ids["owner"]
    grant(world.app, alice, SUPERVISOR)
    answer = world.call("super_user", UPDATE_ROLES, {"id": gid(alice), "codes": [AUDITOR]})
    assert answer.code is None
    assert answer.data["updateUserRoles"]["roles"] == [{"code": AUDITOR}]
    assert roles_of(world.app, alice) == {AUDITOR}


@pytest.mark.parametrize("target", ["super_user", "other_super_user"])
def test_super_users_hold_no_roles(world: World, target: str):
    from tests.integration.test_users_support import make_user

    if target == "other_super_user":
        user_id = make_user(world.app, "root2@example.com", super_user=True)
    else:
        user_id = world.ids["super_user"]
    answer = world.call("super_user", UPDATE_ROLES, {"id": gid(user_id), "codes": [SUPERVISOR]})
    assert answer.code == "CANNOT_UPDATE_SUPER_USER_ROLES"
    assert answer.extensions["status_code"] == 403
    assert roles_of(world.app, user_id) == set()


def test_unknown_roles_are_refused_naming_the_field(world: World):
    alice = world.ids["owner"]
    answer = world.call("super_user", UPDATE_ROLES, {"id": gid(alice), "codes": ["NOPE"]})
    assert answer.code == "VALIDATION_ERROR"
    assert answer.extensions["field"] == "roleCodes"
    assert roles_of(world.app, alice) == set()


def test_too_many_roles_at_once_are_refused(world: World):
    codes = [f"ROLE_{i}" for i in range(101)]
    answer = world.call("super_user", UPDATE_ROLES, {"id": gid(world.ids["owner"]), "codes": codes})
    assert answer.code == "VALIDATION_ERROR"
